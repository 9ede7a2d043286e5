/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: attributes and annotations the kernel build provides to
 * every file through -include.  The Makefile force-includes this header
 * the same way, so the core needs no #include it would not need in the
 * kernel.  Sparse annotations (__acquires, __percpu, ...) expand to
 * nothing: sparse runs on the kernel build, not here.
 */
#ifndef _SHIM_LINUX_COMPILER_TYPES_H
#define _SHIM_LINUX_COMPILER_TYPES_H

#define __must_check		__attribute__((__warn_unused_result__))
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __noreturn		__attribute__((__noreturn__))
#define __cold			__attribute__((__cold__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __weak			__attribute__((__weak__))
#define __pure			__attribute__((__pure__))
#define __malloc		__attribute__((__malloc__))
#define fallthrough		__attribute__((__fallthrough__))

#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __cond_lock(x, c)	(c)
#define __percpu
#define __rcu
#define __iomem
#define __user
#define __force
#define __kernel
#define __bitwise
#define __private
#define __randomize_layout
#define __no_randomize_layout
#define notrace

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))
#define __is_constexpr(x)	__builtin_constant_p(x)

#endif /* _SHIM_LINUX_COMPILER_TYPES_H */
