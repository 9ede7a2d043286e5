/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: get_random_*() come from a seeded generator
 * (shim_random_seed()), so that a failing run can be replayed.  Not
 * cryptographic; vmem only seeds tests with it.
 */
#ifndef _SHIM_LINUX_RANDOM_H
#define _SHIM_LINUX_RANDOM_H

#include <linux/types.h>

u64 get_random_u64(void);
void get_random_bytes(void *buf, size_t len);

static inline u32 get_random_u32(void)
{
	return (u32)get_random_u64();
}

static inline unsigned long get_random_long(void)
{
	return (unsigned long)get_random_u64();
}

/* Uniform in [0, ceil), ceil > 0. */
static inline u32 get_random_u32_below(u32 ceil)
{
	return (u32)(((u64)get_random_u32() * ceil) >> 32);
}

#endif /* _SHIM_LINUX_RANDOM_H */
