#!/usr/bin/env bash
# Run the suites on pristine upstream and on ours, in this same harness, and
# print the results side by side; exits non-zero on any regression.
#
# Environment: HWBP_ARCHES="x86_64 arm64 ppc64le"
set -uo pipefail
. "$(dirname "$0")/lib.sh"
UPSTREAM=1 "$HARNESS/test.sh"
UPSTREAM=0 "$HARNESS/test.sh"
runs=()
hosts=()
for f in upstream ours; do
	[ -f "$BUILD/results/$f/host.tsv" ] && hosts+=(--host-results "$BUILD/results/$f/host.tsv")
	for log in "$BUILD"/results/$f/console-*.log; do
		[ -f "$log" ] || continue
		a=${log##*/console-}
		a=${a%.log}
		# console-ppc64le-power8.log holds the rows of ppc64le/power8.
		runs+=("${a/-power//power}:$f:$log")
	done
done
python3 "$HARNESS/report.py" --compare --kunit-tool "$PRISTINE/tools/testing/kunit/kunit.py" \
	--xfail "$HARNESS/expected-failures" "${hosts[@]}" "${runs[@]}"
