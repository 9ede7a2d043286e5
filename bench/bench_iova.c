// SPDX-License-Identifier: GPL-2.0-only
/*
 * iova (drivers/iommu/iova.c): a domain of BENCH_UNITS page frames with a
 * 4 KiB granule, above the 32-bit boundary.  Rows: alloc_iova() and
 * __free_iova() on the rbtree, and alloc_iova_fast()/free_iova_fast()
 * with the per-CPU range caches.
 *
 * The rbtree search goes down from a cached node, which a free above it
 * moves up.  A plain allocate+free pair therefore starts where the last
 * one ended and does not show what the tree costs to search; the
 * "position reset" rows free and reallocate the live sentinel at the top
 * between timed pairs (untimed), so that every timed allocation searches
 * down from the top past the N holes under it, as the first allocation
 * after a free at the top does.
 *
 * Layouts are placed top-down with alloc_iova() capped at each piece:
 * reserve_iova() walks the tree from its first node on every call.
 */
#include <linux/errno.h>
#include <linux/iova.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include "vmem_bench.h"

static unsigned long bench_iova_base_pfn(struct bench_arena *a)
{
	return a->base / a->unit;
}

static int bench_iova_create_rc(struct bench_arena *a, bool rcaches)
{
	struct iova_domain *iovad = kzalloc(sizeof(*iovad), GFP_KERNEL);
	int err;

	if (!iovad)
		return -ENOMEM;
	init_iova_domain(iovad, a->unit, bench_iova_base_pfn(a));
	if (rcaches) {
		err = iova_domain_init_rcaches(iovad);
		if (err) {
			put_iova_domain(iovad);
			kfree(iovad);
			return err;
		}
	}
	a->priv = iovad;
	a->limit = bench_iova_base_pfn(a) + a->units - 1;
	return 0;
}

static int bench_iova_create(struct bench_arena *a)
{
	return bench_iova_create_rc(a, false);
}

static int bench_iova_rc_create(struct bench_arena *a)
{
	return bench_iova_create_rc(a, true);
}

static void bench_iova_destroy(struct bench_arena *a)
{
	put_iova_domain(a->priv);
	kfree(a->priv);
}

/* Pieces come highest first (ops->place_down): each lands right below. */
static int bench_iova_place(struct bench_arena *a, unsigned long off,
			    unsigned long units, unsigned long *h)
{
	unsigned long pfn = bench_iova_base_pfn(a) + off;
	struct iova *iova;

	iova = alloc_iova(a->priv, units, pfn + units - 1, false);
	if (!iova)
		return -ENOSPC;
	*h = (unsigned long)iova;
	if (iova->pfn_lo != pfn) {
		__free_iova(a->priv, iova);
		return -EBADMSG;
	}
	return 0;
}

static void bench_iova_release(struct bench_arena *a, unsigned long h,
			       unsigned long units)
{
	__free_iova(a->priv, (struct iova *)h);
}

static unsigned long bench_iova_offset(struct bench_arena *a, unsigned long h)
{
	return ((struct iova *)h)->pfn_lo - bench_iova_base_pfn(a);
}

/* The fast path hands out page frame numbers, not struct iova. */
static unsigned long bench_iova_pfn_offset(struct bench_arena *a,
					   unsigned long h)
{
	return h - bench_iova_base_pfn(a);
}

/* The tree itself, looked up with find_iova(): every piece and hole. */
static int bench_iova_check(struct bench_arena *a,
			    const struct bench_layout *l, char *buf,
			    size_t len)
{
	unsigned long np = bench_layout_pieces(l), p, off, units, k = 0;
	unsigned long found = 0, holes = 0, holes_free = 0;
	unsigned long base = bench_iova_base_pfn(a);
	struct iova *iova;
	bool hole;

	for (p = 0; p < np; p++) {
		bench_layout_piece(l, p, &off, &units, &hole);
		iova = find_iova(a->priv, base + off);
		if (hole) {
			holes++;
			holes_free += !iova;
		} else {
			found += iova && iova == (struct iova *)a->live[k] &&
				 iova->pfn_lo == base + off &&
				 iova_size(iova) == units;
			k++;
		}
		if (!(p & 1023))
			cond_resched();
	}
	snprintf(buf, len,
		 "find_iova: %lu of %lu live pieces in the tree, %lu of %lu holes not",
		 found, a->nlive, holes_free, holes);
	return found == a->nlive && k == a->nlive && holes_free == holes ?
	       0 : -EBADMSG;
}

const struct bench_ops bench_iova_ops = {
	.name		= "iova",
	.place_down	= true,
	.create		= bench_iova_create,
	.destroy	= bench_iova_destroy,
	.place		= bench_iova_place,
	.release	= bench_iova_release,
	.offset		= bench_iova_offset,
	.check		= bench_iova_check,
};

const struct bench_ops bench_iova_rc_ops = {
	.name		= "iova",
	.place_down	= true,
	.create		= bench_iova_rc_create,
	.destroy	= bench_iova_destroy,
	.place		= bench_iova_place,
	.release	= bench_iova_release,
	.offset		= bench_iova_pfn_offset,
	.check		= bench_iova_check,
};

/* ---- the pairs ---- */

static int bench_iova_alloc_aligned(struct bench_arena *a,
				    unsigned long units, bool size_aligned,
				    unsigned long *h)
{
	struct iova *iova = alloc_iova(a->priv, units, a->limit, size_aligned);

	if (!iova)
		return -ENOSPC;
	*h = (unsigned long)iova;
	return 0;
}

static int bench_iova_alloc(struct bench_arena *a, unsigned long units,
			    unsigned long *h)
{
	return bench_iova_alloc_aligned(a, units, false, h);
}

/* 16 pages, size-aligned: 64 KiB alignment */
static int bench_iova_alloc_sa(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_iova_alloc_aligned(a, units, true, h);
}

static void bench_iova_free(struct bench_arena *a, unsigned long h,
			    unsigned long units)
{
	__free_iova(a->priv, (struct iova *)h);
}

/*
 * Untimed, between pairs: free the sentinel at the top and take it back.
 * The free moves the cached node above the sentinel; the allocation lands
 * in the same frame and caches it; the next timed allocation searches
 * down from there.
 */
static void bench_iova_reset(struct bench_arena *a)
{
	struct iova *s;

	if (a->sentinel < 0)
		return;
	__free_iova(a->priv, (struct iova *)a->live[a->sentinel]);
	s = alloc_iova(a->priv, 1, a->limit, false);
	if (!s || s->pfn_lo != a->limit) {
		/* the layout is lost: keep the handle valid, fail the row */
		a->err = -EBADMSG;
		if (!s)
			s = alloc_iova(a->priv, 1, a->limit, false);
	}
	a->live[a->sentinel] = (unsigned long)s;
}

static int bench_iova_alloc_fast(struct bench_arena *a, unsigned long units,
				 unsigned long *h)
{
	*h = alloc_iova_fast(a->priv, units, a->limit, true);
	return *h ? 0 : -ENOSPC;
}

static void bench_iova_free_fast(struct bench_arena *a, unsigned long h,
				 unsigned long units)
{
	free_iova_fast(a->priv, h, units);
}

#define ALL_N		ULONG_MAX

const struct bench_row bench_iova_rows[] = {
	{
		.name = "iova alloc_iova", .req = "1u", .units = 1,
		.ops = &bench_iova_ops, .alloc = bench_iova_alloc,
		.free = bench_iova_free, .layouts = BL_BIT(BL_TOP1),
		.where = BW_HOLE, .nmax = ALL_N, .random = true,
	}, {
		.name = "iova alloc_iova", .req = "2u", .units = 2,
		.ops = &bench_iova_ops, .alloc = bench_iova_alloc,
		.free = bench_iova_free, .layouts = BL_BIT(BL_TOP1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "iova alloc_iova, position reset", .req = "2u",
		.units = 2, .ops = &bench_iova_ops, .alloc = bench_iova_alloc,
		.free = bench_iova_free, .between = bench_iova_reset,
		.layouts = BL_BIT(BL_TOP1), .where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "iova alloc_iova size-aligned", .req = "16u align 64K",
		.units = 16, .ops = &bench_iova_ops,
		.alloc = bench_iova_alloc_sa, .free = bench_iova_free,
		.layouts = BL_BIT(BL_TOP1), .where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "iova alloc_iova size-aligned, position reset",
		.req = "16u align 64K", .units = 16, .ops = &bench_iova_ops,
		.alloc = bench_iova_alloc_sa, .free = bench_iova_free,
		.between = bench_iova_reset, .layouts = BL_BIT(BL_TOP1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "iova alloc_iova_fast (rcache)", .req = "1u",
		.units = 1, .ops = &bench_iova_rc_ops,
		.alloc = bench_iova_alloc_fast, .free = bench_iova_free_fast,
		.layouts = BL_BIT(BL_HOLES1), .where = BW_ANY, .nmax = 0,
		.smp = true,
	},
};

const unsigned int bench_iova_nrows = ARRAY_SIZE(bench_iova_rows);
