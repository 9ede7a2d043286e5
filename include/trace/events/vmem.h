/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of vmem.ko: allocations, frees, imports, releases,
 * failures, waits, and the quantum caches' refills, drains and flushes,
 * for ftrace (tracefs events/vmem/), perf (-e 'vmem:*') and bpftrace
 * (tracepoint:vmem:*).
 *
 * Each event names its arena (the name given to vmem_create(), and the
 * arena's address, which tells apart arenas of the same name).  Ranges
 * are [addr, addr + size).  A disabled event costs a static branch at its
 * call site: nothing is computed for it.
 *
 * An internal header of the vmem module.  It lives in the module's
 * include/ rather than next to the sources of vmem/ for two reasons: the
 * userspace harness puts an empty header of its own first in its include
 * path, and compiles vmem/ against that; and define_trace.h finds it
 * again by its default name, <trace/events/TRACE_SYSTEM.h>, through
 * Kbuild's -I of include/, so no TRACE_INCLUDE_PATH pointing out of the
 * kernel tree is needed.  vmem/vmem_trace.c defines the events: it
 * includes this header with CREATE_TRACE_POINTS, after vmem/vmem_impl.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmem

#if !defined(_TRACE_VMEM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VMEM_H

#include <linux/tracepoint.h>
#include <linux/vmem.h>

struct vmem;

/* As VMEM_NAMELEN; vmem/vmem_trace.c checks. */
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

/*
 * A range of an arena: the class of free, import and release.  Every
 * event starts with the same two fields, the arena and its name.
 */
DECLARE_EVENT_CLASS(vmem_range,
		    TP_PROTO(const struct vmem *vm, unsigned long addr,
			     unsigned long size),
		    TP_ARGS(vm, addr, size),
		    TP_STRUCT__entry(__field(const void *, arena)
				     __array(char, name, VMEM_TRACE_NAMELEN)
				     __field(unsigned long, addr)
				     __field(unsigned long, size)),
		    TP_fast_assign(__entry->arena = vm;
				   strscpy(__entry->name, vm->vm_name,
					   VMEM_TRACE_NAMELEN);
				   __entry->addr = addr;
				   __entry->size = size;),
		    TP_printk("arena=%s addr=%#lx size=%#lx",
			      __entry->name, __entry->addr, __entry->size)
);

/*
 * vmem_alloc: vmem_alloc() (and the identifier calls that use it)
 * allocated [addr, addr + size) from the arena's segments; size is
 * rounded up to the quantum.  A size a quantum cache serves has no event
 * of its own (see vmem_qcache_rounds below).
 */
TRACE_EVENT(vmem_alloc,
	    TP_PROTO(const struct vmem *vm, unsigned long addr,
		     unsigned long size, unsigned int vmflags),
	    TP_ARGS(vm, addr, size, vmflags),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, VMEM_TRACE_NAMELEN)
			     __field(unsigned long, addr)
			     __field(unsigned long, size)
			     __field(unsigned int, vmflags)),
	    TP_fast_assign(__entry->arena = vm;
			   strscpy(__entry->name, vm->vm_name,
				   VMEM_TRACE_NAMELEN);
			   __entry->addr = addr;
			   __entry->size = size;
			   __entry->vmflags = vmflags;),
	    TP_printk("arena=%s addr=%#lx size=%#lx flags=%s",
		      __entry->name, __entry->addr, __entry->size,
		      vmem_trace_show_flags(__entry->vmflags))
);

/*
 * vmem_xalloc: vmem_xalloc() (or vmem_id_alloc_specific()) allocated
 * [addr, addr + size) under its constraints: the alignment (the quantum
 * for none), phase, nocross (0 for none) and the window [min, max],
 * rounded inward to the quantum.
 */
TRACE_EVENT(vmem_xalloc,
	    TP_PROTO(const struct vmem *vm, unsigned long addr,
		     unsigned long size, unsigned long align,
		     unsigned long phase, unsigned long nocross,
		     unsigned long minaddr, unsigned long maxaddr,
		     unsigned int vmflags),
	    TP_ARGS(vm, addr, size, align, phase, nocross, minaddr, maxaddr,
		    vmflags),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, VMEM_TRACE_NAMELEN)
			     __field(unsigned long, addr)
			     __field(unsigned long, size)
			     __field(unsigned long, align)
			     __field(unsigned long, phase)
			     __field(unsigned long, nocross)
			     __field(unsigned long, minaddr)
			     __field(unsigned long, maxaddr)
			     __field(unsigned int, vmflags)),
	    TP_fast_assign(__entry->arena = vm;
			   strscpy(__entry->name, vm->vm_name,
				   VMEM_TRACE_NAMELEN);
			   __entry->addr = addr;
			   __entry->size = size;
			   __entry->align = align;
			   __entry->phase = phase;
			   __entry->nocross = nocross;
			   __entry->minaddr = minaddr;
			   __entry->maxaddr = maxaddr;
			   __entry->vmflags = vmflags;),
	    TP_printk("arena=%s addr=%#lx size=%#lx align=%#lx phase=%#lx nocross=%#lx min=%#lx max=%#lx flags=%s",
		      __entry->name, __entry->addr, __entry->size,
		      __entry->align, __entry->phase, __entry->nocross,
		      __entry->minaddr, __entry->maxaddr,
		      vmem_trace_show_flags(__entry->vmflags))
);

/*
 * vmem_free: vmem_free() or vmem_xfree() freed a range into the arena's
 * segments (not into a quantum cache's magazine).
 */
DEFINE_EVENT(vmem_range, vmem_free,
	     TP_PROTO(const struct vmem *vm, unsigned long addr,
		      unsigned long size),
	     TP_ARGS(vm, addr, size)
);

/* vmem_import: the arena imported a span from its source. */
DEFINE_EVENT(vmem_range, vmem_import,
	     TP_PROTO(const struct vmem *vm, unsigned long addr,
		      unsigned long size),
	     TP_ARGS(vm, addr, size)
);

/* vmem_release: the arena gave a wholly free imported span back. */
DEFINE_EVENT(vmem_range, vmem_release,
	     TP_PROTO(const struct vmem *vm, unsigned long addr,
		      unsigned long size),
	     TP_ARGS(vm, addr, size)
);

/*
 * vmem_fail: an allocation of size bytes (rounded up to the quantum)
 * failed with err: -ENOSPC (which vmem_id_alloc_specific() turns into
 * -EBUSY for a taken identifier), -ENOMEM or -EINTR.  One event per
 * "fail" the arena counts.
 */
TRACE_EVENT(vmem_fail,
	    TP_PROTO(const struct vmem *vm, unsigned long size,
		     unsigned int vmflags, int err),
	    TP_ARGS(vm, size, vmflags, err),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, VMEM_TRACE_NAMELEN)
			     __field(unsigned long, size)
			     __field(unsigned int, vmflags)
			     __field(int, err)),
	    TP_fast_assign(__entry->arena = vm;
			   strscpy(__entry->name, vm->vm_name,
				   VMEM_TRACE_NAMELEN);
			   __entry->size = size;
			   __entry->vmflags = vmflags;
			   __entry->err = err;),
	    TP_printk("arena=%s size=%#lx flags=%s err=%d",
		      __entry->name, __entry->size,
		      vmem_trace_show_flags(__entry->vmflags), __entry->err)
);

/*
 * vmem_wait: a VMEM_SLEEP allocation of size bytes found no room and
 * goes to sleep until a free: one event per "wait" the arena counts.
 */
TRACE_EVENT(vmem_wait,
	    TP_PROTO(const struct vmem *vm, unsigned long size),
	    TP_ARGS(vm, size),
	    TP_STRUCT__entry(__field(const void *, arena)
			     __array(char, name, VMEM_TRACE_NAMELEN)
			     __field(unsigned long, size)),
	    TP_fast_assign(__entry->arena = vm;
			   strscpy(__entry->name, vm->vm_name,
				   VMEM_TRACE_NAMELEN);
			   __entry->size = size;),
	    TP_printk("arena=%s size=%#lx", __entry->name, __entry->size)
);

/*
 * Ranges moving between a quantum cache and its arena, a magazine's
 * worth at a time: the class of the quantum-cache events.  size is the
 * cache's (a multiple of the quantum), rounds the number of ranges.
 * Allocations and frees that a CPU's magazines serve have no event: the
 * cached fast path stays a few dozen instructions; these events are
 * where the caches and the segment layer meet, and with vmem_alloc,
 * vmem_xalloc and vmem_free they account for every "alloc" and "free"
 * the arena counts.
 */
DECLARE_EVENT_CLASS(vmem_qcache_rounds,
		    TP_PROTO(const struct vmem *vm, unsigned long size,
			     unsigned long rounds),
		    TP_ARGS(vm, size, rounds),
		    TP_STRUCT__entry(__field(const void *, arena)
				     __array(char, name, VMEM_TRACE_NAMELEN)
				     __field(unsigned long, size)
				     __field(unsigned long, rounds)),
		    TP_fast_assign(__entry->arena = vm;
				   strscpy(__entry->name, vm->vm_name,
					   VMEM_TRACE_NAMELEN);
				   __entry->size = size;
				   __entry->rounds = rounds;),
		    TP_printk("arena=%s size=%#lx rounds=%lu",
			      __entry->name, __entry->size, __entry->rounds)
);

/*
 * vmem_qcache_refill: a CPU's allocation missed its magazines and the
 * depot, and the cache of size bytes carved rounds ranges from the arena
 * in one locked section: one for the caller, the rest into a magazine.
 * The arena counts rounds allocations.
 */
DEFINE_EVENT(vmem_qcache_rounds, vmem_qcache_refill,
	     TP_PROTO(const struct vmem *vm, unsigned long size,
		      unsigned long rounds),
	     TP_ARGS(vm, size, rounds)
);

/*
 * vmem_qcache_drain: the cache of size bytes gave rounds ranges back to
 * the arena (a magazine the depot had no room for, a flush, the trim of
 * the depot, a CPU going offline, the arena's destruction).  The arena
 * counts rounds frees.
 */
DEFINE_EVENT(vmem_qcache_rounds, vmem_qcache_drain,
	     TP_PROTO(const struct vmem *vm, unsigned long size,
		      unsigned long rounds),
	     TP_ARGS(vm, size, rounds)
);

/*
 * vmem_qcache_flush: every CPU's magazines and the depot of the cache of
 * size bytes were emptied into the arena, rounds ranges in all: on
 * exhaustion (before an allocation fails or sleeps) or by
 * vmem_qcache_flush().  The drains it made have their own events.
 */
DEFINE_EVENT(vmem_qcache_rounds, vmem_qcache_flush,
	     TP_PROTO(const struct vmem *vm, unsigned long size,
		      unsigned long rounds),
	     TP_ARGS(vm, size, rounds)
);

#endif /* _TRACE_VMEM_H */

/* Found again as <trace/events/vmem.h>: see the top of this file. */
#include <trace/define_trace.h>
