// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_pool (lib/genalloc.c): one chunk of BENCH_UNITS pages, one bit per
 * page (min_alloc_order 12).  Rows pass their algorithm to
 * gen_pool_alloc_algo(): first fit, best fit, first fit with alignment.
 * Layouts are placed with gen_pool_fixed_alloc().
 */
#include <linux/errno.h>
#include <linux/genalloc.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/numa.h>
#include <linux/sizes.h>
#include "vmem_bench.h"

static int bench_genpool_create(struct bench_arena *a)
{
	struct gen_pool *pool;
	int err;

	pool = gen_pool_create(ilog2(BENCH_UNIT), NUMA_NO_NODE);
	if (!pool)
		return -ENOMEM;
	err = gen_pool_add(pool, a->base, a->units * a->unit, NUMA_NO_NODE);
	if (err) {
		gen_pool_destroy(pool);
		return err;
	}
	a->priv = pool;
	return 0;
}

static void bench_genpool_destroy(struct bench_arena *a)
{
	gen_pool_destroy(a->priv);
}

static int bench_genpool_place(struct bench_arena *a, unsigned long off,
			       unsigned long units, unsigned long *h)
{
	struct genpool_data_fixed fixed = { .offset = off * a->unit };

	*h = gen_pool_alloc_algo(a->priv, units * a->unit,
				 gen_pool_fixed_alloc, &fixed);
	return *h == a->base + off * a->unit ? 0 : -ENOSPC;
}

static void bench_genpool_release(struct bench_arena *a, unsigned long h,
				  unsigned long units)
{
	gen_pool_free(a->priv, h, units * a->unit);
}

static unsigned long bench_genpool_offset(struct bench_arena *a,
					  unsigned long h)
{
	return (h - a->base) / a->unit;
}

/* The pool's own counters: its size, and what is left free. */
static int bench_genpool_check(struct bench_arena *a,
			       const struct bench_layout *l, char *buf,
			       size_t len)
{
	size_t avail = gen_pool_avail(a->priv), size = gen_pool_size(a->priv);
	size_t want = (a->units - a->live_units) * a->unit;

	snprintf(buf, len,
		 "gen_pool_avail: %zu units free (want %zu), gen_pool_size %zu units",
		 avail / a->unit, want / a->unit, size / a->unit);
	return avail == want && size == a->units * a->unit ? 0 : -EBADMSG;
}

static long bench_genpool_usage(struct bench_arena *a)
{
	return (gen_pool_size(a->priv) - gen_pool_avail(a->priv)) / a->unit;
}

const struct bench_ops bench_genpool_ops = {
	.name		= "gen_pool",
	.create		= bench_genpool_create,
	.destroy	= bench_genpool_destroy,
	.place		= bench_genpool_place,
	.release	= bench_genpool_release,
	.offset		= bench_genpool_offset,
	.check		= bench_genpool_check,
	.usage		= bench_genpool_usage,
};

/* ---- the pairs ---- */

static __always_inline int bench_genpool_alloc_algo(struct bench_arena *a,
						    unsigned long units,
						    genpool_algo_t algo,
						    void *data,
						    unsigned long *h)
{
	*h = gen_pool_alloc_algo(a->priv, units * BENCH_UNIT, algo, data);
	return *h ? 0 : -ENOSPC;
}

static int bench_genpool_alloc_ff(struct bench_arena *a, unsigned long units,
				  unsigned long *h)
{
	return bench_genpool_alloc_algo(a, units, gen_pool_first_fit, NULL, h);
}

static int bench_genpool_alloc_bf(struct bench_arena *a, unsigned long units,
				  unsigned long *h)
{
	return bench_genpool_alloc_algo(a, units, gen_pool_best_fit, NULL, h);
}

static int bench_genpool_alloc_align(struct bench_arena *a,
				     unsigned long units, unsigned long *h)
{
	struct genpool_data_align align = { .align = SZ_64K };

	return bench_genpool_alloc_algo(a, units, gen_pool_first_fit_align,
					&align, h);
}

static void bench_genpool_free(struct bench_arena *a, unsigned long h,
			       unsigned long units)
{
	gen_pool_free(a->priv, h, units * BENCH_UNIT);
}

#define ALL_N		ULONG_MAX

const struct bench_row bench_genpool_rows[] = {
	{
		.name = "gen_pool first-fit", .req = "1u", .units = 1,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_ff,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_HOLE, .nmax = ALL_N, .smp = true, .random = true,
	}, {
		.name = "gen_pool first-fit", .req = "2u", .units = 2,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_ff,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "gen_pool best-fit", .req = "1u", .units = 1,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_bf,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_HOLE, .nmax = ALL_N, .random = true,
	}, {
		.name = "gen_pool best-fit", .req = "2u", .units = 2,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_bf,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "gen_pool best-fit", .req = "3u", .units = 3,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_bf,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES2),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "gen_pool first-fit", .req = "3u", .units = 3,
		.ops = &bench_genpool_ops, .alloc = bench_genpool_alloc_ff,
		.free = bench_genpool_free, .layouts = BL_BIT(BL_HOLES2),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "gen_pool first_fit_align", .req = "16u align 64K",
		.units = 16, .ops = &bench_genpool_ops,
		.alloc = bench_genpool_alloc_align, .free = bench_genpool_free,
		.layouts = BL_BIT(BL_HOLES1), .where = BW_REST, .nmax = ALL_N,
	},
};

const unsigned int bench_genpool_nrows = ARRAY_SIZE(bench_genpool_rows);
