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
 * For import functions that know nothing of constraints.  0 on overflow.
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
 * Ask a vmem source for a span [s, s + S) such that p = s + off is a fit
 * for @r, where off = phase mod Q and Q is the source's quantum.  Every s
 * the source may return is a multiple of Q, so:
 *
 * - alignment: s = phase - off (mod max(align, Q)) gives p = phase
 *   (mod align);
 * - size: S = round_up(off + size, Q) holds [p, p + size);
 * - nocross: a span that crosses no multiple of nocross holds a range
 *   that crosses none; a nocross below Q is met by every candidate (its
 *   offset in a block is fixed, and vmem_xreq_init() checked it fits);
 * - window: minaddr <= s + off and s + off + size - 1 <= maxaddr bound s,
 *   and the source bounds s and s + S - 1: minaddr - off rounded up to Q,
 *   and the highest allowed s, rounded down to Q, plus S - 1.
 *
 * When @r's numbers are all multiples of Q this is @r itself.
 */
static int vmem_import_xalloc(struct vmem *vm, const struct vmem_req *r,
			      unsigned int vmflags, unsigned long *sizep,
			      unsigned long *addrp)
{
	struct vmem *source = vm->vm_source;
	unsigned long qmask = source->vm_quantum - 1;
	unsigned long off = r->phase & qmask;
	unsigned long size, minaddr, maxaddr, top;
	int err;

	if (check_add_overflow(off, r->size, &size) || size > ULONG_MAX - qmask)
		return -ENOMEM;
	size = (size + qmask) & ~qmask;
	minaddr = 0;
	if (r->minaddr > off) {
		minaddr = r->minaddr - off;
		if (minaddr > ULONG_MAX - qmask)
			return -ENOMEM;
		minaddr = (minaddr + qmask) & ~qmask;
	}
	/* the highest allowed s */
	if (r->maxaddr - (r->size - 1) < off)
		return -ENOMEM;
	top = (r->maxaddr - (r->size - 1) - off) & ~qmask;
	/*
	 * top and size are multiples of Q, so top + size is at most
	 * round_up(maxaddr + 1, Q), which is at most 2^BITS_PER_LONG: the
	 * sum below does not overflow.  It is 0 only for a window that ends
	 * at 0 (vmem_alloc_exact() of address 0), which a maxaddr of 0, "no
	 * limit", cannot pass on.
	 */
	maxaddr = top + (size - 1);
	if (!maxaddr)
		return -ENOMEM;

	err = vmem_xalloc(source, size, max(r->align, qmask + 1),
			  r->phase - off, r->nocross > qmask ? r->nocross : 0,
			  minaddr, maxaddr, vmflags, addrp);
	*sizep = size;
	/* no such span can exist in the source: the request cannot import */
	return err == -EINVAL ? -ENOMEM : err;
}

/*
 * Import a span that can hold @r and add it to the arena.  Called without
 * vm_lock; on success returns 0 with vm_lock held (flags in *@flags), the
 * span's free segment in *@freshp, and tags for a carve in the reserve, so
 * that the caller allocates from the span before anyone else sees it
 * wholly free.  On failure the lock is not held and nothing is left behind.
 */
int vmem_import(struct vmem *vm, const struct vmem_req *r,
		struct vmem_seg **freshp, unsigned long *flags)
	__acquires(&vm->vm_lock)
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
			return -ENOMEM;
		if (source) {
			unsigned long mask = source->vm_quantum - 1;

			if (size > ULONG_MAX - mask)
				return -ENOMEM;
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

	/* the span's two tags, then a carve's */
	err = vmem_lock_reserved(vm, vmflags, 2 * VMEM_TAGS_PER_OP, flags);
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
	return 0;
}
