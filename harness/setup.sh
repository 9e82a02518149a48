#!/usr/bin/env bash
# Install everything the harness needs on a Debian 12 (bookworm) machine.
# Idempotent: a stamp records the package set, so a second run costs nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${BUILD:-$top/build}
stamp=$build/.setup-done
mkdir -p "$build"

# Bump this when the package set below changes.
SETUP_VERSION=7
# make bench (HWBP_SETUP_BENCH=1) adds a package: a "+bench" stamp covers
# both, a plain one only make test's.
done_version=$(cat "$stamp" 2>/dev/null || true)
case "${HWBP_SETUP_BENCH:-0}:$done_version" in
0:"$SETUP_VERSION" | ?:"$SETUP_VERSION+bench") exit 0 ;;
esac
stamp_version=$SETUP_VERSION
[ "${HWBP_SETUP_BENCH:-0}" = 1 ] && stamp_version+="+bench"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

# QEMU 7.2 in bookworm never fires powerpc DAWR watchpoints; 10.x from
# bookworm-backports does.
bpo=/etc/apt/sources.list.d/hwbp-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	$SUDO tee "$bpo" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "setup: apt-get update" >&2
# A mirror caught mid-sync fails one index; one retry, then go on with what
# we have and let the install below name anything really missing.
$SUDO apt-get update -qq || { sleep 5; $SUDO apt-get update -qq || true; }

host_pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod
	rsync python3 ccache xz-utils file git sparse
	gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu
	libc6-dev-arm64-cross libc6-dev-ppc64el-cross zlib1g-dev
	libtraceevent-dev libtraceevent1 pkgconf
	gcc-arm-linux-gnueabihf gcc-sh4-linux-gnu
	busybox-static linux-source-6.12
)
# make bench draws its charts with matplotlib; make test does not need it.
[ "${HWBP_SETUP_BENCH:-0}" = 1 ] && host_pkgs+=(python3-matplotlib)
echo "setup: installing ${host_pkgs[*]}" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${host_pkgs[@]}" >/dev/null

echo "setup: installing QEMU from bookworm-backports" >&2
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	qemu-system-x86 qemu-system-arm qemu-system-ppc qemu-system-data \
	ipxe-qemu seabios qemu-efi-aarch64 >/dev/null

# For each foreign guest architecture: static busybox, and a small sysroot
# with libelf and zlib (headers, link libraries, runtime libraries) so that
# the cross-built perf reads symbol tables and perf report names functions,
# and libtraceevent so that it parses tracepoints (perf record -e
# wprobes:EVENT). The cross toolchains' own sysroots have none of them. A
# private apt state (bookworm main only) keeps the host's own package lists
# and foreign architectures untouched. In bookworm libelf1 needs only libc6
# (the toolchain's) and zlib1g; libtraceevent1 only libc6.
sysroot_debs=(libelf-dev libelf1 zlib1g-dev zlib1g libtraceevent-dev libtraceevent1)
for a in arm64 ppc64el; do
	dir=$build/busybox-$a
	sysroot=$build/sysroot-$a
	if [ -x "$dir/bin/busybox" ] &&
	   [ "$(cat "$sysroot/.debs" 2>/dev/null)" = "${sysroot_debs[*]}" ]; then
		continue
	fi
	apt_dir=$build/apt-$a
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc"
	cat >"$apt_dir/etc/sources.list" <<SRC
deb [arch=$a signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
SRC
	apt_opts=(-o "APT::Architecture=$a" -o "APT::Architectures::=$a"
		-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
		-o "Dir::Etc::SourceParts=/nonexistent"
		-o "Dir::State::Lists=$apt_dir/lists"
		-o "Dir::Cache=$apt_dir/cache" -o "Dir::State::status=/dev/null"
		-o "APT::Sandbox::User=root")
	mkdir -p "$apt_dir/cache/archives/partial"
	apt-get "${apt_opts[@]}" update -qq
	if [ ! -x "$dir/bin/busybox" ]; then
		(cd "$apt_dir" && apt-get "${apt_opts[@]}" download -qq "busybox-static:$a")
		rm -rf "$dir"
		dpkg-deb -x "$apt_dir"/busybox-static_*_"$a".deb "$dir"
	fi

	echo "setup: $a sysroot for perf: ${sysroot_debs[*]}" >&2
	debs=$apt_dir/sysroot-debs
	rm -rf "$debs" "$sysroot"
	mkdir -p "$debs" "$sysroot"
	(cd "$debs" && apt-get "${apt_opts[@]}" download -qq "${sysroot_debs[@]/%/:$a}")
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$sysroot"
	done
	# Absolute links (zlib1g-dev's libz.so -> /lib/<triplet>/libz.so.1...)
	# would resolve on the host; make them relative inside the sysroot.
	find "$sysroot" -type l -lname '/*' | while read -r link; do
		ln -sfr "$sysroot$(readlink "$link")" "$link"
	done
	echo "${sysroot_debs[*]}" >"$sysroot/.debs"
done

echo "$stamp_version" >"$stamp"
