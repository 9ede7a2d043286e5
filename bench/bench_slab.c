// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_cache_alloc()/kmem_cache_free() of 64-byte objects: the floor a
 * per-CPU cache can hope for.  A slab cache has no addresses to lay out:
 * a layout's pieces are plain objects (the holes are freed, so N live
 * objects sit among N freed ones), and no landing is checked.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include "vmem_bench.h"

#define BENCH_OBJ_SIZE	64

static int bench_slab_create(struct bench_arena *a)
{
	a->priv = kmem_cache_create("vmem_bench_obj64", BENCH_OBJ_SIZE, 0, 0,
				    NULL);
	return a->priv ? 0 : -ENOMEM;
}

static void bench_slab_destroy(struct bench_arena *a)
{
	kmem_cache_destroy(a->priv);
}

static int bench_slab_place(struct bench_arena *a, unsigned long off,
			    unsigned long units, unsigned long *h)
{
	void *obj = kmem_cache_alloc(a->priv, GFP_KERNEL);

	*h = (unsigned long)obj;
	return obj ? 0 : -ENOMEM;
}

static void bench_slab_release(struct bench_arena *a, unsigned long h,
			       unsigned long units)
{
	kmem_cache_free(a->priv, (void *)h);
}

static unsigned long bench_slab_offset(struct bench_arena *a, unsigned long h)
{
	return 0;
}

static int bench_slab_check(struct bench_arena *a,
			    const struct bench_layout *l, char *buf,
			    size_t len)
{
	snprintf(buf, len,
		 "kmem_cache: %lu live objects held (no allocator state to read)",
		 a->nlive);
	return a->nlive == (l->kind == BL_NEXT ? l->n + 1 : l->n) ?
	       0 : -EBADMSG;
}

const struct bench_ops bench_slab_ops = {
	.name		= "kmem_cache",
	.create		= bench_slab_create,
	.destroy	= bench_slab_destroy,
	.place		= bench_slab_place,
	.release	= bench_slab_release,
	.offset		= bench_slab_offset,
	.check		= bench_slab_check,
};

static int bench_slab_alloc(struct bench_arena *a, unsigned long units,
			    unsigned long *h)
{
	void *obj = kmem_cache_alloc(a->priv, GFP_NOWAIT);

	*h = (unsigned long)obj;
	return obj ? 0 : -ENOMEM;
}

static void bench_slab_free(struct bench_arena *a, unsigned long h,
			    unsigned long units)
{
	kmem_cache_free(a->priv, (void *)h);
}

const struct bench_row bench_slab_rows[] = {
	{
		.name = "kmem_cache_alloc", .req = "64 B", .units = 1,
		.ops = &bench_slab_ops, .alloc = bench_slab_alloc,
		.free = bench_slab_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_ANY, .nmax = ULONG_MAX, .smp = true,
	},
};

const unsigned int bench_slab_nrows = ARRAY_SIZE(bench_slab_rows);
