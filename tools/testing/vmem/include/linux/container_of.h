/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SHIM_LINUX_CONTAINER_OF_H
#define _SHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>
#include <linux/build_bug.h>

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	_Static_assert(__builtin_types_compatible_p(typeof(*(ptr)),	\
			typeof(((type *)0)->member)) ||			\
		__builtin_types_compatible_p(typeof(*(ptr)), void),	\
		"pointer type mismatch in container_of()");		\
	((type *)(__mptr - offsetof(type, member))); })

#define container_of_const(ptr, type, member)	container_of(ptr, type, member)

#endif /* _SHIM_LINUX_CONTAINER_OF_H */
