/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: rounding.  round_up()/round_down() need a power of two;
 * roundup()/rounddown() divide.  Like the kernel's, round_up() overflows
 * to 0 when x is within y - 1 of the type's top: callers must check.
 */
#ifndef _SHIM_LINUX_MATH_H
#define _SHIM_LINUX_MATH_H

#define __round_mask(x, y)	((__typeof__(x))((y) - 1))
#define round_up(x, y)		((((x) - 1) | __round_mask(x, y)) + 1)
#define round_down(x, y)	((x) & ~__round_mask(x, y))

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define roundup(x, y) ({				\
	__typeof__(y) __y = (y);			\
	(((x) + (__y - 1)) / __y) * __y; })
#define rounddown(x, y) ({				\
	__typeof__(x) __x = (x);			\
	__x - (__x % (y)); })

#define abs(x) __builtin_choose_expr(sizeof(x) == sizeof(long long),	\
		__builtin_llabs(x), __builtin_abs(x))

#endif /* _SHIM_LINUX_MATH_H */
