#!/usr/bin/env bash
# Benchmark: `perf bench breakpoint` on pristine upstream and on ours, in
# the same run, each booted under -icount shift=0 so that the times perf
# reports are guest instruction counts and repeat exactly.  Prints both
# figures per case and the ratio ours/upstream (below 1 means we are
# faster).
#
# usage: harness/bench.sh [arch]      (default x86_64)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch=${1:-${HWBP_ARCH:-x86_64}}

"$HARNESS/setup.sh"
"$HARNESS/build-user.sh" "$arch"
logs=()
for flavor in upstream ours; do
	"$HARNESS/build-kernel.sh" "$arch" "$flavor"
	log=$LOGS/console-$arch-$flavor-bench.log
	HWBP_ICOUNT=1 "$HARNESS/boot.sh" "$arch" "$flavor" bench "$log"
	logs+=("$log")
done

python3 - "$arch" "${logs[@]}" <<'EOF'
import re, sys

arch, up_log, ours_log = sys.argv[1:4]

def times(path):
    """Map bench case -> usecs/op (1 guest usec = 1000 instructions)."""
    found, case = {}, None
    for line in open(path, errors='replace'):
        m = re.search(r'@@@ BEGIN bench (\S+)', line)
        if m:
            case = m.group(1)
        m = re.search(r'([0-9.]+) usecs/op$', line.rstrip())
        if m and case:
            found[case] = float(m.group(1))
    return found

up, ours = times(up_log), times(ours_log)
print(f'## perf bench breakpoint, {arch}, -icount shift=0: usecs/op, '
      'where 1 guest usec = 1000 instructions')
print(f'{"case":28} {"upstream":>11} {"ours":>11} {"ours/upstream":>14}')
bad = 0
for case in sorted(set(up) | set(ours)):
    u, o = up.get(case), ours.get(case)
    if u is None or o is None:
        bad = 1
        print(f'{case:28} {u!s:>11} {o!s:>11} {"MISSING":>14}')
        continue
    print(f'{case:28} {u:11.3f} {o:11.3f} {o / u:14.2f}')
if not up or not ours:
    print('no benchmark results: see the console logs', up_log, ours_log)
    bad = 1
sys.exit(bad)
EOF
