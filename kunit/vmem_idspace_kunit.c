// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_idspace: identifier spaces.  vmem_id_alloc() is next
 * fit (a freed identifier is not reused until the others have had their
 * turn), vmem_id_allocff() first fit, vmem_id_alloc_specific() one given
 * identifier; spaces grow with vmem_idspace_extend().
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/err.h>

#include "vmem_kunit.h"

static struct vmem *vkt_ids(struct kunit *test, unsigned long low,
			    unsigned long high)
{
	struct vmem *ids = vmem_idspace_create("ids", low, high);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	return ids;
}

static unsigned long id_alloc(struct kunit *test, struct vmem *ids, bool ff)
{
	unsigned long id = ~0UL;

	KUNIT_EXPECT_EQ(test, ff ? vmem_id_allocff(ids, VMEM_NOSLEEP, &id) :
				   vmem_id_alloc(ids, VMEM_NOSLEEP, &id), 0);
	return id;
}

static void vmem_idspace_basic(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 10, 20);
	unsigned long id;
	int i;

	KUNIT_EXPECT_EQ(test, vmem_quantum(ids), 1UL);
	VKT_EXPECT_SIZES(test, ids, 0, 10);
	for (i = 10; i < 20; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), (unsigned long)i);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	VKT_EXPECT_SIZES(test, ids, 10, 0);
	for (i = 10; i < 20; i++)
		vmem_id_free(ids, i);
	VKT_EXPECT_SIZES(test, ids, 0, 10);
	VKT_EXPECT_CHECK(test, ids);
}

/*
 * Next fit: 10 11 12, free 10, alloc -> 13, free 13, alloc -> 14, ...,
 * then around the end back to the lowest free identifier.
 */
static void vmem_idspace_next_fit(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 10, 20);
	unsigned long id;
	int i;

	for (i = 10; i < 13; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), (unsigned long)i);
	vmem_id_free(ids, 10);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 13UL);
	/* The identifier just given out, freed, does not come back next. */
	vmem_id_free(ids, 13);
	KUNIT_ASSERT_EQ_MSG(test, id_alloc(test, ids, false), 14UL,
			    "a freed identifier was reused at once");
	for (i = 15; i < 20; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), (unsigned long)i);
	/* Wrap: 10 and 13 are free; the lowest, 10, first. */
	id = id_alloc(test, ids, false);
	KUNIT_EXPECT_EQ_MSG(test, id, 10UL, "wrapped to %lu", id);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 13UL);
	VKT_EXPECT_CHECK(test, ids);
}

static void vmem_idspace_first_fit(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 0, 8);
	int i;

	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), (unsigned long)i);
	vmem_id_free(ids, 5);
	vmem_id_free(ids, 2);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), 2UL);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), 5UL);
	vmem_id_free(ids, 0);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), 0UL);
	VKT_EXPECT_CHECK(test, ids);
}

/* The lowest free identifier of a range, as ida_alloc_range() gives. */
static void vmem_idspace_range(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 0, 64);
	unsigned long id, i;

	for (i = 0; i < 64; i += 3)
		KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(ids, i,
							     VMEM_NOSLEEP), 0);
	/* 0 3 6 ... taken: the lowest free of [3, 9] is 4 */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 3, 9, VMEM_NOSLEEP,
						  &id), 0);
	KUNIT_EXPECT_EQ(test, id, 4UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 3, 9, VMEM_NOSLEEP,
						  &id), 0);
	KUNIT_EXPECT_EQ(test, id, 5UL);
	/* a range of one, free, and one taken */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 8, 8, VMEM_NOSLEEP,
						  &id), 0);
	KUNIT_EXPECT_EQ(test, id, 8UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 9, 9, VMEM_NOSLEEP,
						  &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 60, 1000, VMEM_NOSLEEP,
						  &id), 0);
	KUNIT_EXPECT_EQ(test, id, 61UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 9, 3, VMEM_NOSLEEP,
						  &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_range(ids, 0, 63, VMEM_FIRSTFIT,
						  &id), -EINVAL);
	KUNIT_EXPECT_TRUE(test, vmem_index_ready(ids));
	VKT_EXPECT_CHECK(test, ids);
	for (i = 0; i < 64; i += 3)
		vmem_id_free(ids, i);
	for (i = 4; i <= 5; i++)
		vmem_id_free(ids, i);
	vmem_id_free(ids, 8);
	vmem_id_free(ids, 61);
	VKT_EXPECT_SIZES(test, ids, 0, 64);
}

static void vmem_idspace_specific(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 100, 200);

	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 150, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 150, VMEM_NOSLEEP),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 100, VMEM_SLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 199, VMEM_SLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 99, VMEM_NOSLEEP),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 200, VMEM_NOSLEEP),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, ULONG_MAX,
						     VMEM_NOSLEEP), -ENOSPC);
	VKT_EXPECT_SEGS(test, ids, VMEM_ALLOC, { 100, 1 }, { 150, 1 },
			{ 199, 1 });
	/* First fit steps around the specific ones. */
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), 101UL);
	vmem_id_free(ids, 150);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 150, VMEM_NOSLEEP), 0);
	VKT_EXPECT_SIZES(test, ids, 4, 96);
	VKT_EXPECT_CHECK(test, ids);
}

static void vmem_idspace_grow(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 0, 4);
	unsigned long id;
	int i;

	for (i = 0; i < 4; i++)
		id_alloc(test, ids, false);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 4, 8), 0);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 4UL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 100, 102), 0);
	for (i = 5; i < 8; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), (unsigned long)i);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 100UL);
	/* Overlapping or empty extensions are refused. */
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 7, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 90, 101), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 50, 50), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 60, 50), -EINVAL);
	VKT_EXPECT_SEGS(test, ids, VMEM_SPAN, { 0, 4 }, { 4, 4 }, { 100, 2 });
	VKT_EXPECT_SIZES(test, ids, 9, 1);
	VKT_EXPECT_CHECK(test, ids);
}

/* The identifiers 0 and ULONG_MAX - 1 are ordinary identifiers. */
static void vmem_idspace_edges(struct kunit *test)
{
	struct vmem *low = vkt_ids(test, 0, 2);
	struct vmem *high = vkt_ids(test, ULONG_MAX - 3, ULONG_MAX);
	unsigned long id;

	KUNIT_EXPECT_EQ(test, id_alloc(test, low, true), 0UL);
	KUNIT_EXPECT_EQ(test, id_alloc(test, low, false), 1UL);
	vmem_id_free(low, 0);
	KUNIT_EXPECT_EQ(test, id_alloc(test, low, false), 0UL);

	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(high, ULONG_MAX - 1,
						     VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, id_alloc(test, high, true), ULONG_MAX - 3);
	KUNIT_EXPECT_EQ(test, id_alloc(test, high, true), ULONG_MAX - 2);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(high, VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(high, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, id_alloc(test, high, true), 0UL);
	VKT_EXPECT_CHECK(test, low);
	VKT_EXPECT_CHECK(test, high);
}

static void vmem_idspace_create_bad(struct kunit *test)
{
	struct vmem *ids;

	ids = vmem_idspace_create("bad", 5, 5);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ids));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ids), -EINVAL);
	ids = vmem_idspace_create("bad", 6, 5);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ids), -EINVAL);
	ids = vmem_idspace_create(NULL, 0, 5);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ids), -EINVAL);
}

/* Many identifiers: all distinct, all in range, all given back. */
static void vmem_idspace_many(struct kunit *test)
{
	const unsigned long n = 4096;
	struct vmem *ids = vkt_ids(test, 1000, 1000 + n);
	unsigned long *seen, i, id;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(n) * sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < n; i++) {
		id = id_alloc(test, ids, i & 1);
		KUNIT_ASSERT_TRUE(test, id >= 1000 && id < 1000 + n);
		KUNIT_ASSERT_FALSE_MSG(test, __test_and_set_bit(id - 1000, seen),
				       "identifier %lu given twice", id);
	}
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	VKT_EXPECT_CHECK(test, ids);
	for (i = 0; i < n; i++)
		vmem_id_free(ids, 1000 + i);
	VKT_EXPECT_SIZES(test, ids, 0, n);
	VKT_EXPECT_SEGS(test, ids, VMEM_FREE, { 1000, n });
	VKT_EXPECT_CHECK(test, ids);
}

/*
 * One space through every call: next fit wrapping round, first fit
 * taking the lowest, exact identifiers, an extension used by both, and
 * the arguments each call refuses.
 */
static void vmem_idspace_all_calls(struct kunit *test)
{
	struct vmem *ids = vkt_ids(test, 10, 20);
	unsigned long id, i;

	for (i = 10; i < 20; i++)
		KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), i);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(ids, VMEM_NOSLEEP, &id), -ENOSPC);
	vmem_id_free(ids, 15);
	vmem_id_free(ids, 12);
	vmem_id_free(ids, 13);
	/* Next fit: after the last one given (19), round to 12, then 13. */
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 12UL);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, false), 13UL);
	KUNIT_EXPECT_EQ(test, id_alloc(test, ids, true), 15UL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 15, VMEM_NOSLEEP),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 9, VMEM_NOSLEEP),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_NOSLEEP | VMEM_BESTFIT,
					    &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 16, VMEM_NOSLEEP |
						     VMEM_FIRSTFIT), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 16, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 20, 30), 0);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 25, 35), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_idspace_extend(ids, 40, 40), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_id_allocff(ids, VMEM_SLEEP, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 20UL);
	VKT_EXPECT_CHECK(test, ids);
	vmem_id_free(ids, 25);
	vmem_id_free(ids, 20);
	for (i = 10; i < 20; i++)
		vmem_id_free(ids, i);
	VKT_EXPECT_SIZES(test, ids, 0, 20);
	VKT_EXPECT_CHECK(test, ids);
}

static struct kunit_case vmem_idspace_cases[] = {
	KUNIT_CASE(vmem_idspace_basic),
	KUNIT_CASE(vmem_idspace_next_fit),
	KUNIT_CASE(vmem_idspace_first_fit),
	KUNIT_CASE(vmem_idspace_range),
	KUNIT_CASE(vmem_idspace_specific),
	KUNIT_CASE(vmem_idspace_grow),
	KUNIT_CASE(vmem_idspace_edges),
	KUNIT_CASE(vmem_idspace_create_bad),
	KUNIT_CASE(vmem_idspace_all_calls),
	KUNIT_CASE_SLOW(vmem_idspace_many),
	{}
};

static struct kunit_suite vmem_idspace_suite = {
	.name = "vmem_idspace",
	.test_cases = vmem_idspace_cases,
};

kunit_test_suites(&vmem_idspace_suite);
