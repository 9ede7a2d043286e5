// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_leaf: identifier leaves (vmem/vmem_leaf.c).  An
 * identifier arena without source or quantum caches hands out single
 * identifiers by next fit and first fit from up to VMEM_NLEAVES bitmap
 * runs of up to BITS_PER_LONG quanta, each one allocated segment.  What
 * a client sees must be exactly what the segment layer alone would give:
 * the same identifiers in the same order, the same counters, the same
 * walk; every other request dissolves the leaves first.  The cases check
 * that, the leaves' own layout (which slot, which run), eviction, bad
 * frees, the top of the address space, sleeping, and that arenas that
 * may not have leaves never get one.  A randomized case replays one
 * sequence of calls on a leafy arena and on a plain one and requires
 * every answer to agree.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include "vmem_kunit.h"

/*
 * The expected leaves of most cases are for 64-bit, where a leaf holds up
 * to 64 identifiers; these spell their bit maps so that they compile on
 * 32-bit too, where those cases are skipped.
 */
#define VLT_MASK(h, l)	((unsigned long)GENMASK_ULL(h, l))
#define VLT_BIT(n)	((unsigned long)BIT_ULL(n))

static void vlt_need_64bit(struct kunit *test)
{
	if (BITS_PER_LONG != 64)
		kunit_skip(test, "the expected leaves are for 64-bit");
}

/* What the arena lock protects, read in one locked section. */
struct vlt_state {
	unsigned int	nleaves;
	unsigned long	nleafids;
	unsigned long	lowfree;
	unsigned long	nbusy;
	unsigned long	nsegs;
	unsigned long	nlive;
	unsigned long	start[VMEM_NLEAVES];	/* of each slot's leaf */
	unsigned long	size[VMEM_NLEAVES];	/* 0: no leaf */
	unsigned long	free[VMEM_NLEAVES];
};

static struct vlt_state vlt_state(struct vmem *vm)
{
	struct vlt_state s = { };
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vm->vm_lock, flags);
	s.nleaves = vm->vm_nleaves;
	s.nleafids = vm->vm_nleafids;
	s.lowfree = vm->vm_lowfree;
	s.nbusy = vm->vm_nbusy;
	s.nsegs = vm->vm_nsegs;
	s.nlive = vmem_nlive(vm);
	for (i = 0; i < VMEM_NLEAVES; i++) {
		struct vmem_leaf *lf = &vm->vm_leaf[i];

		if (!lf->lf_seg)
			continue;
		s.start[i] = lf->lf_seg->vs_start;
		s.size[i] = lf->lf_seg->vs_size;
		s.free[i] = lf->lf_free;
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return s;
}

static unsigned int vlt_nleaves(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.nleaves;
}

/* Slot @slot holds the leaf [@start, +@size) with the free map @free. */
static void vlt_expect_leaf(struct kunit *test, struct vmem *vm,
			    unsigned int slot, unsigned long start,
			    unsigned long size, unsigned long free, int line)
{
	struct vlt_state s = vlt_state(vm);

	KUNIT_EXPECT_EQ_MSG(test, s.start[slot], start,
			    "line %d: slot %u: leaf [%#lx, +%#lx) free %#lx",
			    line, slot, s.start[slot], s.size[slot],
			    s.free[slot]);
	KUNIT_EXPECT_EQ_MSG(test, s.size[slot], size,
			    "line %d: slot %u: leaf [%#lx, +%#lx) free %#lx",
			    line, slot, s.start[slot], s.size[slot],
			    s.free[slot]);
	KUNIT_EXPECT_EQ_MSG(test, s.free[slot], free,
			    "line %d: slot %u: leaf [%#lx, +%#lx) free %#lx",
			    line, slot, s.start[slot], s.size[slot],
			    s.free[slot]);
}

#define VLT_EXPECT_LEAF(test, vm, slot, start, size, free)		\
	vlt_expect_leaf(test, vm, slot, start, size, free, __LINE__)

#define VLT_EXPECT_NO_LEAF(test, vm, slot)				\
	vlt_expect_leaf(test, vm, slot, 0, 0, 0, __LINE__)

/* The counters a client can see, and the live allocations. */
static void vlt_expect_stats(struct kunit *test, struct vmem *vm,
			     u64 nalloc, u64 nfree, unsigned long inuse,
			     unsigned long live, int line)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.nalloc, nalloc, "line %d: nalloc", line);
	KUNIT_EXPECT_EQ_MSG(test, st.nfree, nfree, "line %d: nfree", line);
	KUNIT_EXPECT_EQ_MSG(test, st.mem_inuse, inuse, "line %d: mem_inuse",
			    line);
	KUNIT_EXPECT_EQ_MSG(test, vlt_state(vm).nlive, live, "line %d: live",
			    line);
}

#define VLT_EXPECT_STATS(test, vm, nalloc, nfree, inuse, live)		\
	vlt_expect_stats(test, vm, nalloc, nfree, inuse, live, __LINE__)

static u64 vlt_nbadfree(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.nbadfree;
}

/* An identifier arena with leaves, destroyed when the case ends. */
static struct vmem *vlt_ids(struct kunit *test, const char *name,
			    unsigned long base, unsigned long size,
			    unsigned long quantum)
{
	struct vmem *vm = vkt_create(test, name, base, size, quantum,
				     VMC_IDENTIFIER | VMC_QUIET_BADFREE);

	KUNIT_ASSERT_TRUE(test, vm->vm_leafy);
	return vm;
}

/* vmem_id_alloc() (next fit) or vmem_id_allocff() (first fit). */
static unsigned long vlt_next(struct kunit *test, struct vmem *vm)
{
	unsigned long id = ~0UL;

	KUNIT_EXPECT_EQ(test, vmem_id_alloc(vm, VMEM_NOSLEEP, &id), 0);
	return id;
}

static unsigned long vlt_ff(struct kunit *test, struct vmem *vm)
{
	unsigned long id = ~0UL;

	KUNIT_EXPECT_EQ(test, vmem_id_allocff(vm, VMEM_NOSLEEP, &id), 0);
	return id;
}

static unsigned long vlt_range(struct kunit *test, struct vmem *vm,
			       unsigned long min, unsigned long max)
{
	unsigned long id = ~0UL;

	KUNIT_EXPECT_EQ_MSG(test, vmem_id_alloc_range(vm, min, max,
						      VMEM_NOSLEEP, &id), 0,
			    "vmem_id_alloc_range(%#lx, %#lx)", min, max);
	return id;
}

/*
 * vmem_walk() of an arena of one span [@base, +@n quanta) whose
 * allocations are all one quantum: bit i of @live set iff quantum i is
 * allocated.  Allocated quanta come one by one, free runs as one range.
 */
static void vlt_expect_walk(struct kunit *test, struct vmem *vm,
			    unsigned long base, unsigned long n,
			    const unsigned long *live, int line)
{
	unsigned long q = vmem_quantum(vm), i, j;
	struct vkt_seg *want;
	unsigned int na = 0, nf = 0;

	want = kunit_kcalloc(test, n, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < n; i++)
		if (test_bit(i, live))
			want[na++] = (struct vkt_seg){ base + i * q, q };
	vkt_expect_segs(test, vm, VMEM_ALLOC, want, na, line);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !test_bit(j, live); j++)
			;
		if (j > i)
			want[nf++] = (struct vkt_seg){ base + i * q,
						       (j - i) * q };
		for (; j < n && test_bit(j, live); j++)
			;
	}
	vkt_expect_segs(test, vm, VMEM_FREE, want, nf, line);
	kunit_kfree(test, want);
}

#define VLT_EXPECT_WALK(test, vm, base, n, live)			\
	vlt_expect_walk(test, vm, base, n, live, __LINE__)

static unsigned long *vlt_bitmap(struct kunit *test, unsigned long n)
{
	unsigned long *map = kunit_kcalloc(test, BITS_TO_LONGS(n),
					   sizeof(long), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	return map;
}

static void vlt_free_cb(void *arg, unsigned long addr, unsigned long size)
{
	vmem_xfree(arg, addr, size);
}

/*
 * Free every allocation from a walk's callback, which the walk allows:
 * leaf identifiers and segments alike.  Nothing is left, nothing is a
 * bad free, and the arena is whole.
 */
static void vlt_free_all(struct kunit *test, struct vmem *vm)
{
	u64 bad = vlt_nbadfree(vm);

	vmem_walk(vm, VMEM_ALLOC, vlt_free_cb, vm);
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL,
			    "%s", vmem_name(vm));
	KUNIT_EXPECT_EQ_MSG(test, vlt_state(vm).nlive, 0UL, "%s",
			    vmem_name(vm));
	KUNIT_EXPECT_EQ_MSG(test, vlt_nbadfree(vm), bad, "%s", vmem_name(vm));
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * Next fit fills a leaf: one leaf of 64 identifiers, one allocated
 * segment; a second leaf above it; freed identifiers come back only after
 * the rotor has gone round.
 */
static void vmem_leaf_next_fit(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_nf", 100, 1000, 1);
	struct vmem *small = vlt_ids(test, "leaf_nf_small", 0, 10, 1);
	unsigned long *live = vlt_bitmap(test, 1000);
	struct vmem_seg *vs;
	unsigned long i, id, flags;

	vlt_need_64bit(test);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 100 + i);
		__set_bit(i, live);
		KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 1U);
	}
	VLT_EXPECT_LEAF(test, vm, 0, 100, 64, 0);
	VLT_EXPECT_NO_LEAF(test, vm, 1);
	/* the leaf is one allocated segment: span, leaf, the free rest */
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 1UL);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nsegs, 3UL);
	spin_lock_irqsave(&vm->vm_lock, flags);
	vs = list_next_entry(&vm->vm_seg0, vs_seglist);	/* the span */
	vs = list_next_entry(vs, vs_seglist);
	KUNIT_EXPECT_EQ(test, vs->vs_type, VMEM_SEG_ALLOC);
	KUNIT_EXPECT_TRUE(test, vmem_seg_is_leaf(vs));
	KUNIT_EXPECT_EQ(test, vs->vs_start, 100UL);
	KUNIT_EXPECT_EQ(test, vs->vs_size, 64UL);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	VLT_EXPECT_STATS(test, vm, 64, 0, 64, 64);
	VKT_EXPECT_SIZES(test, vm, 64, 936);
	VLT_EXPECT_WALK(test, vm, 100, 1000, live);
	VKT_EXPECT_CHECK(test, vm);

	/* the 65th: a second leaf, from where the first ends */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 164UL);
	__set_bit(64, live);
	VLT_EXPECT_LEAF(test, vm, 1, 164, 64, ~1UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);

	/* freed below the rotor: not reused before the wrap */
	vmem_id_free(vm, 110);
	vmem_id_free(vm, 120);
	__clear_bit(10, live);
	__clear_bit(20, live);
	VLT_EXPECT_LEAF(test, vm, 0, 100, 64, VLT_BIT(10) | VLT_BIT(20));
	VLT_EXPECT_STATS(test, vm, 65, 2, 63, 63);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 165UL);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 166UL);
	/* and the one just given out, freed, does not come back next */
	vmem_id_free(vm, 166);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 167UL);
	__set_bit(65, live);
	__set_bit(67, live);
	VLT_EXPECT_STATS(test, vm, 68, 3, 65, 65);
	VLT_EXPECT_WALK(test, vm, 100, 1000, live);
	VKT_EXPECT_CHECK(test, vm);

	/* a leaf that the span's end cuts short, and the wrap */
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, small), i);
	VLT_EXPECT_LEAF(test, small, 0, 0, 10, VLT_MASK(9, 6));
	vmem_id_free(small, 2);
	KUNIT_EXPECT_EQ(test, vlt_next(test, small), 6UL);
	for (i = 7; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, small), i);
	vmem_id_free(small, 7);
	vmem_id_free(small, 9);
	KUNIT_EXPECT_EQ(test, vlt_next(test, small), 2UL);
	KUNIT_EXPECT_EQ(test, vlt_next(test, small), 7UL);
	KUNIT_EXPECT_EQ(test, vlt_next(test, small), 9UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(small, VMEM_NOSLEEP, &id),
			-ENOSPC);
	VLT_EXPECT_LEAF(test, small, 0, 0, 10, 0);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(small), 1U);
	VLT_EXPECT_STATS(test, small, 13, 3, 10, 10);
	VKT_EXPECT_CHECK(test, small);
	for (i = 0; i < 10; i++)
		vmem_id_free(small, i);
	VLT_EXPECT_STATS(test, small, 13, 13, 0, 0);
	VKT_EXPECT_SEGS(test, small, VMEM_FREE, { 0, 10 });
	VKT_EXPECT_NO_SEGS(test, small, VMEM_ALLOC);
	VKT_EXPECT_CHECK(test, small);
	vlt_free_all(test, vm);
}

/*
 * First fit answers the lowest free identifier, whether it is in a leaf
 * below a free segment or in a segment below a leaf.
 */
static void vmem_leaf_first_fit(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_ff", 0, 1000, 1);
	unsigned long i, id;

	vlt_need_64bit(test);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), i);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 64, VLT_MASK(63, 10));
	/* in the leaf, below the free segment [64, 1000) */
	vmem_id_free(vm, 5);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 5UL);
	vmem_id_free(vm, 7);
	vmem_id_free(vm, 2);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 2UL);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 7UL);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 10UL);
	VLT_EXPECT_STATS(test, vm, 14, 3, 11, 11);

	/* two at once dissolve the leaf: 0 to 10 become segments */
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2, VMEM_NOSLEEP |
					VMEM_FIRSTFIT), 11UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 12UL);
	/* a leaf above them */
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 13UL);
	VLT_EXPECT_LEAF(test, vm, 0, 13, 64, ~1UL);
	/* in a segment below the leaf: a leaf of one, as far as the hole */
	vmem_id_free(vm, 4);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 4UL);
	VLT_EXPECT_LEAF(test, vm, 1, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 14UL);
	VLT_EXPECT_LEAF(test, vm, 0, 13, 64, ~3UL);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 0, 1 }, { 1, 1 }, { 2, 1 },
			{ 3, 1 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 7, 1 },
			{ 8, 1 }, { 9, 1 }, { 10, 1 }, { 11, 2 }, { 13, 1 },
			{ 14, 1 });
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 15, 985 });
	/* nalloc: 14 + the pair + 13, 4, 14; nfree: 3 + 4 */
	VLT_EXPECT_STATS(test, vm, 18, 4, 15, 14);
	VKT_EXPECT_CHECK(test, vm);

	/* a segment's identifier below both leaves, freed: first again */
	vmem_id_free(vm, 9);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 9UL);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 15UL);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(vm, VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 16UL);
	VKT_EXPECT_CHECK(test, vm);
	vlt_free_all(test, vm);
}

/* vmem_id_alloc_range(): windows in, across and below leaves. */
static void vmem_leaf_range(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_range", 0, 1000, 1);
	unsigned long *live = vlt_bitmap(test, 1000);
	unsigned long i, id;

	vlt_need_64bit(test);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), i);
		__set_bit(i, live);
	}
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 5, 100), 10UL);
	for (i = 60; i < 64; i++)
		KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 60, 70), i);
	/* the leaf's end is taken: the window's rest, a new leaf */
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 60, 70), 64UL);
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, ~1UL);
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 62, 66), 65UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(vm, 0, 3, VMEM_NOSLEEP, &id),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(vm, 63, 64, VMEM_NOSLEEP,
						  &id), -ENOSPC);
	vmem_id_free(vm, 2);
	vmem_id_free(vm, 63);
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 0, 3), 2UL);
	/* straddling the two leaves */
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 63, 64), 63UL);
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 11, 11), 11UL);
	__set_bit(10, live);
	__set_bit(11, live);
	for (i = 60; i < 66; i++)
		__set_bit(i, live);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 64, VLT_MASK(59, 12));
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, VLT_MASK(63, 2));
	VLT_EXPECT_WALK(test, vm, 0, 1000, live);

	/* a third leaf, in the slot of the first, which it dissolves */
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 500, 600), 500UL);
	__set_bit(500, live);
	VLT_EXPECT_LEAF(test, vm, 0, 500, 64, ~1UL);
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, VLT_MASK(63, 2));
	/* the lowest free, in a segment below both: a leaf up to 60 */
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 5, 1000), 12UL);
	__set_bit(12, live);
	VLT_EXPECT_LEAF(test, vm, 1, 12, 48, VLT_MASK(47, 1));
	VLT_EXPECT_LEAF(test, vm, 0, 500, 64, ~1UL);
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 64, 1000), 66UL);
	__set_bit(66, live);
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, 500, 502), 501UL);
	__set_bit(501, live);
	VLT_EXPECT_WALK(test, vm, 0, 1000, live);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < 1000; i++)
		if (test_bit(i, live))
			vmem_id_free(vm, i);
	VKT_EXPECT_SIZES(test, vm, 0, 1000);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 1000 });
	VKT_EXPECT_CHECK(test, vm);
}

/* vmem_id_alloc_specific() of identifiers in leaves. */
static void vmem_leaf_specific(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_specific", 0, 1000, 1);
	unsigned long i;

	vlt_need_64bit(test);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), i);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 20, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 20, VMEM_NOSLEEP),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 5, VMEM_NOSLEEP),
			-EBUSY);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 64, VLT_MASK(63, 10) & ~VLT_BIT(20));
	vmem_id_free(vm, 5);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 5, VMEM_NOSLEEP), 0);
	/* in the free segment: a new leaf there */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 64, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 64, VMEM_NOSLEEP),
			-EBUSY);
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, ~1UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 1000, VMEM_NOSLEEP),
			-ENOSPC);
	for (i = 10; i < 20; i++)
		KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), i);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), 21UL);
	VLT_EXPECT_STATS(test, vm, 24, 1, 23, 23);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	VKT_EXPECT_CHECK(test, vm);
	vlt_free_all(test, vm);
}

/*
 * A third leaf evicts the oldest: its live identifiers become allocated
 * segments of their own, which free as any segment does.
 */
static void vmem_leaf_evict(struct kunit *test)
{
	static const unsigned long keep_a[] = { 3, 10, 11, 40 };
	struct vmem *vm = vlt_ids(test, "leaf_evict", 0, 1000, 1);
	unsigned long *live = vlt_bitmap(test, 1000);
	struct vmem_stats st;
	unsigned long i;

	vlt_need_64bit(test);
	for (i = 0; i < 128; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 64, 0);
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, 0);
	for (i = 0; i < ARRAY_SIZE(keep_a); i++)
		__set_bit(keep_a[i], live);
	__set_bit(100, live);
	for (i = 0; i < 128; i++)
		if (!test_bit(i, live))
			vmem_id_free(vm, i);
	VLT_EXPECT_STATS(test, vm, 128, 123, 5, 5);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 2UL);

	/* the third leaf takes slot 0: the first leaf dissolves */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 128UL);
	__set_bit(128, live);
	VLT_EXPECT_LEAF(test, vm, 0, 128, 64, ~1UL);
	VLT_EXPECT_LEAF(test, vm, 1, 64, 64, ~VLT_BIT(36));
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	/* 3 10 11 40 alone; [0,3) [4,10) [12,40) [41,64) [192,1000) free */
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 6UL);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nsegs, 12UL);
	VLT_EXPECT_STATS(test, vm, 129, 123, 6, 6);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 3, 1 }, { 10, 1 }, { 11, 1 },
			{ 40, 1 }, { 100, 1 }, { 128, 1 });
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 3 }, { 4, 6 }, { 12, 28 },
			{ 41, 59 }, { 101, 27 }, { 129, 871 });
	VKT_EXPECT_SIZES(test, vm, 6, 994);
	VKT_EXPECT_CHECK(test, vm);

	/* the dissolved identifiers free as segments, and coalesce */
	vmem_id_free(vm, 10);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nsegs, 11UL);
	vmem_id_free(vm, 11);
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nsegs, 9UL);
	vmem_id_free(vm, 3);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nsegs, 7UL);
	KUNIT_EXPECT_EQ(test, st.nbadfree, 0ULL);
	__clear_bit(3, live);
	__clear_bit(10, live);
	__clear_bit(11, live);
	VLT_EXPECT_STATS(test, vm, 129, 126, 3, 3);
	VLT_EXPECT_WALK(test, vm, 0, 1000, live);
	VKT_EXPECT_CHECK(test, vm);

	/* next fit goes on in the new leaf, then a fourth evicts slot 1 */
	for (i = 129; i < 192; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 192UL);
	VLT_EXPECT_LEAF(test, vm, 1, 192, 64, ~1UL);
	VLT_EXPECT_LEAF(test, vm, 0, 128, 64, 0);
	for (i = 128; i < 193; i++)
		__set_bit(i, live);
	VLT_EXPECT_WALK(test, vm, 0, 1000, live);
	/* 100, dissolved, frees as a segment; [41, 128) one free segment */
	vmem_id_free(vm, 100);
	__clear_bit(100, live);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 40 }, { 41, 87 },
			{ 193, 807 });
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 3UL);
	/* span, [0,40) 40 [41,128), the two leaves, [256, 1000) */
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nsegs, 7UL);
	VLT_EXPECT_STATS(test, vm, 193, 127, 66, 66);
	VKT_EXPECT_CHECK(test, vm);
	vlt_free_all(test, vm);
}

/*
 * Every request but one quantum by next or first fit dissolves the
 * leaves, and is answered as the segment layer alone would answer it:
 * holes inside former leaves are holes like any other.
 */
static void vmem_leaf_generic(struct kunit *test)
{
	static const unsigned long holes[] = { 10, 11, 12, 30, 31, 40 };
	struct vmem *full = vlt_ids(test, "leaf_full", 0, 64, 1);
	struct vmem *vm = vlt_ids(test, "leaf_generic", 0, 1000, 1);
	unsigned long i;

	vlt_need_64bit(test);
	/* one leaf, the whole span; a hole of two in it */
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, full), i);
	VLT_EXPECT_LEAF(test, full, 0, 0, 64, 0);
	vmem_id_free(full, 20);
	vmem_id_free(full, 21);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, full, 2, VMEM_NOSLEEP |
					VMEM_INSTANTFIT), 20UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(full), 0U);
	VLT_EXPECT_NO_LEAF(test, full, 0);
	KUNIT_EXPECT_EQ(test, vlt_state(full).nbusy, 63UL);
	KUNIT_EXPECT_EQ(test, vlt_state(full).nsegs, 64UL);
	VLT_EXPECT_STATS(test, full, 65, 2, 64, 63);
	VKT_EXPECT_SIZES(test, full, 64, 0);
	VKT_EXPECT_CHECK(test, full);
	vmem_free(full, 20, 2);
	vmem_id_free(full, 22);
	VKT_EXPECT_SEGS(test, full, VMEM_FREE, { 20, 3 });

	for (i = 0; i < 65; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	for (i = 0; i < ARRAY_SIZE(holes); i++)
		vmem_id_free(vm, holes[i]);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	/* best fit: the hole of two, not the first one that fits */
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2, VMEM_NOSLEEP |
					VMEM_BESTFIT), 30UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 10, 3 }, { 40, 1 },
			{ 65, 935 });
	KUNIT_EXPECT_EQ(test, vlt_state(vm).nbusy, 65UL - 6 + 1);
	VKT_EXPECT_CHECK(test, vm);
	/* a leaf again; first fit of two takes the lowest hole */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 65UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 1U);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2, VMEM_NOSLEEP |
					VMEM_FIRSTFIT), 10UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	/* top down */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 66UL);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 1, VMEM_NOSLEEP |
					VMEM_TOPDOWN), 999UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	/* next fit of two: from the rotor, then the rotor past it */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 67UL);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2, VMEM_NOSLEEP |
					VMEM_NEXTFIT), 68UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 70UL);
	VLT_EXPECT_LEAF(test, vm, 0, 70, 64, ~1UL);
	/* aligned: 12 is the lowest free multiple of 4 */
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, 1, 4, 0, 0, 0, ULONG_MAX,
					 VMEM_NOSLEEP | VMEM_FIRSTFIT), 12UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	/* a window and a phase: 71 is free, 3 mod 4 */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), 71UL);
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, 1, 4, 3, 0, 60, 200,
					 VMEM_NOSLEEP | VMEM_FIRSTFIT), 75UL);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 40, 1 }, { 72, 3 },
			{ 76, 923 });
	/* 67 single IDs, and [10, +2) [30, +2) [68, +2) */
	VKT_EXPECT_SIZES(test, vm, 73, 927);
	/* 70 single IDs by next fit and 6 other requests; 6 frees */
	VLT_EXPECT_STATS(test, vm, 76, 6, 73, 70);
	VKT_EXPECT_CHECK(test, vm);
	vlt_free_all(test, full);
	vlt_free_all(test, vm);
}

/* Bad frees of leaf identifiers: counted, the arena as it was. */
static void vmem_leaf_bad_free(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_bad", 0, 1000, 1);
	struct vmem *q8 = vlt_ids(test, "leaf_bad8", 0x1000, 8 * 100, 8);
	unsigned long i, a;
	u64 bad;

	vlt_need_64bit(test);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	vmem_id_free(vm, 5);
	bad = vlt_nbadfree(vm);
	/* twice */
	vmem_id_free(vm, 5);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 1);
	/* never allocated, in the leaf */
	vmem_id_free(vm, 30);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 2);
	/* the wrong size */
	vmem_free(vm, 3, 2);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 3);
	vmem_xfree(vm, 3, 0);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 4);
	/* the leaf's own range, its first identifier live, then free */
	vmem_xfree(vm, 0, 64);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 5);
	vmem_id_free(vm, 0);
	vmem_xfree(vm, 0, 64);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 6);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 64, VLT_MASK(63, 10) | VLT_BIT(5) | VLT_BIT(0));
	VLT_EXPECT_STATS(test, vm, 10, 2, 8, 8);
	VKT_EXPECT_SIZES(test, vm, 8, 992);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 1 }, { 5, 1 }, { 10, 990 });
	VKT_EXPECT_CHECK(test, vm);
	/* and the identifiers still free normally */
	vmem_id_free(vm, 3);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), bad + 6);
	VLT_EXPECT_STATS(test, vm, 10, 3, 7, 7);

	/* quantum 8: inside an identifier, and sizes that round elsewhere */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, q8), 0x1000 + 8 * i);
	bad = vlt_nbadfree(q8);
	vmem_xfree(q8, 0x1013, 8);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 1);
	vmem_xfree(q8, 0x1013, 1);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 2);
	vmem_free(q8, 0x1010, 9);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 3);
	vmem_free(q8, 0x1010, 16);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 4);
	/* a free quantum's inside */
	vmem_xfree(q8, 0x1044, 8);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 5);
	VLT_EXPECT_LEAF(test, q8, 0, 0x1000, 0x200, VLT_MASK(63, 4));
	VLT_EXPECT_STATS(test, q8, 4, 0, 32, 4);
	VKT_EXPECT_CHECK(test, q8);
	/* a size that rounds up to the quantum is the quantum */
	vmem_free(q8, 0x1010, 5);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(q8), bad + 5);
	VLT_EXPECT_LEAF(test, q8, 0, 0x1000, 0x200, VLT_MASK(63, 4) | VLT_BIT(2));
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, q8, 3, VMEM_NOSLEEP |
					VMEM_FIRSTFIT), 0x1010UL);
	a = vlt_next(test, q8);
	KUNIT_EXPECT_EQ(test, a, 0x1020UL);
	VLT_EXPECT_STATS(test, q8, 6, 1, 40, 5);
	VKT_EXPECT_CHECK(test, q8);
	vlt_free_all(test, vm);
	vlt_free_all(test, q8);
}

/* vmem_walk(): live identifiers one by one, free ranges side by side merged. */
static void vmem_leaf_walk(struct kunit *test)
{
	struct vmem *vm = vlt_ids(test, "leaf_walk", 0, 200, 1);
	unsigned long *live = vlt_bitmap(test, 200);
	unsigned long i;

	vlt_need_64bit(test);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 200 });
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	vmem_id_free(vm, 3);
	vmem_id_free(vm, 4);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 0, 1 }, { 1, 1 }, { 2, 1 },
			{ 5, 1 }, { 6, 1 }, { 7, 1 }, { 8, 1 }, { 9, 1 });
	/* the leaf's run [10, 64) and the segment [64, 200): one range */
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 3, 2 }, { 10, 190 });
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC | VMEM_FREE, { 0, 1 }, { 1, 1 },
			{ 2, 1 }, { 3, 2 }, { 5, 1 }, { 6, 1 }, { 7, 1 },
			{ 8, 1 }, { 9, 1 }, { 10, 190 });
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { 0, 200 });
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN | VMEM_FREE, { 0, 200 }, { 3, 2 },
			{ 10, 190 });

	/* two leaves side by side: the end of one and the start of the next */
	for (i = 10; i < 128; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), i);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	for (i = 0; i < 128; i++)
		__set_bit(i, live);
	for (i = 60; i < 71; i++) {
		vmem_id_free(vm, i);
		__clear_bit(i, live);
	}
	__clear_bit(3, live);
	__clear_bit(4, live);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 3, 2 }, { 60, 11 },
			{ 128, 72 });
	VLT_EXPECT_WALK(test, vm, 0, 200, live);
	/* all of the second leaf free: one range from 60 to the end */
	for (i = 71; i < 128; i++) {
		vmem_id_free(vm, i);
		__clear_bit(i, live);
	}
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 3, 2 }, { 60, 140 });
	VLT_EXPECT_WALK(test, vm, 0, 200, live);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 2U);
	VKT_EXPECT_CHECK(test, vm);

	/* a second span: free ranges do not run from one into the next */
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(vm, 200, 210), 0);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 3, 2 }, { 60, 140 },
			{ 200, 10 });
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { 0, 200 }, { 200, 10 });
	VKT_EXPECT_CHECK(test, vm);
	vlt_free_all(test, vm);
}

/* Quantum 8 through the same paths. */
static void vmem_leaf_quantum(struct kunit *test)
{
	const unsigned long q = 8, b = 0x10000;
	struct vmem *vm = vlt_ids(test, "leaf_q8", b, 200 * q, q);
	unsigned long *live = vlt_bitmap(test, 200);
	unsigned long i, id;

	vlt_need_64bit(test);
	for (i = 0; i < 70; i++) {
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), b + i * q);
		__set_bit(i, live);
	}
	VLT_EXPECT_LEAF(test, vm, 0, b, 64 * q, 0);
	VLT_EXPECT_LEAF(test, vm, 1, b + 64 * q, 64 * q, VLT_MASK(63, 6));
	VLT_EXPECT_STATS(test, vm, 70, 0, 70 * q, 70);
	VKT_EXPECT_SIZES(test, vm, 70 * q, 130 * q);
	VLT_EXPECT_WALK(test, vm, b, 200, live);

	/* first fit */
	vmem_id_free(vm, b + 9 * q);
	vmem_id_free(vm, b + 3 * q);
	__clear_bit(9, live);
	KUNIT_EXPECT_EQ(test, vlt_ff(test, vm), b + 3 * q);
	/* next fit after the rotor */
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), b + 70 * q);
	__set_bit(70, live);
	/* a range, a specific one */
	KUNIT_EXPECT_EQ(test, vlt_range(test, vm, b + 5 * q + 1, b + 100 * q),
			b + 9 * q);
	__set_bit(9, live);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(vm, b + 1, b + 2 * q - 1,
						  VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, b + 80 * q,
						     VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, b + 80 * q,
						     VMEM_NOSLEEP), -EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, b + 81 * q + 1,
						     VMEM_NOSLEEP), -EINVAL);
	__set_bit(80, live);
	VLT_EXPECT_LEAF(test, vm, 1, b + 64 * q, 64 * q,
			VLT_MASK(63, 7) & ~VLT_BIT(16));
	VLT_EXPECT_WALK(test, vm, b, 200, live);
	VLT_EXPECT_STATS(test, vm, 74, 2, 72 * q, 72);
	VKT_EXPECT_CHECK(test, vm);

	/* eviction: a leaf at 150 dissolves slot 0 */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, b + 150 * q,
						     VMEM_NOSLEEP), 0);
	__set_bit(150, live);
	VLT_EXPECT_LEAF(test, vm, 0, b + 150 * q, 50 * q, VLT_MASK(49, 1));
	VLT_EXPECT_WALK(test, vm, b, 200, live);
	VKT_EXPECT_CHECK(test, vm);
	/* a request of two quanta dissolves both */
	vmem_id_free(vm, b + 20 * q);
	vmem_id_free(vm, b + 21 * q);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2 * q, VMEM_NOSLEEP |
					VMEM_BESTFIT), b + 20 * q);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	vmem_xfree(vm, b + 20 * q, 2 * q);
	__clear_bit(20, live);
	__clear_bit(21, live);
	VLT_EXPECT_WALK(test, vm, b, 200, live);
	VLT_EXPECT_STATS(test, vm, 76, 5, 71 * q, 71);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < 200; i++)
		if (test_bit(i, live))
			vmem_id_free(vm, b + i * q);
	VKT_EXPECT_SIZES(test, vm, 0, 200 * q);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { b, 200 * q });
	VKT_EXPECT_CHECK(test, vm);
}

/* A space that ends at ULONG_MAX: the rotor wraps to 0, next fit to the bottom. */
static void vmem_leaf_top(struct kunit *test)
{
	const unsigned long base = ULONG_MAX - 127;
	struct vmem *vm = vlt_ids(test, "leaf_top", base, 128, 1);
	struct vmem *q8 = vlt_ids(test, "leaf_top8", ULONG_MAX - 1023, 1024, 8);
	unsigned long i, id;

	vlt_need_64bit(test);
	for (i = 0; i < 128; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), base + i);
	VLT_EXPECT_LEAF(test, vm, 0, base, 64, 0);
	VLT_EXPECT_LEAF(test, vm, 1, ULONG_MAX - 63, 64, 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(vm, VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(vm, VMEM_NOSLEEP, &id),
			-ENOSPC);
	vmem_id_free(vm, ULONG_MAX);
	vmem_id_free(vm, ULONG_MAX - 10);
	vmem_id_free(vm, base + 27);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), base + 27);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), ULONG_MAX - 10);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), ULONG_MAX);
	/* the rotor is past the top: the bottom again */
	vmem_id_free(vm, base + 1);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), base + 1);
	vmem_id_free(vm, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(vm, ULONG_MAX - 1, ULONG_MAX,
						  VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, ULONG_MAX);
	vmem_id_free(vm, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, ULONG_MAX,
						     VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, ULONG_MAX,
						     VMEM_NOSLEEP), -EBUSY);
	VLT_EXPECT_STATS(test, vm, 128 + 6, 6, 128, 128);
	VKT_EXPECT_SIZES(test, vm, 128, 0);
	VKT_EXPECT_CHECK(test, vm);
	vmem_id_free(vm, ULONG_MAX);
	vmem_id_free(vm, ULONG_MAX - 1);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { ULONG_MAX - 1, 2 });
	/* a request of two dissolves both leaves, at the very top */
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, 2, VMEM_NOSLEEP |
					VMEM_FIRSTFIT), ULONG_MAX - 1);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 0U);
	vmem_free(vm, ULONG_MAX - 1, 2);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { ULONG_MAX - 1, 2 });
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), ULONG_MAX - 1);
	KUNIT_EXPECT_EQ(test, vlt_next(test, vm), ULONG_MAX);
	KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), 1U);
	VLT_EXPECT_LEAF(test, vm, 0, ULONG_MAX - 1, 2, 0);
	VKT_EXPECT_CHECK(test, vm);

	/* quantum 8: the last identifier is ULONG_MAX - 7 */
	for (i = 0; i < 128; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, q8),
				ULONG_MAX - 1023 + 8 * i);
	vmem_id_free(q8, ULONG_MAX - 7);
	vmem_id_free(q8, ULONG_MAX - 1023 + 8);
	KUNIT_EXPECT_EQ(test, vlt_next(test, q8), ULONG_MAX - 1023 + 8);
	KUNIT_EXPECT_EQ(test, vlt_next(test, q8), ULONG_MAX - 7);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(q8, VMEM_NOSLEEP, &id), -ENOSPC);
	VLT_EXPECT_LEAF(test, q8, 1, ULONG_MAX - 511, 512, 0);
	VKT_EXPECT_SIZES(test, q8, 1024, 0);
	VKT_EXPECT_CHECK(test, q8);
	vlt_free_all(test, vm);
	vlt_free_all(test, q8);
}

struct vlt_sleeper {
	struct vmem	*vm;
	bool		ff;
	unsigned long	id;
	int		ret;
};

static int vlt_sleeper_fn(void *arg)
{
	struct vlt_sleeper *s = arg;

	s->ret = s->ff ? vmem_id_allocff(s->vm, VMEM_SLEEP, &s->id) :
			 vmem_id_alloc(s->vm, VMEM_SLEEP, &s->id);
	return 0;
}

static unsigned int vlt_nwaiters(struct vmem *vm)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&vm->vm_lock, flags);
	n = vm->vm_nwaiters;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return n;
}

/*
 * A sleeping allocation in an exhausted space with leaves is woken by the
 * free of a leaf's identifier, and gets it.
 */
static void vmem_leaf_sleep(struct kunit *test)
{
	struct vmem *vm = vmem_idspace_create("leaf_sleep", 0, 8);
	struct vlt_sleeper s = { .vm = vm };
	struct vkt_thread *t;
	struct vmem_stats st;
	unsigned int i, round;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, vlt_next(test, vm), (unsigned long)i);
	VLT_EXPECT_LEAF(test, vm, 0, 0, 8, 0);
	/* next fit, then first fit, each woken by another free */
	for (round = 0; round < 2; round++) {
		unsigned long want = round ? 2 : 5;

		s.ff = round;
		s.ret = -1;
		t = vkt_thread_start(test, vlt_sleeper_fn, &s, -1,
				     "vmem_leaf_sleep");
		for (i = 0; i < 1000 && !vlt_nwaiters(vm); i++)
			msleep(20);
		/* on failure the arena is leaked, not freed under the thread */
		KUNIT_ASSERT_EQ_MSG(test, vlt_nwaiters(vm), 1U,
				    "the allocation did not go to sleep");
		vmem_id_free(vm, want);
		KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
				      "the free did not wake the allocation");
		vkt_thread_put(t);
		KUNIT_EXPECT_EQ(test, s.ret, 0);
		KUNIT_EXPECT_EQ(test, s.id, want);
		vmem_get_stats(vm, &st);
		KUNIT_EXPECT_EQ(test, st.nwait, (u64)round + 1);
		KUNIT_EXPECT_EQ(test, st.nleaves, 1U);
		VLT_EXPECT_LEAF(test, vm, 0, 0, 8, 0);
	}
	VLT_EXPECT_STATS(test, vm, 10, 2, 8, 8);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < 8; i++)
		vmem_id_free(vm, i);
	VKT_EXPECT_CHECK(test, vm);
	vmem_idspace_destroy(vm);
}

/* Identifier arenas with caches or a source, and others, have no leaves. */
static void vmem_leaf_not_leafy(struct kunit *test)
{
	struct vmem *cached, *src, *child, *plain, *nocache;
	struct vmem *arenas[4];
	unsigned long ids[60], i;
	unsigned int j;

	cached = vmem_create("leaf_cached", 0, 1000, 1, NULL, NULL, NULL, 4,
			     VMC_IDENTIFIER);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cached);
	vkt_defer_destroy(test, cached);
	src = vkt_create(test, "leaf_src", 0, 1000, 1, 0);
	child = vkt_create_child(test, "leaf_child", 1, src, VMC_IDENTIFIER);
	plain = vkt_create(test, "leaf_plain", 0, 1000, 1, 0);
	nocache = vkt_create(test, "leaf_nocache", 0, 1000, 1,
			     VMC_IDENTIFIER | VMC_NO_QCACHE);
	arenas[0] = cached;
	arenas[1] = child;
	arenas[2] = plain;
	arenas[3] = nocache;
	KUNIT_EXPECT_FALSE(test, cached->vm_leafy);
	KUNIT_EXPECT_FALSE(test, child->vm_leafy);
	KUNIT_EXPECT_FALSE(test, plain->vm_leafy);
	KUNIT_EXPECT_FALSE(test, src->vm_leafy);
	/* VMC_NO_QCACHE means no quantum caches: that one has leaves */
	KUNIT_EXPECT_TRUE(test, nocache->vm_leafy);
	for (j = 0; j < ARRAY_SIZE(arenas); j++) {
		struct vmem *vm = arenas[j];
		bool leafy = vm == nocache;

		for (i = 0; i < ARRAY_SIZE(ids); i++) {
			ids[i] = ~0UL;
			KUNIT_EXPECT_EQ(test, i & 1 ?
					vmem_id_allocff(vm, VMEM_NOSLEEP,
							&ids[i]) :
					vmem_id_alloc(vm, VMEM_NOSLEEP,
						      &ids[i]), 0);
		}
		KUNIT_EXPECT_EQ_MSG(test, vlt_nleaves(vm), leafy ?
				    (unsigned int)DIV_ROUND_UP(60, BITS_PER_LONG) :
				    0U, "%s", vmem_name(vm));
		KUNIT_EXPECT_EQ_MSG(test, vlt_state(vm).nleafids,
				    leafy ? 60UL : 0UL, "%s", vmem_name(vm));
		/* without caches, each identifier is a segment of its own */
		if (vm != cached) {
			KUNIT_EXPECT_EQ_MSG(test, vlt_state(vm).nlive, 60UL,
					    "%s", vmem_name(vm));
			KUNIT_EXPECT_EQ_MSG(test, vlt_state(vm).nbusy,
					    leafy ? vlt_nleaves(vm) : 60UL,
					    "%s", vmem_name(vm));
		}
		VKT_EXPECT_CHECK(test, vm);
		for (i = 0; i < ARRAY_SIZE(ids); i++)
			vmem_id_free(vm, ids[i]);
		KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), 0ULL);
		KUNIT_EXPECT_EQ(test, vlt_nleaves(vm), leafy ?
				(unsigned int)DIV_ROUND_UP(60, BITS_PER_LONG) :
				0U);
		VKT_EXPECT_CHECK(test, vm);
	}
	KUNIT_EXPECT_EQ(test, vlt_nleaves(src), 0U);
	VKT_EXPECT_SIZES(test, plain, 0, 1000);
	VKT_EXPECT_SIZES(test, nocache, 0, 1000);
}

/*
 * The same calls on an arena with leaves and on one without (not
 * VMC_IDENTIFIER, so no leaves): every answer, every counter a client
 * sees, and the walks agree.  A tiny xorshift generator, seeded from the
 * module's seed, so that a failure replays.
 */
struct vlt_live {
	unsigned long	addr;
	unsigned long	size;
	bool		xalloc;
};

static u64 vlt_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void vlt_expect_same_walk(struct kunit *test, struct vmem *a,
				 struct vmem *b, unsigned int mask,
				 struct vkt_seg *wa, struct vkt_seg *wb,
				 unsigned int max, unsigned long op)
{
	unsigned int na = vkt_walk(a, mask, wa, max);
	unsigned int nb = vkt_walk(b, mask, wb, max);
	unsigned int i;

	KUNIT_ASSERT_EQ_MSG(test, na, nb, "op %lu: walk %#x: %u vs %u entries",
			    op, mask, na, nb);
	for (i = 0; i < min(na, max); i++)
		KUNIT_ASSERT_TRUE_MSG(test, wa[i].start == wb[i].start &&
				      wa[i].size == wb[i].size,
				      "op %lu: walk %#x entry %u: [%#lx, +%#lx) vs [%#lx, +%#lx)",
				      op, mask, i, wa[i].start, wa[i].size,
				      wb[i].start, wb[i].size);
}

static void vlt_twin_run(struct kunit *test, unsigned long q, u64 seed)
{
	const unsigned long n = 300, base = 1000 * q, nops = 50000;
	struct vmem *vm = vlt_ids(test, "leaf_twin_ids", base, n * q, q);
	struct vmem *twin = vkt_create(test, "leaf_twin", base, n * q, q, 0);
	struct vkt_seg *wa, *wb;
	struct vlt_live *live;
	unsigned int nlive = 0, max = n + 1, maxleaves = 0;
	unsigned long op;
	u64 s = seed | 1;

	live = kunit_kcalloc(test, n, sizeof(*live), GFP_KERNEL);
	wa = kunit_kcalloc(test, max, sizeof(*wa), GFP_KERNEL);
	wb = kunit_kcalloc(test, max, sizeof(*wb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, wa);
	KUNIT_ASSERT_NOT_NULL(test, wb);
	KUNIT_ASSERT_FALSE(test, twin->vm_leafy);
	for (op = 0; op < nops; op++) {
		unsigned int r = vlt_rand(&s) % 100, k;
		unsigned long a1 = ~0UL, a2 = ~1UL, size = q;
		unsigned long lo, hi;
		bool xalloc = false;
		int e1, e2;

		/*
		 * Free with probability nlive / n times 1/2, 1 or 2, by turns
		 * every 1000 operations: a space nearly full, half full, a
		 * quarter full.
		 */
		if (nlive && (vlt_rand(&s) % n) <
			     nlive * (1 + (op / 1000) % 3) / 2) {
			k = vlt_rand(&s) % nlive;
			if (live[k].xalloc) {
				vmem_xfree(vm, live[k].addr, live[k].size);
				vmem_xfree(twin, live[k].addr, live[k].size);
			} else {
				vmem_free(vm, live[k].addr, live[k].size);
				vmem_free(twin, live[k].addr, live[k].size);
			}
			live[k] = live[--nlive];
			continue;
		}
		lo = base + (vlt_rand(&s) % n) * q;
		hi = lo + (vlt_rand(&s) % 80) * q + vlt_rand(&s) % q;
		if (r < 40) {
			e1 = vmem_id_alloc(vm, VMEM_NOSLEEP, &a1);
			e2 = vmem_id_alloc(twin, VMEM_NOSLEEP, &a2);
		} else if (r < 65) {
			e1 = vmem_id_allocff(vm, VMEM_NOSLEEP, &a1);
			e2 = vmem_id_allocff(twin, VMEM_NOSLEEP, &a2);
		} else if (r < 78) {
			xalloc = true;
			e1 = vmem_id_alloc_range(vm, lo, hi, VMEM_NOSLEEP, &a1);
			e2 = vmem_id_alloc_range(twin, lo, hi, VMEM_NOSLEEP,
						 &a2);
		} else if (r < 85) {
			xalloc = true;
			e1 = vmem_id_alloc_specific(vm, lo, VMEM_NOSLEEP);
			e2 = vmem_id_alloc_specific(twin, lo, VMEM_NOSLEEP);
			a1 = lo;
			a2 = lo;
		} else if (r < 95) {
			static const unsigned int pol[] = {
				VMEM_FIRSTFIT, VMEM_NEXTFIT, VMEM_TOPDOWN,
			};
			unsigned int p = pol[vlt_rand(&s) % ARRAY_SIZE(pol)];

			size = (1 + vlt_rand(&s) % 3) * q;
			e1 = vmem_alloc(vm, size, VMEM_NOSLEEP | p, &a1);
			e2 = vmem_alloc(twin, size, VMEM_NOSLEEP | p, &a2);
		} else {
			unsigned long align = q << (1 + vlt_rand(&s) % 3);

			xalloc = true;
			size = (1 + vlt_rand(&s) % 2) * q;
			e1 = vmem_xalloc(vm, size, align, 0, 0, lo, ULONG_MAX,
					 VMEM_NOSLEEP | VMEM_FIRSTFIT, &a1);
			e2 = vmem_xalloc(twin, size, align, 0, 0, lo,
					 ULONG_MAX, VMEM_NOSLEEP |
					 VMEM_FIRSTFIT, &a2);
		}
		KUNIT_ASSERT_EQ_MSG(test, e1, e2,
				    "op %lu (kind %u, lo %#lx hi %#lx size %#lx): %d vs %d",
				    op, r, lo, hi, size, e1, e2);
		if (e1)
			continue;
		KUNIT_ASSERT_EQ_MSG(test, a1, a2,
				    "op %lu (kind %u, lo %#lx hi %#lx size %#lx): %#lx vs %#lx",
				    op, r, lo, hi, size, a1, a2);
		KUNIT_ASSERT_LT(test, nlive, (unsigned int)n);
		live[nlive++] = (struct vlt_live){ a1, size, xalloc };
		maxleaves = max(maxleaves, vlt_nleaves(vm));
		if (op % 64 == 0 || op == nops - 1) {
			struct vmem_stats s1, s2;

			vmem_get_stats(vm, &s1);
			vmem_get_stats(twin, &s2);
			KUNIT_ASSERT_EQ_MSG(test, s1.nalloc, s2.nalloc, "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, s1.nfree, s2.nfree, "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, s1.nfail, s2.nfail, "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, s1.mem_inuse, s2.mem_inuse,
					    "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, s1.mem_free, s2.mem_free,
					    "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, s1.nbadfree, 0ULL, "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, vlt_state(vm).nlive,
					    (unsigned long)nlive, "op %lu", op);
			vlt_expect_same_walk(test, vm, twin, VMEM_ALLOC, wa, wb,
					     max, op);
			vlt_expect_same_walk(test, vm, twin, VMEM_FREE, wa, wb,
					     max, op);
			KUNIT_ASSERT_EQ_MSG(test, vmem_check(vm), 0, "op %lu", op);
			KUNIT_ASSERT_EQ_MSG(test, vmem_check(twin), 0, "op %lu",
					    op);
		}
	}
	/* the leaves were used, and full ones too */
	KUNIT_EXPECT_EQ(test, maxleaves, 2U);
	while (nlive) {
		const struct vlt_live *l = &live[--nlive];

		if (l->xalloc) {
			vmem_xfree(vm, l->addr, l->size);
			vmem_xfree(twin, l->addr, l->size);
		} else {
			vmem_free(vm, l->addr, l->size);
			vmem_free(twin, l->addr, l->size);
		}
	}
	VKT_EXPECT_SIZES(test, vm, 0, n * q);
	VKT_EXPECT_SIZES(test, twin, 0, n * q);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(vm), 0ULL);
	KUNIT_EXPECT_EQ(test, vlt_nbadfree(twin), 0ULL);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, twin);
}

static void vmem_leaf_twin(struct kunit *test)
{
	u64 seed = vkt_seed(test, "vmem_leaf");

	vlt_twin_run(test, 1, seed);
	vlt_twin_run(test, 8, seed ^ 0x1eaf);
}

static struct kunit_case vmem_leaf_cases[] = {
	KUNIT_CASE(vmem_leaf_next_fit),
	KUNIT_CASE(vmem_leaf_first_fit),
	KUNIT_CASE(vmem_leaf_range),
	KUNIT_CASE(vmem_leaf_specific),
	KUNIT_CASE(vmem_leaf_evict),
	KUNIT_CASE(vmem_leaf_generic),
	KUNIT_CASE(vmem_leaf_bad_free),
	KUNIT_CASE(vmem_leaf_walk),
	KUNIT_CASE(vmem_leaf_quantum),
	KUNIT_CASE(vmem_leaf_top),
	KUNIT_CASE(vmem_leaf_sleep),
	KUNIT_CASE(vmem_leaf_not_leafy),
	KUNIT_CASE(vmem_leaf_twin),
	{}
};

static struct kunit_suite vmem_leaf_suite = {
	.name = "vmem_leaf",
	.test_cases = vmem_leaf_cases,
};

kunit_test_suites(&vmem_leaf_suite);
