/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A brute-force oracle of vmem's allocation semantics.
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

#endif /* _VMEM_ORACLE_H */
