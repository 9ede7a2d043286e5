// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_badinput: arguments vmem must refuse.  Bad creation,
 * span and allocation arguments get -EINVAL, silently, and leave the
 * arena as it was.  Bad frees (never allocated, freed twice, wrong size,
 * interior address, another arena's range) are counted in nbadfree and
 * leave the arena as it was; these arenas are created with the internal
 * VMC_QUIET_BADFREE so that the rejection is logged, not warned about.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/slab.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

/* ---- vmem_create() ---- */

static void dummy_release(struct vmem *source, unsigned long addr,
			  unsigned long size)
{
}

static int dummy_import(struct vmem *source, unsigned long size,
			unsigned int vmflags, unsigned long *addrp)
{
	return -ENOMEM;
}

struct create_case {
	const char	*name;
	const char	*arena;
	unsigned long	base;
	unsigned long	size;
	unsigned long	quantum;
	vmem_import_fn	import;
	vmem_release_fn	release;
	bool		with_source;
	unsigned long	qcache_max;
	unsigned int	flags;
};

static const struct create_case create_cases[] = {
	{ "name_null", NULL, 0, 0, K },
	{ "quantum_zero", "bad", 0, 0, 0 },
	{ "quantum_zero_with_span", "bad", 0, K, 0 },
	{ "quantum_not_pow2", "bad", 0, 0, 0x1800 },
	{ "quantum_three", "bad", 0, 0, 3 },
	{ "quantum_three_with_span", "bad", 0, K, 3 },
	{ "base_unaligned", "bad", B + 1, K, K },
	{ "size_unaligned", "bad", B, K + 1, K },
	{ "span_wraps", "bad", ULONG_MAX - K + 1, 2 * K, K },
	{ "span_wraps_q1", "bad", ULONG_MAX, 2, 1 },
	{ "import_without_release", "bad", 0, 0, K, dummy_import, NULL, true },
	{ "release_without_import", "bad", 0, 0, K, NULL, dummy_release, true },
	{ "vmem_alloc_without_source", "bad", 0, 0, K, vmem_alloc, vmem_free,
	  false },
	{ "unknown_flag", "bad", 0, 0, K, NULL, NULL, false, 0, 0x1 },
	{ "unknown_flag_0x100", "bad", 0, K, K, NULL, NULL, false, 0, 0x100 },
	/* internal: set by tests after creation, never by a client */
	{ "internal_flag", "bad", 0, 0, K, NULL, NULL, false, 0,
	  VMC_QUIET_BADFREE },
	{ "qcache_max_unaligned", "bad", 0, 0, K, NULL, NULL, false, K + 1 },
	{ "qcache_max_100", "bad", 0, K, K, NULL, NULL, false, 100 },
};

KUNIT_ARRAY_PARAM_DESC(create, create_cases, name);

static void vmem_badinput_create(struct kunit *test)
{
	const struct create_case *c = test->param_value;
	struct vmem *src = vkt_create(test, "src", B, 16 * K, K, 0);
	struct vmem *vm;

	vm = vmem_create(c->arena, c->base, c->size, c->quantum, c->import,
			 c->release, c->with_source ? src : NULL,
			 c->qcache_max, c->flags);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(vm), "created %p", vm);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vm), -EINVAL);
	if (!IS_ERR_OR_NULL(vm))
		vmem_destroy(vm);
	VKT_EXPECT_SIZES(test, src, 0, 16 * K);
}

/* ---- vmem_add() ---- */

struct add_case {
	const char	*name;
	unsigned long	addr;
	unsigned long	size;
	unsigned int	vmflags;
};

/* The arena has [B, B + 16 K). */
static const struct add_case add_cases[] = {
	{ "size_zero", 2 * B, 0, VMEM_SLEEP },
	{ "addr_unaligned", 2 * B + 1, K, VMEM_SLEEP },
	{ "size_unaligned", 2 * B, K + 1, VMEM_SLEEP },
	{ "wraps", ULONG_MAX - K + 1, 2 * K, VMEM_SLEEP },
	{ "wraps_far", ULONG_MAX - K + 1, ULONG_MAX - K + 1, VMEM_NOSLEEP },
	{ "overlap_inside", B + K, K, VMEM_SLEEP },
	{ "overlap_left", B - K, 2 * K, VMEM_SLEEP },
	{ "overlap_right", B + 15 * K, 2 * K, VMEM_SLEEP },
	{ "overlap_containing", B - K, 18 * K, VMEM_SLEEP },
	{ "overlap_identical", B, 16 * K, VMEM_NOSLEEP },
	{ "flags_none", 2 * B, K, 0 },
	{ "flags_both", 2 * B, K, VMEM_SLEEP | VMEM_NOSLEEP },
	{ "flags_policy", 2 * B, K, VMEM_SLEEP | VMEM_FIRSTFIT },
	{ "flags_nosleep_policy", 2 * B, K, VMEM_NOSLEEP | VMEM_BESTFIT },
};

KUNIT_ARRAY_PARAM_DESC(add, add_cases, name);

static void vmem_badinput_add(struct kunit *test)
{
	const struct add_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "add", B, 16 * K, K, 0);
	unsigned long a = vkt_alloc(test, vm, K, VMEM_SLEEP);
	struct vmem_stats st;

	KUNIT_EXPECT_EQ(test, vmem_add(vm, c->addr, c->size, c->vmflags),
			-EINVAL);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { B, 16 * K });
	VKT_EXPECT_SIZES(test, vm, K, 15 * K);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nspans, 1UL);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, a, K);
	/* Adjacent spans, on either side, are not bad. */
	KUNIT_EXPECT_EQ(test, vmem_add(vm, B - K, K, VMEM_SLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, B + 16 * K, K, VMEM_NOSLEEP), 0);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- allocation arguments ---- */

struct alloc_case {
	const char	*name;
	unsigned long	size;
	unsigned int	vmflags;
};

static const struct alloc_case alloc_cases[] = {
	{ "size_zero", 0, VMEM_NOSLEEP },
	{ "size_unroundable", ULONG_MAX, VMEM_NOSLEEP },
	{ "size_unroundable_sleep", ULONG_MAX - K + 2, VMEM_SLEEP },
	{ "flags_none", K, 0 },
	{ "flags_policy_only", K, VMEM_FIRSTFIT },
	{ "flags_both", K, VMEM_SLEEP | VMEM_NOSLEEP },
	{ "two_policies", K, VMEM_NOSLEEP | VMEM_FIRSTFIT | VMEM_BESTFIT },
	{ "three_policies", K, VMEM_NOSLEEP | VMEM_NEXTFIT | VMEM_TOPDOWN |
	  VMEM_INSTANTFIT },
	{ "unknown_flag", K, VMEM_NOSLEEP | 0x4000 },
	{ "unknown_flag_0x8000", K, VMEM_NOSLEEP | 0x8000 },
	{ "creation_flag", K, VMEM_NOSLEEP | VMC_IDENTIFIER },
};

KUNIT_ARRAY_PARAM_DESC(alloc, alloc_cases, name);

/* Through vmem_alloc(), vmem_xalloc() and the identifier calls. */
static void vmem_badinput_alloc(struct kunit *test)
{
	const struct alloc_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "alloc", B, 16 * K, K, 0);
	struct vmem *ids = vmem_idspace_create("ids", 0, 16);
	unsigned long addr;
	struct vmem_stats st;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, c->size, c->vmflags, &addr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, c->size, 0, 0, 0, 0, VMEM_ADDR_MAX,
					  c->vmflags, &addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, c->size, 2 * K, K, 4 * K, B,
					  B + 8 * K - 1, c->vmflags, &addr),
			-EINVAL);
	if (c->size == K) {
		/* The flags alone are bad. */
		KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, c->vmflags, &addr),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, vmem_id_allocff(ids, c->vmflags, &addr),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 3,
							     c->vmflags),
				-EINVAL);
	}
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nalloc, 0ULL);
	VKT_EXPECT_SIZES(test, vm, 0, 16 * K);
	VKT_EXPECT_SIZES(test, ids, 0, 16);
	VKT_EXPECT_CHECK(test, vm);
}

/* A policy is not an argument of the identifier calls. */
static void vmem_badinput_id_policy(struct kunit *test)
{
	struct vmem *ids = vmem_idspace_create("ids", 0, 16);
	unsigned long id;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP | VMEM_TOPDOWN,
					    &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 3, VMEM_NOSLEEP |
						     VMEM_FIRSTFIT), -EINVAL);
	VKT_EXPECT_SIZES(test, ids, 0, 16);
}

/* ---- bad frees ---- */

enum badfree_kind {
	BF_NEVER,	/* free space */
	BF_DOUBLE,	/* freed already */
	BF_BIGGER,	/* right start, larger size */
	BF_SMALLER,	/* right start, smaller size */
	BF_INTERIOR,	/* inside an allocation */
	BF_STRADDLE,	/* from one allocation into the next */
	BF_OUTSIDE,	/* in no span */
	BF_OTHER_ARENA,	/* allocated from another arena */
	BF_SIZE_ZERO,	/* right start, size 0 */
	BF_SIZE_MAX,	/* right start, size ULONG_MAX */
};

struct badfree_case {
	const char		*name;
	enum badfree_kind	kind;
	bool			x;	/* vmem_xfree() rather than vmem_free() */
};

static const struct badfree_case badfree_cases[] = {
	{ "never_allocated", BF_NEVER },
	{ "double_free", BF_DOUBLE },
	{ "size_bigger", BF_BIGGER },
	{ "size_smaller", BF_SMALLER },
	{ "interior", BF_INTERIOR },
	{ "straddle", BF_STRADDLE },
	{ "outside_spans", BF_OUTSIDE },
	{ "other_arena", BF_OTHER_ARENA },
	{ "size_zero", BF_SIZE_ZERO },
	{ "size_ulong_max", BF_SIZE_MAX },
	{ "x_never_allocated", BF_NEVER, true },
	{ "x_double_free", BF_DOUBLE, true },
	{ "x_size_smaller", BF_SMALLER, true },
	{ "x_interior", BF_INTERIOR, true },
	{ "x_other_arena", BF_OTHER_ARENA, true },
};

KUNIT_ARRAY_PARAM_DESC(badfree, badfree_cases, name);

/*
 *   B: AAAA BB . CC ...   (A: 4 quanta, B: 2, C: 2; the rest free)
 */
static void vmem_badinput_free(struct kunit *test)
{
	const struct badfree_case *c = test->param_value;
	struct vmem *vm = vkt_create(test, "badfree", B, 16 * K, K,
				     VMC_QUIET_BADFREE);
	struct vmem *other = vkt_create(test, "badfree_other", B, 16 * K, K,
					VMC_QUIET_BADFREE);
	unsigned long a, b, cc, addr, size, o = 0;
	struct vkt_seg before[8], after[8];
	struct vmem_stats st0, st1;
	unsigned int n0, n1, i;

	a = vkt_alloc(test, vm, 4 * K, VMEM_SLEEP | VMEM_FIRSTFIT);
	b = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP | VMEM_FIRSTFIT);
	cc = vkt_xalloc(test, vm, 2 * K, 0, 0, 0, B + 7 * K, VMEM_ADDR_MAX,
			VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_ASSERT_EQ(test, cc, B + 7 * K);

	switch (c->kind) {
	case BF_NEVER:
		addr = B + 6 * K;
		size = K;
		break;
	case BF_DOUBLE:
		vmem_free(vm, b, 2 * K);
		addr = b;
		size = 2 * K;
		break;
	case BF_BIGGER:
		addr = b;
		size = 3 * K;
		break;
	case BF_SMALLER:
		addr = a;
		size = 3 * K;
		break;
	case BF_INTERIOR:
		addr = a + K;
		size = K;
		break;
	case BF_STRADDLE:
		addr = a + 2 * K;
		size = 4 * K;
		break;
	case BF_OUTSIDE:
		addr = 2 * B;
		size = K;
		break;
	case BF_SIZE_ZERO:
		addr = a;
		size = 0;
		break;
	case BF_SIZE_MAX:
		addr = a;
		size = ULONG_MAX;
		break;
	default:
		/* The same addresses in another arena, not allocated there. */
		o = vkt_alloc(test, other, 4 * K, VMEM_SLEEP | VMEM_TOPDOWN);
		vmem_free(vm, a, 4 * K);
		addr = o;
		size = 4 * K;
		break;
	}

	vmem_get_stats(vm, &st0);
	n0 = vkt_walk(vm, VMEM_ALLOC | VMEM_FREE, before, ARRAY_SIZE(before));
	if (c->x)
		vmem_xfree(vm, addr, size);
	else
		vmem_free(vm, addr, size);
	vmem_get_stats(vm, &st1);
	n1 = vkt_walk(vm, VMEM_ALLOC | VMEM_FREE, after, ARRAY_SIZE(after));

	KUNIT_EXPECT_EQ(test, st1.nbadfree, st0.nbadfree + 1);
	KUNIT_EXPECT_EQ(test, st1.nfree, st0.nfree);
	KUNIT_EXPECT_EQ(test, st1.mem_inuse, st0.mem_inuse);
	KUNIT_EXPECT_EQ(test, st1.nsegs, st0.nsegs);
	KUNIT_ASSERT_EQ(test, n1, n0);
	for (i = 0; i < n0; i++) {
		KUNIT_EXPECT_EQ(test, after[i].start, before[i].start);
		KUNIT_EXPECT_EQ(test, after[i].size, before[i].size);
	}
	VKT_EXPECT_CHECK(test, vm);

	/* The arena still works: real frees find their segments. */
	if (c->kind != BF_OTHER_ARENA)
		vmem_free(vm, a, 4 * K);
	if (c->kind != BF_DOUBLE)
		vmem_free(vm, b, 2 * K);
	vmem_xfree(vm, cc, 2 * K);
	vmem_get_stats(vm, &st1);
	KUNIT_EXPECT_EQ(test, st1.nbadfree, st0.nbadfree + 1);
	VKT_EXPECT_SIZES(test, vm, 0, 16 * K);
	VKT_EXPECT_CHECK(test, vm);
	if (o) {
		vmem_free(other, o, 4 * K);
		VKT_EXPECT_SIZES(test, other, 0, 16 * K);
	}
}

/* A bad free of an importing arena neither imports nor releases. */
static void vmem_badinput_free_import(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "src", B, 16 * K, K, 0);
	struct vmem *vm = vkt_create_child(test, "child", K, src,
					   VMC_QUIET_BADFREE);
	struct vmem_stats st;
	unsigned long a;

	a = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP);
	vmem_free(vm, a, K);
	vmem_free(vm, a + K, K);
	vmem_free(vm, 2 * B, K);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nbadfree, 3ULL);
	KUNIT_EXPECT_EQ(test, st.nrelease, 0ULL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 2 * K);
	vmem_free(vm, a, 2 * K);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nrelease, 1ULL);
	VKT_EXPECT_SIZES(test, src, 0, 16 * K);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_badinput_cases[] = {
	KUNIT_CASE_PARAM(vmem_badinput_create, create_gen_params),
	KUNIT_CASE_PARAM(vmem_badinput_add, add_gen_params),
	KUNIT_CASE_PARAM(vmem_badinput_alloc, alloc_gen_params),
	KUNIT_CASE(vmem_badinput_id_policy),
	KUNIT_CASE_PARAM(vmem_badinput_free, badfree_gen_params),
	KUNIT_CASE(vmem_badinput_free_import),
	{}
};

static struct kunit_suite vmem_badinput_suite = {
	.name = "vmem_badinput",
	.test_cases = vmem_badinput_cases,
};

kunit_test_suites(&vmem_badinput_suite);
