#!/usr/bin/env bash
# Build the guest's userspace for one architecture from the 'ours' tree: perf
# (tools/perf), the kselftests (through the selftests Makefile, so with the
# kselftest flags), and the main job's demo programs (hwbp-demo, and
# hwbp-watch: a gdb-style watchpoint through ptrace). Upstream's test
# sources are never modified by our overlay (we only add files), so the same
# binaries serve both kernel flavors and results compare like for like.
#
# usage: build-user.sh <arch>   ->  build/<arch>/user/root/
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_setup "${1:?arch}"
flavor_setup ours
"$HARNESS/tree.sh" ours

out=$BUILD/$HARCH/user
root=$out/root
log=$LOGS/build-user-$HARCH.log
: >"$log"
mkdir -p "$out"

fail() { build_failed "$log" "$1"; }

KSFT_TARGETS="breakpoints perf_events ftrace"
[ "$HARCH" = ppc64le ] && KSFT_TARGETS="$KSFT_TARGETS powerpc/ptrace"

note "building $HARCH uapi headers"
make -C "$SRC" O="$out/hdr" ARCH="$KARCH" CROSS_COMPILE="$CROSS" -j"$JOBS" headers \
	>>"$log" 2>&1 || fail "headers failed"

note "building $HARCH kselftests: $KSFT_TARGETS"
rm -rf "$out/kselftest"
make -C "$SRC/tools/testing/selftests" O="$out/hdr" ARCH="$SRCARCH" \
	CROSS_COMPILE="$CROSS" TARGETS="$KSFT_TARGETS" -j"$JOBS" \
	install INSTALL_PATH="$out/kselftest" >>"$log" 2>&1 || fail "kselftests failed"

note "building $HARCH perf"
# DEBUG=1: perf at -O0 -g instead of its forced -O3, which takes twice as
# long to compile on our two cores; the guest runs perf for seconds only.
# libtraceevent stays on: perf parses tracepoints with it, our w: events
# (perf record -e wprobes:EVENT) among them.
perf_opts=(DEBUG=1 NO_JEVENTS=1 NO_LIBPYTHON=1 NO_LIBPERL=1
	NO_SDT=1 NO_LIBUNWIND=1 NO_LIBDW_DWARF_UNWIND=1 NO_SLANG=1 NO_GTK2=1
	NO_LIBNUMA=1 NO_LIBAUDIT=1 NO_LIBCRYPTO=1 NO_LIBCAP=1 NO_LIBBABELTRACE=1
	NO_LIBZSTD=1 NO_LZMA=1 NO_LIBBPF=1 NO_BPF_SKEL=1 NO_LIBLLVM=1
	NO_CAPSTONE=1 NO_LIBPFM4=1 NO_AUXTRACE=1 NO_LIBDEBUGINFOD=1)
# Cross: libelf, zlib and libtraceevent come from the sysroot setup.sh
# extracts, so that perf reads symbol tables and perf report names functions
# on every arch. LDFLAGS goes through the environment: perf's makefiles
# append their own flags to it, which a command-line value would override.
# -rpath-link lets the linker find libelf.so.1's own NEEDED libz.so.1 there.
# perf asks pkg-config for libtraceevent's flags and version: the plain one
# (not a <triplet>-pkg-config wrapper that may be installed), on the
# sysroot's .pc files only, with their paths rebased into it.
perf_env=()
if [ -n "$LIBSYSROOT" ]; then
	[ -f "$LIBSYSROOT/.debs" ] || die "no $LIBSYSROOT: run harness/setup.sh"
	grep -qw libtraceevent-dev "$LIBSYSROOT/.debs" ||
		die "$LIBSYSROOT has no libtraceevent: run harness/setup.sh"
	usrlib=$LIBSYSROOT/usr/lib/$TRIPLET lib=$LIBSYSROOT/lib/$TRIPLET
	perf_opts+=(EXTRA_CFLAGS="-I$LIBSYSROOT/usr/include" PKG_CONFIG=pkg-config)
	perf_env=(LDFLAGS="-L$usrlib -L$lib -Wl,-rpath-link,$usrlib:$lib"
		PKG_CONFIG_LIBDIR="$usrlib/pkgconfig:$LIBSYSROOT/usr/share/pkgconfig"
		PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$LIBSYSROOT")
fi
mkdir -p "$out/perf"
env "${perf_env[@]}" make -C "$SRC/tools/perf" O="$out/perf" ARCH="$SRCARCH" \
	CROSS_COMPILE="$CROSS" "${perf_opts[@]}" -j"$JOBS" perf >>"$log" 2>&1 ||
	fail "perf failed"

note "building $HARCH demo"
${CROSS}gcc -O1 -g -fno-omit-frame-pointer -fno-pie -no-pie -o "$out/hwbp-demo" \
	"$HARNESS/guest/hwbp-demo.c" >>"$log" 2>&1 || fail "demo failed"
${CROSS}gcc -O1 -g -fno-omit-frame-pointer -fno-pie -no-pie -o "$out/hwbp-watch" \
	"$HARNESS/guest/hwbp-watch.c" >>"$log" 2>&1 || fail "hwbp-watch failed"

note "assembling $HARCH guest root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,lib64,usr/bin,etc,proc,sys,dev,tmp,root,kselftest}
cp "$BUSYBOX" "$root/bin/busybox"
cp "$out/perf/perf" "$root/usr/bin/perf"
cp "$out/hwbp-demo" "$root/usr/bin/hwbp-demo"
cp "$out/hwbp-watch" "$root/usr/bin/hwbp-watch"
cp -a "$out/kselftest/." "$root/kselftest/"
cp "$HARNESS/guest/init" "$root/init"
chmod +x "$root/init"
"$HARNESS/copy-libs.sh" "$HARCH" "$root"
note "guest userspace for $HARCH in $root"
