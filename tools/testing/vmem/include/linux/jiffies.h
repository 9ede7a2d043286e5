/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: ticks.  Nothing counts them: delays of delayed work are
 * not timed (see linux/workqueue.h); HZ only sizes them.
 */
#ifndef _SHIM_LINUX_JIFFIES_H
#define _SHIM_LINUX_JIFFIES_H

#define HZ			250
#define msecs_to_jiffies(ms)	((unsigned long)(ms) * HZ / 1000)

#endif /* _SHIM_LINUX_JIFFIES_H */
