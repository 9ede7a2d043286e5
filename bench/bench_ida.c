// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDA (lib/idr.c): ida_alloc_range() over [0, INT_MAX], the lowest
 * free ID, and ida_free().  Layouts are placed with ida_alloc_range() of
 * exactly one ID.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include "vmem_bench.h"

static int bench_ida_create(struct bench_arena *a)
{
	struct ida *ida = kzalloc(sizeof(*ida), GFP_KERNEL);

	if (!ida)
		return -ENOMEM;
	ida_init(ida);
	a->priv = ida;
	return 0;
}

static void bench_ida_destroy(struct bench_arena *a)
{
	ida_destroy(a->priv);
	kfree(a->priv);
}

static int bench_ida_place(struct bench_arena *a, unsigned long off,
			   unsigned long units, unsigned long *h)
{
	int id;

	if (units != 1 || off > INT_MAX)
		return -EINVAL;
	id = ida_alloc_range(a->priv, off, off, GFP_KERNEL);
	if (id < 0)
		return id;
	*h = id;
	return 0;
}

static void bench_ida_release(struct bench_arena *a, unsigned long h,
			      unsigned long units)
{
	ida_free(a->priv, h);
}

static unsigned long bench_ida_offset(struct bench_arena *a, unsigned long h)
{
	return h;
}

/*
 * The IDA keeps no count.  Its own answers stand for one: the lowest free
 * ID is the layout's (N after PACKED, so 0 .. N-1 are all taken), the
 * first and last live IDs are refused, and the IDA is empty at N = 0.
 */
static int bench_ida_check(struct bench_arena *a, const struct bench_layout *l,
			   char *buf, size_t len)
{
	unsigned long want = l->kind == BL_PACKED ? l->n : 0;
	struct ida *ida = a->priv;
	int lowest, first = -ENOSPC, last = -ENOSPC;
	bool ok;

	lowest = ida_alloc_range(ida, 0, INT_MAX, GFP_KERNEL);
	if (lowest >= 0)
		ida_free(ida, lowest);
	if (a->nlive) {
		first = ida_alloc_range(ida, a->live[0], a->live[0],
					GFP_KERNEL);
		if (first >= 0)
			ida_free(ida, first);
		last = ida_alloc_range(ida, a->live[a->nlive - 1],
				       a->live[a->nlive - 1], GFP_KERNEL);
		if (last >= 0)
			ida_free(ida, last);
	}
	ok = lowest >= 0 && lowest == want && first == -ENOSPC &&
	     last == -ENOSPC && ida_is_empty(ida) == !a->nlive;
	snprintf(buf, len,
		 "ida_alloc: lowest free %d (want %lu); first and last live IDs taken: %s; ida_is_empty %d",
		 lowest, want,
		 first == -ENOSPC && last == -ENOSPC ? "yes" : "no",
		 ida_is_empty(ida));
	return ok ? 0 : -EBADMSG;
}

const struct bench_ops bench_ida_ops = {
	.name		= "ida",
	.ids		= true,
	.create		= bench_ida_create,
	.destroy	= bench_ida_destroy,
	.place		= bench_ida_place,
	.release	= bench_ida_release,
	.offset		= bench_ida_offset,
	.check		= bench_ida_check,
};

/* ---- the pair ---- */

static int bench_ida_alloc(struct bench_arena *a, unsigned long units,
			   unsigned long *h)
{
	int id = ida_alloc_range(a->priv, 0, INT_MAX, GFP_NOWAIT);

	if (id < 0)
		return id;
	*h = id;
	return 0;
}

static void bench_ida_free(struct bench_arena *a, unsigned long h,
			   unsigned long units)
{
	ida_free(a->priv, h);
}

const struct bench_row bench_ida_rows[] = {
	{
		.name = "IDA ida_alloc_range", .req = "1 ID, lowest",
		.units = 1, .ops = &bench_ida_ops, .alloc = bench_ida_alloc,
		.free = bench_ida_free, .layouts = BL_BIT(BL_PACKED),
		.where = BW_LOWEST, .nmax = ULONG_MAX, .smp = true,
	},
};

const unsigned int bench_ida_nrows = ARRAY_SIZE(bench_ida_rows);
