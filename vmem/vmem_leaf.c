// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identifier leaves: runs of up to BITS_PER_LONG quanta of an identifier
 * arena that hand out and take back one quantum at a time in a bitmap,
 * where the segment layer would make a boundary tag, hash it and index
 * the free remainder, then coalesce it all back.  The theory is under
 * "Identifier leaves" in vmem/vmem.c; in short:
 *
 * - A leaf is one allocated segment of the segment layer, owned by the
 *   leaf (VMEM_OWNER_LEAF), so every search of the segment layer sees its
 *   quanta as taken, and the leaf's bitmap says which of them are free.
 *   An arena has at most VMEM_NLEAVES.
 * - Requests for one quantum by next fit or first fit (vmem_id_alloc(),
 *   vmem_id_allocff(), vmem_id_alloc_range(), vmem_id_alloc_specific())
 *   take the lower of two answers: the segment layer's, and the leaves'
 *   lowest free quantum in the same window.  That is exactly the answer
 *   the segment layer alone would give with the leaves dissolved.
 * - Every other request dissolves the leaves first, so it searches the
 *   segment layer as if there had never been any: the instant-fit fast
 *   path stands aside while there are leaves, the ordered one in every
 *   arena that may have them.
 * - vm_lowfree, where first fit starts, holds while vm_lowfree_seq is
 *   vm_free_seq: a free or a span moves that, so the segment layer pays
 *   nothing for it; the next lowest-free search sets both again.
 *
 * Everything here runs under vm_lock but vmem_leaf_alloc_fast() and
 * vmem_leaf_free_fast(), which take it, and vmem_leaf_tags(), which reads
 * without it.
 */
#include <linux/bitops.h>
#include <linux/minmax.h>
#include "vmem_impl.h"
#include <trace/events/vmem.h>

/* Bits @lo to @hi, lo <= hi < BITS_PER_LONG. */
static inline unsigned long vmem_leaf_mask(unsigned int lo, unsigned int hi)
{
	return (~0UL << lo) & (~0UL >> (BITS_PER_LONG - 1 - hi));
}

/* The leaf that holds @addr, or NULL (an empty slot's lf_size is 0). */
static __always_inline struct vmem_leaf *vmem_leaf_at(struct vmem *vm,
						      unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < VMEM_NLEAVES; i++) {
		struct vmem_leaf *lf = &vm->vm_leaf[i];

		if (addr - lf->lf_start < lf->lf_size)
			return lf;
	}
	return NULL;
}

/* The leaf whose segment is @vs, or NULL. */
struct vmem_leaf *vmem_leaf_of(struct vmem *vm, const struct vmem_seg *vs)
{
	unsigned int i;

	for (i = 0; i < VMEM_NLEAVES; i++)
		if (vm->vm_leaf[i].lf_seg == vs)
			return &vm->vm_leaf[i];
	return NULL;
}

/* A client takes the free quantum @addr of @lf. */
static void vmem_leaf_take(struct vmem *vm, struct vmem_leaf *lf,
			   unsigned long addr)
{
	unsigned long bit = (addr - lf->lf_start) >> vm->vm_qshift;

	lockdep_assert_held(&vm->vm_lock);
	WRITE_ONCE(lf->lf_free, lf->lf_free & ~(1UL << bit));
	vm->vm_nleafids++;
	vm->vm_inuse += vm->vm_quantum;
	vm->vm_kstat.nalloc++;
}

/*
 * vmem_id_alloc() and vmem_id_allocff(): when the leaf that holds where
 * the search would start (the rotor, or vm_lowfree if it holds) has
 * a free quantum at or above it, that quantum is the answer, since every
 * quantum between is the leaf's and taken.  One lock, a bit search; no
 * tag, no tree.  False when the answer is elsewhere.
 */
bool vmem_leaf_alloc_fast(struct vmem *vm, unsigned int policy,
			  unsigned long *addrp)
{
	unsigned long flags, from, off, free, addr;
	struct vmem_leaf *lf;
	unsigned int i;

	if (policy != VMEM_NEXTFIT && policy != VMEM_FIRSTFIT)
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	if (policy == VMEM_NEXTFIT)
		from = vm->vm_rotor_addr;
	else if (likely(vmem_lowfree_holds(vm)))
		from = vm->vm_lowfree;
	else
		goto miss;
	for (i = 0; i < VMEM_NLEAVES; i++) {
		lf = &vm->vm_leaf[i];
		off = from - lf->lf_start;
		if (off >= lf->lf_size)		/* an empty slot's is 0 */
			continue;
		free = lf->lf_free & (~0UL << (off >> vm->vm_qshift));
		if (!free)
			break;
		addr = lf->lf_start +
		       ((unsigned long)__ffs(free) << vm->vm_qshift);
		vmem_leaf_take(vm, lf, addr);
		if (policy == VMEM_NEXTFIT)
			vm->vm_rotor_addr = addr + vm->vm_quantum;
		else
			vm->vm_lowfree = addr + vm->vm_quantum;
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		*addrp = addr;
		return true;
	}
miss:
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return false;
}

/* Does @r go to the leaves, or are they dissolved before it? */
bool vmem_leaf_wants(const struct vmem *vm, const struct vmem_req *r)
{
	return r->size == vm->vm_quantum && r->align == vm->vm_quantum &&
	       (r->vmflags & (VMEM_NEXTFIT | VMEM_FIRSTFIT));
}

/*
 * Tags that dissolving @lf takes: a small one per piece (each client
 * quantum alone, each free run) but the one the leaf's own tag becomes,
 * and in an indexed arena a big one per free run.  Read without vm_lock
 * for the reservation (an estimate then, checked again under the lock).
 */
static void vmem_leaf_cost(const struct vmem *vm, const struct vmem_leaf *lf,
			   unsigned int *nsmall, unsigned int *nbig)
{
	unsigned long free = READ_ONCE(lf->lf_free);
	unsigned int nq = READ_ONCE(lf->lf_nq);
	unsigned int runs = hweight_long(free & ~(free << 1));
	unsigned int live = nq - min_t(unsigned int, nq, hweight_long(free));

	if (!READ_ONCE(lf->lf_seg))
		return;
	if (live + runs)
		*nsmall += live + runs - 1;
	if (READ_ONCE(vm->vm_indexed))
		*nbig += runs;
}

/* The slot a new leaf goes to: a free one, else the victim's. */
static struct vmem_leaf *vmem_leaf_slot(struct vmem *vm)
{
	unsigned int i;

	for (i = 0; i < VMEM_NLEAVES; i++)
		if (!READ_ONCE(vm->vm_leaf[i].lf_seg))
			return &vm->vm_leaf[i];
	return &vm->vm_leaf[READ_ONCE(vm->vm_leaf_victim)];
}

/*
 * The tags, besides VMEM_TAGS_PER_OP, that vmem_leaf_req() may need for
 * @r: a new leaf may dissolve the one whose slot it takes; any other
 * request dissolves them all.  Without vm_lock.
 */
static void vmem_leaf_tags(struct vmem *vm, const struct vmem_req *r,
			   unsigned int *nsmall, unsigned int *nbig)
{
	unsigned int i;

	if (vmem_leaf_wants(vm, r)) {
		vmem_leaf_cost(vm, vmem_leaf_slot(vm), nsmall, nbig);
		return;
	}
	if (!READ_ONCE(vm->vm_nleaves))
		return;
	for (i = 0; i < VMEM_NLEAVES; i++)
		vmem_leaf_cost(vm, &vm->vm_leaf[i], nsmall, nbig);
}

/* Do the reserves hold what dissolving @lf (all leaves: NULL) takes? */
static bool vmem_leaf_affordable(struct vmem *vm, struct vmem_leaf *lf)
{
	unsigned int nsmall = VMEM_TAGS_PER_OP, nbig = 0, i;

	lockdep_assert_held(&vm->vm_lock);
	if (lf)
		vmem_leaf_cost(vm, lf, &nsmall, &nbig);
	else
		for (i = 0; i < VMEM_NLEAVES; i++)
			vmem_leaf_cost(vm, &vm->vm_leaf[i], &nsmall, &nbig);
	return vm->vm_nreserve >= nsmall && vm->vm_nireserve >= nbig;
}

/*
 * Give @lf's segment back to the segment layer: each client quantum
 * becomes an allocated segment of its own, as if the segment layer had
 * handed it out, and each free run a free segment, coalesced with free
 * neighbours outside the leaf.  The pieces go in front of the leaf's tag,
 * in address order, and the tag becomes the last one, so that a marker
 * behind the leaf stays behind its last piece.  The reserves hold what
 * vmem_leaf_cost() counts.
 */
static void vmem_leaf_dissolve(struct vmem *vm, struct vmem_leaf *lf)
{
	struct vmem_seg *ls = lf->lf_seg, **pp, *vs;
	unsigned long free = lf->lf_free, start = ls->vs_start;
	unsigned int shift = vm->vm_qshift, n = lf->lf_nq, i = 0, j;

	lockdep_assert_held(&vm->vm_lock);
	pp = vmem_hash_find(vm, start);
	if (WARN_ON_ONCE(!pp || *pp != ls))
		return;
	vmem_hash_unlink(vm, pp);
	vm->vm_nleafids -= vmem_leaf_live(lf);
	WRITE_ONCE(vm->vm_nleaves, vm->vm_nleaves - 1);
	WRITE_ONCE(lf->lf_seg, NULL);
	WRITE_ONCE(lf->lf_free, 0);
	WRITE_ONCE(lf->lf_nq, 0);
	WRITE_ONCE(lf->lf_start, 0);
	WRITE_ONCE(lf->lf_size, 0);
	ls->vs_owner = VMEM_OWNER_CLIENT;
	while (i < n) {
		bool isfree;

		j = vmem_leaf_piece(free, n, i, &isfree);
		if (j == n) {
			vs = ls;
		} else {
			vs = vmem_tag_get(vm);
			list_add_tail(&vs->vs_seglist, &ls->vs_seglist);
			vm->vm_nsegs++;
		}
		vs->vs_start = start + ((unsigned long)i << shift);
		vs->vs_size = (unsigned long)(j - i) << shift;
		if (isfree) {
			vmem_seg_unleaf(vm, vs);
		} else {
			vs->vs_type = VMEM_SEG_ALLOC;
			vmem_hash_insert(vm, vs);
		}
		i = j;
	}
}

/* Dissolve every leaf; vmem_leaf_affordable(vm, NULL) said the reserves hold it. */
void vmem_leaf_dissolve_all(struct vmem *vm)
{
	unsigned int i;

	for (i = 0; i < VMEM_NLEAVES; i++)
		if (vm->vm_leaf[i].lf_seg)
			vmem_leaf_dissolve(vm, &vm->vm_leaf[i]);
}

/*
 * The lowest fit of the first-fit request @r (one quantum): the segment
 * layer's, in *@vsp, or a leaf's free quantum, in *@lfp, whichever is
 * lower.  False when neither has one.
 */
static bool vmem_leaf_lowest(struct vmem *vm, const struct vmem_req *r,
			     struct vmem_seg **vsp, struct vmem_leaf **lfp,
			     unsigned long *addrp)
{
	unsigned int shift = vm->vm_qshift, i, lo, hi;
	unsigned long addr, start, last, free;
	bool found;

	*lfp = NULL;
	*vsp = vmem_search(vm, r, addrp);
	found = *vsp;
	for (i = 0; i < VMEM_NLEAVES; i++) {
		struct vmem_leaf *lf = &vm->vm_leaf[i];

		if (!lf->lf_seg)
			continue;
		start = lf->lf_seg->vs_start;
		last = vmem_seg_last(lf->lf_seg);
		if (r->maxaddr < start || r->minaddr > last)
			continue;
		lo = r->minaddr > start ? (r->minaddr - start) >> shift : 0;
		hi = (min(r->maxaddr, last) - start) >> shift;
		free = lf->lf_free & vmem_leaf_mask(lo, hi);
		if (!free)
			continue;
		addr = start + ((unsigned long)__ffs(free) << shift);
		if (!found || addr < *addrp) {
			*addrp = addr;
			*lfp = lf;
			*vsp = NULL;
			found = true;
		}
	}
	return found;
}

/*
 * A new leaf at @addr, the lowest quantum of the free segment @vs or
 * inside it: up to BITS_PER_LONG quanta from @addr up, as far as @vs
 * goes.  The segment layer counts the carve as an allocation; it is none
 * (its quanta count one by one as clients take them), so it is uncounted.
 */
static struct vmem_leaf *vmem_leaf_new(struct vmem *vm, struct vmem_leaf *lf,
				       struct vmem_seg *vs, unsigned long addr)
{
	unsigned long nq = ((vmem_seg_last(vs) - addr) >> vm->vm_qshift) + 1;
	unsigned long size;

	nq = min_t(unsigned long, nq, BITS_PER_LONG);
	size = nq << vm->vm_qshift;
	vs = vmem_seg_carve_leaf(vm, vs, addr, size);
	WRITE_ONCE(lf->lf_seg, vs);
	WRITE_ONCE(lf->lf_start, addr);
	WRITE_ONCE(lf->lf_size, size);
	WRITE_ONCE(lf->lf_nq, nq);
	WRITE_ONCE(lf->lf_free, vmem_leaf_mask(0, nq - 1));
	WRITE_ONCE(vm->vm_nleaves, vm->vm_nleaves + 1);
	WRITE_ONCE(vm->vm_leaf_victim, (lf - vm->vm_leaf + 1) % VMEM_NLEAVES);
	return lf;
}

/*
 * vmem_alloc_req()'s search in an arena with leaves, under vm_lock.
 * For a request that vmem_leaf_wants(): the quantum next fit or first fit
 * defines, from a leaf when one holds it; else from a new leaf made where
 * the segment layer has it, when the reserves allow the victim's
 * dissolution; else from the segment layer.  Any other request: the
 * leaves dissolved, the segment layer's search.
 *
 * Return: 1 when a leaf's quantum was taken (*@addrp); 0 with *@vsp and
 * *@addrp the segment layer's fit (*@vsp NULL: no room), for the caller
 * to carve; -EAGAIN when the reserves no longer hold the tags to dissolve
 * the leaves (they changed since vmem_leaf_tags()).
 */
static int vmem_leaf_req(struct vmem *vm, const struct vmem_req *r,
			 struct vmem_seg **vsp, unsigned long *addrp)
{
	bool next = r->vmflags & VMEM_NEXTFIT;
	struct vmem_req fr = *r;
	struct vmem_leaf *lf;
	unsigned long addr;
	bool found = false;

	lockdep_assert_held(&vm->vm_lock);
	if (!vmem_leaf_wants(vm, r)) {
		if (vm->vm_nleaves) {
			if (!vmem_leaf_affordable(vm, NULL))
				return -EAGAIN;
			vmem_leaf_dissolve_all(vm);
		}
		*vsp = vmem_search(vm, r, addrp);
		return 0;
	}

	/* next fit: first fit from the rotor up, then from the bottom */
	fr.vmflags = (r->vmflags & ~VMEM_POLICY_MASK) | VMEM_FIRSTFIT;
	if (next && vm->vm_rotor_addr > r->minaddr &&
	    vm->vm_rotor_addr <= r->maxaddr) {
		fr.minaddr = vm->vm_rotor_addr;
		found = vmem_leaf_lowest(vm, &fr, vsp, &lf, &addr);
		fr.minaddr = r->minaddr;
	}
	if (!found && !vmem_leaf_lowest(vm, &fr, vsp, &lf, &addr)) {
		*vsp = NULL;
		return 0;
	}
	if (!lf) {
		lf = vmem_leaf_slot(vm);
		if (lf->lf_seg) {
			if (!vmem_leaf_affordable(vm, lf)) {
				*addrp = addr;	/* the segment layer's, then */
				return 0;
			}
			vmem_leaf_dissolve(vm, lf);
			/* the segment that holds @addr now */
			fr.minaddr = addr;
			fr.maxaddr = addr + (vm->vm_quantum - 1);
			*vsp = vmem_search(vm, &fr, &addr);
			if (WARN_ON_ONCE(!*vsp))
				return 0;
		}
		vmem_leaf_new(vm, lf, *vsp, addr);
	}
	vmem_leaf_take(vm, lf, addr);
	if (next) {
		/* the walk's marker behind the leaf, the address in it */
		if (vm->vm_rotor_used)
			list_move(&vm->vm_rotor.vs_seglist,
				  &lf->lf_seg->vs_seglist);
		else
			list_add(&vm->vm_rotor.vs_seglist,
				 &lf->lf_seg->vs_seglist);
		vm->vm_rotor_used = true;
		vm->vm_rotor_addr = addr + vm->vm_quantum;
	} else if (!r->minaddr ||
		   (vmem_lowfree_holds(vm) && r->minaddr <= vm->vm_lowfree)) {
		/* nothing is free below: this was the lowest free quantum */
		vm->vm_lowfree = addr + vm->vm_quantum;
		vm->vm_lowfree_seq = vm->vm_free_seq;
	}
	*addrp = addr;
	return 1;
}

/*
 * vmem_xfree() of @addr, when it is in a leaf.  Return: 0 when no leaf
 * holds @addr; 1 when it was a client's quantum, now free; -EBUSY when it
 * is a client's but @size is not one quantum; -ENOENT when it is not a
 * client's (free, or not a quantum's start): the caller reports those.
 */
static __always_inline int __vmem_leaf_free(struct vmem *vm,
					    unsigned long addr,
					    unsigned long size)
{
	struct vmem_leaf *lf = vmem_leaf_at(vm, addr);
	unsigned long off, bit;

	lockdep_assert_held(&vm->vm_lock);
	if (!lf)
		return 0;
	off = addr - lf->lf_start;
	bit = 1UL << (off >> vm->vm_qshift);
	if ((off & (vm->vm_quantum - 1)) || (lf->lf_free & bit))
		return -ENOENT;
	if (size - 1 >= vm->vm_quantum)		/* rounds to one quantum? */
		return -EBUSY;
	WRITE_ONCE(lf->lf_free, lf->lf_free | bit);
	vm->vm_nleafids--;
	vm->vm_inuse -= vm->vm_quantum;
	vm->vm_kstat.nfree++;
	return 1;
}

int vmem_leaf_free(struct vmem *vm, unsigned long addr, unsigned long size)
{
	return __vmem_leaf_free(vm, addr, size);
}

/*
 * vmem_id_free() of a client's quantum of a leaf: one lock, one bit.
 * False, with nothing done, for anything else (not a leaf's, free, not
 * a quantum's start): vmem_xfree() then frees it or reports it.
 */
bool vmem_leaf_free_fast(struct vmem *vm, unsigned long addr)
{
	unsigned long flags;
	unsigned int i;
	bool wake, low;

	/* in no leaf, as read without the lock (see struct vmem_leaf) */
	for (i = 0; i < VMEM_NLEAVES; i++)
		if (addr - READ_ONCE(vm->vm_leaf[i].lf_start) <
		    READ_ONCE(vm->vm_leaf[i].lf_size))
			break;
	if (i == VMEM_NLEAVES)
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	if (unlikely(__vmem_leaf_free(vm, addr, 1) <= 0)) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return false;
	}
	/* the bound, if it held, holds with @addr below it */
	low = vmem_lowfree_holds(vm);
	if (addr < vm->vm_lowfree)
		vm->vm_lowfree = addr;
	wake = vmem_note_room(vm);
	if (low)
		vm->vm_lowfree_seq = vm->vm_free_seq;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	if (unlikely(wake))
		wake_up_all(&vm->vm_wq);
	trace_vmem_free(vm, addr, vm->vm_quantum);
	return true;
}

/*
 * vmem_alloc_req()'s locked search in an arena with leaves: vm_lock taken
 * with the tags vmem_leaf_req() may need besides VMEM_TAGS_PER_OP in the
 * reserves, then vmem_leaf_req(), again with more tags if the leaves
 * changed meanwhile.  Return: 0 with vm_lock held and *@vsp, *@addrp the
 * segment layer's fit (*@vsp NULL: none); 1 with the lock released and
 * *@addrp a leaf's quantum, taken; -ENOMEM, the lock not held.  Called
 * without vm_lock; may sleep as vmem_lock_reserved() does.
 */
int __vmem_leaf_lock_search(struct vmem *vm, const struct vmem_req *r,
			    struct vmem_seg **vsp, unsigned long *addrp,
			    unsigned long *flags)
{
	int err;

	for (;;) {
		unsigned int nsmall = 0, nbig = 0;

		vmem_leaf_tags(vm, r, &nsmall, &nbig);
		err = vmem_lock_reserved(vm, r->vmflags,
					 VMEM_TAGS_PER_OP + nsmall, nbig, flags);
		if (err)
			return err;
		err = vmem_leaf_req(vm, r, vsp, addrp);
		if (!err) {
			__release(&vm->vm_lock);	/* to the caller */
			return 0;
		}
		if (err > 0) {
			spin_unlock_irqrestore(&vm->vm_lock, *flags);
			return 1;
		}
		vmem_unlock(vm, *flags);	/* -EAGAIN: more tags */
	}
}
