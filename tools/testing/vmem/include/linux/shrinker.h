/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: shrinkers.  The API is 6.7's (shrinker_alloc(),
 * shrinker_register(), shrinker_free(), private_data), or with
 * SHIM_SHRINKER_REGISTER defined, 6.1's (a struct shrinker the user
 * embeds, register_shrinker() and unregister_shrinker()), so that both
 * paths of a module that supports both run somewhere: the Makefile builds
 * the valgrind variant with the old one.  As in the kernel, only the new
 * API defines SHRINKER_ALLOCATED.
 *
 * There is no memory pressure: shim_shrink() (include/shim.h) calls every
 * registered shrinker as reclaim would, count first, then scan.
 * Unregistering waits for a scan in progress, as the kernel's does.
 */
#ifndef _SHIM_LINUX_SHRINKER_H
#define _SHIM_LINUX_SHRINKER_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/list.h>

struct shrink_control {
	gfp_t		gfp_mask;
	int		nid;
	unsigned long	nr_to_scan;
	unsigned long	nr_scanned;
};

#define SHRINK_STOP	(~0UL)
#define SHRINK_EMPTY	(~0UL - 1)
#define DEFAULT_SEEKS	2

struct shrinker {
	unsigned long	(*count_objects)(struct shrinker *s,
					 struct shrink_control *sc);
	unsigned long	(*scan_objects)(struct shrinker *s,
					struct shrink_control *sc);
	long		batch;
	int		seeks;
	unsigned int	flags;
#ifndef SHIM_SHRINKER_REGISTER
	void		*private_data;
#endif
	struct list_head shim_list;	/* on the registered list, or empty */
	char		shim_name[32];
};

#ifdef SHIM_SHRINKER_REGISTER
/* 6.1: the caller's shrinker; returns 0 or -ENOMEM. */
int register_shrinker(struct shrinker *shrinker, const char *fmt, ...)
	__printf(2, 3);
void unregister_shrinker(struct shrinker *shrinker);
#else
/* shrinker_alloc() made it: the API of 6.7 on */
#define SHRINKER_ALLOCATED	(1U << 3)

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
	__printf(2, 3);
void shrinker_register(struct shrinker *shrinker);
void shrinker_free(struct shrinker *shrinker);
#endif

#endif /* _SHIM_LINUX_SHRINKER_H */
