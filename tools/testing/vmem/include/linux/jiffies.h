/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: jiffies.  HZ is 1000 and jiffies is the host's
 * monotonic clock in milliseconds, read at each use; as in the kernel it
 * starts 5 minutes before wrapping its low 32 bits, so that a comparison
 * written without time_after() shows up.
 */
#ifndef _SHIM_LINUX_JIFFIES_H
#define _SHIM_LINUX_JIFFIES_H

#include <linux/types.h>
#include <linux/time64.h>

#define HZ			1000
#define INITIAL_JIFFIES		((unsigned long)(unsigned int)(-300 * HZ))
#define MAX_JIFFY_OFFSET	((LONG_MAX >> 1) - 1)

unsigned long shim_jiffies(void);
#define jiffies			shim_jiffies()

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)

static inline unsigned long msecs_to_jiffies(const unsigned int m)
{
	return m;
}

static inline unsigned int jiffies_to_msecs(const unsigned long j)
{
	return j;
}

static inline unsigned long usecs_to_jiffies(const unsigned int u)
{
	return (u + USEC_PER_MSEC - 1) / USEC_PER_MSEC;
}

#endif /* _SHIM_LINUX_JIFFIES_H */
