#!/usr/bin/env bash
# make bench: the layer's costs on pristine upstream and on ours, in the
# same run. For each arch both "bench" kernels (configs/bench.config: no
# lockdep) boot at once with 16 vCPUs under -icount shift=0, where a guest
# nanosecond is a guest instruction, so every figure is an instruction
# count that repeats exactly and does not depend on the host's load.
# The guest (harness/guest/init, run_bench) runs hwbp_bench's cases (hit
# path, context switch, registration next to 10..10000 armed tasks, ptrace
# cycles) and perf bench breakpoint at 16, 8, 4, 2 and 1 CPUs online.
# harness/bench-report.py then writes build/bench/results.md (both figures
# and ours/upstream per case, and the targets of issue 12) and a PNG chart
# per scaling case and arch, and prints the table.
#
#
# With LOCKSTAT=1 it boots the "lockstat" kernels instead (the bench
# kernels plus CONFIG_LOCK_STAT) at 16, 32 and 64 vCPUs, runs perf bench
# breakpoint thread with one creator per vCPU, and reports which locks
# were contended and how long was waited on each: what a many-core machine
# would see of either layer's accounting locks.
#
# usage: harness/bench.sh          (HWBP_ARCHES, default: all three)
#   HWBP_BENCH_CASES=REGEX   only these cases (hwbp.bench, a debug knob)
#   LOCKSTAT=1               the lock statistics runs (HWBP_LOCKSTAT_CPUS,
#                            default "16 32 64")
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCHES=${HWBP_ARCHES:-x86_64 arm64 ppc64le}
export HWBP_SETUP_BENCH=1 HWBP_KVARIANT=bench
cpu_counts=16
if [ "${LOCKSTAT:-0}" = 1 ]; then
	HWBP_KVARIANT=lockstat
	cpu_counts=${HWBP_LOCKSTAT_CPUS:-16 32 64}
fi
start=$(date +%s)

"$HARNESS/setup.sh"
out=$BUILD/bench
mkdir -p "$out"
args=()
for arch in $ARCHES; do
	"$HARNESS/build-user.sh" "$arch"
	for flavor in upstream ours; do
		"$HARNESS/build-kernel.sh" "$arch" "$flavor"
	done
	for cpus in $cpu_counts; do
		pids=()
		for flavor in upstream ours; do
			log=$out/console-$arch-$flavor.log
			[ "$HWBP_KVARIANT" = lockstat ] &&
				log=$out/lockstat-$arch-$flavor-cpus$cpus.log
			CPUS=$cpus HWBP_ICOUNT=1 HWBP_TIMEOUT=${HWBP_TIMEOUT:-2400} \
				HWBP_GUEST_ARGS="${HWBP_BENCH_CASES:+hwbp.bench=$HWBP_BENCH_CASES}" \
				"$HARNESS/boot.sh" "$arch" "$flavor" bench "$log" &
			pids+=($!)
			args+=("$arch:$flavor:$log")
		done
		for pid in "${pids[@]}"; do
			wait "$pid" || die "a $arch bench guest failed"
		done
	done
	note "[$(( $(date +%s) - start ))s] $arch benchmarked"
done
# Debian's python3, where python3-matplotlib is installed.
report=(--out "$out")
[ "$HWBP_KVARIANT" = lockstat ] && report+=(--lockstat)
/usr/bin/python3 "$HARNESS/bench-report.py" "${report[@]}" "${args[@]}"
