// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_xalloc: constrained allocation.
 *
 * A table of requests (align, phase, nocross, minaddr, maxaddr, with 0
 * and ULONG_MAX edges) on fresh arenas, each with the lowest and the
 * highest address that satisfies it, worked out by hand: first fit must
 * return the lowest, top-down the highest, and every policy a result
 * that satisfies the request.  The reference model must agree with the
 * hand-worked answers, which tests the oracle the differential test
 * relies on.  Then every combination of small constraints on a
 * fragmented arena against the model.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define H	(1UL << (BITS_PER_LONG - 1))
#define TOPQ	(ULONG_MAX - K + 1)		/* last page */
#define TOPM	(ULONG_MAX - 0xfffffUL)		/* last MiB */
#define S1	{ { 0x100000, 0x100000 } }	/* [1 MiB, 2 MiB) */
#define MAXA	VMEM_ADDR_MAX			/* no upper limit */

struct xalloc_case {
	const char	*name;
	unsigned long	quantum;
	struct vkt_seg	spans[2];	/* size 0: no span */
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
	int		err;		/* 0, -ENOSPC or -EINVAL */
	unsigned long	low;		/* the lowest fit */
	unsigned long	high;		/* the highest fit */
};

static const struct xalloc_case xalloc_cases[] = {
	{ "plain", K, S1, K, 0, 0, 0, 0, MAXA, 0, 0x100000, 0x1ff000 },
	{ "size_rounded", K, S1, 1, 0, 0, 0, 0, MAXA, 0, 0x100000, 0x1ff000 },
	{ "align_64k", K, S1, K, 0x10000, 0, 0, 0, MAXA, 0, 0x100000, 0x1f0000 },
	{ "align_span_unaligned", K, { { 0x101000, 0x100000 } }, K, 0x10000,
	  0, 0, 0, MAXA, 0, 0x110000, 0x200000 },
	{ "phase", K, S1, K, 0x10000, 0x3000, 0, 0, MAXA, 0, 0x103000,
	  0x1f3000 },
	{ "phase_past_span_start", K, { { 0x105000, 0x100000 } }, K, 0x10000,
	  0x3000, 0, 0, MAXA, 0, 0x113000, 0x203000 },
	{ "phase_max", K, S1, K, 0x10000, 0xf000, 0, 0, MAXA, 0, 0x10f000,
	  0x1ff000 },
	{ "nocross_bump_up", K, S1, 0x4000, 0, 0, 0x10000, 0x10e000, MAXA, 0,
	  0x110000, 0x1fc000 },
	{ "nocross_bump_down", K, S1, 0x4000, 0, 0, 0x10000, 0, 0x111fff, 0,
	  0x100000, 0x10c000 },
	{ "nocross_equals_size", K, S1, 0x10000, 0, 0, 0x10000, 0x101000, MAXA,
	  0, 0x110000, 0x1f0000 },
	{ "nocross_align_above", K, S1, 0x8000, 0x20000, 0x8000, 0x10000, 0,
	  MAXA, 0, 0x108000, 0x1e8000 },
	{ "nocross_phase_at_block_end", K, S1, 0x2000, 0x10000, 0xe000,
	  0x10000, 0, MAXA, 0, 0x10e000, 0x1fe000 },
	{ "min_unaligned", K, S1, K, 0, 0, 0, 0x100001, MAXA, 0, 0x101000,
	  0x1ff000 },
	{ "window_exact", K, S1, K, 0, 0, 0, 0x101000, 0x101fff, 0, 0x101000,
	  0x101000 },
	{ "window_mid", K, S1, K, 0, 0, 0, 0x180000, 0x180fff, 0, 0x180000,
	  0x180000 },
	{ "window_0_ulong_max", K, S1, K, 0, 0, 0, 0, ULONG_MAX, 0, 0x100000,
	  0x1ff000 },
	{ "max_addr_max_is_none", K, { { 0, 0x10000 } }, K, 0, 0, 0, 0, MAXA,
	  0, 0, 0xf000 },
	/* maxaddr 0 is the address 0, not "no limit" */
	{ "max_0_q1", 1, { { 0, 0x10 } }, 1, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "max_0_q1_taken", 1, { { 1, 0x10 } }, 1, 0, 0, 0, 0, 0, -ENOSPC },
	{ "window_first_quantum", K, { { 0, 0x10000 } }, K, 0, 0, 0, 0, K - 1,
	  0, 0, 0 },
	{ "window_0_0_rounds_empty", K, { { 0, 0x10000 } }, K, 0, 0, 0, 0, 0,
	  -EINVAL },
	{ "min_above_span", K, S1, K, 0, 0, 0, 0x200000, MAXA, -ENOSPC },
	{ "max_below_span", K, S1, K, 0, 0, 0, 0, 0xfffff, -ENOSPC },
	{ "align_beyond_span", K, S1, K, H >> 8, 0, 0, 0, MAXA, -ENOSPC },
	{ "align_2_63_at_0", K, { { 0, 0x100000 } }, K, H, 0, 0, 0, MAXA, 0, 0,
	  0 },
	{ "align_2_63_mid", K, { { H - 0x80000, 0x100000 } }, K, H, 0, 0, 0,
	  MAXA, 0, H, H },
	{ "phase_2_63_top", K, { { TOPM, 0x100000 } }, K, H, H - K, 0, 0, MAXA,
	  0, TOPQ, TOPQ },
	{ "top_span_align", K, { { TOPM, 0x100000 } }, K, 0x100000, 0, 0, 0,
	  MAXA, 0, TOPM, TOPM },
	{ "top_span_last_page", K, { { TOPM, 0x100000 } }, K, 0, 0, 0, TOPQ,
	  MAXA, 0, TOPQ, TOPQ },
	{ "max_ulong_max_minus_1", K, { { TOPM, 0x100000 } }, K, 0, 0, 0, 0,
	  ULONG_MAX - 1, 0, TOPM, TOPQ - K },
	{ "nocross_2_63", K, { { H - 0x100000, 0x200000 } }, 0x2000, 0, 0, H,
	  H - K, MAXA, 0, H, H + 0xfe000 },
	{ "nocross_2_63_top_block", K, { { TOPM, 0x100000 } }, 0x2000, 0, 0,
	  H, ULONG_MAX - 0x1fff, MAXA, 0, ULONG_MAX - 0x1fff,
	  ULONG_MAX - 0x1fff },
	{ "size_whole_span", K, S1, 0x100000, 0x100000, 0, 0, 0, MAXA, 0,
	  0x100000, 0x100000 },
	{ "size_ulong_max_q1", 1, { { 0, ULONG_MAX } }, ULONG_MAX, 0, 0, 0, 0,
	  MAXA, 0, 0, 0 },
	{ "q1_align_phase", 1, { { 1, 99 } }, 1, 8, 3, 0, 0, MAXA, 0, 3, 99 },
	{ "q1_nocross", 1, { { 1, 99 } }, 5, 0, 0, 8, 5, MAXA, 0, 8, 91 },
	{ "two_spans", K, { { 0x100000, 0x2000 }, { 0x200000, 0x10000 } },
	  0x4000, 0, 0, 0, 0, MAXA, 0, 0x200000, 0x20c000 },
	{ "adjacent_spans_no_straddle", K,
	  { { 0x100000, 0x2000 }, { 0x102000, 0x2000 } }, 0x3000, 0, 0, 0, 0,
	  MAXA, -ENOSPC },
	/* Malformed arguments. */
	{ "size_zero", K, S1, 0, 0, 0, 0, 0, MAXA, -EINVAL },
	{ "size_unroundable", K, S1, ULONG_MAX, 0, 0, 0, 0, MAXA, -EINVAL },
	{ "align_not_pow2", K, S1, K, 0x3000, 0, 0, 0, MAXA, -EINVAL },
	{ "align_below_quantum", K, S1, K, 0x800, 0, 0, 0, MAXA, -EINVAL },
	{ "phase_unaligned", K, S1, K, 0x10000, 0x800, 0, 0, MAXA, -EINVAL },
	{ "phase_equals_align", K, S1, K, 0x10000, 0x10000, 0, 0, MAXA, -EINVAL },
	{ "phase_without_align", K, S1, K, 0, K, 0, 0, MAXA, -EINVAL },
	{ "nocross_not_pow2", K, S1, K, 0, 0, 0x3000, 0, MAXA, -EINVAL },
	{ "nocross_below_quantum", K, S1, K, 0, 0, 0x800, 0, MAXA, -EINVAL },
	{ "nocross_below_size", K, S1, 0x2000, 0, 0, K, 0, MAXA, -EINVAL },
	{ "min_above_max", K, S1, K, 0, 0, 0, 0x180000, 0x17ffff, -EINVAL },
	{ "window_smaller_than_size", K, S1, 0x2000, 0, 0, 0, 0x1000, 0x2000,
	  -EINVAL },
	{ "nocross_phase_plus_size", K, S1, 0x2000, 0x4000, 0x3000, 0x4000, 0,
	  0, -EINVAL },
	/*
	 * Requests no arena could satisfy, which vmem_xalloc() documents as
	 * -EINVAL: a window that rounds to nothing, a minaddr that rounds
	 * past the top (it must not wrap to 0), phase + size past a block.
	 */
	{ "window_rounds_empty", K, S1, K, 0, 0, 0, 0x101000, 0x101ffe,
	  -EINVAL },
	{ "max_below_first_quantum", K, { { 0, 0x10000 } }, K, 0, 0, 0, 0,
	  0x800, -EINVAL },
	{ "min_ulong_max", K, { { 0, 0x100000 }, { TOPM, 0x100000 } }, K, 0,
	  0, 0, ULONG_MAX, MAXA, -EINVAL },
	{ "nocross_phase_impossible", K, S1, 0x2000, 0x10000, K, 0x2000, 0, MAXA,
	  -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(xalloc, xalloc_cases, name);

static const unsigned int xalloc_policies[] = {
	VMEM_FIRSTFIT, VMEM_TOPDOWN, VMEM_BESTFIT, VMEM_INSTANTFIT,
	VMEM_NEXTFIT, 0,
};

static void vmem_xalloc_table(struct kunit *test)
{
	const struct xalloc_case *c = test->param_value;
	struct vmem_model_req req = {
		.size = c->size, .align = c->align, .phase = c->phase,
		.nocross = c->nocross, .minaddr = c->minaddr,
		.maxaddr = c->maxaddr,
	};
	struct vmem_model m;
	unsigned long addr, want, total = 0;
	unsigned int i, nspans = 0;
	struct vmem_stats st;
	struct vmem *vm;
	int check, ret;

	vm = vkt_create(test, "xalloc", 0, 0, c->quantum, 0);
	KUNIT_ASSERT_EQ(test, vmem_model_init(&m, c->quantum, 2, 1), 0);
	for (i = 0; i < 2 && c->spans[i].size; i++) {
		KUNIT_ASSERT_EQ(test, vmem_add(vm, c->spans[i].start,
					       c->spans[i].size, VMEM_SLEEP), 0);
		KUNIT_ASSERT_EQ(test, vmem_model_add_span(&m, c->spans[i].start,
							  c->spans[i].size), 0);
		total += c->spans[i].size;
		nspans++;
	}

	/* The oracle first: it must find what was worked out by hand. */
	check = vmem_model_req_check(&m, &req);
	if (c->err == -EINVAL) {
		KUNIT_EXPECT_NE_MSG(test, check, 0, "model calls it valid");
	} else {
		KUNIT_EXPECT_EQ(test, check, 0);
		KUNIT_EXPECT_EQ(test, vmem_model_feasible(&m, &req, VMEM_FIRSTFIT,
							  &want), !c->err);
		if (!c->err) {
			KUNIT_EXPECT_EQ_MSG(test, want, c->low, "model lowest");
			vmem_model_feasible(&m, &req, VMEM_TOPDOWN, &want);
			KUNIT_EXPECT_EQ_MSG(test, want, c->high,
					    "model highest");
		}
	}

	for (i = 0; i < ARRAY_SIZE(xalloc_policies); i++) {
		unsigned int policy = xalloc_policies[i];

		addr = 0xdead0000UL;
		ret = vmem_xalloc(vm, c->size, c->align, c->phase, c->nocross,
				  c->minaddr, c->maxaddr,
				  VMEM_NOSLEEP | policy, &addr);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->err, "policy %#x", policy);
		if (ret)
			continue;
		KUNIT_EXPECT_TRUE_MSG(test,
				      vmem_model_req_satisfied(&m, &req, addr),
				      "policy %#x: %#lx violates the request",
				      policy, addr);
		KUNIT_EXPECT_TRUE_MSG(test, vmem_model_contains(&m, addr,
								c->size),
				      "policy %#x: %#lx outside the spans",
				      policy, addr);
		if (policy == VMEM_TOPDOWN)
			KUNIT_EXPECT_EQ_MSG(test, addr, c->high, "TOPDOWN");
		else if (policy == VMEM_FIRSTFIT || nspans == 1)
			/* One free segment: every other policy takes its low end. */
			KUNIT_EXPECT_EQ_MSG(test, addr, c->low,
					    "policy %#x", policy);
		else if (policy == VMEM_BESTFIT &&
			 vmem_model_feasible(&m, &req, VMEM_BESTFIT, &want))
			KUNIT_EXPECT_EQ_MSG(test, addr, want, "BESTFIT");
		vmem_xfree(vm, addr, c->size);
		VKT_EXPECT_CHECK(test, vm);
	}
	VKT_EXPECT_SIZES(test, vm, 0, total);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nalloc, st.nfree);
	KUNIT_EXPECT_EQ(test, st.nbadfree, 0ULL);
	KUNIT_EXPECT_EQ(test, st.nalloc,
			c->err ? 0ULL : (u64)ARRAY_SIZE(xalloc_policies));
	vmem_model_destroy(&m);
}

/*
 * Every combination of small constraints on a fragmented arena of
 * quantum 1, against the model: FIRSTFIT must return the lowest fit,
 * TOPDOWN the highest, each only when one exists.
 *
 *   span [3, 40):  3 ....... 10 AA 12 ........ 20 A 21 ......... 30 AAA 33 ....... 40
 *   span [60, 64): ....
 */
static void vmem_xalloc_exhaustive(struct kunit *test)
{
	static const unsigned long sizes[] = { 1, 2, 3, 5, 8 };
	static const unsigned long aligns[] = { 0, 1, 2, 4, 8, 16 };
	static const unsigned long nocrosses[] = { 0, 2, 4, 8, 16, 32 };
	static const unsigned long mins[] = { 0, 5, 9, 17, 61 };
	static const unsigned long maxs[] = {
		0, 3, 12, 25, 39, 62, VMEM_ADDR_MAX
	};
	static const struct vkt_seg busy[] = { { 10, 2 }, { 20, 1 }, { 30, 3 } };
	struct vmem *vm = vkt_create(test, "exhaustive", 3, 37, 1, 0);
	const unsigned long ncombos = ARRAY_SIZE(sizes) * ARRAY_SIZE(aligns) *
				      4 * ARRAY_SIZE(nocrosses) *
				      ARRAY_SIZE(mins) * ARRAY_SIZE(maxs) * 2;
	unsigned long i, ncalls = 0, nfit = 0, nbad = 0;
	struct vmem_model m;

	KUNIT_ASSERT_EQ(test, vmem_add(vm, 60, 4, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_model_init(&m, 1, 2, 4), 0);
	KUNIT_ASSERT_EQ(test, vmem_model_add_span(&m, 3, 37), 0);
	KUNIT_ASSERT_EQ(test, vmem_model_add_span(&m, 60, 4), 0);
	for (i = 0; i < ARRAY_SIZE(busy); i++) {
		KUNIT_ASSERT_EQ(test, vkt_xalloc(test, vm, busy[i].size, 0, 0,
						 0, busy[i].start, VMEM_ADDR_MAX,
						 VMEM_SLEEP | VMEM_FIRSTFIT),
				busy[i].start);
		KUNIT_ASSERT_EQ(test, vmem_model_insert(&m, busy[i].start,
							busy[i].size, 0), 0);
	}

	for (i = 0; i < ncombos; i++) {
		/* Decode i into one index per table, like digits. */
		unsigned long d = i;
		unsigned int pass = d % 2;
		unsigned long hi = (d /= 2) % ARRAY_SIZE(maxs);
		unsigned long li = (d /= ARRAY_SIZE(maxs)) % ARRAY_SIZE(mins);
		unsigned long ni = (d /= ARRAY_SIZE(mins)) % ARRAY_SIZE(nocrosses);
		unsigned long pi = (d /= ARRAY_SIZE(nocrosses)) % 4;
		unsigned long ai = (d /= 4) % ARRAY_SIZE(aligns);
		unsigned long si = (d / ARRAY_SIZE(aligns)) % ARRAY_SIZE(sizes);
		unsigned long align = aligns[ai] ? aligns[ai] : 1;
		/* phases 0, 1, align - 1 and align / 2, where distinct */
		unsigned long phases[4] = { 0, 1, align - 1, align / 2 };
		unsigned int policy = pass ? VMEM_TOPDOWN : VMEM_FIRSTFIT;
		struct vmem_model_req req = {
			.size = sizes[si], .align = aligns[ai],
			.phase = phases[pi], .nocross = nocrosses[ni],
			.minaddr = mins[li], .maxaddr = maxs[hi],
		};
		unsigned long addr = 0, want = 0;
		bool fits, ok;
		int check, ret;

		if (req.phase >= align || (pi && phases[pi] == 0) ||
		    (pi == 3 && (phases[3] == 1 || phases[3] == align - 1)) ||
		    (pi == 2 && phases[2] == 1))
			continue;
		check = vmem_model_req_check(&m, &req);
		fits = !check && vmem_model_feasible(&m, &req, policy, &want);
		ret = vmem_xalloc(vm, req.size, req.align, req.phase,
				  req.nocross, req.minaddr, req.maxaddr,
				  VMEM_NOSLEEP | policy, &addr);
		ncalls++;
		if (check == -EINVAL)
			ok = ret == -EINVAL;
		else if (check)
			ok = ret == -EINVAL || ret == -ENOSPC;
		else if (!fits)
			ok = ret == -ENOSPC;
		else
			ok = !ret && addr == want;
		/* Report the first few in full, then only count. */
		if (!ok && nbad++ < 8)
			KUNIT_FAIL(test,
				   "size %lu align %lu phase %lu nocross %lu min %lu max %lu policy %#x: returned %d addr %lu; model: check %d, fit %d at %lu",
				   req.size, req.align, req.phase, req.nocross,
				   req.minaddr, req.maxaddr, policy, ret, addr,
				   check, fits, want);
		if (!ret) {
			nfit++;
			vmem_xfree(vm, addr, req.size);
		}
		if (ncalls % 256 == 0)
			cond_resched();
	}
	kunit_info(test, "%lu requests, %lu satisfied\n", ncalls, nfit);
	KUNIT_EXPECT_EQ(test, nbad, 0UL);
	KUNIT_EXPECT_GT(test, nfit, ncalls / 8);
	VKT_EXPECT_SIZES(test, vm, 6, 35);
	VKT_EXPECT_CHECK(test, vm);
	vmem_model_destroy(&m);
}

/*
 * Constraints inside a fragmented arena: the result must come from a
 * hole that satisfies them, not merely from the first hole.
 *
 *   0 A 1 ... 4 A 5 ....... 12 A 13 ....... 32
 */
static void vmem_xalloc_in_holes(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "holes", 0, 32 * K, K, 0);
	unsigned long a;

	vkt_xalloc(test, vm, K, 0, 0, 0, 0, VMEM_ADDR_MAX, VMEM_SLEEP | VMEM_FIRSTFIT);
	vkt_xalloc(test, vm, K, 0, 0, 0, 4 * K, VMEM_ADDR_MAX, VMEM_SLEEP | VMEM_FIRSTFIT);
	vkt_xalloc(test, vm, K, 0, 0, 0, 12 * K, VMEM_ADDR_MAX, VMEM_SLEEP | VMEM_FIRSTFIT);
	/* 2 quanta aligned to 8 quanta: 8 is the first such address. */
	a = vkt_xalloc(test, vm, 2 * K, 8 * K, 0, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, 8 * K);
	/* 3 quanta not crossing 4-quantum blocks: [1,4) fits, first. */
	a = vkt_xalloc(test, vm, 3 * K, 0, 0, 4 * K, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, K);
	/* The best fit for 2 quanta at phase 1 mod 2 is in [5, 8). */
	a = vkt_xalloc(test, vm, 2 * K, 2 * K, K, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, a, 5 * K);
	/* Top-down below 12 quanta: the top of the free [10, 12). */
	a = vkt_xalloc(test, vm, K, 0, 0, 0, 0, 12 * K - 1,
		       VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, a, 11 * K);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_SIZES(test, vm, 11 * K, 21 * K);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 7 * K, K }, { 10 * K, K },
			{ 13 * K, 19 * K });
}

static struct kunit_case vmem_xalloc_cases[] = {
	KUNIT_CASE_PARAM(vmem_xalloc_table, xalloc_gen_params),
	KUNIT_CASE(vmem_xalloc_in_holes),
	KUNIT_CASE_SLOW(vmem_xalloc_exhaustive),
	{}
};

static struct kunit_suite vmem_xalloc_suite = {
	.name = "vmem_xalloc",
	.test_cases = vmem_xalloc_cases,
};

kunit_test_suites(&vmem_xalloc_suite);
