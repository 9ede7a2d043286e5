#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judge one VM run from its two serial logs.

    verdict.py --name NAME --console CONSOLE.log --guest GUEST.log
               [--kunit-py KUNIT.py] [--suites-from MODULE.ko]...
               [--suites NAME]... [--quiet]

The run passes only if every check below passes; each counts in the
"TIER NAME: N passed, N failed" line printed last (scripts/check.sh adds
these lines up):

  * every KUnit case (KTAP parsed by the kernel source's own
    tools/testing/kunit/kunit.py parse, one check per case; skipped cases
    are reported and counted in neither column);
  * per KUnit module: kunit.py parse exits 0 (a crashed suite, a missing
    plan or missing subtests fail here), and every expected suite
    reported results (expected: read from the .ko by kunit_suites.py, or
    given with --suites);
  * every "VMEM-CHECK" line of the guest script;
  * the guest script reached its end (VMEM-GUEST-DONE): a hang, a timeout
    or a crash fails this one;
  * no kernel splat anywhere in either log, even when every case passed:
    BUG:, WARNING:, KASAN and lockdep reports, sleeping in atomic context,
    Oops, panics, kmemleak reports, and any Call Trace at all.

Exit status 0 when the run passed, 1 when it failed, 2 on bad usage.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import kunit_suites  # noqa: E402

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
KUNIT_BEGIN = re.compile(r'vmem-guest: kunit begin (\S+)')
KUNIT_END = re.compile(r'vmem-guest: kunit end (\S+)')
GUEST_CHECK = re.compile(r'^VMEM-CHECK (ok|not ok) (.*?)(?: # (.*))?$')

# (label, pattern): a line of either log matching one of these is a splat.
# The label names the detector in reports; the pattern is searched for
# anywhere in the line (after the printk timestamp).
SPLATS = [
    ('KASAN report', r'BUG: KASAN: '),
    ('sleep in atomic context',
     r'BUG: sleeping function called from invalid context'),
    ('scheduling while atomic', r'BUG: scheduling while atomic'),
    ('lockdep report', r'WARNING: (possible (recursive|circular) locking'
     r'|inconsistent lock state|possible irq lock inversion'
     r'|suspicious RCU usage|lock held when returning to user space'
     r'|bad unlock balance|held lock freed|nested lock)'),
    ('lockdep report', r'INFO: (possible|trying to register non-static key)'),
    ('lockdep report', r'DEBUG_LOCKS_WARN_ON'),
    ('kmemleak report', r'unreferenced object 0x[0-9a-f]+'),
    ('kmemleak report', r'kmemleak: \d+ new suspected memory leaks'),
    ('slab corruption', r'^BUG [\w.:-]+ \((Not t|T)ainted\): '),
    ('soft lockup', r'watchdog: BUG: soft lockup'),
    ('Oops', r'Oops: |Oops\[|general protection fault|Unable to handle'),
    ('kernel panic', r'Kernel panic - not syncing'),
    ('BUG', r'BUG: |kernel BUG at'),
    ('WARNING', r'WARNING: '),
    ('RCU stall', r'rcu: INFO: .*detected stalls|detected stall'),
    ('hung task', r'INFO: task .* blocked for more than'),
    ('list corruption', r'list_(add|del) corruption'),
    ('UBSAN report', r'UBSAN: '),
    ('hang (guest watchdog dump)', r'vmem-guest: watchdog: no end after'),
    ('Call Trace', r'Call Trace:'),
]
SPLAT_RES = [(label, re.compile(p)) for label, p in SPLATS]

# Lines that look like splats but are not, each with the reason.  Empty:
# no kernel we boot prints one.  Keep it short and specific: an entry here
# is a detector we chose not to hear.
BENIGN = []

# A Call Trace belongs to the splat printed just before it when one was
# seen this many lines earlier at most; otherwise it is reported alone.
TRACE_WINDOW = 200


def read_lines(path):
    try:
        with open(path, 'r', errors='backslashreplace') as f:
            return [TIMESTAMP.sub('', ln.rstrip('\r\n').replace('\r', ''))
                    for ln in f]
    except FileNotFoundError:
        return None


class Verdict:
    def __init__(self, name, quiet):
        self.name = name
        self.quiet = quiet
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, ok, what, detail=''):
        if ok:
            self.passed += 1
            if not self.quiet:
                print(f'  ok      {what}')
        else:
            self.failed += 1
            print(f'  FAILED  {what}' + (f'\n          {detail}'
                                         if detail else ''))


def find_splats(lines, where):
    """Return one (line number, label, text) per splat in LINES."""
    found = []
    last_splat = -TRACE_WINDOW - 1
    for i, line in enumerate(lines):
        if any(rx.search(line) for rx in BENIGN):
            continue
        for label, rx in SPLAT_RES:
            if not rx.search(line):
                continue
            if label == 'Call Trace':
                if i - last_splat <= TRACE_WINDOW:
                    break  # the trace of the splat already reported
                label = 'unexplained Call Trace'
            found.append((i + 1, label, f'{where}:{i + 1}: {line.strip()}'))
            last_splat = i
            break
    return found


def module_sections(lines):
    """Split the console log into the KTAP output of each KUnit module.

    The guest writes "vmem-guest: kunit begin/end MODULE" to /dev/kmsg
    around each insmod.  A section without its end marker runs to the end
    of the log (the module crashed the VM or hung).
    """
    sections = []
    cur = None
    for line in lines:
        m = KUNIT_BEGIN.search(line)
        if m:
            cur = (m.group(1), [])
            sections.append(cur)
            continue
        if KUNIT_END.search(line):
            cur = None
            continue
        if cur is not None:
            cur[1].append(line)
    return sections


def count_cases(group, counts, top=True):
    """Sort the cases of a kunit.py JSON result into pass/fail/skip.

    A subtest the plan announced but the log never reported (the suite
    crashed, or the VM hung) is a nameless ERROR entry: it counts as a
    failed case, as kunit.py counts it "crashed", under a name that says
    so.
    """
    cases = group.get('test_cases', [])
    nameless = sum(1 for c in cases if not c.get('name'))
    seen = 0
    for case in cases:
        status = case.get('status')
        key = {'PASS': 'pass', 'SKIP': 'skip'}.get(status, 'fail')
        name = case.get('name')
        if not name:
            seen += 1
            what = 'a suite' if top else f'{group.get("name")}: a case'
            name = (f'{what} of the plan never reported, crashed or '
                    f'hung [{seen}/{nameless}]')
        else:
            name = f'{group.get("name")}.{name} ({status})' if not top \
                else f'{name} ({status})'
        counts[key].append(name)
    for sub in group.get('sub_groups', []):
        count_cases(sub, counts, False)


def judge_ktap(v, kunit_py, module, body, expected, logdir):
    """Parse one module's KTAP with kunit.py; count its cases."""
    # Each module load prints its own "KTAP version 1" and plan in 6.12.
    # Kernels that do not get a header made from the expected suites, so
    # that a missing suite is a missing subtest to the parser too.
    if not any(ln.startswith('KTAP version') for ln in body):
        body = ['KTAP version 1', f'1..{len(expected)}'] + body
    ktap = os.path.join(logdir, f'{v.name}.{module}.ktap')
    with open(ktap, 'w') as f:
        f.write('\n'.join(body) + '\n')
    jpath = ktap[:-len('.ktap')] + '.json'
    parsed = ktap[:-len('.ktap')] + '.kunit.txt'
    with open(parsed, 'w') as out:
        rc = subprocess.call([sys.executable, kunit_py, 'parse',
                              f'--json={jpath}', ktap],
                             stdout=out, stderr=subprocess.STDOUT)
    v.check(rc == 0, f'kunit.py parse {module}',
            f'exit {rc}; see {parsed}')
    try:
        with open(jpath) as f:
            result = json.load(f)
    except (OSError, ValueError) as e:
        v.check(False, f'KTAP results of {module}', str(e))
        return
    counts = {'pass': [], 'fail': [], 'skip': []}
    count_cases(result, counts)
    for case in counts['pass']:
        v.check(True, f'kunit {case}')
    for case in counts['fail']:
        v.check(False, f'kunit {case}')
    v.skipped += len(counts['skip'])
    for case in counts['skip']:
        print(f'  skip    kunit {case}')
    ran = {g.get('name') for g in result.get('sub_groups', [])}
    ran |= {c.get('name') for c in result.get('test_cases', [])}
    missing = [s for s in expected if s not in ran]
    v.check(not missing,
            f'{module}: all {len(expected)} expected suites reported',
            'missing: ' + ' '.join(missing))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--name', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--kunit-py')
    ap.add_argument('--suites-from', action='append', default=[],
                    metavar='MODULE.ko')
    ap.add_argument('--suites', action='append', default=[],
                    metavar='SUITE')
    ap.add_argument('--outdir',
                    help='where to write the KTAP, JSON and parser output '
                    '(default: the console log\'s directory)')
    ap.add_argument('--quiet', action='store_true',
                    help='print failed checks only')
    args = ap.parse_args()

    v = Verdict(args.name, args.quiet)
    console = read_lines(args.console)
    guest = read_lines(args.guest)
    v.check(console is not None, 'console log exists', args.console)
    v.check(guest is not None, 'guest log exists', args.guest)
    console = console or []
    guest = guest or []

    # Expected suites, per module name.
    expected = {}
    for ko in args.suites_from:
        mod = os.path.basename(ko)[:-len('.ko')]
        expected[mod] = kunit_suites.Elf(ko).suites()
    sections = dict(module_sections(console))
    if args.suites:
        # Suites given by name belong to the modules that were loaded.
        for mod in sections or ['(no module loaded)']:
            expected.setdefault(mod, []).extend(args.suites)

    for mod, suites in expected.items():
        if mod not in sections:
            v.check(False, f'{mod}: KUnit module was loaded',
                     'no "vmem-guest: kunit begin" marker in the console')
            continue
        if not args.kunit_py:
            sys.exit('verdict.py: --kunit-py is needed to parse KTAP')
        outdir = args.outdir or os.path.dirname(
            os.path.abspath(args.console))
        os.makedirs(outdir, exist_ok=True)
        judge_ktap(v, args.kunit_py, mod, sections[mod], suites, outdir)

    for line in guest:
        m = GUEST_CHECK.match(line)
        if m:
            v.check(m.group(1) == 'ok', f'guest: {m.group(2)}',
                    m.group(3) or '')
    timed_out = any('killed after the' in ln for ln in guest)
    v.check('VMEM-GUEST-DONE' in guest, 'guest script finished',
            'the VM hit its timeout (a hang)' if timed_out else
            'no VMEM-GUEST-DONE: the guest crashed, hung or rebooted')

    splats = (find_splats(console, os.path.basename(args.console)) +
              find_splats(guest, os.path.basename(args.guest)))
    v.check(not splats, 'no kernel splats in the logs',
            '\n          '.join(f'{label}: {text}'
                                for _, label, text in splats[:12]) +
            (f'\n          ... {len(splats) - 12} more'
             if len(splats) > 12 else ''))

    if v.skipped:
        print(f'  ({v.skipped} KUnit cases skipped)')
    if v.failed:
        print(f'  logs: {args.console} {args.guest}')
    print(f'TIER {v.name}: {v.passed} passed, {v.failed} failed')
    return 1 if v.failed else 0


if __name__ == '__main__':
    sys.exit(main())
