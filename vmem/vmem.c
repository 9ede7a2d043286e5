// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem: arenas, spans, segments, imports and constrained allocation.
 *
 * Written for Linux after Jeff Bonwick and Jonathan Adams, "Magazines and
 * Vmem: Extending the Slab Allocator to Many CPUs and Arbitrary
 * Resources", USENIX Annual Technical Conference, 2001.
 */

/**
 * DOC: vmem theory of operation
 *
 * 1. Arenas, spans and segments
 * -----------------------------
 * An *arena* is a set of integers: addresses, IOVAs, offsets into device
 * memory, identifiers.  It is the union of *spans*, disjoint ranges added
 * by vmem_add() or imported from a *source* arena.  Each span is cut into
 * *segments*, allocated or free, which tile it exactly.  Every range is
 * half-open, [start, start + size), but is stored as (start, size) so that
 * a span may end at ULONG_MAX: its last integer, start + size - 1, never
 * overflows.  Every start and size is a multiple of the arena's *quantum*,
 * a power of two.
 *
 * One *boundary tag* (struct vmem_seg) describes each span and segment.
 * The arena keeps them all on one list in address order, each span's
 * header first, then its segments; the list head is a tag too (vm_seg0),
 * so that a segment's neighbours can be looked at without checking for
 * the end of the list.  Two more kinds of tag sit on the list without
 * describing integers: the next-fit *rotor* and the place holders of
 * vmem_walk().  These *markers* are skipped when looking for neighbours.
 *
 * 2. Finding a free segment
 * -------------------------
 * Free segments are on *freelists* by size: vm_freelist[n] holds the
 * free segments of size [2^n, 2^(n+1)), and bit n of vm_freemap is set iff
 * that list is not empty.  A request for @size is served in O(1) by
 * *instant fit*: every segment on list fls(size - 1) and above is large
 * enough, so the first segment of the lowest non-empty such list (one
 * __ffs() of the masked bitmap) fits.  Only when no such list exists are
 * the lists that *may* hold a fit searched (those with 2^(n+1) - 1 >=
 * size), so an allocation never fails while a fitting free range exists.
 *
 * Best fit searches the lowest list that may hold a fit; the best of that
 * list is the best of the arena, because every later list holds larger
 * segments only.  It stops at an exact fit.  First fit, top-down and next
 * fit walk the segment list in address order (from the bottom, from the
 * top, from the rotor), because their answer is defined by addresses.
 * The rotor keeps the address where the last next-fit allocation ended,
 * so that freeing that allocation does not make it the next one.
 *
 * 3. Constrained allocation
 * -------------------------
 * vmem_xalloc() adds alignment and phase (addr = phase mod align), a
 * boundary not to cross (nocross) and an inclusive window [minaddr,
 * maxaddr].  Inside one free segment the lowest candidate is found in
 * O(1) with mask arithmetic (vmem_fit_low()).  The lists are searched
 * from the one whose members are all large enough to absorb the worst
 * alignment padding, size + align - quantum; so a request that many small
 * holes cannot satisfy does not look at them.  When the arena has nothing
 * that fits, it imports from its source, passing the constraints down
 * when the source is a vmem arena used through vmem_alloc().
 *
 * 4. Importing and releasing spans
 * --------------------------------
 * An arena with a source imports a span when it has no fit, rounded up to
 * the source's quantum, and gives the span back, through the release
 * function, as soon as all of it is free again.  Import and release run
 * without the arena's lock held, so an arena may import from an arena
 * that imports in turn.
 *
 * 5. Allocated segments
 * ---------------------
 * vmem_free() gets an address and a size.  The allocated segment is found
 * in a hash table keyed by its start (vmem/vmem_hash.c), which is resized
 * by a work item as the number of allocations changes.  Its neighbours on
 * the segment list are its neighbours in the address space, so coalescing
 * with both is O(1).  A free that does not match an allocated segment is
 * rejected, counted and reported; the arena is left as it was.
 *
 * 6. Boundary tag reserve
 * -----------------------
 * No memory is allocated under the arena lock.  Tags come from a per-arena
 * reserve that is filled to VMEM_TAGS_PER_OP, with GFP_KERNEL or
 * GFP_NOWAIT as the caller allows, before the lock is taken.  A free
 * returns tags to the reserve, up to VMEM_RESERVE_MAX.  So an allocation
 * and free in steady state allocate nothing, and a VMEM_NOSLEEP call that
 * cannot fill the reserve fails with -ENOMEM before it has changed
 * anything.  Each tag costs 56 bytes on 64-bit; an allocated segment costs
 * its tag plus about one hash bucket pointer, a free segment its tag.
 *
 * 7. Locking
 * ----------
 * One spinlock per arena, vm_lock, taken with interrupts disabled, covers
 * all of the arena's state; so VMEM_NOSLEEP calls work in any context.
 * vm_lock is never held while calling out (import, release, walk
 * callbacks), while allocating memory, or while taking another arena's
 * lock: there is no lock order between arenas.  vmem_list_lock, a mutex,
 * covers the registry of arenas used by debugfs and nests outside
 * vm_lock.  A VMEM_SLEEP allocation that finds no room sleeps on vm_wq
 * until vm_free_seq moves; every free and every added span moves it and
 * wakes the sleepers.
 *
 * 8. Invariants
 * -------------
 * vmem_check() verifies them all: spans are disjoint and sorted; segments
 * tile their span in order; no two free segments are adjacent; a free
 * segment of size s is on vm_freelist[ilog2(s)] and the bitmap matches the
 * lists; the hash holds exactly the allocated segments; no imported span is
 * wholly free; the counters match the segments.
 */

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include "vmem_impl.h"

/* Every live arena, for debugfs; the mutex nests outside any vm_lock. */
DEFINE_MUTEX(vmem_list_lock);
LIST_HEAD(vmem_list);

static void vmem_destroy_internal(struct vmem *vm);

/**
 * struct vmem_req - An allocation request, validated and normalised.
 * @size: bytes, a non-zero multiple of the quantum
 * @align: a power of two, at least the quantum
 * @phase: wanted addr mod @align, a multiple of the quantum
 * @nocross: 0, or a power of two the range may not cross a multiple of
 * @minaddr: lowest allowed first integer, quantum-aligned
 * @maxaddr: highest allowed last integer, one less than a quantum multiple
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP, and at most one policy
 * @wait: sleep for room when the arena is exhausted (VMEM_SLEEP)
 */
struct vmem_req {
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
	unsigned int	vmflags;
	bool		wait;
};

/* A request aligned to the quantum alone, in the window [minaddr, maxaddr]. */
static void vmem_req_init(const struct vmem *vm, struct vmem_req *r,
			  unsigned long size, unsigned long minaddr,
			  unsigned long maxaddr, unsigned int vmflags)
{
	r->size = size;
	r->align = vm->vm_quantum;
	r->phase = 0;
	r->nocross = 0;
	r->minaddr = minaddr;
	r->maxaddr = maxaddr;
	r->vmflags = vmflags;
	r->wait = vmflags & VMEM_SLEEP;
}

static bool vmem_req_is_plain(const struct vmem *vm, const struct vmem_req *r)
{
	return r->align == vm->vm_quantum && !r->nocross &&
	       !r->minaddr && r->maxaddr == ULONG_MAX;
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

/* Round *@sizep up to the quantum; false if it is 0 or would overflow. */
static bool vmem_size_round(const struct vmem *vm, unsigned long *sizep)
{
	unsigned long size = *sizep;
	unsigned long mask = vm->vm_quantum - 1;

	if (!size || size > ULONG_MAX - mask)
		return false;
	*sizep = (size + mask) & ~mask;
	return true;
}

static gfp_t vmem_gfp(unsigned int vmflags)
{
	return (vmflags & VMEM_SLEEP) ? GFP_KERNEL : GFP_NOWAIT | __GFP_NOWARN;
}

/*
 * Report a misuse of @vm: the first one of each arena as a WARN with a
 * backtrace, the rest with pr_info, and all of them with pr_info for an
 * arena made with VMC_QUIET_BADFREE (tests).  Any context.
 */
static __printf(2, 3) void vmem_report(struct vmem *vm, const char *fmt, ...)
{
	char msg[128];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if ((vm->vm_flags & VMC_QUIET_BADFREE) ||
	    cmpxchg(&vm->vm_warned, 0, 1) != 0)
		pr_info_ratelimited("vmem %s: %s", vm->vm_name, msg);
	else
		WARN(1, "vmem %s: %s", vm->vm_name, msg);
}

/* ---- boundary tag reserve ---- */

static void vmem_tag_put(struct vmem *vm, struct vmem_seg *vs);

/* Tags allocated before taking vm_lock, or to be freed after dropping it. */
struct vmem_tagbuf {
	struct vmem_seg	*list;
	unsigned int	n;
};

static void vmem_tagbuf_free(struct vmem_tagbuf *tb)
{
	while (tb->list) {
		struct vmem_seg *vs = tb->list;

		tb->list = vs->vs_hnext;
		kmem_cache_free(vmem_seg_cache, vs);
	}
	tb->n = 0;
}

/*
 * Take vm_lock with at least @need tags in the reserve.  The reserve is
 * read without the lock to decide how much to allocate; a racing CPU may
 * empty it meanwhile, in which case we drop the lock and top up again.
 * On failure (-ENOMEM) the lock is not held and the arena is untouched.
 */
static int vmem_lock_reserved(struct vmem *vm, unsigned int vmflags,
			      unsigned int need, unsigned long *flags)
	__acquires(&vm->vm_lock)
{
	struct vmem_tagbuf tb = { };

	for (;;) {
		while (READ_ONCE(vm->vm_nreserve) + tb.n < need) {
			struct vmem_seg *vs;

			vs = kmem_cache_alloc(vmem_seg_cache, vmem_gfp(vmflags));
			if (!vs) {
				vmem_tagbuf_free(&tb);
				return -ENOMEM;
			}
			vs->vs_hnext = tb.list;
			tb.list = vs;
			tb.n++;
		}
		spin_lock_irqsave(&vm->vm_lock, *flags);
		while (tb.list) {
			struct vmem_seg *vs = tb.list;

			tb.list = vs->vs_hnext;
			vmem_tag_put(vm, vs);
		}
		tb.n = 0;
		if (likely(vm->vm_nreserve >= need))
			return 0;
		spin_unlock_irqrestore(&vm->vm_lock, *flags);
	}
}

/*
 * Drop vm_lock, handing the tags the reserve holds beyond
 * VMEM_RESERVE_MAX back to the slab cache once the lock is dropped.
 */
static void vmem_unlock(struct vmem *vm, unsigned long flags)
	__releases(&vm->vm_lock)
{
	struct vmem_tagbuf excess = { };

	while (unlikely(vm->vm_nreserve > VMEM_RESERVE_MAX)) {
		struct vmem_seg *vs = vm->vm_reserve;

		vm->vm_reserve = vs->vs_hnext;
		WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve - 1);
		vs->vs_hnext = excess.list;
		excess.list = vs;
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	vmem_tagbuf_free(&excess);
}

/* Take a tag from the reserve; vmem_lock_reserved() guaranteed enough. */
static struct vmem_seg *vmem_tag_get(struct vmem *vm)
{
	struct vmem_seg *vs = vm->vm_reserve;

	lockdep_assert_held(&vm->vm_lock);
	vm->vm_reserve = vs->vs_hnext;
	WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve - 1);
	return vs;
}

static void vmem_tag_put(struct vmem *vm, struct vmem_seg *vs)
{
	lockdep_assert_held(&vm->vm_lock);
	vs->vs_hnext = vm->vm_reserve;
	vm->vm_reserve = vs;
	WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve + 1);
}

/* ---- freelists ---- */

static void vmem_freelist_insert(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = __fls(vs->vs_size);

	list_add(&vs->vs_freelist, &vm->vm_freelist[n]);
	vm->vm_freemap |= 1UL << n;
}

static void vmem_freelist_remove(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = __fls(vs->vs_size);

	list_del(&vs->vs_freelist);
	if (list_empty(&vm->vm_freelist[n]))
		vm->vm_freemap &= ~(1UL << n);
}

/* Change the extent of a free segment, moving it to its new list. */
static void vmem_freelist_resize(struct vmem *vm, struct vmem_seg *vs,
				 unsigned long start, unsigned long size)
{
	vs->vs_start = start;
	if (__fls(vs->vs_size) == __fls(size)) {
		vs->vs_size = size;
		return;
	}
	vmem_freelist_remove(vm, vs);
	vs->vs_size = size;
	vmem_freelist_insert(vm, vs);
}

/* ---- segment list ---- */

static struct vmem_seg *vmem_seg_prev(struct vmem_seg *vs)
{
	do {
		vs = list_prev_entry(vs, vs_seglist);
	} while (vmem_seg_is_marker(vs));
	return vs;
}

static struct vmem_seg *vmem_seg_next(struct vmem_seg *vs)
{
	do {
		vs = list_next_entry(vs, vs_seglist);
	} while (vmem_seg_is_marker(vs));
	return vs;
}

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
static bool vmem_fit_low(const struct vmem_req *r, unsigned long lo,
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

static bool vmem_seg_fits(const struct vmem_req *r, const struct vmem_seg *vs,
			  bool top, unsigned long *addrp)
{
	unsigned long lo, hi;

	if (vs->vs_size < r->size)
		return false;
	vmem_seg_window(r, vs, &lo, &hi);
	return top ? vmem_fit_high(r, lo, hi, addrp) :
		     vmem_fit_low(r, lo, hi, addrp);
}

/* ---- searching ---- */

/* The first fit on the freelists of @map, lowest list first. */
static struct vmem_seg *vmem_search_lists(struct vmem *vm,
					  const struct vmem_req *r,
					  unsigned long map, unsigned long *addrp)
{
	struct vmem_seg *vs;

	for (; map; map &= map - 1) {
		list_for_each_entry(vs, &vm->vm_freelist[__ffs(map)],
				    vs_freelist)
			if (vmem_seg_fits(r, vs, false, addrp))
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
	unsigned int lowest = __fls(r->size);
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
 * Best fit: the smallest segment that fits.  Every segment on a list is
 * smaller than every segment on the next list, so the first list with a
 * fit holds the best one.
 */
static struct vmem_seg *vmem_search_best(struct vmem *vm,
					 const struct vmem_req *r,
					 unsigned long *addrp)
{
	unsigned long map = vm->vm_freemap & (~0UL << __fls(r->size));
	struct vmem_seg *vs, *best = NULL;
	unsigned long addr;

	for (; map; map &= map - 1) {
		list_for_each_entry(vs, &vm->vm_freelist[__ffs(map)],
				    vs_freelist) {
			if (best && vs->vs_size >= best->vs_size)
				continue;
			if (!vmem_seg_fits(r, vs, false, &addr))
				continue;
			best = vs;
			*addrp = addr;
			if (vs->vs_size == r->size)
				return best;
		}
		if (best)
			return best;
	}
	return NULL;
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
		    vmem_seg_fits(r, vs, false, addrp))
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
		    vmem_seg_fits(r, vs, true, addrp))
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
		list_add(&rotor->vs_seglist, &vm->vm_seg0.vs_seglist);
		vm->vm_rotor_used = true;
		vm->vm_rotor_addr = 0;
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
		    vmem_seg_fits(&above, vs, false, addrp))
			return vs;
	}
	return vmem_search_first(vm, r, addrp);
}

static struct vmem_seg *vmem_search(struct vmem *vm, const struct vmem_req *r,
				    unsigned long *addrp)
{
	switch (r->vmflags & VMEM_POLICY_MASK) {
	case VMEM_BESTFIT:
		return vmem_search_best(vm, r, addrp);
	case VMEM_FIRSTFIT:
		return vmem_search_first(vm, r, addrp);
	case VMEM_NEXTFIT:
		return vmem_search_next(vm, r, addrp);
	case VMEM_TOPDOWN:
		return vmem_search_top(vm, r, addrp);
	default:
		return vmem_search_instant(vm, r, addrp);
	}
}

/* ---- carving and coalescing ---- */

/*
 * Allocate [addr, addr + size) out of the free segment @vs, which holds
 * it.  The free remainder keeps @vs where there is one, so the common
 * cases take one tag; a cut from the middle takes two.
 */
static struct vmem_seg *vmem_seg_carve(struct vmem *vm, struct vmem_seg *vs,
				       unsigned long addr, unsigned long size)
{
	unsigned long last = addr + (size - 1);
	unsigned long vs_last = vmem_seg_last(vs);
	struct vmem_seg *as;

	lockdep_assert_held(&vm->vm_lock);
	if (addr == vs->vs_start && last == vs_last) {
		vmem_freelist_remove(vm, vs);
		as = vs;
	} else {
		as = vmem_tag_get(vm);
		as->vs_start = addr;
		as->vs_size = size;
		vm->vm_nsegs++;
		if (addr == vs->vs_start) {
			list_add_tail(&as->vs_seglist, &vs->vs_seglist);
			vmem_freelist_resize(vm, vs, last + 1, vs_last - last);
		} else if (last == vs_last) {
			list_add(&as->vs_seglist, &vs->vs_seglist);
			vmem_freelist_resize(vm, vs, vs->vs_start,
					     addr - vs->vs_start);
		} else {
			struct vmem_seg *left = vmem_tag_get(vm);

			left->vs_start = vs->vs_start;
			left->vs_size = addr - vs->vs_start;
			left->vs_type = VMEM_SEG_FREE;
			list_add_tail(&left->vs_seglist, &vs->vs_seglist);
			list_add_tail(&as->vs_seglist, &vs->vs_seglist);
			vmem_freelist_insert(vm, left);
			vmem_freelist_resize(vm, vs, last + 1, vs_last - last);
			vm->vm_nsegs++;
		}
	}
	as->vs_type = VMEM_SEG_ALLOC;
	vmem_hash_insert(vm, as);
	vm->vm_inuse += size;
	vm->vm_kstat.nalloc++;
	return as;
}

/* Insert a span and its one free segment; takes two tags. */
static struct vmem_seg *vmem_span_insert(struct vmem *vm, unsigned long addr,
					 unsigned long size, bool imported)
{
	struct vmem_seg *span = vmem_tag_get(vm);
	struct vmem_seg *vs = vmem_tag_get(vm);
	struct vmem_seg *next;

	lockdep_assert_held(&vm->vm_lock);
	span->vs_start = addr;
	span->vs_size = size;
	span->vs_type = VMEM_SEG_SPAN;
	span->vs_imported = imported;
	vs->vs_start = addr;
	vs->vs_size = size;
	vs->vs_type = VMEM_SEG_FREE;

	/* vm_spans is sorted; the new span goes before the first above it */
	list_for_each_entry(next, &vm->vm_spans, vs_spanlist)
		if (next->vs_start > addr)
			break;
	if (list_entry_is_head(next, &vm->vm_spans, vs_spanlist)) {
		list_add_tail(&span->vs_spanlist, &vm->vm_spans);
		list_add_tail(&span->vs_seglist, &vm->vm_seg0.vs_seglist);
	} else {
		list_add_tail(&span->vs_spanlist, &next->vs_spanlist);
		list_add_tail(&span->vs_seglist, &next->vs_seglist);
	}
	list_add(&vs->vs_seglist, &span->vs_seglist);
	vmem_freelist_insert(vm, vs);

	vm->vm_nsegs += 2;
	vm->vm_nspans++;
	vm->vm_total += size;
	if (imported)
		vm->vm_imported += size;
	return vs;
}

/* Does [addr, addr + size) overlap a span of the arena? */
static bool vmem_span_overlaps(struct vmem *vm, unsigned long addr,
			       unsigned long size)
{
	unsigned long last = addr + (size - 1);
	struct vmem_seg *span;

	list_for_each_entry(span, &vm->vm_spans, vs_spanlist)
		if (span->vs_start <= last && addr <= vmem_seg_last(span))
			return true;
	return false;
}

/* A span to give back to the source once vm_lock is dropped. */
struct vmem_release {
	unsigned long	addr;
	unsigned long	size;
};

/* Sleepers wait for vm_free_seq to move; see vmem_wait_for_room(). */
static bool vmem_note_room(struct vmem *vm)
{
	WRITE_ONCE(vm->vm_free_seq, vm->vm_free_seq + 1);
	return vm->vm_nwaiters != 0;
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
	list_del(&span->vs_spanlist);
	rel->addr = span->vs_start;
	rel->size = span->vs_size;
	vm->vm_nsegs -= 2;
	vm->vm_nspans--;
	vm->vm_total -= rel->size;
	vm->vm_imported -= rel->size;
	vm->vm_kstat.nrelease++;
	vmem_tag_put(vm, vs);
	vmem_tag_put(vm, span);
	return true;
}

/*
 * Free the allocated segment @vs, already unhashed: coalesce it with its
 * free neighbours, and take its span out if it is an imported span that
 * is now wholly free (@rel says what to release then).
 */
static void vmem_seg_free(struct vmem *vm, struct vmem_seg *vs,
			  struct vmem_release *rel)
{
	struct vmem_seg *prev = vmem_seg_prev(vs);
	struct vmem_seg *next = vmem_seg_next(vs);

	lockdep_assert_held(&vm->vm_lock);
	vm->vm_inuse -= vs->vs_size;
	vm->vm_kstat.nfree++;

	/*
	 * The surviving free segment is an existing free neighbour where there
	 * is one, resized in place: usually it stays on its freelist.
	 */
	if (prev->vs_type == VMEM_SEG_FREE) {
		unsigned long size = prev->vs_size + vs->vs_size;

		if (next->vs_type == VMEM_SEG_FREE) {
			vmem_freelist_remove(vm, next);
			size += next->vs_size;
			list_del(&next->vs_seglist);
			vmem_tag_put(vm, next);
			vm->vm_nsegs--;
		}
		list_del(&vs->vs_seglist);
		vmem_tag_put(vm, vs);
		vm->vm_nsegs--;
		vmem_freelist_resize(vm, prev, prev->vs_start, size);
		vs = prev;
	} else if (next->vs_type == VMEM_SEG_FREE) {
		list_del(&vs->vs_seglist);
		vmem_tag_put(vm, vs);
		vm->vm_nsegs--;
		vmem_freelist_resize(vm, next, vs->vs_start,
				     vs->vs_size + next->vs_size);
		vs = next;
	} else {
		vs->vs_type = VMEM_SEG_FREE;
		vmem_freelist_insert(vm, vs);
	}

	vmem_span_release(vm, vmem_seg_prev(vs), vs, rel);
}

/* ---- importing ---- */

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
static int vmem_import(struct vmem *vm, const struct vmem_req *r,
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

/* ---- allocation ---- */

/*
 * Sleep until a free or an added span has moved vm_free_seq past @seq,
 * which was read under vm_lock when the search failed; so a free between
 * that search and this sleep is not missed.
 */
static int vmem_wait_for_room(struct vmem *vm, unsigned long seq)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vm->vm_lock, flags);
	if (vm->vm_free_seq != seq) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return 0;
	}
	vm->vm_nwaiters++;
	vm->vm_kstat.nwait++;
	spin_unlock_irqrestore(&vm->vm_lock, flags);

	ret = wait_event_killable(vm->vm_wq,
				  READ_ONCE(vm->vm_free_seq) != seq);

	spin_lock_irqsave(&vm->vm_lock, flags);
	vm->vm_nwaiters--;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return ret ? -EINTR : 0;
}

static void vmem_count_fail(struct vmem *vm)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	vm->vm_kstat.nfail++;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/*
 * The segment path of every allocation but the instant fit that
 * vmem_alloc_instant() serves: search, import, wait.  Returns -ENOSPC
 * when there is no room, which callers report as -ENOMEM, or as -EBUSY
 * for vmem_alloc_exact().
 */
static int vmem_alloc_req(struct vmem *vm, const struct vmem_req *r,
			  unsigned long *addrp)
{
	bool can_import = vm->vm_import || vm->vm_ximport;
	struct vmem_release rel = { };
	unsigned long flags, addr, seq;
	struct vmem_seg *vs, *fresh;
	int err;

	might_sleep_if(r->vmflags & VMEM_SLEEP);
	for (;;) {
		err = vmem_lock_reserved(vm, r->vmflags, VMEM_TAGS_PER_OP,
					 &flags);
		if (err)
			break;
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
				if (vmem_seg_fits(r, fresh,
						  r->vmflags & VMEM_TOPDOWN,
						  &addr)) {
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
			} else if (err == -ENOMEM) {
				err = -ENOSPC;
			} else {
				break;
			}
		}
		if (!r->wait)
			break;
		err = vmem_wait_for_room(vm, seq);
		if (err)
			break;
		can_import = vm->vm_import || vm->vm_ximport;
	}
	vmem_count_fail(vm);
	return err;

found:
	vs = vmem_seg_carve(vm, vs, addr, r->size);
	if (unlikely(r->vmflags & VMEM_NEXTFIT)) {
		list_move(&vm->vm_rotor.vs_seglist, &vs->vs_seglist);
		vm->vm_rotor_addr = addr + r->size;	/* 0 past the top */
	}
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
 * tags and a list of guaranteed fits is not empty.  One bitmap lookup, one
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
	if (unlikely(!map || vm->vm_nreserve < VMEM_TAGS_PER_OP)) {
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return false;
	}
	vs = list_first_entry(&vm->vm_freelist[__ffs(map)], struct vmem_seg,
			      vs_freelist);
	*addrp = vs->vs_start;
	vmem_seg_carve(vm, vs, vs->vs_start, size);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return true;
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
 * The range is aligned to the arena's quantum.  When the arena has no room
 * it imports from its source, if it has one; when that fails too, a
 * VMEM_SLEEP call waits for a free, a VMEM_NOSLEEP call fails.  Free the
 * range with vmem_free() and the same size.
 *
 * Context: Any context with VMEM_NOSLEEP; process context with
 * VMEM_SLEEP, and then it may sleep.  Takes and releases the arena lock
 * (irq-safe); calls the import function without it.
 * Return: 0 and *@addrp set; -EINVAL for a size of 0 or too large or
 * bad flags; -ENOMEM when there is no room (VMEM_NOSLEEP) or no memory
 * for boundary tags; -EINTR when a fatal signal ended the wait.
 */
int vmem_alloc(struct vmem *vm, unsigned long size, unsigned int vmflags,
	       unsigned long *addrp)
{
	struct vmem_req r;
	int err;

	if (unlikely(!vmem_vmflags_valid(vmflags) ||
		     !vmem_size_round(vm, &size)))
		return -EINVAL;
	if (likely(!(vmflags & (VMEM_POLICY_MASK & ~VMEM_INSTANTFIT))) &&
	    likely(vmem_alloc_instant(vm, size, addrp)))
		return 0;
	vmem_req_init(vm, &r, size, 0, ULONG_MAX, vmflags);
	err = vmem_alloc_req(vm, &r, addrp);
	return unlikely(err == -ENOSPC) ? -ENOMEM : err;
}
EXPORT_SYMBOL_GPL(vmem_alloc);

/*
 * Fill @r from vmem_xalloc()'s arguments; -EINVAL for an impossible
 * combination.  @maxaddr is inclusive, 0 meaning no limit.
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
	if (!maxaddr)
		maxaddr = ULONG_MAX;
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
 * @minaddr: lowest allowed start
 * @maxaddr: highest allowed last integer (inclusive); 0 for no limit
 * @vmflags: as for vmem_alloc()
 * @addrp: where the start of the range is stored on success
 *
 * Every constraint holds together.  An arena that cannot satisfy them
 * imports from its source: with the same constraints when the import
 * function is vmem_alloc() on a vmem source, else a span padded for the
 * alignment.  Free the range with vmem_xfree().
 *
 * Context: As vmem_alloc().
 * Return: 0 and *@addrp set; -EINVAL for an impossible combination of
 * constraints (@phase not below @align, @size not fitting between two
 * @nocross boundaries, a window smaller than @size, ...); -ENOMEM and
 * -EINTR as vmem_alloc().
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
	return err == -ENOSPC ? -ENOMEM : err;
}
EXPORT_SYMBOL_GPL(vmem_xalloc);

/*
 * Allocate exactly [addr, addr + size), without waiting for it; for
 * vmem_id_alloc_specific().  Returns -EBUSY when the range is in the arena
 * but not free, -EINVAL when it is not in the arena.
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
	if (err == -ENOSPC)
		return vmem_contains(vm, addr, size) ? -EBUSY : -EINVAL;
	return err;
}

/* ---- freeing ---- */

static void vmem_bad_free(struct vmem *vm, unsigned long addr,
			  unsigned long size, const struct vmem_seg *vs)
{
	lockdep_assert_held(&vm->vm_lock);
	vm->vm_kstat.nbadfree++;
	if (vs)
		vmem_report(vm, "bad free [%#lx, +%#lx): wrong size, allocated with size %#lx\n",
			    addr, size, vs->vs_size);
	else
		vmem_report(vm, "bad free [%#lx, +%#lx): not allocated\n",
			    addr, size);
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
 * allocated, freed twice, another size, another arena) is rejected with a
 * warning naming the arena and the range, counted, and the arena is left
 * as it was.
 *
 * Context: Any context.  Takes and releases the arena lock (irq-safe);
 * calls the release function without it.
 */
void vmem_xfree(struct vmem *vm, unsigned long addr, unsigned long size)
{
	struct vmem_release rel = { };
	struct vmem_seg **pp, *vs;
	unsigned long flags, rsize = size;
	bool wake;

	spin_lock_irqsave(&vm->vm_lock, flags);
	pp = vmem_hash_find(vm, addr);
	vs = pp ? *pp : NULL;
	if (unlikely(!vs || !vmem_size_round(vm, &rsize) ||
		     vs->vs_size != rsize)) {
		vmem_bad_free(vm, addr, size, vs);
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return;
	}
	vmem_hash_unlink(vm, pp);
	vmem_seg_free(vm, vs, &rel);
	wake = vmem_note_room(vm);
	vmem_unlock(vm, flags);

	if (unlikely(wake))
		wake_up_all(&vm->vm_wq);
	if (rel.size)
		vm->vm_release(vm->vm_source, rel.addr, rel.size);
}
EXPORT_SYMBOL_GPL(vmem_xfree);

/**
 * vmem_free() - Free a range allocated by vmem_alloc().
 * @vm: the arena
 * @addr: start of the range
 * @size: its size, as given to vmem_alloc()
 *
 * As vmem_xfree(); the two are kept apart because a vmem_alloc()'ed range
 * of a small size may come from a quantum cache.
 *
 * Context: Any context.  Takes and releases the arena lock (irq-safe).
 */
void vmem_free(struct vmem *vm, unsigned long addr, unsigned long size)
{
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
 * Context: As vmem_alloc().
 * Return: 0; -EINVAL for a bad or overlapping span or bad flags; -ENOMEM
 * when no boundary tags could be allocated.
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
	err = vmem_lock_reserved(vm, vmflags, VMEM_TAGS_PER_OP, &flags);
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

/**
 * vmem_contains() - Does an arena hold a range?
 * @vm: the arena
 * @addr: start of the range
 * @size: its size; an empty range is in no arena
 *
 * Context: Any context.  Takes and releases the arena lock.  O(spans).
 * Return: true iff [@addr, @addr + @size) lies inside one span.
 */
bool vmem_contains(struct vmem *vm, unsigned long addr, unsigned long size)
{
	struct vmem_seg *span;
	unsigned long flags;
	bool found = false;

	if (!size || addr + (size - 1) < addr)
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	list_for_each_entry(span, &vm->vm_spans, vs_spanlist) {
		if (addr >= span->vs_start &&
		    addr + (size - 1) <= vmem_seg_last(span)) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return found;
}
EXPORT_SYMBOL_GPL(vmem_contains);

/**
 * vmem_walk() - Call a function for segments or spans of an arena.
 * @vm: the arena
 * @typemask: VMEM_ALLOC, VMEM_FREE, VMEM_SPAN or a combination
 * @func: called as func(arg, start, size), in address order
 * @arg: its first argument
 *
 * @func runs without the arena lock held and may allocate from and free
 * to the arena; a segment created or changed behind the walk's position
 * may or may not be visited.  A place holder on the segment list keeps the
 * position across the unlocked calls.
 *
 * Context: The context @func needs; the walk itself only takes the arena
 * lock.  O(segments) under the lock between calls.
 */
void vmem_walk(struct vmem *vm, unsigned int typemask, vmem_walk_fn func,
	       void *arg)
{
	struct vmem_seg walker = { .vs_type = VMEM_SEG_WALKER };
	struct vmem_seg *vs;
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	list_add(&walker.vs_seglist, &vm->vm_seg0.vs_seglist);
	for (;;) {
		unsigned long start, size;
		bool match;

		vs = list_next_entry(&walker, vs_seglist);
		if (vs == &vm->vm_seg0)
			break;
		list_move(&walker.vs_seglist, &vs->vs_seglist);
		switch (vs->vs_type) {
		case VMEM_SEG_FREE:
			match = typemask & VMEM_FREE;
			break;
		case VMEM_SEG_ALLOC:
			match = typemask & VMEM_ALLOC;
			break;
		case VMEM_SEG_SPAN:
			match = typemask & VMEM_SPAN;
			break;
		default:
			match = false;
		}
		if (!match)
			continue;
		start = vs->vs_start;
		size = vs->vs_size;
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		func(arg, start, size);
		spin_lock_irqsave(&vm->vm_lock, flags);
	}
	list_del(&walker.vs_seglist);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}
EXPORT_SYMBOL_GPL(vmem_walk);

/**
 * vmem_arena_size() - How much of an arena is allocated, free, or there.
 * @vm: the arena
 * @typemask: VMEM_ALLOC, VMEM_FREE, VMEM_SPAN, or a combination: the sum
 *
 * Named so as not to clash with vmem_size(), which OpenZFS's spl.ko
 * exports.
 *
 * Context: Any context.  Takes and releases the arena lock.
 * Return: bytes (or IDs) allocated, free, in spans, or their sum.
 */
unsigned long vmem_arena_size(struct vmem *vm, unsigned int typemask)
{
	unsigned long flags, size = 0;

	spin_lock_irqsave(&vm->vm_lock, flags);
	if (typemask & VMEM_ALLOC)
		size += vm->vm_inuse;
	if (typemask & VMEM_FREE)
		size += vm->vm_total - vm->vm_inuse;
	if (typemask & VMEM_SPAN)
		size += vm->vm_total;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return size;
}
EXPORT_SYMBOL_GPL(vmem_arena_size);

/**
 * vmem_quantum() - An arena's quantum.
 * @vm: the arena
 *
 * Context: Any context.
 * Return: the quantum given to vmem_create().
 */
unsigned long vmem_quantum(struct vmem *vm)
{
	return vm->vm_quantum;
}
EXPORT_SYMBOL_GPL(vmem_quantum);

/**
 * vmem_name() - An arena's name.
 * @vm: the arena
 *
 * Context: Any context.
 * Return: the name given to vmem_create(), truncated to 31 characters.
 */
const char *vmem_name(struct vmem *vm)
{
	return vm->vm_name;
}
EXPORT_SYMBOL_GPL(vmem_name);

/**
 * vmem_get_stats() - A consistent snapshot of an arena's counters.
 * @vm: the arena
 * @st: filled in
 *
 * Context: Any context.  Takes and releases the arena lock.
 */
void vmem_get_stats(struct vmem *vm, struct vmem_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	st->mem_inuse = vm->vm_inuse;
	st->mem_free = vm->vm_total - vm->vm_inuse;
	st->mem_total = vm->vm_total;
	st->mem_import = vm->vm_imported;
	st->nalloc = vm->vm_kstat.nalloc;
	st->nfree = vm->vm_kstat.nfree;
	st->nfail = vm->vm_kstat.nfail;
	st->nwait = vm->vm_kstat.nwait;
	st->nimport = vm->vm_kstat.nimport;
	st->nrelease = vm->vm_kstat.nrelease;
	st->nbadfree = vm->vm_kstat.nbadfree;
	st->nsegs = vm->vm_nsegs;
	st->nspans = vm->vm_nspans;
	st->hash_buckets = 1UL << vm->vm_hash_shift;
	st->hash_rescales = vm->vm_kstat.hash_rescales;
	st->tags_reserved = vm->vm_nreserve;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}
EXPORT_SYMBOL_GPL(vmem_get_stats);

/* ---- creating and destroying arenas ---- */

static struct vmem *vmem_create_common(const char *name, unsigned long base,
				       unsigned long size,
				       unsigned long quantum,
				       vmem_import_fn import,
				       vmem_ximport_fn ximport,
				       vmem_release_fn release,
				       struct vmem *source,
				       unsigned long qcache_max,
				       unsigned int flags)
{
	bool imports = import || ximport;
	struct vmem *vm;
	unsigned int i;
	int err;

	might_sleep();
	if (!name || !quantum || !is_power_of_2(quantum) ||
	    (flags & ~VMC_ALL_FLAGS) || ((base | size) & (quantum - 1)) ||
	    (size && base + (size - 1) < base) ||
	    (qcache_max & (quantum - 1)) || imports != !!release ||
	    (import == vmem_alloc && !source))
		return ERR_PTR(-EINVAL);

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&vm->vm_lock);
	strscpy(vm->vm_name, name, sizeof(vm->vm_name));
	vm->vm_quantum = quantum;
	vm->vm_qshift = ilog2(quantum);
	vm->vm_flags = flags;
	for (i = 0; i < VMEM_NFREELISTS; i++)
		INIT_LIST_HEAD(&vm->vm_freelist[i]);
	INIT_LIST_HEAD(&vm->vm_seg0.vs_seglist);
	vm->vm_seg0.vs_type = VMEM_SEG_HEAD;
	vm->vm_rotor.vs_type = VMEM_SEG_ROTOR;
	INIT_LIST_HEAD(&vm->vm_spans);
	vmem_hash_init(vm);
	init_waitqueue_head(&vm->vm_wq);
	vm->vm_source = source;
	vm->vm_import = import;
	vm->vm_ximport = ximport;
	vm->vm_release = release;
	vm->vm_qcache_max = (flags & VMC_NO_QCACHE) ? 0 : qcache_max;

	if (size) {
		err = vmem_add(vm, base, size, VMEM_SLEEP);
		if (err) {
			vmem_destroy_internal(vm);
			return ERR_PTR(err);
		}
	}

	mutex_lock(&vmem_list_lock);
	list_add_tail(&vm->vm_list, &vmem_list);
	mutex_unlock(&vmem_list_lock);
	vmem_debugfs_add(vm);
	return vm;
}

/**
 * vmem_create() - Create an arena.
 * @name: for messages and debugfs; copied, truncated to 31 characters
 * @base: start of the initial span
 * @size: size of the initial span, or 0 for none (an arena that imports,
 *	or that vmem_add() will fill)
 * @quantum: the arena's unit: a power of two; every start and size is a
 *	multiple of it
 * @import: gets a span from @source when the arena runs out, or NULL;
 *	vmem_alloc itself to import from a vmem arena
 * @release: gives an imported span back; vmem_free with vmem_alloc; NULL
 *	exactly when @import is
 * @source: the arena to import from, passed to @import and @release
 * @qcache_max: sizes up to this many bytes, a multiple of the quantum,
 *	will be served from per-CPU quantum caches (not implemented yet: the
 *	value is checked and recorded)
 * @flags: VMC_IDENTIFIER, VMC_NO_QCACHE
 *
 * Context: Process context; may sleep.
 * Return: the arena, or ERR_PTR(-EINVAL) for bad arguments (a quantum
 * that is not a power of two, an unaligned or wrapping span, an import
 * function without a release function, ...) or ERR_PTR(-ENOMEM).
 */
struct vmem *vmem_create(const char *name, unsigned long base,
			 unsigned long size, unsigned long quantum,
			 vmem_import_fn import, vmem_release_fn release,
			 struct vmem *source, unsigned long qcache_max,
			 unsigned int flags)
{
	return vmem_create_common(name, base, size, quantum, import, NULL,
				  release, source, qcache_max, flags);
}
EXPORT_SYMBOL_GPL(vmem_create);

/**
 * vmem_xcreate() - Create an arena whose import may give more than asked.
 * @name: as vmem_create()
 * @base: as vmem_create()
 * @size: as vmem_create()
 * @quantum: as vmem_create()
 * @import: gets at least the bytes asked for, and says how many it got
 * @release: gives an imported span back, with the size @import returned
 * @source: as vmem_create()
 * @qcache_max: as vmem_create()
 * @flags: as vmem_create()
 *
 * Context: Process context; may sleep.
 * Return: as vmem_create().
 */
struct vmem *vmem_xcreate(const char *name, unsigned long base,
			  unsigned long size, unsigned long quantum,
			  vmem_ximport_fn import, vmem_release_fn release,
			  struct vmem *source, unsigned long qcache_max,
			  unsigned int flags)
{
	return vmem_create_common(name, base, size, quantum, NULL, import,
				  release, source, qcache_max, flags);
}
EXPORT_SYMBOL_GPL(vmem_xcreate);

/* Report what is still allocated when an arena is destroyed. */
static void vmem_report_leaks(struct vmem *vm)
{
	const char *unit = vm->vm_flags & VMC_IDENTIFIER ? "IDs" : "bytes";
	unsigned int shown = 0;
	struct vmem_seg *vs;

	pr_err("vmem_destroy(%s): leaked %lu %s in %lu segments\n",
	       vm->vm_name, vm->vm_inuse, unit, vm->vm_nbusy);
	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		if (vs->vs_type != VMEM_SEG_ALLOC)
			continue;
		if (shown++ == 8) {
			pr_err("vmem_destroy(%s):   ...\n", vm->vm_name);
			break;
		}
		pr_err("vmem_destroy(%s):   [%#lx, +%#lx)\n", vm->vm_name,
		       vs->vs_start, vs->vs_size);
	}
}

/*
 * Free everything an arena holds and give its imported spans back.  No
 * other user may be left, so vm_lock is not needed; the rescale work is
 * cancelled first.
 */
static void vmem_destroy_internal(struct vmem *vm)
{
	struct vmem_seg *vs, *tmp;

	vmem_hash_fini(vm);
	if (vm->vm_inuse)
		vmem_report_leaks(vm);
	if (vm->vm_rotor_used)
		list_del(&vm->vm_rotor.vs_seglist);
	list_for_each_entry_safe(vs, tmp, &vm->vm_seg0.vs_seglist,
				 vs_seglist) {
		if (vs->vs_type == VMEM_SEG_SPAN && vs->vs_imported)
			vm->vm_release(vm->vm_source, vs->vs_start,
				       vs->vs_size);
		list_del(&vs->vs_seglist);
		kmem_cache_free(vmem_seg_cache, vs);
	}
	while (vm->vm_reserve) {
		vs = vm->vm_reserve;
		vm->vm_reserve = vs->vs_hnext;
		kmem_cache_free(vmem_seg_cache, vs);
	}
	kfree(vm);
}

/**
 * vmem_destroy() - Destroy an arena.
 * @vm: the arena, or NULL or an ERR_PTR (nothing is done)
 *
 * Ranges still allocated are reported (how much, and the first segments)
 * and freed with the arena; imported spans go back to the source.  No call
 * on the arena may be running or follow.
 *
 * Context: Process context; may sleep.
 */
void vmem_destroy(struct vmem *vm)
{
	if (IS_ERR_OR_NULL(vm))
		return;
	might_sleep();
	vmem_debugfs_remove(vm);
	mutex_lock(&vmem_list_lock);
	list_del(&vm->vm_list);
	mutex_unlock(&vmem_list_lock);
	vmem_destroy_internal(vm);
}
EXPORT_SYMBOL_GPL(vmem_destroy);
