// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_arena: creating arenas, spans, allocating and freeing,
 * every split and coalesce shape, walks, sizes, statistics, the ends of
 * the address space, the hash table, destroying with leaks.
 *
 * Diagrams show one span in quanta: A = allocated, . = free.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL	/* base of the usual span */

static void vmem_arena_create_empty(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "empty", 0, 0, K, 0);
	struct vmem_stats st;
	unsigned long addr;

	KUNIT_EXPECT_EQ(test, vmem_quantum(vm), K);
	KUNIT_EXPECT_STREQ(test, vmem_name(vm), "empty");
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	VKT_EXPECT_NO_SEGS(test, vm, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &addr), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, K, 0, 0, 0, 0, VMEM_ADDR_MAX, VMEM_NOSLEEP,
					  &addr), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, 0, 1));
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nspans, 0UL);
	KUNIT_EXPECT_EQ(test, st.nsegs, 0UL);
	KUNIT_EXPECT_EQ(test, st.nalloc, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nfail, 2ULL);
	VKT_EXPECT_CHECK(test, vm);
}

static void vmem_arena_create_span(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "span", B, 0x100000, K, 0);
	struct vmem_stats st;

	VKT_EXPECT_SIZES(test, vm, 0, 0x100000);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { B, 0x100000 });
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 0x100000 });
	VKT_EXPECT_NO_SEGS(test, vm, VMEM_ALLOC);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_total, 0x100000UL);
	KUNIT_EXPECT_EQ(test, st.mem_free, 0x100000UL);
	KUNIT_EXPECT_EQ(test, st.mem_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, st.mem_import, 0UL);
	KUNIT_EXPECT_EQ(test, st.nspans, 1UL);
	KUNIT_EXPECT_EQ(test, st.nsegs, 2UL);	/* span header + free */
	VKT_EXPECT_CHECK(test, vm);
}

/* The name is copied (and truncated to the arena's buffer). */
static void vmem_arena_name(struct kunit *test)
{
	char name[64];
	struct vmem *vm;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name, "long", 4);
	vm = vkt_create(test, name, 0, 0, 1, 0);
	memset(name, 'y', 8);
	KUNIT_EXPECT_EQ(test, strlen(vmem_name(vm)),
			(size_t)VMEM_NAMELEN - 1);
	KUNIT_EXPECT_EQ(test, strncmp(vmem_name(vm), "longxxxx", 8), 0);
}

/* The public creation flags are taken. */
static void vmem_arena_create_flags(struct kunit *test)
{
	static const unsigned int flags[] = {
		VMC_NO_QCACHE, VMC_IDENTIFIER, VMC_NO_QCACHE | VMC_IDENTIFIER,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct vmem *vm = vkt_create(test, "flags", B, 16 * K, K,
					     flags[i]);

		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, VMEM_NOSLEEP), B);
		vmem_free(vm, B, K);
		VKT_EXPECT_CHECK(test, vm);
	}
}

/*
 * Spans touching each other stay separate: no segment, free or
 * allocated, crosses from one into the next.
 */
static void vmem_arena_add_adjacent_spans(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "adjacent", 0, 0, K, 0);
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, vmem_add(vm, 0x10000, 0x4000, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, 0x14000, 0x4000, VMEM_NOSLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, 0x8000, 0x8000, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, B, K, VMEM_SLEEP), 0);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN,
			{ 0x8000, 0x8000 }, { 0x10000, 0x4000 },
			{ 0x14000, 0x4000 }, { B, K });
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE,
			{ 0x8000, 0x8000 }, { 0x10000, 0x4000 },
			{ 0x14000, 0x4000 }, { B, K });
	VKT_EXPECT_SIZES(test, vm, 0, 0x11000);

	/* Only the first span holds 0x8000; the next two together would. */
	addr = vkt_alloc(test, vm, 0x8000, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, addr, 0x8000UL);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 0x8000, VMEM_NOSLEEP, &addr),
			-ENOSPC);
	/* From 0x13000 up, 0x2000 does not fit before the span boundary. */
	addr = vkt_xalloc(test, vm, 0x2000, 0, 0, 0, 0x13000, VMEM_ADDR_MAX,
			  VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, addr, 0x14000UL);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, 0x8000, 0x8000);
	vmem_xfree(vm, 0x14000, 0x2000);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE,
			{ 0x8000, 0x8000 }, { 0x10000, 0x4000 },
			{ 0x14000, 0x4000 }, { B, K });
	VKT_EXPECT_CHECK(test, vm);
}

/* Sizes are rounded up to the quantum, at allocation and at free. */
static void vmem_arena_rounding(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "round", 0x800, 0x800, 8, 0);
	unsigned long a, b;

	a = vkt_alloc(test, vm, 1, VMEM_SLEEP | VMEM_FIRSTFIT);
	b = vkt_alloc(test, vm, 9, VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, 0x800UL);
	KUNIT_EXPECT_EQ(test, b, 0x808UL);
	VKT_EXPECT_SIZES(test, vm, 24, 0x800 - 24);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 0x800, 8 }, { 0x808, 16 });
	vmem_free(vm, a, 8);	/* 1 was asked; 8 rounds the same */
	vmem_free(vm, b, 12);	/* 9 was asked; 12 rounds the same */
	VKT_EXPECT_SIZES(test, vm, 0, 0x800);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- split shapes ---- */

enum vkt_how { BY_FIRSTFIT, BY_TOPDOWN, BY_WINDOW };

struct split_case {
	const char	*name;
	unsigned int	off;	/* in quanta */
	unsigned int	len;
	enum vkt_how	how;
	unsigned long	nsegs;	/* span header included */
};

/*
 * A 16-quantum span; the allocation is carved from its one free segment:
 *   exact  AAAAAAAAAAAAAAAA   left   AAAA............
 *   right  ............AAAA   middle ......AAAA......
 */
static const struct split_case split_cases[] = {
	{ "exact_alloc", 0, 16, BY_FIRSTFIT, 2 },
	{ "exact_window", 0, 16, BY_WINDOW, 2 },
	{ "left_firstfit", 0, 4, BY_FIRSTFIT, 3 },
	{ "left_window", 0, 4, BY_WINDOW, 3 },
	{ "right_topdown", 12, 4, BY_TOPDOWN, 3 },
	{ "right_window", 12, 4, BY_WINDOW, 3 },
	{ "middle_window", 6, 4, BY_WINDOW, 4 },
	{ "middle_one_quantum", 1, 1, BY_WINDOW, 4 },
};

KUNIT_ARRAY_PARAM_DESC(split, split_cases, name);

static void vmem_arena_split(struct kunit *test)
{
	const struct split_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "split", B, 16 * K, K, 0);
	unsigned long start = B + c->off * K, size = c->len * K, addr;
	struct vkt_seg want[2], got[4];
	struct vmem_stats st;
	unsigned int n = 0, i;

	switch (c->how) {
	case BY_FIRSTFIT:
		addr = vkt_alloc(test, vm, size, VMEM_NOSLEEP | VMEM_FIRSTFIT);
		break;
	case BY_TOPDOWN:
		addr = vkt_alloc(test, vm, size, VMEM_NOSLEEP | VMEM_TOPDOWN);
		break;
	default:
		addr = vkt_xalloc(test, vm, size, 0, 0, 0, start,
				  start + size - 1, VMEM_NOSLEEP);
		break;
	}
	KUNIT_EXPECT_EQ(test, addr, start);
	VKT_EXPECT_SIZES(test, vm, size, 16 * K - size);

	if (c->off)
		want[n++] = (struct vkt_seg){ B, c->off * K };
	if (c->off + c->len < 16)
		want[n++] = (struct vkt_seg){ start + size,
					      (16 - c->off - c->len) * K };
	KUNIT_EXPECT_EQ(test, vkt_walk(vm, VMEM_FREE, got, 4), n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, got[i].start, want[i].start);
		KUNIT_EXPECT_EQ(test, got[i].size, want[i].size);
	}
	KUNIT_EXPECT_EQ(test, vkt_walk(vm, VMEM_ALLOC, got, 4), 1U);
	KUNIT_EXPECT_EQ(test, got[0].start, start);
	KUNIT_EXPECT_EQ(test, got[0].size, size);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nsegs, c->nsegs);
	VKT_EXPECT_CHECK(test, vm);

	if (c->how == BY_WINDOW)
		vmem_xfree(vm, addr, size);
	else
		vmem_free(vm, addr, size);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 16 * K });
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nsegs, 2UL);
	KUNIT_EXPECT_EQ(test, st.nfree, 1ULL);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- coalesce shapes ---- */

struct coalesce_case {
	const char	*name;
	unsigned int	prefree;	/* bits 0..3: segments freed first */
	struct vkt_seg	free[3];	/* free segments after freeing B */
	unsigned int	nfree;
	unsigned long	nsegs;
};

/*
 * Four allocations fill an 8-quantum span: AABBCCDD.  Some neighbours of
 * B are freed first, then B, which must merge with each free neighbour:
 *   none  AA..CCDD   left  ....CCDD   right  AA....DD   both  ......DD
 * and the span's last segment: free D with C free, then all of it.
 */
static const struct coalesce_case coalesce_cases[] = {
	{ "none", 0x0, { { B + 2 * K, 2 * K } }, 1, 5 },
	{ "left", 0x1, { { B, 4 * K } }, 1, 4 },
	{ "right", 0x4, { { B + 2 * K, 4 * K } }, 1, 4 },
	{ "both", 0x5, { { B, 6 * K } }, 1, 3 },
	{ "both_and_end", 0xd, { { B, 8 * K } }, 1, 2 },
	{ "apart", 0x8, { { B + 2 * K, 2 * K }, { B + 6 * K, 2 * K } },
	  2, 5 },
};

KUNIT_ARRAY_PARAM_DESC(coalesce, coalesce_cases, name);

static void vmem_arena_coalesce(struct kunit *test)
{
	const struct coalesce_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "coalesce", B, 8 * K, K, 0);
	struct vkt_seg got[4];
	struct vmem_stats st;
	unsigned int i, nfreed = 1;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, 2 * K,
						VMEM_NOSLEEP | VMEM_FIRSTFIT),
				B + 2 * K * i);
	VKT_EXPECT_NO_SEGS(test, vm, VMEM_FREE);
	for (i = 0; i < 4; i++) {
		if (!(c->prefree & (1U << i)))
			continue;
		vmem_free(vm, B + 2 * K * i, 2 * K);
		nfreed++;
		VKT_EXPECT_CHECK(test, vm);
	}
	vmem_free(vm, B + 2 * K, 2 * K);
	KUNIT_EXPECT_EQ(test, vkt_walk(vm, VMEM_FREE, got, 4), c->nfree);
	for (i = 0; i < c->nfree; i++) {
		KUNIT_EXPECT_EQ(test, got[i].start, c->free[i].start);
		KUNIT_EXPECT_EQ(test, got[i].size, c->free[i].size);
	}
	VKT_EXPECT_SIZES(test, vm, (4 - nfreed) * 2 * K, nfreed * 2 * K);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nsegs, c->nsegs);
	VKT_EXPECT_CHECK(test, vm);

	for (i = 0; i < 4; i++)
		if (i != 1 && !(c->prefree & (1U << i)))
			vmem_free(vm, B + 2 * K * i, 2 * K);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 8 * K });
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- walks ---- */

/* AA.B..CC in 8 quanta, with sizes that differ. */
static struct vmem *vkt_fragmented(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "frag", B, 8 * K, K, 0);
	unsigned long a;

	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_ASSERT_EQ(test, a, B);
	a = vkt_xalloc(test, vm, K, 0, 0, 0, B + 3 * K, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_ASSERT_EQ(test, a, B + 3 * K);
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_ASSERT_EQ(test, a, B + 6 * K);
	return vm;
}

static void vmem_arena_walk(struct kunit *test)
{
	struct vmem *vm = vkt_fragmented(test);

	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC,
			{ B, 2 * K }, { B + 3 * K, K }, { B + 6 * K, 2 * K });
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE,
			{ B + 2 * K, K }, { B + 4 * K, 2 * K });
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC | VMEM_FREE,
			{ B, 2 * K }, { B + 2 * K, K }, { B + 3 * K, K },
			{ B + 4 * K, 2 * K }, { B + 6 * K, 2 * K });
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { B, 8 * K });
	VKT_EXPECT_NO_SEGS(test, vm, 0);
}

struct walk_free_ctx {
	struct vmem	*vm;
	unsigned int	calls;
	unsigned long	allocated;
	int		err;
};

/* Frees every allocated segment it is shown: the walk holds no lock. */
static void walk_free_cb(void *arg, unsigned long addr, unsigned long size)
{
	struct walk_free_ctx *ctx = arg;

	ctx->calls++;
	vmem_free(ctx->vm, addr, size);
}

/* Allocates while being shown the free segments. */
static void walk_alloc_cb(void *arg, unsigned long addr, unsigned long size)
{
	struct walk_free_ctx *ctx = arg;
	unsigned long a;

	ctx->calls++;
	if (!ctx->err && !ctx->allocated)
		ctx->err = vmem_alloc(ctx->vm, K, VMEM_SLEEP | VMEM_FIRSTFIT,
				      &ctx->allocated);
	/* The callback may sleep too: no lock is held around it. */
	might_sleep();
	usleep_range(500, 1000);
	if (!ctx->err && vmem_alloc(ctx->vm, size, VMEM_NOSLEEP, &a) == 0)
		vmem_free(ctx->vm, a, size);
}

static void vmem_arena_walk_modify(struct kunit *test)
{
	struct walk_free_ctx ctx = { };

	ctx.vm = vkt_fragmented(test);
	vmem_walk(ctx.vm, VMEM_ALLOC, walk_free_cb, &ctx);
	/* Segments ahead of the walk were not touched: all three seen. */
	KUNIT_EXPECT_EQ(test, ctx.calls, 3U);
	VKT_EXPECT_SIZES(test, ctx.vm, 0, 8 * K);
	VKT_EXPECT_SEGS(test, ctx.vm, VMEM_FREE, { B, 8 * K });
	VKT_EXPECT_CHECK(test, ctx.vm);

	ctx.calls = 0;
	vmem_walk(ctx.vm, VMEM_FREE, walk_alloc_cb, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.err, 0);
	KUNIT_EXPECT_GE(test, ctx.calls, 1U);
	KUNIT_EXPECT_EQ(test, ctx.allocated, B);
	VKT_EXPECT_SIZES(test, ctx.vm, K, 7 * K);
	VKT_EXPECT_CHECK(test, ctx.vm);
	vmem_free(ctx.vm, ctx.allocated, K);
	VKT_EXPECT_CHECK(test, ctx.vm);
}

/* ---- contains ---- */

struct contains_case {
	const char	*name;
	unsigned long	addr;
	unsigned long	size;
	bool		want;
};

#define TOP	(ULONG_MAX - K + 1)	/* the last page of the space */

/* Spans: [0x10000, +0x4000), [0x14000, +0x4000), [TOP, +K). */
static const struct contains_case contains_cases[] = {
	{ "inside", 0x11000, K, true },
	{ "whole_span", 0x10000, 0x4000, true },
	{ "one_integer", 0x13fff, 1, true },
	{ "unaligned", 0x10001, 2, true },
	{ "across_adjacent_spans", 0x13000, 0x2000, false },
	{ "before", 0xf000, K, false },
	{ "straddle_start", 0xffff, 2, false },
	{ "past_end", 0x18000, 1, false },
	{ "straddle_end", 0x17fff, 2, false },
	{ "empty", 0x11000, 0, false },
	{ "top_page", TOP, K, true },
	{ "last_integer", ULONG_MAX, 1, true },
	{ "wraps", TOP, 2 * K, false },
	{ "everything", 0, ULONG_MAX, false },
	{ "zero", 0, 1, false },
};

KUNIT_ARRAY_PARAM_DESC(contains, contains_cases, name);

static void vmem_arena_contains(struct kunit *test)
{
	const struct contains_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "contains", 0x10000, 0x4000, K, 0);

	KUNIT_ASSERT_EQ(test, vmem_add(vm, 0x14000, 0x4000, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, TOP, K, VMEM_SLEEP), 0);
	KUNIT_EXPECT_EQ_MSG(test, vmem_contains(vm, c->addr, c->size), c->want,
			    "vmem_contains(%#lx, %#lx)", c->addr, c->size);
}

/* ---- sizes and statistics ---- */

static void vmem_arena_sizes_and_stats(struct kunit *test)
{
	struct vmem *vm = vkt_fragmented(test);
	struct vmem_stats st;
	unsigned long addr;

	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 5 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_FREE), 3 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 8 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC | VMEM_FREE),
			8 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC | VMEM_SPAN),
			13 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, 0), 0UL);

	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 3 * K, VMEM_NOSLEEP, &addr),
			-ENOSPC);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_inuse, 5 * K);
	KUNIT_EXPECT_EQ(test, st.mem_free, 3 * K);
	KUNIT_EXPECT_EQ(test, st.mem_total, 8 * K);
	KUNIT_EXPECT_EQ(test, st.nalloc, 3ULL);
	KUNIT_EXPECT_EQ(test, st.nfree, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nfail, 1ULL);
	KUNIT_EXPECT_EQ(test, st.nwait, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nimport, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nbadfree, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nspans, 1UL);
	/* span header, 3 allocated, 2 free */
	KUNIT_EXPECT_EQ(test, st.nsegs, 6UL);
	KUNIT_EXPECT_LE(test, st.tags_reserved, (unsigned long)VMEM_RESERVE_MAX);
	/* three allocations fit the table embedded in the arena */
	KUNIT_EXPECT_EQ(test, st.hash_buckets, 1UL << VMEM_HASH_MIN_SHIFT);

	vmem_free(vm, B, 2 * K);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nfree, 1ULL);
	KUNIT_EXPECT_EQ(test, st.nsegs, 5UL);	/* B + 2K merged left */
}

/* Allocation and free calls pair up: each pairing frees what it made. */
static void vmem_arena_free_pairings(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "pairs", B, 16 * K, K, 0);
	unsigned long a, x;

	a = vkt_alloc(test, vm, 3 * K, VMEM_SLEEP);
	x = vkt_xalloc(test, vm, 2 * K, 4 * K, K, 0, 0, VMEM_ADDR_MAX, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, x % (4 * K), K);
	VKT_EXPECT_SIZES(test, vm, 5 * K, 11 * K);
	vmem_free(vm, a, 3 * K);
	VKT_EXPECT_SIZES(test, vm, 2 * K, 14 * K);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { x, 2 * K });
	vmem_xfree(vm, x, 2 * K);
	VKT_EXPECT_SIZES(test, vm, 0, 16 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- quanta ---- */

struct quantum_case {
	const char	*name;
	unsigned long	quantum;
	unsigned long	base;
	unsigned long	nq;	/* span size in quanta */
};

static const struct quantum_case quantum_cases[] = {
	{ "q1", 1, 1, 64 },
	{ "q2", 2, 2, 64 },
	{ "q8", 8, 0, 64 },
	{ "q4k", K, B, 64 },
	{ "q1m", 1UL << 20, 1UL << 30, 64 },
	{ "q_huge", 1UL << (BITS_PER_LONG - 24), 1UL << (BITS_PER_LONG - 24),
	  64 },
	{ "q_top_quarter", 1UL << (BITS_PER_LONG - 2),
	  1UL << (BITS_PER_LONG - 2), 3 },
	{ "q_half_top", 1UL << (BITS_PER_LONG - 1), 1UL << (BITS_PER_LONG - 1),
	  1 },
	{ "q_half_bottom", 1UL << (BITS_PER_LONG - 1), 0, 1 },
};

KUNIT_ARRAY_PARAM_DESC(quantum, quantum_cases, name);

static void vmem_arena_quantum(struct kunit *test)
{
	const struct quantum_case *c = test->param_value;
	unsigned long q = c->quantum, size = c->nq * q, a, b = 0;
	struct vmem *vm = vkt_create(test, "quantum", c->base, size, q, 0);

	KUNIT_EXPECT_EQ(test, vmem_quantum(vm), q);
	/* One integer rounds up to a quantum, at the bottom of the span. */
	a = vkt_alloc(test, vm, 1, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, c->base);
	VKT_EXPECT_SIZES(test, vm, q, size - q);
	if (c->nq >= 3) {
		/* q + 1 rounds up to 2 quanta, taken from the top. */
		b = vkt_alloc(test, vm, q + 1, VMEM_NOSLEEP | VMEM_TOPDOWN);
		KUNIT_EXPECT_EQ(test, b, c->base + size - 2 * q);
		KUNIT_EXPECT_EQ(test, b & (q - 1), 0UL);
		VKT_EXPECT_SIZES(test, vm, 3 * q, size - 3 * q);
		vmem_free(vm, b, q + 1);
	} else {
		KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 1, VMEM_NOSLEEP, &b),
				-ENOSPC);
	}
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, a, 1);
	VKT_EXPECT_SIZES(test, vm, 0, size);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { c->base, size });
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- the ends of the address space ---- */

/* A span whose last integer is ULONG_MAX. */
static void vmem_arena_top_of_range(struct kunit *test)
{
	unsigned long base = ULONG_MAX - 16 * K + 1, a, i;
	struct vmem *vm = vkt_create(test, "top", base, 16 * K, K, 0);
	struct vmem *vm2 = vkt_create(test, "top_add", 0, 0, K, 0);

	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, TOP);
	for (i = 0; i < 15; i++)
		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K,
						VMEM_NOSLEEP | VMEM_FIRSTFIT),
				base + i * K);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &a), -ENOSPC);
	VKT_EXPECT_SIZES(test, vm, 16 * K, 0);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, TOP, K);
	for (i = 0; i < 15; i++)
		vmem_free(vm, base + i * K, K);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { base, 16 * K });
	a = vkt_alloc(test, vm, 16 * K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, base);
	vmem_free(vm, a, 16 * K);
	VKT_EXPECT_CHECK(test, vm);

	/* The same span added later, and a span of the one last page. */
	KUNIT_EXPECT_EQ(test, vmem_add(vm2, TOP, K, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm2, ULONG_MAX, 1));
	a = vkt_alloc(test, vm2, 1, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, TOP);
	vmem_free(vm2, a, 1);
	VKT_EXPECT_CHECK(test, vm2);
}

/* Address 0 is an ordinary address. */
static void vmem_arena_bottom_of_range(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "bottom", 0, 16 * K, K, 0);
	unsigned long a;

	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, 0UL);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, 0, K));
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 0, K });
	vmem_free(vm, 0, K);
	VKT_EXPECT_SIZES(test, vm, 0, 16 * K);
	a = vkt_xalloc(test, vm, K, 1UL << (BITS_PER_LONG - 1), 0, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, 0UL);
	vmem_xfree(vm, a, K);
	VKT_EXPECT_CHECK(test, vm);
}

/* The largest span there is: ULONG_MAX integers, quantum 1. */
static void vmem_arena_largest_span(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "largest", 0, ULONG_MAX, 1, 0);
	unsigned long a;

	VKT_EXPECT_SIZES(test, vm, 0, ULONG_MAX);
	a = vkt_alloc(test, vm, ULONG_MAX, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, 0UL);
	VKT_EXPECT_SIZES(test, vm, ULONG_MAX, 0);
	vmem_free(vm, a, ULONG_MAX);
	a = vkt_alloc(test, vm, ULONG_MAX - 1, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, 1UL);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 1, VMEM_NOSLEEP), 0UL);
	VKT_EXPECT_SIZES(test, vm, ULONG_MAX, 0);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, 0, 1);
	vmem_free(vm, 1, ULONG_MAX - 1);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, ULONG_MAX });
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * A span that ends at ULONG_MAX, and one added just below it: the edges
 * of vmem_contains(), allocations reaching each.
 */
static void vmem_arena_top_span_and_below(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "top_below", TOP, K, K, 0);
	unsigned long a, b;

	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, TOP, K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, TOP, 2 * K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, TOP, 0));
	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, TOP);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 1, VMEM_NOSLEEP, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, TOP - K, K, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, TOP - K, K, VMEM_NOSLEEP), -EINVAL);
	b = vkt_alloc(test, vm, 1, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, b, TOP - K);
	vmem_free(vm, a, K);
	vmem_free(vm, b, 1);
	VKT_EXPECT_SIZES(test, vm, 0, 2 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * Two spans of 2^(BITS_PER_LONG - 1) hold every integer: 2^BITS_PER_LONG
 * of them, one more than an unsigned long holds.  The sizes saturate at
 * ULONG_MAX instead of wrapping to 0, and an arena holding all of it is
 * not mistaken for an empty one.
 */
static void vmem_arena_whole_space(struct kunit *test)
{
	const unsigned long h = 1UL << (BITS_PER_LONG - 1);
	struct vmem *vm = vkt_create(test, "whole", 0, h, h, 0);
	struct vmem_stats st;
	unsigned long a, b;

	KUNIT_ASSERT_EQ(test, vmem_add(vm, h, h, VMEM_SLEEP), 0);
	VKT_EXPECT_SIZES(test, vm, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), ULONG_MAX);
	a = vkt_alloc(test, vm, h, VMEM_NOSLEEP);
	VKT_EXPECT_SIZES(test, vm, h, h);
	b = vkt_alloc(test, vm, h, VMEM_NOSLEEP);
	KUNIT_EXPECT_NE(test, a, b);
	VKT_EXPECT_SIZES(test, vm, ULONG_MAX, 0);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_inuse, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, st.mem_total, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, st.mem_free, 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC | VMEM_SPAN),
			ULONG_MAX);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, a, h);
	vmem_free(vm, b, h);
	VKT_EXPECT_SIZES(test, vm, 0, ULONG_MAX);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * Every integer, as two spans of quantum 2^(BITS_PER_LONG - 1).  The
 * number of integers, 2^BITS_PER_LONG, does not fit an unsigned long:
 * the size saturates at ULONG_MAX.
 */
static void vmem_arena_whole_space_two_spans(struct kunit *test)
{
	unsigned long h = 1UL << (BITS_PER_LONG - 1), a, b;
	struct vmem *vm = vkt_create(test, "whole_space", 0, 0, h, 0);

	KUNIT_ASSERT_EQ(test, vmem_add(vm, h, h, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, 0, h, VMEM_SLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), ULONG_MAX);
	a = vkt_alloc(test, vm, 1, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, h);
	b = vkt_alloc(test, vm, h, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, b, 0UL);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 1, VMEM_NOSLEEP, &b), -ENOSPC);
	/* A size that rounds past ULONG_MAX. */
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, h + 1, VMEM_NOSLEEP, &b),
			-EINVAL);
	vmem_free(vm, a, h);
	vmem_free(vm, 0, h);
	VKT_EXPECT_CHECK(test, vm);
}

/* Every integer with quantum 1: [0, ULONG_MAX) and [ULONG_MAX, +1). */
static void vmem_arena_every_integer(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "every_integer", 0, ULONG_MAX, 1, 0);
	unsigned long a, b;

	KUNIT_ASSERT_EQ(test, vmem_add(vm, ULONG_MAX, 1, VMEM_SLEEP), 0);
	a = vkt_alloc(test, vm, 1, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, ULONG_MAX);
	/* The highest aligned 16 below ULONG_MAX, which is taken. */
	b = vkt_xalloc(test, vm, 16, 16, 0, 16, ULONG_MAX - 100, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, b, ULONG_MAX - 31);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, 0, ULONG_MAX));
	vmem_free(vm, a, 1);
	vmem_xfree(vm, b, 16);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- walks whose callbacks change the arena ---- */

struct walk_mutate_ctx {
	struct vmem	*vm;
	unsigned long	limit;		/* the first 40 allocations end here */
	unsigned int	calls;
	unsigned long	last;
	bool		ordered;
	bool		check_failed;
	unsigned long	extra[16];
	unsigned int	nextra;
};

static void walk_mutate_cb(void *arg, unsigned long start, unsigned long size)
{
	struct walk_mutate_ctx *w = arg;

	if (w->calls++ && start <= w->last)
		w->ordered = false;
	w->last = start;
	/* The walk holds no lock: even the checker may run. */
	if (w->calls % 8 == 1 && vmem_check(w->vm))
		w->check_failed = true;
	/* Ranges this callback allocated may be shown too: keep them. */
	if (start >= w->limit)
		return;
	/* Free what is shown, and allocate elsewhere. */
	vmem_free(w->vm, start, size);
	if (w->nextra < ARRAY_SIZE(w->extra) &&
	    vmem_alloc(w->vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN,
		       &w->extra[w->nextra]) == 0)
		w->nextra++;
}

/* Forty allocations freed, and others made, by the walk's callback. */
static void vmem_arena_walk_mutating(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "walk_mutate", 0, 256 * K, K, 0);
	struct walk_mutate_ctx w = { .vm = vm, .ordered = true };
	unsigned int i;

	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, K,
						VMEM_NOSLEEP | VMEM_FIRSTFIT),
				i * K);
	w.limit = 40 * K;
	vmem_walk(vm, VMEM_ALLOC, walk_mutate_cb, &w);
	KUNIT_EXPECT_TRUE_MSG(test, w.ordered, "callbacks out of address order");
	KUNIT_EXPECT_FALSE_MSG(test, w.check_failed,
			       "vmem_check() failed inside the walk");
	KUNIT_EXPECT_GE(test, w.calls, 40U);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < w.nextra; i++)
		vmem_free(vm, w.extra[i], K);
	VKT_EXPECT_SIZES(test, vm, 0, 256 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- the hash table of allocated segments ---- */

#define HASH_N	2048

/* Wait up to 5 s for the rescale work to bring the table to @buckets. */
static unsigned long wait_buckets(struct vmem *vm, bool grow,
				  unsigned long buckets)
{
	struct vmem_stats st;
	int i;

	for (i = 0; i < 250; i++) {
		vmem_get_stats(vm, &st);
		if (grow ? st.hash_buckets >= buckets :
			   st.hash_buckets <= buckets)
			break;
		msleep(20);
	}
	return st.hash_buckets;
}

static void vmem_arena_hash_rescale(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "hash", 0, HASH_N * 2, 1, 0);
	unsigned long *addrs, i, buckets;
	struct vmem_stats st;

	addrs = kunit_kmalloc_array(test, HASH_N, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addrs);
	for (i = 0; i < HASH_N; i++)
		addrs[i] = vkt_alloc(test, vm, 1, VMEM_SLEEP | VMEM_FIRSTFIT);
	/*
	 * 2048 allocated segments get 512 to 2048 buckets: one to four
	 * segments a bucket (the rescale runs while they are allocated),
	 * at most a pointer per allocated segment.
	 */
	buckets = wait_buckets(vm, true, HASH_N / 4);
	KUNIT_EXPECT_GE(test, buckets, (unsigned long)HASH_N / 4);
	KUNIT_EXPECT_LE(test, buckets, (unsigned long)HASH_N);
	VKT_EXPECT_CHECK(test, vm);
	/* Frees must find every segment through the new table. */
	for (i = 0; i < HASH_N; i += 2)
		vmem_free(vm, addrs[i], 1);
	VKT_EXPECT_SIZES(test, vm, HASH_N / 2, HASH_N * 3 / 2);
	for (i = 1; i < HASH_N; i += 2)
		vmem_free(vm, addrs[i], 1);
	KUNIT_EXPECT_EQ(test, wait_buckets(vm, false,
					   1UL << VMEM_HASH_MIN_SHIFT),
			1UL << VMEM_HASH_MIN_SHIFT);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_GE(test, st.hash_rescales, 2ULL);
	KUNIT_EXPECT_EQ(test, st.nbadfree, 0ULL);
	VKT_EXPECT_SIZES(test, vm, 0, HASH_N * 2);
	VKT_EXPECT_CHECK(test, vm);
}

#define HASH_BIG	5200

/*
 * The table grown in steps, each waited for, so that it rescales at
 * least once per step, to a size within a small factor of the load; then
 * emptied in another order than it was filled, back to the embedded
 * table, and the arena coalesced back into one free segment.
 */
static void vmem_arena_hash_rescale_steps(struct kunit *test)
{
	/*
	 * Each step goes beyond four times the table the step before can
	 * leave (the limit that queues a rescale), and waits for more
	 * buckets than that table has.
	 */
	static const unsigned long steps[] = { 80, 320, 1280, HASH_BIG };
	struct vmem *vm = vkt_create(test, "hash_steps", 0, 2 * HASH_BIG, 1, 0);
	unsigned long *addrs, i = 0, s;
	struct vmem_stats st;

	addrs = kunit_kmalloc_array(test, HASH_BIG, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addrs);
	for (s = 0; s < ARRAY_SIZE(steps); s++) {
		for (; i < steps[s]; i++)
			addrs[i] = vkt_alloc(test, vm, 1 + i % 2, VMEM_NOSLEEP);
		KUNIT_EXPECT_GE(test, wait_buckets(vm, true, steps[s] / 2),
				steps[s] / 2);
	}
	vmem_get_stats(vm, &st);
	/* one to four allocated segments a bucket */
	KUNIT_EXPECT_LE(test, st.hash_buckets, (unsigned long)HASH_BIG);
	KUNIT_EXPECT_GE(test, st.hash_buckets, HASH_BIG / 4UL);
	KUNIT_EXPECT_GE(test, st.hash_rescales, 4ULL);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < HASH_BIG; i += 2)
		vmem_free(vm, addrs[i], 1);
	for (i = HASH_BIG - 1; i < HASH_BIG; i -= 2)
		vmem_free(vm, addrs[i], 2);
	KUNIT_EXPECT_EQ(test, wait_buckets(vm, false,
					   1UL << VMEM_HASH_MIN_SHIFT),
			1UL << VMEM_HASH_MIN_SHIFT);
	VKT_EXPECT_CHECK(test, vm);
	KUNIT_EXPECT_EQ_MSG(test, vkt_alloc(test, vm, 2 * HASH_BIG,
					    VMEM_NOSLEEP), 0UL,
			    "the arena did not coalesce back into one segment");
	vmem_free(vm, 0, 2 * HASH_BIG);
}

/* ---- destroying ---- */

/*
 * An arena destroyed with allocations outstanding reports them (pr_err,
 * not a warning) and gives its imported spans back: the source must end
 * up whole, which the source's counters show.
 */
static void vmem_arena_destroy_with_leaks(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "leak_src", B, 256 * K, K, 0);
	struct vmem *plain, *child;
	struct vmem_stats st;
	unsigned long a;
	int i;

	child = vmem_create("leak_child", 0, 0, K, vmem_alloc, vmem_free, src,
			    0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, child);
	for (i = 0; i < 20; i++)
		a = vkt_alloc(test, child, (i % 3 + 1) * K, VMEM_SLEEP);
	KUNIT_EXPECT_GT(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	vmem_destroy(child);
	VKT_EXPECT_SIZES(test, src, 0, 256 * K);
	vmem_get_stats(src, &st);
	KUNIT_EXPECT_EQ(test, st.nalloc, st.nfree);
	VKT_EXPECT_CHECK(test, src);

	plain = vmem_create("leak_plain", B, 16 * K, K, NULL, NULL, NULL, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, plain);
	a = vkt_alloc(test, plain, K, VMEM_SLEEP);
	a = vkt_xalloc(test, plain, K, 4 * K, 0, 0, 0, VMEM_ADDR_MAX, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, a % (4 * K), 0UL);
	vmem_destroy(plain);

	/* NULL and error pointers are ignored, as kfree() ignores NULL. */
	vmem_destroy(NULL);
	vmem_destroy(ERR_PTR(-EINVAL));
	vmem_idspace_destroy(NULL);
	VKT_EXPECT_CHECK(test, src);
}

/* A VMEM_SLEEP allocation with room does not wait. */
static void vmem_arena_sleep_with_room(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "room", B, 4 * K, K, 0);
	struct vmem_stats st;
	unsigned long a;

	a = vkt_alloc(test, vm, 4 * K, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, a, B);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nwait, 0ULL);
	vmem_free(vm, a, 4 * K);
}

static struct kunit_case vmem_arena_cases[] = {
	KUNIT_CASE(vmem_arena_create_empty),
	KUNIT_CASE(vmem_arena_create_span),
	KUNIT_CASE(vmem_arena_name),
	KUNIT_CASE(vmem_arena_create_flags),
	KUNIT_CASE(vmem_arena_add_adjacent_spans),
	KUNIT_CASE(vmem_arena_rounding),
	KUNIT_CASE_PARAM(vmem_arena_split, split_gen_params),
	KUNIT_CASE_PARAM(vmem_arena_coalesce, coalesce_gen_params),
	KUNIT_CASE(vmem_arena_walk),
	KUNIT_CASE(vmem_arena_walk_modify),
	KUNIT_CASE_PARAM(vmem_arena_contains, contains_gen_params),
	KUNIT_CASE(vmem_arena_sizes_and_stats),
	KUNIT_CASE(vmem_arena_free_pairings),
	KUNIT_CASE_PARAM(vmem_arena_quantum, quantum_gen_params),
	KUNIT_CASE(vmem_arena_top_of_range),
	KUNIT_CASE(vmem_arena_bottom_of_range),
	KUNIT_CASE(vmem_arena_largest_span),
	KUNIT_CASE(vmem_arena_top_span_and_below),
	KUNIT_CASE(vmem_arena_whole_space),
	KUNIT_CASE(vmem_arena_whole_space_two_spans),
	KUNIT_CASE(vmem_arena_every_integer),
	KUNIT_CASE(vmem_arena_walk_mutating),
	KUNIT_CASE(vmem_arena_hash_rescale),
	KUNIT_CASE_SLOW(vmem_arena_hash_rescale_steps),
	KUNIT_CASE(vmem_arena_destroy_with_leaks),
	KUNIT_CASE(vmem_arena_sleep_with_room),
	{}
};

static struct kunit_suite vmem_arena_suite = {
	.name = "vmem_arena",
	.test_cases = vmem_arena_cases,
};

kunit_test_suites(&vmem_arena_suite);
