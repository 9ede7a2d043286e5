# SPDX-License-Identifier: GPL-2.0-only
"""vmem's arenas in a live kernel or a crash dump, with drgn.

What illumos's mdb gave as ::vmem and ::vmem_seg, for vmem.ko:

    drgn -c VMCORE -s vmlinux -s vmem.ko scripts/vmem-drgn.py [COMMAND]
    drgn -s vmem.ko scripts/vmem-drgn.py [COMMAND]      (the running kernel)

COMMAND is one of

    arenas              (the default) every arena, an importer under its
                        source, as ::vmem: address, name, in use, total,
                        imported, allocations, failures
    stats ARENA         every counter of the arena, as debugfs's stats
    segs ARENA [TYPE]   every span and segment in address order, as
                        ::vmem_seg: the tag's address, then start, end
                        (inclusive), size and type as debugfs's segments
                        shows them; TYPE (span, import, alloc, leaf, free)
                        keeps one kind
    qcache ARENA        the quantum caches: a row per cache with the
                        columns of debugfs's qcache, then each cache's
                        depot (its full and empty magazines) and every
                        possible CPU's loaded and previous magazines
                        (address, rounds/capacity)
    all                 arenas, then each arena's stats, segs and qcache,
                        each after a line "== COMMAND ADDRESS"

ARENA is a name, or an address (0x...) for arenas of the same name.  The
arenas are those on vmem.ko's registry (vmem_list, the list debugfs
shows), so vmem.ko's debug info must be loaded (-s vmem.ko, built with
the kernel's CONFIG_DEBUG_INFO); a crash dump also needs vmlinux's.
Documentation/vmem.rst describes every field.
"""

import sys

from drgn import Object, container_of
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.percpu import per_cpu_ptr

SEG_TYPES = {0: 'free', 1: 'alloc', 2: 'span', 3: 'head', 4: 'rotor',
             5: 'walker', 6: 'indexer'}
MARKERS = ('rotor', 'walker', 'indexer')
KSTAT_KEYS = [('alloc', 'nalloc'), ('free', 'nfree'), ('wait', 'nwait'),
              ('fail', 'nfail'), ('lookup', 'nlookup'),
              ('search', 'nsearch'), ('populate_fail', 'npopulate_fail'),
              ('contains', 'ncontains'),
              ('contains_search', 'ncontains_search'),
              ('bad_free', 'nbadfree'), ('import', 'nimport'),
              ('release', 'nrelease'), ('hash_rescales', 'hash_rescales'),
              ('reserve_refills', 'nrefill')]


def prog_():
    # drgn runs scripts with the program in the global "prog"
    return globals()['prog']


def module_symbol(modname, symname):
    """A symbol's address from a loaded module's own symbol table.

    drgn before 0.0.23 does not find where a module's sections were loaded
    in kernels from Linux 6.4 on (struct module's core_layout became
    mem[]), so the addresses of vmem.ko's variables in its debug info are
    not relocated.  The module's kallsyms (CONFIG_KALLSYMS_ALL keeps its
    data symbols) say where they are; the types come from the debug info
    as usual.
    """
    p = prog_()
    for mod in list_for_each_entry('struct module',
                                   p['modules'].address_of_(), 'list'):
        if mod.name.string_().decode() != modname:
            continue
        ks = mod.kallsyms
        for i in range(ks.num_symtab.value_()):
            sym = ks.symtab[i]
            if (ks.strtab + sym.st_name).string_().decode() == symname:
                return sym.st_value.value_()
    return None


def arenas():
    p = prog_()
    try:
        list_head_t = p.type('struct list_head')
        p.type('struct vmem')
    except LookupError:
        sys.exit('vmem-drgn: no struct vmem: load vmem.ko\'s debug info '
                 '(-s vmem.ko)')
    addr = module_symbol('vmem', 'vmem_list')
    if addr is None:
        sys.exit('vmem-drgn: vmem.ko is not loaded (no vmem_list in its '
                 'symbols)')
    head = Object(p, list_head_t, address=addr)
    return [vm[0] for vm in list_for_each_entry('struct vmem',
                                                head.address_of_(),
                                                'vm_list')]


def name(vm):
    return vm.vm_name.string_().decode(errors='backslashreplace')


def bits():
    return 8 * prog_().type('unsigned long').size


def sat(v, nonempty):
    """A sum of 2^BITS_PER_LONG reads 0; debugfs shows ULONG_MAX."""
    return (1 << bits()) - 1 if v == 0 and nonempty else v


def mags(head):
    """The magazines of a depot list: [(address, rounds, capacity)]."""
    out = []
    mag = head
    while mag:
        out.append((mag.value_(), mag.mg_rounds.value_(),
                    mag.mg_size.value_()))
        mag = mag.mg_next
    return out


def qcaches(vm):
    """Each quantum cache's figures, as vmem_qcache_get_stats() sums them,
    with its depot's magazines and each possible CPU's two."""
    out = []
    cpus = list(for_each_possible_cpu(prog_()))
    for i in range(vm.vm_nqcache.value_()):
        qc = vm.vm_qcache[i]
        q = {'size': qc.qc_size.value_(), 'magsize': qc.qc_magsize.value_(),
             'depot_gets': qc.qc_gets.value_(),
             'depot_puts': qc.qc_puts.value_(),
             'contention': qc.qc_contention.value_(),
             'resizes': qc.qc_nresize.value_(),
             'depot_rounds': qc.qc_depot_rounds.value_(),
             'depot_full': qc.qc_full.ml_count.value_(),
             'depot_empty': qc.qc_empty.ml_count.value_(),
             'full': mags(qc.qc_full.ml_head),
             'empty': mags(qc.qc_empty.ml_head),
             'alloc_hits': 0, 'alloc_misses': 0, 'free_hits': 0,
             'free_misses': 0, 'cpu_mags': 0, 'cpu_rounds': 0, 'cpus': []}
        for cpu in cpus:
            qcc = (per_cpu_ptr(vm.vm_qcpu, cpu) + i)[0]
            row = {'cpu': cpu}
            for key in ('alloc_hits', 'alloc_misses', 'free_hits',
                        'free_misses'):
                row[key] = getattr(qcc, 'qcc_' + key).value_()
                q[key] += row[key]
            for slot in ('loaded', 'prev'):
                mag = getattr(qcc, 'qcc_' + slot)
                # vmem_mag_none, the empty stand-in, has capacity 0
                row[slot] = (mag.value_(), mag.mg_rounds.value_(),
                             mag.mg_size.value_())
                q['cpu_rounds'] += row[slot][1]
                q['cpu_mags'] += row[slot][2] != 0
            q['cpus'].append(row)
        q['alloc'] = q['alloc_hits'] + q['alloc_misses']
        q['free'] = q['free_hits'] + q['free_misses']
        out.append(q)
    return out


def figures(vm):
    k = vm.vm_kstat
    nsegs, nspans = vm.vm_nsegs.value_(), vm.vm_nspans.value_()
    nbusy = vm.vm_nbusy.value_()
    # identifier leaves: one allocated segment each, their IDs in a bitmap
    leaves = [lf for lf in vm.vm_leaf if lf.lf_seg.value_()]
    live = nbusy - len(leaves) + vm.vm_nleafids.value_()
    leaf_free = any(lf.lf_free.value_() for lf in leaves)
    mask = (1 << bits()) - 1
    qshift = vm.vm_qshift.value_()
    inuse, total = vm.vm_inuse.value_(), vm.vm_total.value_()
    qcs = qcaches(vm)
    # as vmem_get_stats(): the caches' ranges, in quanta, are free
    cached = sum((i + 1) * (q['cpu_rounds'] + q['depot_rounds'])
                 for i, q in enumerate(qcs))
    if not cached:
        mem_inuse = sat(inuse, live)
        mem_free = sat((total - inuse) & mask,
                       nsegs - nspans > nbusy or leaf_free)
    else:
        nbytes = (cached << qshift) & mask
        wrapped = inuse == 0 and live
        if not wrapped and (cached > inuse >> qshift or nbytes > inuse):
            nbytes = inuse
        mem_inuse = (inuse - nbytes) & mask
        mem_free = sat((total - mem_inuse) & mask, True)
    hits = sum(q['alloc_hits'] for q in qcs)
    nalloc = sum(q['alloc'] for q in qcs)
    f = {
        'quantum': vm.vm_quantum.value_(),
        'mem_inuse': mem_inuse,
        'mem_free': mem_free,
        'mem_cached': (mask if cached > mask >> qshift
                       else cached << qshift),
        'mem_total': sat(total, nspans),
        'mem_import': sat(vm.vm_imported.value_(),
                          k.nimport.value_() != k.nrelease.value_()),
        'live': live,
        'free_segments': nsegs - nspans - nbusy,
        'spans': nspans,
        'segments': nsegs,
        'hash_buckets': 1 << vm.vm_hash_shift.value_(),
        'tags_reserved': vm.vm_nreserve.value_(),
        'big_tags_reserved': vm.vm_nireserve.value_(),
        'indexed': int(vm.vm_indexed.value_()),
        'unindexed': vm.vm_nunindexed.value_(),
        'size_tree': int(vm.vm_sized.value_()),
        'leaves': len(leaves),
        'leaf_ids': vm.vm_nleafids.value_(),
        'qcache_max': vm.vm_qcache_max.value_(),
        'qcaches': len(qcs),
        'qcache_hit_permille': (hits * 1000 // nalloc if nalloc else '-'),
    }
    for key, member in KSTAT_KEYS:
        f[key] = getattr(k, member).value_()
    return f


QCACHE_COLUMNS = ['size', 'magsize', 'alloc', 'free', 'alloc_hits',
                  'alloc_misses', 'free_hits', 'free_misses', 'depot_gets',
                  'depot_puts', 'contention', 'resizes', 'cpu_mags',
                  'cpu_rounds', 'depot_full', 'depot_empty', 'depot_rounds']


def find(arg):
    all_ = arenas()
    if arg.startswith('0x'):
        match = [vm for vm in all_ if vm.address_ == int(arg, 16)]
    else:
        match = [vm for vm in all_ if name(vm) == arg]
    if not match:
        sys.exit(f'vmem-drgn: no arena {arg}')
    if len(match) > 1:
        sys.exit(f'vmem-drgn: {len(match)} arenas named {arg}: give an '
                 'address: ' + ' '.join(hex(vm.address_) for vm in match))
    return match[0]


def cmd_arenas():
    all_ = arenas()
    addrs = {vm.address_ for vm in all_}
    print(f'{"ADDR":>18} {"NAME":<32} {"INUSE":>14} {"TOTAL":>14} '
          f'{"IMPORTED":>14} {"SUCCEED":>10} {"FAIL":>6}')

    def row(vm, depth):
        f = figures(vm)
        print(f'{vm.address_:#18x} {"  " * depth + name(vm):<32} '
              f'{f["mem_inuse"]:>14} {f["mem_total"]:>14} '
              f'{f["mem_import"]:>14} {f["alloc"]:>10} {f["fail"]:>6}')
        for child in all_:
            if (child.vm_source.value_() == vm.address_ and
                    child.address_ != vm.address_):
                row(child, depth + 1)

    for vm in all_:
        if not vm.vm_source or vm.vm_source.value_() not in addrs:
            row(vm, 0)


def cmd_stats(arg):
    vm = find(arg)
    src = vm.vm_source
    print(f'name: {name(vm)}')
    print(f'address: {vm.address_:#x}')
    print('unit: ' + ('ids' if vm.vm_flags.value_() & 0x10000 else 'bytes'))
    print('source: ' + (name(src[0]) if src else '-'))
    for key, val in figures(vm).items():
        print(f'{key}: {val}')


def cmd_segs(arg, only=None):
    vm = find(arg)
    head = vm.vm_seg0.address_of_()
    w = bits() // 4
    print(f'{"ADDR":>18} {"start":>{w + 2}} {"end":>{w + 2}} {"size":>20} '
          'type')
    pos = head.vs_seglist.next
    while pos.value_() != head.vs_seglist.address_of_().value_():
        vs = container_of(pos, 'struct vmem_seg', 'vs_seglist')
        t = SEG_TYPES.get(vs.vs_type.value_(), '?')
        pos = vs.vs_seglist.next
        if t in MARKERS:
            continue
        if t == 'span' and vs.vs_imported:
            t = 'import'
        elif t == 'alloc' and vs.vs_owner.value_() == 2:  # VMEM_OWNER_LEAF
            t = 'leaf'
        if only and t != only:
            continue
        start, size = vs.vs_start.value_(), vs.vs_size.value_()
        end = (start + size - 1) & ((1 << bits()) - 1)
        print(f'{vs.value_():#18x} 0x{start:0{w}x} 0x{end:0{w}x} '
              f'{size:>20} {t}')


def cmd_qcache(arg):
    vm = find(arg)
    qcs = qcaches(vm)
    print('# ' + ' '.join(QCACHE_COLUMNS))
    for q in qcs:
        print('  ' + ' '.join(str(q[c]) for c in QCACHE_COLUMNS))
    for q in qcs:
        print(f'cache {q["size"]}: depot full ' +
              (' '.join(f'{a:#x}:{r}/{n}' for a, r, n in q['full']) or '-') +
              '; empty ' +
              (' '.join(f'{a:#x}:{r}/{n}' for a, r, n in q['empty']) or
               '-'))
        for c in q['cpus']:
            print(f'cache {q["size"]} cpu {c["cpu"]}: ' +
                  ' '.join(f'{slot} {c[slot][0]:#x}:{c[slot][1]}/'
                           f'{c[slot][2]}' for slot in ('loaded', 'prev')) +
                  f' alloc_hits {c["alloc_hits"]} alloc_misses '
                  f'{c["alloc_misses"]} free_hits {c["free_hits"]} '
                  f'free_misses {c["free_misses"]}')


def cmd_all():
    print('== arenas')
    cmd_arenas()
    for vm in arenas():
        print(f'== stats {vm.address_:#x}')
        cmd_stats(hex(vm.address_))
        print(f'== segs {vm.address_:#x}')
        cmd_segs(hex(vm.address_))
        print(f'== qcache {vm.address_:#x}')
        cmd_qcache(hex(vm.address_))


def main(argv):
    if not argv or argv[0] == 'arenas':
        cmd_arenas()
    elif argv[0] == 'all' and len(argv) == 1:
        cmd_all()
    elif argv[0] == 'stats' and len(argv) == 2:
        cmd_stats(argv[1])
    elif argv[0] == 'qcache' and len(argv) == 2:
        cmd_qcache(argv[1])
    elif argv[0] == 'segs' and len(argv) in (2, 3):
        cmd_segs(argv[1], argv[2] if len(argv) == 3 else None)
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
