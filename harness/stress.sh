#!/usr/bin/env bash
# make stress: the long reliability runs, on the kasan kernels (KASAN,
# UBSAN, KFENCE, lockdep, debug objects): hwbp_fuzz for 10^6 operations
# with CPU hotplug, 1000 hotplug cycles and 20 suspend cycles of
# hwbp_soak. Ends with the report's 'N passed, N failed' line.
#
# Environment: HWBP_ARCHES (default "x86_64 arm64"), UPSTREAM=1,
#   HWBP_FUZZ_OPS (default 1000000), HWBP_FUZZ_SEED (default: the time),
#   HWBP_STRESS_PARTS (default "fuzz soak"): one part alone, for a run
#   that must fit a time slot (the fuzzer's 10^6 operations take about
#   two hours on x86_64 under KASAN).
# The guests run without -icount (arm64 too): nothing here reads the
# emulated PMU, and without icount QEMU runs the vCPUs on both host cores.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCHES=${HWBP_ARCHES:-x86_64 arm64}
FLAVOR=ours
[ "${UPSTREAM:-0}" = 1 ] && FLAVOR=upstream
export HWBP_KVARIANT=kasan
start=$(date +%s)

"$HARNESS/setup.sh" || die "setup failed"
res=$BUILD/results/stress-$FLAVOR
rm -rf "$res"
mkdir -p "$res"
runs=()
our_symbols=$res/our-symbols.txt
: >"$our_symbols"
for a in $ARCHES; do
	"$HARNESS/build-kernel.sh" "$a" "$FLAVOR" || die "kernel build failed"
	"$HARNESS/build-user.sh" "$a" || die "userspace build failed"
	(arch_setup "$a"; flavor_setup "$FLAVOR"; collect_our_symbols "$KOUT" >>"$our_symbols")
	log=$res/console-$a-kasan.log
	parts=${HWBP_STRESS_PARTS:-fuzz soak}
	args="hwbp.fuzz_ops=${HWBP_FUZZ_OPS:-1000000} hwbp.stress_parts=${parts// /,}"
	[ -n "${HWBP_FUZZ_SEED:-}" ] && args+=" hwbp.fuzz_seed=$HWBP_FUZZ_SEED"
	HWBP_ICOUNT=0 HWBP_TIMEOUT=${HWBP_TIMEOUT:-23000} HWBP_GUEST_ARGS="$args" \
		"$HARNESS/boot.sh" "$a" "$FLAVOR" stress "$log"
	runs+=("$a/kasan:$FLAVOR:$log")
	note "[$(( $(date +%s) - start ))s] $a stress finished"
done
python3 "$HARNESS/report.py" --kunit-tool "$PRISTINE/tools/testing/kunit/kunit.py" \
	--our-symbols "$our_symbols" --xfail "$HARNESS/expected-failures" "${runs[@]}"
