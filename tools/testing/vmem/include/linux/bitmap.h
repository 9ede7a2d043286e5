/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: whole-bitmap operations, on top of linux/bitops.h. */
#ifndef _SHIM_LINUX_BITMAP_H
#define _SHIM_LINUX_BITMAP_H

#include <linux/bitops.h>
#include <linux/string.h>

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}

static inline unsigned int bitmap_weight(const unsigned long *src,
					 unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits / BITS_PER_LONG; i++)
		w += hweight_long(src[i]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[i] & (BIT_MASK(nbits) - 1));
	return w;
}

static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return bitmap_weight(src, nbits) == nbits;
}

#endif /* _SHIM_LINUX_BITMAP_H */
