/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: the grab bag.  might_sleep() is checked (as with
 * CONFIG_DEBUG_ATOMIC_SLEEP): calling it with a spinlock held, with
 * interrupts off or in a simulated hard interrupt is a shim BUG, the
 * kernel's "BUG: sleeping function called from invalid context".
 */
#ifndef _SHIM_LINUX_KERNEL_H
#define _SHIM_LINUX_KERNEL_H

#include <stdarg.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/stringify.h>
#include <linux/build_bug.h>
#include <linux/container_of.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/align.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/kconfig.h>
#include <shim.h>

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
#define typecheck(type, x)	({ type __d1; __typeof__(x) __d2;	\
				   (void)(&__d1 == &__d2); 1; })
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))

#ifdef CONFIG_DEBUG_ATOMIC_SLEEP
#define might_sleep()		shim_might_sleep(__FILE__, __LINE__)
#else
#define might_sleep()		do { } while (0)
#endif
#define might_sleep_if(cond)	do { if (cond) might_sleep(); } while (0)
#define might_fault()		might_sleep()

/* Like vsnprintf(), but return what was written, not what was wanted. */
static inline __printf(3, 0) int vscnprintf(char *buf, size_t size,
					    const char *fmt, va_list args)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, args);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)(size - 1) : n;
}

static inline __printf(3, 4) int scnprintf(char *buf, size_t size,
					   const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

#endif /* _SHIM_LINUX_KERNEL_H */
