// SPDX-License-Identifier: GPL-2.0-only
/*
 * The brute-force oracle of vmem's allocation semantics, and the driver
 * that holds real arenas against it.  See vmem_oracle.h.
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

#include "vmem_model.h"		/* struct vmem_bytesrc */
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

/* ---- the driver: state and reports ---- */

enum or_call {
	OR_ALLOC, OR_XALLOC, OR_ID_ALLOC, OR_ID_ALLOCFF, OR_ID_SPECIFIC,
	OR_FREE, OR_ADD, OR_CREATE, OR_CHECK, OR_DESTROY, OR_FLUSH,
};

static const char * const or_callname[] = {
	[OR_ALLOC] = "vmem_alloc", [OR_XALLOC] = "vmem_xalloc",
	[OR_ID_ALLOC] = "vmem_id_alloc", [OR_ID_ALLOCFF] = "vmem_id_allocff",
	[OR_ID_SPECIFIC] = "vmem_id_alloc_specific", [OR_FREE] = "free",
	[OR_ADD] = "vmem_add", [OR_CREATE] = "create", [OR_CHECK] = "check",
	[OR_DESTROY] = "destroy", [OR_FLUSH] = "vmem_qcache_flush",
};

/* One operation, kept for the failure report. */
struct or_rec {
	unsigned long	op;
	enum or_call	call;
	unsigned int	side;
	unsigned int	flags;
	int		ret;
	unsigned long	a[7];
};

#define OR_NREC		12
#define OR_NAMELEN	24
#define OR_MAX_SPANS	16
#define OR_POISON	0x5a5a5a5aUL
#define OR_NQCACHE	16	/* the caches an arena has at most */

/* A live allocation, and the call that must free it. */
struct or_live {
	unsigned long	addr;
	unsigned long	size;	/* as given to the allocating call */
	unsigned long	rsize;	/* rounded: what the oracle marked */
	enum or_call	how;
	unsigned int	side;
};

/*
 * An arena and its oracle.  side[0] is asked; side[1] is its source.
 * For an arena with quantum caches: @qmax, the largest size cached (0:
 * none), and what went to each cache by the API's routing rule, counted
 * here: vmem_alloc() and vmem_free() calls of its sizes, and the spans a
 * child gave back (one vmem_free() each) of its sizes.
 */
struct or_side {
	struct vmem		*vm;
	struct vmem_oracle	o;
	unsigned long		quantum;
	unsigned long		rotor;
	bool			rotor_lost;
	unsigned long		qmax;
	unsigned int		nq;
	u64			qalloc[OR_NQCACHE];
	u64			qfree[OR_NQCACHE];
	char			name[OR_NAMELEN];
};

struct or_span {
	unsigned long	start;
	unsigned long	size;
};

struct or_run {
	const struct vmem_oracle_params *p;
	struct vmem_oracle_stats st;
	struct vmem_bytesrc		src;
	unsigned long		width;
	unsigned int		kinds;
	unsigned int		where;
	unsigned int		ops;
	unsigned int		policies;
	unsigned int		flags;
	unsigned int		qcache;
	unsigned int		check_every;
	unsigned int		kind;		/* of the current arena */
	unsigned int		nsides;		/* 0: no arena; 2: a pair */
	struct or_side		side[2];
	unsigned long		own;		/* child spans not imported */
	unsigned long		direct;		/* allocated from the source */
	struct vmem_stats	stats[2];	/* of each arena, if have */
	bool			have_stats[2];
	struct or_live		*live;
	unsigned int		nlive;
	unsigned int		max_live;
	struct or_span		*wbuf;
	unsigned int		wmax;
	unsigned long		op;
	unsigned long		ops_left;	/* in this arena */
	struct or_rec		rec[OR_NREC];
	unsigned int		nrec;
	char			*err;
	size_t			errlen;
	bool			failed;
};

/* A request being held against the oracle. */
struct or_ctx {
	enum or_call			call;
	unsigned int			side;
	struct vmem_oracle_req		req;
	unsigned int			vmflags;
	unsigned int			policy;
	bool				badflags;
	int				check;
	unsigned long			size;
	bool				busy;
	bool				fit;
	bool				ifit;
	bool				cached;
	bool				loose;
	struct vmem_oracle_answer	ans;
	unsigned long			ip;
	unsigned long			ifirst;
	unsigned long			ilast;
	int				ret;
	unsigned long			addr;
};

static bool or_importing(const struct or_run *r, unsigned int side)
{
	return side == 0 && r->kind == VMEM_OR_IMPORT;
}

/*
 * Quantum caches.  An arena may be created with qcache_max a multiple of
 * its quantum (params.qcache): flat arenas, identifier spaces (quantum 1,
 * a few IDs cached, VMC_IDENTIFIER) and the source of a pair.  What the
 * oracle still demands there follows from the API's words alone
 * (include/linux/vmem.h, "9. Quantum caches" in vmem/vmem.c); the oracle
 * keeps what the *client* holds, so a range a cache holds is free in it:
 *
 *  - Routing: vmem_alloc() (and vmem_id_alloc(), vmem_id_allocff()) of
 *    a size up to qcache_max goes to the cache of round_up(size, quantum),
 *    and so does vmem_free() of such a size; vmem_xalloc(), vmem_xfree()
 *    and other sizes never do.  The caches' nalloc and nfree
 *    (vmem_qcache_get_stats()) equal the calls counted here; there are
 *    min(qcache_max / quantum, 16) caches, none with VMC_NO_QCACHE.
 *  - A cached allocation is served wherever a magazine says, whatever the
 *    policy: its result must be free in the oracle (no range handed out
 *    twice), inside one span, and a range of the request; no placement.
 *  - Failure: before any allocation fails, every cache is flushed and the
 *    search retried, so -ENOSPC only when the oracle (cached ranges free)
 *    has no fit: the same rule as without caches, for every call.
 *  - Other requests see the cached ranges as allocated: exact placement
 *    only right after a vmem_qcache_flush() (half of them get one first),
 *    else only that the result is a fit.  Next fit's rotor moves with
 *    every refill of a next-fit cached allocation, unseen: such a call
 *    loses it, and the next next-fit request on the segment path (its
 *    place then not demanded) finds it again.
 *  - Sizes and counters as the client sees them: mem_inuse and
 *    vmem_arena_size(VMEM_ALLOC) count only client ranges, mem_free
 *    includes the cached ones, mem_cached is a part of mem_free, a
 *    multiple of the quantum, 0 for an arena that does not cache.
 *  - vmem_qcache_flush() gives back exactly what mem_cached said before
 *    it (unless the caches' periodic update ran meanwhile: nupdate moved),
 *    leaves mem_cached 0, and the arena's allocated segments are then
 *    exactly the client's ranges (vmem_walk()).  At the end of each arena,
 *    after the client freed everything, so: nothing left for
 *    vmem_destroy() to report.
 *  - vmem_check() holds throughout, as everywhere.
 *
 * In the kernel the update work (every 5 s) drains depot magazines into
 * the arena concurrently.  That changes nothing the client sees, but for
 * the moment a drain is in flight (the rounds left the depot's count and
 * are not yet free in the arena), the counters can read too much in use:
 * a mismatch of a caching arena's counters is read again (after
 * params.progress, which lets the work finish) before it fails.  The
 * same instant could, in principle, make a placement after a flush or a
 * failure on a nearly full arena differ; that has not been seen.
 *
 * A child of a pair does not cache: its imported spans could then be
 * given back by that concurrent work at any time, which the oracle's
 * span bookkeeping would have to follow from vmem_walk(); left for later.
 */
static bool or_caches(const struct or_side *s)
{
	return s->qmax != 0;
}

/* The cache that serves @size on @s: round_up(size, quantum) / quantum - 1. */
static unsigned int or_qindex(const struct or_side *s, unsigned long size)
{
	return (size - 1) / s->quantum;
}

/*
 * A vmem_alloc() or vmem_free() of @size that the API routes to a
 * quantum cache of @s (vmem_id_alloc(), _allocff() and vmem_id_free() are
 * those of size 1; vmem_xalloc(), vmem_xfree() and vmem_id_alloc_specific()
 * never are).
 */
static bool or_routed(const struct or_side *s, unsigned long size)
{
	return size && size - 1 < s->qmax;
}

static struct or_rec *or_rec(struct or_run *r, enum or_call call,
			     unsigned int side)
{
	struct or_rec *rec = &r->rec[r->nrec++ % OR_NREC];

	memset(rec, 0, sizeof(*rec));
	rec->op = r->op;
	rec->call = call;
	rec->side = side;
	return rec;
}

/* Append to @buf at *@off, never past @len. */
static __printf(4, 5) void or_append(char *buf, size_t len, size_t *off,
				     const char *fmt, ...)
{
	va_list args;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(args, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, args);
	va_end(args);
	if (n > 0)
		*off = min(*off + n, len - 1);
}

static const char *or_kindname(unsigned int kind)
{
	switch (kind) {
	case VMEM_OR_FLAT:
		return "flat";
	case VMEM_OR_IDS:
		return "ID space";
	default:
		return "importing child";
	}
}

/*
 * Fail the run: the operation, how to redo it, the arena, the message,
 * then the last operations.
 */
static __printf(2, 3) int or_fail(struct or_run *r, const char *fmt, ...)
{
	size_t off = 0, len = r->errlen;
	char *buf = r->err;
	unsigned int i, n;
	va_list args;

	if (r->failed || !len)
		goto out;
	if (r->src.random)
		or_append(buf, len, &off, "op %lu (seed %llu", r->op,
			  (unsigned long long)r->p->seed);
	else
		or_append(buf, len, &off, "op %lu (fuzzer input", r->op);
	or_append(buf, len, &off,
		  ", kinds %#x where %#x ops %#x policies %#x flags %#x width %lu): ",
		  r->kinds, r->where, r->ops, r->policies, r->flags,
		  r->width);
	if (r->nsides)
		or_append(buf, len, &off,
			  "arena %s (%s, quantum %#lx, window [%#lx, +%#lx)",
			  r->side[0].name, or_kindname(r->kind),
			  r->side[0].quantum, r->side[0].o.base, r->width);
	if (r->nsides == 2)
		or_append(buf, len, &off,
			  ", importing from %s of quantum %#lx",
			  r->side[1].name, r->side[1].quantum);
	for (i = 0; i < r->nsides; i++)
		if (or_caches(&r->side[i]))
			or_append(buf, len, &off, ", %s caches up to %#lx",
				  r->side[i].name, r->side[i].qmax);
	if (r->nsides)
		or_append(buf, len, &off, "): ");
	if (off + 1 < len) {
		va_start(args, fmt);
		vsnprintf(buf + off, len - off, fmt, args);
		va_end(args);
		off = strlen(buf);
	}
	n = min_t(unsigned int, r->nrec, OR_NREC);
	for (i = r->nrec - n; i != r->nrec; i++) {
		const struct or_rec *rec = &r->rec[i % OR_NREC];

		or_append(buf, len, &off,
			  "\n  op %lu %s %s flags=%#x ret=%d args=%#lx %#lx %#lx %#lx %#lx %#lx -> %#lx",
			  rec->op, or_callname[rec->call],
			  rec->side ? "source" : "arena", rec->flags, rec->ret,
			  rec->a[0], rec->a[1], rec->a[2], rec->a[3],
			  rec->a[4], rec->a[5], rec->a[6]);
	}
out:
	r->failed = true;
	return -EIO;
}

/* What the oracle said about @c, for a report. */
static void or_describe(const struct or_run *r, const struct or_ctx *c,
			char *buf, size_t len)
{
	const struct vmem_oracle_answer *a = &c->ans;
	size_t off = 0;

	if (c->check)
		or_append(buf, len, &off, "malformed, so -EINVAL");
	else if (c->busy)
		or_append(buf, len, &off, "ID %#lx is allocated, so -EBUSY",
			  c->req.minaddr);
	else if (c->fit)
		or_append(buf, len, &off,
			  "%lu fits of size %#lx: lowest %#lx, highest %#lx, next %#lx (rotor %#lx), best %#lx (in a free segment of %#lx)",
			  a->nfits, c->size, a->lowest, a->highest, a->next,
			  r->side[c->side].rotor, a->best, a->best_seg);
	else if (c->ifit)
		or_append(buf, len, &off,
			  "no fit in the arena; the source holds [%#lx, %#lx] free in one span for a start at %#lx, so it must import",
			  c->ifirst, c->ilast, c->ip);
	else if (or_importing(r, c->side))
		or_append(buf, len, &off,
			  "no fit in the arena or its source, so -ENOSPC");
	else
		or_append(buf, len, &off, "no fit, so -ENOSPC");
}

/* Fail a request: the call, vmem's answer and the oracle's, and why. */
static __printf(3, 4) int or_req_fail(struct or_run *r,
				      const struct or_ctx *c,
				      const char *fmt, ...)
{
	char why[160], said[320];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	or_describe(r, c, said, sizeof(said));
	return or_fail(r,
		       "%s(%s, size %#lx, align %#lx, phase %#lx, nocross %#lx, min %#lx, max %#lx, flags %#x) returned %d, addr %#lx; the oracle: %s; %s",
		       or_callname[c->call], r->side[c->side].name,
		       c->req.size, c->req.align, c->req.phase,
		       c->req.nocross, c->req.minaddr, c->req.maxaddr,
		       c->vmflags, c->ret, c->ret ? 0 : c->addr, said, why);
}

/* ---- the driver: checks ---- */

/*
 * The counters of @t's arena, one vmem_get_stats() (one lock round trip:
 * under lockdep they are dear), taken once after each change and shared
 * by the checks that follow it.
 */
static const struct vmem_stats *or_stats(struct or_run *r, unsigned int t)
{
	if (!r->have_stats[t]) {
		vmem_get_stats(r->side[t].vm, &r->stats[t]);
		r->have_stats[t] = true;
	}
	return &r->stats[t];
}

/* vmem changed: the counters must be read again. */
static void or_changed(struct or_run *r)
{
	r->have_stats[0] = false;
	r->have_stats[1] = false;
}

/* Let other work run (a cache drain in flight), if the caller can. */
static void or_yield(struct or_run *r)
{
	if (r->p->progress)
		r->p->progress(r->p->arg, r->op);
}

/*
 * The counters of side @i against its oracle: 0, or -EAGAIN without a
 * report unless @report.  @mask: also vmem_arena_size() with it, if not 0.
 */
static int or_check_side(struct or_run *r, unsigned int i, unsigned int mask,
			 bool report)
{
	struct or_side *s = &r->side[i];
	const struct vmem_stats *st = or_stats(r, i);
	unsigned long got;

	if (st->mem_inuse != s->o.inuse ||
	    st->mem_free != s->o.total - s->o.inuse ||
	    st->mem_total != s->o.total)
		return report ? or_fail(r,
				       "vmem_get_stats(%s): allocated %#lx, free %#lx, in spans %#lx (cached %#lx); the oracle: %#lx, %#lx, %#lx",
				       s->name, st->mem_inuse, st->mem_free,
				       st->mem_total, st->mem_cached,
				       s->o.inuse, s->o.total - s->o.inuse,
				       s->o.total) : -EAGAIN;
	if (st->nspans != s->o.nspans)
		return or_fail(r, "%s has %lu spans, the oracle %u",
			       s->name, st->nspans, s->o.nspans);
	/* what the caches hold is free, in quanta; nothing without caches */
	if (st->nqcache != s->nq || st->mem_cached > st->mem_free ||
	    st->mem_cached % s->quantum || (!s->nq && st->mem_cached))
		return or_fail(r,
			       "vmem_get_stats(%s): %u quantum caches holding %#lx of %#lx free; the arena was created with %u caches",
			       s->name, st->nqcache, st->mem_cached,
			       st->mem_free, s->nq);
	if (!mask)
		return 0;
	got = vmem_arena_size(s->vm, mask);
	if (got != vmem_oracle_size(&s->o, mask))
		return report ? or_fail(r,
				       "vmem_arena_size(%s, %#x) = %#lx; the oracle: %#lx",
				       s->name, mask, got,
				       vmem_oracle_size(&s->o, mask)) : -EAGAIN;
	return 0;
}

/*
 * The counters of each arena against its oracle, after every change:
 * bytes allocated, free, cached and in spans, and spans.  After a free
 * (@sizes) also vmem_arena_size(), with one type mask per free, going
 * round all seven.  A caching arena's are read again, a few times, before
 * a mismatch fails (see "Quantum caches" above).
 */
static int or_check_sizes(struct or_run *r, bool sizes)
{
	unsigned int i, k, mask = 0;
	int ret;

	if (sizes) {
		mask = 1 + r->st.nfree % 7;	/* ALLOC, FREE and SPAN bits */
		mask = (mask & 1 ? VMEM_ALLOC : 0) |
		       (mask & 2 ? VMEM_FREE : 0) |
		       (mask & 4 ? VMEM_SPAN : 0);
	}
	for (i = 0; i < r->nsides; i++) {
		for (k = 0;; k++) {
			bool last = k == 3 || !or_caches(&r->side[i]);

			ret = or_check_side(r, i, mask, last);
			if (ret != -EAGAIN)
				break;
			or_yield(r);
			or_changed(r);
		}
		if (ret)
			return ret;
	}
	/* what the source has allocated: the child's spans and its own */
	if (r->nsides == 2 &&
	    r->side[1].o.inuse != r->side[0].o.total - r->own + r->direct)
		return or_fail(r,
			       "the source has %#lx allocated, but the child's imported spans add up to %#lx and the source's own allocations to %#lx",
			       r->side[1].o.inuse, r->side[0].o.total - r->own,
			       r->direct);
	return 0;
}

/* The periodic updates the caches of @s have run: they drain depots. */
static u64 or_nupdate(struct or_run *r, struct or_side *s)
{
	struct vmem_qcache_stats qs;
	unsigned int i;
	u64 n = 0;

	for (i = 0; i < s->nq; i++)
		if (!vmem_qcache_get_stats(s->vm, i, -1, &qs))
			n += qs.nupdate;
	return n;
}

/*
 * Each cache of side @t saw exactly the calls the routing rule sends it,
 * and there are no more caches than that.  A source's caches may see more
 * allocations: a child's import may be a vmem_alloc() of the source
 * (failed ones count too), which the oracle cannot count without knowing
 * how the core asks; its frees, the spans given back, are counted.
 */
static int or_check_qcache(struct or_run *r, unsigned int t)
{
	struct or_side *s = &r->side[t];
	struct vmem_qcache_stats qs;
	unsigned int i;
	int ret;

	for (i = 0; i < s->nq; i++) {
		ret = vmem_qcache_get_stats(s->vm, i, -1, &qs);
		if (ret || qs.size != (i + 1) * s->quantum ||
		    qs.nalloc < s->qalloc[i] ||
		    (t == 0 && qs.nalloc != s->qalloc[i]) ||
		    qs.nfree != s->qfree[i])
			return or_fail(r,
				       "vmem_qcache_get_stats(%s, %u) = %d: size %#lx, %llu allocations, %llu frees; the oracle: size %#lx, %llu allocations%s, %llu frees",
				       s->name, i, ret, qs.size,
				       (unsigned long long)qs.nalloc,
				       (unsigned long long)qs.nfree,
				       (i + 1) * s->quantum,
				       (unsigned long long)s->qalloc[i],
				       t ? " (and the child's imports)" : "",
				       (unsigned long long)s->qfree[i]);
	}
	ret = vmem_qcache_get_stats(s->vm, s->nq, -1, &qs);
	if (ret != -EINVAL)
		return or_fail(r, "vmem_qcache_get_stats(%s, %u) = %d, but it has %u caches",
			       s->name, s->nq, ret, s->nq);
	return 0;
}

/* vmem_walk() of a flushed arena's allocated segments. */
struct or_seen {
	struct or_run	*r;
	struct or_side	*s;
	unsigned long	sum;
	unsigned long	bad;	/* a segment not wholly the client's */
	unsigned long	badsize;
	bool		wrong;
};

static void or_walk_alloc(void *arg, unsigned long addr, unsigned long size)
{
	struct or_seen *w = arg;
	unsigned long k;

	w->sum += size;
	for (k = 0; k < size && !w->wrong; k++) {
		if (vmem_oracle_get(&w->s->o, addr + k) != VMEM_ORACLE_ALLOC) {
			w->wrong = true;
			w->bad = addr;
			w->badsize = size;
		}
	}
}

/*
 * vmem_qcache_flush() of side @t: it gives back what mem_cached said,
 * mem_cached is 0 after it, and the arena's allocated segments are then
 * exactly the client's ranges.
 */
static int or_flush(struct or_run *r, unsigned int t)
{
	struct or_side *s = &r->side[t];
	struct or_seen w = { .r = r, .s = s };
	struct vmem_stats before, after;
	struct or_rec *rec;
	unsigned long got;
	u64 nupdate;

	nupdate = or_nupdate(r, s);
	vmem_get_stats(s->vm, &before);
	rec = or_rec(r, OR_FLUSH, t);
	or_changed(r);
	got = vmem_qcache_flush(s->vm);
	rec->a[0] = before.mem_cached;
	rec->a[6] = got;
	r->st.nflush++;
	vmem_get_stats(s->vm, &after);
	if (got % s->quantum || got > before.mem_cached ||
	    (got != before.mem_cached && nupdate == or_nupdate(r, s)) ||
	    after.mem_cached)
		return or_fail(r,
			       "vmem_qcache_flush(%s) gave back %#lx, when %#lx was cached; %#lx cached after it",
			       s->name, got, before.mem_cached,
			       after.mem_cached);
	vmem_walk(s->vm, VMEM_ALLOC, or_walk_alloc, &w);
	if (w.wrong || w.sum != s->o.inuse)
		return or_fail(r,
			       "after vmem_qcache_flush(%s) its allocated segments add up to %#lx, the client's ranges to %#lx%s [%#lx, +%#lx)",
			       s->name, w.sum, s->o.inuse,
			       w.wrong ? "; not the client's:" : "",
			       w.bad, w.badsize);
	return 0;
}

static int or_check_arenas(struct or_run *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->nsides; i++) {
		or_rec(r, OR_CHECK, i);
		ret = vmem_check(r->side[i].vm);
		r->st.ncheck++;
		if (ret)
			return or_fail(r, "vmem_check(%s) = %d",
				       r->side[i].name, ret);
		ret = or_check_qcache(r, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- the driver: generators ---- */

/* Each integer of [off, off + n) is in no span of any arena of the run. */
static bool or_out(const struct or_run *r, unsigned long off, unsigned long n)
{
	unsigned int i;
	unsigned long k;

	for (i = 0; i < r->nsides; i++)
		for (k = off; k < off + n; k++)
			if (r->side[i].o.state[k] & VMEM_ORACLE_KIND)
				return false;
	return true;
}

/*
 * A range of whole quanta @q, in no span of the run, at most @maxunits
 * quanta: next to a span (or the window's ends) below or above, filling
 * a hole, or anywhere in one.
 */
static bool or_gen_region(struct or_run *r, unsigned long q,
			  unsigned long maxunits, unsigned long *startp,
			  unsigned long *sizep)
{
	unsigned long nunits = r->width / q, u, u0, u1, k, len;
	u8 c = vmem_src_u8(&r->src);

	switch (c % 4) {
	case 0:
		u = 0;
		break;
	case 1:
		u = nunits - 1;
		break;
	default:
		u = vmem_src_below(&r->src, nunits);
	}
	for (k = 0; k < nunits; k++, u = (u + 1) % nunits)
		if (or_out(r, u * q, q))
			break;
	if (k == nunits)
		return false;
	u0 = u;
	while (u0 && or_out(r, (u0 - 1) * q, q))
		u0--;
	u1 = u + 1;
	while (u1 < nunits && or_out(r, u1 * q, q))
		u1++;
	len = 1 + vmem_src_below(&r->src, min(u1 - u0, max(maxunits, 1UL)));
	switch ((c >> 2) % 4) {
	case 0:
		u = u0;
		break;
	case 1:
		u = u1 - len;
		break;
	case 2:
		u = u0;
		if (u1 - u0 <= maxunits)
			len = u1 - u0;
		break;
	default:
		u = u0 + vmem_src_below(&r->src, u1 - u0 - len + 1);
	}
	*startp = r->side[0].o.base + u * q;
	*sizep = len * q;
	return true;
}

/* An integer of side @t in state @kind, from a random place on. */
static bool or_find(struct or_run *r, unsigned int t, unsigned int kind,
		    unsigned long *addrp)
{
	const struct vmem_oracle *o = &r->side[t].o;
	unsigned long off = vmem_src_below(&r->src, r->width), k;

	for (k = 0; k < r->width; k++, off = (off + 1) % r->width) {
		if ((o->state[off] & VMEM_ORACLE_KIND) == kind) {
			*addrp = o->base + off;
			return true;
		}
	}
	return false;
}

/* A live allocation of side @t, if there is one. */
static bool or_find_live(struct or_run *r, unsigned int t,
			 unsigned int *ip)
{
	unsigned int i, k;

	if (!r->nlive)
		return false;
	i = vmem_src_below(&r->src, r->nlive);
	for (k = 0; k < r->nlive; k++, i = (i + 1) % r->nlive) {
		if (r->live[i].side == t) {
			*ip = i;
			return true;
		}
	}
	return false;
}

/* An address worth asking about: in the window, at its edges, or not. */
static unsigned long or_gen_addr(struct or_run *r, unsigned int t)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long base = r->side[t].o.base, a;
	unsigned int i;

	switch (vmem_src_u8(s) % 16) {
	case 6:
		if (or_find_live(r, t, &i))
			return r->live[i].addr +
			       (vmem_src_u8(s) & 1 ? r->live[i].rsize : 0);
		break;
	case 7:
		if (or_find(r, t, VMEM_ORACLE_FREE, &a))
			return a;
		break;
	case 8:
		return base;
	case 9:
		return base + (r->width - 1);
	case 10:
		return vmem_src_below(s, 16);
	case 11:
		return ULONG_MAX - vmem_src_below(s, 16);
	case 12:
		return vmem_src_ulong(s);
	case 13:
		if (r->nsides == 2 && or_find(r, 1, VMEM_ORACLE_FREE, &a))
			return a;
		break;
	}
	return base + vmem_src_below(s, r->width);
}

static unsigned long or_gen_size(struct or_run *r, unsigned long q)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long nunits = r->width / q, units, size;

	switch (vmem_src_u8(s) % 32) {
	case 0 ... 15:
		units = 1 + vmem_src_below(s, 4);
		break;
	case 16 ... 23:
		units = 1 + vmem_src_below(s, 16);
		break;
	case 24 ... 27:
		units = 1 + vmem_src_below(s, max(nunits / 4, 1UL));
		break;
	case 28:
		units = nunits + vmem_src_below(s, 4);	/* never fits */
		break;
	case 29:
		return 0;
	case 30:
		return ULONG_MAX - vmem_src_below(s, q);
	default:
		units = 1 + vmem_src_below(s, 8);
	}
	size = units * q;
	/* a size that rounds up to the same number of quanta */
	if (q > 1 && !(vmem_src_u8(s) & 3))
		size -= vmem_src_below(s, q);
	return size;
}

static unsigned long or_gen_align(struct or_run *r, unsigned long q)
{
	struct vmem_bytesrc *s = &r->src;

	switch (vmem_src_u8(s) % 16) {
	case 0 ... 5:
		return 0;
	case 6 ... 11:
		return q << vmem_src_below(s, 7);
	case 12:
		return 1UL << (BITS_PER_LONG - 1 - vmem_src_below(s, 4));
	case 13:
		return r->width << vmem_src_below(s, 2);
	case 14:
		return q > 1 && (vmem_src_u8(s) & 1) ? q / 2 : 3 * q;	/* bad */
	default:
		return q;
	}
}

static unsigned long or_gen_phase(struct or_run *r, unsigned long q,
				  unsigned long align)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long a = align ? align : q;

	switch (vmem_src_u8(s) % 16) {
	case 0 ... 7:
		return 0;
	case 8 ... 14:
		return a >= q ? q * vmem_src_below(s, a / q) : 0;
	default:
		return q > 1 && (vmem_src_u8(s) & 1) ? q / 2 : a;	/* bad */
	}
}

static unsigned long or_gen_nocross(struct or_run *r, unsigned long q,
				    unsigned long size)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long nc = q;

	switch (vmem_src_u8(s) % 8) {
	case 0 ... 4:
		return 0;
	case 5 ... 6:
		while (nc < size && nc <= ULONG_MAX / 2)
			nc *= 2;
		if (nc <= ULONG_MAX / 4)
			nc <<= vmem_src_below(s, 3);
		return nc;
	default:
		return vmem_src_u8(s) & 1 ? q << vmem_src_below(s, 6) : 3 * q;
	}
}

/* Q = max(child quantum, source quantum) of an importing pair. */
static unsigned long or_big_quantum(const struct or_run *r)
{
	return max(r->side[0].quantum, r->side[1].quantum);
}

/* [minaddr, maxaddr] for vmem_xalloc() of @c->req.size. */
static void or_gen_window(struct or_run *r, struct or_ctx *c)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long q = c->req.quantum, size = c->req.size;
	unsigned long lo = 0, hi = VMEM_ADDR_MAX, a;

	/* exact windows use the size rounded up, where it can be */
	if (size && size % q && q - size % q <= ULONG_MAX - size)
		size += q - size % q;
	switch (vmem_src_u8(s) % 16) {
	case 0 ... 3:
		break;
	case 4:
		lo = or_gen_addr(r, c->side);
		break;
	case 5:
		hi = or_gen_addr(r, c->side);
		break;
	case 6 ... 7:
		lo = or_gen_addr(r, c->side);
		a = vmem_src_below(s, r->width / 2);
		hi = a > ULONG_MAX - lo ? ULONG_MAX : lo + a;
		break;
	case 8 ... 10:
		/* exact: [a, a + size - 1], mostly at a multiple of q */
		lo = or_gen_addr(r, c->side);
		if (vmem_src_u8(s) & 3)
			lo -= lo % q;
		hi = size && size - 1 <= ULONG_MAX - lo ?
		     lo + (size - 1) : ULONG_MAX;
		break;
	case 11:
		lo = vmem_src_below(s, 4);
		hi = vmem_src_below(s, 4 * q + 4);
		break;
	case 12:
		hi = 0;
		break;
	case 13:
		lo = ULONG_MAX - vmem_src_below(s, 4 * q + 8);
		hi = ULONG_MAX - vmem_src_below(s, 3);
		break;
	case 14:
		lo = or_gen_addr(r, c->side);
		hi = lo - 1 - vmem_src_below(s, 8);
		break;
	default:
		lo = vmem_src_ulong(s);
		hi = vmem_src_ulong(s);
	}
	if ((r->flags & VMEM_OR_IMPORT_ALIGNED) && or_importing(r, c->side)) {
		a = or_big_quantum(r);
		lo -= lo % a;
		if (hi != ULONG_MAX)
			hi += a - 1 - hi % a;
	}
	if ((r->flags & VMEM_OR_NO_MAXADDR_0) && !hi)
		hi = VMEM_ADDR_MAX;
	c->req.minaddr = lo;
	c->req.maxaddr = hi;
}

/*
 * The ID for vmem_id_alloc_specific(): free, taken, importable, or not;
 * false if VMEM_OR_SPECIFIC_INSIDE leaves none.
 */
static bool or_gen_id(struct or_run *r, unsigned int t, unsigned long *idp)
{
	struct vmem_bytesrc *s = &r->src;
	unsigned long base = r->side[t].o.base, id = base, q;
	unsigned int i;

	switch (vmem_src_u8(s) % 8) {
	case 0 ... 2:
		or_find(r, t, VMEM_ORACLE_FREE, &id);
		break;
	case 3:
		if (or_find_live(r, t, &i))
			id = r->live[i].addr;
		break;
	case 4:
		id = base + vmem_src_below(s, r->width);
		break;
	case 5:
		if (r->nsides != 2 || !or_find(r, 1, VMEM_ORACLE_FREE, &id))
			id = base + vmem_src_below(s, r->width);
		break;
	case 6:
		switch (vmem_src_u8(s) % 3) {
		case 0:
			id = 0;
			break;
		case 1:
			id = ULONG_MAX;
			break;
		default:
			id = base - 1;
		}
		break;
	default:
		id = vmem_src_ulong(s);
	}
	if ((r->flags & VMEM_OR_SPECIFIC_INSIDE) &&
	    vmem_oracle_get(&r->side[t].o, id) == VMEM_ORACLE_OUT &&
	    !or_find(r, t, VMEM_ORACLE_FREE, &id) &&
	    !or_find(r, t, VMEM_ORACLE_ALLOC, &id))
		return false;
	if ((r->flags & VMEM_OR_IMPORT_ALIGNED) && or_importing(r, t) &&
	    vmem_oracle_get(&r->side[t].o, id) == VMEM_ORACLE_OUT) {
		q = or_big_quantum(r);
		id -= id % q;
	}
	if ((r->flags & VMEM_OR_NO_MAXADDR_0) && !id)
		return false;
	*idp = id;
	return true;
}

/* A placement policy from the allowed ones; the flags to pass. */
static unsigned int or_gen_policy(struct or_run *r, unsigned int *vmflags)
{
	static const unsigned int all[] = {
		VMEM_INSTANTFIT, VMEM_BESTFIT, VMEM_FIRSTFIT, VMEM_NEXTFIT,
		VMEM_TOPDOWN,
	};
	unsigned int n = 0, i, k, pol = VMEM_INSTANTFIT;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		n += !!(r->policies & all[i]);
	k = vmem_src_below(&r->src, n);
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		if (!(r->policies & all[i]))
			continue;
		if (!k--) {
			pol = all[i];
			break;
		}
	}
	*vmflags = VMEM_NOSLEEP | pol;
	/* instant fit is also what no policy flag asks for */
	if (pol == VMEM_INSTANTFIT && (vmem_src_u8(&r->src) & 1))
		*vmflags = VMEM_NOSLEEP;
	return pol;
}

/* Flags that every call must refuse with -EINVAL. */
static unsigned int or_gen_badflags(struct or_run *r)
{
	switch (vmem_src_u8(&r->src) % 4) {
	case 0:
		return 0;				/* neither sleep flag */
	case 1:
		return VMEM_NOSLEEP | VMEM_FIRSTFIT | VMEM_TOPDOWN;
	case 2:
		return VMEM_NOSLEEP | 0x00001000u;	/* unknown */
	default:
		return VMEM_NOSLEEP | VMEM_BESTFIT | VMEM_NEXTFIT;
	}
}

/* The call @call on side @t, with its arguments drawn. */
static void or_gen_call(struct or_run *r, struct or_ctx *c,
			enum or_call call, unsigned int t)
{
	unsigned long q = r->side[t].quantum;

	memset(c, 0, sizeof(*c));
	c->call = call;
	c->side = t;
	c->req.quantum = q;
	c->req.maxaddr = VMEM_ADDR_MAX;
	c->vmflags = VMEM_NOSLEEP;
	c->req.size = 1;
	switch (call) {
	case OR_ALLOC:
		c->req.size = or_gen_size(r, q);
		c->policy = or_gen_policy(r, &c->vmflags);
		break;
	case OR_XALLOC:
		c->req.size = or_gen_size(r, q);
		c->req.align = or_gen_align(r, q);
		c->req.phase = or_gen_phase(r, q, c->req.align);
		c->req.nocross = or_gen_nocross(r, q, c->req.size);
		or_gen_window(r, c);
		c->policy = or_gen_policy(r, &c->vmflags);
		break;
	case OR_ID_ALLOC:
		c->policy = VMEM_NEXTFIT;
		break;
	case OR_ID_ALLOCFF:
		c->policy = VMEM_FIRSTFIT;
		break;
	default:
		if (!or_gen_id(r, t, &c->req.minaddr)) {
			c->call = OR_ID_ALLOCFF;
			c->policy = VMEM_FIRSTFIT;
			c->req.minaddr = 0;
			break;
		}
		c->req.maxaddr = c->req.minaddr;
		break;
	}
	if ((r->ops & VMEM_OR_OP_BADFLAGS) && !vmem_src_below(&r->src, 24)) {
		c->vmflags = or_gen_badflags(r);
		c->badflags = true;
	}
}

/* ---- the driver: operations ---- */

static int or_call_vmem(struct or_run *r, struct or_ctx *c)
{
	struct vmem *vm = r->side[c->side].vm;
	const struct vmem_oracle_req *q = &c->req;
	int ret;

	c->addr = OR_POISON;
	or_changed(r);
	switch (c->call) {
	case OR_ALLOC:
		return vmem_alloc(vm, q->size, c->vmflags, &c->addr);
	case OR_XALLOC:
		return vmem_xalloc(vm, q->size, q->align, q->phase, q->nocross,
				   q->minaddr, q->maxaddr, c->vmflags,
				   &c->addr);
	case OR_ID_ALLOC:
		return vmem_id_alloc(vm, c->vmflags, &c->addr);
	case OR_ID_ALLOCFF:
		return vmem_id_allocff(vm, c->vmflags, &c->addr);
	default:
		ret = vmem_id_alloc_specific(vm, q->minaddr, c->vmflags);
		if (!ret)
			c->addr = q->minaddr;
		return ret;
	}
}

/* The result of a request with a fit in the arena: where policy says. */
static int or_check_placement(struct or_run *r, struct or_ctx *c)
{
	struct vmem_oracle *o = &r->side[c->side].o;
	const struct vmem_oracle_answer *a = &c->ans;
	unsigned long want;

	if (c->loose ||
	    (c->policy == VMEM_NEXTFIT && r->side[c->side].rotor_lost)) {
		r->st.nloose++;
		return 0;
	}
	switch (c->policy) {
	case VMEM_FIRSTFIT:
		want = a->lowest;
		break;
	case VMEM_TOPDOWN:
		want = a->highest;
		break;
	case VMEM_NEXTFIT:
		want = a->next;
		break;
	case VMEM_BESTFIT:
		r->st.nplaced++;
		if (vmem_oracle_is_best(o, &c->req, c->size, a, c->addr))
			return 0;
		return or_req_fail(r, c,
				   "best fit: %#lx is not the lowest fit of a free segment of the smallest size",
				   c->addr);
	default:
		return 0;
	}
	r->st.nplaced++;
	if (c->addr != want)
		return or_req_fail(r, c, "the policy's place is %#lx", want);
	return 0;
}

/* vmem_walk() of a child's spans into the run's buffer. */
struct or_walk {
	struct or_span	*buf;
	unsigned int	max;
	unsigned int	n;	/* spans seen; may exceed max */
};

static void or_walk_span(void *arg, unsigned long addr, unsigned long size)
{
	struct or_walk *w = arg;

	if (w->n < w->max) {
		w->buf[w->n].start = addr;
		w->buf[w->n].size = size;
	}
	w->n++;
}

/*
 * The request imported a span: find it, check it came from the source's
 * free space, record it in both oracles, and check the result lies in it
 * (at the lowest fit at or above the rotor there, for next fit).
 */
static int or_take_import(struct or_run *r, struct or_ctx *c)
{
	struct or_side *cs = &r->side[0], *ss = &r->side[1];
	unsigned long ns = 0, nl = 0, q = or_big_quantum(r), first, want;
	struct or_walk w = { .buf = r->wbuf, .max = r->wmax };
	const struct vmem_stats *st = or_stats(r, 0);
	unsigned long start, size;
	unsigned int n, i, nnew = 0;

	/*
	 * One span more, of mem_total's growth: it holds the result and lay
	 * in the source's free space.  Try the places that allows (a few);
	 * else walk the spans to say what happened.
	 */
	nl = st->mem_total - cs->o.total;
	if (st->nspans == cs->o.nspans + 1 && st->mem_total > cs->o.total &&
	    nl >= c->size) {
		for (ns = c->addr - c->addr % q; c->addr - ns <= nl - c->size;
		     ns -= q) {
			if (vmem_oracle_is_free(&ss->o, ns, nl) &&
			    vmem_contains(cs->vm, ns, nl))
				goto found;
			if (!ns)
				break;
		}
	}
	vmem_walk(cs->vm, VMEM_SPAN, or_walk_span, &w);
	n = w.n;
	if (n > w.max)
		return or_req_fail(r, c,
				   "the child has %u spans, more than the run keeps track of",
				   n);
	for (i = 0; i < n; i++) {
		if (vmem_oracle_span_of(&cs->o, w.buf[i].start, &start,
					&size, NULL) &&
		    start == w.buf[i].start && size == w.buf[i].size)
			continue;
		ns = w.buf[i].start;
		nl = w.buf[i].size;
		nnew++;
	}
	if (nnew != 1 || n != cs->o.nspans + 1)
		return or_req_fail(r, c,
				   "after the call the child has %u spans, %u of them new; the oracle had %u",
				   n, nnew, cs->o.nspans);
found:
	if (ns % q || nl % q)
		return or_req_fail(r, c,
				   "the span imported, [%#lx, +%#lx), is not made of whole quanta %#lx of both arenas",
				   ns, nl, q);
	if (!vmem_oracle_is_free(&ss->o, ns, nl))
		return or_req_fail(r, c,
				   "the span imported, [%#lx, +%#lx), was not free inside one span of the source",
				   ns, nl);
	if (vmem_oracle_add_span(&cs->o, ns, nl, true))
		return or_req_fail(r, c,
				   "the span imported, [%#lx, +%#lx), overlaps a span of the child",
				   ns, nl);
	vmem_oracle_mark(&ss->o, ns, nl, true);	/* free: checked above */
	if (c->addr < ns || c->addr - ns > nl - 1 ||
	    !vmem_oracle_fits(&cs->o, &c->req, c->size, c->addr))
		return or_req_fail(r, c,
				   "the result is not a fit inside the span just imported, [%#lx, +%#lx)",
				   ns, nl);
	r->st.nimport++;
	if (c->policy != VMEM_NEXTFIT || cs->rotor_lost ||
	    (r->flags & VMEM_OR_NO_NEXTFIT_IMPORT))
		return 0;
	first = max(ns, cs->rotor);
	r->st.nplaced++;
	if (vmem_oracle_lowest_in(&cs->o, &c->req, c->size, first,
				  ns + (nl - 1), &want) && want != c->addr)
		return or_req_fail(r, c,
				   "next fit after an import: the lowest fit at or above the rotor %#lx in the new span [%#lx, +%#lx) is %#lx",
				   cs->rotor, ns, nl, want);
	return 0;
}

/* A request vmem granted and the oracle says it had to: check, record. */
static int or_accept(struct or_run *r, struct or_ctx *c)
{
	struct or_side *s = &r->side[c->side];
	struct or_live *l;
	int ret;

	if (!vmem_oracle_satisfies(&c->req, c->size, c->addr))
		return or_req_fail(r, c, "the result violates the request");
	if (or_stats(r, c->side)->mem_total == s->o.total) {
		if (!c->fit)
			return or_req_fail(r, c,
					   "the result is not in the source's free space, and no span was imported");
		if (!vmem_oracle_fits(&s->o, &c->req, c->size, c->addr))
			return or_req_fail(r, c,
					   "the result is not free inside one span");
		ret = or_check_placement(r, c);
	} else if (!or_importing(r, c->side)) {
		return or_req_fail(r, c,
				   "the arena's spans changed from %#lx to %#lx integers",
				   s->o.total, or_stats(r, c->side)->mem_total);
	} else if (c->fit) {
		return or_req_fail(r, c,
				   "the child imported a span although it holds a fit");
	} else {
		ret = or_take_import(r, c);
	}
	if (ret)
		return ret;
	if (vmem_oracle_mark(&s->o, c->addr, c->size, true))
		return or_req_fail(r, c, "the oracle cannot record the result");
	l = &r->live[r->nlive++];
	l->addr = c->addr;
	l->size = c->req.size;
	l->rsize = c->size;
	l->how = c->call;
	l->side = c->side;
	if (c->side == 1)
		r->direct += c->size;
	if (c->policy == VMEM_NEXTFIT && !c->cached) {
		s->rotor = c->addr + c->size;	/* 0 past the top */
		s->rotor_lost = false;
	}
	r->st.nok++;
	r->st.ncached += c->cached;
	return 0;
}

/* @c goes to a quantum cache of its arena. */
static bool or_is_cached(const struct or_run *r, const struct or_ctx *c)
{
	return (c->call == OR_ALLOC || c->call == OR_ID_ALLOC ||
		c->call == OR_ID_ALLOCFF) &&
	       or_routed(&r->side[c->side], c->req.size);
}

static bool or_nospace(int ret)
{
	return ret == -ENOSPC || (VMEM_ORACLE_ACCEPT_ENOMEM && ret == -ENOMEM);
}

/* One request: ask the oracle, ask vmem, compare. */
static int or_request(struct or_run *r, struct or_ctx *c)
{
	struct or_side *s = &r->side[c->side];
	struct or_rec *rec;

	c->check = vmem_oracle_req_check(&c->req, &c->size);
	if (c->badflags)
		c->check = -EINVAL;
	if (!c->check) {
		if (c->call == OR_ID_SPECIFIC &&
		    vmem_oracle_get(&s->o, c->req.minaddr) == VMEM_ORACLE_ALLOC)
			c->busy = true;
		else
			c->fit = vmem_oracle_solve(&s->o, &c->req, c->size,
						   s->rotor, &c->ans);
		if (!c->busy && !c->fit && or_importing(r, c->side))
			c->ifit = vmem_oracle_import_fit(&r->side[1].o,
							 &c->req, c->size,
							 r->side[1].quantum,
							 &c->ip, &c->ifirst,
							 &c->ilast);
	}
	/* a quantum cache's: validity only, and the rotor is lost */
	c->cached = or_is_cached(r, c);
	if (c->cached) {
		c->loose = true;
		if (!c->check)
			s->qalloc[or_qindex(s, c->req.size)]++;
		if (c->policy == VMEM_NEXTFIT)
			s->rotor_lost = true;
	}
	rec = or_rec(r, c->call, c->side);
	rec->flags = c->vmflags;
	rec->a[0] = c->req.size;
	rec->a[1] = c->req.align;
	rec->a[2] = c->req.phase;
	rec->a[3] = c->req.nocross;
	rec->a[4] = c->req.minaddr;
	rec->a[5] = c->req.maxaddr;
	c->ret = or_call_vmem(r, c);
	rec->ret = c->ret;
	rec->a[6] = c->addr;
	r->st.nreq++;

	if (c->check) {
		if (c->ret == -EINVAL) {
			r->st.neinval++;
			return 0;
		}
		return or_req_fail(r, c, "must be -EINVAL");
	}
	if (c->busy) {
		if (c->ret == -EBUSY) {
			r->st.nbusy++;
			return 0;
		}
		return or_req_fail(r, c, "must be -EBUSY");
	}
	if (!c->fit && !c->ifit) {
		if (or_nospace(c->ret)) {
			r->st.nnospc++;
			return 0;
		}
		return or_req_fail(r, c, "must be -ENOSPC");
	}
	if (c->ret)
		return or_req_fail(r, c, "must succeed");
	return or_accept(r, c);
}

/* Free live allocation @i with the call that matches its allocation. */
static int or_free_one(struct or_run *r, unsigned int i)
{
	struct or_live l = r->live[i];
	struct or_side *s = &r->side[l.side];
	struct or_rec *rec = or_rec(r, OR_FREE, l.side);
	unsigned long start, size;
	bool imported;

	r->live[i] = r->live[--r->nlive];
	or_changed(r);
	rec->a[0] = l.addr;
	rec->a[1] = l.size;
	switch (l.how) {
	case OR_ALLOC:
		vmem_free(s->vm, l.addr, l.size);
		break;
	case OR_XALLOC:
		vmem_xfree(s->vm, l.addr, l.size);
		break;
	default:
		vmem_id_free(s->vm, l.addr);
	}
	r->st.nfree++;
	if (l.how != OR_XALLOC && or_routed(s, l.size))
		s->qfree[or_qindex(s, l.size)]++;
	if (vmem_oracle_mark(&s->o, l.addr, l.rsize, false))
		return or_fail(r, "the oracle cannot free [%#lx, +%#lx)",
			       l.addr, l.rsize);
	if (l.side == 1)
		r->direct -= l.rsize;
	/* a wholly free imported span goes back to the source */
	if (!or_importing(r, l.side) ||
	    !vmem_oracle_span_of(&s->o, l.addr, &start, &size, &imported) ||
	    !imported || !vmem_oracle_is_free(&s->o, start, size))
		return 0;
	if (vmem_oracle_remove_span(&s->o, start, size) ||
	    vmem_oracle_mark(&r->side[1].o, start, size, false))
		return or_fail(r, "the oracle cannot give back [%#lx, +%#lx)",
			       start, size);
	/* the release function, vmem_free(), of a size the source caches */
	if (or_routed(&r->side[1], size))
		r->side[1].qfree[or_qindex(&r->side[1], size)]++;
	r->st.nrelease++;
	return 0;
}

static int or_op_free(struct or_run *r)
{
	return or_free_one(r, vmem_src_below(&r->src, r->nlive));
}

/*
 * Add a span: to the arena, or to the source of a pair (or, now and
 * then, to the child, outside the source's spans).  Sometimes a span
 * that overlaps one or is not aligned, which must be refused.
 */
static int or_op_add(struct or_run *r)
{
	unsigned int t = r->nsides == 2 && (vmem_src_u8(&r->src) & 3) ? 1 : 0;
	struct or_side *s = &r->side[t];
	unsigned long q = s->quantum, start, size;
	struct or_rec *rec;
	bool bad = false;
	u8 c = vmem_src_u8(&r->src);
	int ret, want = 0;

	if (c % 8 == 0 && or_find(r, t, VMEM_ORACLE_FREE, &start)) {
		start -= (start - s->o.base) % q;
		size = q * (1 + vmem_src_below(&r->src, 4));
		bad = true;
	} else if (s->o.nspans >= OR_MAX_SPANS ||
		   !or_gen_region(r, q, r->width / q / 4, &start, &size)) {
		return or_check_arenas(r);
	} else if (c % 8 == 1 && q > 1) {
		start++;
		bad = true;
	}
	if (bad)
		want = -EINVAL;
	rec = or_rec(r, OR_ADD, t);
	or_changed(r);
	rec->a[0] = start;
	rec->a[1] = size;
	if (r->kind == VMEM_OR_IDS && size - 1 < ULONG_MAX - start &&
	    (c & 0x10))
		ret = vmem_idspace_extend(s->vm, start, start + size);
	else
		ret = vmem_add(s->vm, start, size, VMEM_NOSLEEP);
	rec->ret = ret;
	if (ret != want)
		return or_fail(r, "vmem_add(%s, %#lx, %#lx) = %d, not %d",
			       s->name, start, size, ret, want);
	if (bad)
		return 0;
	if (vmem_oracle_add_span(&s->o, start, size, false))
		return or_fail(r, "the oracle cannot add [%#lx, +%#lx)",
			       start, size);
	if (r->nsides == 2 && t == 0)
		r->own += size;
	r->st.nadd++;
	return 0;
}

/* ---- the driver: arenas ---- */

static const unsigned int or_kinds[] = {
	VMEM_OR_FLAT, VMEM_OR_IDS, VMEM_OR_IMPORT,
};

static const unsigned int or_wheres[] = {
	VMEM_OR_AT_ZERO, VMEM_OR_AT_MIDDLE, VMEM_OR_AT_TOP,
};

/* One of the bits of @mask among @bits. */
static unsigned int or_pick(struct or_run *r, unsigned int mask,
			    const unsigned int *bits, unsigned int n)
{
	unsigned int i, k = 0, count = 0;

	for (i = 0; i < n; i++)
		count += !!(mask & bits[i]);
	k = vmem_src_below(&r->src, count);
	for (i = 0; i < n; i++)
		if ((mask & bits[i]) && !k--)
			return bits[i];
	return bits[0];
}

/* Where the window starts; spans and quanta need base % 64 == 0. */
static unsigned long or_gen_base(struct or_run *r)
{
	unsigned long w = r->width, top = ULONG_MAX - (w - 1);

	switch (or_pick(r, r->where, or_wheres, ARRAY_SIZE(or_wheres))) {
	case VMEM_OR_AT_ZERO:
		return 0;
	case VMEM_OR_AT_TOP:
		return top;
	}
	/* across the middle of the space, or anywhere between */
	if (!(vmem_src_u8(&r->src) & 3))
		return (1UL << (BITS_PER_LONG - 1)) -
		       64 * vmem_src_below(&r->src, w / 64 + 1);
	return 64 * (1 + vmem_src_below(&r->src, top / 64 - 1));
}

static const unsigned long or_flat_quanta[] = { 1, 1, 1, 2, 4, 8, 16, 64 };

static int or_side_create(struct or_run *r, unsigned int t,
			  unsigned long q, vmem_import_fn import,
			  struct vmem *source, bool span)
{
	struct or_side *s = &r->side[t];
	unsigned long start = 0, size = 0, qcache_max = 0, n;
	unsigned int flags = 0;
	struct or_rec *rec;
	u8 c = vmem_src_u8(&r->src), d;

	s->quantum = q;
	s->rotor = 0;
	s->rotor_lost = false;
	s->qmax = 0;
	s->nq = 0;
	memset(s->qalloc, 0, sizeof(s->qalloc));
	memset(s->qfree, 0, sizeof(s->qfree));
	or_changed(r);
	snprintf(s->name, sizeof(s->name), "vmem_or%lu%s", r->st.narenas,
		 t ? "s" : "");
	if (c & 1)
		flags |= VMC_IDENTIFIER;
	if (c & 2)
		flags |= VMC_NO_QCACHE;
	/*
	 * Quantum caches (not for an importing child): 1 to 16 quanta, now
	 * and then more (there are 16 caches at most), a few IDs for an ID
	 * space; sometimes VMC_NO_QCACHE says none all the same.
	 */
	if (r->qcache && !import) {
		d = vmem_src_u8(&r->src);
		if (r->qcache == VMEM_OR_QC_ALL || (d & 1)) {
			n = 1 + (d >> 1) % (r->kind == VMEM_OR_IDS ? 4 : 16);
			if ((d & 0xe0) == 0xe0)
				n += 8;
			qcache_max = n * q;
			flags &= ~VMC_NO_QCACHE;
			if ((c & 2) && (d & 0x10))
				flags |= VMC_NO_QCACHE;
			else
				s->nq = min_t(unsigned long, n, OR_NQCACHE);
			s->qmax = s->nq * q;
		}
	}
	if (span && !or_gen_region(r, q, r->width / q / 2, &start, &size))
		return or_fail(r, "no room for a span in an empty window");
	rec = or_rec(r, OR_CREATE, t);
	rec->a[0] = start;
	rec->a[1] = size;
	rec->a[2] = q;
	rec->a[3] = qcache_max;
	rec->flags = flags;
	if (r->kind == VMEM_OR_IDS && !qcache_max && size &&
	    size - 1 < ULONG_MAX - start)
		s->vm = vmem_idspace_create(s->name, start, start + size);
	else
		s->vm = vmem_create(s->name, start, size, q, import,
				    import ? vmem_free : NULL, source,
				    qcache_max,
				    r->kind == VMEM_OR_IDS ?
				    VMC_IDENTIFIER | (flags & VMC_NO_QCACHE) :
				    flags);
	if (IS_ERR_OR_NULL(s->vm)) {
		rec->ret = PTR_ERR_OR_ZERO(s->vm);
		s->vm = NULL;
		return or_fail(r, "creating %s ([%#lx, +%#lx), quantum %#lx) failed: %d",
			       s->name, start, size, q, rec->ret);
	}
	r->nsides = t + 1;
	r->st.ncaching += or_caches(s);
	if (size && vmem_oracle_add_span(&s->o, start, size, false))
		return or_fail(r, "the oracle cannot add [%#lx, +%#lx)",
			       start, size);
	return 0;
}

/*
 * Free what is still live, with vmem only (after a failure the oracles
 * may be wrong, but every live range is one vmem returned), then destroy
 * the child before its source: it gives its spans back.
 */
static void or_arena_destroy(struct or_run *r)
{
	unsigned int i;

	for (i = 0; i < r->nlive; i++) {
		const struct or_live *l = &r->live[i];
		struct vmem *vm = r->side[l->side].vm;

		if (l->how == OR_ALLOC)
			vmem_free(vm, l->addr, l->size);
		else if (l->how == OR_XALLOC)
			vmem_xfree(vm, l->addr, l->size);
		else
			vmem_id_free(vm, l->addr);
	}
	for (i = 0; i < r->nsides; i++) {
		vmem_destroy(r->side[i].vm);
		r->side[i].vm = NULL;
	}
	r->nsides = 0;
	r->nlive = 0;
}

static int or_arena_create(struct or_run *r)
{
	static const unsigned long iq[] = { 1, 2, 4, 8 };
	struct vmem_bytesrc *s = &r->src;
	unsigned long base = or_gen_base(r), q;
	unsigned int nadd, i;
	int ret;

	r->kind = or_pick(r, r->kinds, or_kinds, ARRAY_SIZE(or_kinds));
	r->ops_left = 256UL << (vmem_src_u8(s) % 3);
	r->own = 0;
	r->direct = 0;
	r->nlive = 0;
	vmem_oracle_reset(&r->side[0].o, base);
	vmem_oracle_reset(&r->side[1].o, base);
	nadd = vmem_src_u8(s) % 3;
	switch (r->kind) {
	case VMEM_OR_FLAT:
		q = or_flat_quanta[vmem_src_u8(s) % ARRAY_SIZE(or_flat_quanta)];
		ret = or_side_create(r, 0, min(q, r->width / 16), NULL, NULL,
				     vmem_src_u8(s) & 1);
		nadd += !r->side[0].o.nspans;
		break;
	case VMEM_OR_IDS:
		ret = or_side_create(r, 0, 1, NULL, NULL, true);
		break;
	default:
		/* the source first: the child's name follows it */
		r->nsides = 0;
		ret = or_side_create(r, 1, iq[vmem_src_u8(s) % 4], NULL, NULL,
				     true);
		if (ret)
			break;
		ret = or_side_create(r, 0, iq[vmem_src_u8(s) % 4], vmem_alloc,
				     r->side[1].vm, false);
		r->nsides = 2;
	}
	r->st.narenas++;
	for (i = 0; !ret && i < nadd; i++)
		ret = or_op_add(r);
	return ret ? ret : or_check_sizes(r, false);
}

/* Free everything, in random order; the arenas must be whole again. */
static int or_arena_end(struct or_run *r)
{
	struct or_rec *rec = or_rec(r, OR_DESTROY, 0);
	unsigned int i;
	int ret;

	rec->a[0] = r->nlive;
	ret = or_check_arenas(r);
	while (!ret && r->nlive) {
		ret = or_op_free(r);
		if (!ret)
			ret = or_check_sizes(r, true);
	}
	if (!ret && r->nsides == 2 && r->side[0].o.total != r->own)
		ret = or_fail(r, "the oracle kept imported spans");
	/* the caches give everything back: vmem_destroy() finds no leak */
	for (i = 0; !ret && i < r->nsides; i++)
		if (or_caches(&r->side[i]))
			ret = or_flush(r, i);
	if (!ret)
		ret = or_check_sizes(r, true);
	if (!ret)
		ret = or_check_arenas(r);
	or_arena_destroy(r);
	return ret;
}

enum or_cat {
	OR_C_ALLOC, OR_C_XALLOC, OR_C_ID, OR_C_FREE, OR_C_ADD, OR_C_SOURCE,
	OR_C_CHECK,
};

static bool or_can(const struct or_run *r, enum or_cat cat)
{
	bool room = r->nlive < r->max_live;

	switch (cat) {
	case OR_C_ALLOC:
		return room && (r->ops & VMEM_OR_OP_ALLOC);
	case OR_C_XALLOC:
		return room && (r->ops & VMEM_OR_OP_XALLOC);
	case OR_C_ID:
		return room && (r->ops & VMEM_OR_OP_ID) &&
		       r->side[0].quantum == 1;
	case OR_C_FREE:
		return r->nlive;
	case OR_C_ADD:
		return r->ops & VMEM_OR_OP_ADD;
	case OR_C_SOURCE:
		return room && r->nsides == 2 &&
		       (r->ops & VMEM_OR_OP_SOURCE) &&
		       (r->ops & (VMEM_OR_OP_ALLOC | VMEM_OR_OP_XALLOC));
	default:
		return true;
	}
}

/*
 * What step @pick (0-31) becomes: the drawn kind of operation if it is
 * allowed and possible, else the first of alloc, xalloc, ID, free that
 * is (a full arena frees).
 */
static enum or_cat or_category(const struct or_run *r, unsigned int pick)
{
	static const enum or_cat fallback[] = {
		OR_C_ALLOC, OR_C_XALLOC, OR_C_ID, OR_C_FREE, OR_C_CHECK,
	};
	enum or_cat cat;
	unsigned int i;

	if (pick < 9)
		cat = OR_C_ALLOC;
	else if (pick < 17)
		cat = OR_C_XALLOC;
	else if (pick < 21)
		cat = OR_C_ID;
	else if (pick < 29)
		cat = OR_C_FREE;
	else if (pick < 30)
		cat = OR_C_ADD;
	else
		cat = OR_C_SOURCE;
	if (cat != OR_C_FREE && cat != OR_C_ADD &&
	    r->nlive >= r->max_live)
		cat = OR_C_FREE;
	for (i = 0; !or_can(r, cat); i++)
		cat = fallback[i];
	return cat;
}

/*
 * One operation, then the counters of the arenas against the oracles:
 * after every change, and with vmem_arena_size() after a free.  A failed
 * request changes nothing it may not; should it change something anyway,
 * the next check sees it, the counters being cumulative.
 */
static int or_step(struct or_run *r)
{
	static const enum or_call idcalls[] = {
		OR_ID_ALLOC, OR_ID_ALLOC, OR_ID_ALLOCFF, OR_ID_SPECIFIC,
	};
	u8 b = vmem_src_u8(&r->src);
	enum or_call call = OR_ALLOC;
	unsigned int t = 0;
	struct or_ctx c;
	int ret;

	/* now and then a flush of a caching arena, on its own */
	if (or_caches(&r->side[r->nsides - 1]) || or_caches(&r->side[0])) {
		u8 f = vmem_src_u8(&r->src);

		if (f % 16 == 0) {
			t = or_caches(&r->side[0]) ? 0 : 1;
			if ((f & 0x10) && r->nsides == 2 &&
			    or_caches(&r->side[1]))
				t = 1;
			ret = or_flush(r, t);
			return ret ? ret : or_check_sizes(r, true);
		}
	}
	switch (or_category(r, b % 32)) {
	case OR_C_FREE:
		ret = or_op_free(r);
		return ret ? ret : or_check_sizes(r, true);
	case OR_C_ADD:
		ret = or_op_add(r);
		return ret ? ret : or_check_sizes(r, false);
	case OR_C_CHECK:
		return or_check_arenas(r);
	case OR_C_SOURCE:
		t = 1;
		if ((r->ops & VMEM_OR_OP_XALLOC) &&
		    (!(r->ops & VMEM_OR_OP_ALLOC) || (b & 0x80)))
			call = OR_XALLOC;
		break;
	case OR_C_ID:
		call = idcalls[vmem_src_u8(&r->src) % 4];
		break;
	case OR_C_XALLOC:
		call = OR_XALLOC;
		break;
	default:
		break;
	}
	or_gen_call(r, &c, call, t);
	/*
	 * A request the caches do not serve on an arena that caches: its
	 * exact place only right after a flush (see "Quantum caches").
	 */
	if (or_caches(&r->side[t]) && !or_is_cached(r, &c)) {
		if (vmem_src_u8(&r->src) & 1) {
			ret = or_flush(r, t);
			if (ret)
				return ret;
		} else {
			c.loose = true;
		}
	}
	ret = or_request(r, &c);
	if (ret || c.ret)
		return ret;
	return or_check_sizes(r, false);
}

static int or_loop(struct or_run *r)
{
	const struct vmem_oracle_params *p = r->p;
	int ret = 0;

	while (!ret && (!p->nops || r->op < p->nops) && !r->src.eof) {
		if (!r->nsides) {
			ret = or_arena_create(r);
			if (ret)
				break;
		}
		ret = or_step(r);
		r->op++;
		if (!ret && r->op % r->check_every == 0)
			ret = or_check_arenas(r);
		if (!ret && --r->ops_left == 0)
			ret = or_arena_end(r);
		if (p->progress && r->op % 256 == 0)
			p->progress(p->arg, r->op);
	}
	if (!ret && r->nsides)
		ret = or_arena_end(r);
	or_arena_destroy(r);
	r->st.nops = r->op;
	return ret;
}

static int or_start(const struct vmem_oracle_params *p,
		    struct vmem_bytesrc *src, char *err, size_t errlen)
{
	unsigned int allocs = VMEM_OR_OP_ALLOC | VMEM_OR_OP_XALLOC |
			      VMEM_OR_OP_ID;
	unsigned long width = p->width ? p->width : 1024;
	struct or_run *r;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (width < 64 || width > VMEM_ORACLE_MAX_WIDTH ||
	    !or_is_power_of_two(width) ||
	    (p->ops && !(p->ops & allocs)) ||
	    (p->kinds && !(p->kinds & VMEM_OR_ALL_KINDS)) ||
	    (p->where && !(p->where & VMEM_OR_ALL_WHERE)) ||
	    (p->policies && !(p->policies & VMEM_POLICY_MASK)) ||
	    p->qcache > VMEM_OR_QC_ALL)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->p = p;
	r->src = *src;
	r->err = err;
	r->errlen = err ? errlen : 0;
	r->width = width;
	r->kinds = p->kinds ? p->kinds : VMEM_OR_ALL_KINDS;
	r->where = p->where ? p->where : VMEM_OR_ALL_WHERE;
	r->ops = p->ops ? p->ops : VMEM_OR_ALL_OPS;
	r->policies = p->policies ? p->policies : VMEM_POLICY_MASK;
	r->flags = p->flags;
	r->qcache = p->qcache;
	r->max_live = p->max_live ? p->max_live : 64;
	r->check_every = p->check_every ? p->check_every : 64;
	/* the child's spans: one per live allocation at most, and its own */
	r->wmax = r->max_live + OR_MAX_SPANS + 4;
	r->live = kvmalloc_array(r->max_live, sizeof(*r->live), GFP_KERNEL);
	r->wbuf = kvmalloc_array(r->wmax, sizeof(*r->wbuf), GFP_KERNEL);
	ret = vmem_oracle_init(&r->side[0].o, 0, width);
	if (!ret)
		ret = vmem_oracle_init(&r->side[1].o, 0, width);
	if (!ret && (!r->live || !r->wbuf))
		ret = -ENOMEM;
	if (!ret)
		ret = or_loop(r);
	if (p->stats)
		*p->stats = r->st;
	vmem_oracle_destroy(&r->side[0].o);
	vmem_oracle_destroy(&r->side[1].o);
	kvfree(r->live);
	kvfree(r->wbuf);
	kfree(r);
	return ret;
}

/**
 * vmem_oracle_run() - Hold vmem against the oracle, seeded.
 * @p: the run's parameters; @p->nops must not be 0
 * @err: where a failure is described (the operation, the seed and
 *	parameters to redo it, the arena, the request, vmem's answer and
 *	the oracle's, then the last operations)
 * @errlen: its size; the message is always NUL-terminated if not 0
 *
 * Runs @p->nops operations drawn from the generator seeded with @p->seed
 * on a sequence of arenas (flat, identifier spaces, importing pairs)
 * whose windows lie at 0, in the middle or at the top of the space.
 * Every request is checked against the oracle: success iff feasible,
 * -ENOSPC otherwise, -EINVAL iff malformed; the result satisfies the
 * request and lies in free space; first fit, top-down, best fit and next
 * fit land where the oracle says; a child imports only without a fit and
 * then into a span from the source's free space; after every operation
 * vmem_arena_size() and the span counts agree with the oracles, and a
 * wholly free imported span has gone back to the source.  Arenas with
 * quantum caches (@p->qcache) are held to what the caches allow: see
 * "Quantum caches" in this file.
 *
 * Context: Process context: creates and destroys arenas.  Every
 * allocation is VMEM_NOSLEEP.
 * Return: 0 when vmem and the oracle agreed throughout; -EIO at the first
 * disagreement, with a message in @err; -EINVAL for bad @p; -ENOMEM.
 */
int vmem_oracle_run(const struct vmem_oracle_params *p, char *err,
		    size_t errlen)
{
	struct vmem_bytesrc src = { .random = true, .rng = p->seed };

	if (!p->nops)
		return -EINVAL;
	return or_start(p, &src, err, errlen);
}

/**
 * vmem_oracle_bytes() - Hold vmem against the oracle, decoding @data.
 * @data: the operations, as bytes (a fuzzer's input); any input is valid
 * @len: bytes in @data
 * @p: as vmem_oracle_run(); @p->seed is ignored, and @p->nops 0 runs
 *	until the input is used up
 * @err: as vmem_oracle_run()
 * @errlen: as vmem_oracle_run()
 *
 * Context: As vmem_oracle_run().
 * Return: As vmem_oracle_run().
 */
int vmem_oracle_bytes(const u8 *data, size_t len,
		      const struct vmem_oracle_params *p, char *err,
		      size_t errlen)
{
	struct vmem_bytesrc src = { .data = data, .len = len };

	return or_start(p, &src, err, errlen);
}
