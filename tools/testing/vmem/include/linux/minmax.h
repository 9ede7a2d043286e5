/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: min/max/clamp.  Each argument is evaluated once.  The
 * kernel's compile-time signedness checks are not repeated here (the
 * kernel build with W=1 does them); -Wsign-compare catches the rest.
 */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#define __shim_cmp(op, x, y) ({					\
	__auto_type __x = (x);						\
	__auto_type __y = (y);						\
	__x op __y ? __x : __y; })

#define min(x, y)		__shim_cmp(<, x, y)
#define max(x, y)		__shim_cmp(>, x, y)
#define min3(x, y, z)		min(min(x, y), z)
#define max3(x, y, z)		max(max(x, y), z)
#define min_t(type, x, y)	__shim_cmp(<, (type)(x), (type)(y))
#define max_t(type, x, y)	__shim_cmp(>, (type)(x), (type)(y))
#define umin(x, y)		min_t(unsigned long long, x, y)
#define umax(x, y)		max_t(unsigned long long, x, y)
#define clamp(val, lo, hi)	min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) \
	min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(__typeof__(val), val, lo, hi)

#define swap(a, b) do {						\
	__auto_type __tmp = (a);					\
	(a) = (b);							\
	(b) = __tmp;							\
} while (0)

#endif /* _SHIM_LINUX_MINMAX_H */
