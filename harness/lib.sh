# Shared definitions for the harness scripts; sourced, not run.
# shellcheck shell=bash

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=${HWBP_TOP:-$(dirname "$HARNESS")}
BUILD=${BUILD:-$TOP/build}
LOGS=$BUILD/logs
PRISTINE=${HWBP_PRISTINE:-$BUILD/linux-pristine}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$LOGS"

# The compiler for kernel builds, given the cross prefix. ccache only pays
# when it has something cached: on a cold cache each compile costs an extra
# preprocessor pass (x86_64, 108 objects: 143 s through an empty ccache,
# 93-105 s without). So a fresh clone, as in CI, compiles directly; a
# machine where build/ccache exists (mkdir it to opt in) keeps using it.
kernel_cc() {
	if [ -d "$BUILD/ccache" ]; then
		echo "ccache ${1}gcc"
	else
		echo "${1}gcc"
	fi
}
export CCACHE_DIR=$BUILD/ccache

die() { echo "error: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

# build_failed LOG MESSAGE: show the compiler's errors from a build log
# (or its tail when no error line matches), then stop.
build_failed() {
	echo "---- build output (errors first) ----" >&2
	grep -E -B2 -A6 '(error|Error)[: ]' "$1" | head -n 60 >&2 || tail -n 40 "$1" >&2
	die "$2 (full log: $1)"
}

# Map our architecture names (x86_64, arm64, ppc64le) to the kernel's ARCH,
# the cross compiler prefix, the kernel image and busybox. LIBSYSROOT is the
# extra sysroot setup.sh extracts from Debian's packages for a foreign arch
# (libelf and zlib for perf; empty on the host's arch), TRIPLET its
# multiarch library directory name.
arch_setup() {
	HARCH=$1
	case "$HARCH" in
	x86_64)
		KARCH=x86_64; SRCARCH=x86; CROSS=
		KIMAGE=arch/x86/boot/bzImage
		BUSYBOX=/bin/busybox
		SYSROOT=/
		TRIPLET=x86_64-linux-gnu; LIBSYSROOT=
		;;
	arm64)
		KARCH=arm64; SRCARCH=arm64; CROSS=aarch64-linux-gnu-
		KIMAGE=arch/arm64/boot/Image
		BUSYBOX=$BUILD/busybox-arm64/bin/busybox
		SYSROOT=/usr/aarch64-linux-gnu
		LIBSYSROOT=$BUILD/sysroot-arm64 TRIPLET=aarch64-linux-gnu
		;;
	ppc64le)
		KARCH=powerpc; SRCARCH=powerpc; CROSS=powerpc64le-linux-gnu-
		KIMAGE=vmlinux
		BUSYBOX=$BUILD/busybox-ppc64el/bin/busybox
		SYSROOT=/usr/powerpc64le-linux-gnu
		LIBSYSROOT=$BUILD/sysroot-ppc64el TRIPLET=powerpc64le-linux-gnu
		;;
	*)
		die "unknown ARCH '$HARCH' (x86_64, arm64 or ppc64le)"
		;;
	esac
}

# Flavor: "ours" (this repo's overlay) or "upstream" (pristine 6.12).
# HWBP_KVARIANT picks another build of it, in a folder of its own:
#   kasan  KASAN, UBSAN, KFENCE, PROVE_RCU, debug objects (configs/kasan.config)
#   kcsan  KCSAN (configs/kcsan.config); the two cannot be combined
#   bench  no lockdep or list debugging, KUnit not run (configs/bench.config)
#   lockstat  bench plus CONFIG_LOCK_STAT (configs/lockstat.config)
flavor_setup() {
	FLAVOR=$1
	case "$FLAVOR" in
	ours|upstream) ;;
	*) die "unknown flavor '$FLAVOR'" ;;
	esac
	KVARIANT=${HWBP_KVARIANT:-}
	case "$KVARIANT" in
	''|kasan|kcsan|bench|lockstat) ;;
	*) die "unknown kernel variant '$KVARIANT' (kasan, kcsan, bench or lockstat)" ;;
	esac
	SRC=$BUILD/src-$FLAVOR
	KOUT=$BUILD/$HARCH/kernel-$FLAVOR${KVARIANT:+-$KVARIANT}
}

# The functions (text symbols) that our files define in the kernel built in
# KOUT, one a line: report.py fails a KCSAN or kmemleak report only when
# one of them is in its stacks. Needs arch_setup (CROSS).
collect_our_symbols() {
	local kout=$1 f
	for f in $(cd "$TOP" && git ls-files -- arch include kernel | grep '\.c$'); do
		[ -f "$kout/${f%.c}.o" ] &&
			"${CROSS}nm" --defined-only "$kout/${f%.c}.o" | awk '$2 ~ /^[tT]$/ { print $3 }'
	done | sort -u
}
