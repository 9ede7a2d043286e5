// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_index: the index of free segments (vmem/vmem_index.c)
 * and the span tree.
 *
 * When an arena gets its index (its first address-ordered request), at
 * once or through the index work; that its answers are the lowest, the
 * highest, the next and the smallest fits before, during and after the
 * work; that a free with no memory for a big tag falls back to a small
 * one and the work makes it whole; that the bound vis_max, lowered
 * lazily, never hides room; that the size tree starts with best fit.  Each
 * case checks the trees with vmem_check() as it goes.
 */
#include <kunit/test.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

static unsigned long holes_addr(unsigned long i)
{
	return B + 2 * i * K;
}

/* @n one-page holes from B up, each after a live page, then the tail. */
static struct vmem *vkt_holes(struct kunit *test, unsigned long n,
			      unsigned long tail)
{
	struct vmem *vm = vkt_create(test, "holes", B, (2 * n + tail) * K, K,
				     0);
	unsigned long i;

	for (i = 0; i < 2 * n; i++)
		KUNIT_ASSERT_EQ(test, vkt_alloc(test, vm, K, VMEM_NOSLEEP),
				B + i * K);
	for (i = 0; i < n; i++)
		vmem_free(vm, holes_addr(i), K);
	return vm;
}

static void vkt_unholes(struct kunit *test, struct vmem *vm, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		vmem_free(vm, holes_addr(i) + K, K);
	VKT_EXPECT_CHECK(test, vm);
}

/* Instant fit never indexes; the first first-fit request does, at once. */
static void vmem_index_starts_when_asked(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test, 10, 16);
	unsigned long a;

	KUNIT_EXPECT_FALSE(test, vm->vm_indexed);
	a = vkt_xalloc(test, vm, 4 * K, 8 * K, 0, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	vmem_xfree(vm, a, 4 * K);
	KUNIT_EXPECT_FALSE_MSG(test, vm->vm_indexed,
			       "alignment alone is not an order");
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, holes_addr(10));
	/* 11 free segments: converted in the request itself */
	KUNIT_EXPECT_TRUE(test, vm->vm_indexed);
	KUNIT_EXPECT_EQ(test, vm->vm_nunindexed, 0UL);
	KUNIT_EXPECT_FALSE(test, vm->vm_sized);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, a, 2 * K);
	vkt_unholes(test, vm, 10);
}

/* A window is an order too. */
static void vmem_index_window_starts_it(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test, 4, 16);
	unsigned long a;

	a = vkt_xalloc(test, vm, K, 0, 0, 0, holes_addr(2), VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, holes_addr(2));
	KUNIT_EXPECT_TRUE(test, vm->vm_indexed);
	vmem_xfree(vm, a, K);
	vkt_unholes(test, vm, 4);
}

#define MANY	300

/*
 * Too many free segments to convert in the request: the work does it;
 * meanwhile the lists answer, and every answer is the same.
 */
static void vmem_index_built_by_work(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test, MANY, 64);
	unsigned long a, b, c;

	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, holes_addr(MANY));
	KUNIT_EXPECT_TRUE(test, vm->vm_indexed);
	b = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, b, B + (2 * MANY + 63) * K);
	VKT_EXPECT_CHECK(test, vm);
	flush_work(&vm->vm_index_work);
	KUNIT_EXPECT_EQ(test, vm->vm_nunindexed, 0UL);
	KUNIT_EXPECT_FALSE(test, vm->vm_indexer_used);
	VKT_EXPECT_CHECK(test, vm);
	/* the same answers from the trees */
	c = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, c, holes_addr(0));
	vmem_free(vm, c, K);
	c = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, c, holes_addr(MANY) + 2 * K);
	vmem_free(vm, c, 2 * K);
	c = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, c, b - K);
	vmem_free(vm, c, K);
	vmem_free(vm, a, 2 * K);
	vmem_free(vm, b, K);
	vkt_unholes(test, vm, MANY);
}

/*
 * The bound of a node may stay above the sizes below it (shrinking the
 * largest segment does not propagate); a search for a size between the
 * two must neither fail nor take the shrunk segment.
 */
static void vmem_index_stale_bound(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test, 40, 64);
	unsigned long tail = holes_addr(40), a, b, c;

	/* index it, then put a 3-page hole at the bottom */
	vmem_free(vm, vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_FIRSTFIT), K);
	vmem_free(vm, holes_addr(0) + K, K);
	/* the tail shrinks to 4 pages from the top: a stale 64-page bound */
	a = vkt_xalloc(test, vm, 60 * K, 0, 0, 0, tail, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, a, tail);
	VKT_EXPECT_CHECK(test, vm);
	/* 5 pages: only what remains of the tail... none; -ENOSPC */
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 5 * K, VMEM_NOSLEEP |
					 VMEM_FIRSTFIT, &b), -ENOSPC);
	/* 4: the tail's rest; 3: the hole at the bottom, which is lower */
	b = vkt_alloc(test, vm, 3 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, b, holes_addr(0));
	c = vkt_alloc(test, vm, 4 * K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, c, tail + 60 * K);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, a, 60 * K);
	vmem_free(vm, b, 3 * K);
	vmem_free(vm, c, 4 * K);
	VKT_EXPECT_CHECK(test, vm);
	for (a = 1; a < 40; a++)
		vmem_free(vm, holes_addr(a) + K, K);
	VKT_EXPECT_SIZES(test, vm, 0, 144 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* Best fit keeps a size tree from its first request on, not before. */
static void vmem_index_size_tree(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "sizes", B, 64 * K, K, 0);
	unsigned long a[8], x, i;

	/* free runs of 1, 2, 3 and 5 pages, each after a live page */
	for (i = 0; i < 8; i++)
		a[i] = vkt_alloc(test, vm, (i % 2 ? 1 : 1 + i / 2 +
					    (i == 6)) * K,
				 VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_FALSE(test, vm->vm_sized);
	for (i = 0; i < 8; i += 2)
		vmem_free(vm, a[i], (1 + i / 2 + (i == 6)) * K);
	x = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_TRUE(test, vm->vm_sized);
	KUNIT_EXPECT_EQ(test, x, a[2]);
	vmem_free(vm, x, 2 * K);
	x = vkt_alloc(test, vm, 4 * K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, a[6]);
	vmem_free(vm, x, 4 * K);
	/* 1 page: the 1-page hole, not the lower part of a larger one */
	x = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_BESTFIT);
	KUNIT_EXPECT_EQ(test, x, a[0]);
	vmem_free(vm, x, K);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 1; i < 8; i += 2)
		vmem_free(vm, a[i], K);
	VKT_EXPECT_CHECK(test, vm);
}

#ifdef CONFIG_FAULT_INJECTION
#define NFREE	48

/*
 * Frees that find the big reserve empty and cannot allocate a big tag
 * give the free segment a small one; the index stays out of use, the
 * answers stay right, and the work makes it whole.  Each of the isolated
 * frees below takes a big tag from the reserve (VMEM_RESERVE_MAX at
 * most), and once it is empty tries to allocate one, which fails.
 */
static void vmem_index_free_without_memory(struct kunit *test)
{
	struct vmem *vm = vkt_holes(test, 4, 2 * NFREE);
	unsigned long a[NFREE], i, x;

	vmem_free(vm, vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_FIRSTFIT), K);
	for (i = 0; i < NFREE; i++)
		a[i] = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	for (i = 0; i < NFREE; i += 2) {
		WRITE_ONCE(current->fail_nth, 1);
		vmem_free(vm, a[i], K);
		WRITE_ONCE(current->fail_nth, 0);
		VKT_EXPECT_CHECK(test, vm);
	}
	/* the lists or the trees, the highest free page */
	x = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, x, a[0]);
	vmem_free(vm, x, K);
	flush_work(&vm->vm_index_work);
	KUNIT_EXPECT_EQ(test, vm->vm_nunindexed, 0UL);
	VKT_EXPECT_CHECK(test, vm);
	x = vkt_alloc(test, vm, K, VMEM_NOSLEEP | VMEM_TOPDOWN);
	KUNIT_EXPECT_EQ(test, x, a[0]);
	vmem_free(vm, x, K);
	for (i = 1; i < NFREE; i += 2)
		vmem_free(vm, a[i], K);
	vkt_unholes(test, vm, 4);
}
#endif

/* Next fit from the rotor, through the trees, wrapping at the top. */
static void vmem_index_next_fit(struct kunit *test)
{
	struct vmem *ids = vmem_idspace_create("idx_ids", 0, 8);
	unsigned long id, i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), 0);
		KUNIT_EXPECT_EQ(test, id, i);
		if (i % 2 == 0)
			vmem_id_free(ids, id);
	}
	KUNIT_EXPECT_TRUE(test, vmem_index_ready(ids));
	/* 0, 2, 4, 6 free; the rotor is past the top: wrap to 0 */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 0UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 2UL);
	vmem_id_free(ids, 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 4UL);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(ids, VMEM_NOSLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 0UL);
	VKT_EXPECT_CHECK(test, ids);
	for (i = 0; i < 6; i++)
		vmem_id_free(ids, i);
	vmem_id_free(ids, 7);
}

/* Spans in a tree: contains and overlaps in O(log spans). */
static void vmem_index_span_tree(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "spans", 0, 0, K, 0);
	unsigned long i;

	/* 200 spans, every other 16 pages, added in a scrambled order */
	for (i = 0; i < 200; i++) {
		unsigned long j = (i * 37) % 200;

		KUNIT_ASSERT_EQ(test, vmem_add(vm, j * 32 * K, 16 * K,
					       VMEM_NOSLEEP), 0);
	}
	KUNIT_EXPECT_EQ(test, vmem_add(vm, 100 * 32 * K + 8 * K, 16 * K,
				       VMEM_NOSLEEP), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, 100 * 32 * K - K, 2 * K,
				       VMEM_NOSLEEP), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, 100 * 32 * K + 16 * K, 16 * K,
				       VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, 50 * 32 * K, 16 * K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, 50 * 32 * K, 17 * K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, 50 * 32 * K + 16 * K, K));
	/* the two adjacent spans still do not make one */
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, 100 * 32 * K + 15 * K,
					       2 * K));
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 201 * 16 * K);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_index_cases[] = {
	KUNIT_CASE(vmem_index_starts_when_asked),
	KUNIT_CASE(vmem_index_window_starts_it),
	KUNIT_CASE(vmem_index_built_by_work),
	KUNIT_CASE(vmem_index_stale_bound),
	KUNIT_CASE(vmem_index_size_tree),
#ifdef CONFIG_FAULT_INJECTION
	KUNIT_CASE(vmem_index_free_without_memory),
#endif
	KUNIT_CASE(vmem_index_next_fit),
	KUNIT_CASE(vmem_index_span_tree),
	{}
};

static struct kunit_suite vmem_index_suite = {
	.name = "vmem_index",
	.test_cases = vmem_index_cases,
};

kunit_test_suites(&vmem_index_suite);
