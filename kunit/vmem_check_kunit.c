// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_check: the consistency checker catches what it claims
 * to.  Each case breaks one invariant of a known arena under its lock,
 * expects vmem_check() to find it (-EUCLEAN), repairs the damage and
 * expects the arena to pass again.  The corruptions reach into struct vmem
 * (vmem_impl.h) and follow its layout.
 *
 *   span [B, +32 K):       . A . A A . . . ... .   (free from quantum 5 on)
 *   span [S2, +8 K):       . . . . . . . .         (wholly free)
 *
 * The table is shared with tools/testing/vmem, which also checks the
 * message each corruption logs: a KUnit case cannot read the kernel log.
 *
 * Identifier leaves need an arena of their own, with a second table:
 *
 *   leaf [0, +10):         A A . A A . . . . .     (IDs 0-4 by next fit,
 *                                                   2 freed)
 */
#include <kunit/test.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL
#define S2	0x2000000UL

static struct vmem_seg *nth_seg(struct vmem *vm, unsigned int type,
				unsigned int n)
{
	struct vmem_seg *vs;

	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist)
		if (vs->vs_type == type && !n--)
			return vs;
	return NULL;
}

/* The link that points at @vs in the hash, and the index of its bucket. */
static struct vmem_seg **hash_link(struct vmem *vm, struct vmem_seg *vs,
				   unsigned long *bucket)
{
	struct vmem_seg **pp;
	unsigned long i;

	for (i = 0; i < (1UL << vm->vm_hash_shift); i++) {
		for (pp = &vm->vm_hash[i]; *pp; pp = &(*pp)->vs_hnext) {
			if (*pp == vs) {
				*bucket = i;
				return pp;
			}
		}
	}
	return NULL;
}

/*
 * Each corruption, applied (@undo false) and repaired (@undo true) under
 * the arena lock: -ENOENT if the arena does not have the expected layout.
 */
static int c_freemap(struct vmem *vm, bool undo)
{
	vm->vm_freemap ^= 1UL << (BITS_PER_LONG - 1);
	return 0;
}

static int c_freelist(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_FREE, 0);
	unsigned int n;

	if (!vs)
		return -ENOENT;
	n = vs->vs_list;
	list_move(&vs->vs_freelist, &vm->vm_freelist[undo ? n : n + 1]);
	return 0;
}

static int c_seg_size(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);

	if (!vs)
		return -ENOENT;
	if (undo)
		vs->vs_size -= vm->vm_quantum;
	else
		vs->vs_size += vm->vm_quantum;
	return 0;
}

/* Shift a boundary by less than a quantum; the tiling holds. */
static int c_seg_unaligned(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 0), *next;
	long d = undo ? -1 : 1;

	if (!vs)
		return -ENOENT;
	next = list_next_entry(vs, vs_seglist);
	vs->vs_size += d;
	next->vs_start += d;
	next->vs_size -= d;
	return 0;
}

/* The second allocated segment follows a free one: call it free. */
static int c_not_coalesced(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;

	if (!undo)
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);
	if (!vs)
		return -ENOENT;
	vs->vs_type = undo ? VMEM_SEG_ALLOC : VMEM_SEG_FREE;
	return 0;
}

/* An allocated segment missing from the hash (and from vm_nbusy). */
static int c_hash_missing(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;
	static unsigned long bucket;
	struct vmem_seg **pp;

	if (undo) {
		vs->vs_hnext = vm->vm_hash[bucket];
		vm->vm_hash[bucket] = vs;
		vm->vm_nbusy++;
		return 0;
	}
	vs = nth_seg(vm, VMEM_SEG_ALLOC, 2);
	pp = vs ? hash_link(vm, vs, &bucket) : NULL;
	if (!pp)
		return -ENOENT;
	*pp = vs->vs_hnext;
	vm->vm_nbusy--;
	return 0;
}

static int c_inuse(struct vmem *vm, bool undo)
{
	if (undo)
		vm->vm_inuse -= vm->vm_quantum;
	else
		vm->vm_inuse += vm->vm_quantum;
	return 0;
}

static int c_nsegs(struct vmem *vm, bool undo)
{
	if (undo)
		vm->vm_nsegs--;
	else
		vm->vm_nsegs++;
	return 0;
}

static int c_reserve(struct vmem *vm, bool undo)
{
	if (undo)
		vm->vm_nreserve--;
	else
		vm->vm_nreserve++;
	return 0;
}

static int c_reserve_over(struct vmem *vm, bool undo)
{
	if (undo)
		vm->vm_nreserve++;
	else
		vm->vm_nreserve--;
	return 0;
}

/* Move the second span (and its one segment) into the first. */
static int c_span_overlap(struct vmem *vm, bool undo)
{
	struct vmem_seg *first = nth_seg(vm, VMEM_SEG_SPAN, 0);
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1), *vs;
	static unsigned long d;

	if (!first || !span)
		return -ENOENT;
	vs = list_next_entry(span, vs_seglist);
	if (!undo)
		d = span->vs_start - (first->vs_start + vm->vm_quantum);
	if (undo) {
		span->vs_start += d;
		vs->vs_start += d;
	} else {
		span->vs_start -= d;
		vs->vs_start -= d;
	}
	return 0;
}

static int c_imported_free(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);

	if (!span)
		return -ENOENT;
	span->vs_imported = !undo;
	if (undo)
		vm->vm_imported -= span->vs_size;
	else
		vm->vm_imported += span->vs_size;
	return 0;
}

static int c_bad_type(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;

	if (!undo)
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
	if (!vs)
		return -ENOENT;
	vs->vs_type = undo ? VMEM_SEG_ALLOC : 0x42;
	return 0;
}

/* Claim the next-fit rotor is in use while it is not on the list. */
static int c_rotor(struct vmem *vm, bool undo)
{
	vm->vm_rotor_used = !undo;
	return 0;
}

static int c_broken_link(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);
	static struct list_head *saved;

	if (!vs)
		return -ENOENT;
	if (!undo) {
		saved = vs->vs_seglist.next->prev;
		vs->vs_seglist.next->prev = &vm->vm_seg0.vs_seglist;
	} else {
		vs->vs_seglist.next->prev = saved;
	}
	return 0;
}

static bool span_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct vmem_iseg, vis_addr)->vis_seg.vs_start <
	       rb_entry(b, struct vmem_iseg, vis_addr)->vis_seg.vs_start;
}

/*
 * The span tree, done here: vmem.ko does not export its helpers.  A span
 * taken out of vm_span_tree, or one put into it that is not on the
 * segment list.
 */
static void span_tree_move(struct vmem *vm, struct vmem_seg *span, bool in)
{
	if (in)
		rb_add(&vmem_iseg(span)->vis_addr, &vm->vm_span_tree,
		       span_less);
	else
		rb_erase(&vmem_iseg(span)->vis_addr, &vm->vm_span_tree);
}

/* The first span out of vm_span_tree, still on the segment list. */
static int c_span_order(struct vmem *vm, bool undo)
{
	struct vmem_seg *a = nth_seg(vm, VMEM_SEG_SPAN, 0);

	if (!a)
		return -ENOENT;
	span_tree_move(vm, a, undo);
	return 0;
}

static int c_stray_rotor(struct vmem *vm, bool undo)
{
	if (undo)
		list_del(&vm->vm_rotor.vs_seglist);
	else
		list_add(&vm->vm_rotor.vs_seglist, &vm->vm_seg0.vs_seglist);
	return 0;
}

/* The first span's segments stop a quantum short of its end. */
static int c_not_tiled(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 0);
	long d = undo ? -(long)vm->vm_quantum : (long)vm->vm_quantum;

	if (!span)
		return -ENOENT;
	span->vs_size += d;
	vm->vm_total += d;
	return 0;
}

static int c_last_not_tiled(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);

	if (!span)
		return -ENOENT;
	if (undo)
		span->vs_size -= vm->vm_quantum;
	else
		span->vs_size += vm->vm_quantum;
	return 0;
}

static int c_empty_span(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);
	static unsigned long size;

	if (!span)
		return -ENOENT;
	if (!undo)
		size = span->vs_size;
	span->vs_size = undo ? size : 0;
	return 0;
}

/* The first span ends before its last segment. */
static int c_outside_span(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 0);
	struct vmem_seg *span2 = nth_seg(vm, VMEM_SEG_SPAN, 1), *last;

	if (!span || !span2)
		return -ENOENT;
	last = list_prev_entry(span2, vs_seglist);
	if (undo)
		span->vs_size += last->vs_size;
	else
		span->vs_size -= last->vs_size;
	return 0;
}

static struct vmem_iseg extra_span = {
	.vis_seg = { .vs_type = VMEM_SEG_SPAN, .vs_big = 1,
		     .vs_start = ~0UL, .vs_size = 1 },
};

static int c_extra_span(struct vmem *vm, bool undo)
{
	span_tree_move(vm, &extra_span.vis_seg, !undo);
	return 0;
}

/* A free segment that says it is allocated, still on its freelist. */
static int c_freelist_type(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, undo ? VMEM_SEG_ALLOC :
				      VMEM_SEG_FREE, 0);

	if (!vs)
		return -ENOENT;
	vs->vs_type = undo ? VMEM_SEG_FREE : VMEM_SEG_ALLOC;
	return 0;
}

/* An allocated segment moved to the next bucket of the hash. */
static int c_hash_bucket(struct vmem *vm, bool undo)
{
	static unsigned long i, j;
	static struct vmem_seg *vs;
	struct vmem_seg **pp;

	if (undo) {
		vm->vm_hash[j] = vs->vs_hnext;
		vs->vs_hnext = vm->vm_hash[i];
		vm->vm_hash[i] = vs;
		return 0;
	}
	vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
	pp = vs ? hash_link(vm, vs, &i) : NULL;
	if (!pp)
		return -ENOENT;
	*pp = vs->vs_hnext;
	j = (i + 1) & ((1UL << vm->vm_hash_shift) - 1);
	vs->vs_hnext = vm->vm_hash[j];
	vm->vm_hash[j] = vs;
	return 0;
}

/* A hash chain that loops: the checker must stop, not spin. */
static int c_hash_loop(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs, *next;

	if (!undo) {
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
		if (!vs)
			return -ENOENT;
		next = vs->vs_hnext;
		vs->vs_hnext = vs;
	} else {
		vs->vs_hnext = next;
	}
	return 0;
}

const struct vkt_corruption vkt_corruptions[] = {
	{ "freemap_bit", "freemap bit", c_freemap },
	{ "freelist", "freelist", c_freelist },
	{ "segment_size", "not at", c_seg_size },
	{ "unaligned_boundary", "not quantum-aligned", c_seg_unaligned },
	{ "not_coalesced", "uncoalesced", c_not_coalesced },
	{ "hash_missing", "hash holds", c_hash_missing },
	{ "inuse_counter", "counted/kept: inuse", c_inuse },
	{ "segment_counter", "tags", c_nsegs },
	{ "reserve_counter", "reserve holds", c_reserve },
	{ "reserve_overfull", "reserve holds over", c_reserve_over },
	{ "spans_overlap", "not above", c_span_overlap },
	{ "imported_span_free", "wholly free", c_imported_free },
	{ "bad_tag_type", "bad tag type", c_bad_type },
	{ "rotor_missing", "rotor missing", c_rotor },
	{ "broken_link", "segment list broken", c_broken_link },
	{ "span_order", "out of order", c_span_order },
	{ "stray_rotor", "stray rotor", c_stray_rotor },
	{ "span_not_tiled", "not tiled", c_not_tiled },
	{ "last_span_not_tiled", "last span", c_last_not_tiled },
	{ "empty_span", "empty span", c_empty_span },
	{ "segment_outside_spans", "outside any span", c_outside_span },
	{ "span_only_in_the_tree", "not on the segment list", c_extra_span },
	{ "freelist_member_type", "type 1", c_freelist_type },
	{ "hash_bucket", "hash bucket", c_hash_bucket },
	{ "hash_chain_loop", "hash holds over", c_hash_loop },
};

const unsigned int vkt_ncorruptions = ARRAY_SIZE(vkt_corruptions);

struct vmem *vkt_corruptible(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "corrupt", B, 32 * K, K, 0);
	unsigned long a[6];
	unsigned int i;

	/* instant fit, then the second span: an arena that is not indexed */
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, S2, 8 * K, VMEM_SLEEP), 0);
	vmem_free(vm, a[0], K);
	vmem_free(vm, a[2], K);
	vmem_free(vm, a[5], K);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { B + K, K }, { B + 3 * K, K },
			{ B + 4 * K, K });
	VKT_EXPECT_CHECK(test, vm);
	return vm;
}

int vkt_corrupt(struct vmem *vm, const struct vkt_corruption *c, bool undo)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vm->vm_lock, flags);
	ret = c->apply(vm, undo);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return ret;
}

KUNIT_ARRAY_PARAM_DESC(corruption, vkt_corruptions, name);

static void vmem_check_catches(struct kunit *test)
{
	const struct vkt_corruption *c = test->param_value;
	struct vmem *vm = vkt_corruptible(test);
	int ret;

	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, false), 0);
	ret = vmem_check(vm);
	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, true), 0);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EUCLEAN, "%s went unseen", c->name);
	KUNIT_EXPECT_EQ_MSG(test, vmem_check(vm), 0, "%s not repaired",
			    c->name);
}

/*
 * The leaf corruptions: applied and undone under the arena lock, on the
 * layout of leaf_corruptible() (the leaf in slot 0).
 */
static int c_leaf_map_width(struct vmem *vm, bool undo)
{
	struct vmem_leaf *lf = &vm->vm_leaf[0];

	if (!lf->lf_seg || lf->lf_nq != 10)
		return -ENOENT;
	lf->lf_free ^= BIT(10);		/* a bit beyond lf_nq */
	return 0;
}

static int c_leaf_nleafids(struct vmem *vm, bool undo)
{
	if (undo)
		vm->vm_nleafids--;
	else
		vm->vm_nleafids++;
	return 0;
}

/* vm_lowfree above the lowest free ID, 2, and said to hold. */
static int c_leaf_lowfree(struct vmem *vm, bool undo)
{
	static unsigned long saved, saved_seq;

	if (undo) {
		vm->vm_lowfree = saved;
		vm->vm_lowfree_seq = saved_seq;
		return 0;
	}
	if (vm->vm_lowfree > 2)
		return -ENOENT;
	saved = vm->vm_lowfree;
	saved_seq = vm->vm_lowfree_seq;
	vm->vm_lowfree = 3;
	vm->vm_lowfree_seq = vm->vm_free_seq;
	return 0;
}

/* The leaf's segment no longer marked a leaf: a live ID in no leaf. */
static int c_leaf_unmarked(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = vm->vm_leaf[0].lf_seg;

	if (!vs)
		return -ENOENT;
	vs->vs_owner = undo ? VMEM_OWNER_LEAF : VMEM_OWNER_CLIENT;
	return 0;
}

/* A leaf segment in no slot. */
static int c_leaf_no_slot(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;

	if (!undo) {
		vs = vm->vm_leaf[0].lf_seg;
		if (!vs)
			return -ENOENT;
		vm->vm_leaf[0].lf_seg = NULL;
		vm->vm_nleaves--;
	} else {
		vm->vm_leaf[0].lf_seg = vs;
		vm->vm_nleaves++;
	}
	return 0;
}

static const struct vkt_corruption leaf_corruptions[] = {
	{ "leaf_map_beyond_nq", "free map", c_leaf_map_width },
	{ "leaf_nleafids", "their IDs", c_leaf_nleafids },
	{ "leaf_lowfree_above_free", "lowest free bound", c_leaf_lowfree },
	{ "leaf_unmarked", "counted/kept: inuse", c_leaf_unmarked },
	{ "leaf_in_no_slot", "in no slot", c_leaf_no_slot },
};

/* An identifier arena with one leaf, destroyed at the end. */
static struct vmem *leaf_corruptible(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "corrupt_leaf", 0, 10, 1,
				     VMC_IDENTIFIER);
	unsigned long id, i;

	for (i = 0; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, vmem_id_alloc(vm, VMEM_NOSLEEP, &id), 0);
		KUNIT_ASSERT_EQ(test, id, i);
	}
	vmem_id_free(vm, 2);
	KUNIT_ASSERT_EQ(test, vm->vm_nleaves, 1U);
	KUNIT_ASSERT_EQ(test, vm->vm_leaf[0].lf_nq, 10U);
	KUNIT_ASSERT_EQ(test, vm->vm_leaf[0].lf_free, GENMASK(9, 5) | BIT(2));
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { 0, 1 }, { 1, 1 }, { 3, 1 },
			{ 4, 1 });
	VKT_EXPECT_CHECK(test, vm);
	return vm;
}

KUNIT_ARRAY_PARAM_DESC(leaf_corruption, leaf_corruptions, name);

static void vmem_check_catches_leaf(struct kunit *test)
{
	const struct vkt_corruption *c = test->param_value;
	struct vmem *vm = leaf_corruptible(test);
	int ret;

	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, false), 0);
	ret = vmem_check(vm);
	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, true), 0);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EUCLEAN, "%s went unseen", c->name);
	KUNIT_EXPECT_EQ_MSG(test, vmem_check(vm), 0, "%s not repaired",
			    c->name);
	/* repaired: the leaf works on, and destroy finds nothing */
	vmem_id_free(vm, 0);
	vmem_id_free(vm, 1);
	vmem_id_free(vm, 3);
	vmem_id_free(vm, 4);
	VKT_EXPECT_SIZES(test, vm, 0, 10);
	KUNIT_EXPECT_EQ(test, vm->vm_kstat.nbadfree, 0ULL);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_check_cases[] = {
	KUNIT_CASE_PARAM(vmem_check_catches, corruption_gen_params),
	KUNIT_CASE_PARAM(vmem_check_catches_leaf, leaf_corruption_gen_params),
	{}
};

static struct kunit_suite vmem_check_suite = {
	.name = "vmem_check",
	.test_cases = vmem_check_cases,
};

kunit_test_suites(&vmem_check_suite);
