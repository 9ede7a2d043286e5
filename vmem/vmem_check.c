// SPDX-License-Identifier: GPL-2.0-only
/*
 * The consistency checker: every invariant of the theory statement in
 * vmem/vmem.c, checked in one pass over the arena under its lock.  Tests
 * run it after their operations; a developer chasing a corruption can call
 * it from anywhere.
 */
#include <linux/module.h>
#include "vmem_impl.h"

struct vmem_census {
	unsigned long	nfree[VMEM_NFREELISTS];	/* free segments per list */
	unsigned long	nbigfree;		/* of which with big tags */
	unsigned long	nsized;			/* ... in the size tree */
	unsigned long	nsmallfree;
	unsigned long	nalloc;
	unsigned long	inuse;
	unsigned long	total;
	unsigned long	imported;
	unsigned long	nsegs;
	unsigned long	nspans;
	unsigned int	nrotors;
	unsigned int	nindexers;
	unsigned int	nleaves;		/* leaves' segments */
	unsigned long	nleafids;		/* clients' quanta in them */
	bool		anyfree;
	unsigned long	lowfree;		/* if anyfree: lowest free */
};

#define vmem_bad(vm, fmt, ...)						\
({									\
	pr_err("vmem_check(%s): " fmt "\n", (vm)->vm_name, ##__VA_ARGS__); \
	-EUCLEAN;							\
})

static bool vmem_linked(const struct vmem_seg *vs)
{
	return vs->vs_seglist.prev->next == &vs->vs_seglist &&
	       vs->vs_seglist.next->prev == &vs->vs_seglist;
}

static void vmem_census_free(struct vmem_census *c, unsigned long addr)
{
	if (!c->anyfree || addr < c->lowfree)
		c->lowfree = addr;
	c->anyfree = true;
}

/*
 * An identifier leaf's segment: in a slot of an arena that may have
 * leaves, its bitmap no wider than the segment; its clients' quanta
 * counted as in use.
 */
static int vmem_check_leaf(struct vmem *vm, struct vmem_seg *vs,
			   struct vmem_census *c)
{
	struct vmem_leaf *lf = vmem_leaf_of(vm, vs);
	unsigned int nq;

	if (!lf || !vm->vm_leafy)
		return vmem_bad(vm, "leaf [%#lx, +%#lx) in no slot",
				vs->vs_start, vs->vs_size);
	nq = lf->lf_nq;
	if (!nq || nq > BITS_PER_LONG ||
	    ((unsigned long)nq << vm->vm_qshift) != vs->vs_size ||
	    lf->lf_start != vs->vs_start || lf->lf_size != vs->vs_size ||
	    (nq < BITS_PER_LONG && lf->lf_free >> nq))
		return vmem_bad(vm, "leaf [%#lx, +%#lx): %u quanta, free map %#lx",
				vs->vs_start, vs->vs_size, nq, lf->lf_free);
	c->nleaves++;
	c->nleafids += vmem_leaf_live(lf);
	c->inuse += (unsigned long)vmem_leaf_live(lf) << vm->vm_qshift;
	if (lf->lf_free)
		vmem_census_free(c, vs->vs_start +
				 ((unsigned long)__ffs(lf->lf_free) << vm->vm_qshift));
	return 0;
}

/* The segment list: spans sorted and disjoint, segments tiling them. */
static int vmem_check_segments(struct vmem *vm, struct vmem_census *c)
{
	struct vmem_seg *span = NULL, *vs, *prev = NULL;
	struct rb_node *spanpos = NULL;
	unsigned long next = 0;	/* start the next segment must have */
	unsigned long left = 0;	/* bytes of the current span not yet seen */

	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		if (!vmem_linked(vs))
			return vmem_bad(vm, "segment list broken at %p", vs);
		switch (vs->vs_type) {
		case VMEM_SEG_ROTOR:
			if (vs != &vm->vm_rotor || !vm->vm_rotor_used)
				return vmem_bad(vm, "stray rotor");
			c->nrotors++;
			continue;
		case VMEM_SEG_WALKER:
			continue;
		case VMEM_SEG_INDEXER:
			if (vs != &vm->vm_indexer || !vm->vm_indexer_used)
				return vmem_bad(vm, "stray indexer");
			c->nindexers++;
			continue;
		case VMEM_SEG_SPAN:
			if (left)
				return vmem_bad(vm, "span [%#lx, +%#lx) not tiled: %#lx left",
						span->vs_start, span->vs_size,
						left);
			if (!vs->vs_size)
				return vmem_bad(vm, "empty span at %#lx",
						vs->vs_start);
			if (span && vs->vs_start <= vmem_seg_last(span))
				return vmem_bad(vm, "span [%#lx, +%#lx) not above [%#lx, +%#lx)",
						vs->vs_start, vs->vs_size,
						span->vs_start, span->vs_size);
			spanpos = spanpos ? rb_next(spanpos) :
					    rb_first(&vm->vm_span_tree);
			if (!vs->vs_big || spanpos != &vmem_iseg(vs)->vis_addr)
				return vmem_bad(vm, "span [%#lx, +%#lx) out of order in the tree",
						vs->vs_start, vs->vs_size);
			span = vs;
			next = vs->vs_start;
			left = vs->vs_size;
			prev = NULL;
			c->nspans++;
			c->nsegs++;
			c->total += vs->vs_size;
			if (vs->vs_imported)
				c->imported += vs->vs_size;
			continue;
		case VMEM_SEG_FREE:
		case VMEM_SEG_ALLOC:
			break;
		default:
			return vmem_bad(vm, "bad tag type %u at %p",
					vs->vs_type, vs);
		}
		if (!span || !left)
			return vmem_bad(vm, "segment [%#lx, +%#lx) outside any span",
					vs->vs_start, vs->vs_size);
		if (vs->vs_start != next || !vs->vs_size ||
		    vs->vs_size > left)
			return vmem_bad(vm, "seg [%#lx, +%#lx) not at %#lx in span [%#lx, +%#lx)",
					vs->vs_start, vs->vs_size, next,
					span->vs_start, span->vs_size);
		if ((vs->vs_start | vs->vs_size) & (vm->vm_quantum - 1))
			return vmem_bad(vm, "segment [%#lx, +%#lx) not quantum-aligned",
					vs->vs_start, vs->vs_size);
		if (vs->vs_type == VMEM_SEG_FREE) {
			if (prev && prev->vs_type == VMEM_SEG_FREE)
				return vmem_bad(vm, "free [%#lx, +%#lx), [%#lx, +%#lx) uncoalesced",
						prev->vs_start, prev->vs_size,
						vs->vs_start, vs->vs_size);
			if (span->vs_imported && vs->vs_size == span->vs_size)
				return vmem_bad(vm, "imported span [%#lx, +%#lx) wholly free",
						span->vs_start, span->vs_size);
			if (vs->vs_owner != VMEM_OWNER_CLIENT)
				return vmem_bad(vm, "free [%#lx, +%#lx) has owner %u",
						vs->vs_start, vs->vs_size,
						vs->vs_owner);
			vmem_census_free(c, vs->vs_start);
			c->nfree[vs->vs_list % VMEM_NFREELISTS]++;
			if (vs->vs_big)
				c->nbigfree++;
			else
				c->nsmallfree++;
			c->nsized += vs->vs_sized;
		} else {
			if (vs->vs_big)
				return vmem_bad(vm, "allocated [%#lx, +%#lx) has a big tag",
						vs->vs_start, vs->vs_size);
			c->nalloc++;
			if (vmem_seg_is_leaf(vs)) {
				int err = vmem_check_leaf(vm, vs, c);

				if (err)
					return err;
			} else {
				c->inuse += vs->vs_size;
			}
		}
		c->nsegs++;
		next = vs->vs_start + vs->vs_size;	/* may wrap to 0 */
		left -= vs->vs_size;
		prev = vs;
	}
	if (left)
		return vmem_bad(vm, "last span [%#lx, +%#lx) not tiled",
				span->vs_start, span->vs_size);
	if (spanpos ? rb_next(spanpos) : rb_first(&vm->vm_span_tree))
		return vmem_bad(vm, "vm_span_tree holds spans not on the segment list");
	if (c->nrotors != vm->vm_rotor_used)
		return vmem_bad(vm, "rotor missing");
	if (c->nindexers != vm->vm_indexer_used)
		return vmem_bad(vm, "indexer missing");
	return 0;
}

/* Freelists and bitmap against the census of free segments. */
static int vmem_check_freelists(struct vmem *vm, struct vmem_census *c)
{
	unsigned int n;

	for (n = 0; n < VMEM_NFREELISTS; n++) {
		unsigned long count = 0;
		struct vmem_seg *vs;

		list_for_each_entry(vs, &vm->vm_freelist[n], vs_freelist) {
			if (vs->vs_type != VMEM_SEG_FREE || vs->vs_list != n ||
			    !vmem_freelist_keeps(n, vs->vs_size) ||
			    !vmem_linked(vs))
				return vmem_bad(vm, "freelist %u holds [%#lx, +%#lx) type %u",
						n, vs->vs_start, vs->vs_size,
						vs->vs_type);
			count++;
		}
		if (count != c->nfree[n])
			return vmem_bad(vm, "freelist %u holds %lu segments, the spans %lu",
					n, count, c->nfree[n]);
		if (!!(vm->vm_freemap & (1UL << n)) != !!count)
			return vmem_bad(vm, "freemap bit %u is wrong", n);
	}
	return 0;
}

/*
 * The index: in the address tree, exactly the big free tags, in address
 * order, each node's vis_max at least its own size and its children's
 * (so at least every size below it); in the size tree, the same tags in
 * (size, start) order; the small free tags counted
 * as unindexed.  An arena never indexed has only small free tags.
 */
static int vmem_check_index(struct vmem *vm, struct vmem_census *c)
{
	struct vmem_seg *last = NULL;
	unsigned long count = 0;
	struct rb_node *n;

	if (!vm->vm_indexed) {
		if (c->nbigfree || vm->vm_nunindexed ||
		    !RB_EMPTY_ROOT(&vm->vm_addr_tree) ||
		    !RB_EMPTY_ROOT(&vm->vm_size_tree))
			return vmem_bad(vm, "not indexed, yet %lu big free tags, %lu unindexed",
					c->nbigfree, vm->vm_nunindexed);
		return 0;
	}
	if (c->nsmallfree != vm->vm_nunindexed)
		return vmem_bad(vm, "%lu small free tags, %lu recorded unindexed",
				c->nsmallfree, vm->vm_nunindexed);
	if (vm->vm_sized ? c->nbigfree - c->nsized != vm->vm_nunsized :
			   c->nsized || vm->vm_nunsized)
		return vmem_bad(vm, "%lu of %lu big free tags in the size tree, %lu outside",
				c->nsized, c->nbigfree, vm->vm_nunsized);
	for (n = rb_first(&vm->vm_addr_tree); n; n = rb_next(n)) {
		struct vmem_iseg *is = rb_entry(n, struct vmem_iseg, vis_addr);
		struct vmem_seg *vs = &is->vis_seg;
		unsigned long max = vs->vs_size;

		if (vs->vs_type != VMEM_SEG_FREE || !vs->vs_big ||
		    !vmem_linked(vs) ||
		    (last && vs->vs_start <= vmem_seg_last(last)))
			return vmem_bad(vm, "address tree: [%#lx, +%#lx) type %u out of place",
					vs->vs_start, vs->vs_size, vs->vs_type);
		if (n->rb_left)
			max = max(max, rb_entry(n->rb_left, struct vmem_iseg,
						vis_addr)->vis_max);
		if (n->rb_right)
			max = max(max, rb_entry(n->rb_right, struct vmem_iseg,
						vis_addr)->vis_max);
		if (is->vis_max < max)
			return vmem_bad(vm, "address tree: [%#lx, +%#lx) max %#lx below %#lx",
					vs->vs_start, vs->vs_size, is->vis_max,
					max);
		if (++count > c->nbigfree)
			break;
		last = vs;
	}
	if (count != c->nbigfree)
		return vmem_bad(vm, "address tree holds %s%lu segments, %lu big free tags",
				count > c->nbigfree ? "over " : "", count,
				c->nbigfree);
	count = 0;
	last = NULL;
	for (n = rb_first(&vm->vm_size_tree); n; n = rb_next(n)) {
		struct vmem_seg *vs = &rb_entry(n, struct vmem_iseg,
						vis_size)->vis_seg;

		if (vs->vs_type != VMEM_SEG_FREE || !vs->vs_sized ||
		    (last && (vs->vs_size < last->vs_size ||
			      (vs->vs_size == last->vs_size &&
			       vs->vs_start <= last->vs_start))))
			return vmem_bad(vm, "size tree: [%#lx, +%#lx) out of place",
					vs->vs_start, vs->vs_size);
		if (++count > c->nsized)
			break;
		last = vs;
	}
	if (count != c->nsized)
		return vmem_bad(vm, "size tree holds %s%lu segments, %lu tags say so",
				count > c->nsized ? "over " : "", count,
				c->nsized);
	if (vm->vm_size_last != rb_last(&vm->vm_size_tree))
		return vmem_bad(vm, "size tree: the cached last node is not the last");
	return 0;
}

/* The hash against the census of allocated segments. */
static int vmem_check_hash(struct vmem *vm, struct vmem_census *c)
{
	unsigned long i, count = 0;

	for (i = 0; i < (1UL << vm->vm_hash_shift); i++) {
		struct vmem_seg *vs;

		for (vs = vm->vm_hash[i]; vs; vs = vs->vs_hnext) {
			if (vs->vs_type != VMEM_SEG_ALLOC || !vmem_linked(vs) ||
			    vmem_hash_bucket(vm, vs->vs_start) != &vm->vm_hash[i])
				return vmem_bad(vm, "hash bucket %lu: [%#lx, +%#lx) type %u",
						i, vs->vs_start, vs->vs_size,
						vs->vs_type);
			if (++count > c->nalloc)
				return vmem_bad(vm, "hash holds over %lu segments",
						c->nalloc);
		}
	}
	if (count != c->nalloc || count != vm->vm_nbusy)
		return vmem_bad(vm, "hash holds %lu segments, the spans %lu, vm_nbusy %lu",
				count, c->nalloc, vm->vm_nbusy);
	return 0;
}

/* A reserve list holds @count tags, all small or all @big. */
static int vmem_check_reserve(struct vmem *vm, struct vmem_seg *head,
			      unsigned int count, bool big, const char *name)
{
	unsigned long n = 0;
	struct vmem_seg *vs;

	for (vs = head; vs; vs = vs->vs_hnext)
		if (vs->vs_big != big || ++n > count)
			break;
	if (n != count || vs)
		return vmem_bad(vm, "%s holds %s%lu tags, recorded %u", name,
				n > count ? "over " : "", n, count);
	return 0;
}

static int vmem_check_counters(struct vmem *vm, struct vmem_census *c)
{
	unsigned int i, nslots = 0;

	if (c->inuse != vm->vm_inuse || c->total != vm->vm_total ||
	    c->imported != vm->vm_imported)
		return vmem_bad(vm, "counted/kept: inuse %#lx/%#lx total %#lx/%#lx imp %#lx/%#lx",
				c->inuse, vm->vm_inuse, c->total, vm->vm_total,
				c->imported, vm->vm_imported);
	if (c->nsegs != vm->vm_nsegs || c->nspans != vm->vm_nspans)
		return vmem_bad(vm, "tags %lu/%lu spans %lu/%lu (counted/recorded)",
				c->nsegs, vm->vm_nsegs, c->nspans,
				vm->vm_nspans);
	for (i = 0; i < VMEM_NLEAVES; i++) {
		const struct vmem_leaf *lf = &vm->vm_leaf[i];

		if (lf->lf_seg)
			nslots++;
		else if (lf->lf_free || lf->lf_size || lf->lf_nq)
			return vmem_bad(vm, "empty leaf slot %u: free %#lx size %#lx",
					i, lf->lf_free, lf->lf_size);
	}
	if (c->nleaves != vm->vm_nleaves || nslots != vm->vm_nleaves ||
	    c->nleafids != vm->vm_nleafids)
		return vmem_bad(vm, "leaves %u/%u in %u slots, IDs %lu/%lu (counted/recorded)",
				c->nleaves, vm->vm_nleaves, nslots,
				c->nleafids, vm->vm_nleafids);
	if (vmem_lowfree_holds(vm) && c->anyfree &&
	    c->lowfree < vm->vm_lowfree)
		return vmem_bad(vm, "%#lx is free, below the lowest free bound %#lx",
				c->lowfree, vm->vm_lowfree);
	return vmem_check_reserve(vm, vm->vm_reserve, vm->vm_nreserve, false,
				  "reserve") ?:
	       vmem_check_reserve(vm, vm->vm_ireserve, vm->vm_nireserve, true,
				  "big reserve");
}

/**
 * vmem_check() - Check an arena's invariants.
 * @vm: the arena
 *
 * Spans sorted and disjoint, and in the span tree in order; segments
 * tiling each span in address order; no two adjacent free segments; every
 * free segment on the freelist of its size and the freelist bitmap
 * matching; the index trees holding exactly the big free tags, in order,
 * with their subtree maxima right; the hash holding exactly the allocated
 * segments; no imported span wholly free; identifier leaves in their
 * slots, nothing free below the lowest free bound; the counters and
 * reserves matching.  The first violation found is logged with pr_err().
 *
 * Context: Any context.  Takes the arena lock with interrupts disabled for
 * O(segments + hash buckets): meant for tests and debugging.
 * Return: 0, or -EUCLEAN when an invariant does not hold.
 */
int vmem_check(struct vmem *vm)
{
	struct vmem_census c = { };
	unsigned long flags;
	int err;

	spin_lock_irqsave(&vm->vm_lock, flags);
	err = vmem_check_segments(vm, &c);
	if (!err)
		err = vmem_check_freelists(vm, &c);
	if (!err)
		err = vmem_check_index(vm, &c);
	if (!err)
		err = vmem_check_hash(vm, &c);
	if (!err)
		err = vmem_check_counters(vm, &c);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return err;
}
EXPORT_SYMBOL_GPL(vmem_check);
