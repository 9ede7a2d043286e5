#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn vmem_bench.ko's output into make bench's results.

vmem_bench.ko prints one JSON object a line on the kernel log, prefixed
"vmem_bench: " (see bench/bench_json.c).  This script reads the serial
console logs of the instruction-count boot and of the wall-clock boot,
derives instructions per allocate+free pair, and writes into the output
directory:

    results.json   every record, with the derived figures
    table.md       the tables: contender by workload, each workload by N,
                   the targets of issue 10 met or not
    *.png          log-log plots of cost against N (with matplotlib)

Instructions per pair: with QEMU -icount shift=0 a guest nanosecond is a
guest instruction.  A row's loop of P pairs took ns; an empty row measured
the same way gives the loop's own cost, fixed_ns + P * pp, which is
subtracted: (ns - fixed_ns) / P - pp.  Rows timed one pair at a time (an
untimed step between pairs) subtract the empty row's per-pair cost timed
the same way.

Usage: bench-report.py [--icount LOG] [--wall LOG] [--host JSON]
                       [--out DIR] [--no-plots] [--readme README.md]

--readme rewrites the README's copy of the tables between its make bench
marks.
Runs on Debian 12's python3; matplotlib (python3-matplotlib) only for the
plots.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys

LINE = re.compile(r'vmem_bench: (\{.*\})\s*$')

# The vmem row a contender's figure is divided by (a "ratio to vmem"):
# vmem's default policy for the plain requests, the same policy for the
# worst cases, where the policy defines the answer.
VMEM_IF = 'vmem instant-fit'


def parse_log(path):
    """The JSON records of one console log, and the lines that failed."""
    records, bad = [], []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line.rstrip('\r\n'))
            if not m:
                continue
            try:
                rec = json.loads(m.group(1))
            except ValueError:
                bad.append(line.strip())
                continue
            if rec.get('truncated'):
                bad.append(line.strip())
            records.append(rec)
    return records, bad


class Results:
    def __init__(self):
        self.env = {}
        self.null = None
        self.rows = {}          # (row, req, layout, n) -> record
        self.random = {}
        self.mem = {}           # (ops, layout) -> record
        self.smp = {}           # (row, req) -> list of records
        self.warnings = []
        self.bad_lines = []
        self.done = {}

    def add_icount(self, records):
        for rec in records:
            t = rec.get('t')
            if t == 'env':
                self.env = rec
            elif t == 'null':
                self.null = rec
            elif t == 'row':
                rec['ipp'] = self.ipp(rec)
                key = (rec['row'], rec['req'], rec['layout'], rec['n'])
                self.rows[key] = rec
            elif t == 'random':
                if rec.get('status') == 'ok':
                    rec['ipp'] = (rec['ns'] - rec['null_ns']) / rec['steps']
                self.random[rec['row']] = rec
            elif t == 'mem':
                self.mem[(rec['ops'], rec['layout'])] = rec
            elif t == 'smp':
                self.smp.setdefault((rec['row'], rec['req']), []).append(rec)
            elif t == 'warning':
                self.warnings.append(rec)
            elif t == 'done':
                self.done['icount'] = rec

    def add_wall(self, records):
        for rec in records:
            t = rec.get('t')
            if t == 'env':
                self.env_wall = rec
            elif t == 'smp':
                self.smp.setdefault((rec['row'], rec['req']), []).append(rec)
            elif t == 'done':
                self.done['wall'] = rec

    def ipp(self, rec):
        if rec.get('status') != 'ok' or not self.null or not rec['pairs']:
            return None
        null = self.null
        if rec.get('between'):
            pp = null['between_ns'] / null['between_pairs']
            return rec['ns'] / rec['pairs'] - pp
        pp = (null['ns'] - null['fixed_ns']) / null['pairs']
        return (rec['ns'] - null['fixed_ns']) / rec['pairs'] - pp

    def ns_list(self):
        return sorted({k[3] for k in self.rows})

    def get(self, row, req, layout, n):
        return self.rows.get((row, req, layout, n))

    def val(self, row, req, layout, n):
        rec = self.get(row, req, layout, n)
        return rec.get('ipp') if rec else None

    def status(self, row, req, layout, n):
        rec = self.get(row, req, layout, n)
        return rec['status'] if rec else 'not run'


# ---- formatting ----

def fmt_count(v):
    if v is None:
        return '-'
    if v >= 1_000_000:
        return '%.2fM' % (v / 1e6)
    if v >= 100_000:
        return '%.0fk' % (v / 1e3)
    return '{:,}'.format(int(round(v)))


def fmt_ratio(v, ref):
    """' (r×)', the contender's count over vmem's; 1/x below 1/10."""
    if v is None or ref is None or ref <= 0 or v <= 0:
        return ''
    r = v / ref
    if r >= 100:
        return ' (%s×)' % '{:,}'.format(int(round(r)))
    if r < 0.1:
        return ' (1/%s×)' % '{:,}'.format(int(round(1 / r)))
    return ' (%.2f×)' % r


def fmt_n(n):
    if n == 0:
        return '0'
    e = int(round(math.log10(n)))
    return '10^%d' % e if 10 ** e == n and e > 1 else str(n)


def cell(res, key, ref_key=None):
    """ipp of @key, with the ratio to the vmem row @ref_key."""
    rec = res.get(*key)
    if not rec:
        return '-'
    if rec['status'] != 'ok':
        return rec['status']
    v = rec['ipp']
    ref = res.val(*ref_key) if ref_key else None
    return fmt_count(v) + (fmt_ratio(v, ref) if ref_key and
                           ref_key != key else '')


def md_table(header, rows):
    out = ['| ' + ' | '.join(header) + ' |',
           '|' + '|'.join('---' for _ in header) + '|']
    for r in rows:
        out.append('| ' + ' | '.join(str(c) for c in r) + ' |')
    return '\n'.join(out)


# ---- what the tables hold ----

# Workload 2, the sweep: (label, row, req, layout, the vmem row compared).
IF1 = (VMEM_IF, '1u', 'holes1')
IF2 = (VMEM_IF, '2u', 'holes1')
SWEEP_2U = [
    ('vmem instant-fit', VMEM_IF, '2u', 'holes1', None),
    ('vmem best-fit', 'vmem best-fit', '2u', 'holes1', IF2),
    ('vmem first-fit', 'vmem first-fit', '2u', 'holes1', IF2),
    ('gen_pool first-fit', 'gen_pool first-fit', '2u', 'holes1', IF2),
    ('gen_pool best-fit', 'gen_pool best-fit', '2u', 'holes1', IF2),
    ('iova alloc_iova (cached position)', 'iova alloc_iova', '2u', 'top1',
     IF2),
    ('iova alloc_iova (position reset)', 'iova alloc_iova, position reset',
     '2u', 'top1', IF2),
]
SWEEP_1U = [
    ('vmem instant-fit', VMEM_IF, '1u', 'holes1', None),
    ('vmem best-fit', 'vmem best-fit', '1u', 'holes1', IF1),
    ('vmem first-fit', 'vmem first-fit', '1u', 'holes1', IF1),
    ('vmem top-down', 'vmem top-down', '1u', 'top1', IF1),
    ('vmem instant-fit, indexed arena', VMEM_IF, '1u, indexed arena',
     'holes1', IF1),
    ('gen_pool first-fit', 'gen_pool first-fit', '1u', 'holes1', IF1),
    ('gen_pool best-fit', 'gen_pool best-fit', '1u', 'holes1', IF1),
    ('iova alloc_iova', 'iova alloc_iova', '1u', 'top1', IF1),
    ('kmem_cache_alloc 64 B', 'kmem_cache_alloc', '64 B', 'holes1',
     IF1),
]
# Workload 3: (label, row, req, layout, vmem row of the same policy)
WORST = [
    ('best fit, 3u past N 2u holes: vmem', 'vmem best-fit', '3u', 'holes2',
     None),
    ('... gen_pool best-fit', 'gen_pool best-fit', '3u', 'holes2',
     ('vmem best-fit', '3u', 'holes2')),
    ('first fit, 2u past N 1u holes: vmem', 'vmem first-fit', '2u',
     'holes1', None),
    ('... gen_pool first-fit', 'gen_pool first-fit', '2u', 'holes1',
     ('vmem first-fit', '2u', 'holes1')),
    ('top-down, 2u below N 1u holes: vmem', 'vmem top-down', '2u', 'top1',
     None),
    ('... iova alloc_iova, position reset', 'iova alloc_iova, position reset',
     '2u', 'top1', ('vmem top-down', '2u', 'top1')),
    ('next fit, the only 2u fit below N 1u holes: vmem', 'vmem next-fit',
     '2u', 'next', None),
    ('lowest free ID, IDs 0..N-1 live: vmem id_allocff', 'vmem id_allocff',
     '1 ID, lowest', 'packed', None),
    ('... IDA ida_alloc_range', 'IDA ida_alloc_range', '1 ID, lowest',
     'packed', ('vmem id_allocff', '1 ID, lowest', 'packed')),
]
CONSTRAINED = [
    ('vmem xalloc 16u align 64K', 'vmem xalloc', '16u align 64K', 'holes1',
     None),
    ('gen_pool first_fit_align 16u align 64K', 'gen_pool first_fit_align',
     '16u align 64K', 'holes1', ('vmem xalloc', '16u align 64K', 'holes1')),
    ('iova size-aligned 16u (cached position)',
     'iova alloc_iova size-aligned', '16u align 64K', 'top1',
     ('vmem xalloc', '16u align 64K', 'holes1')),
    ('iova size-aligned 16u (position reset)',
     'iova alloc_iova size-aligned, position reset', '16u align 64K', 'top1',
     ('vmem xalloc', '16u align 64K', 'holes1')),
    ('vmem xalloc 2u nocross 1M (no contender has nocross)', 'vmem xalloc',
     '2u nocross 1M', 'holes1', None),
]
IDS = [
    ('vmem id_alloc (next fit)', 'vmem id_alloc', '1 ID, next-fit', 'packed',
     ('IDA ida_alloc_range', '1 ID, lowest', 'packed')),
    ('vmem id_allocff (lowest free)', 'vmem id_allocff', '1 ID, lowest',
     'packed', ('IDA ida_alloc_range', '1 ID, lowest', 'packed')),
    ('vmem id_alloc, caching ID space (quantum cache)', 'vmem id_alloc',
     '1 ID, caching space', 'packed',
     ('IDA ida_alloc_range', '1 ID, lowest', 'packed')),
    ('IDA ida_alloc_range (lowest free)', 'IDA ida_alloc_range',
     '1 ID, lowest', 'packed', None),
]
FRESH = [
    ('vmem instant-fit', VMEM_IF, '1u', 'holes1'),
    ('vmem best-fit', 'vmem best-fit', '1u', 'holes1'),
    ('vmem first-fit', 'vmem first-fit', '1u', 'holes1'),
    ('vmem next-fit', 'vmem next-fit', '1u', 'holes1'),
    ('vmem top-down', 'vmem top-down', '1u', 'top1'),
    ('vmem xalloc 16u align 64K', 'vmem xalloc', '16u align 64K', 'holes1'),
    ('vmem qcache (quantum caches)', 'vmem qcache', '1u', 'holes1'),
    ('vmem id_alloc (next fit)', 'vmem id_alloc', '1 ID, next-fit',
     'packed'),
    ('vmem id_allocff (lowest free)', 'vmem id_allocff', '1 ID, lowest',
     'packed'),
    ('vmem id_alloc, caching ID space', 'vmem id_alloc',
     '1 ID, caching space', 'packed'),
    ('gen_pool first-fit', 'gen_pool first-fit', '1u', 'holes1'),
    ('gen_pool best-fit', 'gen_pool best-fit', '1u', 'holes1'),
    ('gen_pool first_fit_align 16u align 64K', 'gen_pool first_fit_align',
     '16u align 64K', 'holes1'),
    ('IDA ida_alloc_range', 'IDA ida_alloc_range', '1 ID, lowest', 'packed'),
    ('iova alloc_iova (rbtree)', 'iova alloc_iova', '1u', 'top1'),
    ('iova alloc_iova_fast (rcache)', 'iova alloc_iova_fast (rcache)', '1u',
     'holes1'),
    ('kmem_cache_alloc 64 B', 'kmem_cache_alloc', '64 B', 'holes1'),
]
RANDOM = [VMEM_IF, 'vmem best-fit', 'vmem first-fit', 'gen_pool first-fit',
          'gen_pool best-fit', 'iova alloc_iova']
MEM = [('vmem', 'vmem'), ('gen_pool', 'gen_pool'), ('iova', 'iova'),
       ('IDA', 'ida'), ('kmem_cache (64 B objects)', 'kmem_cache')]
SMP = [(VMEM_IF, '1u'), ('vmem qcache', '1u'), ('gen_pool first-fit', '1u'),
       ('IDA ida_alloc_range', '1 ID, lowest'),
       ('iova alloc_iova_fast (rcache)', '1u'), ('kmem_cache_alloc', '64 B')]


def n_ref(res):
    """The N of the summary's sweep column: 10^5, or the largest run."""
    ns = res.ns_list()
    return 100000 if 100000 in ns else (max(ns) if ns else 0)


def n_max(res):
    ns = res.ns_list()
    return max(ns) if ns else 0


# ---- workload 6 ----

def smp_summary(res):
    out = {}
    for (row, req), recs in res.smp.items():
        key = row + ' ' + req
        bad = [r for r in recs if r.get('status') != 'ok']
        if any(r.get('status') == 'n/a' for r in recs):
            out[key] = {'status': 'n/a',
                        'why': next(r.get('why', '') for r in recs
                                    if r.get('status') == 'n/a')}
            continue
        if bad:
            out[key] = {'status': 'error', 'records': bad}
            continue
        s = {'status': 'ok'}
        for c in sorted({r['cpus'] for r in recs}):
            rs = [r for r in recs if r['cpus'] == c]
            # pairs per second, all CPUs together; ns per pair per thread
            thr = [c * r['pairs'] / r['ns'] * 1e9 for r in rs]
            ns_pair = [r['ns'] / r['pairs'] for r in rs]
            s[str(c)] = {'rounds': len(rs),
                         'pairs_per_s': {'median': statistics.median(thr),
                                         'min': min(thr), 'max': max(thr)},
                         'ns_per_pair': {'median': statistics.median(ns_pair),
                                         'min': min(ns_pair),
                                         'max': max(ns_pair)}}
        cs = sorted(int(c) for c in s if c.isdigit())
        if len(cs) > 1:
            s['scaling'] = (s[str(cs[-1])]['pairs_per_s']['median'] /
                            s[str(cs[0])]['pairs_per_s']['median'])
            s['cpus'] = cs[-1]
        out[key] = s
    return out


# ---- the targets of issue 10 ----

def targets(res, smp):
    out = []

    def add(name, value, met, note=''):
        out.append({'target': name, 'measured': value, 'met': met,
                    'note': note})

    qc = res.get('vmem qcache', '1u', 'holes1', 0)
    if qc and qc['status'] == 'ok':
        add('cache-hit pair at most 150 instructions', fmt_count(qc['ipp']),
            qc['ipp'] <= 150)
    else:
        add('cache-hit pair at most 150 instructions',
            qc['status'] if qc else 'not run', False,
            'quantum caches are not in this vmem.ko yet')
    s = smp.get('vmem qcache 1u')
    if s and s.get('scaling') is not None:
        add('2 CPUs at least 1.9x one on the cached path',
            '%.2fx' % s['scaling'], s['scaling'] >= 1.9)
    else:
        add('2 CPUs at least 1.9x one on the cached path',
            s['status'] if s else 'not run', False,
            'quantum caches are not in this vmem.ko yet' if s else
            'run make bench with the wall-clock boot')

    ns = res.ns_list()
    seg = [(n, res.val(VMEM_IF, '1u', 'holes1', n)) for n in ns]
    seg = [(n, v) for n, v in seg if v is not None]
    if seg:
        worst = max(v for _, v in seg)
        flat = None
        if (res.val(VMEM_IF, '1u', 'holes1', 10) and
                res.val(VMEM_IF, '1u', 'holes1', 1000000)):
            flat = (res.val(VMEM_IF, '1u', 'holes1', 1000000) /
                    res.val(VMEM_IF, '1u', 'holes1', 10))
        add('segment path (instant fit, 1 unit) at most 450 at every N, '
            '10^6 over 10 at most 1.1',
            'at most %s; 10^6/10 = %s' % (fmt_count(worst),
                                          '%.2f' % flat if flat else 'n/a'),
            worst <= 450 and flat is not None and flat <= 1.1,
            '' if flat is not None else 'N = 10^6 not run')

    nm = n_max(res)
    for label, row, req, layout, _ in WORST:
        if label.startswith('...'):
            continue
        v = res.val(row, req, layout, nm)
        add('worst case at most 2,000 at 10^6: ' + label.split(':')[0],
            '%s at N=%s' % (fmt_count(v), fmt_n(nm)) if v is not None
            else res.status(row, req, layout, nm),
            v is not None and v <= 2000 and nm >= 1000000,
            '' if nm >= 1000000 else 'N = 10^6 not run')

    g = res.val('gen_pool first-fit', '2u', 'holes1', 100000)
    v = res.val(VMEM_IF, '2u', 'holes1', 100000)
    if g and v:
        add('at 10^5 holes, 1,000x fewer instructions than gen_pool '
            '(2 units)', '%s vs %s: %.0fx' % (fmt_count(v), fmt_count(g),
                                             g / v), g / v >= 1000)
    else:
        add('at 10^5 holes, 1,000x fewer instructions than gen_pool '
            '(2 units)', 'not run', False, 'N = 10^5 not run')

    for label, row, req, bound in (
            ('IDs: next fit at most IDA / 1.3 at every N', 'vmem id_alloc',
             '1 ID, next-fit', 1 / 1.3),
            ('IDs: lowest free at most the IDA at every N',
             'vmem id_allocff', '1 ID, lowest', 1.0)):
        worst = None
        for n in ns:
            a = res.val(row, req, 'packed', n)
            b = res.val('IDA ida_alloc_range', '1 ID, lowest', 'packed', n)
            if a is None or b is None:
                continue
            r = a / b
            if worst is None or r > worst[0]:
                worst = (r, n, a, b)
        if worst:
            add(label, 'worst at N=%s: %s vs IDA %s (%.2fx IDA)' %
                (fmt_n(worst[1]), fmt_count(worst[2]), fmt_count(worst[3]),
                 worst[0]), worst[0] <= bound)

    m = res.mem.get(('vmem', 'packed'))
    if m and 'bytes' in m and m['live']:
        per = m['bytes'] / m['live']
        h = res.mem.get(('vmem', 'holes1'))
        hper = h['bytes'] / h['live'] if h and h.get('live') else None
        add('memory per live allocation at most 64 bytes (segment path)',
            '%.1f B packed, %s B with a hole beside each (N=%s)' %
            (per, '%.1f' % hper if hper else '-', fmt_n(m['live'])),
            per <= 64, 'the packed layout; with holes a free segment '
            'costs a boundary tag too')
    return out


# ---- markdown ----

def summary_table(res, smp):
    """Contender by workload: instructions per pair (ratio to vmem)."""
    nr, nm = n_ref(res), n_max(res)
    wr = res.random

    def rnd(row, ref=VMEM_IF):
        r = wr.get(row)
        if not r or r.get('status') != 'ok':
            return '-' if not r else r.get('status', 'error')
        v = r['ipp']
        ref_r = wr.get(ref)
        rv = ref_r.get('ipp') if ref_r and ref != row else None
        return fmt_count(v) + (fmt_ratio(v, rv) if rv else '')

    def mem(ops):
        m = res.mem.get((ops, 'packed'))
        if not m or 'bytes' not in m or not m['live']:
            return '-'
        return '%.0f B' % (m['bytes'] / m['live'])

    def scal(key):
        s = smp.get(key)
        if not s:
            return '-'
        if s['status'] != 'ok':
            return s['status']
        return '%.2f×' % s['scaling'] if 'scaling' in s else '1 CPU only'

    def k(row, req, layout, n):
        return (row, req, layout, n)

    ifr0 = k(VMEM_IF, '1u', 'holes1', 0)
    ifr2 = k(VMEM_IF, '2u', 'holes1', nr)
    xa = k('vmem xalloc', '16u align 64K', 'holes1', nm)
    idff = k('vmem id_allocff', '1 ID, lowest', 'packed', nm)
    rows = [
        ['vmem instant-fit (segment path)', cell(res, ifr0),
         cell(res, ifr2),
         '-', cell(res, xa), '-', scal(VMEM_IF + ' 1u'), rnd(VMEM_IF),
         mem('vmem')],
        ['vmem best-fit', cell(res, k('vmem best-fit', '1u', 'holes1', 0),
                               ifr0),
         cell(res, k('vmem best-fit', '2u', 'holes1', nr), ifr2),
         cell(res, k('vmem best-fit', '3u', 'holes2', nm)), '-', '-', '-',
         rnd('vmem best-fit'), '-'],
        ['vmem first-fit', cell(res, k('vmem first-fit', '1u', 'holes1', 0),
                                ifr0),
         cell(res, k('vmem first-fit', '2u', 'holes1', nr), ifr2),
         cell(res, k('vmem first-fit', '2u', 'holes1', nm)), '-', '-', '-',
         rnd('vmem first-fit'), '-'],
        ['vmem top-down', cell(res, k('vmem top-down', '1u', 'top1', 0),
                               ifr0), '-',
         cell(res, k('vmem top-down', '2u', 'top1', nm)), '-', '-', '-', '-',
         '-'],
        ['vmem next-fit', cell(res, k('vmem next-fit', '1u', 'holes1', 0),
                               ifr0), '-',
         cell(res, k('vmem next-fit', '2u', 'next', nm)), '-',
         cell(res, k('vmem id_alloc', '1 ID, next-fit', 'packed', nm)), '-',
         '-', '-'],
        ['vmem id_allocff (lowest free ID)',
         cell(res, k('vmem id_allocff', '1 ID, lowest', 'packed', 0), ifr0),
         '-', cell(res, idff), '-', cell(res, idff), '-', '-', '-'],
        ['vmem quantum caches', cell(res, k('vmem qcache', '1u', 'holes1', 0),
                                     ifr0),
         '-', '-', '-', '-', scal('vmem qcache 1u'), '-', '-'],
        ['gen_pool first-fit',
         cell(res, k('gen_pool first-fit', '1u', 'holes1', 0), ifr0),
         cell(res, k('gen_pool first-fit', '2u', 'holes1', nr), ifr2),
         cell(res, k('gen_pool first-fit', '2u', 'holes1', nm),
              k('vmem first-fit', '2u', 'holes1', nm)), '-', '-',
         scal('gen_pool first-fit 1u'), rnd('gen_pool first-fit'),
         mem('gen_pool')],
        ['gen_pool best-fit',
         cell(res, k('gen_pool best-fit', '1u', 'holes1', 0), ifr0),
         cell(res, k('gen_pool best-fit', '2u', 'holes1', nr), ifr2),
         cell(res, k('gen_pool best-fit', '3u', 'holes2', nm),
              k('vmem best-fit', '3u', 'holes2', nm)), '-', '-', '-',
         rnd('gen_pool best-fit'), '-'],
        ['gen_pool_first_fit_align', '-', '-', '-',
         cell(res, k('gen_pool first_fit_align', '16u align 64K', 'holes1',
                     nm), xa), '-', '-', '-', '-'],
        ['IDA (ida_alloc_range/ida_free)',
         cell(res, k('IDA ida_alloc_range', '1 ID, lowest', 'packed', 0),
              ifr0), '-',
         cell(res, k('IDA ida_alloc_range', '1 ID, lowest', 'packed', nm),
              idff), '-',
         cell(res, k('IDA ida_alloc_range', '1 ID, lowest', 'packed', nm),
              idff),
         scal('IDA ida_alloc_range 1 ID, lowest'), '-', mem('ida')],
        ['iova alloc_iova/__free_iova (rbtree)',
         cell(res, k('iova alloc_iova', '1u', 'top1', 0), ifr0),
         cell(res, k('iova alloc_iova', '2u', 'top1', nr), ifr2),
         cell(res, k('iova alloc_iova, position reset', '2u', 'top1', nm),
              k('vmem top-down', '2u', 'top1', nm)),
         cell(res, k('iova alloc_iova size-aligned, position reset',
                     '16u align 64K', 'top1', nm), xa), '-', '-',
         rnd('iova alloc_iova'), mem('iova')],
        ['iova alloc_iova_fast (rcache)',
         cell(res, k('iova alloc_iova_fast (rcache)', '1u', 'holes1', 0),
              ifr0), '-', '-', '-', '-',
         scal('iova alloc_iova_fast (rcache) 1u'), '-', '-'],
        ['kmem_cache_alloc/free 64 B (the floor)',
         cell(res, k('kmem_cache_alloc', '64 B', 'holes1', 0), ifr0), '-',
         '-', '-', '-', scal('kmem_cache_alloc 64 B'), '-', mem('kmem_cache')],
    ]
    header = ['contender', '1: 1 unit, fresh arena',
              '2: 2 units past %s holes' % fmt_n(nr),
              '3: worst case at N=%s' % fmt_n(nm),
              '4: 64 KiB-aligned 16 units, N=%s' % fmt_n(nm),
              '5: one ID, %s live' % fmt_n(nm),
              '6: 2 CPUs over 1 (throughput)',
              '7: random sizes, per step', '8: bytes per live allocation']
    return md_table(header, rows)


def by_n_table(res, spec):
    """One line per row of @spec, one column per N; ratio to the vmem row
    named in the spec (row, req, layout) at the same N."""
    ns = res.ns_list()
    rows = []
    for label, row, req, layout, ref in spec:
        cells = [label]
        for n in ns:
            cells.append(cell(res, (row, req, layout, n),
                              ref + (n,) if ref else None))
        rows.append(cells)
    return md_table(['N ='] + [fmt_n(n) for n in ns], rows)


def markdown(res, smp, tg, meta):
    out = []
    env = res.env
    out.append('# make bench results\n')
    out.append('Kernel: Debian %s (non-debug distro kernel); QEMU %s, TCG, '
               '`-icount shift=0` (one guest instruction = one ns of guest '
               'time), %s guest CPU, %s; host: %s, %s cores; %s.\n' %
               (env.get('release', '?'), meta.get('qemu', '?'),
                env.get('cpus', '?'), meta.get('icount_mem', '?'),
                meta.get('host_cpu', '?'), meta.get('host_cores', '?'),
                meta.get('date', '?')))
    out.append('Figures are guest instructions per allocate+free pair '
               '(exact counts; boots agree within a few instructions), '
               'the harness loop '
               'subtracted; in parentheses, the ratio to vmem: to vmem\'s '
               'default policy (instant fit) for a plain request, to vmem '
               'with the same policy for a worst case.  "n/a": the feature '
               'is not in this vmem.ko; "-": not applicable.  One unit = one '
               '4 KiB page (one ID for identifiers).  Rerun: `make bench` '
               '(`BENCH_QUICK=1` for N up to 10^4).\n')
    out.append('## Contender by workload\n')
    out.append(summary_table(res, smp) + '\n')
    out.append('## Targets (issue 10)\n')
    out.append(md_table(['target', 'measured', 'met', 'note'],
                        [[t['target'], t['measured'],
                          'yes' if t['met'] else '**no**', t['note']]
                         for t in tg]) + '\n')
    out.append('## 1. One small size, fresh arena (N = 0)\n')
    out.append('A fresh arena of 2^22 pages (a power of two), one '
               'allocation and its free, cache hot.\n')
    rows = []
    ref = res.val(VMEM_IF, '1u', 'holes1', 0)
    for label, row, req, layout in FRESH:
        rec = res.get(row, req, layout, 0)
        if not rec:
            rows.append([label, 'not run', ''])
        elif rec['status'] != 'ok':
            rows.append([label, rec['status'], rec.get('probe', '')])
        else:
            rows.append([label, fmt_count(rec['ipp']),
                         '%.2f' % (rec['ipp'] / ref) if ref else ''])
    out.append(md_table(['contender', 'instructions per pair',
                         'ratio to vmem instant-fit'], rows) + '\n')
    out.append('## 2. Fragmentation sweep\n')
    out.append('N one-page holes, each beside a live page, under a free tail '
               '(for iova, the mirror image at the top under a live '
               'sentinel page).  A 2-page request fits no hole.  iova keeps '
               'the position where its last search ended; "position reset" '
               'frees and retakes the sentinel (untimed) before each pair, so '
               'that each allocation searches from the top.\n')
    out.append('### 2 pages past N one-page holes\n')
    out.append(by_n_table(res, SWEEP_2U) + '\n')
    out.append('### 1 page (fits the first hole)\n')
    out.append(by_n_table(res, SWEEP_1U) + '\n')
    out.append('## 3. Worst cases\n')
    out.append(by_n_table(res, WORST) + '\n')
    out.append('## 4. Constrained\n')
    out.append('16 pages at 64 KiB alignment past N one-page holes; iova\'s '
               'size-aligned allocation gives the same alignment.  2 pages '
               'that may not cross a 1 MiB boundary.\n')
    out.append(by_n_table(res, CONSTRAINED) + '\n')
    out.append('## 5. Identifiers\n')
    out.append('IDs 0 .. N-1 live in [0, 2^31); ratio to the IDA.\n')
    out.append(by_n_table(res, IDS) + '\n')
    out.append('## 6. Every CPU at once (wall clock)\n')
    host = meta.get('wall_host', {})
    out.append('A kthread bound to each CPU, all on one shared arena; rounds '
               'on 1 and on 2 CPUs alternate; median over rounds [min, max]. '
               'Wall-clock TCG time: only the ratios mean anything.  Host '
               'load during this boot: %s.\n' % host_load_text(host))
    rows = []
    for row, req in SMP:
        s = smp.get(row + ' ' + req)
        if not s:
            rows.append([row, 'not run', '', '', ''])
            continue
        if s['status'] != 'ok':
            rows.append([row, s['status'], '', '', s.get('why', '')])
            continue
        one = s.get('1', {})
        many = s.get(str(s.get('cpus', 0)), {})

        def rng(d):
            if not d:
                return '-'
            x = d['ns_per_pair']
            return '%.0f [%.0f, %.0f]' % (x['median'], x['min'], x['max'])
        rows.append([row + ' ' + req, rng(one), rng(many),
                     '%.2f×' % s['scaling'] if 'scaling' in s else '-', ''])
    out.append(md_table(['contender', 'ns per pair, 1 CPU',
                         'ns per pair per CPU, 2 CPUs',
                         'throughput 2 CPUs / 1', 'note'], rows) + '\n')
    out.append('## 7. Random sizes, random frees, half full\n')
    rows = []
    ref = res.random.get(VMEM_IF, {}).get('ipp')
    for row in RANDOM:
        r = res.random.get(row)
        if not r:
            rows.append([row, 'not run', '', '', ''])
        elif r.get('status') != 'ok':
            rows.append([row, r.get('status'), '', '', ''])
        else:
            rows.append([row, fmt_count(r['ipp']),
                         '%.2f' % (r['ipp'] / ref) if ref else '',
                         r['fails'], r['slots']])
    out.append('An arena of 2^18 pages filled to half with 1 to 16 pages '
               '(uniform); each step frees a random allocation and '
               'allocates a random size, the same sequence for everyone.\n')
    out.append(md_table(['contender', 'instructions per step',
                         'ratio to vmem instant-fit', 'failed allocations',
                         'live allocations'], rows) + '\n')
    out.append('## 8. Memory per live allocation\n')
    out.append('Pages the kernel had free before the arena was created, '
               'minus after N one-page allocations were built in it: '
               'packed (N live pages together) and with a one-page hole '
               'beside each (built by allocating 2N and freeing every '
               'other one, so tables sized for 2N stay).  Measured first '
               'in the boot, so that no slab cache holds free objects '
               'from earlier rows.  The empty arena\'s own size beside '
               'it.\n')
    rows = []
    for label, ops in MEM:
        p, h = res.mem.get((ops, 'packed')), res.mem.get((ops, 'holes1'))

        def per(m):
            if not m or 'bytes' not in m or not m.get('live'):
                return '-' if not m else 'error'
            return '%.1f' % (m['bytes'] / m['live'])
        rows.append([label, per(p), per(h),
                     '{:,}'.format(p['empty_bytes']) if p and
                     'empty_bytes' in p else '-',
                     fmt_n(p['live']) if p and 'live' in p else '-'])
    out.append(md_table(['contender', 'bytes per live allocation, packed',
                         'with holes', 'empty arena, bytes', 'N'], rows) +
               '\n')
    if res.warnings or res.bad_lines:
        out.append('## Warnings\n')
        for w in res.warnings:
            out.append('- %s\n' % json.dumps(w))
        for b in res.bad_lines:
            out.append('- unparsed: `%s`\n' % b[:200])
    return '\n'.join(out)


def host_load_text(host):
    if not host:
        return 'not measured'
    return ('%s cores; other processes kept %.2f cores busy on average '
            '(load average %s at the start, %s at the end)' %
            (host.get('cores', '?'), host.get('others_busy_cores', 0.0),
             host.get('loadavg_start', '?'), host.get('loadavg_end', '?')))


# ---- plots ----

def plots(res, outdir):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('bench-report.py: no matplotlib (python3-matplotlib); '
              'no plots', file=sys.stderr)
        return []
    made = []
    floor = res.val('kmem_cache_alloc', '64 B', 'holes1', 0)

    def one(fname, title, spec):
        fig, ax = plt.subplots(figsize=(8, 5.5))
        for item in spec:
            label, row, req, layout = item[:4]
            pts = [(max(n, 1), res.val(row, req, layout, n))
                   for n in res.ns_list()]
            pts = [(x, y) for x, y in pts if y is not None and y > 0]
            if not pts:
                continue
            style = '-' if row.startswith('vmem') else '--'
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style,
                    marker='o', markersize=3,
                    label=label.replace('... ', ''))
        if floor:
            ax.axhline(floor, color='grey', linewidth=0.8, linestyle=':',
                       label='kmem_cache_alloc+free (the floor)')
        ax.set_xscale('log')
        ax.set_yscale('log')
        ticks = [max(n, 1) for n in res.ns_list()]
        ax.set_xticks(ticks)
        ax.set_xticklabels([fmt_n(n).replace('10^', '1e')
                            for n in res.ns_list()])
        ax.minorticks_off()
        ax.set_xlabel('N (holes, or live IDs); N = 0 is a fresh arena')
        ax.set_ylabel('guest instructions per allocate+free pair')
        ax.set_title(title, fontsize=10)
        ax.grid(True, which='major', linewidth=0.4)
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = os.path.join(outdir, fname)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(fname)

    env = res.env.get('release', '')
    one('sweep-2u.png', 'Fragmentation sweep: 2 pages past N one-page holes\n'
        'Debian %s, QEMU TCG -icount shift=0' % env, SWEEP_2U)
    one('sweep-1u.png', 'Fragmentation sweep: 1 page, N one-page holes\n'
        'Debian %s, QEMU TCG -icount shift=0' % env, SWEEP_1U)
    one('worst.png', 'Worst cases (workload 3)\nDebian %s, QEMU TCG '
        '-icount shift=0' % env, WORST)
    one('ids.png', 'Identifiers: IDs 0..N-1 live\nDebian %s, QEMU TCG '
        '-icount shift=0' % env, IDS)
    return made


README_BEGIN = '<!-- make bench writes from here to its end mark -->'
README_END = '<!-- end of what make bench writes -->'


def readme_block(readme, outdir, res, smp, tg, meta, made):
    """The README's copy of the summary, the targets and the plot."""
    env = res.env
    host = meta.get('wall_host') or {}
    rel = os.path.relpath(outdir, os.path.dirname(os.path.abspath(readme)))
    text = ('Measured by `make bench` (tree %s): Debian %s under QEMU %s, '
            'TCG with `-icount shift=0`, one guest CPU, %s; host %s, %s '
            'cores.' % (meta.get('tree', '?'), env.get('release', '?'),
                        meta.get('qemu', '?'), meta.get('icount_mem', '?'),
                        meta.get('host_cpu', '?'),
                        meta.get('host_cores', '?')))
    if host:
        text += (' Workload 6 (wall clock, two guest CPUs) ran while other '
                 'processes kept %.2f of the %s host cores busy (load '
                 'average %s).' % (host.get('others_busy_cores', 0.0),
                                   host.get('cores', '?'),
                                   host.get('loadavg_start', '?')))
    if meta.get('elapsed_s'):
        text += ' The run took %s s.' % meta['elapsed_s']
    parts = [README_BEGIN, '', text, '', summary_table(res, smp), '',
             'Targets (issue 10):', '',
             md_table(['target', 'measured', 'met', 'note'],
                      [[t['target'], t['measured'],
                        'yes' if t['met'] else '**no**', t['note']]
                       for t in tg]), '']
    if 'sweep-2u.png' in made:
        parts += ['![2 pages past N one-page holes: instructions per pair '
                  'against N](%s)' % os.path.join(rel, 'sweep-2u.png'), '']
    parts.append(README_END)
    return '\n'.join(parts)


def readme_update(readme, outdir, res, smp, tg, meta, made):
    with open(readme) as f:
        doc = f.read()
    a, b = doc.find(README_BEGIN), doc.find(README_END)
    if a < 0 or b < a:
        print('bench-report.py: no make bench marks in %s; not updated' %
              readme, file=sys.stderr)
        return
    block = readme_block(readme, outdir, res, smp, tg, meta, made)
    with open(readme, 'w') as f:
        f.write(doc[:a] + block + doc[b + len(README_END):])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--icount', help='console log of the icount boot')
    ap.add_argument('--wall', help='console log of the wall-clock boot')
    ap.add_argument('--host', help='JSON with host facts (scripts/bench.sh)')
    ap.add_argument('--out', required=True, help='output directory')
    ap.add_argument('--no-plots', action='store_true')
    ap.add_argument('--readme', help='rewrite the make bench block of this '
                    'README (between README_BEGIN and README_END)')
    args = ap.parse_args(argv[1:])

    res = Results()
    if args.icount:
        recs, bad = parse_log(args.icount)
        res.add_icount(recs)
        res.bad_lines += bad
    if args.wall:
        recs, bad = parse_log(args.wall)
        res.add_wall(recs)
        res.bad_lines += bad
    meta = {}
    if args.host:
        with open(args.host) as f:
            meta = json.load(f)
    if args.icount and not res.env:
        print('bench-report.py: no vmem_bench output in %s' % args.icount,
              file=sys.stderr)
        return 1
    smp = smp_summary(res)
    tg = targets(res, smp)
    os.makedirs(args.out, exist_ok=True)
    made = [] if args.no_plots else plots(res, args.out)
    doc = markdown(res, smp, tg, meta)
    if made:
        doc += '\n## Plots\n\n' + '\n'.join(
            '![%s](%s)' % (m, m) for m in made) + '\n'
    with open(os.path.join(args.out, 'table.md'), 'w') as f:
        f.write(doc)
    if args.readme:
        readme_update(args.readme, args.out, res, smp, tg, meta, made)
    data = {
        'meta': meta, 'env': res.env, 'null': res.null,
        'rows': [dict(r, ipp=r.get('ipp')) for r in res.rows.values()],
        'random': list(res.random.values()),
        'mem': list(res.mem.values()), 'smp': smp,
        'smp_rounds': [r for v in res.smp.values() for r in v],
        'targets': tg, 'warnings': res.warnings,
        'unparsed': res.bad_lines, 'done': res.done,
    }
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    errors = [r for r in res.rows.values()
              if r['status'] not in ('ok', 'n/a')]
    errors += [r for r in res.random.values() if r.get('status') != 'ok']
    errors += [m for m in res.mem.values() if 'error' in m]
    for e in errors:
        print('bench-report.py: row failed: %s %s N=%s: %s %s %s' %
              (e.get('row', e.get('ops')), e.get('req', ''), e.get('n'),
               e.get('status', 'error'), e.get('check', ''),
               e.get('probe', '')), file=sys.stderr)
    for b in res.bad_lines:
        print('bench-report.py: unparsed line: %s' % b[:200],
              file=sys.stderr)
    return 1 if errors or res.bad_lines or res.warnings else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
