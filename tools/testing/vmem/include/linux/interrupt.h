/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: interrupt context.  There are no interrupt handlers
 * to register; the contexts are those of IPIs (linux/smp.h) and timers
 * (linux/timer.h), see shim/irq.c.
 */
#ifndef _SHIM_LINUX_INTERRUPT_H
#define _SHIM_LINUX_INTERRUPT_H

#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/smp.h>

#endif /* _SHIM_LINUX_INTERRUPT_H */
