/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of vmem.ko: allocations, frees, imports, releases,
 * failures, waits and quantum cache flushes, for ftrace (tracefs
 * events/vmem/), perf (-e 'vmem:*') and bpftrace (tracepoint:vmem:*).
 *
 * Each event names its arena (the name given to vmem_create(), and the
 * arena's address, which tells apart arenas of the same name).  Ranges
 * are [addr, addr + size).  A disabled event costs a static branch at its
 * call site: nothing is computed for it.
 *
 * An internal header of the vmem module, kept here, in the include path,
 * rather than next to the sources of vmem/: the userspace harness
 * compiles those against an empty header of its own
 * (tools/testing/vmem/include/trace/events/vmem.h).  The file that
 * defines the events (vmem/vmem_trace.c) includes it with
 * CREATE_TRACE_POINTS after vmem/vmem_impl.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmem

#if !defined(_TRACE_VMEM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VMEM_H

#include <linux/tracepoint.h>
#include <linux/vmem.h>

struct vmem;

/* vmem_name() is not used: the events would depend on vmem.ko's exports. */
#define VMEM_TRACE_NAMELEN	32

#define vmem_trace_show_flags(flags)					\
	__print_flags(flags, "|",					\
		      { VMEM_SLEEP, "SLEEP" },				\
		      { VMEM_NOSLEEP, "NOSLEEP" },			\
		      { VMEM_INSTANTFIT, "INSTANTFIT" },		\
		      { VMEM_BESTFIT, "BESTFIT" },			\
		      { VMEM_FIRSTFIT, "FIRSTFIT" },			\
		      { VMEM_NEXTFIT, "NEXTFIT" },			\
		      { VMEM_TOPDOWN, "TOPDOWN" })

/* The fields every event starts with: the arena. */
#define VMEM_TRACE_ARENA_FIELDS						\
	__field(const void *, arena)					\
	__array(char, name, VMEM_TRACE_NAMELEN)

#define vmem_trace_assign_arena(vm)					\
	do {								\
		__entry->arena = (vm);					\
		strscpy(__entry->name, (vm)->vm_name,			\
			VMEM_TRACE_NAMELEN);				\
	} while (0)

/* A range: alloc, free, import and release. */
DECLARE_EVENT_CLASS(vmem_range,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size),
	TP_ARGS(vm, addr, size),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, addr)
		__field(unsigned long, size)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->addr = addr;
		__entry->size = size;
	),
	TP_printk("arena=%s addr=%#lx size=%#lx",
		  __entry->name, __entry->addr, __entry->size)
);

/*
 * vmem_alloc - vmem_alloc() (and the identifier calls) allocated a range.
 * @vm: the arena
 * @addr: start of the range
 * @size: its size, rounded up to the quantum
 * @vmflags: the call's flags
 */
TRACE_EVENT(vmem_alloc,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size,
		 unsigned int vmflags),
	TP_ARGS(vm, addr, size, vmflags),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, addr)
		__field(unsigned long, size)
		__field(unsigned int, vmflags)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->addr = addr;
		__entry->size = size;
		__entry->vmflags = vmflags;
	),
	TP_printk("arena=%s addr=%#lx size=%#lx flags=%s",
		  __entry->name, __entry->addr, __entry->size,
		  vmem_trace_show_flags(__entry->vmflags))
);

/*
 * vmem_xalloc - vmem_xalloc() (or vmem_id_alloc_specific()) allocated.
 * @vm: the arena
 * @addr: start of the range
 * @size: its size, rounded up to the quantum
 * @align: the alignment asked for (the quantum for none)
 * @phase: the phase asked for
 * @nocross: the boundary not to cross, or 0
 * @minaddr: the window's lowest start, rounded to the quantum
 * @maxaddr: the window's highest last integer, inclusive
 * @vmflags: the call's flags
 */
TRACE_EVENT(vmem_xalloc,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size,
		 unsigned long align, unsigned long phase,
		 unsigned long nocross, unsigned long minaddr,
		 unsigned long maxaddr, unsigned int vmflags),
	TP_ARGS(vm, addr, size, align, phase, nocross, minaddr, maxaddr,
		vmflags),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, addr)
		__field(unsigned long, size)
		__field(unsigned long, align)
		__field(unsigned long, phase)
		__field(unsigned long, nocross)
		__field(unsigned long, minaddr)
		__field(unsigned long, maxaddr)
		__field(unsigned int, vmflags)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->addr = addr;
		__entry->size = size;
		__entry->align = align;
		__entry->phase = phase;
		__entry->nocross = nocross;
		__entry->minaddr = minaddr;
		__entry->maxaddr = maxaddr;
		__entry->vmflags = vmflags;
	),
	TP_printk("arena=%s addr=%#lx size=%#lx align=%#lx phase=%#lx nocross=%#lx min=%#lx max=%#lx flags=%s",
		  __entry->name, __entry->addr, __entry->size,
		  __entry->align, __entry->phase, __entry->nocross,
		  __entry->minaddr, __entry->maxaddr,
		  vmem_trace_show_flags(__entry->vmflags))
);

/* vmem_free: vmem_free() or vmem_xfree() freed a range. */
DEFINE_EVENT(vmem_range, vmem_free,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size),
	TP_ARGS(vm, addr, size)
);

/* vmem_import: the arena imported a span from its source. */
DEFINE_EVENT(vmem_range, vmem_import,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size),
	TP_ARGS(vm, addr, size)
);

/* vmem_release: the arena gave a wholly free imported span back. */
DEFINE_EVENT(vmem_range, vmem_release,
	TP_PROTO(const struct vmem *vm, unsigned long addr, unsigned long size),
	TP_ARGS(vm, addr, size)
);

/*
 * vmem_fail - An allocation failed (counted in the arena's fail).
 * @vm: the arena
 * @size: the size asked for, rounded up to the quantum
 * @vmflags: the call's flags
 * @err: what it returned: -ENOSPC, -ENOMEM, -EINTR
 */
TRACE_EVENT(vmem_fail,
	TP_PROTO(const struct vmem *vm, unsigned long size,
		 unsigned int vmflags, int err),
	TP_ARGS(vm, size, vmflags, err),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, size)
		__field(unsigned int, vmflags)
		__field(int, err)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->size = size;
		__entry->vmflags = vmflags;
		__entry->err = err;
	),
	TP_printk("arena=%s size=%#lx flags=%s err=%d",
		  __entry->name, __entry->size,
		  vmem_trace_show_flags(__entry->vmflags), __entry->err)
);

/*
 * vmem_wait - A VMEM_SLEEP allocation found no room and goes to sleep.
 * @vm: the arena
 * @size: the size asked for, rounded up to the quantum
 */
TRACE_EVENT(vmem_wait,
	TP_PROTO(const struct vmem *vm, unsigned long size),
	TP_ARGS(vm, size),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, size)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->size = size;
	),
	TP_printk("arena=%s size=%#lx", __entry->name, __entry->size)
);

/*
 * vmem_qcache_flush - A quantum cache gave its cached ranges back.
 * @vm: the arena
 * @size: the cache's size
 * @rounds: ranges given back to the arena
 */
TRACE_EVENT(vmem_qcache_flush,
	TP_PROTO(const struct vmem *vm, unsigned long size,
		 unsigned long rounds),
	TP_ARGS(vm, size, rounds),
	TP_STRUCT__entry(
		VMEM_TRACE_ARENA_FIELDS
		__field(unsigned long, size)
		__field(unsigned long, rounds)
	),
	TP_fast_assign(
		vmem_trace_assign_arena(vm);
		__entry->size = size;
		__entry->rounds = rounds;
	),
	TP_printk("arena=%s size=%#lx rounds=%lu",
		  __entry->name, __entry->size, __entry->rounds)
);

#endif /* _TRACE_VMEM_H */

/*
 * Out of the kernel tree, define_trace.h must be told where this header
 * is: it is found again through the include path (Kbuild's -I of the
 * module's include/).
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH trace/events
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vmem
#include <trace/define_trace.h>
