// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_policy: where each placement policy puts an
 * allocation.  One layout with holes of 1, 3, 4 and 2 quanta tells the
 * policies apart:
 *
 *   quantum  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *            A  .  A  .  .  .  A  A  .  .  .  .  A  .  .  A
 *   hole        H1    H3-------      H4---------    H2----
 *
 * FIRSTFIT takes the lowest hole that fits, BESTFIT the smallest, TOPDOWN
 * the top of the highest; NEXTFIT, with no history, the lowest.
 * INSTANTFIT takes the first hole of the lowest freelist from
 * fls(size - 1) up, and a hole stays on the list of the size it had
 * when it was made until it is four times that (vmem_freelist_add()): the
 * holes are made by frees of single quanta, so H1, H3 and H2, which grew
 * from one quantum to at most three, are on list 0, most recent first (H2,
 * H3, H1), and H4, which reached 4 quanta, moved to list 2.  So one
 * quantum comes from H2, and two, three or four from H4.
 */
#include <kunit/test.h>
#include <linux/workqueue.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL
#define Q(n)	(B + (n) * K)

static struct vmem *vkt_holes(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "holes", B, 16 * K, K, 0);
	static const unsigned int freed[] = { 1, 3, 4, 5, 8, 9, 10, 11, 13, 14 };
	unsigned int i;

	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, K,
						VMEM_NOSLEEP | VMEM_FIRSTFIT),
				Q(i));
	for (i = 0; i < ARRAY_SIZE(freed); i++)
		vmem_free(vm, Q(freed[i]), K);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { Q(1), K }, { Q(3), 3 * K },
			{ Q(8), 4 * K }, { Q(13), 2 * K });
	return vm;
}

struct policy_case {
	const char	*name;
	unsigned int	policy;
	unsigned long	size;		/* quanta */
	int		err;
	unsigned long	want[2];	/* quanta; either is right */
};

#define ANY	~0UL

static const struct policy_case policy_cases[] = {
	{ "firstfit_1", VMEM_FIRSTFIT, 1, 0, { 1, ANY } },
	{ "firstfit_2", VMEM_FIRSTFIT, 2, 0, { 3, ANY } },
	{ "firstfit_3", VMEM_FIRSTFIT, 3, 0, { 3, ANY } },
	{ "firstfit_4", VMEM_FIRSTFIT, 4, 0, { 8, ANY } },
	{ "bestfit_1", VMEM_BESTFIT, 1, 0, { 1, ANY } },
	{ "bestfit_2", VMEM_BESTFIT, 2, 0, { 13, ANY } },
	{ "bestfit_3", VMEM_BESTFIT, 3, 0, { 3, ANY } },
	{ "bestfit_4", VMEM_BESTFIT, 4, 0, { 8, ANY } },
	{ "topdown_1", VMEM_TOPDOWN, 1, 0, { 14, ANY } },
	{ "topdown_2", VMEM_TOPDOWN, 2, 0, { 13, ANY } },
	{ "topdown_3", VMEM_TOPDOWN, 3, 0, { 9, ANY } },
	{ "topdown_4", VMEM_TOPDOWN, 4, 0, { 8, ANY } },
	{ "instantfit_1", VMEM_INSTANTFIT, 1, 0, { 13, ANY } },
	{ "instantfit_2", VMEM_INSTANTFIT, 2, 0, { 8, ANY } },
	{ "instantfit_3", VMEM_INSTANTFIT, 3, 0, { 8, ANY } },
	{ "instantfit_4", VMEM_INSTANTFIT, 4, 0, { 8, ANY } },
	{ "default_is_instantfit_3", 0, 3, 0, { 8, ANY } },
	{ "default_is_instantfit_2", 0, 2, 0, { 8, ANY } },
	{ "nextfit_1", VMEM_NEXTFIT, 1, 0, { 1, ANY } },
	{ "nextfit_3", VMEM_NEXTFIT, 3, 0, { 3, ANY } },
	{ "nextfit_4", VMEM_NEXTFIT, 4, 0, { 8, ANY } },
	{ "firstfit_5", VMEM_FIRSTFIT, 5, -ENOSPC },
	{ "bestfit_5", VMEM_BESTFIT, 5, -ENOSPC },
	{ "topdown_5", VMEM_TOPDOWN, 5, -ENOSPC },
	{ "instantfit_5", VMEM_INSTANTFIT, 5, -ENOSPC },
	{ "nextfit_5", VMEM_NEXTFIT, 5, -ENOSPC },
};

KUNIT_ARRAY_PARAM_DESC(policy, policy_cases, name);

static void expect_placed(struct kunit *test, const struct policy_case *c,
			  unsigned long addr, const char *how)
{
	bool ok = addr == Q(c->want[0]) ||
		  (c->want[1] != ANY && addr == Q(c->want[1]));

	KUNIT_EXPECT_TRUE_MSG(test, ok,
			      "%s placed %lu quanta at quantum %ld, expected %lu%s",
			      how, c->size, (long)((addr - B) / K), c->want[0],
			      c->want[1] != ANY ? " or the other hole" : "");
}

/* Through vmem_alloc() and through an unconstrained vmem_xalloc(). */
static void vmem_policy_placement(struct kunit *test)
{
	const struct policy_case *c = test->param_value;
	struct vmem *vm = vkt_holes(test);
	unsigned long addr = 0;
	int ret;

	ret = vmem_alloc(vm, c->size * K, VMEM_NOSLEEP | c->policy, &addr);
	KUNIT_ASSERT_EQ(test, ret, c->err);
	if (!ret) {
		expect_placed(test, c, addr, "vmem_alloc");
		vmem_free(vm, addr, c->size * K);
	}
	VKT_EXPECT_CHECK(test, vm);

	/* Fresh holes, so that NEXTFIT has no history either. */
	vm = vkt_holes(test);
	ret = vmem_xalloc(vm, c->size * K, 0, 0, 0, 0, VMEM_ADDR_MAX,
			  VMEM_NOSLEEP | c->policy, &addr);
	KUNIT_ASSERT_EQ(test, ret, c->err);
	if (!ret) {
		expect_placed(test, c, addr, "vmem_xalloc");
		vmem_xfree(vm, addr, c->size * K);
	}
	VKT_EXPECT_SIZES(test, vm, 6 * K, 10 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* On a fresh span, only TOPDOWN starts at the top. */
static void vmem_policy_fresh_span(struct kunit *test)
{
	static const unsigned int policies[] = {
		0, VMEM_INSTANTFIT, VMEM_BESTFIT, VMEM_FIRSTFIT, VMEM_NEXTFIT,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		struct vmem *vm = vkt_create(test, "fresh", B, 16 * K, K, 0);

		KUNIT_EXPECT_EQ_MSG(test, vkt_alloc(test, vm, 3 * K,
						    VMEM_NOSLEEP | policies[i]),
				    B, "policy %#x", policies[i]);
	}
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vkt_create(test, "fresh_top", B,
							 16 * K, K, 0),
					3 * K, VMEM_NOSLEEP | VMEM_TOPDOWN),
			Q(13));
}

/*
 * BESTFIT on the freelists, which overlap: a hole that grew stays on the
 * list it was made on until it is four times that list's bound, so a
 * larger fit may sit on a lower list than the best one.  Here hole A was
 * made at 3 quanta (list of [2, 8) quanta) and grew to 7; hole C, made at
 * 5, is on the list of [4, 16).  Best fit for 5 must look past A to C.
 * The 70 one-quantum holes below them make the arena too big for its
 * first best-fit request to build the size tree at once, so that request
 * searches the lists unless the index work beats it; after a flush of the
 * work, the tree gives the same answer.
 */
static void vmem_policy_bestfit_overlapping_lists(struct kunit *test)
{
	const unsigned long nholes = 70, a = Q(2 * nholes);
	const unsigned long c = a + 8 * K;
	struct vmem *vm = vkt_create(test, "overlap", B, (2 * nholes + 16) * K,
				     K, 0);
	unsigned long i, x;

	/* the holes, then A: 3 + 4 x 1, a guard, C: 5, a guard, the rest */
	for (i = 0; i < 2 * nholes; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, K, VMEM_NOSLEEP),
				Q(i));
	KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, 3 * K, VMEM_NOSLEEP), a);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, K, VMEM_NOSLEEP),
				a + (3 + i) * K);
	KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, 5 * K, VMEM_NOSLEEP), c);
	KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, 3 * K, VMEM_NOSLEEP),
			c + 5 * K);
	for (i = 0; i < nholes; i++)
		vmem_free(vm, Q(2 * i), K);
	vmem_free(vm, a, 3 * K);
	for (i = 0; i < 4; i++)
		vmem_free(vm, a + (3 + i) * K, K);
	vmem_free(vm, c, 5 * K);
	VKT_EXPECT_CHECK(test, vm);

	x = vkt_alloc(test, vm, 5 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, c);
	vmem_free(vm, x, 5 * K);
	flush_work(&vm->vm_index_work);
	KUNIT_EXPECT_TRUE(test, vm->vm_sized);
	KUNIT_EXPECT_EQ(test, vm->vm_nunsized, 0UL);
	x = vkt_alloc(test, vm, 5 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, c);
	vmem_free(vm, x, 5 * K);
	/* a fit of 7 is A, whichever structure answers */
	x = vkt_alloc(test, vm, 6 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, a);
	vmem_free(vm, x, 6 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * NEXTFIT goes on from just after its previous allocation, and wraps
 * around to the bottom at the end:
 *   alloc 0 1 2, free 0, alloc -> 3, alloc 4 5 6 7, alloc -> 0 (wrap).
 */
static void vmem_policy_nextfit_rotor(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "rotor", B, 8 * K, K, 0);
	unsigned int f = VMEM_NOSLEEP | VMEM_NEXTFIT;
	unsigned long a;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(i));
	vmem_free(vm, Q(0), K);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(3));
	for (i = 4; i < 8; i++)
		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(i));
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(0));
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, f, &a), -ENOSPC);
	VKT_EXPECT_CHECK(test, vm);
	/* Other policies do not move the rotor. */
	vmem_free(vm, Q(2), K);
	vmem_free(vm, Q(5), K);
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K,
					VMEM_NOSLEEP | VMEM_FIRSTFIT), Q(2));
	KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(5));
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * Freeing the allocation just behind the rotor must not make it the next
 * one: NEXTFIT searches from just after the previous allocation, which
 * is what keeps a freed identifier from coming back at once.
 *   alloc 0 1 2, free 2, alloc -> 3 (not 2).
 */
static void vmem_policy_nextfit_no_immediate_reuse(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "reuse", B, 8 * K, K, 0);
	unsigned int f = VMEM_NOSLEEP | VMEM_NEXTFIT;

	unsigned long a, b;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K, f), Q(i));
	vmem_free(vm, Q(2), K);
	a = vkt_alloc(test, vm, K, f);
	KUNIT_EXPECT_EQ_MSG(test, a, Q(3),
			    "the range just freed came back at once");
	/* And with free segments on both sides of the rotor. */
	vmem_free(vm, Q(1), K);
	vmem_free(vm, a, K);
	b = vkt_alloc(test, vm, K, f);
	KUNIT_EXPECT_EQ_MSG(test, b, a + K,
			    "the range just freed came back at once");
	vmem_free(vm, b, K);
	VKT_EXPECT_CHECK(test, vm);
}

/* Policies in xalloc still honour the constraints first. */
static void vmem_policy_with_constraints(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test);

	/* 2 quanta at an even quantum: H3 has 4, H4 has 8 and 10. */
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, 2 * K, 2 * K, 0, 0, 0, VMEM_ADDR_MAX,
					 VMEM_NOSLEEP | VMEM_FIRSTFIT), Q(4));
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, 2 * K, 2 * K, 0, 0, 0, VMEM_ADDR_MAX,
					 VMEM_NOSLEEP | VMEM_TOPDOWN), Q(10));
	/*
	 * 1 quantum at an odd quantum from quantum 2 up: 3 (a single free
	 * quantum, what is left of H3) is smaller than [8, 10) and [13, 15).
	 */
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, K, 2 * K, K, 0, Q(2), VMEM_ADDR_MAX,
					 VMEM_NOSLEEP | VMEM_BESTFIT), Q(3));
	/* Top-down below quantum 10: the top of what is left of H4. */
	KUNIT_EXPECT_EQ(test, vkt_xalloc(test, vm, K, 0, 0, 0, 0, Q(10) - 1,
					 VMEM_NOSLEEP | VMEM_TOPDOWN), Q(9));
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * A second layout, with a free tail:
 *
 *   quantum  0  1  2  3  4  5  6  7  8  9 10 ... 31
 *            A  .  A  A  A  .  .  A  A  A  .  ...  .
 *
 * Holes of 1 and 2 quanta, then 22 free quanta: each policy, the next-fit
 * rotor going round, a window, and nocross.
 */
static void vmem_policy_tail_layout(struct kunit *test)
{
	static const unsigned long units[6] = { 1, 1, 3, 2, 2, 1 };
	struct vmem *vm = vkt_create(test, "tail", B, 32 * K, K, 0);
	unsigned int f = VMEM_NOSLEEP | VMEM_NEXTFIT;
	unsigned long a[6], x, y, z;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = vkt_alloc(test, vm, units[i] * K,
				 VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a[0], Q(0));
	KUNIT_EXPECT_EQ(test, a[1], Q(1));
	KUNIT_EXPECT_EQ(test, a[5], Q(9));
	vmem_free(vm, a[1], K);
	vmem_free(vm, a[3], 2 * K);

	/* Best fit of 2: the hole of 2, not the tail; of 1: the hole of 1. */
	x = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, Q(5));
	vmem_free(vm, x, 2 * K);
	x = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, Q(1));
	vmem_free(vm, x, K);
	x = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, x, Q(5));
	vmem_free(vm, x, 2 * K);
	x = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, x, Q(30));
	vmem_free(vm, x, 2 * K);
	/* Instant fit of 2: the 2..3 list holds [5, 7), whose members all fit. */
	x = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_INSTANTFIT);
	KUNIT_EXPECT_EQ(test, x, Q(5));
	vmem_free(vm, x, 2 * K);
	/* Of 3: no list below the tail's has only members of 3 or more. */
	x = vkt_alloc(test, vm, 3 * K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, x, Q(10));
	vmem_free(vm, x, 3 * K);

	/* Next fit from the bottom, then on from there, not back. */
	x = vkt_alloc(test, vm, K, f);
	KUNIT_EXPECT_EQ(test, x, Q(1));
	y = vkt_alloc(test, vm, K, f);
	KUNIT_EXPECT_EQ(test, y, Q(5));
	vmem_free(vm, x, K);
	z = vkt_alloc(test, vm, K, f);
	KUNIT_EXPECT_EQ_MSG(test, z, Q(6), "next fit reused %#lx too soon",
			    x);
	vmem_free(vm, y, K);
	vmem_free(vm, z, K);

	/* A window that rounds to one quantum. */
	x = vkt_xalloc(test, vm, K, 0, 0, 0, Q(20) + 1, Q(22) - 1,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, x, Q(21));
	vmem_xfree(vm, x, K);
	/* 2 quanta crossing no 4-quantum line, from quantum 3 up. */
	x = vkt_xalloc(test, vm, 2 * K, 0, 0, 4 * K, Q(3), VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, x, Q(5));
	vmem_xfree(vm, x, 2 * K);

	for (i = 0; i < ARRAY_SIZE(a); i++)
		if (i != 1 && i != 3)
			vmem_free(vm, a[i], units[i] * K);
	VKT_EXPECT_SIZES(test, vm, 0, 32 * K);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_policy_cases[] = {
	KUNIT_CASE_PARAM(vmem_policy_placement, policy_gen_params),
	KUNIT_CASE(vmem_policy_fresh_span),
	KUNIT_CASE(vmem_policy_bestfit_overlapping_lists),
	KUNIT_CASE(vmem_policy_nextfit_rotor),
	KUNIT_CASE(vmem_policy_nextfit_no_immediate_reuse),
	KUNIT_CASE(vmem_policy_with_constraints),
	KUNIT_CASE(vmem_policy_tail_layout),
	{}
};

static struct kunit_suite vmem_policy_suite = {
	.name = "vmem_policy",
	.test_cases = vmem_policy_cases,
};

kunit_test_suites(&vmem_policy_suite);
