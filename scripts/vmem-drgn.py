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
                        shows them; TYPE (span, import, alloc, free)
                        keeps one kind
    all                 arenas, then each arena's stats and segs, each
                        after a line "== COMMAND ADDRESS"

ARENA is a name, or an address (0x...) for arenas of the same name.  The
arenas are those on vmem.ko's registry (vmem_list, the list debugfs
shows), so vmem.ko's debug info must be loaded (-s vmem.ko, built with
the kernel's CONFIG_DEBUG_INFO); a crash dump also needs vmlinux's.
Documentation/vmem.rst describes every field.
"""

import sys

from drgn import Object, container_of
from drgn.helpers.linux.list import list_for_each_entry

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


def figures(vm):
    k = vm.vm_kstat
    nsegs, nspans = vm.vm_nsegs.value_(), vm.vm_nspans.value_()
    nbusy = vm.vm_nbusy.value_()
    mask = (1 << bits()) - 1
    f = {
        'quantum': vm.vm_quantum.value_(),
        'mem_inuse': sat(vm.vm_inuse.value_(), nbusy),
        'mem_free': sat((vm.vm_total.value_() - vm.vm_inuse.value_()) & mask,
                        nsegs - nspans > nbusy),
        'mem_total': sat(vm.vm_total.value_(), nspans),
        'mem_import': sat(vm.vm_imported.value_(),
                          k.nimport.value_() != k.nrelease.value_()),
        'live': nbusy,
        'free_segments': nsegs - nspans - nbusy,
        'spans': nspans,
        'segments': nsegs,
        'hash_buckets': 1 << vm.vm_hash_shift.value_(),
        'tags_reserved': vm.vm_nreserve.value_(),
        'big_tags_reserved': vm.vm_nireserve.value_(),
        'indexed': int(vm.vm_indexed.value_()),
        'unindexed': vm.vm_nunindexed.value_(),
        'size_tree': int(vm.vm_sized.value_()),
    }
    for key, member in KSTAT_KEYS:
        f[key] = getattr(k, member).value_()
    return f


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
        if only and t != only:
            continue
        start, size = vs.vs_start.value_(), vs.vs_size.value_()
        end = (start + size - 1) & ((1 << bits()) - 1)
        print(f'{vs.value_():#18x} 0x{start:0{w}x} 0x{end:0{w}x} '
              f'{size:>20} {t}')


def cmd_all():
    print('== arenas')
    cmd_arenas()
    for vm in arenas():
        print(f'== stats {vm.address_:#x}')
        cmd_stats(hex(vm.address_))
        print(f'== segs {vm.address_:#x}')
        cmd_segs(hex(vm.address_))


def main(argv):
    if not argv or argv[0] == 'arenas':
        cmd_arenas()
    elif argv[0] == 'all' and len(argv) == 1:
        cmd_all()
    elif argv[0] == 'stats' and len(argv) == 2:
        cmd_stats(argv[1])
    elif argv[0] == 'segs' and len(argv) in (2, 3):
        cmd_segs(argv[1], argv[2] if len(argv) == 3 else None)
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
