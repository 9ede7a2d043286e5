// SPDX-License-Identifier: GPL-2.0-only
/*
 * The brute-force oracle of vmem's allocation semantics.  See
 * vmem_oracle.h.
 *
 * The oracle answers every question by looking at each integer of its
 * window in turn and testing the rule as the API states it, with % and /
 * on the numbers themselves: no masks, no rounding to a phase, no
 * reasoning about where the next candidate must be.  Its only cleverness
 * is the table of free runs, which says in O(1) whether a range starting
 * at an integer is free and inside one span; that table is a plain
 * count, recounted from the states where they changed.
 *
 * Addresses near ULONG_MAX: a window [base, base + W) never wraps, so
 * every integer of it is base + offset with offset < W, and a range is
 * compared through its last integer, start + size - 1, never through
 * start + size.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmem.h>

#include "vmem_oracle.h"

/* ---- the oracle ---- */

/* True iff @x is 1, 2, 4, ...: by counting, not by a bit trick. */
static bool or_is_power_of_two(unsigned long x)
{
	unsigned long p = 1;

	while (p < x && p <= ULONG_MAX / 2)
		p *= 2;
	return p == x;
}

/* The offset of @addr in the window, if it lies there. */
static bool or_offset(const struct vmem_oracle *o, unsigned long addr,
		      unsigned long *offp)
{
	if (addr < o->base || addr - o->base >= o->width)
		return false;
	*offp = addr - o->base;
	return true;
}

static unsigned int or_kind(const struct vmem_oracle *o, unsigned long off)
{
	return o->state[off] & VMEM_ORACLE_KIND;
}

/* Record that the states of [off, off + n) changed. */
static void or_touch(struct vmem_oracle *o, unsigned long off,
		     unsigned long n)
{
	if (!o->dirty) {
		o->dlo = off;
		o->dhi = off + n;
		o->dirty = true;
		return;
	}
	o->dlo = min(o->dlo, off);
	o->dhi = max(o->dhi, off + n);
}

/*
 * run[i]: the free integers from i on, up to the first integer that is
 * not free or starts another span.  run[i] depends on the states of i and
 * above only, so after a change to [dlo, dhi) the entries from dhi - 1
 * down are counted again, down to the first one below dlo that does not
 * reach into the change (an integer that is not free, or the start of a
 * span).
 */
static void or_rebuild(struct vmem_oracle *o)
{
	unsigned long i;

	if (!o->dirty)
		return;
	for (i = o->dhi; i-- > 0;) {
		if (or_kind(o, i) != VMEM_ORACLE_FREE) {
			o->run[i] = 0;
			if (i < o->dlo)
				break;
			continue;
		}
		if (i + 1 < o->width &&
		    or_kind(o, i + 1) == VMEM_ORACLE_FREE &&
		    !(o->state[i + 1] & VMEM_ORACLE_SPAN_START))
			o->run[i] = o->run[i + 1] + 1;
		else
			o->run[i] = 1;
		if (i < o->dlo && (o->state[i] & VMEM_ORACLE_SPAN_START))
			break;
	}
	o->dirty = false;
}

/**
 * vmem_oracle_init() - Set up an oracle over [@base, @base + @width).
 * @o: the oracle
 * @base: first integer of the window
 * @width: integers in the window, 1 to VMEM_ORACLE_MAX_WIDTH; the window
 *	must not wrap past ULONG_MAX
 *
 * Every integer starts in no span.  Allocates the tables (may sleep).
 *
 * Return: 0, -EINVAL for a bad window, -ENOMEM.
 */
int vmem_oracle_init(struct vmem_oracle *o, unsigned long base,
		     unsigned long width)
{
	memset(o, 0, sizeof(*o));
	if (!width || width > VMEM_ORACLE_MAX_WIDTH ||
	    width - 1 > ULONG_MAX - base)
		return -EINVAL;
	o->state = kvmalloc_array(width, sizeof(*o->state), GFP_KERNEL);
	o->run = kvmalloc_array(width, sizeof(*o->run), GFP_KERNEL);
	if (!o->state || !o->run) {
		vmem_oracle_destroy(o);
		return -ENOMEM;
	}
	o->width = width;
	vmem_oracle_reset(o, base);
	return 0;
}

/**
 * vmem_oracle_destroy() - Free an oracle's tables.
 * @o: the oracle, set up by vmem_oracle_init() (even if that failed)
 */
void vmem_oracle_destroy(struct vmem_oracle *o)
{
	kvfree(o->state);
	kvfree(o->run);
	memset(o, 0, sizeof(*o));
}

/**
 * vmem_oracle_reset() - Forget every span and move the window.
 * @o: the oracle
 * @base: the new first integer; base + width - 1 must not wrap (else the
 *	window is put at the top of the space, ending at ULONG_MAX)
 */
void vmem_oracle_reset(struct vmem_oracle *o, unsigned long base)
{
	if (o->width - 1 > ULONG_MAX - base)
		base = ULONG_MAX - (o->width - 1);
	o->base = base;
	memset(o->state, 0, o->width * sizeof(*o->state));
	o->dirty = false;
	or_touch(o, 0, o->width);
	o->inuse = 0;
	o->total = 0;
	o->nspans = 0;
}

/**
 * vmem_oracle_in_window() - Does a range lie in the oracle's window?
 * @o: the oracle
 * @start: first integer
 * @size: integers; 0 is in no window
 *
 * Return: true iff [@start, @start + @size) is inside [base, base + W).
 */
bool vmem_oracle_in_window(const struct vmem_oracle *o, unsigned long start,
			   unsigned long size)
{
	unsigned long off;

	return size && or_offset(o, start, &off) && size <= o->width - off;
}

/**
 * vmem_oracle_get() - What an integer is.
 * @o: the oracle
 * @addr: the integer
 *
 * Return: VMEM_ORACLE_OUT (in no span, or outside the window),
 * VMEM_ORACLE_FREE or VMEM_ORACLE_ALLOC.
 */
unsigned int vmem_oracle_get(const struct vmem_oracle *o, unsigned long addr)
{
	unsigned long off;

	if (!or_offset(o, addr, &off))
		return VMEM_ORACLE_OUT;
	return or_kind(o, off);
}

/**
 * vmem_oracle_add_span() - Add a span, all of it free.
 * @o: the oracle
 * @start: first integer
 * @size: integers
 * @imported: the span was imported from a source (it is given back when
 *	wholly free); only recorded
 *
 * Return: 0; -EINVAL if the range is not inside the window; -EEXIST if
 * it overlaps a span.
 */
int vmem_oracle_add_span(struct vmem_oracle *o, unsigned long start,
			 unsigned long size, bool imported)
{
	unsigned long off, i;

	if (!vmem_oracle_in_window(o, start, size))
		return -EINVAL;
	off = start - o->base;
	for (i = off; i < off + size; i++)
		if (or_kind(o, i) != VMEM_ORACLE_OUT)
			return -EEXIST;
	for (i = off; i < off + size; i++)
		o->state[i] = VMEM_ORACLE_FREE |
			      (imported ? VMEM_ORACLE_IMPORTED : 0);
	o->state[off] |= VMEM_ORACLE_SPAN_START;
	o->total += size;
	o->nspans++;
	or_touch(o, off, size);
	return 0;
}

/* The span holding the integer at @off: its first offset and size. */
static bool or_span_at(const struct vmem_oracle *o, unsigned long off,
		       unsigned long *firstp, unsigned long *sizep)
{
	unsigned long first = off, end = off + 1;

	if (or_kind(o, off) == VMEM_ORACLE_OUT)
		return false;
	while (!(o->state[first] & VMEM_ORACLE_SPAN_START))
		first--;
	while (end < o->width && or_kind(o, end) != VMEM_ORACLE_OUT &&
	       !(o->state[end] & VMEM_ORACLE_SPAN_START))
		end++;
	*firstp = first;
	*sizep = end - first;
	return true;
}

/**
 * vmem_oracle_span_of() - The span holding an integer.
 * @o: the oracle
 * @addr: the integer
 * @startp: its first integer
 * @sizep: its size
 * @importedp: whether it was added as imported (may be NULL)
 *
 * Return: true and the span, or false if @addr is in no span.
 */
bool vmem_oracle_span_of(const struct vmem_oracle *o, unsigned long addr,
			 unsigned long *startp, unsigned long *sizep,
			 bool *importedp)
{
	unsigned long off, first;

	if (!or_offset(o, addr, &off) || !or_span_at(o, off, &first, sizep))
		return false;
	*startp = o->base + first;
	if (importedp)
		*importedp = o->state[first] & VMEM_ORACLE_IMPORTED;
	return true;
}

/**
 * vmem_oracle_remove_span() - Take a wholly free span out.
 * @o: the oracle
 * @start: its first integer
 * @size: its size
 *
 * Return: 0; -EINVAL if [@start, @start + @size) is not exactly a span;
 * -EBUSY if part of it is allocated.
 */
int vmem_oracle_remove_span(struct vmem_oracle *o, unsigned long start,
			    unsigned long size)
{
	unsigned long off, first, ssize, i;

	if (!or_offset(o, start, &off) || !or_span_at(o, off, &first, &ssize) ||
	    first != off || ssize != size)
		return -EINVAL;
	for (i = off; i < off + size; i++)
		if (or_kind(o, i) != VMEM_ORACLE_FREE)
			return -EBUSY;
	for (i = off; i < off + size; i++)
		o->state[i] = VMEM_ORACLE_OUT;
	o->total -= size;
	o->nspans--;
	or_touch(o, off, size);
	return 0;
}

/**
 * vmem_oracle_mark() - Allocate or free a range.
 * @o: the oracle
 * @start: first integer
 * @size: integers, not 0
 * @alloc: true to allocate a free range, false to free an allocated one
 *
 * Return: 0; -EINVAL if the range does not lie inside one span; -EEXIST
 * (allocating) if part of it is not free; -ENOENT (freeing) if part of it
 * is not allocated.  A failed call changes nothing.
 */
int vmem_oracle_mark(struct vmem_oracle *o, unsigned long start,
		     unsigned long size, bool alloc)
{
	unsigned int want = alloc ? VMEM_ORACLE_FREE : VMEM_ORACLE_ALLOC;
	unsigned long off, i;

	if (!vmem_oracle_in_window(o, start, size))
		return -EINVAL;
	off = start - o->base;
	/* in one span: no integer is in none, none but the first starts one */
	for (i = off; i < off + size; i++)
		if (or_kind(o, i) == VMEM_ORACLE_OUT ||
		    (i > off && (o->state[i] & VMEM_ORACLE_SPAN_START)))
			return -EINVAL;
	for (i = off; i < off + size; i++)
		if (or_kind(o, i) != want)
			return alloc ? -EEXIST : -ENOENT;
	for (i = off; i < off + size; i++)
		o->state[i] = (o->state[i] & ~VMEM_ORACLE_KIND) |
			      (alloc ? VMEM_ORACLE_ALLOC : VMEM_ORACLE_FREE);
	if (alloc)
		o->inuse += size;
	else
		o->inuse -= size;
	or_touch(o, off, size);
	return 0;
}

/**
 * vmem_oracle_is_free() - Is a range free and inside one span?
 * @o: the oracle
 * @start: first integer
 * @size: integers
 *
 * Return: true iff every integer of [@start, @start + @size) is free and
 * they all belong to one span.
 */
bool vmem_oracle_is_free(struct vmem_oracle *o, unsigned long start,
			 unsigned long size)
{
	unsigned long off;

	if (!vmem_oracle_in_window(o, start, size))
		return false;
	or_rebuild(o);
	off = start - o->base;
	return o->run[off] >= size;
}

/**
 * vmem_oracle_size() - What vmem_arena_size() must answer.
 * @o: the oracle
 * @typemask: VMEM_ALLOC, VMEM_FREE, VMEM_SPAN, or a combination: the sum
 *
 * Return: integers allocated, free in spans, in spans, or their sum.
 */
unsigned long vmem_oracle_size(const struct vmem_oracle *o,
			       unsigned int typemask)
{
	unsigned long sum = 0;

	if (typemask & VMEM_ALLOC)
		sum += o->inuse;
	if (typemask & VMEM_FREE)
		sum += o->total - o->inuse;
	if (typemask & VMEM_SPAN)
		sum += o->total;
	return sum;
}

/* ---- requests ---- */

/**
 * vmem_oracle_req_check() - Is a request malformed?
 * @req: the request
 * @sizep: the size rounded up to the quantum, when the request is well
 *	formed
 *
 * The rules of -EINVAL, as the API states them: size 0 or rounding past
 * ULONG_MAX; align or nocross not a power of two multiple of the quantum;
 * phase not below align or not a multiple of the quantum; size above
 * nocross, or (phase mod nocross) + size above nocross; minaddr above
 * maxaddr; a window that, rounded inward to the quantum (minaddr up,
 * maxaddr + 1 down), is smaller than size.  Flags are the caller's.
 *
 * Return: 0 or -EINVAL.
 */
int vmem_oracle_req_check(const struct vmem_oracle_req *req,
			  unsigned long *sizep)
{
	unsigned long q = req->quantum;
	unsigned long size = req->size;
	unsigned long align = req->align ? req->align : q;
	unsigned long lo, hi, end;

	if (!or_is_power_of_two(q) || !size)
		return -EINVAL;
	if (size % q) {
		if (q - size % q > ULONG_MAX - size)
			return -EINVAL;
		size += q - size % q;
	}
	if (!or_is_power_of_two(align) || align % q)
		return -EINVAL;
	if (req->nocross &&
	    (!or_is_power_of_two(req->nocross) || req->nocross % q))
		return -EINVAL;
	if (req->phase >= align || req->phase % q)
		return -EINVAL;
	if (req->nocross && (size > req->nocross ||
			     req->phase % req->nocross > req->nocross - size))
		return -EINVAL;
	if (req->minaddr > req->maxaddr)
		return -EINVAL;
	/* [lo, hi]: the window rounded inward to the quantum */
	lo = req->minaddr;
	if (lo % q) {
		if (q - lo % q > ULONG_MAX - lo)
			return -EINVAL;		/* no multiple of q above */
		lo += q - lo % q;
	}
	if (req->maxaddr == ULONG_MAX) {
		hi = ULONG_MAX;			/* maxaddr + 1 is 2^BITS */
	} else {
		end = req->maxaddr + 1;
		end -= end % q;
		if (!end)
			return -EINVAL;		/* no multiple of q below */
		hi = end - 1;
	}
	if (hi < lo || hi - lo < size - 1)
		return -EINVAL;
	*sizep = size;
	return 0;
}

/*
 * The rules of a request, by value: the loops below keep them in
 * registers rather than load them through a pointer at every integer
 * (under KASAN each such load is a call).
 */
struct or_rules {
	unsigned long	size;
	unsigned long	quantum;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
};

static struct or_rules or_rules(const struct vmem_oracle_req *req,
				unsigned long size)
{
	struct or_rules r = {
		.size = size, .quantum = req->quantum,
		.align = req->align ? req->align : req->quantum,
		.phase = req->phase, .nocross = req->nocross,
		.minaddr = req->minaddr, .maxaddr = req->maxaddr,
	};

	return r;
}

/* Each rule as written; cheap comparisons before divisions. */
static __always_inline bool or_obeys(struct or_rules r, unsigned long addr)
{
	unsigned long last;

	if (addr < r.minaddr || r.size - 1 > ULONG_MAX - addr)
		return false;
	last = addr + (r.size - 1);
	if (last > r.maxaddr)
		return false;
	if (addr % r.quantum || addr % r.align != r.phase)
		return false;
	if (r.nocross && addr / r.nocross != last / r.nocross)
		return false;
	return true;
}

/**
 * vmem_oracle_satisfies() - Does a start meet every constraint?
 * @req: a well-formed request (vmem_oracle_req_check() said 0)
 * @size: its rounded size
 * @addr: the start
 *
 * Each rule as written: addr % quantum == 0, addr % align == phase, the
 * range does not wrap, minaddr <= addr, addr + size - 1 <= maxaddr, and
 * addr / nocross == (addr + size - 1) / nocross.  Free space is not
 * looked at.
 *
 * Return: true iff @addr meets them all.
 */
bool vmem_oracle_satisfies(const struct vmem_oracle_req *req,
			   unsigned long size, unsigned long addr)
{
	return or_obeys(or_rules(req, size), addr);
}

/* satisfies(), for the integer at @off, once the run table is built. */
static bool or_fits_at(const struct vmem_oracle *o,
		       const struct vmem_oracle_req *req, unsigned long size,
		       unsigned long off)
{
	return o->run[off] >= size &&
	       vmem_oracle_satisfies(req, size, o->base + off);
}

/**
 * vmem_oracle_fits() - Is a start a fit: free, in one span, and allowed?
 * @o: the oracle
 * @req: a well-formed request
 * @size: its rounded size
 * @addr: the start
 *
 * Return: true iff @addr satisfies @req and [@addr, @addr + @size) is
 * free and inside one span.
 */
bool vmem_oracle_fits(struct vmem_oracle *o,
		      const struct vmem_oracle_req *req, unsigned long size,
		      unsigned long addr)
{
	return vmem_oracle_is_free(o, addr, size) &&
	       vmem_oracle_satisfies(req, size, addr);
}

/* The first offset of the free segment holding the free integer @off. */
static unsigned long or_seg_first(const struct vmem_oracle *o,
				  unsigned long off)
{
	while (off && !(o->state[off] & VMEM_ORACLE_SPAN_START) &&
	       or_kind(o, off - 1) == VMEM_ORACLE_FREE)
		off--;
	return off;
}

/**
 * vmem_oracle_solve() - Every answer to a request, by trying every start.
 * @o: the oracle
 * @req: a well-formed request
 * @size: its rounded size
 * @rotor: where the arena's previous next-fit allocation ended
 * @ans: filled in (see struct vmem_oracle_answer)
 *
 * One pass over the window, in address order.  A free segment is a
 * maximal run of free integers inside one span; its size is the run that
 * starts at its first integer.
 *
 * Return: true iff some start fits (@ans->nfits > 0).
 */
bool vmem_oracle_solve(struct vmem_oracle *o,
		       const struct vmem_oracle_req *req, unsigned long size,
		       unsigned long rotor, struct vmem_oracle_answer *ans)
{
	struct or_rules rules = or_rules(req, size);
	unsigned long off, seg = 0, addr, run = 0, prev = 0;
	unsigned long base = o->base, width = o->width;
	const u32 *runs = o->run;
	bool have_next = false;

	memset(ans, 0, sizeof(*ans));
	or_rebuild(o);
	for (off = 0; off < width; off++, prev = run) {
		run = runs[off];
		if (!run)
			continue;
		/*
		 * A free segment starts here if the integer below is not
		 * free (0) or ended its run (1: this one starts a span).
		 */
		if (prev <= 1)
			seg = run;
		if (run < size) {
			off += run - 1;		/* the rest is shorter still */
			run = 1;
			continue;
		}
		addr = base + off;
		if (!or_obeys(rules, addr))
			continue;
		if (!ans->nfits++)
			ans->lowest = addr;
		ans->highest = addr;
		if (!have_next && addr >= rotor) {
			ans->next = addr;
			have_next = true;
		}
		if (!ans->best_seg || seg < ans->best_seg) {
			ans->best_seg = seg;
			ans->best = addr;
		}
	}
	if (!have_next)
		ans->next = ans->lowest;
	return ans->nfits;
}

/**
 * vmem_oracle_is_best() - Is a start in the best-fit set?
 * @o: the oracle
 * @req: a well-formed request
 * @size: its rounded size
 * @ans: vmem_oracle_solve()'s answer for this state and request
 * @addr: the start
 *
 * The best-fit set: the lowest fit of each free segment whose size is
 * the smallest among the free segments that hold a fit.
 *
 * Return: true iff @addr is in it.
 */
bool vmem_oracle_is_best(struct vmem_oracle *o,
			 const struct vmem_oracle_req *req, unsigned long size,
			 const struct vmem_oracle_answer *ans,
			 unsigned long addr)
{
	unsigned long off, first, i;

	if (!ans->nfits || !vmem_oracle_fits(o, req, size, addr))
		return false;
	off = addr - o->base;
	first = or_seg_first(o, off);
	if (o->run[first] != ans->best_seg)
		return false;
	for (i = first; i < off; i++)
		if (or_fits_at(o, req, size, i))
			return false;
	return true;
}

/**
 * vmem_oracle_lowest_in() - The lowest fit inside a range.
 * @o: the oracle
 * @req: a well-formed request
 * @size: its rounded size
 * @first: lowest allowed start
 * @last: highest allowed last integer
 * @addrp: the fit
 *
 * For next fit after an import: the lowest fit at or above the rotor
 * inside the span just imported.
 *
 * Return: true and *@addrp, or false if no fit lies in [@first, @last].
 */
bool vmem_oracle_lowest_in(struct vmem_oracle *o,
			   const struct vmem_oracle_req *req,
			   unsigned long size, unsigned long first,
			   unsigned long last, unsigned long *addrp)
{
	unsigned long off, addr;

	or_rebuild(o);
	for (off = 0; off < o->width; off++) {
		addr = o->base + off;
		if (addr < first || addr > last || size - 1 > last - addr)
			continue;
		if (or_fits_at(o, req, size, off)) {
			*addrp = addr;
			return true;
		}
	}
	return false;
}

/**
 * vmem_oracle_import_fit() - Could an importing arena's source serve it?
 * @source: the oracle of the source arena (same window as the child's)
 * @req: a well-formed request to the child (@req->quantum is the child's)
 * @size: its rounded size
 * @squantum: the source's quantum
 * @addrp: the lowest start p found
 * @firstp: round_down(p, Q), Q = max(child quantum, @squantum)
 * @lastp: round_up(p + size, Q) - 1
 *
 * The rule for importing arenas: the request must not fail while the
 * source holds, free and inside one of its spans, the whole range
 * [round_down(p, Q), round_up(p + size, Q)) for some p that satisfies
 * every constraint of the request.  Every p of the window is tried.
 *
 * Return: true and the lowest such p, or false.
 */
bool vmem_oracle_import_fit(struct vmem_oracle *source,
			    const struct vmem_oracle_req *req,
			    unsigned long size, unsigned long squantum,
			    unsigned long *addrp, unsigned long *firstp,
			    unsigned long *lastp)
{
	struct or_rules rules = or_rules(req, size);
	unsigned long q = max(req->quantum, squantum);
	unsigned long off, p, first, last, foff;

	or_rebuild(source);
	for (off = 0; off < source->width; off++) {
		/* [p, p + size) itself must be free in the source */
		if (source->run[off] < size)
			continue;
		p = source->base + off;
		if (!or_obeys(rules, p))
			continue;
		first = p - p % q;
		last = p + (size - 1);
		last += q - 1 - last % q;	/* at most ULONG_MAX */
		if (!or_offset(source, first, &foff) ||
		    last - first >= source->width - foff)
			continue;
		if (source->run[foff] > last - first) {
			*addrp = p;
			*firstp = first;
			*lastp = last;
			return true;
		}
	}
	return false;
}
