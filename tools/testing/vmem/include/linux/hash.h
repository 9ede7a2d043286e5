/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: multiplicative (Fibonacci) hashing with the kernel's
 * constants, so that bucket distribution, and so chain lengths in the
 * benchmark, are the kernel's.
 */
#ifndef _SHIM_LINUX_HASH_H
#define _SHIM_LINUX_HASH_H

#include <linux/types.h>

#define GOLDEN_RATIO_32 0x61C88647u
#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static inline u32 hash_32(u32 val, unsigned int bits)
{
	return (val * GOLDEN_RATIO_32) >> (32 - bits);
}

static __always_inline u32 hash_64(u64 val, unsigned int bits)
{
	return (u32)((val * GOLDEN_RATIO_64) >> (64 - bits));
}

#if BITS_PER_LONG == 64
#define hash_long(val, bits)	hash_64(val, bits)
#else
#define hash_long(val, bits)	hash_32(val, bits)
#endif

static inline u32 hash_ptr(const void *ptr, unsigned int bits)
{
	return hash_long((unsigned long)ptr, bits);
}

#endif /* _SHIM_LINUX_HASH_H */
