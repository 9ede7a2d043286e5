// SPDX-License-Identifier: GPL-2.0-only
/*
 * Importing spans from a source arena: how big a span to ask for, how a
 * constrained request translates into the source's terms, and adding the
 * span so that the allocation that needed it gets it.  See "4. Importing
 * and releasing spans" in vmem/vmem.c.
 */
#include <linux/kernel.h>
#include <linux/overflow.h>
#include "vmem_impl.h"

/*
 * The size of a span that holds a fit for @r wherever it starts: the
 * request, plus the alignment padding, plus one nocross block (the first
 * boundary in the span starts a block where a fit lies at offset @phase).
 * For import functions that know nothing of constraints: they may return a
 * span that cannot hold the request (it lies outside the window), which
 * the caller gives back.  0 on overflow.
 */
static unsigned long vmem_import_size(const struct vmem *vm,
				      const struct vmem_req *r)
{
	unsigned long size = r->size;

	if (check_add_overflow(size, r->align - vm->vm_quantum, &size) ||
	    check_add_overflow(size, r->nocross, &size))
		return 0;
	return size;
}

/*
 * Ask the source for a span [s, s + len) with s in [lo, hi], s = phase
 * (mod align), crossing no multiple of nocross.  The callers make lo, hi
 * and len multiples of the span quantum Q and keep hi + len <= 2^BITS:
 * the source's window below neither rounds nor overflows.
 */
static int vmem_import_span(struct vmem *vm, unsigned long len,
			    unsigned long align, unsigned long phase,
			    unsigned long nocross, unsigned long lo,
			    unsigned long hi, unsigned int vmflags,
			    unsigned long *addrp)
{
	int err;

	if (lo > hi)
		return -ENOSPC;
	err = vmem_xalloc(vm->vm_source, len, align, phase, nocross, lo,
			  hi + (len - 1), vmflags, addrp);
	/* no span can meet these constraints in any source */
	return err == -EINVAL ? -ENOSPC : err;
}

/*
 * Import, from a vmem source, a span that holds a fit for @r, whenever the
 * source has room for one.  The spans the arena can add start and end on
 * multiples of Q, the larger of the two quanta, so a span holds the fit p
 * exactly when it holds [round_down(p, Q), round_up(p + size, Q)), and the
 * smallest span for p is that range.  Let off = p mod Q:
 *
 * - align >= Q: every fit has off = phase mod Q.  One request covers them
 *   all: spans of round_up(off + size, Q) at s = phase - off (mod align);
 *   the window bounds s to [minaddr - off, maxaddr - size + 1 - off],
 *   rounded inward to Q.
 * - align < Q: in every block [kQ, kQ + Q) the lowest candidate is
 *   kQ + phase (vmem_xreq_init() checked that it crosses no nocross
 *   boundary below Q), and its span is the smallest of the block: if any
 *   fit of the block has room in the source, that one does.  One request
 *   covers every block at offset phase, as above; only the block of
 *   minaddr may lose offset phase to the window, and its lowest fit above
 *   minaddr is asked for first, as an exact range.
 *
 * A nocross of at least Q is passed on: the smallest span around a fit
 * crosses a multiple of it exactly when the fit does.  A nocross below Q
 * is met by the offset within the span and is not the source's concern.
 * The source is asked with the caller's VMEM_SLEEP or VMEM_NOSLEEP and
 * its own default policy.  Returns -ENOSPC when the source has no such
 * span, and what the source returns otherwise.
 */
static int vmem_import_xalloc(struct vmem *vm, const struct vmem_req *r,
			      unsigned int vmflags, unsigned long *sizep,
			      unsigned long *addrp)
{
	unsigned long q = max(vm->vm_quantum, vm->vm_source->vm_quantum);
	unsigned long nocross = r->nocross >= q ? r->nocross : 0;
	unsigned long align = max(r->align, q);
	unsigned long off = r->phase & (q - 1);
	unsigned long len, lo, hi, p;
	int err;

	if (r->align < q && (r->minaddr & (q - 1)) > r->phase &&
	    vmem_fit_low(r, r->minaddr, r->maxaddr, &p) &&
	    (p & ~(q - 1)) == (r->minaddr & ~(q - 1))) {
		/* the block of minaddr, whose fits start above phase */
		if (check_add_overflow(p & (q - 1), r->size, &len) ||
		    len > ULONG_MAX - (q - 1))
			return -ENOSPC;
		len = round_up(len, q);
		lo = p & ~(q - 1);
		err = vmem_import_span(vm, len, q, 0, 0, lo, lo, vmflags,
				       addrp);
		if (err != -ENOSPC) {
			*sizep = len;
			return err;
		}
	}

	/* the fits at offset off in their block */
	if (check_add_overflow(off, r->size, &len) ||
	    len > ULONG_MAX - (q - 1))
		return -ENOSPC;
	len = round_up(len, q);
	lo = 0;
	if (r->minaddr > off) {
		if (r->minaddr - off > ULONG_MAX - (q - 1))
			return -ENOSPC;
		lo = round_up(r->minaddr - off, q);
	}
	if (r->maxaddr - (r->size - 1) < off)
		return -ENOSPC;
	hi = (r->maxaddr - (r->size - 1) - off) & ~(q - 1);
	err = vmem_import_span(vm, len, align, r->phase - off, nocross, lo,
			       hi, vmflags, addrp);
	*sizep = len;
	return err;
}

/*
 * Import a span that can hold @r and add it to the arena.  Called without
 * vm_lock; on success returns 0 with vm_lock held (flags in *@flags), the
 * span's free segment in *@freshp, and tags for a carve in the reserve, so
 * that the caller allocates from the span before anyone else sees it
 * wholly free.  On failure the lock is not held and nothing is left behind.
 */
int __vmem_import(struct vmem *vm, const struct vmem_req *r,
		  struct vmem_seg **freshp, unsigned long *flags)
{
	unsigned int vmflags = r->vmflags & VMEM_SLEEP_MASK;
	struct vmem *source = vm->vm_source;
	unsigned long size, addr;
	int err;

	if (vm->vm_import == vmem_alloc &&
	    (!vmem_req_is_plain(vm, r) ||
	     vm->vm_quantum > source->vm_quantum)) {
		err = vmem_import_xalloc(vm, r, vmflags, &size, &addr);
	} else {
		/* a plain request asks for its size: no padding */
		size = vmem_import_size(vm, r);
		if (!size)
			return -ENOSPC;
		if (source) {
			unsigned long mask = source->vm_quantum - 1;

			if (size > ULONG_MAX - mask)
				return -ENOSPC;
			size = (size + mask) & ~mask;
		}
		if (vm->vm_ximport)
			err = vm->vm_ximport(source, &size, vmflags, &addr);
		else
			err = vm->vm_import(source, size, vmflags, &addr);
	}
	if (err)
		return err;

	if (unlikely((addr | size) & (vm->vm_quantum - 1) || !size ||
		     addr + (size - 1) < addr)) {
		vmem_report(vm, "import returned [%#lx, +%#lx), not a range of quantum %#lx\n",
			    addr, size, vm->vm_quantum);
		vm->vm_release(source, addr, size);
		return -EINVAL;
	}

	/* the span's big tag and its free segment's, then a carve's */
	err = vmem_lock_reserved(vm, vmflags, 1 + VMEM_TAGS_PER_OP, 1, flags);
	if (err) {
		vm->vm_release(source, addr, size);
		return err;
	}
	if (unlikely(vmem_span_overlaps(vm, addr, size))) {
		vmem_report(vm, "import returned [%#lx, +%#lx), which overlaps a span\n",
			    addr, size);
		vmem_unlock(vm, *flags);
		vm->vm_release(source, addr, size);
		return -EINVAL;
	}
	*freshp = vmem_span_insert(vm, addr, size, true);
	vm->vm_kstat.nimport++;
	__release(&vm->vm_lock);	/* to vmem_import() */
	return 0;
}
