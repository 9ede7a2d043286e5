/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A reference model of a vmem arena, and a randomized differential test
 * of vmem against it.
 *
 * The model is deliberately naive: a sorted array of spans and a sorted
 * array of allocated intervals.  Its free space is whatever lies inside a
 * span and outside every interval, so it cannot disagree with itself.
 * The differential test ("difftest") runs operations on a real arena and
 * on the model side by side and fails at the first disagreement:
 *
 *  - a result overlaps a live allocation or leaves its span;
 *  - a result violates its constraints (quantum, align, phase, nocross,
 *    minaddr, maxaddr);
 *  - an allocation failed although the model finds a place for it;
 *  - an error code differs from the one the arguments call for;
 *  - vmem_arena_size(), vmem_walk(), vmem_contains(), vmem_get_stats()
 *    disagree with the model, or vmem_check() finds an inconsistency;
 *  - optionally, a placement policy chose another address than it must.
 *
 * This file and vmem_model.c are shared by the KUnit suites (kunit/) and
 * the userspace harness (tools/testing/vmem/), which compiles them against
 * a small shim of kernel headers.  They use only linux/types.h,
 * linux/kernel.h (min, max, min_t, max_t, clamp, ARRAY_SIZE, vsnprintf,
 * snprintf, __printf), linux/err.h, linux/errno.h, linux/string.h,
 * linux/slab.h (kzalloc, kmalloc_array, kvmalloc_array, kfree, kvfree),
 * linux/bitops.h (fls_long, test_and_set_bit, test_and_clear_bit,
 * clear_bit: the shim's versions must be atomic for vmem_mt_worker()) and
 * linux/vmem.h; no KUnit, no locking, no scheduler.  Failures are
 * reported through a return code and a message buffer; the caller turns
 * them into KUNIT_FAIL() or a fuzzer crash.
 *
 * Everything is deterministic: the random driver and the byte-stream
 * driver decode operations with the same code, the random driver just
 * feeds it bytes from a splitmix64 generator.  So a seed gives the same
 * operations in the kernel and in userspace, and a fuzzer input is a
 * difftest run too.
 */
#ifndef _VMEM_MODEL_H
#define _VMEM_MODEL_H

#include <linux/types.h>
#include <linux/vmem.h>

/* ---- the reference model ---- */

/**
 * struct vmem_model_range - A span or an allocation of the model.
 * @start: first integer
 * @size: number of integers, never 0; the last one is start + size - 1
 * @tag: for allocations, a value the caller chose (the difftest records
 *	how the range was allocated, to free it with the matching call);
 *	unused for spans
 */
struct vmem_model_range {
	unsigned long	start;
	unsigned long	size;
	unsigned long	tag;
};

/**
 * struct vmem_model - The reference model of one arena.
 * @quantum: the arena's quantum, a power of two
 * @spans: spans, sorted by start, pairwise disjoint
 * @nspans: entries in @spans
 * @maxspans: capacity of @spans
 * @allocs: allocations, sorted by start, pairwise disjoint, each inside
 *	one span
 * @nallocs: entries in @allocs
 * @maxallocs: capacity of @allocs
 * @inuse: sum of the allocation sizes
 * @total: sum of the span sizes
 *
 * Every operation is O(log n) to find its place plus an O(n) memmove to
 * insert or remove; the feasibility questions are O(n).  n is meant to
 * stay in the hundreds or low thousands.
 */
struct vmem_model {
	unsigned long		quantum;
	struct vmem_model_range	*spans;
	unsigned int		nspans;
	unsigned int		maxspans;
	struct vmem_model_range	*allocs;
	unsigned int		nallocs;
	unsigned int		maxallocs;
	unsigned long		inuse;
	unsigned long		total;
};

/**
 * struct vmem_model_req - A constrained request, as vmem_xalloc() takes it.
 * @size: bytes (or IDs) asked for, before rounding to the quantum
 * @align: 0 (the quantum) or a power of two multiple of the quantum
 * @phase: the result is phase modulo align
 * @nocross: 0, or a power of two the result must not cross a multiple of
 * @minaddr: lowest acceptable first integer (inclusive, any value)
 * @maxaddr: highest acceptable last integer (inclusive); VMEM_ADDR_MAX is
 *	no limit, 0 is the address 0
 *
 * vmem_alloc(size) is the request {size, 0, 0, 0, 0, VMEM_ADDR_MAX}.
 */
struct vmem_model_req {
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
};

/*
 * Result of vmem_model_req_check(), besides 0 and -EINVAL: the size rounds
 * past ULONG_MAX, or no arena at all could satisfy the request.  The call
 * must fail; -EINVAL and -ENOSPC are both right.
 */
#define VMEM_MODEL_EINVAL_OR_ENOSPC	1

int vmem_model_init(struct vmem_model *m, unsigned long quantum,
		    unsigned int maxspans, unsigned int maxallocs);
void vmem_model_destroy(struct vmem_model *m);
/* Forget every span and allocation; keep the quantum and the tables. */
void vmem_model_reset(struct vmem_model *m);

/*
 * Add a span.  Return: 0; -EINVAL if @size is 0, the range wraps past
 * ULONG_MAX, is not quantum-aligned or overlaps a span (what vmem_add()
 * must answer); -ENOSPC if the model's table is full.
 */
int vmem_model_add_span(struct vmem_model *m, unsigned long start,
			unsigned long size);
/* True iff [start, start + size) lies inside one span (vmem_contains()). */
bool vmem_model_contains(const struct vmem_model *m, unsigned long start,
			 unsigned long size);
/* True iff [start, start + size) overlaps a span (size 0: false). */
bool vmem_model_overlaps_span(const struct vmem_model *m,
			      unsigned long start, unsigned long size);

/*
 * Record an allocation.  Return: 0; -EINVAL if the range is empty, wraps,
 * or does not lie inside one span; -EEXIST if it overlaps a live
 * allocation; -ENOSPC if the model's table is full.
 */
int vmem_model_insert(struct vmem_model *m, unsigned long start,
		      unsigned long size, unsigned long tag);
/*
 * Forget the allocation starting at @start.  @size is rounded up to the
 * quantum first, as vmem_free() does.  Return: 0 and *@tagp set (if not
 * NULL); -ENOENT if no allocation starts at @start; -EINVAL if one does
 * but its size differs.  A failed call changes nothing.
 */
int vmem_model_remove(struct vmem_model *m, unsigned long start,
		      unsigned long size, unsigned long *tagp);
/* Index of the allocation containing @addr, or -1. */
int vmem_model_find(const struct vmem_model *m, unsigned long addr);

/*
 * What vmem_xalloc() must answer for these arguments, before looking for
 * space: 0 (valid: the outcome depends on the arena), -EINVAL (malformed:
 * size 0, align or nocross not a power of two multiple of the quantum,
 * phase unaligned or not below align, size above nocross, minaddr above
 * maxaddr), or VMEM_MODEL_EINVAL_OR_ENOSPC.
 */
int vmem_model_req_check(const struct vmem_model *m,
			 const struct vmem_model_req *req);
/* True iff the arguments are valid and @addr satisfies all of them. */
bool vmem_model_req_satisfied(const struct vmem_model *m,
			      const struct vmem_model_req *req,
			      unsigned long addr);

/*
 * Free gaps: the maximal free runs of each span, in address order; what
 * vmem_walk(VMEM_FREE) must report.  Start with vmem_model_cursor_init();
 * vmem_model_next_gap() returns false after the last gap.  The model must
 * not change during an iteration.
 */
struct vmem_model_cursor {
	unsigned int	span;	/* index of the span being scanned */
	unsigned int	alloc;	/* first allocation not yet passed */
	unsigned long	pos;	/* next integer of the span to look at */
	bool		inspan;	/* pos is valid for this span */
};

void vmem_model_cursor_init(struct vmem_model_cursor *c);
bool vmem_model_next_gap(const struct vmem_model *m,
			 struct vmem_model_cursor *c,
			 struct vmem_model_range *gap);
unsigned int vmem_model_ngaps(const struct vmem_model *m);

/*
 * Feasibility of a valid request: true iff some free address satisfies
 * it.  With @addrp, also where a policy must put it on this model:
 * VMEM_FIRSTFIT the lowest such address, VMEM_TOPDOWN the highest, and
 * VMEM_BESTFIT the lowest one of the smallest gap that can hold it (ties:
 * the lowest such gap; the core may choose any tied gap).  Other
 * policies: the lowest.
 */
bool vmem_model_feasible(const struct vmem_model *m,
			 const struct vmem_model_req *req,
			 unsigned int policy, unsigned long *addrp);
/*
 * Bytes of VMEM_ALLOC, VMEM_FREE and VMEM_SPAN in @typemask, summed;
 * ULONG_MAX for 2^BITS_PER_LONG or more, as vmem_arena_size() says.
 */
unsigned long vmem_model_size(const struct vmem_model *m,
			      unsigned int typemask);

/* ---- the deterministic generator ---- */

/* splitmix64: one 64-bit state, full period, good enough mixing. */
static inline u64 vmem_rand_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The randomized drivers (the differential test here, the oracle's in
 * vmem_oracle.c) decode their operations from bytes: a fuzzer's input, or
 * a splitmix64 stream for a seeded run, so that the same decoder runs
 * either way.  A source past the end of its input reads 0s and sets @eof.
 */
struct vmem_bytesrc {
	const u8	*data;
	size_t		len;
	size_t		pos;
	u64		rng;
	u64		buf;
	unsigned int	nbuf;
	bool		random;
	bool		eof;
};

static inline u8 vmem_src_u8(struct vmem_bytesrc *s)
{
	u8 b;

	if (s->random) {
		if (!s->nbuf) {
			s->buf = vmem_rand_next(&s->rng);
			s->nbuf = 8;
		}
		b = (u8)s->buf;
		s->buf >>= 8;
		s->nbuf--;
		return b;
	}
	if (s->pos < s->len)
		return s->data[s->pos++];
	s->eof = true;
	return 0;
}

static inline unsigned long vmem_src_ulong(struct vmem_bytesrc *s)
{
	unsigned long v = 0;
	unsigned int i;

	for (i = 0; i < sizeof(v); i++)
		v = (v << 8) | vmem_src_u8(s);
	return v;
}

/* A value in [0, n); 0 if n is 0.  Slightly biased; that is fine here. */
static inline unsigned long vmem_src_below(struct vmem_bytesrc *s,
					   unsigned long n)
{
	if (n <= 1)
		return 0;
	if (n <= 256)
		return vmem_src_u8(s) % n;
	return vmem_src_ulong(s) % n;
}

/* ---- the differential test ---- */

/* vmem_difftest_params.flags */
/* Also feed bad frees; needs vmem_difftest_params.quiet. */
#define VMEM_DT_BADFREE		0x01u
/* Use VMEM_SLEEP for allocations the model finds room for. */
#define VMEM_DT_SLEEP		0x02u
/* Check placement: FIRSTFIT, TOPDOWN, BESTFIT, INSTANTFIT (see .c). */
#define VMEM_DT_PLACEMENT	0x04u
/* Check vmem_get_stats() against the model at every CHECK operation. */
#define VMEM_DT_STATS		0x08u
/*
 * Create arenas with quantum caches (a random qcache_max, sometimes none).
 * Ranges the caches hold are free to the model: the arena flushes them
 * before an allocation fails, so the model's feasibility still decides
 * failures.  What the caches change is checked differently: placement
 * only while they hold nothing and never for next fit (refills move the
 * rotor in runs), walks and segment counts after vmem_qcache_flush(), the
 * segment allocation counters not at all (refills and drains are in
 * them), and bad frees of cached sizes go through vmem_xfree() (a
 * vmem_free() of a cached size is not looked up).
 */
#define VMEM_DT_QCACHE		0x10u
#define VMEM_DT_ALL		(VMEM_DT_BADFREE | VMEM_DT_SLEEP | \
				 VMEM_DT_PLACEMENT | VMEM_DT_STATS)

/**
 * struct vmem_difftest_stats - What a difftest run did.
 * @nops: operations run
 * @narenas: arenas created
 * @nalloc: vmem_alloc() calls that succeeded
 * @nxalloc: vmem_xalloc() calls that succeeded
 * @nfail: allocations that failed with -ENOSPC, the model agreeing
 * @neinval: calls the arguments made fail with -EINVAL (expected)
 * @nfree: frees (vmem_free() and vmem_xfree())
 * @nbadfree: bad frees fed (each checked to be counted and harmless)
 * @nadd: vmem_add() calls that added a span
 * @nwalk: vmem_walk() comparisons
 * @ncheck: vmem_check() calls
 * @nplaced: placements checked against a policy
 * @maxlive: most allocations live at once
 * @ncached: allocations of sizes a quantum cache served (VMEM_DT_QCACHE)
 */
struct vmem_difftest_stats {
	unsigned long	nops;
	unsigned long	narenas;
	unsigned long	nalloc;
	unsigned long	nxalloc;
	unsigned long	nfail;
	unsigned long	neinval;
	unsigned long	nfree;
	unsigned long	nbadfree;
	unsigned long	nadd;
	unsigned long	nwalk;
	unsigned long	ncheck;
	unsigned long	nplaced;
	unsigned long	maxlive;
	unsigned long	ncached;
};

/**
 * struct vmem_difftest_params - How to run a difftest.
 * @seed: seed of the generator (vmem_difftest_run() only)
 * @nops: operations to run in all; for vmem_difftest_bytes() an upper
 *	bound, 0 meaning until the input is used up
 * @check_every: call vmem_check() every this many operations (and at
 *	every arena's end); 0: only at the end of each arena
 * @max_live: live allocations at most (an allocation beyond it becomes a
 *	free); 0 means 256.  Bounds the model's cost per operation.
 * @max_spans: spans per arena at most; 0 means 16
 * @flags: VMEM_DT_*
 * @progress: if not NULL, called every 1024 operations and between
 *	arenas (the kernel calls cond_resched() there)
 * @arg: passed to @progress
 * @quiet: with VMEM_DT_BADFREE (required then), called on each new arena
 *	so that the bad frees it is fed are logged, not warned about
 *	(vkt_quiet(): the flag it sets is internal to vmem)
 * @stats: if not NULL, filled with what the run did
 *
 * Arenas are created with qcache_max 0 unless @flags has VMEM_DT_QCACHE.
 */
struct vmem_difftest_params {
	u64				seed;
	unsigned long			nops;
	unsigned int			check_every;
	unsigned int			max_live;
	unsigned int			max_spans;
	unsigned int			flags;
	void				(*progress)(void *arg,
						    unsigned long done);
	void				*arg;
	void				(*quiet)(struct vmem *vm);
	struct vmem_difftest_stats	*stats;
};

/*
 * Run @p->nops operations drawn from the generator seeded with @p->seed,
 * on a sequence of arenas with random quantum (1 .. 2^(BITS_PER_LONG-1)),
 * spans (at 0, ending at ULONG_MAX, adjacent to each other, anywhere) and
 * lifetimes.  Must be called from process context (arenas are created and
 * destroyed; VMEM_DT_SLEEP allocations may sleep).
 *
 * Return: 0 when vmem and the model agreed throughout; -EIO at the first
 * disagreement, with a message in @err (the operation number, the seed,
 * the arena and the last operations); -ENOMEM if the model's own memory
 * could not be allocated; -EINVAL for bad @p.  @err is always a
 * NUL-terminated string if @errlen > 0.
 */
int vmem_difftest_run(const struct vmem_difftest_params *p, char *err,
		      size_t errlen);

/*
 * The same, decoding operations from @data instead of the generator: the
 * entry point of a fuzzer.  Every input is valid; the run ends when the
 * input is used up (or after @p->nops operations if nonzero).  @p->seed
 * is ignored.  Same return values.
 */
int vmem_difftest_bytes(const u8 *data, size_t len,
			const struct vmem_difftest_params *p, char *err,
			size_t errlen);

/* ---- the concurrent test ---- */

/**
 * struct vmem_mt_shared - State shared by the workers of a concurrent run.
 * @vm: the arena the workers allocate from (may import from another)
 * @base: first integer of the range every result must lie in
 * @size: size of that range; a multiple of @quantum
 * @quantum: @vm's quantum; the bitmap has a bit per quantum of @size
 * @bitmap: size / quantum bits, all clear on entry and on success exit
 * @seed: seed; worker @id uses a generator derived from it and @id
 * @nops: operations per worker
 * @max_live: live allocations per worker at most (0 means 64)
 * @max_units: largest request, in quanta (0 means 16)
 * @check_every: call vmem_check() every this many operations (0: never)
 * @progress: if not NULL, called every 256 operations (cond_resched())
 * @arg: passed to @progress
 *
 * Each worker allocates and frees with random constraints, NOSLEEP, and
 * checks each result's constraints and, through the bitmap, that no two
 * live results overlap, whichever worker holds them: a bit is set after
 * vmem returns a range and cleared before the range is given back, with
 * atomic bit operations.  Failures are allowed (other workers hold the
 * space); overlaps, violated constraints and vmem_check() errors are not.
 */
struct vmem_mt_shared {
	struct vmem	*vm;
	unsigned long	base;
	unsigned long	size;
	unsigned long	quantum;
	unsigned long	*bitmap;
	u64		seed;
	unsigned long	nops;
	unsigned int	max_live;
	unsigned int	max_units;
	unsigned int	check_every;
	void		(*progress)(void *arg, unsigned long done);
	void		*arg;
};

/**
 * struct vmem_mt_result - What one worker did.
 * @nalloc: allocations that succeeded
 * @nfail: allocations that failed with -ENOSPC
 * @nfree: frees
 * @ncheck: vmem_check() calls
 */
struct vmem_mt_result {
	unsigned long	nalloc;
	unsigned long	nfail;
	unsigned long	nfree;
	unsigned long	ncheck;
};

/*
 * Run worker @id of a concurrent test; call it from as many threads as
 * wanted, each with its own @res, @err.  Frees everything it allocated
 * before returning, even on failure.  Return: 0, -EIO with a message in
 * @err, -ENOMEM if its own table could not be allocated.
 */
int vmem_mt_worker(const struct vmem_mt_shared *sh, unsigned int id,
		   struct vmem_mt_result *res, char *err, size_t errlen);

#endif /* _VMEM_MODEL_H */
