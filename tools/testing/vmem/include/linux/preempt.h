/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: preemption and context.  Nothing is ever preempted by
 * the shim: preempt_disable() only counts, so that might_sleep() can
 * tell atomic context from process context (see include/shim.h).  Hard
 * and soft interrupt context are states of the thread that runs an IPI
 * or a timer callback (shim/irq.c).
 */
#ifndef _SHIM_LINUX_PREEMPT_H
#define _SHIM_LINUX_PREEMPT_H

#include <shim.h>

#define preempt_count()		(shim_task.shim_preempt)
#define preempt_disable()	do { shim_task.shim_preempt++; barrier(); } while (0)
#define preempt_enable()	do { barrier(); shim_task.shim_preempt--; } while (0)
#define preempt_enable_no_resched()	preempt_enable()
#define migrate_disable()	preempt_disable()
#define migrate_enable()	preempt_enable()

#define in_hardirq()		(shim_task.shim_hardirq != 0)
#define in_irq()		in_hardirq()
#define in_serving_softirq()	(shim_task.shim_softirq != 0)
#define in_softirq()		in_serving_softirq()
#define in_interrupt()		(in_hardirq() || in_serving_softirq())
#define in_task()		(!in_interrupt())
#define in_atomic()		(preempt_count() != 0 || in_interrupt())
#define preemptible()		(!in_atomic() && !shim_task.shim_irqs_off)

#endif /* _SHIM_LINUX_PREEMPT_H */
