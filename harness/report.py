#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest console logs into per-test results.

Each console log was written by harness/guest/init (see its marker protocol).
Results come from each suite's own output:
  - KUnit: the KTAP in debugfs, parsed by the tree's tools/testing/kunit/kunit.py
  - kselftests: the program's exit status (0 pass, 4 skip) and its TAP lines
  - perf test: its "N: name : Ok|FAILED!|Skip" lines
  - kernel health: every kernel log line is scanned for splats; a KCSAN
    report fails the run only when a function of ours is in its stacks
    (--our-symbols), others are listed as INFO rows and not counted
  - kmemleak (kasan kernels): the unreferenced objects of the final scan;
    one allocated with a function of ours in its backtrace fails the row,
    others are one INFO row
  - what the host did to a guest (CONSOLE_LOG.host, written by boot.sh's
    helpers): a guest woken from a stuck S3 is an INFO row; so is a guest's
    own '@@@ NOTE' on how it ran

usage: report.py --kunit-tool PATH --xfail FILE [--host-results TSV]
                 ARCH:FLAVOR:CONSOLE_LOG...
Prints a table per arch/flavor and a final 'N passed, N failed, N skipped';
exits 1 if anything failed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

KSFT_SKIP = 4

# Kernel log lines that mean the kernel is unhealthy, whatever test ran.
HEALTH_PATTERNS = [
    r'WARNING:',                      # WARN*(), lockdep, suspicious RCU usage
    r'BUG:',                          # BUG: sleeping/atomic/KASAN/soft lockup
    r'kernel BUG at',
    r'Oops',
    r'Internal error:',               # arm64 oops
    r'Kernel panic',
    r'UBSAN:',
    r'KASAN:',
    r'INFO: task .* blocked for more than',
    r'INFO: rcu.*detected stall',
    r'rcu: INFO: .*stall',
    r'self-detected stall',
    r'hung_task',
    r'possible circular locking',
    r'inconsistent lock state',
    r'DEBUG_LOCKS_WARN_ON',
    r'Unable to handle kernel',
]
HEALTH_RE = re.compile('|'.join(HEALTH_PATTERNS))
ANSI_RE = re.compile(r'\x1b\[[0-9;]*[A-Za-z]|\x1b[()][A-Z0-9]')
KMSG_RE = re.compile(r'^\[\s*\d+\.\d+\]')
TAP_RE = re.compile(r'^(?:# )?(not ok|ok) \d+ (?:- )?(.*?)\s*$')
KCSAN_BEGIN_RE = re.compile(r'BUG: KCSAN: (.*)')
KCSAN_END_RE = re.compile(r'={20,}')
FRAME_RE = re.compile(r'\b([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+')
PERF_RE = re.compile(r'^\s*\d+(?:\.\d+)?:\s+(.*?)\s*:\s+(Ok|FAILED!|Skip.*)\s*$')


class Row:
    def __init__(self, arch, flavor, suite, test, result, detail=''):
        self.arch, self.flavor = arch, flavor
        self.suite, self.test = suite, test
        self.result, self.detail = result, detail


def tap_summary(lines):
    """Count a kselftest program's own TAP results; name the failures."""
    ok = fail = skip = 0
    failed = []
    for line in lines:
        m = TAP_RE.match(line)
        if not m:
            continue
        if '# SKIP' in line or '# skip' in line:
            skip += 1
        elif m.group(1) == 'ok':
            ok += 1
        else:
            fail += 1
            failed.append(m.group(2))
    return ok, fail, skip, failed


# Figures a program reports about its own run, worth a place in the row:
# the fuzzer's operations and rate, a soak's cycles.
FIGURES_RE = re.compile(r'(\d+ ops in [\d.]+ s, \d+ ops/s|\w+_soak: \d+ cycles[^\n]*? in [\d.]+ s)')


def kselftest_row(arch, flavor, suite, test, lines, rc):
    ok, fail, skip, failed = tap_summary(lines)
    detail = f'{ok} ok, {fail} failed, {skip} skipped' if ok + fail + skip else ''
    # A long run's progress lines ("N of M ops in T s") are not its figures.
    figures = [m.group(1) for l in lines if 'progress:' not in l
               for m in [FIGURES_RE.search(l)] if m]
    if figures:
        detail += ' (' + '; '.join(figures) + ')'
    if rc == 137:
        return Row(arch, flavor, suite, test, 'FAIL', 'killed by timeout; ' + detail)
    if rc == KSFT_SKIP and fail == 0:
        reason = next((l for l in lines if 'SKIP' in l), '')
        return Row(arch, flavor, suite, test, 'SKIP', reason.strip()[:80])
    # A harness program whose every case skipped exits 0: that is a skip,
    # not a pass.
    if rc == 0 and fail == 0 and ok == 0 and skip > 0:
        reason = next((l for l in lines if 'SKIP' in l), '')
        return Row(arch, flavor, suite, test, 'SKIP', reason.strip()[:80])
    if rc == 0 and fail == 0:
        return Row(arch, flavor, suite, test, 'PASS', detail)
    if failed:
        detail += '; failed: ' + ', '.join(failed[:4])
        if len(failed) > 4:
            detail += f' (+{len(failed) - 4})'
    return Row(arch, flavor, suite, test, 'FAIL', f'rc={rc}; {detail}')


def perf_test_rows(arch, flavor, test, lines, rc):
    rows = []
    for line in lines:
        m = PERF_RE.match(line)
        if not m:
            continue
        name, verdict = m.groups()
        if verdict == 'Ok':
            res = 'PASS'
        elif verdict.startswith('Skip'):
            res = 'SKIP'
        else:
            res = 'FAIL'
        rows.append(Row(arch, flavor, 'perf-test', name, res, verdict if res == 'SKIP' else ''))
    # A suite with subtests prints a header line without a verdict; only
    # the leaves carry results. No verdict at all is a failure.
    if not rows:
        rows.append(Row(arch, flavor, 'perf-test', test.replace('_', ' '), 'FAIL',
                        f'no result line (rc={rc})'))
    return rows


def kunit_rows(arch, flavor, lines, kunit_tool):
    with tempfile.TemporaryDirectory() as tmp:
        ktap = os.path.join(tmp, 'results.ktap')
        out = os.path.join(tmp, 'results.json')
        with open(ktap, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        subprocess.run([sys.executable, kunit_tool, 'parse', f'--json={out}', ktap],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        try:
            with open(out) as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}

    rows = []

    def walk(group, prefix):
        for case in group.get('test_cases', []):
            status = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(case['status'], 'FAIL')
            rows.append(Row(arch, flavor, 'kunit:' + prefix, case['name'], status))
        for sub in group.get('sub_groups', []):
            walk(sub, sub['name'])

    walk(data, data.get('name', ''))
    if not rows:
        rows.append(Row(arch, flavor, 'kunit', 'results', 'FAIL', 'no KUnit results in debugfs'))
    return rows


def kcsan_row(arch, flavor, context, title, frames, our_symbols):
    """A KCSAN report is ours when one of our functions is in its stacks."""
    # The title names the two racing functions: "data-race in A / B".
    named = title.split(' in ', 1)[-1].split(' / ')
    ours = sorted({f.strip() for f in frames + named if f.strip() in our_symbols})
    if ours:
        return Row(arch, flavor, 'kernel-health', context.replace(' ', ':'), 'FAIL',
                   f'KCSAN: {title} (our code: {", ".join(ours[:3])})')
    return Row(arch, flavor, 'kcsan-elsewhere', context.replace(' ', ':'), 'INFO',
               f'KCSAN: {title}')


# kmemleak's report: "unreferenced object 0x... (size N):", then
# '  comm "NAME", pid ...', then the backtrace, one "    [<addr>] fn+0x.." or
# "    fn+0x.." a line.
KMEMLEAK_OBJ_RE = re.compile(r'^unreferenced object (0x[0-9a-f]+) \(size (\d+)\)')
KMEMLEAK_COMM_RE = re.compile(r'^\s+comm "([^"]*)"')
KMEMLEAK_FRAME_RE = re.compile(r'^\s+(?:\[<[0-9a-f]+>\]\s+)?([A-Za-z_][\w.]*)\+0x')


def kmemleak_rows(arch, flavor, lines, our_symbols):
    """The kmemleak scan row: FAIL when an unreferenced object was
    allocated with one of our functions in its backtrace; the others are
    listed as one INFO row."""
    objects = []            # [comm, size, frames]
    for l in lines:
        m = KMEMLEAK_OBJ_RE.match(l)
        if m:
            objects.append(['?', int(m.group(2)), []])
            continue
        if not objects:
            continue
        m = KMEMLEAK_COMM_RE.match(l)
        if m:
            objects[-1][0] = m.group(1)
            continue
        m = KMEMLEAK_FRAME_RE.match(l)
        if m:
            objects[-1][2].append(m.group(1))
    ours, elsewhere = [], []
    for comm, size, frames in objects:
        mine = [f for f in frames if f in our_symbols]
        (ours if mine else elsewhere).append((comm, size, mine or frames))
    rows = []
    if ours:
        comm, size, mine = ours[0]
        rows.append(Row(arch, flavor, 'kmemleak', 'scan', 'FAIL',
                        f'{len(ours)} unreferenced objects allocated by our code '
                        f'(first: {size} bytes, {", ".join(mine[:2])}, by "{comm}")'))
    else:
        rows.append(Row(arch, flavor, 'kmemleak', 'scan', 'PASS',
                        f'no unreferenced object allocated by our code; {len(elsewhere)} elsewhere'))
    if elsewhere:
        sites = sorted({next((f for f in frames if not f.startswith(('kmemleak', '__kmalloc',
                        'kmalloc', 'kmem_cache', '__kmem', 'slab', '__slab'))), '?')
                        for _, _, frames in elsewhere})
        rows.append(Row(arch, flavor, 'kmemleak-elsewhere', 'scan', 'INFO',
                        f'{len(elsewhere)} objects; allocated in: {", ".join(sites[:6])}'))
    return rows


def host_note_rows(arch, flavor, path):
    """What the host did to the guest while it ran (boot.sh's sidecar file):
    'S3-WAKE suite:test SECONDS how' for a guest s3-wake.py woke from an S3
    that its RTC alarm had missed. An INFO row each: the test itself still
    judges what it saw after the resume."""
    rows = []
    try:
        with open(path, errors='replace') as f:
            notes = [l.split(None, 3) for l in f if l.startswith('S3-WAKE ')]
    except OSError:
        return rows
    for n, words in enumerate(notes, 1):
        test = words[1] if len(words) > 1 else '?'
        rows.append(Row(arch, flavor, 'host-s3-wake', f'{test}#{n}', 'INFO',
                        f'guest left in S3 for {words[2] if len(words) > 2 else "?"}'
                        ' (its RTC alarm came before S3): woken through QMP'))
    return rows


def parse_console(arch, flavor, path, kunit_tool, our_symbols=frozenset()):
    rows = []
    kcsan = None            # (context, title, frames) of an open report
    kcsan_seen = set()
    try:
        with open(path, errors='replace') as f:
            lines = [ANSI_RE.sub('', l.rstrip('\r\n')) for l in f]
    except OSError:
        return [Row(arch, flavor, 'guest', 'console', 'FAIL', f'no console log {path}')]

    current = None          # (suite, test, [lines])
    context = 'boot'        # what ran when a kernel message was logged
    in_klog = False
    began = done = False
    may_wedge = False       # the running test was announced as able to stop the guest
    notes = 0               # @@@ NOTE lines so far: their rows' names
    splats = {}             # context -> kernel lines, deduplicated
    # A message can appear twice: in a KLOG dump and printed live on the
    # console, which may lag into the next context. The first copy names
    # the context; the second would blame whatever ran next.
    splat_seen = set()

    for line in lines:
        if line.startswith('@@@ '):
            words = line.split()
            tag = words[1]
            if tag == 'GUEST-BEGIN':
                began = True
            elif tag == 'GUEST-DONE':
                done = True
            elif tag == 'MAY-WEDGE':
                may_wedge = True
            elif tag == 'NOTE':
                # How the guest ran differs from the plain run (init says why).
                notes += 1
                rows.append(Row(arch, flavor, 'guest', f'note#{notes}', 'INFO',
                                ' '.join(words[2:])[:200]))
            elif tag == 'BEGIN' and len(words) >= 4:
                current = (words[2], words[3], [])
                context = f'{words[2]} {words[3]}'
            elif tag == 'END' and current and len(words) >= 5:
                rc = int(words[4].split('=', 1)[1])
                suite, test, out = current
                if suite == 'kunit':
                    # debugfs gives one KTAP document per suite; the
                    # parser reads one document at a time.
                    docs = []
                    for l in out:
                        if l.startswith('KTAP version') or not docs:
                            docs.append([])
                        docs[-1].append(l)
                    for doc in docs:
                        rows += kunit_rows(arch, flavor, doc, kunit_tool)
                elif suite == 'perf-test':
                    rows += perf_test_rows(arch, flavor, test, out, rc)
                elif suite == 'kmemleak':
                    rows += kmemleak_rows(arch, flavor, out, our_symbols)
                else:
                    rows.append(kselftest_row(arch, flavor, suite, test, out, rc))
                current = None
                may_wedge = False
            elif tag == 'KLOG':
                in_klog = True
                context = ' '.join(words[2:])
            elif tag == 'KLOG-END':
                in_klog = False
            continue
        if current is not None and not in_klog:
            current[2].append(line)
        # Kernel messages: in KLOG dumps, or printed live on the console.
        if not KMSG_RE.match(line):
            continue
        begin = KCSAN_BEGIN_RE.search(line)
        if begin:
            kcsan = (context, begin.group(1).strip(), [])
            continue
        if kcsan is not None:
            if KCSAN_END_RE.search(line):
                # The boot's reports are on the console and in the
                # first KLOG dump both: one row each.
                if kcsan[:2] not in kcsan_seen:
                    kcsan_seen.add(kcsan[:2])
                    rows.append(kcsan_row(arch, flavor, *kcsan, our_symbols))
                kcsan = None
            else:
                kcsan[2].extend(FRAME_RE.findall(line))
            continue
        if HEALTH_RE.search(line) and line.strip() not in splat_seen:
            splat_seen.add(line.strip())
            splats.setdefault(context, []).append(line.strip())

    if kcsan is not None:
        rows.append(kcsan_row(arch, flavor, *kcsan, our_symbols))
    rows += host_note_rows(arch, flavor, path + '.host')
    for ctx, found in splats.items():
        more = f' (+{len(found) - 1} more)' if len(found) > 1 else ''
        rows.append(Row(arch, flavor, 'kernel-health', ctx.replace(' ', ':'), 'FAIL',
                        found[0][:150] + more))
    if current is not None and may_wedge:
        # Announced (@@@ MAY-WEDGE) and killed by boot.sh: the test failed,
        # everything else ran. Its kernel messages were never collected, so
        # there is no whole-log row.
        rows.append(Row(arch, flavor, current[0], current[1], 'FAIL',
                        'the guest stopped during this test (announced as able to wedge it) '
                        'and was killed'))
    elif current is not None:
        rows.append(Row(arch, flavor, current[0], current[1], 'FAIL',
                        'guest stopped while this test ran'))
    elif not began:
        tail = ' | '.join(l for l in lines[-3:])
        rows.append(Row(arch, flavor, 'guest', 'init', 'FAIL', 'init never started: ' + tail[:160]))
    elif not done:
        rows.append(Row(arch, flavor, 'guest', 'completion', 'FAIL', 'guest did not finish'))
    # A clean log is one passing row; splats already failed their own rows.
    if done and not splats and not any(r.result == 'FAIL' and r.suite == 'kernel-health'
                                       for r in rows):
        rows.append(Row(arch, flavor, 'kernel-health', 'whole-log', 'PASS',
                        'no WARN/BUG/Oops/lockdep/hang'))
    return rows


def load_xfail(path):
    """Lines: FLAVOR ARCH SUITE TEST  # reason   (FLAVOR/ARCH may be '*').
    A reason starting 'flaky:' marks an intermittent upstream failure: its
    failure is an XFAIL, its pass a plain PASS (not XPASS)."""
    entries = []
    if not path or not os.path.exists(path):
        return entries
    with open(path) as f:
        for raw in f:
            body, _, reason = raw.partition('#')
            words = body.split()
            if not words:
                continue
            if len(words) != 4:
                sys.exit(f'{path}: malformed line: {raw.strip()}')
            entries.append((words, reason.strip()))
    return entries


# The CPU a plain architecture name is booted on, where the harness boots more.
DEFAULT_CPU = {'ppc64le': 'power10'}


def match_xfail(row, entries):
    # An entry for ppc64le covers every CPU the harness boots; one for
    # ppc64le/power8 or ppc64le/power10 only that boot ("ppc64le" rows
    # come from the default CPU, POWER10).
    base, _, cpu = row.arch.partition('/')
    row_archs = ('*', row.arch, base, base + '/' + (cpu or DEFAULT_CPU.get(base, '')))
    for (flavor, arch, suite, test), reason in entries:
        if flavor not in ('*', row.flavor) or arch not in row_archs:
            continue
        if suite == row.suite and test in ('*', row.test.replace(' ', '_'), row.test):
            return reason
    return None


GOOD = ('PASS', 'XPASS')


def compare(rows):
    """Join upstream's and our results per test; a test that passes upstream
    and not ours is a regression."""
    table = {}
    for r in rows:
        if r.flavor in ('upstream', 'ours'):
            table.setdefault(r.arch, {}).setdefault((r.suite, r.test), {})[r.flavor] = r.result
    regressions = improvements = 0
    for arch, tests in table.items():
        print(f'\n## {arch}: upstream vs ours')
        w_suite = max(len(s) for s, _ in tests)
        w_test = max(len(t) for _, t in tests)
        print(f"{'suite':<{w_suite}}  {'test':<{w_test}}  {'upstream':<8}  {'ours':<8}")
        for (suite, test), res in tests.items():
            up, ours = res.get('upstream', '-'), res.get('ours', '-')
            mark = ''
            if up in GOOD and ours not in GOOD:
                mark, regressions = 'REGRESSION', regressions + 1
            elif up == '-' and ours in ('FAIL', 'XPASS'):
                # A row only ours has (our own tests, a splat): failing
                # there is as bad as a regression.
                mark, regressions = 'FAIL (ours only)', regressions + 1
            elif up == '-':
                # Our own tests and checks: nothing to compare with.
                mark = 'ours only' if ours != '-' else ''
            elif ours in GOOD and up not in GOOD:
                mark, improvements = 'better', improvements + 1
            print(f'{suite:<{w_suite}}  {test:<{w_test}}  {up:<8}  {ours:<8}  {mark}')
    print(f'\n{improvements} better than upstream, {regressions} regressions')
    return 1 if regressions else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kunit-tool', required=True)
    ap.add_argument('--xfail')
    ap.add_argument('--host-results', action='append', default=[])
    ap.add_argument('--compare', action='store_true',
                    help='one table per arch, upstream and ours side by side')
    ap.add_argument('--our-symbols', action='append', default=[],
                    help='file of function names defined by our files (nm)')
    ap.add_argument('runs', nargs='*')
    args = ap.parse_args()

    rows = []
    for tsv in args.host_results:
        if os.path.exists(tsv):
            with open(tsv) as f:
                for line in f:
                    parts = line.rstrip('\n').split('\t')
                    if len(parts) >= 5:
                        rows.append(Row(*parts[:5], parts[5] if len(parts) > 5 else ''))
    our_symbols = set()
    for path in args.our_symbols:
        if os.path.exists(path):
            with open(path) as f:
                our_symbols.update(l.strip() for l in f if l.strip())
    for run in args.runs:
        arch, flavor, path = run.split(':', 2)
        rows += parse_console(arch, flavor, path, args.kunit_tool, our_symbols)

    xfail = load_xfail(args.xfail)
    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'XFAIL': 0, 'XPASS': 0, 'INFO': 0}
    groups = {}
    for row in rows:
        reason = match_xfail(row, xfail)
        if reason is not None:
            flaky = reason.startswith('flaky:')
            if row.result == 'FAIL':
                row.result, row.detail = 'XFAIL', reason + ' [' + row.detail + ']'
            elif row.result == 'PASS' and not flaky:
                row.result = 'XPASS'
                row.detail = 'listed as expected failure but passed: ' + reason
        counts[row.result] += 1
        groups.setdefault((row.arch, row.flavor), []).append(row)

    if args.compare:
        return compare(rows)

    for (arch, flavor), grp in groups.items():
        print(f'\n## {arch} ({flavor})')
        w_suite = max(len(r.suite) for r in grp)
        w_test = max(len(r.test) for r in grp)
        for r in grp:
            print(f'{r.suite:<{w_suite}}  {r.test:<{w_test}}  {r.result:<5}  {r.detail}')
    print()
    if counts['XFAIL']:
        print(f"{counts['XFAIL']} expected failures (listed in {os.path.relpath(args.xfail)})")
    if counts['INFO']:
        print(f"{counts['INFO']} INFO rows, not counted: KCSAN or kmemleak reports outside our code,"
              " guests the host woke from S3, notes on how a guest ran")
    if counts['XPASS']:
        print(f"{counts['XPASS']} expected failures now pass (counted as failed): update the list")
    failed = counts['FAIL'] + counts['XPASS']
    print(f"{counts['PASS']} passed, {failed} failed, {counts['SKIP']} skipped")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
