#!/usr/bin/env bash
# The test command: set up the machine, build kernel and guest userspace for
# each architecture, boot each under QEMU running the suites, and report.
#
# Environment: HWBP_ARCHES="x86_64 arm64 ppc64le"   UPSTREAM=1 for pristine
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCHES=${HWBP_ARCHES:-x86_64 arm64 ppc64le}
FLAVOR=ours
[ "${UPSTREAM:-0}" = 1 ] && FLAVOR=upstream
start=$(date +%s)
# What the POWER8 boot runs (a guest init hwbp.only pattern on "suite test").
POWER8_SUITES='^(guest|kselftest:breakpoints|kselftest:powerpc/ptrace|perf-test|samples|ftracetest)[[:space:]]'

elapsed() { echo "$(( $(date +%s) - start ))s"; }

"$HARNESS/setup.sh" || die "setup failed"

res=$BUILD/results/$FLAVOR
rm -rf "$res"
mkdir -p "$res"
host_tsv=$res/host.tsv
: >"$host_tsv"
# Host-side checks, once per run: the overlay mechanism, the build-only
# check of the core with the arm and sh backends (it also prepares the source
# trees), the originality of our files.
"$HARNESS/selftest-tree.sh" "$host_tsv" host
"$HARNESS/build-only.sh" "$FLAVOR" "$host_tsv" || note "build-only check failed (see the report)"
orig=$res/originality.txt
python3 "$HARNESS/originality.py" --self-test --tsv "$host_tsv" >"$orig" 2>&1
python3 "$HARNESS/originality.py" --tsv "$host_tsv" --see "$orig" >>"$orig" 2>&1 ||
	note "originality check failed: shared runs listed in $orig"
note "[$(elapsed)] host-side checks done"

runs=()
for a in $ARCHES; do
	arch_setup "$a"
	row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$a" "$FLAVOR" "$@" >>"$host_tsv"; }
	if ! "$HARNESS/build-kernel.sh" "$a" "$FLAVOR"; then
		row build kernel FAIL "see $LOGS/build-kernel-$a-$FLAVOR.log"
		break
	fi
	# Style gates on our code: checkpatch --strict, W=1 and sparse.
	[ "$FLAVOR" = ours ] && "$HARNESS/lint.sh" "$host_tsv" "$a"
	if ! "$HARNESS/build-user.sh" "$a"; then
		row build userspace FAIL "see $LOGS/build-user-$a.log"
		break
	fi
	note "[$(elapsed)] $a/$FLAVOR built; booting"
	log=$res/console-$a.log
	"$HARNESS/boot.sh" "$a" "$FLAVOR" test "$log"
	cp "$log" "$LOGS/console-$a-$FLAVOR-test.log"
	runs+=("$a:$FLAVOR:$log")
	note "[$(elapsed)] $a/$FLAVOR finished"
	# POWER8 has one DAWR where POWER10 has two: the breakpoint suites
	# again, on the same kernel.  Its rows are labelled ppc64le/power8.
	if [ "$a" = ppc64le ]; then
		log=$res/console-$a-power8.log
		HWBP_PPC_CPU=power8 HWBP_GUEST_ARGS="hwbp.only=$POWER8_SUITES" \
			"$HARNESS/boot.sh" "$a" "$FLAVOR" test "$log"
		cp "$log" "$LOGS/console-$a-power8-$FLAVOR-test.log"
		runs+=("$a/power8:$FLAVOR:$log")
		note "[$(elapsed)] $a/power8/$FLAVOR finished"
	fi
done

note "wall time $(elapsed) for: $ARCHES ($FLAVOR)"
# The report ends with the 'N passed, N failed, N skipped' line: keep it last.
python3 "$HARNESS/report.py" --kunit-tool "$PRISTINE/tools/testing/kunit/kunit.py" \
	--xfail "$HARNESS/expected-failures" --host-results "$host_tsv" "${runs[@]}"
