// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fitting a request into free segments: the arithmetic that finds the
 * lowest or highest start inside one free segment that meets every
 * constraint, and the searches of each placement policy.  All under
 * vm_lock.  See "2. Finding a free segment" and "3. Constrained
 * allocation" in vmem/vmem.c.
 */
#include <linux/kernel.h>
#include "vmem_impl.h"

/* ---- fitting a request into a free segment ---- */

/*
 * The lowest start a in [lo, hi - size + 1] with a = phase (mod align)
 * whose range does not cross a multiple of nocross.  [lo, hi] is inclusive.
 *
 * If the first candidate crosses a boundary b, the next candidate at or
 * after b is the only one left to try: vmem_xalloc() checked that
 * (phase mod nocross) + size <= nocross, so a candidate that starts in a
 * block at offset phase mod nocross (as every candidate after b does when
 * align <= nocross, and every candidate at all does when align > nocross)
 * fits in its block.
 */
static inline bool __vmem_fit_low(const struct vmem_req *r, unsigned long lo,
				  unsigned long hi, unsigned long *addrp)
{
	unsigned long mask = r->align - 1;
	unsigned long a;

	if (hi < lo || hi - lo < r->size - 1)
		return false;
	a = lo + ((r->phase - lo) & mask);
	if (a < lo || a > hi || hi - a < r->size - 1)
		return false;
	if (r->nocross && ((a ^ (a + r->size - 1)) & ~(r->nocross - 1))) {
		/* a + size - 1 lies in a later block, so b does not wrap */
		unsigned long b = (a | (r->nocross - 1)) + 1;

		a = b + ((r->phase - b) & mask);
		if (a < b || a > hi || hi - a < r->size - 1)
			return false;
	}
	*addrp = a;
	return true;
}

bool vmem_fit_low(const struct vmem_req *r, unsigned long lo,
		  unsigned long hi, unsigned long *addrp)
{
	return __vmem_fit_low(r, lo, hi, addrp);
}

/* The highest such start; the mirror image of vmem_fit_low(). */
static bool vmem_fit_high(const struct vmem_req *r, unsigned long lo,
			  unsigned long hi, unsigned long *addrp)
{
	unsigned long mask = r->align - 1;
	unsigned long top, a;

	if (hi < lo || hi - lo < r->size - 1)
		return false;
	top = hi - (r->size - 1);
	a = top - ((top - r->phase) & mask);
	if (a > top || a < lo)
		return false;
	if (r->nocross && ((a ^ (a + r->size - 1)) & ~(r->nocross - 1))) {
		/* the last block boundary inside the range; e > a >= 0 */
		unsigned long e = (a + r->size - 1) & ~(r->nocross - 1);

		if (e - lo < r->size)
			return false;
		top = e - r->size;
		a = top - ((top - r->phase) & mask);
		if (a > top || a < lo)
			return false;
	}
	*addrp = a;
	return true;
}

/* Clip a free segment to the request's window. */
static void vmem_seg_window(const struct vmem_req *r, const struct vmem_seg *vs,
			    unsigned long *lo, unsigned long *hi)
{
	*lo = max(vs->vs_start, r->minaddr);
	*hi = min(vmem_seg_last(vs), r->maxaddr);
}

bool vmem_seg_fits(const struct vmem_req *r, const struct vmem_seg *vs,
		   bool top, unsigned long *addrp)
{
	unsigned long lo, hi;

	if (vs->vs_size < r->size)
		return false;
	vmem_seg_window(r, vs, &lo, &hi);
	return top ? vmem_fit_high(r, lo, hi, addrp) :
		     __vmem_fit_low(r, lo, hi, addrp);
}

/* ---- searching ---- */

/* vmem_seg_fits() for a search: each free segment examined is counted. */
static bool vmem_search_fits(struct vmem *vm, const struct vmem_req *r,
			     const struct vmem_seg *vs, bool top,
			     unsigned long *addrp)
{
	vm->vm_kstat.nsearch++;
	return vmem_seg_fits(r, vs, top, addrp);
}

/*
 * The first fit on the freelists of @map, lowest list first.  Inlined in
 * both calls: with the search counted, GCC stops inlining it on its own,
 * and the call costs a constrained allocation 25 instructions.
 */
static __always_inline struct vmem_seg *
vmem_search_lists(struct vmem *vm, const struct vmem_req *r,
		  unsigned long map, unsigned long *addrp)
{
	struct vmem_seg *vs;

	for (; map; map &= map - 1) {
		list_for_each_entry(vs, &vm->vm_freelist[__ffs(map)],
				    vs_freelist)
			if (vmem_search_fits(vm, r, vs, false, addrp))
				return vs;
	}
	return NULL;
}

/*
 * Instant fit.  Lists from fls(worst - 1) up hold only segments of at
 * least @worst, the request plus the worst alignment padding; the first
 * candidate there almost always fits (a window or nocross may still say
 * no).  Then the lists below, down to the lowest one that may hold a fit.
 */
static struct vmem_seg *vmem_search_instant(struct vmem *vm,
					    const struct vmem_req *r,
					    unsigned long *addrp)
{
	unsigned long worst = r->size + (r->align - vm->vm_quantum);
	unsigned int lowest = vmem_freelist_lowest(r->size);
	unsigned int first = BITS_PER_LONG;
	unsigned long map;
	struct vmem_seg *vs;

	if (worst >= r->size)		/* else the padding overflowed */
		first = fls_long(worst - 1);
	map = first < BITS_PER_LONG ? vm->vm_freemap & (~0UL << first) : 0;
	vs = vmem_search_lists(vm, r, map, addrp);
	if (vs)
		return vs;
	map = vm->vm_freemap & (~0UL << lowest);
	if (first < BITS_PER_LONG)
		map &= ~(~0UL << first);
	return vmem_search_lists(vm, r, map, addrp);
}

/*
 * Best fit on the lists, for an arena without its size tree: the smallest
 * segment that fits.  Every segment on list n is at least 2^n, so once the
 * best so far is no larger than 2^n, neither list n nor a later one holds
 * a better one.  Lists overlap (list n holds [2^n, 2^(n+2))), so a fit on
 * one list does not end the search as it would with disjoint classes.
 */
static struct vmem_seg *vmem_search_best(struct vmem *vm,
					 const struct vmem_req *r,
					 unsigned long *addrp)
{
	unsigned long map = vm->vm_freemap &
			    (~0UL << vmem_freelist_lowest(r->size));
	struct vmem_seg *vs, *best = NULL;
	unsigned long addr;

	for (; map; map &= map - 1) {
		unsigned int n = __ffs(map);

		if (best && best->vs_size <= 1UL << n)
			break;
		list_for_each_entry(vs, &vm->vm_freelist[n], vs_freelist) {
			if (best && vs->vs_size >= best->vs_size)
				continue;
			if (!vmem_search_fits(vm, r, vs, false, &addr))
				continue;
			best = vs;
			*addrp = addr;
			if (vs->vs_size == r->size)
				return best;
		}
	}
	return best;
}

/* First fit: the lowest-addressed fit. */
static struct vmem_seg *vmem_search_first(struct vmem *vm,
					  const struct vmem_req *r,
					  unsigned long *addrp)
{
	struct vmem_seg *vs;

	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		if (vs->vs_type == VMEM_SEG_SPAN && vs->vs_start > r->maxaddr)
			break;
		if (vs->vs_type == VMEM_SEG_FREE &&
		    vmem_search_fits(vm, r, vs, false, addrp))
			return vs;
	}
	return NULL;
}

/* Top-down: the highest-addressed fit, taken from its top. */
static struct vmem_seg *vmem_search_top(struct vmem *vm,
					const struct vmem_req *r,
					unsigned long *addrp)
{
	struct vmem_seg *vs;

	list_for_each_entry_reverse(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		if (vs->vs_type == VMEM_SEG_SPAN &&
		    vmem_seg_last(vs) < r->minaddr)
			break;
		if (vs->vs_type == VMEM_SEG_FREE &&
		    vmem_search_fits(vm, r, vs, true, addrp))
			return vs;
	}
	return NULL;
}

/*
 * Next fit: the lowest fit at or above vm_rotor_addr, the end of the
 * previous next-fit allocation; failing that, the lowest fit of all (the
 * wrap).  The rotor marker was put behind that allocation's segment, but
 * frees and carves since may have left segments that reach past
 * vm_rotor_addr in front of it (a freed allocation merged with room above
 * it; a top-down carve): the search starts at the first of them, found by
 * stepping back from the marker.  Those segments are the tail of the ones
 * in front of the marker, so the steps are few, except after a wrap
 * (vm_rotor_addr 0), where this is first fit.
 */
static struct vmem_seg *vmem_search_next(struct vmem *vm,
					 const struct vmem_req *r,
					 unsigned long *addrp)
{
	struct vmem_seg *rotor = &vm->vm_rotor;
	struct vmem_req above = *r;
	struct vmem_seg *vs;

	if (!vm->vm_rotor_used) {
		/* from the start: slower, but right for any vm_rotor_addr */
		list_add(&rotor->vs_seglist, &vm->vm_seg0.vs_seglist);
		vm->vm_rotor_used = true;
	}
	above.minaddr = max(r->minaddr, vm->vm_rotor_addr);
	for (vs = rotor;; vs = vmem_seg_prev(vs)) {
		struct vmem_seg *prev = vmem_seg_prev(vs);

		/* a segment or a span header; the head ends the walk */
		if (prev == &vm->vm_seg0 ||
		    vmem_seg_last(prev) < vm->vm_rotor_addr)
			break;
	}
	for (; vs != &vm->vm_seg0; vs = list_next_entry(vs, vs_seglist)) {
		if (vs->vs_type == VMEM_SEG_FREE &&
		    vmem_search_fits(vm, &above, vs, false, addrp))
			return vs;
	}
	return vmem_search_first(vm, r, addrp);
}

/* ---- searching the index ---- */

/*
 * The lowest fit whose segment ends at or above @lo: the free segments
 * large enough for the request, in address order from there, until one
 * holds a fit.  O(log n) for a plain request or a window (only the
 * segments that straddle a window edge can fail); alignment and nocross
 * may add near fits, segments large enough that hold no aligned fit.
 */
static struct vmem_seg *vmem_isearch_first(struct vmem *vm,
					   const struct vmem_req *r,
					   unsigned long lo,
					   unsigned long *addrp)
{
	struct vmem_seg *vs;

	for (vs = vmem_index_first(vm, lo, r->size);
	     vs && vs->vs_start <= r->maxaddr;
	     vs = vmem_index_next(vs, r->size))
		if (vmem_search_fits(vm, r, vs, false, addrp))
			return vs;
	return NULL;
}

/* The mirror image: the highest fit, from the top of the window down. */
static struct vmem_seg *vmem_isearch_top(struct vmem *vm,
					 const struct vmem_req *r,
					 unsigned long *addrp)
{
	struct vmem_seg *vs;

	for (vs = vmem_index_last(vm, r->maxaddr, r->size);
	     vs && vmem_seg_last(vs) >= r->minaddr;
	     vs = vmem_index_prev(vs, r->size))
		if (vmem_search_fits(vm, r, vs, true, addrp))
			return vs;
	return NULL;
}

/*
 * Best fit: the free segments in (size, start) order from the request's
 * size up, until one holds a fit: the smallest segment that fits, the
 * lowest of equals.  O(log n) for a plain request; segments too small
 * for the alignment, or outside a window, are passed over one by one.
 */
static struct vmem_seg *vmem_isearch_best(struct vmem *vm,
					  const struct vmem_req *r,
					  unsigned long *addrp)
{
	struct vmem_seg *vs;

	for (vs = vmem_index_best(vm, r->size); vs;
	     vs = vmem_index_best_next(vs))
		if (vmem_search_fits(vm, r, vs, false, addrp))
			return vs;
	return NULL;
}

/* Next fit: first fit from the rotor up, then from the bottom. */
static struct vmem_seg *vmem_isearch_next(struct vmem *vm,
					  const struct vmem_req *r,
					  unsigned long *addrp)
{
	struct vmem_seg *vs = NULL;

	if (vm->vm_rotor_addr > r->minaddr) {
		struct vmem_req above = *r;

		above.minaddr = vm->vm_rotor_addr;
		vs = vmem_isearch_first(vm, &above, above.minaddr, addrp);
	}
	return vs ? vs : vmem_isearch_first(vm, r, r->minaddr, addrp);
}

/*
 * Does @r need order among the free segments?  A policy defined by
 * addresses or by sizes, or a window: then the arena is worth an index.
 */
bool vmem_req_wants_index(const struct vmem_req *r)
{
	return (r->vmflags & (VMEM_POLICY_MASK & ~VMEM_INSTANTFIT)) ||
	       r->minaddr || r->maxaddr != ULONG_MAX;
}

/*
 * The search of @r's policy: on the index when it is ready, on the lists
 * otherwise.  Instant fit keeps to the freelists even in an indexed arena,
 * but for a window, which orders it by addresses.
 */
struct vmem_seg *vmem_search(struct vmem *vm, const struct vmem_req *r,
			     unsigned long *addrp)
{
	bool indexed = vmem_index_ready(vm);

	lockdep_assert_held(&vm->vm_lock);
	switch (r->vmflags & VMEM_POLICY_MASK) {
	case VMEM_BESTFIT:
		return vmem_index_sized(vm) ? vmem_isearch_best(vm, r, addrp) :
					      vmem_search_best(vm, r, addrp);
	case VMEM_FIRSTFIT:
		return indexed ? vmem_isearch_first(vm, r, r->minaddr, addrp) :
				 vmem_search_first(vm, r, addrp);
	case VMEM_NEXTFIT:
		return indexed ? vmem_isearch_next(vm, r, addrp) :
				 vmem_search_next(vm, r, addrp);
	case VMEM_TOPDOWN:
		return indexed ? vmem_isearch_top(vm, r, addrp) :
				 vmem_search_top(vm, r, addrp);
	default:
		if (unlikely(indexed) && vmem_req_wants_index(r))
			return vmem_isearch_first(vm, r, r->minaddr, addrp);
		return vmem_search_instant(vm, r, addrp);
	}
}
