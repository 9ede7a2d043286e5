/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: ktime_t, nanoseconds of the host's CLOCK_MONOTONIC
 * (ktime_get()).
 */
#ifndef _SHIM_LINUX_KTIME_H
#define _SHIM_LINUX_KTIME_H

#include <linux/types.h>
#include <linux/time64.h>

typedef s64 ktime_t;

#define KTIME_MAX		((s64)~((u64)1 << 63))

static inline ktime_t ns_to_ktime(u64 ns)
{
	return ns;
}

static inline ktime_t ms_to_ktime(u64 ms)
{
	return ms * NSEC_PER_MSEC;
}

static inline s64 ktime_to_ns(const ktime_t kt)
{
	return kt;
}

#define ktime_add(a, b)		((a) + (b))
#define ktime_sub(a, b)		((a) - (b))
#define ktime_add_ns(kt, ns)	((kt) + (ns))

ktime_t ktime_get(void);

#endif /* _SHIM_LINUX_KTIME_H */
