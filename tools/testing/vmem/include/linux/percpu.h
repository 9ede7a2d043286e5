/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: dynamic per-CPU data.  As in the kernel, a __percpu
 * pointer plus a fixed per-CPU offset gives each CPU's copy, so
 * per_cpu_ptr() works on a pointer to any member of a per-CPU object.
 * Here the offset of CPU n is n * SHIM_PCPU_UNIT bytes into one zeroed
 * allocation per alloc_percpu(); an object must fit in a unit.
 *
 * Static per-CPU variables (DEFINE_PER_CPU) are not modelled: the shim
 * would need a linker section per CPU.  The this_cpu_*() operations are
 * plain read-modify-writes of the calling thread's CPU copy; the kernel
 * makes them safe against interrupts, which never come here.
 */
#ifndef _SHIM_LINUX_PERCPU_H
#define _SHIM_LINUX_PERCPU_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/smp.h>
#include <linux/cpumask.h>

#define SHIM_PCPU_UNIT		(64UL * 1024)

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void free_percpu(void __percpu *ptr);

#define __alloc_percpu(size, align)	__alloc_percpu_gfp(size, align, GFP_KERNEL)
#define alloc_percpu_gfp(type, gfp)					\
	((type __percpu *)__alloc_percpu_gfp(sizeof(type),		\
					     __alignof__(type), gfp))
#define alloc_percpu(type)		alloc_percpu_gfp(type, GFP_KERNEL)

#define per_cpu_ptr(ptr, cpu)						\
	((__typeof__(ptr))((char *)(ptr) + (size_t)(cpu) * SHIM_PCPU_UNIT))
#define raw_cpu_ptr(ptr)	per_cpu_ptr(ptr, raw_smp_processor_id())
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, smp_processor_id())
#define get_cpu_ptr(ptr)	({ preempt_disable(); this_cpu_ptr(ptr); })
#define put_cpu_ptr(ptr)	do { (void)(ptr); preempt_enable(); } while (0)
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))

#define this_cpu_read(pcp)		(*this_cpu_ptr(&(pcp)))
#define this_cpu_write(pcp, val)	(*this_cpu_ptr(&(pcp)) = (val))
#define this_cpu_add(pcp, val)		(*this_cpu_ptr(&(pcp)) += (val))
#define this_cpu_sub(pcp, val)		(*this_cpu_ptr(&(pcp)) -= (val))
#define this_cpu_inc(pcp)		this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)		this_cpu_sub(pcp, 1)
#define __this_cpu_read(pcp)		this_cpu_read(pcp)
#define __this_cpu_write(pcp, val)	this_cpu_write(pcp, val)
#define __this_cpu_add(pcp, val)	this_cpu_add(pcp, val)
#define __this_cpu_inc(pcp)		this_cpu_inc(pcp)
#define __this_cpu_dec(pcp)		this_cpu_dec(pcp)

#endif /* _SHIM_LINUX_PERCPU_H */
