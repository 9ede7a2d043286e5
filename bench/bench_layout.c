// SPDX-License-Identifier: GPL-2.0-only
/*
 * Layouts: the same arrangement of live pieces and holes in every
 * contender's arena, built through each allocator's exact placement.
 *
 * Every piece is placed, holes included, and the holes are freed at the
 * end: while pieces are placed the only free range is the one above (or
 * below) them, so no allocator searches anything while the layout grows,
 * and building N = 10^6 holes is linear.  Freeing a placed hole gives the
 * same arena as never filling it (free neighbours coalesce in vmem, a
 * bitmap only clears bits, an rbtree node goes away).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "vmem_bench.h"

static const char *const bench_layout_names[BL_NKINDS] = {
	[BL_HOLES1]	= "holes1",
	[BL_HOLES2]	= "holes2",
	[BL_TOP1]	= "top1",
	[BL_NEXT]	= "next",
	[BL_PACKED]	= "packed",
};

const char *bench_layout_name(enum bench_layout_kind kind)
{
	return bench_layout_names[kind];
}

unsigned long bench_layout_pieces(const struct bench_layout *l)
{
	switch (l->kind) {
	case BL_HOLES1:
	case BL_HOLES2:
		return 2 * l->n;
	case BL_TOP1:
		return l->n ? 2 * l->n + 1 : 0;
	case BL_NEXT:
		return 2 * l->n + 2;
	default:
		return l->n;
	}
}

/* Piece @p of layout @l: its offset, its size, and whether it is a hole. */
void bench_layout_piece(const struct bench_layout *l, unsigned long p,
			unsigned long *off, unsigned long *units, bool *hole)
{
	unsigned long q;

	*units = 1;
	*hole = false;
	switch (l->kind) {
	case BL_HOLES1:
		*off = p;
		*hole = !(p & 1);
		break;
	case BL_HOLES2:
		*off = 3 * (p / 2) + ((p & 1) ? 2 : 0);
		*units = (p & 1) ? 1 : 2;
		*hole = !(p & 1);
		break;
	case BL_TOP1:
		if (!p) {
			*off = l->units - 1;	/* the sentinel */
			break;
		}
		q = p - 1;
		*off = l->units - 2 - q;
		*hole = !(q & 1);
		break;
	case BL_NEXT:
		if (!p) {
			*off = 0;
			*units = 2;
			*hole = true;
		} else if (p <= 2 * l->n) {
			q = p - 1;
			*off = 2 + q;
			*hole = q & 1;
		} else {
			*off = 2 + 2 * l->n;
			*units = l->units - *off;
		}
		break;
	default:
		*off = p;
		break;
	}
}

/* Free segments (maximal free ranges) of a built layout. */
unsigned long bench_layout_free_runs(const struct bench_layout *l)
{
	return l->kind == BL_PACKED ? 1 : l->n + 1;
}

/* What [off, off + units) covers in layout @l. */
enum bench_where bench_layout_where(const struct bench_layout *l,
				    unsigned long off, unsigned long units)
{
	unsigned long n = l->n, lo;

	switch (l->kind) {
	case BL_HOLES1:
		if (off >= 2 * n)
			return BW_REST;
		return !(off & 1) && units == 1 ? BW_HOLE : BW_LIVE;
	case BL_HOLES2:
		if (off >= 3 * n)
			return BW_REST;
		return off % 3 + units <= 2 ? BW_HOLE : BW_LIVE;
	case BL_TOP1:
		if (!n)
			return BW_REST;
		lo = l->units - 1 - 2 * n;
		if (off + units <= lo)
			return BW_REST;
		if (off < lo || off >= l->units - 1 || units != 1)
			return BW_LIVE;
		return !((l->units - 2 - off) & 1) ? BW_HOLE : BW_LIVE;
	case BL_NEXT:
		if (off + units <= 2)
			return BW_HOLE;
		if (off >= 2 && off < 2 + 2 * n && ((off - 2) & 1) &&
		    units == 1)
			return BW_HOLE;
		return BW_LIVE;
	default:
		if (off < n)
			return BW_LIVE;
		return off == n ? BW_LOWEST : BW_REST;
	}
}

/*
 * A fresh arena of @ops over @units units (0: the default space), with
 * room for the handles of a layout of up to @max_pieces pieces.
 */
int bench_arena_create(struct bench_arena *a, const struct bench_ops *ops,
		       unsigned long units, unsigned long max_pieces)
{
	int err;

	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->name = "vmem_bench";
	a->sentinel = -1;
	a->base = ops->ids ? 0 : BENCH_BASE;
	a->unit = ops->ids ? 1 : BENCH_UNIT;
	a->units = units ?: (ops->ids ? BENCH_ID_UNITS : BENCH_UNITS);
	if (max_pieces) {
		a->live = kvmalloc_array(max_pieces, sizeof(*a->live),
					 GFP_KERNEL);
		if (!a->live)
			return -ENOMEM;
	}
	err = ops->create(a);
	if (err) {
		kvfree(a->live);
		a->live = NULL;
	}
	return err;
}

/*
 * Build layout @kind with @n holes (live units for PACKED) in a fresh
 * arena: place every piece, then free the holes; a->live keeps the live
 * pieces' handles and a->layout describes what was built.
 */
int bench_layout_build(struct bench_arena *a, enum bench_layout_kind kind,
		       unsigned long n)
{
	const struct bench_layout *l = &a->layout;
	unsigned long np, i, p, off, units, k;
	bool hole, reverse;
	int err;

	a->layout.kind = kind;
	a->layout.n = n;
	a->layout.units = a->units;
	np = bench_layout_pieces(l);
	if (np && !a->ops->place)
		return -EOPNOTSUPP;
	/* TOP1 pieces come highest first, the others lowest first */
	reverse = a->ops->place_down != (kind == BL_TOP1);
	for (i = 0; i < np; i++) {
		p = reverse ? np - 1 - i : i;
		bench_layout_piece(l, p, &off, &units, &hole);
		err = a->ops->place(a, off, units, &a->live[p]);
		if (err)
			goto unwind;
		if (!(i & 1023))
			cond_resched();
	}
	for (p = 0, k = 0; p < np; p++) {
		bench_layout_piece(l, p, &off, &units, &hole);
		if (hole) {
			a->ops->release(a, a->live[p], units);
		} else {
			if (l->kind == BL_TOP1 && !p)
				a->sentinel = k;
			a->live[k++] = a->live[p];
			a->live_units += units;
		}
		if (!(p & 1023))
			cond_resched();
	}
	a->nlive = k;
	return 0;

unwind:
	while (i--) {
		p = reverse ? np - 1 - i : i;
		bench_layout_piece(l, p, &off, &units, &hole);
		a->ops->release(a, a->live[p], units);
	}
	return err;
}

/* Free the live pieces of the layout, then the arena. */
void bench_arena_destroy(struct bench_arena *a)
{
	const struct bench_layout *l = &a->layout;
	unsigned long np = a->nlive ? bench_layout_pieces(l) : 0;
	unsigned long p, off, units, k = 0;
	bool hole;

	for (p = 0; p < np; p++) {
		bench_layout_piece(l, p, &off, &units, &hole);
		if (hole)
			continue;
		a->ops->release(a, a->live[k++], units);
		if (!(p & 1023))
			cond_resched();
	}
	a->nlive = 0;
	a->live_units = 0;
	a->ops->destroy(a);
	kvfree(a->live);
	a->live = NULL;
}
