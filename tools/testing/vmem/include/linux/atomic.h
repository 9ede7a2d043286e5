/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: atomics.  Plain reads and sets are relaxed; the value-
 * returning read-modify-write operations are fully ordered, as in the
 * kernel (Documentation/atomic_t.txt); the void ones are relaxed.
 */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

#include <linux/types.h>

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }

#define __SHIM_ATOMIC_OPS(pfx, atype, vtype)				\
static inline vtype pfx##_read(const atype *v)				\
{									\
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);		\
}									\
static inline void pfx##_set(atype *v, vtype i)				\
{									\
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);		\
}									\
static inline void pfx##_add(vtype i, atype *v)				\
{									\
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);		\
}									\
static inline void pfx##_sub(vtype i, atype *v)				\
{									\
	__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);		\
}									\
static inline void pfx##_inc(atype *v)					\
{									\
	pfx##_add(1, v);						\
}									\
static inline void pfx##_dec(atype *v)					\
{									\
	pfx##_sub(1, v);						\
}									\
static inline vtype pfx##_add_return(vtype i, atype *v)		\
{									\
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vtype pfx##_sub_return(vtype i, atype *v)		\
{									\
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vtype pfx##_fetch_add(vtype i, atype *v)			\
{									\
	return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vtype pfx##_inc_return(atype *v)				\
{									\
	return pfx##_add_return(1, v);					\
}									\
static inline vtype pfx##_dec_return(atype *v)				\
{									\
	return pfx##_sub_return(1, v);					\
}									\
static inline bool pfx##_dec_and_test(atype *v)			\
{									\
	return pfx##_sub_return(1, v) == 0;				\
}									\
static inline bool pfx##_inc_and_test(atype *v)			\
{									\
	return pfx##_add_return(1, v) == 0;				\
}									\
static inline vtype pfx##_xchg(atype *v, vtype i)			\
{									\
	return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline vtype pfx##_cmpxchg(atype *v, vtype old, vtype new)	\
{									\
	__atomic_compare_exchange_n(&v->counter, &old, new, false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); \
	return old;							\
}									\
static inline bool pfx##_try_cmpxchg(atype *v, vtype *old, vtype new)	\
{									\
	return __atomic_compare_exchange_n(&v->counter, old, new, false, \
					   __ATOMIC_SEQ_CST,		\
					   __ATOMIC_RELAXED);		\
}

__SHIM_ATOMIC_OPS(atomic, atomic_t, int)
__SHIM_ATOMIC_OPS(atomic_long, atomic_long_t, long)
__SHIM_ATOMIC_OPS(atomic64, atomic64_t, s64)

#define xchg(ptr, v)	__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#define cmpxchg(ptr, old, new) ({					\
	__typeof__(*(ptr)) __old = (old);				\
	__atomic_compare_exchange_n((ptr), &__old, (new), false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); \
	__old; })

#endif /* _SHIM_LINUX_ATOMIC_H */
