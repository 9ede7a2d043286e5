// SPDX-License-Identifier: GPL-2.0-only
/*
 * Segments and allocation: the boundary tag reserve, carving allocations
 * out of free segments and coalescing freed ones, adding and giving back
 * spans, and the entry points that allocate and free (the instant-fit
 * fast path, and the path that searches, imports and waits).  See "1.
 * Arenas, spans and segments", "5. Allocated segments" and "6. Boundary
 * tag reserve" in vmem/vmem.c.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include "vmem_impl.h"
#include <trace/events/vmem.h>

/* ---- boundary tag reserves ---- */

void vmem_tag_free(struct vmem_seg *vs)
{
	kmem_cache_free(vs->vs_big ? vmem_iseg_cache : vmem_seg_cache, vs);
}

/* Tags allocated before taking vm_lock, or to be freed after dropping it. */
struct vmem_tagbuf {
	struct vmem_seg	*list;
	unsigned int	nsmall;
	unsigned int	nbig;
};

static void vmem_tagbuf_free(struct vmem_tagbuf *tb)
{
	while (tb->list) {
		struct vmem_seg *vs = tb->list;

		tb->list = vs->vs_hnext;
		vmem_tag_free(vs);
	}
	tb->nsmall = 0;
	tb->nbig = 0;
}

/*
 * Before a search under @r's policy: the index it needs, the first time
 * the arena is asked for address order (and the size tree, for best
 * fit).  Without vm_lock; with VMEM_SLEEP it may sleep for tags.
 */
static __always_inline void vmem_req_start_index(struct vmem *vm,
						 const struct vmem_req *r)
{
	if (unlikely(!READ_ONCE(vm->vm_indexed)) && vmem_req_wants_index(r))
		vmem_index_start(vm, r->vmflags);
	if (unlikely(r->vmflags & VMEM_BESTFIT) && !READ_ONCE(vm->vm_sized))
		vmem_index_size_start(vm);
}

/*
 * A new tag from the slab caches, small or @big, as @gfp allows, or NULL.
 * vm_lock is not held: a caller that may not sleep passes GFP_NOWAIT.
 */
struct vmem_seg *vmem_tag_new(bool big, gfp_t gfp)
{
	struct vmem_seg *vs;

	vs = kmem_cache_alloc(big ? vmem_iseg_cache : vmem_seg_cache, gfp);
	if (vs) {
		vs->vs_big = big;
		vs->vs_sized = 0;
		vs->vs_owner = VMEM_OWNER_CLIENT;	/* see struct vmem_seg */
	}
	return vs;
}

static bool vmem_tagbuf_add(struct vmem_tagbuf *tb, bool big, gfp_t gfp)
{
	struct vmem_seg *vs = vmem_tag_new(big, gfp);

	if (!vs)
		return false;
	vs->vs_hnext = tb->list;
	tb->list = vs;
	if (big)
		tb->nbig++;
	else
		tb->nsmall++;
	return true;
}

/*
 * Allocate into @tb what the reserves lack of @nsmall small and @nbig big
 * tags, and in an indexed arena big ones up to VMEM_ITAGS_LOW as far as
 * memory allows; -ENOMEM, with @tb emptied, when a required one fails.
 */
static int vmem_tagbuf_fill(struct vmem *vm, struct vmem_tagbuf *tb,
			    unsigned int vmflags, unsigned int nsmall,
			    unsigned int nbig)
{
	gfp_t gfp = vmem_gfp(vmflags);

	while (READ_ONCE(vm->vm_nreserve) + tb->nsmall < nsmall)
		if (!vmem_tagbuf_add(tb, false, gfp))
			goto nomem;
	while (READ_ONCE(vm->vm_nireserve) + tb->nbig < nbig)
		if (!vmem_tagbuf_add(tb, true, gfp))
			goto nomem;
	if (READ_ONCE(vm->vm_indexed))
		while (READ_ONCE(vm->vm_nireserve) + tb->nbig < VMEM_ITAGS_LOW)
			if (!vmem_tagbuf_add(tb, true, gfp))
				break;
	return 0;
nomem:
	vmem_tagbuf_free(tb);
	return -ENOMEM;
}

/* The reserves could not be filled for an operation: count it. */
static noinline void vmem_count_populate_fail(struct vmem *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	vm->vm_kstat.npopulate_fail++;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/*
 * Take vm_lock with at least @nsmall small and @nbig big tags in the
 * reserves, and, in an indexed arena, as many big ones up to
 * VMEM_ITAGS_LOW as memory allows.  The reserves are read without the
 * lock to decide how much to allocate; a racing CPU may empty them
 * meanwhile, in which case we drop the lock and top up again.  On failure
 * (-ENOMEM) the lock is not held and the arena is untouched.  Called
 * without vm_lock; with VMEM_SLEEP the tags are allocated with
 * GFP_KERNEL, so the caller must be allowed to sleep.
 */
int __vmem_lock_reserved(struct vmem *vm, unsigned int vmflags,
			 unsigned int nsmall, unsigned int nbig,
			 unsigned long *flags)
{
	struct vmem_tagbuf tb = { };

	for (;;) {
		if (unlikely(READ_ONCE(vm->vm_nreserve) < nsmall ||
			     READ_ONCE(vm->vm_nireserve) < nbig ||
			     READ_ONCE(vm->vm_indexed)) &&
		    vmem_tagbuf_fill(vm, &tb, vmflags, nsmall, nbig)) {
			vmem_count_populate_fail(vm);
			return -ENOMEM;
		}
		spin_lock_irqsave(&vm->vm_lock, *flags);
		if (unlikely(tb.list)) {
			vm->vm_kstat.nrefill++;
			do {
				struct vmem_seg *vs = tb.list;

				tb.list = vs->vs_hnext;
				vmem_tag_put(vm, vs);
			} while (tb.list);
		}
		tb.nsmall = 0;
		tb.nbig = 0;
		if (likely(vm->vm_nreserve >= nsmall &&
			   vm->vm_nireserve >= nbig)) {
			__release(&vm->vm_lock);	/* to vmem_lock_reserved() */
			return 0;
		}
		spin_unlock_irqrestore(&vm->vm_lock, *flags);
	}
}

/* Move the tags beyond VMEM_RESERVE_MAX of a reserve to @excess. */
static unsigned int vmem_reserve_trim(struct vmem_seg **reserve,
				      unsigned int n, struct vmem_tagbuf *excess)
{
	while (unlikely(n > VMEM_RESERVE_MAX)) {
		struct vmem_seg *vs = *reserve;

		*reserve = vs->vs_hnext;
		vs->vs_hnext = excess->list;
		excess->list = vs;
		n--;
	}
	return n;
}

/*
 * Drop vm_lock, handing the tags the reserves hold beyond
 * VMEM_RESERVE_MAX back to the slab caches once the lock is dropped.
 */
void vmem_unlock_trim(struct vmem *vm, unsigned long flags)
	__releases(&vm->vm_lock)
{
	struct vmem_tagbuf excess = { };

	WRITE_ONCE(vm->vm_nreserve,
		   vmem_reserve_trim(&vm->vm_reserve, vm->vm_nreserve,
				     &excess));
	WRITE_ONCE(vm->vm_nireserve,
		   vmem_reserve_trim(&vm->vm_ireserve, vm->vm_nireserve,
				     &excess));
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	vmem_tagbuf_free(&excess);
}

/*
 * A tag for a new free segment: a big one in an indexed arena, if the big
 * reserve has one; else a small one, which the index work converts later.
 * The caller reserved the small one.
 */
static struct vmem_seg *vmem_free_tag(struct vmem *vm)
{
	struct vmem_seg *vs;

	if (vm->vm_indexed) {
		vs = vmem_itag_get(vm);
		if (vs)
			return vs;
		vmem_index_defer(vm);
	}
	return vmem_tag_get(vm);
}

/* Put @by in the place of @vs on the segment list; @vs goes to the reserve. */
static __always_inline void vmem_seg_replace(struct vmem *vm,
					     struct vmem_seg *vs,
					     struct vmem_seg *by)
{
	by->vs_start = vs->vs_start;
	by->vs_size = vs->vs_size;
	list_replace(&vs->vs_seglist, &by->vs_seglist);
	vmem_tag_put(vm, vs);
}

/* @as, carved out of a free segment, becomes an allocated segment. */
static __always_inline struct vmem_seg *vmem_seg_allocated(struct vmem *vm,
							   struct vmem_seg *as,
							   unsigned long size)
{
	as->vs_type = VMEM_SEG_ALLOC;
	vmem_hash_insert(vm, as);
	vm->vm_inuse += size;
	vm->vm_kstat.nalloc++;
	return as;
}

/*
 * Allocate the low @size of the free segment @vs, which holds it: all of
 * @vs, or a new small tag for the allocation and @vs kept for the free
 * remainder.  Inline: instant fit's fast path is all low ends.  Takes at
 * most one small tag from the reserve; vm_lock held.
 */
static __always_inline struct vmem_seg *vmem_seg_carve_low(struct vmem *vm,
							   struct vmem_seg *vs,
							   unsigned long size)
{
	struct vmem_seg *as;

	lockdep_assert_held(&vm->vm_lock);
	if (size == vs->vs_size) {
		vmem_freelist_remove(vm, vs);
		as = vs;
		if (vs->vs_big) {
			/* allocated segments have small tags */
			as = vmem_tag_get(vm);
			vmem_seg_replace(vm, vs, as);
		}
	} else {
		as = vmem_tag_get(vm);
		as->vs_start = vs->vs_start;
		as->vs_size = size;
		vm->vm_nsegs++;
		list_add_tail(&as->vs_seglist, &vs->vs_seglist);
		vmem_freelist_resize(vm, vs, vs->vs_start + size,
				     vs->vs_size - size);
	}
	return vmem_seg_allocated(vm, as, size);
}

/*
 * Allocate [addr, addr + size) out of the free segment @vs, which holds
 * it.  The free remainder keeps @vs where there is one, so the common
 * cases take one small tag; a cut from the middle takes two, one for the
 * free part on the left.  The caller reserved them (VMEM_TAGS_PER_OP).
 */
static struct vmem_seg *vmem_seg_carve(struct vmem *vm, struct vmem_seg *vs,
				       unsigned long addr, unsigned long size)
{
	unsigned long last = addr + (size - 1);
	unsigned long vs_last = vmem_seg_last(vs);
	struct vmem_seg *as;

	lockdep_assert_held(&vm->vm_lock);
	if (addr == vs->vs_start)
		return vmem_seg_carve_low(vm, vs, size);
	as = vmem_tag_get(vm);
	as->vs_start = addr;
	as->vs_size = size;
	vm->vm_nsegs++;
	if (last == vs_last) {
		list_add(&as->vs_seglist, &vs->vs_seglist);
		vmem_freelist_resize(vm, vs, vs->vs_start,
				     addr - vs->vs_start);
	} else {
		struct vmem_seg *left = vmem_free_tag(vm);

		left->vs_start = vs->vs_start;
		left->vs_size = addr - vs->vs_start;
		left->vs_type = VMEM_SEG_FREE;
		list_add_tail(&left->vs_seglist, &vs->vs_seglist);
		list_add_tail(&as->vs_seglist, &vs->vs_seglist);
		/* @vs moves up first: the index orders by start */
		vmem_freelist_resize(vm, vs, last + 1, vs_last - last);
		vmem_freelist_insert(vm, left);
		vm->vm_nsegs++;
	}
	return vmem_seg_allocated(vm, as, size);
}

/*
 * An identifier leaf's segment, [addr, addr + size) of the free segment
 * @vs (vmem/vmem_leaf.c): carved as an allocation is, but no client's, so
 * counted in neither nalloc nor vm_inuse (the leaf counts its quanta as
 * clients take them).
 */
struct vmem_seg *vmem_seg_carve_leaf(struct vmem *vm, struct vmem_seg *vs,
				     unsigned long addr, unsigned long size)
{
	vs = vmem_seg_carve(vm, vs, addr, size);
	vm->vm_kstat.nalloc--;
	vm->vm_inuse -= size;
	vs->vs_owner = VMEM_OWNER_LEAF;
	return vs;
}

/*
 * Insert a span and its one free segment: a big tag for the span, and a
 * free segment's tag, which the caller reserved (one big, one small at
 * least; vm_lock held).  vmem_span_overlaps() said no.
 */
struct vmem_seg *vmem_span_insert(struct vmem *vm, unsigned long addr,
				  unsigned long size, bool imported)
{
	struct vmem_seg *span = vmem_itag_get(vm);
	struct vmem_seg *vs = vmem_free_tag(vm);
	struct vmem_seg *next;

	lockdep_assert_held(&vm->vm_lock);
	span->vs_start = addr;
	span->vs_size = size;
	span->vs_type = VMEM_SEG_SPAN;
	span->vs_imported = imported;
	vs->vs_start = addr;
	vs->vs_size = size;
	vs->vs_type = VMEM_SEG_FREE;

	/* the segment list: before the header of the next span up, if any */
	next = vmem_span_find(vm, addr);
	next = next ? vmem_span_next(next) : vmem_span_first(vm);
	list_add_tail(&span->vs_seglist, next ? &next->vs_seglist :
						&vm->vm_seg0.vs_seglist);
	list_add(&vs->vs_seglist, &span->vs_seglist);
	vmem_span_tree_insert(vm, span);
	vmem_freelist_insert(vm, vs);

	vm->vm_nsegs += 2;
	vm->vm_nspans++;
	vm->vm_total += size;
	if (imported)
		vm->vm_imported += size;
	return vs;
}

/* Does [addr, addr + size) overlap a span of the arena?  O(log spans). */
bool vmem_span_overlaps(struct vmem *vm, unsigned long addr,
			unsigned long size)
{
	struct vmem_seg *span;

	lockdep_assert_held(&vm->vm_lock);
	span = vmem_span_find(vm, addr + (size - 1));
	return span && vmem_seg_last(span) >= addr;
}

/*
 * If @span is an imported span wholly covered by the free segment @vs,
 * take both out and say in @rel what to give back to the source once
 * vm_lock is dropped.
 */
static bool vmem_span_release(struct vmem *vm, struct vmem_seg *span,
			      struct vmem_seg *vs, struct vmem_release *rel)
{
	lockdep_assert_held(&vm->vm_lock);
	if (span->vs_type != VMEM_SEG_SPAN || !span->vs_imported ||
	    vs->vs_type != VMEM_SEG_FREE || span->vs_size != vs->vs_size)
		return false;
	vmem_freelist_remove(vm, vs);
	list_del(&vs->vs_seglist);
	list_del(&span->vs_seglist);
	vmem_span_tree_erase(vm, span);
	rel->addr = span->vs_start;
	rel->size = span->vs_size;
	vm->vm_nsegs -= 2;
	vm->vm_nspans--;
	vm->vm_total -= rel->size;
	vm->vm_imported -= rel->size;
	vm->vm_kstat.nrelease++;
	trace_vmem_release(vm, rel->addr, rel->size);
	vmem_tag_put(vm, vs);
	vmem_tag_put(vm, span);
	return true;
}

/* Take the tag of a segment that another absorbs off the list. */
static __always_inline void vmem_seg_drop(struct vmem *vm,
					  struct vmem_seg *vs)
{
	list_del(&vs->vs_seglist);
	vmem_tag_put(vm, vs);
	vm->vm_nsegs--;
}

/* The same for a free segment, which leaves its freelist and the index. */
static __always_inline void vmem_free_drop(struct vmem *vm,
					   struct vmem_seg *vs)
{
	vmem_freelist_remove(vm, vs);
	vmem_seg_drop(vm, vs);
}

/*
 * Make the allocated segment @vs, already unhashed, free: coalesce it
 * with its free neighbours, and take its span out if it is an imported
 * span that is now wholly free (@rel says what to release then).  A
 * client's free is @counted; a dissolving leaf's free run is not.
 */
static __always_inline void vmem_seg_merge(struct vmem *vm,
					   struct vmem_seg *vs,
					   struct vmem_release *rel,
					   bool counted)
{
	struct vmem_seg *prev = vmem_seg_prev(vs);
	struct vmem_seg *next = vmem_seg_next(vs);

	lockdep_assert_held(&vm->vm_lock);
	if (counted) {
		vm->vm_inuse -= vs->vs_size;
		vm->vm_kstat.nfree++;
	}

	/*
	 * The surviving free segment is an existing free neighbour where there
	 * is one, resized in place: usually it stays on its freelist.  Between
	 * two, the larger survives: the index moves it least (its size order
	 * holds, and its ancestors' vis_max already cover it).  It grows
	 * before the other leaves the index, so that the vis_max that the
	 * removal recomputes on its way up already count the new size.
	 */
	if (prev->vs_type == VMEM_SEG_FREE &&
	    (next->vs_type != VMEM_SEG_FREE || prev->vs_size >= next->vs_size)) {
		unsigned long size = prev->vs_size + vs->vs_size;

		if (next->vs_type == VMEM_SEG_FREE)
			size += next->vs_size;
		vmem_seg_drop(vm, vs);
		vmem_freelist_resize(vm, prev, prev->vs_start, size);
		if (next->vs_type == VMEM_SEG_FREE)
			vmem_free_drop(vm, next);
		vs = prev;
	} else if (next->vs_type == VMEM_SEG_FREE) {
		unsigned long start = vs->vs_start;
		unsigned long size = vs->vs_size + next->vs_size;

		if (prev->vs_type == VMEM_SEG_FREE) {
			start = prev->vs_start;
			size += prev->vs_size;
		}
		vmem_seg_drop(vm, vs);
		vmem_freelist_resize(vm, next, start, size);
		if (prev->vs_type == VMEM_SEG_FREE)
			vmem_free_drop(vm, prev);
		vs = next;
	} else {
		/* a big tag for the new free segment of an indexed arena */
		if (vm->vm_indexed) {
			struct vmem_seg *big = vmem_itag_get(vm);

			if (big) {
				vmem_seg_replace(vm, vs, big);
				vs = big;
			} else {
				vmem_index_defer(vm);
			}
		}
		vs->vs_type = VMEM_SEG_FREE;
		vmem_freelist_insert(vm, vs);
	}

	/* an imported span's marker, before the first segment of its span */
	prev = vmem_seg_prev(vs);
	if (unlikely(prev->vs_type == VMEM_SEG_SPAN && prev->vs_imported))
		vmem_span_release(vm, prev, vs, rel);
}

/* A client's free of @vs, already unhashed. */
static __always_inline void vmem_seg_free(struct vmem *vm,
					  struct vmem_seg *vs,
					  struct vmem_release *rel)
{
	vmem_seg_merge(vm, vs, rel, true);
}

/*
 * A free run of a dissolving identifier leaf: @vs, linked in the leaf's
 * place, neither hashed nor counted (its quanta were free already), joins
 * the free segments.  Arenas with leaves do not import: nothing to
 * release.
 */
void vmem_seg_unleaf(struct vmem *vm, struct vmem_seg *vs)
{
	struct vmem_release rel = { };

	vs->vs_type = VMEM_SEG_ALLOC;
	vmem_seg_merge(vm, vs, &rel, false);
	WARN_ON_ONCE(rel.size);
}

static bool vmem_vmflags_valid(unsigned int vmflags)
{
	unsigned int sleep = vmflags & VMEM_SLEEP_MASK;
	unsigned int policy = vmflags & VMEM_POLICY_MASK;

	if (vmflags & ~(VMEM_SLEEP_MASK | VMEM_POLICY_MASK))
		return false;
	if (sleep != VMEM_SLEEP && sleep != VMEM_NOSLEEP)
		return false;
	return !(policy & (policy - 1));
}

/*
 * Round *@sizep up to the quantum; false if it is 0 or would overflow.
 * round_up(size, quantum) is ((size - 1) | mask) + 1 for a size of 1 or
 * more, and that is 0 exactly for a size of 0 or one that rounds past
 * ULONG_MAX: one test for both.
 */
static bool vmem_size_round(const struct vmem *vm, unsigned long *sizep)
{
	unsigned long size = ((*sizep - 1) | (vm->vm_quantum - 1)) + 1;

	if (!size)
		return false;
	*sizep = size;
	return true;
}

/* ---- allocation ---- */

/*
 * Sleep until a free or an added span has moved vm_free_seq past @seq,
 * which was read under vm_lock when the search failed; so a free between
 * that search and this sleep is not missed.
 */
static int vmem_wait_for_room(struct vmem *vm, const struct vmem_req *r,
			      unsigned long seq)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vm->vm_lock, flags);
	if (vm->vm_free_seq != seq) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return 0;
	}
	WRITE_ONCE(vm->vm_nwaiters, vm->vm_nwaiters + 1);
	vm->vm_kstat.nwait++;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	trace_vmem_wait(vm, r->size);

	/*
	 * Cached frees now go to the arena (vmem_qcache_free()); one that
	 * went to a magazine before it saw vm_nwaiters is flushed here, and
	 * moves vm_free_seq.
	 */
	vmem_qcache_reclaim(vm);
	ret = wait_event_killable(vm->vm_wq,
				  READ_ONCE(vm->vm_free_seq) != seq);

	spin_lock_irqsave(&vm->vm_lock, flags);
	WRITE_ONCE(vm->vm_nwaiters, vm->vm_nwaiters - 1);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return ret ? -EINTR : 0;
}

static void vmem_count_fail(struct vmem *vm, const struct vmem_req *r,
			    int err)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	vm->vm_kstat.nfail++;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	trace_vmem_fail(vm, r->size, r->vmflags, err);
}

/*
 * Next fit: the rotor goes to the end of the allocation @as.  The walk
 * starts from the marker, the index from the address.
 */
static void vmem_rotor_move(struct vmem *vm, struct vmem_seg *as)
{
	lockdep_assert_held(&vm->vm_lock);
	if (vm->vm_rotor_used) {
		list_move(&vm->vm_rotor.vs_seglist, &as->vs_seglist);
	} else {
		list_add(&vm->vm_rotor.vs_seglist, &as->vs_seglist);
		vm->vm_rotor_used = true;
	}
	vm->vm_rotor_addr = as->vs_start + as->vs_size;	/* 0 past the top */
}

/*
 * Where @r goes in @fresh, the free segment of a span just imported for
 * it: where its policy puts it inside the span.  Next fit takes the lowest
 * fit at or above the rotor when the span has one: a span given back and
 * imported again must not hand out the integers just freed.
 */
static bool vmem_fit_fresh(struct vmem *vm, const struct vmem_req *r,
			   const struct vmem_seg *fresh, unsigned long *addrp)
{
	if (unlikely(r->vmflags & VMEM_NEXTFIT) &&
	    vm->vm_rotor_addr > r->minaddr) {
		struct vmem_req above = *r;

		above.minaddr = vm->vm_rotor_addr;
		if (vmem_seg_fits(&above, fresh, false, addrp))
			return true;
	}
	return vmem_seg_fits(r, fresh, r->vmflags & VMEM_TOPDOWN, addrp);
}

/*
 * vm_lock, with the tags a search of @r may take in the reserves; for an
 * arena with identifier leaves, with their search done too (1: a leaf's
 * quantum, taken, and the lock released).  Hands the lock over as
 * __vmem_lock_reserved() does.
 */
static __always_inline int __vmem_req_lock(struct vmem *vm,
					   const struct vmem_req *r,
					   bool leafy, struct vmem_seg **vsp,
					   unsigned long *addrp,
					   unsigned long *flags)
{
	if (unlikely(leafy))
		return __vmem_leaf_lock_search(vm, r, vsp, addrp, flags);
	return __vmem_lock_reserved(vm, r->vmflags, VMEM_TAGS_PER_OP, 0,
				    flags);
}

#define vmem_req_lock(vm, r, leafy, vsp, addrp, flags) ({		\
	struct vmem *__vm = (vm);					\
									\
	vmem_cond_locked(__vm, __vmem_req_lock(__vm, r, leafy, vsp,	\
					       addrp, flags));		\
})

/*
 * The segment path of every allocation but the instant fit that
 * vmem_alloc_instant() serves: search, import, wait.  Returns -ENOSPC
 * when there is no room (vmem_alloc_exact() makes it -EBUSY when the
 * range is in the arena), -ENOMEM when boundary tags or the import's
 * memory could not be had, -EINTR when a fatal signal ended a wait.
 */
static int vmem_alloc_req(struct vmem *vm, const struct vmem_req *r,
			  unsigned long *addrp)
{
	bool can_import = vm->vm_import || vm->vm_ximport;
	struct vmem_release rel = { };
	unsigned long flags, addr, seq;
	struct vmem_seg *vs, *fresh;
	bool leafy = vm->vm_leafy;	/* read-only */
	bool flushed = false;
	int err;

	might_sleep_if(r->vmflags & VMEM_SLEEP);
	vmem_req_start_index(vm, r);
	for (;;) {
		err = vmem_req_lock(vm, r, leafy, &vs, &addr, &flags);
		if (err) {	/* not break: sparse loses the lock there */
			if (err > 0) {
				*addrp = addr;
				return 0;
			}
			vmem_count_fail(vm, r, err);
			return err;
		}
		if (likely(!leafy))
			vs = vmem_search(vm, r, &addr);
		if (vs)
			goto found;
		seq = vm->vm_free_seq;
		vmem_unlock(vm, flags);

		err = -ENOSPC;
		if (can_import) {
			err = vmem_import(vm, r, &fresh, &flags);
			if (!err) {
				/*
				 * Take the new span, not room a free may have
				 * made meanwhile: else the span would stay
				 * wholly free.
				 */
				if (vmem_fit_fresh(vm, r, fresh, &addr)) {
					vs = fresh;
					goto found;
				}
				/*
				 * The span cannot hold the request (a custom
				 * import function does not know its window):
				 * give it back, and import no more for it.
				 */
				vmem_span_release(vm, vmem_seg_prev(fresh),
						  fresh, &rel);
				vs = vmem_search(vm, r, &addr);
				if (vs)
					goto found;
				seq = vm->vm_free_seq;
				vmem_unlock(vm, flags);
				vm->vm_release(vm->vm_source, rel.addr,
					       rel.size);
				rel.size = 0;
				can_import = false;
				err = -ENOSPC;
			} else if (err != -ENOSPC) {
				break;
			}
		}
		/* Before failing or sleeping: what the caches hold, once. */
		if (!flushed && vmem_qcache_reclaim(vm)) {
			flushed = true;
			continue;
		}
		if (!r->wait)
			break;
		err = vmem_wait_for_room(vm, r, seq);
		if (err)
			break;
		flushed = false;
		can_import = vm->vm_import || vm->vm_ximport;
	}
	vmem_count_fail(vm, r, err);
	return err;

found:
	vs = vmem_seg_carve(vm, vs, addr, r->size);
	if (unlikely(r->vmflags & VMEM_NEXTFIT))
		vmem_rotor_move(vm, vs);
	if (unlikely(rel.size)) {
		vmem_unlock(vm, flags);
		vm->vm_release(vm->vm_source, rel.addr, rel.size);
	} else {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
	}
	*addrp = addr;
	return 0;
}

/*
 * The fast path: a plain instant-fit request when the reserve holds the
 * tags, a list of guaranteed fits is not empty and no identifier leaf
 * holds free quanta the lists do not show.  One bitmap lookup, one
 * carve from the low end of the first segment of that list.  Anything
 * else returns false, and vmem_alloc_req() does the full job.
 */
static bool vmem_alloc_instant(struct vmem *vm, unsigned long size,
			       unsigned long *addrp)
{
	unsigned int n = fls_long(size - 1);
	unsigned long flags, map;
	struct vmem_seg *vs;

	if (unlikely(n >= BITS_PER_LONG ||
		     READ_ONCE(vm->vm_nreserve) < VMEM_TAGS_PER_OP))
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	map = vm->vm_freemap & (~0UL << n);
	/* identifier leaves: vmem_alloc_req() dissolves them first */
	if (unlikely(!map || vm->vm_nreserve < VMEM_TAGS_PER_OP ||
		     vm->vm_nleaves)) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return false;
	}
	vs = list_first_entry(&vm->vm_freelist[__ffs(map)], struct vmem_seg,
			      vs_freelist);
	*addrp = vs->vs_start;
	vmem_seg_carve_low(vm, vs, size);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return true;
}

/*
 * The fast path of the other policies: a plain request on an indexed
 * arena, when the reserve holds the tags.  One search of the index, no
 * constraint arithmetic; anything else (an index not ready, no fit, an
 * arena with identifier leaves, which the index does not see) returns
 * false, and vmem_alloc_req() does the full job.
 */
static bool vmem_alloc_ordered(struct vmem *vm, unsigned long size,
			       unsigned int policy, unsigned long *addrp)
{
	struct vmem_seg *vs = NULL;
	unsigned long flags, addr = 0;

	if (unlikely(!READ_ONCE(vm->vm_indexed) ||
		     READ_ONCE(vm->vm_nreserve) < VMEM_TAGS_PER_OP))
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	/*
	 * vmem_index_ready(), and not an arena with identifier leaves, whose
	 * ordered requests __vmem_leaf_lock_search() serves: one test for both
	 */
	if (unlikely(!vm->vm_indexed ||
		     (vm->vm_nunindexed | vm->vm_leafy) ||
		     vm->vm_nreserve < VMEM_TAGS_PER_OP))
		goto miss;
	switch (policy) {
	case VMEM_FIRSTFIT:
		vs = vmem_index_first(vm, 0, size);
		if (vs)
			addr = vs->vs_start;
		break;
	case VMEM_NEXTFIT:
		vs = vmem_index_first(vm, vm->vm_rotor_addr, size);
		/* the rotor may be in the first, too near its end */
		if (vs && vs->vs_start < vm->vm_rotor_addr &&
		    vmem_seg_last(vs) - vm->vm_rotor_addr < size - 1)
			vs = vmem_index_next(vs, size);
		if (vs) {
			addr = max(vs->vs_start, vm->vm_rotor_addr);
			break;
		}
		/* none above the rotor: wrap to the lowest fit */
		vs = vmem_index_first(vm, 0, size);
		if (vs)
			addr = vs->vs_start;
		break;
	case VMEM_TOPDOWN:
		vs = vmem_index_last(vm, ULONG_MAX, size);
		if (vs)
			addr = vs->vs_start + (vs->vs_size - size);
		break;
	case VMEM_BESTFIT:
		vs = vmem_index_sized(vm) ? vmem_index_best(vm, size) : NULL;
		if (vs)
			addr = vs->vs_start;
		break;
	}
	if (unlikely(!vs))
		goto miss;
	vs = vmem_seg_carve(vm, vs, addr, size);
	if (policy == VMEM_NEXTFIT)
		vmem_rotor_move(vm, vs);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	*addrp = addr;
	return true;
miss:
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return false;
}

/*
 * vmem_alloc() of a size no quantum cache serves: the fast paths, else
 * the search, import and wait of vmem_alloc_req().  Out of line, so that
 * vmem_alloc() itself needs no stack frame on its way to a quantum cache.
 */
static noinline int vmem_alloc_seg(struct vmem *vm, unsigned long size,
				   unsigned int vmflags, unsigned long *addrp)
{
	struct vmem_req r;
	int err;

	if (unlikely(!vmem_vmflags_valid(vmflags) ||
		     !vmem_size_round(vm, &size)))
		return -EINVAL;
	might_sleep_if(vmflags & VMEM_SLEEP);
	if (likely(!(vmflags & (VMEM_POLICY_MASK & ~VMEM_INSTANTFIT)))) {
		if (likely(vmem_alloc_instant(vm, size, addrp)))
			goto done;
	} else if (vmem_alloc_ordered(vm, size, vmflags & VMEM_POLICY_MASK,
				      addrp)) {
		goto done;
	}
	vmem_req_init(vm, &r, size, 0, ULONG_MAX, vmflags);
	err = vmem_alloc_req(vm, &r, addrp);
	if (err)
		return err;
done:
	trace_vmem_alloc(vm, *addrp, size, vmflags);
	return 0;
}

/**
 * vmem_alloc() - Allocate a range from an arena.
 * @vm: the arena
 * @size: number of integers (bytes, IDs); rounded up to the quantum
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP, and at most one policy flag
 *	(VMEM_INSTANTFIT, the default, VMEM_BESTFIT, VMEM_FIRSTFIT,
 *	VMEM_NEXTFIT, VMEM_TOPDOWN)
 * @addrp: where the start of the range is stored on success
 *
 * The range is aligned to the arena's quantum.  A size up to the arena's
 * quantum cache limit (see vmem_create()) is served by the cache of that
 * size: from this CPU's magazines when they hold a range, whatever the
 * policy flag; the policy then only says where a refill of the cache
 * carves its ranges.  Other sizes go to the arena's segments, placed by
 * the policy.  When the arena has no room it imports from its source, if
 * it has one; when that fails too, every quantum cache of the arena is
 * flushed back to it and the search retried; when that fails too, a
 * VMEM_SLEEP call waits for a free, a VMEM_NOSLEEP call fails.  Free the
 * range with vmem_free() and the same size, never with vmem_xfree().
 *
 * Context: Any context with VMEM_NOSLEEP; process context with
 * VMEM_SLEEP, and then it may sleep.  A cache hit takes this CPU's cache
 * lock (irq-safe) only; otherwise takes and releases the cache's depot
 * lock and the arena lock (irq-safe); calls the import function with no
 * lock held.
 * Return: 0 and *@addrp set; -EINVAL for a size of 0 or one that rounds
 * past ULONG_MAX, or bad flags; -ENOSPC when no range fits (VMEM_NOSLEEP;
 * neither the arena, its caches nor its source has room); -ENOMEM when
 * memory for boundary tags, or the import's own memory, could not be had;
 * -EINTR when a fatal signal ended the wait.  An import function's other
 * errors are returned as they are, and -EINVAL when it returned a range
 * the arena cannot take.
 */
int vmem_alloc(struct vmem *vm, unsigned long size, unsigned int vmflags,
	       unsigned long *addrp)
{
	/* 1 <= size <= vm_qcache_max: the cache of round_up(size, quantum) */
	if (size - 1 < vm->vm_qcache_max) {
		/* VMEM_SLEEP or VMEM_NOSLEEP alone, the common flags, first */
		if (unlikely(vmflags - 1 > 1) &&
		    unlikely(!vmem_vmflags_valid(vmflags)))
			return -EINVAL;
		return vmem_qcache_alloc(vm, size, vmflags, addrp);
	}
	return vmem_alloc_seg(vm, size, vmflags, addrp);
}
EXPORT_SYMBOL_GPL(vmem_alloc);

/*
 * Fill @r from vmem_xalloc()'s arguments; -EINVAL for an impossible
 * combination.  @maxaddr is inclusive: VMEM_ADDR_MAX is no limit, and 0
 * is the address 0.
 */
static int vmem_xreq_init(struct vmem *vm, struct vmem_req *r,
			  unsigned long size, unsigned long align,
			  unsigned long phase, unsigned long nocross,
			  unsigned long minaddr, unsigned long maxaddr,
			  unsigned int vmflags)
{
	unsigned long qmask = vm->vm_quantum - 1;

	if (!vmem_vmflags_valid(vmflags) || !vmem_size_round(vm, &size))
		return -EINVAL;
	if (!align)
		align = vm->vm_quantum;
	if (!is_power_of_2(align) || (align & qmask))
		return -EINVAL;
	if ((phase & qmask) || phase >= align)
		return -EINVAL;
	if (nocross) {
		if (!is_power_of_2(nocross) || (nocross & qmask))
			return -EINVAL;
		/* every candidate starts at this offset in its block */
		if (size > nocross || (phase & (nocross - 1)) > nocross - size)
			return -EINVAL;
	}
	if (minaddr > maxaddr)
		return -EINVAL;
	/*
	 * Quantum-align the window: round minaddr up and maxaddr + 1 down.
	 * maxaddr + 1 wraps to 0 only for ULONG_MAX, which stays ULONG_MAX;
	 * any other maxaddr that rounds down to 0 leaves no room.
	 */
	if (minaddr > ULONG_MAX - qmask)
		return -EINVAL;
	minaddr = (minaddr + qmask) & ~qmask;
	if (maxaddr != ULONG_MAX) {
		if (!((maxaddr + 1) & ~qmask))
			return -EINVAL;
		maxaddr = ((maxaddr + 1) & ~qmask) - 1;
	}
	if (maxaddr < minaddr || maxaddr - minaddr < size - 1)
		return -EINVAL;

	vmem_req_init(vm, r, size, minaddr, maxaddr, vmflags);
	r->align = align;
	r->phase = phase;
	r->nocross = nocross;
	return 0;
}

/**
 * vmem_xalloc() - Allocate a range under constraints.
 * @vm: the arena
 * @size: number of integers; rounded up to the quantum
 * @align: the start is a multiple of @align plus @phase; a power of two
 *	and a multiple of the quantum, or 0 for the quantum
 * @phase: offset from alignment; a multiple of the quantum below @align
 * @nocross: 0, or a power of two (multiple of the quantum): the range may
 *	not cross a multiple of it
 * @minaddr: lowest allowed start (VMEM_ADDR_MIN for no limit)
 * @maxaddr: highest allowed last integer, inclusive (VMEM_ADDR_MAX for no
 *	limit; 0 is the address 0)
 * @vmflags: as for vmem_alloc()
 * @addrp: where the start of the range is stored on success
 *
 * Every constraint holds together; the window is first rounded inward to
 * the quantum.  An arena that cannot satisfy them imports from its source:
 * when the import function is vmem_alloc() on a vmem source, it asks for
 * the smallest span that holds a fit, and fails only when the source has
 * no such span; other import functions get a span padded for the
 * alignment and nocross, which is given back when it cannot hold the
 * request.  Free the range with vmem_xfree().
 *
 * Context: As vmem_alloc().
 * Return: 0 and *@addrp set; -EINVAL for bad flags, a bad @size, and
 * constraints no arena can meet (@align or @nocross not a power-of-two
 * multiple of the quantum, @phase unaligned or not below @align, @size
 * not fitting between two @nocross boundaries, @minaddr above @maxaddr, a
 * window that holds less than @size once rounded to the quantum);
 * -ENOSPC, -ENOMEM, -EINTR and an import function's errors as
 * vmem_alloc().
 */
int vmem_xalloc(struct vmem *vm, unsigned long size, unsigned long align,
		unsigned long phase, unsigned long nocross,
		unsigned long minaddr, unsigned long maxaddr,
		unsigned int vmflags, unsigned long *addrp)
{
	struct vmem_req r;
	int err;

	err = vmem_xreq_init(vm, &r, size, align, phase, nocross, minaddr,
			     maxaddr, vmflags);
	if (err)
		return err;
	err = vmem_alloc_req(vm, &r, addrp);
	if (!err)
		trace_vmem_xalloc(vm, *addrp, r.size, r.align, r.phase,
				  r.nocross, r.minaddr, r.maxaddr, vmflags);
	return err;
}
EXPORT_SYMBOL_GPL(vmem_xalloc);

/*
 * Allocate exactly [addr, addr + size), without waiting for it; for
 * vmem_id_alloc_specific().  Returns -EBUSY when the range is in the arena
 * but not free, -ENOSPC when it is not in the arena and could not be
 * imported, -EINVAL for bad arguments.  Context: as vmem_xalloc(), but it
 * never sleeps for room.
 */
int vmem_alloc_exact(struct vmem *vm, unsigned long addr, unsigned long size,
		     unsigned int vmflags)
{
	struct vmem_req r;
	unsigned long got;
	int err;

	if (!vmem_vmflags_valid(vmflags) || (vmflags & VMEM_POLICY_MASK) ||
	    !vmem_size_round(vm, &size) || (addr & (vm->vm_quantum - 1)) ||
	    addr + (size - 1) < addr)
		return -EINVAL;
	vmem_req_init(vm, &r, size, addr, addr + (size - 1),
		      vmflags | VMEM_FIRSTFIT);
	r.wait = false;		/* a taken identifier is never waited for */
	err = vmem_alloc_req(vm, &r, &got);
	if (!err)
		trace_vmem_xalloc(vm, got, r.size, r.align, r.phase, r.nocross,
				  r.minaddr, r.maxaddr, vmflags);
	if (err == -ENOSPC && vmem_contains(vm, addr, size))
		return -EBUSY;
	return err;
}

/*
 * Carve ranges of @r->size one after the other out of the free segment
 * @vs, from @addr on (upward, or downward for VMEM_TOPDOWN), into
 * @addrs[*@np ..] up to @max, while the reserve holds the tags.  Returns
 * the last segment carved.
 */
static struct vmem_seg *vmem_carve_run(struct vmem *vm,
				       const struct vmem_req *r,
				       struct vmem_seg *vs, unsigned long addr,
				       unsigned long *addrs, unsigned int *np,
				       unsigned int max)
{
	bool top = r->vmflags & VMEM_TOPDOWN;
	unsigned long size = r->size;
	struct vmem_seg *as;

	for (;;) {
		/* a carve of all of @vs may give it back (a big tag) */
		bool whole = vs->vs_size == size;

		as = vmem_seg_carve(vm, vs, addr, size);
		as->vs_owner = VMEM_OWNER_QCACHE;
		addrs[(*np)++] = addr;
		if (whole || vs->vs_size < size || *np == max ||
		    vm->vm_nreserve < VMEM_TAGS_PER_OP)
			break;
		/* @vs is what is left above (or below) the carve */
		addr = top ? vmem_seg_last(vs) - (size - 1) : vs->vs_start;
	}
	if (unlikely(r->vmflags & VMEM_NEXTFIT))
		vmem_rotor_move(vm, as);
	return as;
}

/*
 * How many ranges of @size a refill takes at most: @max, or a quarter to
 * a half of the ranges of that size the arena has free (free quanta over
 * 2 to 4 times the quanta of a range: a shift, not a division), at least
 * one.  The counters are modulo 2^BITS_PER_LONG: both read 0 for a wholly
 * free space of that size, which is not limited.
 */
static unsigned int vmem_batch_limit(const struct vmem *vm,
				     unsigned long size, unsigned int max)
{
	unsigned long free;

	lockdep_assert_held(&vm->vm_lock);
	if (!vm->vm_total && !vm->vm_inuse)
		return max;
	free = (vm->vm_total - vm->vm_inuse) >> vm->vm_qshift;
	free >>= fls_long(size >> vm->vm_qshift) + 1;
	return clamp_t(unsigned long, free, 1, max);
}

/*
 * A quantum cache's refill (vmem/vmem_qcache.c): up to @max allocations
 * of @size (a multiple of the quantum), placed by the policy of
 * @vmflags, into @addrs in the order they were carved, in one locked
 * section.  A free segment the policy picks gives as many as it holds,
 * contiguous (upward, or downward for VMEM_TOPDOWN): that is where the
 * policy would put each of them in turn, and it saves a search per
 * range.  It takes less than half of the ranges of @size the arena has
 * free, a quarter for one quantum (vmem_batch_limit(); at least one), so
 * that caches do not strip an arena that is running out (and every CPU
 * then flush all the others' on exhaustion, again and again).  An
 * importing arena with no room imports one span for all @max, so that a
 * caching arena does not import a range at a time.  The
 * segments are marked as the cache's (vs_owner).  Never waits for room;
 * with VMEM_SLEEP it may sleep for memory (tags, an import, the index).
 * Returns how many were carved, 0 when there is no room (and the import
 * failed), or -ENOMEM when no boundary tags could be had.
 */
int vmem_alloc_batch(struct vmem *vm, unsigned long size,
		     unsigned int vmflags, unsigned long *addrs,
		     unsigned int max)
{
	unsigned long flags, addr;
	unsigned int n = 0, want = max;
	struct vmem_seg *vs;
	struct vmem_req r;
	int err;

	vmem_req_init(vm, &r, size, 0, ULONG_MAX, vmflags);
	/* the same index as vmem_alloc_req() would use for this policy */
	vmem_req_start_index(vm, &r);
	/*
	 * A carve takes a tag, the first of a run maybe two.  Tags for up to
	 * what the reserve keeps anyway first (a refill that the limit cuts
	 * short leaves them there, rather than allocating and freeing a
	 * magazine's worth); more, in a second locked section, only for a
	 * grown magazine that the arena has room for.
	 */
	err = vmem_lock_reserved(vm, vmflags,
				 min_t(unsigned int, max, VMEM_RESERVE_MAX -
				       VMEM_TAGS_PER_OP) + VMEM_TAGS_PER_OP,
				 0, &flags);
	if (err)
		return err;
	max = vmem_batch_limit(vm, size, max);
	if (vm->vm_nreserve < max + VMEM_TAGS_PER_OP) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);	/* keep them */
		if (vmem_lock_reserved(vm, vmflags, max + VMEM_TAGS_PER_OP, 0,
				       &flags))
			spin_lock_irqsave(&vm->vm_lock, flags);	/* fewer */
		max = vmem_batch_limit(vm, size, max);
	}
	while (n < max && vm->vm_nreserve >= VMEM_TAGS_PER_OP) {
		vs = vmem_search(vm, &r, &addr);
		if (!vs)
			break;
		vmem_carve_run(vm, &r, vs, addr, addrs, &n, max);
	}
	max = want;	/* an import brings room for a magazine's worth */
	if (n || !(vm->vm_import || vm->vm_ximport) ||
	    check_mul_overflow(size, (unsigned long)max, &r.size)) {
		vmem_unlock(vm, flags);
		return n;
	}
	/*
	 * Tags for a magazine's worth of carves from the new span: a plain
	 * unlock leaves them in the reserve (the next vmem_unlock() trims
	 * what is left over).
	 */
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	if (vmem_lock_reserved(vm, vmflags, max + VMEM_TAGS_PER_OP, 0,
			       &flags))
		return 0;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	if (vmem_import(vm, &r, &vs, &flags))
		return 0;
	r.size = size;
	addr = vmflags & VMEM_TOPDOWN ? vmem_seg_last(vs) - (size - 1) :
					vs->vs_start;
	vmem_carve_run(vm, &r, vs, addr, addrs, &n, max);
	vmem_unlock(vm, flags);
	return n;
}

/* ---- freeing ---- */

static void vmem_bad_free(struct vmem *vm, unsigned long addr,
			  unsigned long size, const struct vmem_seg *vs)
{
	unsigned long rsize = size;

	lockdep_assert_held(&vm->vm_lock);
	vm->vm_kstat.nbadfree++;
	if (vs && vmem_size_round(vm, &rsize) && rsize == vs->vs_size)
		vmem_report(vm, "bad free [%#lx, +%#lx): cached, free with vmem_free()\n",
			    addr, size);
	else if (vs)
		vmem_report(vm, "bad free [%#lx, +%#lx): wrong size, allocated with size %#lx\n",
			    addr, size, vs->vs_size);
	else
		vmem_report(vm, "bad free [%#lx, +%#lx): not allocated\n",
			    addr, size);
}

/*
 * vmem_xfree() of what the hash does not give as a client's segment: a
 * client's quantum of an identifier leaf, which is in no hash chain
 * (freed: true), or a bad free, reported.
 */
static bool vmem_xfree_other(struct vmem *vm, unsigned long addr,
			     unsigned long size, struct vmem_seg *vs)
{
	struct vmem_seg id = { .vs_start = addr, .vs_size = vm->vm_quantum };
	int held = vm->vm_nleaves ? vmem_leaf_free(vm, addr, size) : 0;

	if (held > 0)
		return true;
	if (held == -EBUSY)		/* a client's quantum, another size */
		vs = &id;
	else if (held)			/* in a leaf, no client's */
		vs = NULL;
	vmem_bad_free(vm, addr, size, vs);
	return false;
}

/**
 * vmem_xfree() - Free a range allocated by vmem_xalloc().
 * @vm: the arena
 * @addr: start of the range
 * @size: its size, as given to vmem_xalloc()
 *
 * Coalesces the range with its free neighbours; gives the span back to the
 * source if that made an imported span wholly free; wakes sleeping
 * allocations.  A range that is not exactly one allocated segment (never
 * allocated, freed twice, another size, another arena), or that
 * vmem_alloc() took from a quantum cache, is rejected, counted and
 * reported, naming the arena and the range: with a WARN the first time
 * the arena is misused, with pr_info after that.  The arena is left as it
 * was.
 *
 * Context: Any context.  Takes and releases the arena lock (irq-safe);
 * calls the release function without it.
 */
void vmem_xfree(struct vmem *vm, unsigned long addr, unsigned long size)
{
	struct vmem_seg **pp, *vs, *big = NULL;
	struct vmem_release rel = { };
	unsigned long flags, rsize;
	bool wake;

	/*
	 * The free segment this makes may need a big tag, and the lock must
	 * not be held to allocate one: without one, it waits for the work.
	 */
	if (unlikely(READ_ONCE(vm->vm_indexed)) &&
	    !READ_ONCE(vm->vm_nireserve))
		big = vmem_tag_new(true, GFP_NOWAIT | __GFP_NOWARN);
	spin_lock_irqsave(&vm->vm_lock, flags);
	if (big) {
		vmem_tag_put(vm, big);
		vm->vm_kstat.nrefill++;
	}
	pp = vmem_hash_find(vm, addr);
	vs = pp ? *pp : NULL;
	/*
	 * @size rounds up to vs_size iff vs_size - quantum < size <= vs_size
	 * (vs_size is a non-zero multiple of the quantum): one unsigned
	 * comparison, which a size of 0 or above vs_size fails too.
	 */
	if (unlikely(!vs || vs->vs_size - size >= vm->vm_quantum ||
		     vs->vs_owner)) {
		if (vmem_xfree_other(vm, addr, size, vs)) {
			rsize = vm->vm_quantum;
			goto freed;
		}
		vmem_unlock(vm, flags);
		return;
	}
	rsize = vs->vs_size;	/* for the trace event */
	vmem_hash_unlink(vm, pp);
	vmem_seg_free(vm, vs, &rel);
freed:
	wake = vmem_note_room(vm);
	vmem_unlock(vm, flags);

	trace_vmem_free(vm, addr, rsize);
	if (unlikely(wake))
		wake_up_all(&vm->vm_wq);
	if (rel.size)
		vm->vm_release(vm->vm_source, rel.addr, rel.size);
}
EXPORT_SYMBOL_GPL(vmem_xfree);

/*
 * A quantum cache's drain: free @n ranges of @size, each an allocated
 * segment (a free that matches none is reported and skipped, as
 * vmem_xfree() does), and one vmem_qcache_drain event for those freed.
 * One locked section, unless a free makes an imported span wholly free:
 * the lock is dropped to release it, then taken again for the rest.
 */
void vmem_free_batch(struct vmem *vm, const unsigned long *addrs,
		     unsigned int n, unsigned long size)
{
	struct vmem_release rel = { };
	struct vmem_seg **pp, *vs;
	unsigned long flags, freed = 0;
	unsigned int i = 0;
	bool wake;

	while (i < n) {
		spin_lock_irqsave(&vm->vm_lock, flags);
		while (i < n && !rel.size) {
			unsigned long addr = addrs[i++];

			pp = vmem_hash_find(vm, addr);
			vs = pp ? *pp : NULL;
			if (unlikely(!vs || vs->vs_size != size)) {
				vmem_bad_free(vm, addr, size, vs);
				continue;
			}
			vmem_hash_unlink(vm, pp);
			vs->vs_owner = VMEM_OWNER_CLIENT;
			vmem_seg_free(vm, vs, &rel);
			freed++;
		}
		wake = vmem_note_room(vm);
		vmem_unlock(vm, flags);
		if (unlikely(wake))
			wake_up_all(&vm->vm_wq);
		if (rel.size) {
			vm->vm_release(vm->vm_source, rel.addr, rel.size);
			rel.size = 0;
		}
	}
	if (freed)
		trace_vmem_qcache_drain(vm, size, freed);
}

/**
 * vmem_free() - Free a range allocated by vmem_alloc().
 * @vm: the arena
 * @addr: start of the range
 * @size: its size, as given to vmem_alloc()
 *
 * A size up to the arena's quantum cache limit goes into this CPU's
 * magazine of that size, without looking the range up: a range that was
 * not allocated, or is freed twice, is only caught when the magazine is
 * drained back into the arena (and may have been handed out meanwhile).
 * A range from vmem_xalloc() of such a size may be freed here too.  Other
 * sizes are freed as vmem_xfree() does.
 *
 * Context: Any context.  A cache hit takes this CPU's cache lock
 * (irq-safe) only; otherwise takes and releases the cache's depot lock
 * and the arena lock (irq-safe), one at a time, and may call the release
 * function with no lock held.
 */
void vmem_free(struct vmem *vm, unsigned long addr, unsigned long size)
{
	/* 1 <= size <= vm_qcache_max: the cache of round_up(size, quantum) */
	if (size - 1 < vm->vm_qcache_max)
		vmem_qcache_free(vm, addr, size);
	else
		vmem_xfree(vm, addr, size);
}
EXPORT_SYMBOL_GPL(vmem_free);

/* ---- spans ---- */

/**
 * vmem_add() - Add a span to an arena.
 * @vm: the arena
 * @addr: start of the span, a multiple of the quantum
 * @size: its size, a non-zero multiple of the quantum; addr + size may
 *	wrap to 0 (a span ending at ULONG_MAX), not further
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP
 *
 * The span must not overlap the arena's spans.  A span added this way is
 * never released, even when wholly free.  Wakes sleeping allocations.
 *
 * Context: Any context with VMEM_NOSLEEP; process context with
 * VMEM_SLEEP, and then it may sleep to allocate boundary tags (never to
 * wait for room).  Takes and releases the arena lock (irq-safe).
 * Return: 0; -EINVAL for a bad or overlapping span, or flags other than
 * exactly VMEM_SLEEP or VMEM_NOSLEEP; -ENOMEM when no boundary tags could
 * be allocated.
 */
int vmem_add(struct vmem *vm, unsigned long addr, unsigned long size,
	     unsigned int vmflags)
{
	unsigned long qmask = vm->vm_quantum - 1;
	unsigned long flags;
	bool wake;
	int err;

	if (!vmem_vmflags_valid(vmflags) || (vmflags & VMEM_POLICY_MASK) ||
	    !size || ((addr | size) & qmask) || addr + (size - 1) < addr)
		return -EINVAL;
	might_sleep_if(vmflags & VMEM_SLEEP);
	/* the span's big tag, a tag for its free segment */
	err = vmem_lock_reserved(vm, vmflags, 1, 1, &flags);
	if (err)
		return err;
	if (vmem_span_overlaps(vm, addr, size)) {
		vmem_unlock(vm, flags);
		return -EINVAL;
	}
	vmem_span_insert(vm, addr, size, false);
	wake = vmem_note_room(vm);
	vmem_unlock(vm, flags);
	if (wake)
		wake_up_all(&vm->vm_wq);
	return 0;
}
EXPORT_SYMBOL_GPL(vmem_add);

