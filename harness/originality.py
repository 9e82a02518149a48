#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Originality check: compare every file we own with upstream's.

Files we own are the overlay files of harness/tree.sh (its OVERLAY_DIRS list,
read from that script): git-tracked or untracked-but-not-ignored files under
the kernel's top-level directories. Each one is compared with

  - its counterpart: upstream's file at the same path, if there is one
    (a similarity ratio, the longest shared run, every shared run);
  - the other reference files: upstream's counterparts of all the other files
    we own, plus the hw_breakpoint family below (FAMILY), to catch code that
    moved between files (say, upstream's arch/x86/kernel/hw_breakpoint.c
    showing up in our kernel/events/hw_breakpoint.c).

Lines are normalised (leading and trailing white space stripped, runs of
white space collapsed) and blank lines dropped. Lines that any independent
implementation of the same interface would write the same way are
boilerplate (see the notes on boilerplate below); they take part in neither
the "code" similarity nor the runs. A run is a stretch of consecutive code lines that
stands in both files in the same order (boilerplate lines between them are
skipped on both sides).

A file FAILs if it shares a run of --max-run (6) or more code lines with any
reference file, or if its code similarity with its counterpart is above
--max-similarity (30%). Runs of --min-run (4) or more are listed.

usage: originality.py [--table] [--tsv FILE] [--file LOCAL[=KPATH]]...
                      [--ref GLOB]... [--self-test]
Exits 1 if any file fails.
"""

import argparse
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile

HARNESS = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get('HWBP_TOP', os.path.dirname(HARNESS))
BUILD = os.environ.get('BUILD', os.path.join(TOP, 'build'))
PRISTINE = os.environ.get('HWBP_PRISTINE', os.path.join(BUILD, 'linux-pristine'))

# Upstream files always compared against, whether we own them or not: the
# hw_breakpoint layer of every architecture, its users' tests, and the x86
# debug register definitions, and the tracers ours are modelled on. Globs
# relative to the pristine tree.
FAMILY = [
    'include/linux/hw_breakpoint.h',
    'include/uapi/linux/hw_breakpoint.h',
    'kernel/events/hw_breakpoint*.c',
    'arch/*/kernel/hw_breakpoint*.c',
    'arch/*/include/asm/hw_breakpoint.h',
    'arch/x86/include/asm/debugreg.h',
    'arch/x86/include/uapi/asm/debugreg.h',
    'samples/hw_breakpoint/*.c',
    'tools/testing/selftests/breakpoints/*.c',
    # The ksym tracer and w: events (mainline has neither) against their
    # nearest upstream models: the probe events, a tracer with its own
    # entry type and stat file, and their ftracetest cases.
    'kernel/trace/trace_*probe*.c',
    'kernel/trace/trace_probe*.h',
    'kernel/trace/trace_branch.c',
    'kernel/trace/trace_stat.c',
    'kernel/trace/trace_mmiotrace.c',
    'tools/testing/selftests/ftrace/test.d/dynevent/*.tc',
    'tools/testing/selftests/ftrace/test.d/kprobe/*.tc',
]

# --- boilerplate -----------------------------------------------------------
#
# Decided, not exhaustive; each kind is either forced by the interface or the
# hardware, or carries no expression of its own:
#   - SPDX line, #include lines
#   - lines of punctuation only: {  }  };  },  );  and the like
#   - bare control words: return 0; return; break; continue; default:
#     else, } else {, else {, do {, } while (0);
#   - preprocessor structure: #else, #endif (with or without a comment),
#     #ifdef/#ifndef/#if defined/#if IS_ENABLED of a CONFIG_ symbol,
#     include guards (#ifndef/#define of a bare NAME_H)
#   - comment punctuation without words: /*  */  *  /**  //
#   - EXPORT_SYMBOL*/EXPORT_PER_CPU_SYMBOL* lines: a shared one names an
#     upstream symbol, and the exported names are ABI (modules link to them)
#   - forward declarations: struct foo;  union foo;  enum foo;
#   - #define NAME <numeric constant>: register encodings and bit positions
#     are facts of the architecture (the value is the hardware's) and their
#     names are used by upstream files we do not own (kgdb, ptrace, KVM), so
#     they must be spelled the same. Only the bare constant is exempt: a
#     macro with arguments, or one whose value is code, counts, and so does
#     every comment around the constants.
#   - declarations at file scope: a statement that starts in column 0,
#     holds a "(" or starts with "extern", has no "{" or "=", and ends in
#     ";" on its line or on indented continuation lines: function
#     prototypes, extern variables, DEFINE_PER_CPU(...);. The interface
#     fixes their names and types, and kernel style their wrapping (aligned
#     to the open parenthesis), so two independent headers of one API
#     declare it line for line alike.
#   - the same for "static inline" stubs whose body is empty or returns a
#     constant, on their last line: "{ }", "{ return -ENOSYS; }", "{ return
#     NULL; }". They are the !CONFIG_ form of an API function: the interface
#     fixes the signature and "disabled" fixes the body.
# Not boilerplate, on purpose: comments with words, function definitions
# (their signature lines included), static inline functions with a body of
# their own (one statement or more on lines of their own), struct and enum
# bodies, multi-line macros, local variable declarations.

_NUM = r'(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*'
_CONST = (r'\(?\s*(?:' + _NUM + r'|BIT(?:_ULL)?\(\s*\d+\s*\)|GENMASK(?:_ULL)?\(\s*\d+\s*,\s*\d+\s*\))'
          r'(?:\s*(?:<<|>>|\||\+|-|\*)\s*\(?\s*(?:' + _NUM + r')\s*\)?)*\s*\)?')
_COMMENT_TAIL = r'(?:\s*(?:/\*.*\*/|//.*))?'
BOILERPLATE_RES = [re.compile(p) for p in (
    r'.*SPDX-License-Identifier:.*',
    r'#\s*include\s*[<"].*',
    r'[{}()\[\];,]+',
    r'(?:return(?: 0)?|break|continue);',
    r'default:',
    r'(?:\} )?else(?: \{)?',
    r'do \{',
    r'\} while \(0\);?',
    r'#\s*(?:else|endif)\b.*',
    r'#\s*(?:ifdef|ifndef)\s+CONFIG_\w+' + _COMMENT_TAIL,
    r'#\s*if\s+(?:defined\s*\(?\s*CONFIG_\w+\s*\)?|IS_ENABLED\(CONFIG_\w+\))' + _COMMENT_TAIL,
    r'#\s*(?:ifndef|define)\s+_*\w+_H_*',
    r'(?:/\*+|\*+/|\*|//)',
    r'EXPORT_(?:PER_CPU_)?SYMBOL(?:_GPL)?\(\s*\w+\s*\);',
    r'(?:struct|union|enum)\s+\w+;',
    r'#\s*define\s+\w+\s+' + _CONST + _COMMENT_TAIL,
)]
DECL_START_RE = re.compile(r'[A-Za-z_][^{}=;]*(?:;|\{\s*(?:return\s+[-\w]+;\s*)?\})?')
STUB_END_RE = re.compile(r'.*\)\s*\{\s*(?:return\s+[-\w]+;\s*)?\}')
KEYWORD_START = ('return', 'if', 'else', 'while', 'for', 'switch', 'case', 'goto', 'do',
                 'typedef')


def normalise(line):
    return ' '.join(line.split())


def is_boilerplate(norm):
    return any(r.fullmatch(norm) for r in BOILERPLATE_RES)


def declaration_lines(raw):
    """Indexes of the lines of file-scope declarations (see above)."""
    found = set()
    i = 0
    while i < len(raw):
        line = raw[i].rstrip()
        if not DECL_START_RE.fullmatch(line) or line.split('(')[0].split()[0] in KEYWORD_START \
                or line.endswith(':'):
            i += 1
            continue
        # Gather continuation lines (indented, no braces but a stub's last
        # one) up to the ';' or the stub's '}'.
        j = i
        stmt = line
        while not stmt.endswith((';', '}')) and j + 1 < len(raw):
            nxt = raw[j + 1].rstrip()
            # The return type may stand on a line of its own.
            if (not nxt[:1].isspace() and '(' in stmt) or not nxt.strip() \
                    or '=' in nxt or '#' in nxt or nxt.lstrip().startswith(('/*', '*', '//')) \
                    or (('{' in nxt or '}' in nxt) and not STUB_END_RE.fullmatch(nxt.strip())):
                break
            j += 1
            stmt += ' ' + nxt.strip()
        if stmt.endswith('}'):
            decl = stmt.startswith('static inline ') and STUB_END_RE.fullmatch(stmt)
        else:
            decl = stmt.endswith(';') and ('(' in stmt or stmt.startswith('extern '))
        if decl:
            found.update(range(i, j + 1))
        i = j + 1
    return found


class Text:
    """A file as normalised lines: all non-blank ones, and the code ones."""

    def __init__(self, path, label):
        self.path, self.label = path, label
        with open(path, errors='replace') as f:
            raw = f.read().split('\n')
        if raw and raw[-1] == '':
            raw.pop()
        self.nlines = len(raw)
        self.all = []           # (lineno, norm)
        self.code = []          # (lineno, norm), boilerplate dropped
        decls = declaration_lines(raw)
        for no, line in enumerate(raw, 1):
            norm = normalise(line)
            if not norm:
                continue
            self.all.append((no, norm))
            if not is_boilerplate(norm) and no - 1 not in decls:
                self.code.append((no, norm))
        self.code_lines = [n for _, n in self.code]
        self._index = {}

    def index(self, k):
        """k-gram of code lines -> start positions."""
        if k not in self._index:
            idx = {}
            c = self.code_lines
            for j in range(len(c) - k + 1):
                idx.setdefault(tuple(c[j:j + k]), []).append(j)
            self._index[k] = idx
        return self._index[k]


def shared_runs(ours, ref, k):
    """Every maximal run of >= k consecutive code lines that both share:
    (our start index, ref start index, length) in code-line positions."""
    a, b = ours.code_lines, ref.code_lines
    idx = ref.index(k)
    runs = []
    for i in range(len(a) - k + 1):
        for j in idx.get(tuple(a[i:i + k]), ()):
            if i > 0 and j > 0 and a[i - 1] == b[j - 1]:
                continue            # inside a longer run found already
            n = k
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            runs.append((i, j, n))
    return runs


def ratio(a, b):
    if not a and not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def longest_block(a, b):
    if not a or not b:
        return 0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
        0, len(a), 0, len(b)).size


class Result:
    def __init__(self, kpath, ours):
        self.kpath, self.ours = kpath, ours
        self.counterpart = None
        self.sim_code = self.sim_all = 0.0
        self.run_all = 0
        self.runs = []          # (length, ref Text, our start, ref start)
        self.longest = 0        # longest code run vs counterpart
        self.cross = (0, None)  # longest code run vs another file
        self.failures = []

    @property
    def verdict(self):
        if self.failures:
            return 'FAIL'
        return 'new' if self.counterpart is None else 'ok'


def text_or_none(path, label):
    try:
        with open(path, 'rb') as f:
            if b'\0' in f.read(8192):
                return None         # binary: nothing to compare
    except OSError:
        return None
    return Text(path, label)


def check(kpath, local, refs, args):
    ours = text_or_none(local, kpath)
    r = Result(kpath, ours)
    if ours is None:
        return r
    up_path = os.path.join(args.pristine, kpath)
    if os.path.isfile(up_path):
        r.counterpart = refs.get(kpath) or text_or_none(up_path, kpath)
    if r.counterpart is not None:
        up = r.counterpart
        r.sim_code = ratio(up.code_lines, ours.code_lines)
        r.sim_all = ratio([n for _, n in up.all], [n for _, n in ours.all])
        r.run_all = longest_block([n for _, n in up.all], [n for _, n in ours.all])
    others = [t for p, t in refs.items() if p != kpath and t is not None]
    for ref in ([r.counterpart] if r.counterpart else []) + others:
        for i, j, n in shared_runs(ours, ref, args.min_run):
            r.runs.append((n, ref, i, j))
            if ref is r.counterpart:
                r.longest = max(r.longest, n)
            elif n > r.cross[0]:
                r.cross = (n, ref.label)
    r.runs.sort(key=lambda x: (-x[0], x[2]))
    if r.sim_code * 100 > args.max_similarity:
        r.failures.append(f'similarity {r.sim_code:.0%} with upstream > {args.max_similarity}%')
    long_runs = [x for x in r.runs if x[0] >= args.max_run]
    if long_runs:
        n, ref, _, _ = long_runs[0]
        r.failures.append(f'{len(long_runs)} shared run(s) of >= {args.max_run} code lines, '
                          f'longest {n} with upstream {ref.label}')
    return r


def overlay_dirs():
    """OVERLAY_DIRS from harness/tree.sh: the one list of what the overlay is."""
    with open(os.path.join(HARNESS, 'tree.sh')) as f:
        m = re.search(r'^OVERLAY_DIRS=\(([^)]*)\)', f.read(), re.M)
    if not m:
        sys.exit('originality.py: no OVERLAY_DIRS=(...) in harness/tree.sh')
    return m.group(1).split()


def owned_files(top):
    """The files tree.sh overlays: as its overlay_files()."""
    present = [d for d in overlay_dirs() if os.path.exists(os.path.join(top, d))]
    if not present:
        return []
    out = subprocess.run(['git', '-C', top, 'ls-files', '--cached', '--others',
                          '--exclude-standard', '--'] + present,
                         capture_output=True, text=True, check=True).stdout
    return sorted(f for f in set(out.splitlines()) if os.path.isfile(os.path.join(top, f)))


def reference_set(pristine, kpaths, extra):
    paths = set()
    for pat in FAMILY + extra:
        for p in glob.glob(os.path.join(pristine, pat)):
            if os.path.isfile(p):
                paths.add(os.path.relpath(p, pristine))
    for k in kpaths:
        if k and os.path.isfile(os.path.join(pristine, k)):
            paths.add(k)
    return {p: text_or_none(os.path.join(pristine, p), p) for p in sorted(paths)}


def print_table(results, args, out):
    head = ('file', 'upstream', 'ours', 'similar', 'longest run', 'vs other files', 'verdict')
    rows = []
    for r in results:
        up = r.counterpart
        if r.ours is None:
            rows.append((r.kpath, '-', '-', '-', '-', '-', 'binary, not compared'))
            continue
        sim = f'{r.sim_code:.0%} ({r.sim_all:.0%})' if up else '-'
        run = f'{r.longest} ({r.run_all})' if up else '-'
        cross = f'{r.cross[0]} {r.cross[1]}' if r.cross[1] else 'none'
        rows.append((r.kpath, str(up.nlines) if up else 'new', str(r.ours.nlines),
                     sim, run, cross, r.verdict))
    widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    fmt = lambda row: '  '.join(c.ljust(w) if i in (0, 5, 6) else c.rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths))).rstrip()
    print(fmt(head), file=out)
    for row in rows:
        print(fmt(row), file=out)
    print('similar: code lines (all non-blank lines). longest run: with the same-path upstream '
          'file, code lines (all non-blank lines).\nvs other files: the longest run of >= '
          f'{args.min_run} code lines with another upstream file.', file=out)


def print_runs(results, args, out):
    for r in results:
        if r.ours is None:
            continue
        if r.failures:
            print(f'\n{r.kpath}: FAIL: ' + '; '.join(r.failures), file=out)
        if not r.runs:
            continue
        print(f'\n## {r.kpath}: {len(r.runs)} shared run(s) of >= {args.min_run} code lines',
              file=out)
        for n, ref, i, j in r.runs[:args.show]:
            a0, a1 = r.ours.code[i][0], r.ours.code[i + n - 1][0]
            b0, b1 = ref.code[j][0], ref.code[j + n - 1][0]
            mark = '  <-- too long' if n >= args.max_run else ''
            print(f'- {n} lines: ours {a0}-{a1} = upstream {ref.label}:{b0}-{b1}{mark}', file=out)
            shown = min(n, 12)
            for _, line in r.ours.code[i:i + shown]:
                print(f'    | {line}', file=out)
            if n > shown:
                print(f'    | ... (+{n - shown} more code lines)', file=out)
        if len(r.runs) > args.show:
            print(f'  (+{len(r.runs) - args.show} more runs; --show N lists more)', file=out)


def tsv_rows(results, path, total, min_run, see=None):
    with open(path, 'a') as f:
        def row(test, res, detail=''):
            f.write(f'host\thost\tharness:originality\t{test}\t{res}\t{detail}\n')
        if total == 0:
            row('owned-files', 'SKIP', 'the overlay owns no files yet')
        for r in results:
            if r.ours is None:
                row(r.kpath, 'SKIP', 'binary file, not compared')
                continue
            detail = (f'{r.sim_code:.0%} similar, longest shared run {r.longest}'
                      if r.counterpart else 'new file')
            detail += (f'; {r.cross[0]} lines shared with {r.cross[1]}' if r.cross[1]
                       else f'; no run of {min_run}+ with other upstream files')
            if r.failures:
                row(r.kpath, 'FAIL', '; '.join(r.failures) + (f' (runs: {see})' if see else ''))
            else:
                row(r.kpath, 'PASS', detail)


def run(args, out=sys.stdout):
    if not os.path.isdir(args.pristine):
        print(f'originality.py: no pristine tree at {args.pristine} (run harness/tree.sh)',
              file=sys.stderr)
        if args.tsv:
            with open(args.tsv, 'a') as f:
                f.write(f'host\thost\tharness:originality\tpristine-tree\tFAIL\t'
                        f'no pristine tree at {args.pristine}\n')
        return 1, []
    if args.file:
        files = []
        for spec in args.file:
            local, _, kpath = spec.partition('=')
            if not os.path.isfile(local):
                sys.exit(f'originality.py: no file {local}')
            # No KPATH: a new file, under a name upstream cannot have.
            files.append((kpath or 'new:' + os.path.basename(local), local))
    else:
        files = [(f, os.path.join(args.top, f)) for f in owned_files(args.top)]
    # The counterparts of everything we own are references for every file.
    owned = [k for k, _ in files] + (owned_files(args.top) if args.file else [])
    refs = reference_set(args.pristine, owned, args.ref)
    results = [check(k, local, refs, args) for k, local in files]
    if not args.quiet:
        print(f'originality: {len(results)} file(s) we own, {len(refs)} upstream reference '
              f'files; fail at a shared run of >= {args.max_run} code lines or > '
              f'{args.max_similarity}% similarity', file=out)
        if results:
            print_table(results, args, out)
        if not args.table:
            print_runs(results, args, out)
    if args.tsv:
        tsv_rows(results, args.tsv, len(results), args.min_run, args.see)
    failed = [r for r in results if r.failures]
    if not args.quiet:
        print(f'\n{len(failed)} of {len(results)} file(s) failed the originality check', file=out)
    return (1 if failed else 0), results


def self_test(args):
    """Prove the check catches copying: disguised copies of upstream files
    must fail, an unrelated file and a file of boilerplate only must pass."""
    ok = True
    tsv = args.tsv
    x86 = os.path.join(args.pristine, 'arch/x86/kernel/hw_breakpoint.c')
    if not os.path.isfile(x86):
        print(f'self-test needs {x86}', file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        with open(x86) as f:
            src = f.read().split('\n')
        # A copy with its indentation and spacing changed.
        disguised = os.path.join(tmp, 'disguised.c')
        with open(disguised, 'w') as f:
            f.write('\n'.join('  ' + re.sub(r'\s+', '   ', l.strip()) for l in src))
        # Seven code lines of it, moved into another file among new code.
        decls = declaration_lines(src)
        lines = [l for n, l in enumerate(src) if l.strip() and n not in decls
                 and not is_boilerplate(normalise(l))]
        moved = os.path.join(tmp, 'moved.c')
        with open(moved, 'w') as f:
            f.write('int ours_a(void)\n{\n\treturn 1;\n}\n\n' + '\n'.join(lines[40:47]) +
                    '\n\nint ours_b(void)\n{\n\treturn 2;\n}\n')
        # Boilerplate only.
        thin = os.path.join(tmp, 'thin.c')
        with open(thin, 'w') as f:
            f.write('// SPDX-License-Identifier: GPL-2.0\n#include <linux/perf_event.h>\n'
                    '#include <linux/hw_breakpoint.h>\n{\n}\nreturn 0;\nbreak;\n#endif\n'
                    'EXPORT_SYMBOL_GPL(register_user_hw_breakpoint);\n'
                    '#define X86_BREAKPOINT_LEN_1\t\t0x40\n'
                    'int arch_install_hw_breakpoint(struct perf_event *bp);\n')
        cases = [
            ('copy-same-path', disguised + '=arch/x86/kernel/hw_breakpoint.c', True),
            ('copy-moved-file', moved + '=kernel/events/hw_breakpoint.c', True),
            ('own-code', os.path.join(HARNESS, 'guest', 'hwbp-demo.c') +
             '=kernel/events/hw_breakpoint.c', False),
            ('boilerplate-only', thin + '=kernel/events/hw_breakpoint.c', False),
        ]
        for name, spec, should_fail in cases:
            sub = argparse.Namespace(**vars(args))
            sub.file, sub.tsv, sub.quiet = [spec], None, True
            rc, results = run(sub)
            good = bool(rc) == should_fail
            ok &= good
            detail = '; '.join(r.failures[0] for r in results if r.failures) or 'no finding'
            print(f'self-test {name}: {"PASS" if good else "FAIL"} '
                  f'(expected {"a failure" if should_fail else "no failure"}: {detail})')
            if tsv:
                with open(tsv, 'a') as f:
                    f.write(f'host\thost\tharness:originality\tself-test-{name}\t'
                            f'{"PASS" if good else "FAIL"}\t{detail[:120]}\n')
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--table', action='store_true', help='print the table only, not the runs')
    ap.add_argument('--quiet', action='store_true', help='print nothing (with --tsv)')
    ap.add_argument('--tsv', help='append host result rows to this file')
    ap.add_argument('--see', metavar='PATH', help='name PATH (the full output) in FAIL rows')
    ap.add_argument('--file', action='append', default=[], metavar='LOCAL[=KPATH]',
                    help='check LOCAL as if we owned it at kernel path KPATH, instead of '
                         'the overlay files (no KPATH: a new file)')
    ap.add_argument('--ref', action='append', default=[], metavar='GLOB',
                    help='more upstream files to compare against (glob in the pristine tree)')
    ap.add_argument('--top', default=TOP)
    ap.add_argument('--pristine', default=PRISTINE)
    ap.add_argument('--max-run', type=int, default=6)
    ap.add_argument('--max-similarity', type=float, default=30)
    ap.add_argument('--min-run', type=int, default=4)
    ap.add_argument('--show', type=int, default=20, help='runs listed per file')
    ap.add_argument('--self-test', action='store_true',
                    help='check that disguised copies of upstream code are caught')
    args = ap.parse_args()
    if args.self_test:
        return self_test(args)
    return run(args)[0]


if __name__ == '__main__':
    sys.exit(main())
