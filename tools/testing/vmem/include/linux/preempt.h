/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: preemption and context.  Nothing is ever preempted by
 * the shim: preempt_disable() only counts, so that might_sleep() can
 * tell atomic context from process context (see include/shim.h).  Hard
 * and soft interrupt context are states of the thread that runs an IPI
 * or a timer callback (shim/irq.c).
 *
 * migrate_disable() keeps the thread on its CPU without making it atomic,
 * as in the kernel: it may sleep.  With CPU hotplug (CONFIG_HOTPLUG_CPU),
 * a thread whose CPU went offline moves to another one at its next
 * migration point, where the kernel could have preempted and migrated it:
 * the end of a preempt-off or irqs-off section, migrate_enable(),
 * might_sleep(), a sleep (shim/cpu.c).
 */
#ifndef _SHIM_LINUX_PREEMPT_H
#define _SHIM_LINUX_PREEMPT_H

#include <shim.h>

#ifdef CONFIG_HOTPLUG_CPU
extern unsigned long shim_cpu_hotplug_seq;
void shim_cpu_migrate(void);

/* Cheap unless a CPU went or came since this thread last looked. */
#define shim_migration_point() do {					\
	if (unlikely(__atomic_load_n(&shim_cpu_hotplug_seq,		\
				     __ATOMIC_RELAXED) !=		\
		     shim_task.shim_cpu_seq))				\
		shim_cpu_migrate();					\
} while (0)
#else
#define shim_migration_point()	do { } while (0)
#endif

#define preempt_count()		(shim_task.shim_preempt)
#define preempt_disable()	do { shim_task.shim_preempt++; barrier(); } while (0)
#define preempt_enable() do {						\
	barrier();							\
	if (--shim_task.shim_preempt == 0)				\
		shim_migration_point();					\
} while (0)
#define preempt_enable_no_resched()	preempt_enable()
#define migrate_disable()	do { shim_task.shim_migrate++; barrier(); } while (0)
#define migrate_enable() do {						\
	barrier();							\
	if (--shim_task.shim_migrate == 0)				\
		shim_migration_point();					\
} while (0)

#define in_hardirq()		(shim_task.shim_hardirq != 0)
#define in_irq()		in_hardirq()
#define in_serving_softirq()	(shim_task.shim_softirq != 0)
#define in_softirq()		in_serving_softirq()
#define in_interrupt()		(in_hardirq() || in_serving_softirq())
#define in_task()		(!in_interrupt())
#define in_atomic()		(preempt_count() != 0 || in_interrupt())
#define preemptible()		(!in_atomic() && !shim_task.shim_irqs_off)

#endif /* _SHIM_LINUX_PREEMPT_H */
