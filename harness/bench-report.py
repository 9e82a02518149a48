#!/usr/bin/env python3
"""Tables and charts for make bench (harness/bench.sh).

usage: bench-report.py --out DIR [--lockstat] ARCH:FLAVOR:CONSOLE-LOG...

With --lockstat the logs are those of the lockstat kernels (one per
vCPU count) and the output is DIR/lockstat.md plus a chart per arch of the
time waited on each layer's accounting locks; see lockstat_report().

Otherwise it reads the guests' console logs, writes DIR/results.md (per arch: each
case's upstream and ours figures in guest instructions and ours/upstream,
then the targets of issue 12, met or not) and DIR/<arch>-<case>.png for
the scaling cases, and prints the Markdown. Exit status 1 if a case is
missing on one kernel (a guest failed), else 0: targets missed are
reported, not errors.
"""
import argparse
import os
import re
import sys
from collections import defaultdict

# Cases whose cost must stay flat as CPUs or tasks grow: name pattern, what
# varies, the chart's title.
SCALING = [
    (r'^thread_-b_4_-p_16_-t_32_cpus(\d+)$', 'vCPUs online',
     'perf bench breakpoint thread -b 4 -p 16 -t 32'),
    (r'^enable_-p_0_-a_4_cpus(\d+)$', 'vCPUs online',
     'perf bench breakpoint enable -p 0 -a 4'),
    (r'^create-close-(\d+)-tasks$', 'tasks holding a breakpoint',
     'create and close a task breakpoint'),
]


def parse(path):
    """Case -> guest instructions per operation."""
    found, case = {}, None
    for line in open(path, errors='replace'):
        line = line.rstrip()
        m = re.match(r'@@@ BEGIN bench (\S+)', line)
        if m:
            case = m.group(1)
            continue
        m = re.match(r'BENCH (\S+) ([0-9.-]+) (\S+)$', line)
        if m and m.group(3) != 'hits':
            found[m.group(1)] = float(m.group(2))
            continue
        # perf bench: microseconds, a thousand instructions each
        m = re.match(r'\s*([0-9.]+) usecs/op$', line)
        if m and case:
            found[case] = float(m.group(1)) * 1000
    return found


def ratio(o, u):
    return o / u if u else float('inf')


def targets(arch, up, ours):
    """Lines saying which of issue 12's targets this arch meets."""
    lines = []
    common = sorted(set(up) & set(ours))
    worse = [c for c in common if ratio(ours[c], up[c]) > 1.0]
    lines.append(f'- every case <= 1.00: {"met" if not worse else "NOT met: " + ", ".join(worse)}')
    if arch == 'x86_64':
        hits = [c for c in common if c.startswith('hit-')]
        bad = [f'{c} {ratio(ours[c], up[c]):.2f}' for c in hits
               if ratio(ours[c], up[c]) > 0.85]
        lines.append(f'- hit path <= 0.85: {"met" if not bad else "NOT met: " + ", ".join(bad)}')
    over = [c for c in common if c.startswith('ctxsw-') and c.endswith('-overhead')]
    bad = [f'{c} {ratio(ours[c], up[c]):.2f}' for c in over
           if ratio(ours[c], up[c]) > 0.50]
    lines.append(f'- context-switch overhead <= 0.50: {"met" if not bad else "NOT met: " + ", ".join(bad)}')
    for pattern, _, title in SCALING:
        pts = scaling_points(pattern, ours)
        ups = scaling_points(pattern, up)
        if not pts:
            continue
        lo = min(v for _, v in pts)
        spread = max(v for _, v in pts) / lo if lo else float('inf')
        above = [f'{x}' for x, v in pts if x in dict(ups) and v > dict(ups)[x]]
        verdict = 'met' if spread <= 1.10 and not above else 'NOT met'
        detail = f'max/min {spread:.2f}'
        if above:
            detail += f'; above upstream at {", ".join(above)}'
        lines.append(f'- flat within 10% and <= upstream, {title}: {verdict} ({detail})')
    return lines


def scaling_points(pattern, figures):
    pts = []
    for case, v in figures.items():
        m = re.match(pattern, case)
        if m:
            pts.append((int(m.group(1)), v))
    return sorted(pts)


def chart(out, arch, pattern, xlabel, title, up, ours):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for label, figures in (('upstream', up), ('ours', ours)):
        pts = scaling_points(pattern, figures)
        if pts:
            ax.plot([x for x, _ in pts], [v for _, v in pts], marker='o',
                    label=label)
    ax.set_xscale('log', base=2 if 'CPU' in xlabel else 10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel('guest instructions per operation')
    ax.set_ylim(bottom=0)
    ax.set_title(f'{arch}: {title}', fontsize=9)
    ax.legend()
    ax.grid(True, alpha=0.3)
    name = re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')
    path = os.path.join(out, f'{arch}-{name}.png')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.path.basename(path)


# The lock classes of each layer's slot accounting, by lockdep name.
ACCOUNTING_LOCKS = {
    'ours': r'sh->lock|all_shards_lock|bp_slots_lock',
    'upstream': r'bp_cpuinfo_sem|perf_event_mutex|rhashtable_bucket',
}


def parse_lockstat(path):
    """(vCPUs, perf bench usecs/op, {class: (contentions, wait us, acquisitions)})."""
    cpus, usecs, classes = None, None, {}
    for line in open(path, errors='replace'):
        line = line.rstrip()
        m = re.match(r'@@@ BEGIN bench lockstat_cpus(\d+)', line)
        if m:
            cpus = int(m.group(1))
        m = re.match(r'\s*([0-9.]+) usecs/op$', line)
        if m:
            usecs = float(m.group(1))
        m = re.match(r'LOCKSTAT (\S+) (\d+) ([0-9.]+) (\d+)$', line)
        if m:
            classes[m.group(1)] = (int(m.group(2)), float(m.group(3)),
                                   int(m.group(4)))
    return cpus, usecs, classes


def lockstat_chart(out, arch, rows):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for flavor in ('upstream', 'ours'):
        pts = sorted((c, row[2]) for (f, c), row in rows.items()
                     if f == flavor)
        if pts:
            ax.plot([c for c, _ in pts], [w for _, w in pts], marker='o',
                    label=flavor)
    ax.set_xscale('log', base=2)
    ax.set_xlabel('vCPUs (one perf bench creator each)')
    ax.set_ylabel('time waited on accounting locks (us)')
    ax.set_ylim(bottom=0)
    ax.set_title(f'{arch}: perf bench breakpoint thread -b 4 -t 64, lock_stat',
                 fontsize=9)
    ax.legend()
    ax.grid(True, alpha=0.3)
    path = os.path.join(out, f'{arch}-lockstat-accounting-wait.png')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.path.basename(path)


def lockstat_report(opts):
    """
    Per arch, vCPU count and flavor: perf bench's usecs/op on the lockstat
    kernel (lock statistics slow every lock, so only the relation between
    the flavors means anything), the contentions and time waited on the
    layer's own accounting locks, and the most contended class overall.
    """
    by_arch = defaultdict(dict)
    for run in opts.runs:
        arch, flavor, path = run.split(':', 2)
        if not os.path.exists(path):
            continue
        cpus, usecs, classes = parse_lockstat(path)
        if cpus is None or usecs is None:
            continue
        mine = {k: v for k, v in classes.items()
                if re.search(ACCOUNTING_LOCKS[flavor], k)}
        cont = sum(v[0] for v in mine.values())
        wait = sum(v[1] for v in mine.values())
        top = max(classes.items(), key=lambda kv: kv[1][0], default=None)
        detail = ', '.join(f'{k} {v[0]}/{v[1]:.0f}' for k, v in sorted(mine.items()))
        by_arch[arch][(flavor, cpus)] = (usecs, cont, wait,
                                         detail or 'none taken',
                                         f'{top[0]} ({top[1][0]})' if top else '-')
    md = ['perf bench breakpoint thread -b 4 -t 64 -p <vCPUs> -r <vCPUs> on '
          'the "lockstat" kernels (CONFIG_LOCK_STAT), `-icount shift=0`. '
          'Accounting locks: contentions / time waited (us) per lock class '
          'of that layer\'s slot accounting.']
    missing = not by_arch
    for arch, rows in by_arch.items():
        md += ['', f'### {arch}', '',
               '| vCPUs | flavor | usecs/op | contentions | waited (us) | '
               'accounting lock classes | most contended class |',
               '| ---: | --- | ---: | ---: | ---: | --- | --- |']
        for (flavor, cpus) in sorted(rows, key=lambda k: (k[1], k[0] != 'upstream')):
            u, c, w, d, t = rows[(flavor, cpus)]
            md.append(f'| {cpus} | {flavor} | {u:.1f} | {c} | {w:.0f} | {d} | {t} |')
        md += ['', f'Chart: `build/bench/{lockstat_chart(opts.out, arch, rows)}`']
    text = '\n'.join(md) + '\n'
    with open(os.path.join(opts.out, 'lockstat.md'), 'w') as f:
        f.write(text)
    print(text)
    return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--lockstat', action='store_true')
    ap.add_argument('runs', nargs='+')
    opts = ap.parse_args()
    if opts.lockstat:
        return lockstat_report(opts)

    data = defaultdict(dict)
    for run in opts.runs:
        arch, flavor, path = run.split(':', 2)
        data[arch][flavor] = parse(path) if os.path.exists(path) else {}

    md, missing = [], False
    md.append('Guest instructions per operation (`-icount shift=0`), '
              '"bench" kernels (no lockdep), 16 vCPUs unless the case '
              'names fewer. Lower is better; ratio = ours/upstream.')
    for arch, flavors in data.items():
        up, ours = flavors.get('upstream', {}), flavors.get('ours', {})
        md += ['', f'### {arch}', '',
               '| case | upstream | ours | ours/upstream |',
               '| --- | ---: | ---: | ---: |']
        for case in sorted(set(up) | set(ours)):
            u, o = up.get(case), ours.get(case)
            if u is None or o is None:
                missing = True
                md.append(f'| {case} | {u} | {o} | MISSING |')
            else:
                md.append(f'| {case} | {u:.0f} | {o:.0f} | {ratio(o, u):.2f} |')
        if not up or not ours:
            missing = True
            md.append(f'| (no results: see the console logs) | | | |')
            continue
        md += ['', 'Targets:', ''] + targets(arch, up, ours)
        charts = [chart(opts.out, arch, p, x, t, up, ours)
                  for p, x, t in SCALING if scaling_points(p, ours)]
        md += ['', 'Charts: ' + ', '.join(f'`build/bench/{c}`' for c in charts)]

    text = '\n'.join(md) + '\n'
    with open(os.path.join(opts.out, 'results.md'), 'w') as f:
        f.write(text)
    print(text)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
