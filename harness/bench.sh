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
# usage: harness/bench.sh          (HWBP_ARCHES, default: all three)
#   HWBP_BENCH_CASES=REGEX   only these cases (hwbp.bench, a debug knob)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCHES=${HWBP_ARCHES:-x86_64 arm64 ppc64le}
export HWBP_SETUP_BENCH=1 HWBP_KVARIANT=bench
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
	pids=()
	for flavor in upstream ours; do
		log=$out/console-$arch-$flavor.log
		CPUS=16 HWBP_ICOUNT=1 HWBP_TIMEOUT=${HWBP_TIMEOUT:-2400} \
			HWBP_GUEST_ARGS="${HWBP_BENCH_CASES:+hwbp.bench=$HWBP_BENCH_CASES}" \
			"$HARNESS/boot.sh" "$arch" "$flavor" bench "$log" &
		pids+=($!)
		args+=("$arch:$flavor:$log")
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || die "a $arch bench guest failed"
	done
	note "[$(( $(date +%s) - start ))s] $arch benchmarked"
done
# Debian's python3, where python3-matplotlib is installed.
/usr/bin/python3 "$HARNESS/bench-report.py" --out "$out" "${args[@]}"
