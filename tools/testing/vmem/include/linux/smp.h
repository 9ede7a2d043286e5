/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: a thread's CPU is the number it was given with
 * shim_set_cpu() (0 by default).  Tests that stand threads in for CPUs
 * give each its own number; nothing stops two threads from claiming the
 * same one, which the kernel would never do, so the per-CPU data of a
 * CPU shared that way is protected only by local locks (which are real
 * locks here, see linux/local_lock.h).
 */
#ifndef _SHIM_LINUX_SMP_H
#define _SHIM_LINUX_SMP_H

#include <linux/preempt.h>
#include <shim.h>

#define raw_smp_processor_id()	(shim_task.shim_cpu)
#define smp_processor_id()	raw_smp_processor_id()
#define get_cpu()		({ preempt_disable(); smp_processor_id(); })
#define put_cpu()		preempt_enable()

typedef void (*smp_call_func_t)(void *info);

/*
 * Run @func(@info) on @cpu in hard interrupt context (another thread
 * standing in for that CPU's IPI handler; on the calling CPU, the caller
 * with interrupts off), and with @wait return only when it has run.
 * Return: 0, or -ENXIO for a CPU that is not online.
 */
int smp_call_function_single(int cpu, smp_call_func_t func, void *info,
			     int wait);

#endif /* _SHIM_LINUX_SMP_H */
