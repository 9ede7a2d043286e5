/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: shrinkers, with the 6.7+ API (shrinker_alloc(),
 * private_data).  There is no memory pressure: shim_shrink() calls every
 * registered shrinker as reclaim would, so that tests can.
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

/* shrinker_alloc() made it: the API of 6.7 on */
#define SHRINKER_ALLOCATED	(1U << 3)

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
	void		*private_data;
	struct list_head shim_list;
	char		shim_name[32];
};

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
	__printf(2, 3);
void shrinker_register(struct shrinker *shrinker);
void shrinker_free(struct shrinker *shrinker);

/*
 * Ask every registered shrinker to scan up to @nr objects; returns the
 * objects they freed.
 */
unsigned long shim_shrink(unsigned long nr);

#endif /* _SHIM_LINUX_SHRINKER_H */
