#!/usr/bin/env bash
# Build-only check: compile the generic hw_breakpoint core of one flavor with
# the arm and sh backends, which we do not own and do not boot, and with our
# x86 backend on a uniprocessor kernel (x86_64-up), which no guest boots. It
# builds the
# objects that make up or use the layer, not a kernel:
#   kernel/events/ (the core, perf core, the KUnit test), kernel/ptrace.o,
#   kernel/exit.o, the arch's hw_breakpoint.o, ptrace and process code (and
#   sh's User Break Controller driver, x86's kgdb and KUnit suite),
#   samples/hw_breakpoint/.
# Then it checks that every arch hook the core calls is defined by the
# arch's objects, every core function the arch and the other users call is
# defined by the core, and what the sample module calls is exported: the
# link errors a compile alone cannot see.
#
# Configuration: allnoconfig plus harness/configs/build-<arch>.config, merged
# by the tree's merge_config.sh; CONFIG_HAVE_HW_BREAKPOINT=y is required.
# Output: build/<arch>/build-only-<flavor>, log build/logs/build-only-*.log.
#
# usage: build-only.sh ours|upstream [RESULTS.tsv]
# Environment: HWBP_BUILD_ONLY_ARCHES="arm sh x86_64-up", JOBS (default: all cores)
# Exits non-zero if any check failed; each check is one row of RESULTS.tsv.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
HARCH=host	# flavor_setup wants one; no kernel-<flavor> folder is used here
flavor_setup "${1:?usage: build-only.sh ours|upstream [RESULTS.tsv]}"
tsv=${2:-/dev/null}
ARCHES=${HWBP_BUILD_ONLY_ARCHES:-arm sh x86_64-up}
status=0

# row ARCH TEST RESULT DETAIL: one result row, also shown on stderr.
row() {
	printf '%s\t%s\tbuild-only\t%s\t%s\t%s\n' "$1" "$FLAVOR" "$2" "$3" "$4" >>"$tsv"
	note "build-only $1/$FLAVOR $2: $3 $4"
	[ "$3" = PASS ] || status=1
}

# Per arch: kernel ARCH, cross compiler prefix (and its Debian package), the
# arch objects that implement or call the layer.
arch_targets() {
	case "$1" in
	arm)
		KARCH=arm; CROSS=arm-linux-gnueabihf-; PKG=gcc-arm-linux-gnueabihf
		ARCH_OBJS=(arch/arm/kernel/hw_breakpoint.o arch/arm/kernel/ptrace.o
			arch/arm/kernel/process.o)
		;;
	sh)
		KARCH='sh'; CROSS=sh4-linux-gnu-; PKG=gcc-sh4-linux-gnu
		ARCH_OBJS=(arch/sh/kernel/hw_breakpoint.o arch/sh/kernel/ptrace_32.o
			arch/sh/kernel/process_32.o arch/sh/kernel/cpu/sh4a/ubc.o)
		;;
	x86_64-up)
		KARCH=x86_64; CROSS=; PKG=gcc
		ARCH_OBJS=(arch/x86/kernel/hw_breakpoint.o arch/x86/kernel/ptrace.o
			arch/x86/kernel/process.o arch/x86/kernel/kgdb.o)
		# Our x86 KUnit suite is an object of its own; upstream's is not.
		[ -f "$SRC/arch/x86/kernel/hw_breakpoint_kunit.c" ] &&
			ARCH_OBJS+=(arch/x86/kernel/hw_breakpoint_kunit.o)
		;;
	*)
		die "build-only: unknown arch '$1' (arm, sh or x86_64-up)"
		;;
	esac
}

# Symbols of the layer: what the core gives the arch and its users, and the
# arch gives the core (*hw_breakpoint*, *_bp_slot*, arch_*bp*, arch_*breakpoint*).
LAYER_RE='hw_breakpoint|_bp_slot|^arch_.*(bp|breakpoint)|^counter_arch_bp$'

undefined() { "${CROSS}nm" -u "$@" 2>/dev/null | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u; }
defined() { "${CROSS}nm" --defined-only "$@" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TtDdBbRrWwVv]/ { print $3 }' | sort -u; }

# symbol_check ARCH KOUT: every layer symbol used by the core, the arch
# code or the other built-in users (perf core, ptrace, exit, KUnit test) is
# defined by the built objects, and every one the sample module uses is
# exported.
symbol_check() {
	local a=$1 out=$2 o missing unexported n
	local providers=() users=() modules=()
	for o in "$out"/kernel/events/*.o "${ARCH_OBJS[@]/#/$out/}"; do
		[ -f "$o" ] && providers+=("$o")
	done
	for o in "${providers[@]}" "$out"/kernel/ptrace.o "$out"/kernel/exit.o; do
		[ -f "$o" ] && users+=("$o")
	done
	for o in "$out"/samples/hw_breakpoint/*.o; do
		[ -f "$o" ] && modules+=("$o")
	done
	if ! ls "$out"/kernel/events/hw_breakpoint*.o >/dev/null 2>&1 || [ ${#modules[@]} -eq 0 ]; then
		row "$a" symbols FAIL "objects missing after the build (kernel/events/hw_breakpoint*.o, samples)"
		return
	fi
	missing=$(comm -23 <(undefined "${users[@]}" | grep -E "$LAYER_RE") <(defined "${providers[@]}"))
	unexported=$(comm -23 <(undefined "${modules[@]}" | grep -E "$LAYER_RE") \
		<("${CROSS}nm" "${providers[@]}" | sed -n 's/.* __export_symbol_\(.*\)$/\1/p' | sort -u))
	if [ -n "$missing$unexported" ]; then
		local why=()
		[ -n "$missing" ] && why+=("undefined: $(echo "$missing" | tr '\n' ' ')")
		[ -n "$unexported" ] && why+=("not exported: $(echo "$unexported" | tr '\n' ' ')")
		row "$a" symbols FAIL "${why[*]}"
	else
		n=$(undefined "${users[@]}" "${modules[@]}" | grep -cE "$LAYER_RE")
		row "$a" symbols PASS "all $n layer symbols used by core, arch, users and sample module resolve"
	fi
}

build_arch() {
	local a=$1 out=$BUILD/$1/build-only-$FLAVOR log=$LOGS/build-only-$1-$FLAVOR.log
	local frag=$HARNESS/configs/build-$1.config t0 sum
	arch_targets "$a"
	: >"$log"
	if ! command -v "${CROSS}gcc" >/dev/null; then
		row "$a" config FAIL "no ${CROSS}gcc (package $PKG; harness/setup.sh installs it)"
		row "$a" hw_breakpoint FAIL "not built: no compiler"
		return
	fi
	kmake() {
		make -C "$SRC" O="$out" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
			CC="$(kernel_cc "$CROSS")" -j"$JOBS" "$@"
	}
	mkdir -p "$out"
	t0=$(date +%s)
	sum=$(sha256sum "$frag" | cut -c1-16)
	if [ "$(cat "$out/.hwbp-config-sum" 2>/dev/null)" != "$sum" ] || [ ! -f "$out/.config" ]; then
		rm -f "$out/.hwbp-config-sum"
		if ! (cd "$SRC" && ARCH=$KARCH CROSS_COMPILE=$CROSS \
			scripts/kconfig/merge_config.sh -n -O "$out" "$frag") >>"$log" 2>&1; then
			row "$a" config FAIL "merge_config.sh failed (log: $log)"
			row "$a" hw_breakpoint FAIL "not built: no configuration"
			return
		fi
	fi
	local missing
	missing=$(grep -A2 '^Value requested for' "$log" | grep '^Value requested' |
		sed 's/Value requested for \(\w*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$missing" ] || ! grep -qx 'CONFIG_HAVE_HW_BREAKPOINT=y' "$out/.config"; then
		row "$a" config FAIL "not in the final .config: ${missing:-CONFIG_HAVE_HW_BREAKPOINT} (log: $log)"
		row "$a" hw_breakpoint FAIL "not built: configuration lacks the layer"
		return
	fi
	echo "$sum" >"$out/.hwbp-config-sum"
	row "$a" config PASS "allnoconfig + configs/build-$a.config: CONFIG_HAVE_HW_BREAKPOINT=y"

	local targets=(kernel/events/ kernel/ptrace.o kernel/exit.o "${ARCH_OBJS[@]}"
		samples/hw_breakpoint/)
	# Compile every target each time, so that its warnings show each time
	# (with ccache opted in, an unchanged one costs little).
	rm -f "$out"/kernel/events/*.o "$out"/samples/hw_breakpoint/*.o "$out"/kernel/ptrace.o \
		"$out"/kernel/exit.o "${ARCH_OBJS[@]/#/$out/}"
	note "build-only $a/$FLAVOR: ${targets[*]} (log: $log)"
	if ! kmake "${targets[@]}" >>"$log" 2>&1; then
		grep -E -B2 -A6 '(error|Error)[: ]' "$log" | head -n 40 >&2 || tail -n 20 "$log" >&2
		row "$a" hw_breakpoint FAIL "compile failed after $(( $(date +%s) - t0 ))s (log: $log)"
		return
	fi
	local nobj warn
	nobj=$(cd "$out" && ls kernel/events/*.o samples/hw_breakpoint/*.o kernel/ptrace.o \
		kernel/exit.o "${ARCH_OBJS[@]}" 2>/dev/null | wc -l)
	# Compiler warnings in C sources and headers; not the syscall table
	# check's "#warning syscall ... not implemented" from <stdin> (sh).
	local wre='^[^ :]+\.[ch]:[0-9]+:([0-9]+:)? warning:'
	warn=$(grep -cE "$wre" "$log")
	if [ "$warn" -gt 0 ]; then
		grep -E -A4 "$wre" "$log" | head -n 30 >&2
		row "$a" hw_breakpoint FAIL "$warn compiler warning(s), first: $(grep -E -m1 "$wre" "$log" | sed "s|^$SRC/||" | cut -c1-120) (log: $log)"
	else
		row "$a" hw_breakpoint PASS "$nobj objects compiled, no warnings, $(( $(date +%s) - t0 ))s"
	fi
	symbol_check "$a" "$out"
}

if ! "$HARNESS/tree.sh" "$FLAVOR" >"$LOGS/build-only-tree-$FLAVOR.log" 2>&1; then
	for a in $ARCHES; do
		row "$a" hw_breakpoint FAIL "source tree $SRC not ready (log: $LOGS/build-only-tree-$FLAVOR.log)"
	done
	exit 1
fi
for a in $ARCHES; do
	build_arch "$a"
done
exit $status
