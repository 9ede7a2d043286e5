/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: interrupt flags.  No interrupt exists to be masked;
 * the flag is per thread (per virtual CPU) and only feeds the context
 * checks.  As in the kernel, @flags must be an unsigned long.
 */
#ifndef _SHIM_LINUX_IRQFLAGS_H
#define _SHIM_LINUX_IRQFLAGS_H

#include <linux/preempt.h>
#include <shim.h>

#define __shim_irqflags_check(flags)					\
	_Static_assert(__builtin_types_compatible_p(typeof(flags),	\
				unsigned long), "flags must be unsigned long")

#define local_irq_save(flags) do {					\
	__shim_irqflags_check(flags);					\
	(flags) = shim_task.shim_irqs_off;				\
	shim_task.shim_irqs_off = true;					\
	barrier();							\
} while (0)

#define local_irq_restore(flags) do {					\
	__shim_irqflags_check(flags);					\
	barrier();							\
	shim_task.shim_irqs_off = (flags) != 0;				\
	if (!shim_task.shim_irqs_off && !shim_task.shim_preempt)	\
		shim_migration_point();					\
} while (0)

#define local_irq_disable()	do { shim_task.shim_irqs_off = true; barrier(); } while (0)
#define local_irq_enable() do {						\
	barrier();							\
	shim_task.shim_irqs_off = false;				\
	if (!shim_task.shim_preempt)					\
		shim_migration_point();					\
} while (0)
#define irqs_disabled()		(shim_task.shim_irqs_off)
#define local_bh_disable()	preempt_disable()
#define local_bh_enable()	preempt_enable()

#endif /* _SHIM_LINUX_IRQFLAGS_H */
