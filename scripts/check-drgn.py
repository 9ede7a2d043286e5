#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check scripts/vmem-drgn.py's view of a crash dump against debugfs.

    check-drgn.py GUEST.log DRGN-OUTPUT

GUEST.log is the dump VM's guest log, with the debugfs files of vmem that
the guest copied out just before the host dumped it (the arenas were
quiet in between, and their caches' depots idle); DRGN-OUTPUT is what "vmem-drgn.py all" printed from
the dump.  Every arena's row, every counter of its stats and every span
and segment must be what debugfs said.  Prints a line per check and
"TIER drgn: N passed, N failed" (the tier's other checks are
scripts/check-drgn.sh's).
"""

import importlib.util
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'check_vmemstat', os.path.join(HERE, 'check-vmemstat.py'))
cv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cv)


def sections(text):
    """{("arenas", None) or (command, address): [lines]}"""
    out = {}
    cur = None
    for ln in text.splitlines():
        m = re.match(r'^== (\w+)(?: (0x[0-9a-f]+))?$', ln)
        if m:
            cur = (m.group(1), m.group(2))
            out[cur] = []
        elif cur:
            out[cur].append(ln)
    return out


def main(argv):
    c = cv.Checks()
    log, drgn_out = argv
    with open(drgn_out) as f:
        secs = sections(f.read())
    with tempfile.TemporaryDirectory() as tmp:
        paths = cv.split_files(log, tmp)
        root = os.path.join(tmp, 'vmem')
        c.check('vmem/arenas' in paths, 'debugfs files in the guest log',
                f'{len(paths)} files')
        stats = cv.read_stats(root)
        dirs = {}
        for d in os.listdir(root):
            p = os.path.join(root, d, 'stats')
            if os.path.isfile(p):
                with open(p) as f:
                    dirs[f.readline().rstrip('\n').partition(': ')[2]] = d
        # drgn's stats sections, by arena name
        dstats = {}
        for (cmd, addr), lines in secs.items():
            if cmd != 'stats':
                continue
            kv = dict(ln.split(': ', 1) for ln in lines if ': ' in ln)
            dstats[kv['name']] = (addr, kv)
        c.check(sorted(dstats) == sorted(stats) and len(stats) >= 2,
                'drgn finds the arenas debugfs lists',
                f'{sorted(dstats)} vs {sorted(stats)}')

        # arenas: ::vmem's columns, and the tree
        rows = {}
        for ln in secs.get(('arenas', None), [])[1:]:
            f = ln.split()
            name_col = ln[19:].rstrip()
            rows[f[1]] = (len(name_col) - len(name_col.lstrip(' ')), f)
        for a, st in stats.items():
            if a not in rows:
                c.check(False, f'drgn arenas shows {a}')
                continue
            depth, f = rows[a]
            want = [st['mem_inuse'], st['mem_total'], st['mem_import'],
                    st['alloc'], st['fail']]
            bad = [] if f[2:7] == want else [f'{f[2:7]} != {want}']
            if st['source'] != '-':
                if st['source'] not in rows or \
                        depth != rows[st['source']][0] + 2:
                    bad.append(f'not indented under {st["source"]}')
            c.check(not bad, f'drgn arenas row of {a}', '; '.join(bad))

        for a, st in stats.items():
            if a not in dstats:
                continue
            addr, kv = dstats[a]
            common = [k for k in st if k in kv]
            bad = [f'{k}: drgn {kv[k]}, debugfs {st[k]}' for k in common
                   if kv[k] != st[k]]
            c.check(len(common) >= 25 and not bad,
                    f'drgn stats of {a}: {len(common)} keys as debugfs',
                    '; '.join(bad[:5]))
            with open(os.path.join(root, dirs[a], 'segments')) as f:
                want = [ln.split() for ln in f.read().splitlines()[1:]]
            got = [ln.split()[1:] for ln in secs.get(('segs', addr), [])[1:]]
            diff = [(i, g, w) for i, (g, w) in
                    enumerate(zip(got + [None] * len(want),
                                  want + [None] * len(got))) if g != w]
            c.check(not diff and len(want) > 1,
                    f'drgn segs of {a}: {len(got)} spans and segments as '
                    'debugfs', f'first difference: {diff[:1]}')
            # the quantum caches: the rows of debugfs's qcache table
            with open(os.path.join(root, dirs[a], 'qcache')) as f:
                want = [ln.split() for ln in f.read().splitlines()
                        if not ln.startswith(('#', 'vmem '))]
            lines = secs.get(('qcache', addr), [])
            got = [ln.split() for ln in lines if ln.startswith('  ')]
            ncpu = sum(1 for ln in lines if ' cpu ' in ln)
            c.check(got == want and ncpu >= len(want),
                    f'drgn qcache of {a}: {len(got)} caches as debugfs, '
                    f'{ncpu} CPU magazine pairs',
                    f'drgn {got[:2]}, debugfs {want[:2]}')
    print(f'TIER drgn: {c.passed} passed, {c.failed} failed')
    return 1 if c.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
