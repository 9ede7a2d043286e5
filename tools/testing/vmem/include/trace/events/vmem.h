/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: vmem's trace events compile to nothing.  In the kernel
 * a disabled event is a static branch at its call site
 * (include/trace/events/vmem.h); the harness measures the core without
 * them.  The calls' arguments are still type-checked.
 */
#ifndef _SHIM_TRACE_EVENTS_VMEM_H
#define _SHIM_TRACE_EVENTS_VMEM_H

struct vmem;

#define VMEM_TRACE_NAMELEN	32

static inline void trace_vmem_alloc(const struct vmem *vm, unsigned long addr,
				    unsigned long size, unsigned int vmflags)
{
}

static inline void trace_vmem_xalloc(const struct vmem *vm,
				     unsigned long addr, unsigned long size,
				     unsigned long align, unsigned long phase,
				     unsigned long nocross,
				     unsigned long minaddr,
				     unsigned long maxaddr,
				     unsigned int vmflags)
{
}

static inline void trace_vmem_free(const struct vmem *vm, unsigned long addr,
				   unsigned long size)
{
}

static inline void trace_vmem_import(const struct vmem *vm,
				     unsigned long addr, unsigned long size)
{
}

static inline void trace_vmem_release(const struct vmem *vm,
				      unsigned long addr, unsigned long size)
{
}

static inline void trace_vmem_fail(const struct vmem *vm, unsigned long size,
				   unsigned int vmflags, int err)
{
}

static inline void trace_vmem_wait(const struct vmem *vm, unsigned long size)
{
}

static inline void trace_vmem_qcache_refill(const struct vmem *vm,
					    unsigned long size,
					    unsigned long rounds)
{
}

static inline void trace_vmem_qcache_drain(const struct vmem *vm,
					   unsigned long size,
					   unsigned long rounds)
{
}

static inline void trace_vmem_qcache_flush(const struct vmem *vm,
					   unsigned long size,
					   unsigned long rounds)
{
}

#endif /* _SHIM_TRACE_EVENTS_VMEM_H */
