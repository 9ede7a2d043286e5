#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Test scripts/vmemstat on debugfs files copied out of the test VMs.

    check-vmemstat.py GUEST.log...

scripts/guest-init.sh prints every file of /sys/kernel/debug/vmem to its
serial port, between "VMEM-FILE-BEGIN PATH" and "VMEM-FILE-END", while
the samples' arenas are loaded.  For each guest log this splits them back
into a tree, runs vmemstat on it (--root) one-shot, with --json, --sort,
--watch and an arena's name, and checks every number it shows against the
arenas' stats files, which vmemstat's table does not read.  Prints one
line per check and "TIER vmemstat: N passed, N failed".
"""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VMEMSTAT = os.path.join(HERE, 'vmemstat')

# vmemstat's column, and the stats key that says the same
COLUMN_KEYS = [('quantum', 'quantum'), ('inuse', 'mem_inuse'),
               ('total', 'mem_total'), ('imported', 'mem_import'),
               ('alloc', 'alloc'), ('free', 'free'), ('wait', 'wait'),
               ('fail', 'fail'), ('live', 'live'),
               ('freesegs', 'free_segments')]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=''):
        if ok:
            self.passed += 1
            print(f'  ok      {what}')
        else:
            self.failed += 1
            print(f'  FAILED  {what}' + (f'\n          {detail}'
                                         if detail else ''))
        return ok


def split_files(log, dest):
    """Write the files of LOG's VMEM-FILE blocks under DEST; their paths."""
    paths = []
    out = None
    with open(log, errors='backslashreplace') as f:
        for ln in f:
            ln = ln.rstrip('\r\n').replace('\r', '')
            m = re.match(r'^VMEM-FILE-BEGIN (\S+)$', ln)
            if m:
                path = os.path.normpath(m.group(1))
                if path.startswith('..') or os.path.isabs(path):
                    raise ValueError(f'{log}: bad path {path}')
                full = os.path.join(dest, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                out = open(full, 'w')
                paths.append(path)
            elif ln == 'VMEM-FILE-END' and out:
                out.close()
                out = None
            elif out:
                out.write(ln + '\n')
    if out:
        out.close()
    return paths


def read_stats(root):
    """{arena name: {key: value}} from each directory's stats file."""
    arenas = {}
    for d in sorted(os.listdir(root)):
        p = os.path.join(root, d, 'stats')
        if not os.path.isfile(p):
            continue
        st = {}
        with open(p) as f:
            for ln in f:
                k, _, v = ln.rstrip('\n').partition(': ')
                st[k] = v
        arenas[st['name']] = st
    return arenas


def run(*args):
    return subprocess.run([sys.executable, VMEMSTAT, *args],
                          capture_output=True, text=True, timeout=60)


def check_tree(c, name, root):
    stats = read_stats(root)
    c.check(len(stats) >= 2, f'{name}: stats of the samples\' arenas copied',
            f'{len(stats)} arenas')

    # --json: every column of every arena, as its stats say
    r = run('--root', root, '--json')
    if not c.check(r.returncode == 0, f'{name}: vmemstat --json',
                   r.stderr.strip()):
        return
    doc = json.loads(r.stdout)
    rows = {a['name']: a for a in doc['arenas']}
    c.check(sorted(rows) == sorted(stats),
            f'{name}: --json lists exactly the arenas',
            f'{sorted(rows)} vs {sorted(stats)}')
    for a, st in stats.items():
        row = rows.get(a)
        if row is None:
            continue
        bad = [f'{col}={row[col]} but {key}: {st[key]}'
               for col, key in COLUMN_KEYS if str(row[col]) != st[key]]
        src = None if st['source'] == '-' else st['source']
        if row['source'] != src:
            bad.append(f'source {row["source"]} but {st["source"]}')
        if row['stats'] is None or row['stats'].get('alloc') != int(
                st['alloc']):
            bad.append('its stats object is missing or wrong')
        c.check(not bad, f'{name}: --json {a} agrees with its stats',
                '; '.join(bad))

    # one-shot: the table's numbers, and the tree's indentation
    r = run('--root', root)
    if not c.check(r.returncode == 0, f'{name}: vmemstat', r.stderr.strip()):
        return
    lines = r.stdout.splitlines()
    c.check(lines[1].split()[:3] == ['NAME', 'QUANTUM', 'INUSE'],
            f'{name}: vmemstat header', lines[1])
    seen = {}
    for ln in lines[2:]:
        f = ln.split()
        seen[f[0]] = (len(ln) - len(ln.lstrip(' ')), f)
    for a, st in stats.items():
        if a not in seen:
            c.check(False, f'{name}: vmemstat shows {a}')
            continue
        indent, f = seen[a]
        shown = dict(zip(['quantum', 'inuse', 'total', 'imported', 'use',
                          'alloc', 'free', 'wait', 'fail', 'live',
                          'freesegs', 'cache_hit'], f[1:]))
        bad = [f'{col}={shown[col]} but {key}: {st[key]}'
               for col, key in COLUMN_KEYS if shown[col] != st[key]]
        if st['source'] != '-' and st['source'] in seen:
            if indent != seen[st['source']][0] + 2:
                bad.append(f'indented {indent}, its source '
                           f'{seen[st["source"]][0]}')
        total = int(st['mem_total'])
        use = 100.0 * int(st['mem_inuse']) / total if total else 0.0
        if abs(float(shown['use']) - use) > 0.051:
            bad.append(f'use% {shown["use"]}, not {use:.1f}')
        c.check(not bad, f'{name}: vmemstat row of {a}', '; '.join(bad))

    # --sort: largest first
    r = run('--root', root, '--sort', 'alloc', '--json')
    allocs = [a['alloc'] for a in json.loads(r.stdout)['arenas']]
    c.check(r.returncode == 0 and allocs == sorted(allocs, reverse=True),
            f'{name}: --sort alloc', str(allocs))
    r = run('--root', root, '--sort', 'name')
    names = [ln.split()[0] for ln in r.stdout.splitlines()[2:]]
    c.check(r.returncode == 0 and names == sorted(stats),
            f'{name}: --sort name, flat', str(names))

    # --watch: a line of JSON each refresh; nothing moves in a copy
    r = run('--root', root, '--watch', '0.1', '--count', '2', '--json')
    docs = [json.loads(ln) for ln in r.stdout.splitlines()]
    ok = (r.returncode == 0 and len(docs) == 2 and
          all(a['alloc_per_s'] is None for a in docs[0]['arenas']) and
          all(a['alloc_per_s'] == 0.0 for a in docs[1]['arenas']))
    c.check(ok, f'{name}: --watch 0.1 --count 2 --json',
            r.stderr.strip() or r.stdout[:200])

    # an arena by name: its row and its stats file
    a = sorted(stats)[0]
    r = run('--root', root, a)
    c.check(r.returncode == 0 and f'  alloc: {stats[a]["alloc"]}' in
            r.stdout and len(r.stdout.splitlines()) > 3,
            f'{name}: vmemstat {a}', r.stderr.strip() or r.stdout[:200])


def main():
    c = Checks()
    # errors: named, and a status
    r = run('--root', '/nonexistent')
    c.check(r.returncode == 1 and 'no "arenas" file' in r.stderr,
            'vmemstat --root of no tree fails and says why', r.stderr)
    r = run('--sort', 'bogus')
    c.check(r.returncode == 2 and 'invalid choice' in r.stderr,
            'vmemstat --sort of no column fails', r.stderr)
    for log in sys.argv[1:]:
        name = os.path.basename(log).split('.')[0]
        if not os.path.isfile(log):
            c.check(False, f'{name}: guest log {log}')
            continue
        with tempfile.TemporaryDirectory() as tmp:
            paths = split_files(log, tmp)
            if not c.check('vmem/arenas' in paths,
                           f'{name}: debugfs files in the guest log',
                           f'{len(paths)} files'):
                continue
            check_tree(c, name, os.path.join(tmp, 'vmem'))
    print(f'TIER vmemstat: {c.passed} passed, {c.failed} failed')
    return 1 if c.failed else 0


if __name__ == '__main__':
    sys.exit(main())
