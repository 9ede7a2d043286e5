// SPDX-License-Identifier: GPL-2.0-only
/*
 * The index of free segments, and the span tree.
 *
 * Instant fit needs no order among free segments: the freelists by size
 * class answer it in O(1).  The other policies do.  First fit, top-down,
 * next fit, windows and exact requests are defined by addresses, best fit
 * by sizes, and a list walk finds them in time proportional to the arena.
 * So an arena that asks for one of them gets an index: every free segment
 * then has a big tag (struct vmem_iseg) that sits in two red-black trees,
 *
 *  - vm_addr_tree, keyed by start and augmented with (an upper bound on)
 *    the largest size in each subtree (vis_max), which finds the lowest or
 *    highest free segment of at least a size above or below an address in
 *    O(log n);
 *  - vm_size_tree, keyed by (size, start), which finds the smallest free
 *    segment of at least a size, the lowest of equals first, in O(log n);
 *    kept only from the arena's first best-fit request on (vm_sized), as
 *    no other policy needs it.
 *
 * An arena that never asks keeps small tags and pays nothing.  The index
 * is started by vmem_index_start(), at the first such request, and from
 * then on every free segment the arena makes gets a big tag from the big
 * reserve.  The free segments it has by then, and those made when the
 * big reserve is empty (a free never allocates memory under the lock, and
 * never fails), have small tags: vm_nunindexed counts them, and while it
 * is not 0 the searches walk the lists as an unindexed arena does, and
 * the index work gives them big tags, a batch per locked section, from a
 * marker on the segment list.  Small arenas are indexed at once.
 *
 * The spans of every arena are in vm_span_tree, keyed by start: adding a
 * span, and vmem_contains(), take O(log spans).
 *
 * Everything here runs under vm_lock, but the index work, which takes it.
 */
#include <linux/rbtree_augmented.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "vmem_impl.h"

/* Free segments converted at vmem_index_start(); the rest is work's. */
#define VMEM_INDEX_SYNC		64
/* Tags the index work converts, and looks at, per locked section. */
#define VMEM_INDEX_BATCH	64
#define VMEM_INDEX_SCAN		1024

#define VIS_SIZE(is)	((is)->vis_seg.vs_size)

RB_DECLARE_CALLBACKS_MAX(static, vmem_addr_cb, struct vmem_iseg, vis_addr,
			 unsigned long, vis_max, VIS_SIZE);

static struct vmem_iseg *vmem_addr_entry(struct rb_node *n)
{
	return rb_entry(n, struct vmem_iseg, vis_addr);
}

/*
 * An erase leaves the vis_max of the erased node's ancestors as they are:
 * still upper bounds, since their subtrees only lost a segment.  The
 * rotations of the rebalance compute their nodes' vis_max from their
 * children's, which gives upper bounds again.  So an allocation that takes
 * the largest free segment whole, and the free that gives it back, do not
 * walk to the root and back; a search that meets the stale bound lowers it
 * (vmem_addr_lowest()).
 */
static void vmem_addr_cb_keep(struct rb_node *rb, struct rb_node *stop)
{
}

static const struct rb_augment_callbacks vmem_addr_cb_erase = {
	.propagate	= vmem_addr_cb_keep,
	.copy		= vmem_addr_cb_copy,
	.rotate		= vmem_addr_cb_rotate,
};

static struct vmem_iseg *vmem_size_entry(struct rb_node *n)
{
	return rb_entry(n, struct vmem_iseg, vis_size);
}

static struct vmem_seg *vmem_addr_seg(struct rb_node *n)
{
	return n ? &vmem_addr_entry(n)->vis_seg : NULL;
}

/* ---- the address tree ---- */

static void vmem_addr_insert(struct rb_root *root, struct vmem_iseg *is)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;
	unsigned long start = is->vis_seg.vs_start;
	unsigned long size = is->vis_seg.vs_size;

	/* the new node will be below every node on the way: raise their max */
	while (*link) {
		struct vmem_iseg *p = vmem_addr_entry(*link);

		parent = *link;
		if (p->vis_max < size)
			p->vis_max = size;
		link = start < p->vis_seg.vs_start ? &parent->rb_left :
						     &parent->rb_right;
	}
	is->vis_max = size;
	rb_link_node(&is->vis_addr, parent, link);
	rb_insert_augmented(&is->vis_addr, root, &vmem_addr_cb);
}

static bool vmem_fits_max(const struct rb_node *n, unsigned long size)
{
	return n && vmem_addr_entry((struct rb_node *)n)->vis_max >= size;
}

static bool vmem_fits_size(struct rb_node *n, unsigned long size)
{
	return VIS_SIZE(vmem_addr_entry(n)) >= size;
}

/*
 * Each search below comes in two mirror images: toward low addresses
 * (@rev false) and toward high ones (@rev true, left and right swapped).
 * @rev is a constant at every call, so each wrapper compiles to the code
 * a search written for its direction would be.
 */
static __always_inline struct rb_node *vmem_rb_near(struct rb_node *n,
						    bool rev)
{
	return rev ? n->rb_right : n->rb_left;
}

static __always_inline struct rb_node *vmem_rb_far(struct rb_node *n,
						   bool rev)
{
	return rev ? n->rb_left : n->rb_right;
}

/*
 * The lowest (@rev: highest) node of the subtree under @top whose segment
 * has at least @size integers, or NULL.  vis_max is an upper bound
 * (vmem_index_update() lowers it lazily): a descent may find that a
 * subtree it entered holds no such node after all.  It then lowers that
 * node's vis_max, and its ancestors', and tries again; each retry has
 * fixed a stale bound for good.
 */
static __always_inline struct rb_node *vmem_addr_end(struct rb_node *top,
						     unsigned long size,
						     bool rev)
{
	while (vmem_fits_max(top, size)) {
		struct rb_node *n = top;

		for (;;) {
			if (vmem_fits_max(vmem_rb_near(n, rev), size)) {
				n = vmem_rb_near(n, rev);
			} else if (vmem_fits_size(n, size)) {
				return n;
			} else if (vmem_fits_max(vmem_rb_far(n, rev), size)) {
				n = vmem_rb_far(n, rev);
			} else {
				vmem_addr_cb_propagate(n, NULL);
				break;
			}
		}
	}
	return NULL;
}

static struct rb_node *vmem_addr_lowest(struct rb_node *top,
					unsigned long size)
{
	return vmem_addr_end(top, size, false);
}

static struct rb_node *vmem_addr_highest(struct rb_node *top,
					 unsigned long size)
{
	return vmem_addr_end(top, size, true);
}

/*
 * The first node at or after @n in address order (@rev: the last at or
 * before it) whose segment has at least @size integers, or NULL: the node
 * itself, else the lowest such in its right subtree, else the same for
 * the first ancestor above a left branch (@rev: mirrored).  O(log n): one climb, and one
 * descent.
 */
static __always_inline struct rb_node *vmem_addr_scan(struct rb_node *n,
						      unsigned long size,
						      bool rev)
{
	while (n) {
		struct rb_node *p, *found;

		if (vmem_fits_size(n, size))
			return n;
		found = rev ? vmem_addr_highest(n->rb_left, size) :
			      vmem_addr_lowest(n->rb_right, size);
		if (found)
			return found;
		for (p = rb_parent(n); p && vmem_rb_far(p, rev) == n;
		     p = rb_parent(n))
			n = p;
		n = p;
	}
	return NULL;
}

static struct rb_node *vmem_addr_from(struct rb_node *n, unsigned long size)
{
	return vmem_addr_scan(n, size, false);
}

static struct rb_node *vmem_addr_upto(struct rb_node *n, unsigned long size)
{
	return vmem_addr_scan(n, size, true);
}

/*
 * vmem_index_first() and vmem_index_last(): the lowest free segment whose
 * last integer is at least @bound, or (@rev) the highest whose first is
 * at most @bound.  Free segments are disjoint and sorted, so their last
 * integers are sorted too.  One descent: past segments on the wrong side
 * of @bound, toward the near side where its subtree may hold the answer.
 * Where it finds nothing (a stale vis_max, or a near subtree of segments
 * past @bound), the answer is the first at or after (@rev: at or before)
 * the last node it turned at.
 */
static __always_inline struct vmem_seg *
vmem_index_end(struct vmem *vm, unsigned long bound, unsigned long size,
	       bool rev)
{
	struct rb_node *n = vm->vm_addr_tree.rb_node, *turn = NULL, *found;

	lockdep_assert_held(&vm->vm_lock);
	while (vmem_fits_max(n, size)) {
		if (rev ? vmem_addr_seg(n)->vs_start > bound :
			  vmem_seg_last(vmem_addr_seg(n)) < bound) {
			n = vmem_rb_far(n, rev);
		} else if (vmem_fits_max(vmem_rb_near(n, rev), size)) {
			/*
			 * The answer is on the near side, else @n or beyond
			 * it: remember @n if it or its far subtree may hold
			 * it, so that a search with no fit ends with its
			 * descent
			 */
			if (vmem_fits_size(n, size) ||
			    vmem_fits_max(vmem_rb_far(n, rev), size))
				turn = n;
			n = vmem_rb_near(n, rev);
		} else if (!vmem_fits_size(n, size)) {
			/* everything beyond @n meets @bound */
			found = rev ? vmem_addr_highest(n->rb_left, size) :
				      vmem_addr_lowest(n->rb_right, size);
			if (found)
				return vmem_addr_seg(found);
			vmem_addr_cb_propagate(n, NULL);
			n = NULL;
		} else {
			return vmem_addr_seg(n);
		}
	}
	if (rev)
		return turn ? vmem_addr_seg(vmem_addr_upto(turn, size)) : NULL;
	return turn ? vmem_addr_seg(vmem_addr_from(turn, size)) : NULL;
}

/**
 * vmem_index_first() - The lowest indexed free segment from an address.
 * @vm: the arena; vm_lock held, the index in use
 * @lo: the segment's last integer is at least this
 * @size: it has at least this many integers
 *
 * See vmem_index_end().
 *
 * Return: the segment, or NULL.
 */
struct vmem_seg *vmem_index_first(struct vmem *vm, unsigned long lo,
				  unsigned long size)
{
	return vmem_index_end(vm, lo, size, false);
}

/*
 * The next indexed free segment after @vs with at least @size integers;
 * vm_lock held, index in use (as vmem_index_first()).
 */
struct vmem_seg *vmem_index_next(struct vmem_seg *vs, unsigned long size)
{
	return vmem_addr_seg(vmem_addr_from(rb_next(&vmem_iseg(vs)->vis_addr),
					    size));
}

/**
 * vmem_index_last() - The highest indexed free segment below an address.
 * @vm: the arena; vm_lock held, the index in use
 * @hi: the segment's first integer is at most this
 * @size: it has at least this many integers
 *
 * The mirror image of vmem_index_first().
 *
 * Return: the segment, or NULL.
 */
struct vmem_seg *vmem_index_last(struct vmem *vm, unsigned long hi,
				 unsigned long size)
{
	return vmem_index_end(vm, hi, size, true);
}

/*
 * The previous indexed free segment before @vs with @size integers;
 * vm_lock held, index in use.
 */
struct vmem_seg *vmem_index_prev(struct vmem_seg *vs, unsigned long size)
{
	return vmem_addr_seg(vmem_addr_upto(rb_prev(&vmem_iseg(vs)->vis_addr),
					    size));
}

/* ---- the size tree ---- */

static bool vmem_size_less(struct rb_node *a, const struct rb_node *b)
{
	const struct vmem_seg *x = &vmem_size_entry(a)->vis_seg;
	const struct vmem_seg *y = &vmem_size_entry((struct rb_node *)b)->vis_seg;

	return x->vs_size < y->vs_size ||
	       (x->vs_size == y->vs_size && x->vs_start < y->vs_start);
}

/**
 * vmem_index_best() - The smallest indexed free segment of a size or more.
 * @vm: the arena; vm_lock held, the index in use
 * @size: the segment has at least this many integers
 *
 * Return: the segment, the lowest of several of the same size, or NULL.
 */
struct vmem_seg *vmem_index_best(struct vmem *vm, unsigned long size)
{
	struct rb_node *n = vm->vm_size_tree.rb_node, *cand = NULL;

	lockdep_assert_held(&vm->vm_lock);
	while (n) {
		if (vmem_size_entry(n)->vis_seg.vs_size >= size) {
			cand = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return cand ? &vmem_size_entry(cand)->vis_seg : NULL;
}

/*
 * The next indexed free segment after @vs in (size, start) order;
 * vm_lock held, size tree in use.
 */
struct vmem_seg *vmem_index_best_next(struct vmem_seg *vs)
{
	struct rb_node *n = rb_next(&vmem_iseg(vs)->vis_size);

	return n ? &vmem_size_entry(n)->vis_seg : NULL;
}

/* ---- keeping the index ---- */

/*
 * The size tree, with its last node cached: the largest free segment is
 * the one most allocations carve from, and it would otherwise climb the
 * whole tree to learn that no node follows it.
 */
static void vmem_size_insert(struct vmem *vm, struct vmem_iseg *is)
{
	rb_add(&is->vis_size, &vm->vm_size_tree, vmem_size_less);
	if (!vm->vm_size_last ||
	    vmem_size_less(vm->vm_size_last, &is->vis_size))
		vm->vm_size_last = &is->vis_size;
	is->vis_seg.vs_sized = 1;
}

static void vmem_size_erase(struct vmem *vm, struct vmem_iseg *is)
{
	if (vm->vm_size_last == &is->vis_size)
		vm->vm_size_last = rb_prev(&is->vis_size);
	rb_erase(&is->vis_size, &vm->vm_size_tree);
	is->vis_seg.vs_sized = 0;
}

/*
 * A big free tag goes into the address tree, and into the size tree once
 * best fit asked for one (vmem_freelist_insert()).
 */
void vmem_index_insert(struct vmem *vm, struct vmem_seg *vs)
{
	struct vmem_iseg *is = vmem_iseg(vs);

	lockdep_assert_held(&vm->vm_lock);
	vmem_addr_insert(&vm->vm_addr_tree, is);
	if (vm->vm_sized)
		vmem_size_insert(vm, is);
}

void vmem_index_erase(struct vmem *vm, struct vmem_seg *vs)
{
	struct vmem_iseg *is = vmem_iseg(vs);

	lockdep_assert_held(&vm->vm_lock);
	rb_erase_augmented(&is->vis_addr, &vm->vm_addr_tree,
			   &vmem_addr_cb_erase);
	if (vs->vs_sized)
		vmem_size_erase(vm, is);
	else if (vm->vm_sized)
		vm->vm_nunsized--;
}

/*
 * A big free segment changed its extent (vmem_freelist_resize()) from
 * @oldsize.  Its place in address order holds.  A larger size goes up
 * the vis_max of its ancestors at once, as far as it raises them: a search
 * must never miss room.  A smaller one is not propagated: vis_max is an
 * upper bound, which the searches lower where it misleads them
 * (vmem_addr_lowest()).  So shrinking the largest free segment, which
 * most allocations do, costs nothing here, and growing it back stops at
 * once.  In size order the segment moves only if the neighbour on the
 * side it moved towards is now out of order.
 */
void vmem_index_update(struct vmem *vm, struct vmem_seg *vs,
		       unsigned long oldsize)
{
	struct vmem_iseg *is = vmem_iseg(vs);
	struct rb_node *n;
	bool moved;

	lockdep_assert_held(&vm->vm_lock);
	if (vs->vs_size > oldsize)
		vmem_addr_cb_propagate(&is->vis_addr, NULL);
	if (!vs->vs_sized)
		return;
	if (vs->vs_size > oldsize) {
		n = vm->vm_size_last == &is->vis_size ? NULL :
						       rb_next(&is->vis_size);
		moved = n && !vmem_size_less(&is->vis_size, n);
	} else {
		n = rb_prev(&is->vis_size);
		moved = n && !vmem_size_less(n, &is->vis_size);
	}
	if (moved) {
		vmem_size_erase(vm, is);
		vmem_size_insert(vm, is);
	}
}

/*
 * Give the small free tag @vs the big tag @big: the same segment, in the
 * same place on the segment list and on the same freelist, now indexed.
 */
static void vmem_index_convert(struct vmem *vm, struct vmem_seg *vs,
			       struct vmem_seg *big)
{
	big->vs_start = vs->vs_start;
	big->vs_size = vs->vs_size;
	big->vs_type = VMEM_SEG_FREE;
	big->vs_list = vs->vs_list;
	list_replace(&vs->vs_seglist, &big->vs_seglist);
	list_replace(&vs->vs_freelist, &big->vs_freelist);
	WRITE_ONCE(vm->vm_nunindexed, vm->vm_nunindexed - 1);
	vmem_index_insert(vm, big);
	vmem_tag_put(vm, vs);
}

/* A free segment had to take a small tag: the work will convert it. */
void vmem_index_defer(struct vmem *vm)
{
	lockdep_assert_held(&vm->vm_lock);
	schedule_work(&vm->vm_index_work);
}

/* Anything left for the index work? */
static bool vmem_index_pending(const struct vmem *vm)
{
	return vm->vm_nunindexed || vm->vm_nunsized;
}

/*
 * Walk from the indexer marker over at most VMEM_INDEX_SCAN tags, giving
 * small free tags big ones as far as the big reserve allows, and putting
 * big ones into the size tree when best fit wants it.  Returns true when
 * nothing is left to do.
 */
static bool vmem_index_step(struct vmem *vm)
{
	struct vmem_seg *marker = &vm->vm_indexer;
	unsigned int scanned = 0;

	lockdep_assert_held(&vm->vm_lock);
	if (!vmem_index_pending(vm))
		goto done;
	if (!vm->vm_indexer_used) {
		list_add(&marker->vs_seglist, &vm->vm_seg0.vs_seglist);
		vm->vm_indexer_used = true;
	}
	while (scanned++ < VMEM_INDEX_SCAN) {
		struct vmem_seg *vs = list_next_entry(marker, vs_seglist);

		if (vs == &vm->vm_seg0) {
			/* round again: frees may have made small ones behind */
			list_move(&marker->vs_seglist, &vm->vm_seg0.vs_seglist);
			continue;
		}
		if (vs->vs_type == VMEM_SEG_FREE && !vs->vs_big) {
			if (!vm->vm_ireserve)
				break;
			vmem_index_convert(vm, vs, vmem_itag_get(vm));
			vs = list_next_entry(marker, vs_seglist);
		} else if (vs->vs_type == VMEM_SEG_FREE && !vs->vs_sized &&
			   vm->vm_sized) {
			vmem_size_insert(vm, vmem_iseg(vs));
			vm->vm_nunsized--;
		}
		list_move(&marker->vs_seglist, &vs->vs_seglist);
		if (!vmem_index_pending(vm))
			goto done;
	}
	return false;
done:
	if (vm->vm_indexer_used) {
		list_del(&marker->vs_seglist);
		vm->vm_indexer_used = false;
	}
	return true;
}

/*
 * Big tags, up to @n, for the big reserve, as @gfp allows; how many.
 * Called without vm_lock (it takes it per tag); sleeps if @gfp may.
 */
static unsigned long vmem_index_refill(struct vmem *vm, unsigned long n,
				       gfp_t gfp)
{
	unsigned long flags, got;

	for (got = 0; got < n; got++) {
		struct vmem_seg *vs = vmem_tag_new(true, gfp);

		if (!vs)
			break;
		spin_lock_irqsave(&vm->vm_lock, flags);
		vmem_tag_put(vm, vs);
		vm->vm_kstat.nrefill++;
		spin_unlock_irqrestore(&vm->vm_lock, flags);
	}
	return got;
}

/*
 * The index work: big tags for the free segments that have small ones,
 * a batch at a time, with the lock dropped between batches.
 */
void vmem_index_work(struct work_struct *work)
{
	struct vmem *vm = container_of(work, struct vmem, vm_index_work);
	unsigned long flags, n;
	bool done;

	do {
		n = min_t(unsigned long, READ_ONCE(vm->vm_nunindexed),
			  VMEM_INDEX_BATCH);
		/* no memory for a single tag: the next small one retries */
		if (n && !vmem_index_refill(vm, n, GFP_KERNEL))
			return;
		spin_lock_irqsave(&vm->vm_lock, flags);
		done = vmem_index_step(vm);
		vmem_unlock(vm, flags);
		cond_resched();
	} while (!done);
}

/**
 * vmem_index_start() - Index an arena.
 * @vm: the arena; vm_lock not held
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP: how the big tags may be allocated
 *
 * From now on the arena's new free segments get big tags.  Those it has
 * are converted here when they are few, else by the index work; until
 * then the searches walk.  Called at the first request that wants order.
 */
void vmem_index_start(struct vmem *vm, unsigned int vmflags)
{
	unsigned long flags, nfree;
	bool done;

	might_sleep_if(vmflags & VMEM_SLEEP);
	spin_lock_irqsave(&vm->vm_lock, flags);
	if (vm->vm_indexed) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return;
	}
	nfree = vmem_nfreesegs(vm);
	WRITE_ONCE(vm->vm_indexed, true);
	WRITE_ONCE(vm->vm_nunindexed, nfree);
	spin_unlock_irqrestore(&vm->vm_lock, flags);

	if (nfree <= VMEM_INDEX_SYNC)
		vmem_index_refill(vm, nfree + VMEM_ITAGS_LOW,
				  vmem_gfp(vmflags));
	spin_lock_irqsave(&vm->vm_lock, flags);
	done = nfree <= VMEM_INDEX_SYNC && vmem_index_step(vm);
	if (!done)
		schedule_work(&vm->vm_index_work);
	vmem_unlock(vm, flags);
}

/**
 * vmem_index_size_start() - Keep an indexed arena's size tree.
 * @vm: the arena, indexed; vm_lock not held
 *
 * Only best fit orders free segments by size: the size tree is kept from
 * its first best-fit request on.  The big free tags there are then go into
 * it here when they are few, else by the index work; until then best fit
 * searches the freelists.
 */
void vmem_index_size_start(struct vmem *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	if (!vm->vm_sized) {
		WRITE_ONCE(vm->vm_sized, true);
		vm->vm_nunsized = vmem_nfreesegs(vm) - vm->vm_nunindexed;
		if (vm->vm_nunsized > VMEM_INDEX_SYNC || !vmem_index_step(vm))
			schedule_work(&vm->vm_index_work);
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/* ---- the span tree ---- */

/* Span tags are big tags, in vm_span_tree by their vis_addr node. */
/*
 * The span with the highest start at most @addr, or NULL; the tree nodes
 * looked at are added to *@visited.
 */
struct vmem_seg *vmem_span_lookup(struct vmem *vm, unsigned long addr,
				  u64 *visited)
{
	struct rb_node *n = vm->vm_span_tree.rb_node, *cand = NULL;

	lockdep_assert_held(&vm->vm_lock);
	while (n) {
		(*visited)++;
		if (vmem_addr_seg(n)->vs_start <= addr) {
			cand = n;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return vmem_addr_seg(cand);
}

/* The span with the highest start at most @addr, or NULL. */
struct vmem_seg *vmem_span_find(struct vmem *vm, unsigned long addr)
{
	u64 visited;

	return vmem_span_lookup(vm, addr, &visited);
}

/* The lowest span, or NULL. */
struct vmem_seg *vmem_span_first(struct vmem *vm)
{
	lockdep_assert_held(&vm->vm_lock);
	return vmem_addr_seg(rb_first(&vm->vm_span_tree));
}

/* The span after @span in address order, or NULL. */
struct vmem_seg *vmem_span_next(struct vmem_seg *span)
{
	return vmem_addr_seg(rb_next(&vmem_iseg(span)->vis_addr));
}

static bool vmem_span_less(struct rb_node *a, const struct rb_node *b)
{
	return vmem_addr_seg(a)->vs_start <
	       vmem_addr_seg((struct rb_node *)b)->vs_start;
}

void vmem_span_tree_insert(struct vmem *vm, struct vmem_seg *span)
{
	lockdep_assert_held(&vm->vm_lock);
	rb_add(&vmem_iseg(span)->vis_addr, &vm->vm_span_tree, vmem_span_less);
}

void vmem_span_tree_erase(struct vmem *vm, struct vmem_seg *span)
{
	lockdep_assert_held(&vm->vm_lock);
	rb_erase(&vmem_iseg(span)->vis_addr, &vm->vm_span_tree);
}
