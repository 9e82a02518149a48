#!/usr/bin/env bash
# The test command: set up the machine, build kernel and guest userspace for
# each architecture, boot each under QEMU running the suites, and report.
#
# Environment: HWBP_ARCHES="x86_64 arm64 ppc64le"   UPSTREAM=1 for pristine
#   DEBUG=1  every kernel is the kasan variant (KASAN, UBSAN, KFENCE, ...)
#   RACE=1   every kernel is the kcsan variant
#   HWBP_KASAN_X86=1: x86_64 boots its kasan kernel in a plain run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCHES=${HWBP_ARCHES:-x86_64 arm64 ppc64le}
FLAVOR=ours
[ "${UPSTREAM:-0}" = 1 ] && FLAVOR=upstream
VARIANT=
[ "${DEBUG:-0}" = 1 ] && VARIANT=kasan
[ "${RACE:-0}" = 1 ] && VARIANT=kcsan
[ "${DEBUG:-0}" = 1 ] && [ "${RACE:-0}" = 1 ] && die "DEBUG=1 and RACE=1 cannot be combined (KASAN excludes KCSAN)"
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
# trees), the originality of our files, checkpatch.
"$HARNESS/selftest-tree.sh" "$host_tsv" host
# Of the build-only checks, make test runs x86_64-up (our backend and core
# without SMP, with kgdb); arm and sh (upstream's backends on our core) run
# in make build-only, to keep the run inside its time budget.
HWBP_BUILD_ONLY_ARCHES=${HWBP_BUILD_ONLY_ARCHES:-x86_64-up} \
	"$HARNESS/build-only.sh" "$FLAVOR" "$host_tsv" || note "build-only check failed (see the report)"
orig=$res/originality.txt
python3 "$HARNESS/originality.py" --self-test --tsv "$host_tsv" >"$orig" 2>&1
python3 "$HARNESS/originality.py" --tsv "$host_tsv" --see "$orig" >>"$orig" 2>&1 ||
	note "originality check failed: shared runs listed in $orig"
# checkpatch --strict on our kernel files (the same on every arch).
[ "$FLAVOR" = ours ] && "$HARNESS/lint.sh" "$host_tsv" checkpatch
note "[$(elapsed)] host-side checks done"

# Functions defined by our files in the kernels just built: report.py
# fails a KCSAN or kmemleak report only when one of them is in its stacks.
our_symbols=$res/our-symbols.txt
: >"$our_symbols"

runs=()
for a in $ARCHES; do
	arch_setup "$a"
	# HWBP_KASAN_X86=1 boots x86_64 on its kasan kernel in a plain run.
	# It does not fit the 45-minute budget (measured: a 4-5 times slower
	# boot, 540 s against 107 s, and 2 more minutes of build), so a plain
	# run stays on the plain kernel; see README "Debug kernels".
	v=$VARIANT
	[ -z "$v" ] && [ "$a" = x86_64 ] && [ "${HWBP_KASAN_X86:-0}" = 1 ] && v=kasan
	export HWBP_KVARIANT=$v
	label=$a${v:+/$v}
	row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$FLAVOR" "$@" >>"$host_tsv"; }
	if ! "$HARNESS/build-kernel.sh" "$a" "$FLAVOR"; then
		row build kernel FAIL "see $LOGS/build-kernel-$a-$FLAVOR${v:+-$v}.log"
		break
	fi
	# Style gates on our objects for this arch: W=1 and sparse.
	[ "$FLAVOR" = ours ] && "$HARNESS/lint.sh" "$host_tsv" "$a"
	if ! "$HARNESS/build-user.sh" "$a"; then
		row build userspace FAIL "see $LOGS/build-user-$a.log"
		break
	fi
	note "[$(elapsed)] $label/$FLAVOR built; booting"
	(flavor_setup "$FLAVOR"; collect_our_symbols "$KOUT" >>"$our_symbols")
	log=$res/console-$a${v:+-$v}.log
	"$HARNESS/boot.sh" "$a" "$FLAVOR" test "$log"
	cp "$log" "$LOGS/$(basename "$log" .log)-$FLAVOR-test.log"
	runs+=("$label:$FLAVOR:$log")
	note "[$(elapsed)] $label/$FLAVOR finished"
	# POWER8 has one DAWR where POWER10 has two: the breakpoint suites
	# again, on the same kernel.  Its rows are labelled ppc64le/power8.
	# KASAN on 64-bit Book3S needs the radix MMU, which POWER8 lacks.
	if [ "$a" = ppc64le ] && [ "$VARIANT" != kasan ]; then
		log=$res/console-$a-power8${VARIANT:+-$VARIANT}.log
		HWBP_PPC_CPU=power8 HWBP_GUEST_ARGS="hwbp.only=$POWER8_SUITES" \
			"$HARNESS/boot.sh" "$a" "$FLAVOR" test "$log"
		cp "$log" "$LOGS/$(basename "$log" .log)-$FLAVOR-test.log"
		runs+=("$a/power8${VARIANT:+/$VARIANT}:$FLAVOR:$log")
		note "[$(elapsed)] $a/power8${VARIANT:+/$VARIANT}/$FLAVOR finished"
	fi
done

note "wall time $(elapsed) for: $ARCHES ($FLAVOR${VARIANT:+, $VARIANT kernels})"
# The report ends with the 'N passed, N failed, N skipped' line: keep it last.
python3 "$HARNESS/report.py" --kunit-tool "$PRISTINE/tools/testing/kunit/kunit.py" \
	--our-symbols "$our_symbols" \
	--xfail "$HARNESS/expected-failures" --host-results "$host_tsv" "${runs[@]}"
