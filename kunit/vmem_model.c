// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model of a vmem arena, the differential test that runs
 * vmem against it, and the worker of the concurrent test.  See
 * vmem_model.h for the interface and for the rules this file keeps so
 * that it compiles both in the kernel and in tools/testing/vmem/.
 *
 * Notation: a range is [start, start + size); its last integer is
 * start + size - 1 and is what every comparison uses, so that a range
 * may end at ULONG_MAX without anything overflowing.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmem.h>

#include "vmem_model.h"

/* ---- helpers ---- */

static bool vm_is_pow2(unsigned long x)
{
	return x && !(x & (x - 1));
}

static unsigned long range_last(const struct vmem_model_range *r)
{
	return r->start + (r->size - 1);
}

/* True iff [start, start + size) is empty or runs past ULONG_MAX. */
static bool range_bad(unsigned long start, unsigned long size)
{
	return !size || size - 1 > ULONG_MAX - start;
}

/* Number of entries of the sorted array @r whose start is <= @addr. */
static unsigned int count_le(const struct vmem_model_range *r,
			     unsigned int n, unsigned long addr)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the entry of @r containing @addr, or -1. */
static int find_in(const struct vmem_model_range *r, unsigned int n,
		   unsigned long addr)
{
	unsigned int i = count_le(r, n, addr);

	if (i && addr <= range_last(&r[i - 1]))
		return i - 1;
	return -1;
}

/* True iff [start, last] meets an entry of @r. */
static bool meets(const struct vmem_model_range *r, unsigned int n,
		  unsigned long start, unsigned long last)
{
	unsigned int i = count_le(r, n, last);

	return i && range_last(&r[i - 1]) >= start;
}

/* ---- the model ---- */

int vmem_model_init(struct vmem_model *m, unsigned long quantum,
		    unsigned int maxspans, unsigned int maxallocs)
{
	memset(m, 0, sizeof(*m));
	if (!vm_is_pow2(quantum) || !maxspans || !maxallocs)
		return -EINVAL;
	m->quantum = quantum;
	m->spans = kvmalloc_array(maxspans, sizeof(*m->spans), GFP_KERNEL);
	m->allocs = kvmalloc_array(maxallocs, sizeof(*m->allocs), GFP_KERNEL);
	if (!m->spans || !m->allocs) {
		vmem_model_destroy(m);
		return -ENOMEM;
	}
	m->maxspans = maxspans;
	m->maxallocs = maxallocs;
	return 0;
}

void vmem_model_destroy(struct vmem_model *m)
{
	kvfree(m->spans);
	kvfree(m->allocs);
	m->spans = NULL;
	m->allocs = NULL;
	m->maxspans = 0;
	m->maxallocs = 0;
	vmem_model_reset(m);
}

void vmem_model_reset(struct vmem_model *m)
{
	m->nspans = 0;
	m->nallocs = 0;
	m->inuse = 0;
	m->total = 0;
}

int vmem_model_add_span(struct vmem_model *m, unsigned long start,
			unsigned long size)
{
	unsigned int i;

	if (range_bad(start, size) || ((start | size) & (m->quantum - 1)))
		return -EINVAL;
	if (meets(m->spans, m->nspans, start, start + (size - 1)))
		return -EINVAL;
	if (m->nspans == m->maxspans)
		return -ENOSPC;
	i = count_le(m->spans, m->nspans, start);
	memmove(&m->spans[i + 1], &m->spans[i],
		(m->nspans - i) * sizeof(*m->spans));
	m->spans[i].start = start;
	m->spans[i].size = size;
	m->spans[i].tag = 0;
	m->nspans++;
	m->total += size;
	return 0;
}

bool vmem_model_contains(const struct vmem_model *m, unsigned long start,
			 unsigned long size)
{
	int i;

	if (range_bad(start, size))
		return false;
	i = find_in(m->spans, m->nspans, start);
	return i >= 0 && start + (size - 1) <= range_last(&m->spans[i]);
}

bool vmem_model_overlaps_span(const struct vmem_model *m,
			      unsigned long start, unsigned long size)
{
	unsigned long last;

	if (!size)
		return false;
	last = range_bad(start, size) ? ULONG_MAX : start + (size - 1);
	return meets(m->spans, m->nspans, start, last);
}

int vmem_model_insert(struct vmem_model *m, unsigned long start,
		      unsigned long size, unsigned long tag)
{
	unsigned int i;

	if (!vmem_model_contains(m, start, size))
		return -EINVAL;
	if (meets(m->allocs, m->nallocs, start, start + (size - 1)))
		return -EEXIST;
	if (m->nallocs == m->maxallocs)
		return -ENOSPC;
	i = count_le(m->allocs, m->nallocs, start);
	memmove(&m->allocs[i + 1], &m->allocs[i],
		(m->nallocs - i) * sizeof(*m->allocs));
	m->allocs[i].start = start;
	m->allocs[i].size = size;
	m->allocs[i].tag = tag;
	m->nallocs++;
	m->inuse += size;
	return 0;
}

int vmem_model_remove(struct vmem_model *m, unsigned long start,
		      unsigned long size, unsigned long *tagp)
{
	unsigned long q = m->quantum;
	unsigned int i = count_le(m->allocs, m->nallocs, start);
	struct vmem_model_range *r;

	if (!i || m->allocs[i - 1].start != start)
		return -ENOENT;
	r = &m->allocs[i - 1];
	/* Round as vmem_free() does; a size that cannot be rounded is wrong. */
	if (!size || size > ULONG_MAX - (q - 1) ||
	    ((size + (q - 1)) & ~(q - 1)) != r->size)
		return -EINVAL;
	if (tagp)
		*tagp = r->tag;
	m->inuse -= r->size;
	memmove(r, r + 1, (m->nallocs - i) * sizeof(*r));
	m->nallocs--;
	return 0;
}

int vmem_model_find(const struct vmem_model *m, unsigned long addr)
{
	return find_in(m->allocs, m->nallocs, addr);
}

/* a + b, or ULONG_MAX when the true sum is larger */
static unsigned long sat_add(unsigned long a, unsigned long b)
{
	return a > ULONG_MAX - b ? ULONG_MAX : a + b;
}

/*
 * Each kind is summed range by range, saturating: the true size of every
 * integer of a 64-bit space is 2^64, which vmem reports as ULONG_MAX.
 */
unsigned long vmem_model_size(const struct vmem_model *m,
			      unsigned int typemask)
{
	struct vmem_model_cursor c;
	struct vmem_model_range g;
	unsigned long sum = 0;
	unsigned int i;

	if (typemask & VMEM_ALLOC)
		for (i = 0; i < m->nallocs; i++)
			sum = sat_add(sum, m->allocs[i].size);
	if (typemask & VMEM_FREE) {
		vmem_model_cursor_init(&c);
		while (vmem_model_next_gap(m, &c, &g))
			sum = sat_add(sum, g.size);
	}
	if (typemask & VMEM_SPAN)
		for (i = 0; i < m->nspans; i++)
			sum = sat_add(sum, m->spans[i].size);
	return sum;
}

/* ---- gaps ---- */

void vmem_model_cursor_init(struct vmem_model_cursor *c)
{
	memset(c, 0, sizeof(*c));
}

bool vmem_model_next_gap(const struct vmem_model *m,
			 struct vmem_model_cursor *c,
			 struct vmem_model_range *gap)
{
	/*
	 * Allocations are sorted and each lies inside one span, so walking
	 * the spans in order with one index into the allocations visits
	 * every allocation once, in the span that holds it.
	 */
	while (c->span < m->nspans) {
		const struct vmem_model_range *sp = &m->spans[c->span];
		unsigned long slast = range_last(sp);
		const struct vmem_model_range *a;
		unsigned long glast;

		if (!c->inspan) {
			c->pos = sp->start;
			c->inspan = true;
		}
		/* Step over the allocations that start at pos. */
		while (c->alloc < m->nallocs &&
		       m->allocs[c->alloc].start == c->pos) {
			a = &m->allocs[c->alloc++];
			if (range_last(a) == slast)
				goto next_span;
			c->pos = range_last(a) + 1;
		}
		gap->start = c->pos;
		gap->tag = 0;
		if (c->alloc < m->nallocs &&
		    m->allocs[c->alloc].start <= slast) {
			glast = m->allocs[c->alloc].start - 1;
			c->pos = m->allocs[c->alloc].start;
		} else {
			glast = slast;
			c->span++;
			c->inspan = false;
		}
		gap->size = glast - gap->start + 1;
		return true;
next_span:
		c->span++;
		c->inspan = false;
	}
	return false;
}

unsigned int vmem_model_ngaps(const struct vmem_model *m)
{
	struct vmem_model_cursor c;
	struct vmem_model_range g;
	unsigned int n = 0;

	vmem_model_cursor_init(&c);
	while (vmem_model_next_gap(m, &c, &g))
		n++;
	return n;
}

/*
 * The free gap containing @addr, or false if @addr is allocated or in no
 * span.  O(log n).
 */
static bool model_gap_around(const struct vmem_model *m, unsigned long addr,
			     struct vmem_model_range *gap)
{
	int si = find_in(m->spans, m->nspans, addr);
	unsigned int ai;
	unsigned long start, last;

	if (si < 0 || vmem_model_find(m, addr) >= 0)
		return false;
	start = m->spans[si].start;
	last = range_last(&m->spans[si]);
	ai = count_le(m->allocs, m->nallocs, addr);
	if (ai && range_last(&m->allocs[ai - 1]) >= start)
		start = range_last(&m->allocs[ai - 1]) + 1;
	if (ai < m->nallocs && m->allocs[ai].start <= last)
		last = m->allocs[ai].start - 1;
	gap->start = start;
	gap->size = last - start + 1;
	gap->tag = 0;
	return true;
}

/* ---- constraints ---- */

/* A valid request with its defaults applied and its size rounded. */
struct nreq {
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	lo;	/* first integer allowed */
	unsigned long	hi;	/* last integer allowed */
};

static void req_normalize(const struct vmem_model *m,
			  const struct vmem_model_req *req, struct nreq *r);
static bool nreq_lowest(unsigned long gstart, unsigned long glast,
			const struct nreq *r, unsigned long *addrp);

int vmem_model_req_check(const struct vmem_model *m,
			 const struct vmem_model_req *req)
{
	unsigned long q = m->quantum;
	unsigned long align = req->align ? req->align : q;
	unsigned long addr;
	struct nreq r;

	if (!req->size)
		return -EINVAL;
	if (!vm_is_pow2(align) || align < q)
		return -EINVAL;
	if ((req->phase & (q - 1)) || req->phase >= align)
		return -EINVAL;
	if (req->nocross && (!vm_is_pow2(req->nocross) || req->nocross < q))
		return -EINVAL;
	if (req->minaddr > req->maxaddr)
		return -EINVAL;
	/* Past this point only the size can be wrong. */
	if (req->size > ULONG_MAX - (q - 1))
		return VMEM_MODEL_EINVAL_OR_ENOSPC;
	if (req->nocross && req->size > req->nocross)
		return -EINVAL;
	/*
	 * A request no arena could satisfy (a window below one quantum or
	 * above the last, phase + size past a nocross block, ...) may be
	 * refused as invalid or as out of room: vmem_xalloc() documents
	 * -EINVAL for some of these, and the tests of that are in the
	 * vmem_xalloc suite.  The whole address space is one gap here.
	 */
	req_normalize(m, req, &r);
	if (!nreq_lowest(0, ULONG_MAX, &r, &addr))
		return VMEM_MODEL_EINVAL_OR_ENOSPC;
	return 0;
}

static void req_normalize(const struct vmem_model *m,
			  const struct vmem_model_req *req, struct nreq *r)
{
	unsigned long q = m->quantum;

	r->size = (req->size + (q - 1)) & ~(q - 1);
	r->align = req->align ? req->align : q;
	r->phase = req->phase;
	r->nocross = req->nocross;
	r->lo = req->minaddr;
	r->hi = req->maxaddr;
}

static bool crosses(unsigned long addr, unsigned long size,
		    unsigned long nocross)
{
	return nocross &&
	       ((addr ^ (addr + (size - 1))) & ~(nocross - 1)) != 0;
}

/* The least c >= x with c == phase (mod align); false if it overflows. */
static bool up_to_phase(unsigned long x, const struct nreq *r,
			unsigned long *cp)
{
	/* A multiple of align plus phase < align cannot overflow. */
	unsigned long c = (x & ~(r->align - 1)) + r->phase;

	if (c < x) {
		if (c > ULONG_MAX - r->align)
			return false;
		c += r->align;
	}
	*cp = c;
	return true;
}

/* The greatest c <= x with c == phase (mod align); false if none. */
static bool down_to_phase(unsigned long x, const struct nreq *r,
			  unsigned long *cp)
{
	unsigned long c = (x & ~(r->align - 1)) + r->phase;

	if (c > x) {
		if (c < r->align)
			return false;
		c -= r->align;
	}
	*cp = c;
	return true;
}

/* Does [c, c + size) fit below hi?  Callers ensure c >= lo. */
static bool fits_below(unsigned long c, unsigned long hi, const struct nreq *r)
{
	return c <= hi && hi - c >= r->size - 1;
}

/*
 * The lowest candidate of [lo, hi].  Candidates are c == phase (mod
 * align).  If the first one crosses a nocross boundary B, every candidate
 * below B crosses it too (they end at or past B), so the next one to try
 * is the first at or after B.  That one has the smallest offset into its
 * nocross block that any candidate has (phase mod nocross when align >=
 * nocross, phase itself otherwise), so if it crosses as well, every
 * candidate does: one bump decides.
 */
static bool nreq_lowest(unsigned long gstart, unsigned long glast,
			const struct nreq *r, unsigned long *addrp)
{
	unsigned long lo = max(gstart, r->lo), hi = min(glast, r->hi);
	unsigned long c;

	if (lo > hi || !up_to_phase(lo, r, &c) || !fits_below(c, hi, r))
		return false;
	if (crosses(c, r->size, r->nocross)) {
		/* c | (nocross - 1) < c + size - 1 <= hi: no overflow. */
		unsigned long b = (c | (r->nocross - 1)) + 1;

		if (!up_to_phase(b, r, &c) || !fits_below(c, hi, r) ||
		    crosses(c, r->size, r->nocross))
			return false;
	}
	*addrp = c;
	return true;
}

/*
 * The highest candidate of [lo, hi]: mirror of nreq_lowest().  If the
 * highest candidate that ends by hi crosses the boundary B inside it,
 * the next one down must end before B.
 */
static bool nreq_highest(unsigned long gstart, unsigned long glast,
			 const struct nreq *r, unsigned long *addrp)
{
	unsigned long lo = max(gstart, r->lo), hi = min(glast, r->hi);
	unsigned long c;

	if (lo > hi || hi - lo < r->size - 1)
		return false;
	if (!down_to_phase(hi - (r->size - 1), r, &c) || c < lo)
		return false;
	if (crosses(c, r->size, r->nocross)) {
		unsigned long b = (c + (r->size - 1)) & ~(r->nocross - 1);

		if (b < r->size || !down_to_phase(b - r->size, r, &c) ||
		    c < lo || crosses(c, r->size, r->nocross))
			return false;
	}
	*addrp = c;
	return true;
}

bool vmem_model_req_satisfied(const struct vmem_model *m,
			      const struct vmem_model_req *req,
			      unsigned long addr)
{
	struct nreq r;

	if (vmem_model_req_check(m, req))
		return false;
	req_normalize(m, req, &r);
	return addr >= r.lo && fits_below(addr, r.hi, &r) &&
	       (addr & (r.align - 1)) == r.phase &&
	       !crosses(addr, r.size, r.nocross);
}

/*
 * Search every gap.  *addrp gets the address @policy must choose and
 * *gapsizep the size of its gap (see vmem_model_feasible()).
 */
static bool model_search(const struct vmem_model *m, const struct nreq *r,
			 unsigned int policy, unsigned long *addrp,
			 unsigned long *gapsizep)
{
	struct vmem_model_cursor c;
	struct vmem_model_range g;
	unsigned long addr, best = 0, bestsize = 0;
	bool found = false;

	vmem_model_cursor_init(&c);
	while (vmem_model_next_gap(m, &c, &g)) {
		unsigned long glast = range_last(&g);

		if (policy == VMEM_TOPDOWN) {
			if (nreq_highest(g.start, glast, r, &addr)) {
				best = addr;
				bestsize = g.size;
				found = true;
			}
			continue;
		}
		if (!nreq_lowest(g.start, glast, r, &addr))
			continue;
		if (policy != VMEM_BESTFIT) {
			best = addr;
			bestsize = g.size;
			found = true;
			break;
		}
		if (!found || g.size < bestsize) {
			best = addr;
			bestsize = g.size;
			found = true;
		}
	}
	if (found) {
		if (addrp)
			*addrp = best;
		if (gapsizep)
			*gapsizep = bestsize;
	}
	return found;
}

bool vmem_model_feasible(const struct vmem_model *m,
			 const struct vmem_model_req *req,
			 unsigned int policy, unsigned long *addrp)
{
	struct nreq r;

	if (vmem_model_req_check(m, req))
		return false;
	req_normalize(m, req, &r);
	return model_search(m, &r, policy, addrp, NULL);
}

/* ---- the differential test ---- */

/*
 * Operations are decoded from a struct vmem_bytesrc (vmem_model.h): the
 * input of a fuzzer, or the bytes of a splitmix64 stream.  Either way the
 * same decoder runs, so a seed and a byte string name the same kind of
 * run.
 */

enum dt_optype {
	DT_ALLOC, DT_XALLOC, DT_FREE, DT_ADD, DT_WALK, DT_CONTAINS,
	DT_BADFREE, DT_CHECK, DT_CREATE, DT_DESTROY,
};

static const char * const dt_opname[] = {
	[DT_ALLOC] = "alloc", [DT_XALLOC] = "xalloc", [DT_FREE] = "free",
	[DT_ADD] = "add", [DT_WALK] = "walk", [DT_CONTAINS] = "contains",
	[DT_BADFREE] = "badfree", [DT_CHECK] = "check",
	[DT_CREATE] = "create", [DT_DESTROY] = "destroy",
};

/* Tags of model allocations: which call made them. */
#define DT_TAG_ALLOC	1UL
#define DT_TAG_XALLOC	2UL

/* One operation, kept for the failure report. */
struct dt_rec {
	unsigned long	op;
	enum dt_optype	type;
	unsigned int	flags;
	int		ret;
	unsigned long	a[7];
};

#define DT_NREC		12
#define DT_NAMELEN	24

/* Append to @buf at *@off, never past @len; only vsnprintf() needed. */
static __printf(4, 5) void buf_append(char *buf, size_t len, size_t *off,
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

struct dt {
	const struct vmem_difftest_params *p;
	struct vmem_difftest_stats st;
	struct vmem_bytesrc		src;
	struct vmem_model	m;
	struct vmem		*vm;
	char			name[DT_NAMELEN];
	unsigned int		qshift;
	unsigned long		quantum;
	unsigned long		maxunit;	/* ULONG_MAX >> qshift */
	unsigned long		ops_left;	/* in this arena */
	unsigned long		op;		/* operations run, in all */
	unsigned long		arena_nalloc;
	unsigned long		arena_nfree;
	unsigned long		arena_nbadfree;
	/* where the last NEXTFIT allocation ended: NEXTFIT starts there */
	unsigned long		rotor;
	unsigned int		max_live;
	unsigned int		max_spans;
	/* vmem_alloc() of sizes up to this goes to a quantum cache */
	unsigned long		qcache_max;
	struct vmem_model_range	*wbuf;		/* vmem_walk() results */
	unsigned int		wmax;
	struct dt_rec		rec[DT_NREC];
	unsigned int		nrec;
	char			*err;
	size_t			errlen;
	bool			failed;
};

static struct dt_rec *dt_rec(struct dt *dt, enum dt_optype type)
{
	struct dt_rec *r = &dt->rec[dt->nrec++ % DT_NREC];

	memset(r, 0, sizeof(*r));
	r->op = dt->op;
	r->type = type;
	return r;
}

/* Append the last operations to the message. */
static void dt_dump_recs(struct dt *dt, size_t *off)
{
	unsigned int i, n = min_t(unsigned int, dt->nrec, DT_NREC);

	for (i = dt->nrec - n; i != dt->nrec && *off < dt->errlen; i++) {
		const struct dt_rec *r = &dt->rec[i % DT_NREC];

		buf_append(dt->err, dt->errlen, off,
			   "\n  op %lu %s flags=%#x ret=%d args=%#lx %#lx %#lx %#lx %#lx %#lx %#lx",
			   r->op, dt_opname[r->type], r->flags, r->ret,
			   r->a[0], r->a[1], r->a[2], r->a[3], r->a[4],
			   r->a[5], r->a[6]);
	}
}

static __printf(2, 3) int dt_fail(struct dt *dt, const char *fmt, ...)
{
	size_t off = 0;
	va_list args;

	if (dt->failed || !dt->errlen)
		goto out;
	buf_append(dt->err, dt->errlen, &off,
		   "op %lu, arena %s (quantum %#lx, %u spans, %u live, seed %llu): ",
		   dt->op, dt->name, dt->quantum, dt->m.nspans,
		   dt->m.nallocs, (unsigned long long)dt->p->seed);
	if (off + 1 < dt->errlen) {
		va_start(args, fmt);
		vsnprintf(dt->err + off, dt->errlen - off, fmt, args);
		va_end(args);
		off = strlen(dt->err);
	}
	dt_dump_recs(dt, &off);
out:
	dt->failed = true;
	return -EIO;
}

/* ---- generators ---- */

static unsigned long dt_units(struct dt *dt, unsigned long units)
{
	if (!units)
		units = 1;
	return min(units, dt->maxunit) << dt->qshift;
}

/*
 * A span [*startp, *startp + *sizep): at 0, ending at ULONG_MAX, in the
 * middle, next to a span, overlapping one, or anywhere.  Sizes are in
 * quanta: mostly small, so that allocations collide, sometimes huge.
 */
static void dt_gen_span(struct dt *dt, unsigned long *startp,
			unsigned long *sizep)
{
	struct vmem_bytesrc *s = &dt->src;
	unsigned long ulen, ustart, maxunit = dt->maxunit;
	u8 c = vmem_src_u8(s);

	switch (c % 8) {
	case 0: case 1: case 2: case 3:
		ulen = 1 + vmem_src_below(s, 16);
		break;
	case 4: case 5:
		ulen = 1 + vmem_src_below(s, 256);
		break;
	case 6:
		ulen = 1 + vmem_src_below(s, 4096);
		break;
	default:
		ulen = vmem_src_ulong(s) >> (c >> 3);
		break;
	}
	/* A span holds at most ULONG_MAX integers: 1 .. maxunit quanta. */
	ulen = clamp(ulen, 1UL, maxunit);

	c = vmem_src_u8(s);
	if (dt->m.nspans && (c % 8) >= 3 && (c % 8) <= 5) {
		const struct vmem_model_range *sp =
			&dt->m.spans[vmem_src_below(s, dt->m.nspans)];
		unsigned long sfirst = sp->start >> dt->qshift;
		unsigned long slast = range_last(sp) >> dt->qshift;

		if (c % 8 == 3 && slast < maxunit) {
			ustart = slast + 1;		/* just after */
			ulen = min(ulen, maxunit - ustart + 1);
			goto out;
		}
		if (c % 8 == 4 && sfirst >= ulen) {
			ustart = sfirst - ulen;		/* just before */
			goto out;
		}
		/* Overlapping: vmem_add() must refuse it. */
		ustart = sfirst + vmem_src_below(s, slast - sfirst + 1);
		ulen = min(ulen, maxunit - ustart + 1);
		goto out;
	}
	switch (c % 8) {
	case 0:
		ustart = 0;
		break;
	case 1:
		ustart = maxunit - ulen + 1;		/* ends at ULONG_MAX */
		break;
	case 2:
		/* Around the middle of the space, 2^(BITS_PER_LONG - 1). */
		ustart = (maxunit >> 1) + 1;
		ustart -= min(ustart, vmem_src_below(s, ulen + 1));
		ustart = min(ustart, maxunit - ulen + 1);
		break;
	default:
		/* Any start from 0 to maxunit - ulen + 1. */
		ustart = vmem_src_ulong(s);
		if (maxunit - ulen + 1 != ULONG_MAX)
			ustart %= maxunit - ulen + 2;
		break;
	}
out:
	*startp = ustart << dt->qshift;
	*sizep = ulen << dt->qshift;
}

/* A random gap of the model, or false if there is none. */
static bool dt_pick_gap(struct dt *dt, struct vmem_model_range *gap)
{
	struct vmem_model_cursor c;
	unsigned int n = vmem_model_ngaps(&dt->m), i;

	if (!n)
		return false;
	i = vmem_src_below(&dt->src, n);
	vmem_model_cursor_init(&c);
	while (vmem_model_next_gap(&dt->m, &c, gap))
		if (!i--)
			return true;
	return false;
}

/*
 * A request size: mostly a few quanta, sometimes the size of a gap (an
 * exact fit), of a span, huge, one that cannot be rounded, or 0.  Often
 * not a multiple of the quantum, to exercise rounding.
 */
static unsigned long dt_gen_size(struct dt *dt)
{
	struct vmem_bytesrc *s = &dt->src;
	struct vmem_model_range g;
	unsigned long size, q = dt->quantum;
	u8 c = vmem_src_u8(s);

	switch (c % 32) {
	case 0 ... 15:
		size = dt_units(dt, 1 + (c >> 5) % 8);
		break;
	case 16 ... 21:
		size = dt_units(dt, 1 + vmem_src_below(s, 64));
		break;
	case 22 ... 23:
		size = dt_units(dt, 1 + vmem_src_below(s, 1UL << vmem_src_below(s, 24)));
		break;
	case 24 ... 25:
		size = dt_pick_gap(dt, &g) ? g.size : q;
		break;
	case 26 ... 27:
		size = dt->m.nspans ?
		       dt->m.spans[vmem_src_below(s, dt->m.nspans)].size : q;
		break;
	case 28 ... 29:
		size = dt_units(dt, vmem_src_ulong(s) >> dt->qshift);
		break;
	case 30:
		/* ULONG_MAX - q + 1 is the largest size that rounds. */
		size = ULONG_MAX - (q - 1) + vmem_src_below(s, min(q, 4UL));
		return size;
	default:
		return 0;
	}
	if (q > 1 && !(vmem_src_u8(s) & 3))
		size -= vmem_src_below(s, q);	/* still rounds up to size */
	return size;
}

/* An address around a span edge, or an edge of the address space. */
static unsigned long dt_gen_addr(struct dt *dt)
{
	struct vmem_bytesrc *s = &dt->src;
	const struct vmem_model_range *sp;
	unsigned long addr;
	u8 c = vmem_src_u8(s);

	if (!dt->m.nspans || c % 16 == 15)
		return (c & 0x10) ? ULONG_MAX : 0;
	if (c % 16 == 14)
		return vmem_src_ulong(s);
	sp = &dt->m.spans[vmem_src_below(s, dt->m.nspans)];
	switch (c % 8) {
	case 0:
		addr = sp->start;
		break;
	case 1:
		addr = range_last(sp);
		break;
	case 2:
		addr = range_last(sp) + 1;	/* may wrap to 0: also an edge */
		break;
	case 3:
		addr = sp->start - 1;
		break;
	default:
		addr = sp->start + vmem_src_below(s, sp->size);
		break;
	}
	if (dt->quantum > 1 && (c & 0x20)) {
		unsigned long jitter = vmem_src_below(s, dt->quantum);

		addr = addr > ULONG_MAX - jitter ? ULONG_MAX : addr + jitter;
	}
	return addr;
}

/* ilog2 of the smallest power of two >= x; BITS_PER_LONG if none. */
static unsigned int log2_up(unsigned long x)
{
	if (x <= 1)
		return 0;
	return fls_long(x - 1);
}

static unsigned long dt_gen_pow2(struct dt *dt, unsigned int minshift)
{
	struct vmem_bytesrc *s = &dt->src;
	unsigned int shift, room = BITS_PER_LONG - 1 - minshift;
	u8 c = vmem_src_u8(s);

	if (minshift > BITS_PER_LONG - 1)
		return 0;
	if (c & 0xc0)
		shift = minshift + vmem_src_below(s, min(room, 5U) + 1);
	else
		shift = minshift + vmem_src_below(s, room + 1);
	return 1UL << shift;
}

/*
 * Constraints for vmem_xalloc(): usually valid, at 0 and ULONG_MAX edges
 * among others, and now and then invalid in one way (the model tells the
 * expected -EINVAL).
 */
static void dt_gen_req(struct dt *dt, struct vmem_model_req *req)
{
	struct vmem_bytesrc *s = &dt->src;
	unsigned long q = dt->quantum, size_r;
	u8 c = vmem_src_u8(s), bad = vmem_src_u8(s);

	memset(req, 0, sizeof(*req));
	req->maxaddr = VMEM_ADDR_MAX;
	req->size = dt_gen_size(dt);
	size_r = req->size > ULONG_MAX - (q - 1) ? 0 :
		 (req->size + (q - 1)) & ~(q - 1);

	if (c & 3)
		req->align = dt_gen_pow2(dt, dt->qshift);
	if (req->align && (c & 4))
		req->phase = vmem_src_below(s, req->align >> dt->qshift) <<
			     dt->qshift;
	if ((c & 0x18) == 0 && size_r)
		req->nocross = dt_gen_pow2(dt, max(log2_up(size_r),
						   dt->qshift));
	switch ((c >> 5) & 7) {
	case 0: case 1: case 2:
		break;
	case 3:
		req->minaddr = dt_gen_addr(dt);
		break;
	case 4:
		req->maxaddr = dt_gen_addr(dt);
		break;
	case 5:
		req->minaddr = dt_gen_addr(dt);
		req->maxaddr = req->minaddr +
			       min(ULONG_MAX - req->minaddr,
				   vmem_src_below(s, 4 * size_r + 2));
		break;
	case 6:
		req->minaddr = dt_gen_addr(dt);
		req->maxaddr = dt_gen_addr(dt);
		if (req->maxaddr < req->minaddr) {
			unsigned long t = req->minaddr;

			req->minaddr = req->maxaddr;
			req->maxaddr = t;
		}
		break;
	default:
		req->minaddr = (bad & 1) ? ULONG_MAX - (q - 1) : ULONG_MAX;
		req->maxaddr = (bad & 2) ? ULONG_MAX : 0;
		break;
	}

	/* One invalid argument in 32 requests. */
	switch (bad % 128) {
	case 0:
		req->align = q > 1 ? q >> 1 : 3;
		break;
	case 1:
		if (q <= ULONG_MAX / 3)
			req->align = 3 * q;
		break;
	case 2:
		req->phase = req->align ? req->align : q;
		break;
	case 3:
		if (q > 1)
			req->phase |= 1;
		break;
	default:
		break;
	}
	if (bad % 128 == 4 && size_r > q)
		req->nocross = 1UL << (log2_up(size_r) - 1);
	if (bad % 128 == 5 && q > 1)
		req->nocross = 3;
	if (bad % 128 == 6 && req->minaddr > 1)
		req->maxaddr = req->minaddr - 1;
}

static unsigned int dt_gen_policy(struct dt *dt)
{
	static const unsigned int policies[] = {
		0, VMEM_INSTANTFIT, VMEM_BESTFIT, VMEM_FIRSTFIT,
		VMEM_NEXTFIT, VMEM_TOPDOWN, VMEM_FIRSTFIT, VMEM_BESTFIT,
	};

	return policies[vmem_src_u8(&dt->src) % ARRAY_SIZE(policies)];
}

/* Invalid flags, now and then; *invalid says so. */
static unsigned int dt_gen_bad_flags(struct dt *dt, unsigned int flags,
				     bool *invalid)
{
	u8 c = vmem_src_u8(&dt->src);

	*invalid = true;
	switch (c % 128) {
	case 0:
		return flags & ~VMEM_SLEEP_MASK;
	case 1:
		return flags | VMEM_SLEEP_MASK;
	case 2:
		return flags | VMEM_FIRSTFIT | VMEM_TOPDOWN;
	default:
		*invalid = false;
		return flags;
	}
}

/* ---- checks ---- */

static int dt_check_sizes(struct dt *dt)
{
	static const unsigned int masks[] = {
		VMEM_ALLOC, VMEM_FREE, VMEM_SPAN, VMEM_ALLOC | VMEM_FREE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		unsigned long got = vmem_arena_size(dt->vm, masks[i]);
		unsigned long want = vmem_model_size(&dt->m, masks[i]);

		if (got != want)
			return dt_fail(dt,
				       "vmem_arena_size(%#x) = %#lx, model %#lx",
				       masks[i], got, want);
	}
	return 0;
}

static int dt_check_stats(struct dt *dt)
{
	struct vmem_stats st;
	unsigned long nsegs = dt->m.nspans + dt->m.nallocs +
			      vmem_model_ngaps(&dt->m);

	unsigned long inuse = vmem_model_size(&dt->m, VMEM_ALLOC);
	unsigned long free = vmem_model_size(&dt->m, VMEM_FREE);
	unsigned long total = vmem_model_size(&dt->m, VMEM_SPAN);

	vmem_get_stats(dt->vm, &st);
	if (st.mem_inuse != inuse || st.mem_free != free ||
	    st.mem_total != total || st.mem_import ||
	    st.nspans != dt->m.nspans)
		return dt_fail(dt,
			       "stats: inuse %#lx free %#lx total %#lx import %#lx nspans %lu, model %#lx %#lx %#lx 0 %u",
			       st.mem_inuse, st.mem_free, st.mem_total,
			       st.mem_import, st.nspans, inuse, free, total,
			       dt->m.nspans);
	/* with caches, the segment counters count refills and drains */
	if ((!dt->qcache_max && (st.nalloc != dt->arena_nalloc ||
				 st.nfree != dt->arena_nfree)) ||
	    st.nbadfree != dt->arena_nbadfree)
		return dt_fail(dt,
			       "stats: nalloc %llu nfree %llu nbadfree %llu, expected %lu %lu %lu",
			       (unsigned long long)st.nalloc,
			       (unsigned long long)st.nfree,
			       (unsigned long long)st.nbadfree,
			       dt->arena_nalloc, dt->arena_nfree,
			       dt->arena_nbadfree);
	/* cached ranges are allocated segments the model does not have */
	if (dt->qcache_max && st.mem_cached)
		return 0;
	/* identifier leaves are allocated segments the model does not have */
	if (st.nleaves)
		return 0;
	if (st.nsegs != nsegs)
		return dt_fail(dt,
			       "stats: nsegs %lu, model %lu (spans + allocated + free segments)",
			       st.nsegs, nsegs);
	return 0;
}

static int dt_check(struct dt *dt)
{
	int ret = vmem_check(dt->vm);

	dt->st.ncheck++;
	if (ret)
		return dt_fail(dt, "vmem_check() = %d", ret);
	if (dt->p->flags & VMEM_DT_STATS)
		return dt_check_stats(dt);
	return 0;
}

struct dt_walk {
	struct vmem_model_range	*buf;
	unsigned int		n;
	unsigned int		max;
	bool			overflow;
};

static void dt_walk_cb(void *arg, unsigned long addr, unsigned long size)
{
	struct dt_walk *w = arg;

	if (w->n == w->max) {
		w->overflow = true;
		return;
	}
	w->buf[w->n].start = addr;
	w->buf[w->n].size = size;
	w->n++;
}

/* The next entry vmem_walk(@mask) must report, in address order. */
static bool dt_walk_next(struct dt *dt, unsigned int mask,
			 struct vmem_model_cursor *c, unsigned int *ai,
			 bool *havegap, struct vmem_model_range *gap,
			 struct vmem_model_range *out)
{
	const struct vmem_model *m = &dt->m;

	if (mask == VMEM_SPAN) {
		if (*ai == m->nspans)
			return false;
		*out = m->spans[(*ai)++];
		return true;
	}
	if ((mask & VMEM_FREE) && !*havegap)
		*havegap = vmem_model_next_gap(m, c, gap);
	if (mask & VMEM_ALLOC) {
		if (*ai < m->nallocs &&
		    (!*havegap || m->allocs[*ai].start < gap->start)) {
			*out = m->allocs[(*ai)++];
			return true;
		}
	}
	if (*havegap) {
		*out = *gap;
		*havegap = false;
		return true;
	}
	return false;
}

static int dt_op_walk(struct dt *dt)
{
	static const unsigned int masks[] = {
		VMEM_ALLOC, VMEM_FREE, VMEM_SPAN, VMEM_ALLOC | VMEM_FREE,
	};
	unsigned int mask = masks[vmem_src_u8(&dt->src) % ARRAY_SIZE(masks)];
	struct dt_walk w = { .buf = dt->wbuf, .max = dt->wmax };
	struct vmem_model_range gap, want;
	struct vmem_model_cursor c;
	struct dt_rec *r = dt_rec(dt, DT_WALK);
	unsigned int i, ai = 0;
	bool havegap = false;

	r->flags = mask;
	/* cached ranges are allocated segments: walk what clients hold */
	if (dt->qcache_max) {
		struct vmem_stats st;

		vmem_qcache_flush(dt->vm);
		vmem_get_stats(dt->vm, &st);
		if (st.mem_cached)
			return dt_fail(dt, "%#lx cached after vmem_qcache_flush()",
				       st.mem_cached);
	}
	vmem_walk(dt->vm, mask, dt_walk_cb, &w);
	dt->st.nwalk++;
	if (w.overflow)
		return dt_fail(dt,
			       "vmem_walk(%#x) reported more than %u entries",
			       mask, w.max);
	vmem_model_cursor_init(&c);
	for (i = 0; i < w.n; i++) {
		if (!dt_walk_next(dt, mask, &c, &ai, &havegap, &gap, &want))
			return dt_fail(dt,
				       "vmem_walk(%#x) entry %u [%#lx, +%#lx): the model has no more",
				       mask, i, w.buf[i].start, w.buf[i].size);
		if (want.start != w.buf[i].start || want.size != w.buf[i].size)
			return dt_fail(dt,
				       "vmem_walk(%#x) entry %u is [%#lx, +%#lx), model [%#lx, +%#lx)",
				       mask, i, w.buf[i].start, w.buf[i].size,
				       want.start, want.size);
	}
	if (dt_walk_next(dt, mask, &c, &ai, &havegap, &gap, &want))
		return dt_fail(dt,
			       "vmem_walk(%#x) stopped after %u entries, model has [%#lx, +%#lx) next",
			       mask, w.n, want.start, want.size);
	return 0;
}

/*
 * Where @policy must put a plain or constrained request, checked against
 * the model as it was before the allocation.  Policies whose choice
 * depends on history (NEXTFIT) or on freelist order (INSTANTFIT with
 * constraints) are only checked for feasibility.
 */
static int dt_check_placement(struct dt *dt, const struct nreq *r,
			      unsigned int policy, bool plain,
			      unsigned long addr)
{
	struct vmem_model_range gap;
	unsigned long want, wantsize, glast;

	if (!model_gap_around(&dt->m, addr, &gap))
		return 0;	/* the caller reports the overlap */
	glast = range_last(&gap);

	switch (policy) {
	case VMEM_FIRSTFIT:
	case VMEM_TOPDOWN:
		if (!model_search(&dt->m, r, policy, &want, NULL))
			return 0;
		if (addr != want)
			return dt_fail(dt,
				       "placement: %s chose %#lx, the %s fit is %#lx",
				       policy == VMEM_FIRSTFIT ? "FIRSTFIT" :
				       "TOPDOWN", addr,
				       policy == VMEM_FIRSTFIT ? "lowest" :
				       "highest", want);
		break;
	case VMEM_BESTFIT:
		if (!model_search(&dt->m, r, policy, &want, &wantsize))
			return 0;
		if (gap.size != wantsize)
			return dt_fail(dt,
				       "placement: BESTFIT chose %#lx in a free segment of %#lx, the smallest fit is %#lx (at %#lx)",
				       addr, gap.size, wantsize, want);
		if (!nreq_lowest(gap.start, glast, r, &want) || addr != want)
			return dt_fail(dt,
				       "placement: BESTFIT chose %#lx, not the low end %#lx of [%#lx, +%#lx)",
				       addr, want, gap.start, gap.size);
		break;
	case VMEM_NEXTFIT: {
		/* The lowest fit at or above the rotor, else the lowest. */
		struct nreq above = *r;

		above.lo = max(r->lo, dt->rotor);
		if (!model_search(&dt->m, &above, VMEM_FIRSTFIT, &want, NULL) &&
		    !model_search(&dt->m, r, VMEM_FIRSTFIT, &want, NULL))
			return 0;
		if (addr != want)
			return dt_fail(dt,
				       "placement: NEXTFIT chose %#lx, the next fit after the rotor %#lx is %#lx",
				       addr, dt->rotor, want);
		break;
	}
	case 0:
	case VMEM_INSTANTFIT: {
		struct vmem_model_cursor c;
		struct vmem_model_range g;
		unsigned int k0 = log2_up(r->size), best = BITS_PER_LONG;
		unsigned int kg = fls_long(gap.size) - 1;

		if (!plain)
			break;
		/*
		 * A free segment of size s is on list ilog2(s) or the one
		 * below (it may have grown there), and every member of list
		 * k0 and above fits.  The lowest class of a gap at k0 + 1 or
		 * more bounds the list instant fit takes from.
		 */
		vmem_model_cursor_init(&c);
		while (vmem_model_next_gap(&dt->m, &c, &g)) {
			unsigned int k = fls_long(g.size) - 1;

			if (k > k0 && k < best)
				best = k;
		}
		if (addr != gap.start)
			return dt_fail(dt,
				       "placement: INSTANTFIT chose %#lx, not the start of [%#lx, +%#lx)",
				       addr, gap.start, gap.size);
		if (best < BITS_PER_LONG && (kg < k0 || kg > best + 1))
			return dt_fail(dt,
				       "placement: INSTANTFIT took a free segment of %#lx for %#lx; a free segment of class %u was on a list of lower members that fit",
				       gap.size, r->size, best);
		break;
	}
	default:
		return 0;
	}
	dt->st.nplaced++;
	return 0;
}

/* ---- operations ---- */

/* vmem_alloc() or vmem_xalloc(), and every check of the answer. */
static int dt_op_alloc(struct dt *dt, bool constrained)
{
	struct dt_rec *rec = dt_rec(dt, constrained ? DT_XALLOC : DT_ALLOC);
	unsigned int policy, flags = VMEM_NOSLEEP;
	struct vmem_model_req req = { .maxaddr = VMEM_ADDR_MAX };
	unsigned long addr = 0xdeadbeefUL;
	bool badflags, feasible = false, cached, placed;
	struct nreq r = { 0 };
	int check, ret, err;

	if (constrained)
		dt_gen_req(dt, &req);
	else
		req.size = dt_gen_size(dt);
	policy = dt_gen_policy(dt);
	/* a quantum cache serves it: the policy does not place it */
	cached = !constrained && req.size - 1 < dt->qcache_max;
	placed = (dt->p->flags & VMEM_DT_PLACEMENT) && !cached;
	if (placed && dt->qcache_max) {
		struct vmem_stats st;

		/* the arena is the model only while its caches are empty */
		vmem_get_stats(dt->vm, &st);
		placed = !st.mem_cached && policy != VMEM_NEXTFIT;
	}
	check = vmem_model_req_check(&dt->m, &req);
	if (!check) {
		req_normalize(&dt->m, &req, &r);
		feasible = model_search(&dt->m, &r, VMEM_FIRSTFIT, NULL, NULL);
	}
	/* Sleep only when the model promises room: a sleep could not end. */
	if ((dt->p->flags & VMEM_DT_SLEEP) && feasible &&
	    !(vmem_src_u8(&dt->src) & 3))
		flags = VMEM_SLEEP;
	flags = dt_gen_bad_flags(dt, flags | policy, &badflags);

	rec->flags = flags;
	rec->a[0] = req.size;
	rec->a[1] = req.align;
	rec->a[2] = req.phase;
	rec->a[3] = req.nocross;
	rec->a[4] = req.minaddr;
	rec->a[5] = req.maxaddr;
	if (constrained)
		ret = vmem_xalloc(dt->vm, req.size, req.align, req.phase,
				  req.nocross, req.minaddr, req.maxaddr, flags,
				  &addr);
	else
		ret = vmem_alloc(dt->vm, req.size, flags, &addr);
	rec->ret = ret;
	rec->a[6] = addr;

	if (badflags || check == -EINVAL) {
		if (ret == -EINVAL) {
			dt->st.neinval++;
			return 0;
		}
		return dt_fail(dt,
			       "invalid %s (flags %#x) returned %d, not -EINVAL",
			       constrained ? "vmem_xalloc" : "vmem_alloc",
			       flags, ret);
	}
	if (check == VMEM_MODEL_EINVAL_OR_ENOSPC) {
		if (ret == -EINVAL || ret == -ENOSPC) {
			dt->st.neinval++;
			return 0;
		}
		return dt_fail(dt,
			       "no arena can satisfy this request (or its size cannot be rounded), yet the call returned %d (addr %#lx)",
			       ret, addr);
	}
	if (ret == -ENOSPC) {
		if (feasible) {
			unsigned long want = 0;

			model_search(&dt->m, &r, VMEM_FIRSTFIT, &want, NULL);
			return dt_fail(dt,
				       "-ENOSPC although [%#lx, +%#lx) is free and satisfies the request",
				       want, r.size);
		}
		dt->st.nfail++;
		return 0;
	}
	if (ret)
		return dt_fail(dt, "unexpected return %d", ret);

	if (!vmem_model_req_satisfied(&dt->m, &req, addr))
		return dt_fail(dt, "result [%#lx, +%#lx) violates the request",
			       addr, r.size);
	if (placed && dt_check_placement(dt, &r, policy, !constrained, addr))
		return -EIO;
	err = vmem_model_insert(&dt->m, addr, r.size,
				constrained ? DT_TAG_XALLOC : DT_TAG_ALLOC);
	if (err == -EINVAL)
		return dt_fail(dt,
			       "result [%#lx, +%#lx) is not inside one span",
			       addr, r.size);
	if (err == -EEXIST) {
		int i = vmem_model_find(&dt->m, addr);

		if (i < 0)
			i = vmem_model_find(&dt->m, addr + (r.size - 1));
		return dt_fail(dt,
			       "result [%#lx, +%#lx) overlaps the allocation [%#lx, +%#lx)",
			       addr, r.size,
			       i >= 0 ? dt->m.allocs[i].start : 0,
			       i >= 0 ? dt->m.allocs[i].size : 0);
	}
	if (err)
		return dt_fail(dt, "model table full (%d)", err);
	dt->arena_nalloc++;
	if (policy == VMEM_NEXTFIT)
		dt->rotor = addr + r.size;	/* 0 past the top, as the core */
	if (constrained)
		dt->st.nxalloc++;
	else
		dt->st.nalloc++;
	if (cached)
		dt->st.ncached++;
	dt->st.maxlive = max_t(unsigned long, dt->st.maxlive, dt->m.nallocs);
	return 0;
}

/* Free live allocation @i with the call that matches its allocation. */
static int dt_free_one(struct dt *dt, unsigned int i, bool jitter)
{
	struct vmem_model_range a = dt->m.allocs[i];
	struct dt_rec *rec = dt_rec(dt, DT_FREE);
	unsigned long size = a.size;

	/* vmem_free() rounds the size up, as the allocation did. */
	if (jitter && dt->quantum > 1)
		size -= vmem_src_below(&dt->src, dt->quantum);
	rec->a[0] = a.start;
	rec->a[1] = size;
	rec->flags = a.tag;
	if (a.tag == DT_TAG_XALLOC)
		vmem_xfree(dt->vm, a.start, size);
	else
		vmem_free(dt->vm, a.start, size);
	if (vmem_model_remove(&dt->m, a.start, size, NULL))
		return dt_fail(dt,
			       "model refused its own free of [%#lx, +%#lx)",
			       a.start, size);
	dt->arena_nfree++;
	dt->st.nfree++;
	return 0;
}

static int dt_op_free(struct dt *dt)
{
	unsigned int i = vmem_src_below(&dt->src, dt->m.nallocs);

	return dt_free_one(dt, i, vmem_src_u8(&dt->src) & 1);
}

static int dt_op_add(struct dt *dt)
{
	struct dt_rec *rec = dt_rec(dt, DT_ADD);
	unsigned long start, size;
	unsigned int flags;
	int want, ret;

	if (dt->m.nspans >= dt->max_spans)
		return 0;
	dt_gen_span(dt, &start, &size);
	flags = (vmem_src_u8(&dt->src) & 1) ? VMEM_SLEEP : VMEM_NOSLEEP;
	want = vmem_model_add_span(&dt->m, start, size);
	ret = vmem_add(dt->vm, start, size, flags);
	rec->a[0] = start;
	rec->a[1] = size;
	rec->flags = flags;
	rec->ret = ret;
	if (ret != want)
		return dt_fail(dt, "vmem_add(%#lx, %#lx) = %d, expected %d",
			       start, size, ret, want);
	if (!ret)
		dt->st.nadd++;
	return 0;
}

static int dt_op_contains(struct dt *dt)
{
	struct dt_rec *rec = dt_rec(dt, DT_CONTAINS);
	unsigned long addr = dt_gen_addr(dt), size;
	bool got, want;

	size = (vmem_src_u8(&dt->src) & 1) ? dt_gen_size(dt) :
	       1 + vmem_src_below(&dt->src, 2 * dt->quantum);
	if (!size)
		size = 1;
	want = vmem_model_contains(&dt->m, addr, size);
	got = vmem_contains(dt->vm, addr, size);
	rec->a[0] = addr;
	rec->a[1] = size;
	rec->ret = got;
	if (got != want)
		return dt_fail(dt, "vmem_contains(%#lx, %#lx) = %d, model %d",
			       addr, size, got, want);
	return 0;
}

/*
 * Feed a bad free: an interior address, a wrong size, a free address, an
 * address outside every span, or a double free.  The arena must count it
 * and stay as it was.
 */
static int dt_op_badfree(struct dt *dt)
{
	struct vmem_bytesrc *s = &dt->src;
	unsigned long q = dt->quantum, addr, size;
	struct vmem_model_range g;
	struct vmem_stats before, after;
	struct dt_rec *rec;
	unsigned int i;
	u8 c = vmem_src_u8(s);
	int ret;

	if (!dt->m.nallocs && c % 5 != 2)
		c = 2;
	i = vmem_src_below(s, dt->m.nallocs);
	if (c % 5 == 0 && dt->m.allocs[i].size <= q)
		c++;		/* no interior: make it a wrong size */
	switch (c % 5) {
	case 0:		/* interior of an allocation */
		addr = dt->m.allocs[i].start + q;
		size = dt->m.allocs[i].size - q;
		break;
	case 1:		/* wrong size, never 0 */
		addr = dt->m.allocs[i].start;
		size = dt->m.allocs[i].size;
		if (size <= ULONG_MAX - q)
			size += q;
		else if (size > q)
			size -= q;
		else
			return 0;
		break;
	case 2:		/* free space */
		if (!dt_pick_gap(dt, &g))
			return 0;
		addr = g.start;
		size = q;
		break;
	case 3:		/* outside the spans */
		addr = vmem_src_ulong(s) & ~(q - 1);
		if (vmem_model_overlaps_span(&dt->m, addr, q))
			return 0;
		size = q;
		break;
	default:	/* double free */
		addr = dt->m.allocs[i].start;
		size = dt->m.allocs[i].size;
		ret = dt_free_one(dt, i, false);
		if (ret)
			return ret;
		break;
	}
	rec = dt_rec(dt, DT_BADFREE);
	rec->a[0] = addr;
	rec->a[1] = size;
	vmem_get_stats(dt->vm, &before);
	/* vmem_free() of a cached size is not looked up: it cannot catch it */
	if ((c & 0x80) || size - 1 < dt->qcache_max)
		vmem_xfree(dt->vm, addr, size);
	else
		vmem_free(dt->vm, addr, size);
	vmem_get_stats(dt->vm, &after);
	dt->arena_nbadfree++;
	dt->st.nbadfree++;
	if (after.nbadfree != before.nbadfree + 1 ||
	    after.nfree != before.nfree)
		return dt_fail(dt,
			       "bad free of [%#lx, +%#lx): nbadfree %llu -> %llu, nfree %llu -> %llu",
			       addr, size,
			       (unsigned long long)before.nbadfree,
			       (unsigned long long)after.nbadfree,
			       (unsigned long long)before.nfree,
			       (unsigned long long)after.nfree);
	return 0;
}

/* ---- arenas ---- */

/* Quantum shifts: mostly small, up to 2^(BITS_PER_LONG - 1). */
static const unsigned int dt_qshifts[] = {
	0, 0, 0, 1, 2, 3, 4, 6, 9, 12, 12, 12, 12, 13, 16, 21,
	BITS_PER_LONG / 2, BITS_PER_LONG * 5 / 8, BITS_PER_LONG - 4,
	BITS_PER_LONG - 2, BITS_PER_LONG - 1,
};

static int dt_arena_create(struct dt *dt)
{
	struct vmem_bytesrc *s = &dt->src;
	unsigned int flags = 0, nspans, i;
	unsigned long start = 0, size = 0, qcache_max, units;
	struct dt_rec *rec;
	u8 c = vmem_src_u8(s);

	dt->qshift = dt_qshifts[c % ARRAY_SIZE(dt_qshifts)];
	dt->quantum = 1UL << dt->qshift;
	dt->maxunit = ULONG_MAX >> dt->qshift;
	dt->ops_left = 64UL << (vmem_src_u8(s) % 8);
	dt->arena_nalloc = 0;
	dt->arena_nfree = 0;
	dt->arena_nbadfree = 0;
	dt->rotor = 0;
	dt->m.quantum = dt->quantum;
	vmem_model_reset(&dt->m);
	snprintf(dt->name, sizeof(dt->name), "vmem_dt%lu", dt->st.narenas);

	c = vmem_src_u8(s);
	if (c & 1)
		flags |= VMC_IDENTIFIER;
	if (c & 2)
		flags |= VMC_NO_QCACHE;
	nspans = 1 + (c >> 2) % 3;
	units = 0;
	if (dt->p->flags & VMEM_DT_QCACHE)
		units = min_t(unsigned long, vmem_src_below(s, 20), dt->maxunit);
	/* 0 to 19 quanta: up to 16 are cached, the rest ignored */
	qcache_max = units << dt->qshift;
	dt->qcache_max = (flags & VMC_NO_QCACHE) ? 0 :
			 min(units, 16UL) << dt->qshift;
	if (c & 0x80) {
		/* The first span comes from vmem_create() itself. */
		dt_gen_span(dt, &start, &size);
		vmem_model_add_span(&dt->m, start, size);
		nspans--;
	}
	rec = dt_rec(dt, DT_CREATE);
	rec->a[0] = start;
	rec->a[1] = size;
	rec->a[2] = dt->quantum;
	rec->flags = flags;
	rec->a[3] = qcache_max;
	dt->vm = vmem_create(dt->name, start, size, dt->quantum, NULL, NULL,
			     NULL, qcache_max, flags);
	if (IS_ERR_OR_NULL(dt->vm)) {
		rec->ret = PTR_ERR_OR_ZERO(dt->vm);
		dt->vm = NULL;
		return dt_fail(dt,
			       "vmem_create(%#lx, %#lx, quantum %#lx) failed: %d",
			       start, size, dt->quantum, rec->ret);
	}
	if (dt->p->flags & VMEM_DT_BADFREE)
		dt->p->quiet(dt->vm);
	dt->st.narenas++;
	for (i = 0; i < nspans; i++) {
		int ret = dt_op_add(dt);

		if (ret)
			return ret;
	}
	return dt_check_sizes(dt);
}

/*
 * End the arena: usually free everything and check that it is whole
 * again; sometimes destroy it with allocations outstanding (vmem must
 * clean up and only print).
 */
static int dt_arena_destroy(struct dt *dt, bool leak)
{
	struct dt_rec *rec = dt_rec(dt, DT_DESTROY);
	int ret = 0;

	rec->a[0] = dt->m.nallocs;
	rec->flags = leak;
	if (!leak) {
		ret = dt_check(dt);
		while (!ret && dt->m.nallocs)
			ret = dt_free_one(dt, dt->m.nallocs - 1, false);
		if (!ret)
			ret = dt_check_sizes(dt);
		if (!ret)
			ret = dt_check(dt);
		if (!ret && vmem_model_ngaps(&dt->m) != dt->m.nspans)
			ret = dt_fail(dt, "model not whole after freeing all");
	}
	vmem_destroy(dt->vm);
	dt->vm = NULL;
	return ret;
}

static int dt_step(struct dt *dt)
{
	u8 c = vmem_src_u8(&dt->src);
	bool full = dt->m.nallocs >= dt->max_live;
	int ret;

	switch (c % 32) {
	case 0 ... 9:
		ret = full ? dt_op_free(dt) : dt_op_alloc(dt, false);
		break;
	case 10 ... 17:
		ret = full ? dt_op_free(dt) : dt_op_alloc(dt, true);
		break;
	case 18 ... 26:
		ret = dt->m.nallocs ? dt_op_free(dt) : dt_op_alloc(dt, false);
		break;
	case 27:
		ret = dt_op_add(dt);
		break;
	case 28:
		ret = dt_op_walk(dt);
		break;
	case 29:
		ret = dt_op_contains(dt);
		break;
	case 30:
		ret = (dt->p->flags & VMEM_DT_BADFREE) ? dt_op_badfree(dt) :
		      dt_op_contains(dt);
		break;
	default:
		dt_rec(dt, DT_CHECK);
		ret = dt_check(dt);
		break;
	}
	if (!ret)
		ret = dt_check_sizes(dt);
	return ret;
}

static int dt_run(struct dt *dt)
{
	const struct vmem_difftest_params *p = dt->p;
	unsigned int k = p->check_every;
	int ret = 0;

	while (!ret && (!p->nops || dt->op < p->nops) && !dt->src.eof) {
		if (!dt->vm) {
			ret = dt_arena_create(dt);
			if (ret)
				break;
		}
		ret = dt_step(dt);
		dt->op++;
		if (!ret && k && dt->op % k == 0)
			ret = dt_check(dt);
		if (!ret && --dt->ops_left == 0)
			ret = dt_arena_destroy(dt, vmem_src_u8(&dt->src) % 16 == 0);
		if (p->progress && (dt->op % 1024 == 0 || !dt->vm))
			p->progress(p->arg, dt->op);
	}
	if (dt->vm) {
		/* On failure, keep vmem's state for no one: just clean up. */
		int end = ret ? 0 : dt_arena_destroy(dt, false);

		if (ret) {
			vmem_destroy(dt->vm);
			dt->vm = NULL;
		}
		ret = ret ? ret : end;
	}
	dt->st.nops = dt->op;
	return ret;
}

static int dt_start(const struct vmem_difftest_params *p,
		    struct vmem_bytesrc *src, char *err, size_t errlen)
{
	struct dt *dt;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if ((p->flags & VMEM_DT_BADFREE) && !p->quiet)
		return -EINVAL;
	dt = kzalloc(sizeof(*dt), GFP_KERNEL);
	if (!dt)
		return -ENOMEM;
	dt->p = p;
	dt->src = *src;
	dt->err = err;
	dt->errlen = err ? errlen : 0;
	dt->max_live = p->max_live ? p->max_live : 256;
	dt->max_spans = p->max_spans ? p->max_spans : 16;
	/* A walk sees every span, allocation and gap, gaps <= allocs + spans. */
	dt->wmax = 2 * (dt->max_live + dt->max_spans) + 8;
	dt->wbuf = kvmalloc_array(dt->wmax, sizeof(*dt->wbuf), GFP_KERNEL);
	ret = vmem_model_init(&dt->m, 1, dt->max_spans, dt->max_live + 1);
	if (!ret && !dt->wbuf)
		ret = -ENOMEM;
	if (!ret)
		ret = dt_run(dt);
	if (p->stats)
		*p->stats = dt->st;
	vmem_model_destroy(&dt->m);
	kvfree(dt->wbuf);
	kfree(dt);
	return ret;
}

int vmem_difftest_run(const struct vmem_difftest_params *p, char *err,
		      size_t errlen)
{
	struct vmem_bytesrc src = { .random = true, .rng = p->seed };

	if (!p->nops)
		return -EINVAL;
	return dt_start(p, &src, err, errlen);
}

int vmem_difftest_bytes(const u8 *data, size_t len,
			const struct vmem_difftest_params *p, char *err,
			size_t errlen)
{
	struct vmem_bytesrc src = { .data = data, .len = len };

	return dt_start(p, &src, err, errlen);
}

/* ---- the concurrent worker ---- */

struct mt_live {
	unsigned long	addr;
	unsigned long	size;
	bool		x;
};

static __printf(3, 4) int mt_fail(char *err, size_t errlen,
				  const char *fmt, ...)
{
	va_list args;

	if (err && errlen) {
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
	return -EIO;
}

/* Clear the bits of @l, then give it back: in that order (see .h). */
static int mt_free(const struct vmem_mt_shared *sh, const struct mt_live *l,
		   unsigned int id, char *err, size_t errlen)
{
	unsigned long u = (l->addr - sh->base) / sh->quantum;
	unsigned long n = l->size / sh->quantum, j;
	int ret = 0;

	for (j = 0; j < n; j++)
		if (!test_and_clear_bit(u + j, sh->bitmap) && !ret)
			ret = mt_fail(err, errlen,
				      "worker %u: quantum %#lx of [%#lx, +%#lx) was not marked: someone else freed it",
				      id, sh->base + (u + j) * sh->quantum,
				      l->addr, l->size);
	if (l->x)
		vmem_xfree(sh->vm, l->addr, l->size);
	else
		vmem_free(sh->vm, l->addr, l->size);
	return ret;
}

static int mt_alloc(const struct vmem_mt_shared *sh, u64 *rng,
		    struct mt_live *l, unsigned int id, char *err,
		    size_t errlen, bool *okp)
{
	static const unsigned int policies[] = {
		0, VMEM_INSTANTFIT, VMEM_BESTFIT, VMEM_FIRSTFIT,
		VMEM_NEXTFIT, VMEM_TOPDOWN,
	};
	struct vmem_model qm = { .quantum = sh->quantum };
	unsigned int maxu = sh->max_units ? sh->max_units : 16;
	struct vmem_model_req req = { .maxaddr = VMEM_ADDR_MAX };
	unsigned long addr = 0, q = sh->quantum, u, n, j;
	u64 v = vmem_rand_next(rng);
	unsigned int flags = VMEM_NOSLEEP | policies[v % ARRAY_SIZE(policies)];
	int check, ret;

	*okp = false;
	req.size = (1 + (v >> 8) % maxu) * q;
	l->x = (v >> 24) & 1;
	if (l->x) {
		u64 w = vmem_rand_next(rng);
		unsigned int qshift = fls_long(q) - 1;
		unsigned int ashift = qshift + w % 4;
		unsigned int nshift = qshift + log2_up(req.size / q) +
				      (w >> 17) % 3;

		if (ashift < BITS_PER_LONG)
			req.align = 1UL << ashift;
		if (req.align)
			req.phase = ((w >> 4) % (req.align / q)) * q;
		if (((w >> 16) & 1) && nshift < BITS_PER_LONG)
			req.nocross = 1UL << nshift;
		if (((w >> 20) & 3) == 0) {
			req.minaddr = sh->base + ((w >> 24) % (sh->size / q)) * q;
			req.maxaddr = (w >> 40) & 1 ? VMEM_ADDR_MAX :
				      sh->base + (sh->size - 1);
		}
		ret = vmem_xalloc(sh->vm, req.size, req.align, req.phase,
				  req.nocross, req.minaddr, req.maxaddr, flags,
				  &addr);
	} else {
		ret = vmem_alloc(sh->vm, req.size, flags, &addr);
	}
	/* Some random constraints cannot be met anywhere: see the model. */
	check = vmem_model_req_check(&qm, &req);
	if ((check == -EINVAL && ret == -EINVAL) ||
	    (check == VMEM_MODEL_EINVAL_OR_ENOSPC &&
	     (ret == -EINVAL || ret == -ENOSPC)) ||
	    (!check && ret == -ENOSPC))
		return 0;
	if (ret || check)
		return mt_fail(err, errlen,
			       "worker %u: %s(%#lx, align %#lx, phase %#lx, nocross %#lx, min %#lx, max %#lx) = %d, model check %d",
			       id, l->x ? "vmem_xalloc" : "vmem_alloc",
			       req.size, req.align, req.phase, req.nocross,
			       req.minaddr, req.maxaddr, ret, check);
	l->addr = addr;
	l->size = req.size;
	if (addr < sh->base || req.size > sh->size ||
	    addr - sh->base > sh->size - req.size ||
	    !vmem_model_req_satisfied(&qm, &req, addr)) {
		/* Not ours to mark: give it back and report. */
		if (l->x)
			vmem_xfree(sh->vm, addr, req.size);
		else
			vmem_free(sh->vm, addr, req.size);
		return mt_fail(err, errlen,
			       "worker %u: [%#lx, +%#lx) outside [%#lx, +%#lx) or violating align %#lx phase %#lx nocross %#lx min %#lx max %#lx",
			       id, addr, req.size, sh->base, sh->size,
			       req.align, req.phase, req.nocross, req.minaddr,
			       req.maxaddr);
	}
	u = (addr - sh->base) / q;
	n = req.size / q;
	for (j = 0; j < n; j++) {
		if (test_and_set_bit(u + j, sh->bitmap)) {
			unsigned long at = sh->base + (u + j) * q;

			/* Undo our marks; the other holder keeps its own. */
			while (j--)
				clear_bit(u + j, sh->bitmap);
			return mt_fail(err, errlen,
				       "worker %u: [%#lx, +%#lx) overlaps a live range at %#lx",
				       id, addr, req.size, at);
		}
	}
	*okp = true;
	return 0;
}

int vmem_mt_worker(const struct vmem_mt_shared *sh, unsigned int id,
		   struct vmem_mt_result *res, char *err, size_t errlen)
{
	unsigned int max_live = sh->max_live ? sh->max_live : 64;
	u64 rng = sh->seed ^ ((u64)(id + 1) * 0x9e3779b97f4a7c15ULL);
	struct mt_live *live;
	unsigned int nlive = 0;
	unsigned long op;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (err && errlen)
		err[0] = '\0';
	live = kmalloc_array(max_live, sizeof(*live), GFP_KERNEL);
	if (!live)
		return -ENOMEM;
	for (op = 0; !ret && op < sh->nops; op++) {
		u64 v = vmem_rand_next(&rng);
		bool ok;

		if (nlive && (nlive == max_live || (v & 3) == 0 ||
			      ((v & 3) == 1 && nlive > max_live / 2))) {
			unsigned int i = (v >> 8) % nlive;

			ret = mt_free(sh, &live[i], id, err, errlen);
			live[i] = live[--nlive];
			res->nfree++;
		} else {
			ret = mt_alloc(sh, &rng, &live[nlive], id, err,
				       errlen, &ok);
			if (ok) {
				nlive++;
				res->nalloc++;
			} else if (!ret) {
				res->nfail++;
			}
		}
		if (sh->progress && op % 256 == 255)
			sh->progress(sh->arg, op + 1);
		if (!ret && sh->check_every && op % sh->check_every == 0) {
			res->ncheck++;
			if (vmem_check(sh->vm))
				ret = mt_fail(err, errlen,
					      "worker %u op %lu: vmem_check() failed",
					      id, op);
		}
	}
	while (nlive) {
		int r = mt_free(sh, &live[--nlive], id, err, errlen);

		res->nfree++;
		if (!ret)
			ret = r;
	}
	kfree(live);
	return ret;
}
