/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A brute-force oracle of vmem's allocation semantics, and a randomized
 * driver that holds real arenas against it.
 *
 * The oracle keeps, for a window of W integers [base, base + W), what
 * each integer is: in no span, free, or allocated, and where spans begin.
 * It answers a request by trying every integer of the window as a start
 * and checking each constraint of Documentation/vmem.rst literally
 * (addr % align == phase, addr / nocross == last / nocross, ...), so it
 * shares no arithmetic with the fit code of the core (vmem/) or with
 * the solver of kunit/vmem_model.c: where they are clever, it is plain.
 * Its answers are the ones the API promises (the target semantics of
 * issue 11): feasible or not; the lowest fit (first fit), the highest
 * (top-down), the best-fit set, the next fit after a rotor; and, for an
 * arena importing from a source, whether the source holds a range the
 * request can use.
 *
 * Every answer costs O(W): a table of the free run that starts at each
 * integer (inside one span) is recounted backwards where the states
 * changed, and a request is then one forward pass.  W is meant to be a
 * few hundred to a few thousand.
 *
 * Like vmem_model.c, this file and vmem_oracle.c are shared by the KUnit
 * suite (kunit/vmem_oracle_kunit.c) and the userspace harness
 * (tools/testing/vmem/): they use only the headers vmem_model.h lists,
 * no KUnit, no locking; failures are reported through a return code and
 * a message.
 */
#ifndef _VMEM_ORACLE_H
#define _VMEM_ORACLE_H

#include <linux/types.h>
#include <linux/vmem.h>

/* ---- the oracle ---- */

/**
 * struct vmem_oracle - What each integer of a window of an arena is.
 * @base: first integer of the window
 * @width: number of integers in the window, W; base + W - 1 is its last
 *	integer and does not wrap, so a window may end at ULONG_MAX
 * @state: per integer: VMEM_ORACLE_OUT, _FREE or _ALLOC, or'ed with
 *	VMEM_ORACLE_SPAN_START on the first integer of each span and
 *	VMEM_ORACLE_IMPORTED on every integer of an imported span
 * @run: per integer: how many free integers start there, up to the end
 *	of its span; valid when @dirty is false
 * @dirty: @state changed since @run was built
 * @dlo: the lowest offset whose state changed (when @dirty)
 * @dhi: one past the highest
 * @inuse: integers allocated
 * @total: integers in spans
 * @nspans: spans
 *
 * Integers outside the window are in no span: an arena held against an
 * oracle has all of its spans inside the window.
 */
struct vmem_oracle {
	unsigned long	base;
	unsigned long	width;
	u8		*state;
	u32		*run;
	bool		dirty;
	unsigned long	dlo;
	unsigned long	dhi;
	unsigned long	inuse;
	unsigned long	total;
	unsigned int	nspans;
};

#define VMEM_ORACLE_OUT		0x00u
#define VMEM_ORACLE_FREE	0x01u
#define VMEM_ORACLE_ALLOC	0x02u
#define VMEM_ORACLE_KIND	0x03u
#define VMEM_ORACLE_SPAN_START	0x04u
#define VMEM_ORACLE_IMPORTED	0x08u

/* The largest window: run lengths are u32. */
#define VMEM_ORACLE_MAX_WIDTH	0x1000000UL

/**
 * struct vmem_oracle_req - A request, with the arguments vmem_xalloc() got.
 * @size: integers asked for, before rounding to @quantum
 * @align: 0 (the quantum) or the alignment
 * @phase: the start is @phase modulo @align
 * @nocross: 0, or a block size the range must not cross a multiple of
 * @minaddr: lowest allowed start
 * @maxaddr: highest allowed last integer (inclusive; 0 is the address 0,
 *	VMEM_ADDR_MAX is no limit)
 * @quantum: the quantum of the arena asked
 *
 * vmem_alloc(size) is {size, 0, 0, 0, 0, VMEM_ADDR_MAX, quantum}.
 */
struct vmem_oracle_req {
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
	unsigned long	quantum;
};

/**
 * struct vmem_oracle_answer - Where a request fits in an oracle's window.
 * @nfits: how many starts fit; the rest is valid only if it is not 0
 * @lowest: the lowest start that fits (VMEM_FIRSTFIT)
 * @highest: the highest (VMEM_TOPDOWN)
 * @next: the lowest at or above the rotor, else @lowest (VMEM_NEXTFIT)
 * @best_seg: the size of the smallest free segment that holds a fit
 * @best: the lowest fit of the lowest such segment; the other members of
 *	the best-fit set are the lowest fits of the other free segments of
 *	size @best_seg (see vmem_oracle_is_best())
 */
struct vmem_oracle_answer {
	unsigned long	nfits;
	unsigned long	lowest;
	unsigned long	highest;
	unsigned long	next;
	unsigned long	best_seg;
	unsigned long	best;
};

int vmem_oracle_init(struct vmem_oracle *o, unsigned long base,
		     unsigned long width);
void vmem_oracle_destroy(struct vmem_oracle *o);
void vmem_oracle_reset(struct vmem_oracle *o, unsigned long base);
bool vmem_oracle_in_window(const struct vmem_oracle *o, unsigned long start,
			   unsigned long size);
unsigned int vmem_oracle_get(const struct vmem_oracle *o, unsigned long addr);
int vmem_oracle_add_span(struct vmem_oracle *o, unsigned long start,
			 unsigned long size, bool imported);
int vmem_oracle_remove_span(struct vmem_oracle *o, unsigned long start,
			    unsigned long size);
bool vmem_oracle_span_of(const struct vmem_oracle *o, unsigned long addr,
			 unsigned long *startp, unsigned long *sizep,
			 bool *importedp);
int vmem_oracle_mark(struct vmem_oracle *o, unsigned long start,
		     unsigned long size, bool alloc);
bool vmem_oracle_is_free(struct vmem_oracle *o, unsigned long start,
			 unsigned long size);
unsigned long vmem_oracle_size(const struct vmem_oracle *o,
			       unsigned int typemask);

int vmem_oracle_req_check(const struct vmem_oracle_req *req,
			  unsigned long *sizep);
bool vmem_oracle_satisfies(const struct vmem_oracle_req *req,
			   unsigned long size, unsigned long addr);
bool vmem_oracle_fits(struct vmem_oracle *o,
		      const struct vmem_oracle_req *req, unsigned long size,
		      unsigned long addr);
bool vmem_oracle_solve(struct vmem_oracle *o,
		       const struct vmem_oracle_req *req, unsigned long size,
		       unsigned long rotor, struct vmem_oracle_answer *ans);
bool vmem_oracle_is_best(struct vmem_oracle *o,
			 const struct vmem_oracle_req *req, unsigned long size,
			 const struct vmem_oracle_answer *ans,
			 unsigned long addr);
bool vmem_oracle_lowest_in(struct vmem_oracle *o,
			   const struct vmem_oracle_req *req,
			   unsigned long size, unsigned long first,
			   unsigned long last, unsigned long *addrp);
bool vmem_oracle_import_fit(struct vmem_oracle *source,
			    const struct vmem_oracle_req *req,
			    unsigned long size, unsigned long squantum,
			    unsigned long *addrp, unsigned long *firstp,
			    unsigned long *lastp);

/* ---- the driver ---- */

/* vmem_oracle_params.kinds: which arenas to hold against the oracle. */
/* Arenas with spans of their own, any quantum from 1 to 64. */
#define VMEM_OR_FLAT		0x01u
/* Identifier spaces (vmem_idspace_create(), quantum 1). */
#define VMEM_OR_IDS		0x02u
/* A child importing with vmem_alloc/vmem_free from a source, quanta 1-8. */
#define VMEM_OR_IMPORT		0x04u
#define VMEM_OR_ALL_KINDS	(VMEM_OR_FLAT | VMEM_OR_IDS | VMEM_OR_IMPORT)

/* vmem_oracle_params.where: where windows start. */
#define VMEM_OR_AT_ZERO		0x01u	/* base 0 */
#define VMEM_OR_AT_MIDDLE	0x02u	/* a random multiple of W */
#define VMEM_OR_AT_TOP		0x04u	/* the window ends at ULONG_MAX */
#define VMEM_OR_ALL_WHERE	(VMEM_OR_AT_ZERO | VMEM_OR_AT_MIDDLE | \
				 VMEM_OR_AT_TOP)

/* vmem_oracle_params.ops: which operations to draw (frees always). */
#define VMEM_OR_OP_ALLOC	0x01u	/* vmem_alloc() */
#define VMEM_OR_OP_XALLOC	0x02u	/* vmem_xalloc() */
#define VMEM_OR_OP_ID		0x04u	/* vmem_id_*() on quantum-1 arenas */
#define VMEM_OR_OP_ADD		0x08u	/* vmem_add() */
#define VMEM_OR_OP_SOURCE	0x10u	/* allocations from the source too */
#define VMEM_OR_OP_BADFLAGS	0x20u	/* malformed flags now and then */
#define VMEM_OR_ALL_OPS		0x3fu

/*
 * vmem_oracle_params.flags: leave out what today's core is known to
 * get wrong, to see what else disagrees.  The default, 0, generates
 * everything and holds vmem to every rule.
 */
/* No request with maxaddr 0 (the address 0, not "no limit"). */
#define VMEM_OR_NO_MAXADDR_0	0x01u
/* An importing child gets windows and phases that Q = max(qc, qs) divides. */
#define VMEM_OR_IMPORT_ALIGNED	0x02u
/* Do not check where next fit lands in a span it just imported. */
#define VMEM_OR_NO_NEXTFIT_IMPORT 0x04u
/* vmem_id_alloc_specific() only of IDs inside the space's spans. */
#define VMEM_OR_SPECIFIC_INSIDE	0x08u

/*
 * Set to 1 (-DVMEM_ORACLE_ACCEPT_ENOMEM=1) to take -ENOMEM where a
 * request that no range satisfies must fail with -ENOSPC: today's core
 * answers -ENOMEM, and the switch lets the rest of the oracle be seen
 * while that is being changed.  The default is the API's rule.
 */
#ifndef VMEM_ORACLE_ACCEPT_ENOMEM
#define VMEM_ORACLE_ACCEPT_ENOMEM	0
#endif

/*
 * vmem_oracle_params.qcache: which arenas get quantum caches.  A flat
 * arena, an identifier space (then vmem_create()d with quantum 1 and
 * VMC_IDENTIFIER) or the source of a pair may cache; the child of a pair
 * does not (see "Quantum caches" in vmem_oracle.c).
 */
#define VMEM_OR_QC_NONE		0	/* qcache_max 0 everywhere */
#define VMEM_OR_QC_SOME		1	/* about half of the arenas */
#define VMEM_OR_QC_ALL		2	/* every arena that may */

/**
 * struct vmem_oracle_stats - What an oracle run did.
 * @nops: operations run
 * @narenas: arenas (or importing pairs) created
 * @nreq: requests held against the oracle (alloc, xalloc, id calls)
 * @nok: requests that succeeded, the oracle agreeing
 * @nnospc: requests that failed for lack of room, the oracle agreeing
 * @neinval: malformed requests refused with -EINVAL
 * @nbusy: vmem_id_alloc_specific() of a taken ID refused with -EBUSY
 * @nplaced: placements checked against a policy (first, best, next fit,
 *	top-down)
 * @nimport: requests that imported a span, the oracle agreeing
 * @nrelease: imported spans given back after a free
 * @nfree: frees
 * @nadd: spans added
 * @ncheck: vmem_check() calls
 * @ncaching: arenas created with quantum caches
 * @ncached: successful allocations of a size the arena caches
 * @nflush: vmem_qcache_flush() calls, each checked
 * @nloose: successful requests whose placement could not be demanded
 *	(quantum caches held ranges, or the next-fit rotor was unknown)
 */
struct vmem_oracle_stats {
	unsigned long	nops;
	unsigned long	narenas;
	unsigned long	nreq;
	unsigned long	nok;
	unsigned long	nnospc;
	unsigned long	neinval;
	unsigned long	nbusy;
	unsigned long	nplaced;
	unsigned long	nimport;
	unsigned long	nrelease;
	unsigned long	nfree;
	unsigned long	nadd;
	unsigned long	ncheck;
	unsigned long	ncaching;
	unsigned long	ncached;
	unsigned long	nflush;
	unsigned long	nloose;
};

/**
 * struct vmem_oracle_params - How to run the oracle's driver.
 * @seed: seed of the generator (vmem_oracle_run() only)
 * @nops: operations to run; for vmem_oracle_bytes() an upper bound, 0
 *	meaning until the input is used up
 * @width: W, the window of each arena: a power of two from 64 to
 *	VMEM_ORACLE_MAX_WIDTH; 0 means 1024
 * @kinds: VMEM_OR_FLAT, _IDS, _IMPORT; 0 means all
 * @where: VMEM_OR_AT_*; 0 means all
 * @ops: VMEM_OR_OP_*; 0 means all
 * @policies: the placement flags to draw from (VMEM_INSTANTFIT stands for
 *	"no policy flag" too); 0 means all five
 * @flags: VMEM_OR_NO_* restrictions; 0 for none
 * @max_live: live allocations at most; 0 means 64
 * @check_every: vmem_check() every this many operations, and at the end
 *	of every arena; 0 means 64
 * @progress: if not NULL, called every 256 operations (cond_resched())
 * @arg: passed to @progress
 * @stats: if not NULL, filled with what the run did
 * @qcache: VMEM_OR_QC_*: which arenas have quantum caches
 *
 * Every call is VMEM_NOSLEEP.
 */
struct vmem_oracle_params {
	u64				seed;
	unsigned long			nops;
	unsigned long			width;
	unsigned int			kinds;
	unsigned int			where;
	unsigned int			ops;
	unsigned int			policies;
	unsigned int			flags;
	unsigned int			max_live;
	unsigned int			check_every;
	void				(*progress)(void *arg,
						    unsigned long done);
	void				*arg;
	struct vmem_oracle_stats	*stats;
	unsigned int			qcache;
};

int vmem_oracle_run(const struct vmem_oracle_params *p, char *err,
		    size_t errlen);
int vmem_oracle_bytes(const u8 *data, size_t len,
		      const struct vmem_oracle_params *p, char *err,
		      size_t errlen);

#endif /* _VMEM_ORACLE_H */
