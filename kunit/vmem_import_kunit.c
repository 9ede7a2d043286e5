// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_import: arenas that import spans from a source, with
 * vmem_alloc/vmem_free or custom functions; rounding to the source's
 * quantum, constraints passed down, spans returned the moment they are
 * wholly free, chains four deep, import failures, and the calling
 * context of import and release.
 */
#include <kunit/test.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL
#define SRC_SIZE 0x100000UL

static struct vmem *vkt_source(struct kunit *test, unsigned long quantum)
{
	return vkt_create(test, "source", B, SRC_SIZE, quantum, 0);
}

static void expect_stats(struct kunit *test, struct vmem *vm, u64 nimport,
			 u64 nrelease, unsigned long imported)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.nimport, nimport, "%s", vmem_name(vm));
	KUNIT_EXPECT_EQ_MSG(test, st.nrelease, nrelease, "%s",
			    vmem_name(vm));
	KUNIT_EXPECT_EQ_MSG(test, st.mem_import, imported, "%s",
			    vmem_name(vm));
}

static void vmem_import_basic(struct kunit *test)
{
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a;

	VKT_EXPECT_SIZES(test, vm, 0, 0);
	a = vkt_alloc(test, vm, 3 * K, VMEM_SLEEP);
	KUNIT_EXPECT_TRUE(test, vmem_contains(src, a, 3 * K));
	VKT_EXPECT_SIZES(test, vm, 3 * K, 0);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { a, 3 * K });
	VKT_EXPECT_SEGS(test, src, VMEM_ALLOC, { a, 3 * K });
	expect_stats(test, vm, 1, 0, 3 * K);
	VKT_EXPECT_CHECK(test, vm);

	/* Wholly free again: the span goes back at once. */
	vmem_free(vm, a, 3 * K);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	VKT_EXPECT_NO_SEGS(test, vm, VMEM_SPAN);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	expect_stats(test, vm, 1, 1, 0);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
}

/* Imports are rounded up to the source's quantum; the rest is free. */
static void vmem_import_rounding(struct kunit *test)
{
	struct vmem *src = vkt_source(test, 0x10000);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a, b;

	a = vkt_alloc(test, vm, K, VMEM_SLEEP);
	VKT_EXPECT_SIZES(test, vm, K, 0xf000);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0x10000UL);
	b = vkt_alloc(test, vm, K, VMEM_SLEEP);		/* no new import */
	expect_stats(test, vm, 1, 0, 0x10000);
	vmem_free(vm, a, K);
	expect_stats(test, vm, 1, 0, 0x10000);		/* b keeps it */
	vmem_free(vm, b, K);
	expect_stats(test, vm, 1, 1, 0);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	VKT_EXPECT_CHECK(test, vm);
}

/* With vmem_alloc as import, constraints are met by the source. */
static void vmem_import_constraints(struct kunit *test)
{
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a, b;

	/* Move the source's first free page off a 64 KiB boundary. */
	vkt_alloc(test, src, K, VMEM_SLEEP);
	a = vkt_xalloc(test, vm, K, 0x10000, 0x3000, 0, 0, VMEM_ADDR_MAX, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, a % 0x10000, 0x3000UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), K);
	b = vkt_xalloc(test, vm, 2 * K, 0, 0, 0, B + 0x80000, B + 0x81fff,
		       VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, b, B + 0x80000);
	b = vkt_xalloc(test, vm, 0x4000, 0, 0, 0x10000, B + 0x9e000, VMEM_ADDR_MAX,
		       VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, b, B + 0xa0000);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
}

/*
 * A window narrower than the source's quantum: the child can hold the
 * request if it imports the source quantum around the window, which is
 * free.  (NOSLEEP: were the import to fail, a VMEM_SLEEP call would wait
 * for a free in the child, which nothing would ever make.)
 */
static void vmem_import_narrow_window(struct kunit *test)
{
	struct vmem *src = vkt_source(test, 0x10000);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a = 0;
	int ret;

	ret = vmem_xalloc(vm, K, 0x10000, 0, 0, B + 0x50000, B + 0x50fff,
			  VMEM_NOSLEEP, &a);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, a, B + 0x50000);
		vmem_xfree(vm, a, K);
	}
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	VKT_EXPECT_CHECK(test, vm);
}

/* A custom import: counts its calls, fails on demand, checks context. */
struct counting_import {
	unsigned int	nimport;
	unsigned int	nrelease;
	unsigned long	last_size;
	unsigned long	imported;	/* sum of live imports */
	bool		fail;
	bool		bad_context;	/* called with a lock or irqs off */
};

static struct counting_import *cur_ci;	/* one test at a time */

/* Called with no spinlock held and interrupts on? */
static bool unlocked_context(void)
{
	return !irqs_disabled() &&
	       (!IS_ENABLED(CONFIG_PREEMPT_COUNT) || preemptible());
}

static int counting_import_fn(struct vmem *source, unsigned long size,
			      unsigned int vmflags, unsigned long *addrp)
{
	struct counting_import *ci = cur_ci;
	int ret;

	ci->nimport++;
	ci->last_size = size;
	/* vmem holds no lock: a VMEM_SLEEP import may sleep. */
	if ((vmflags & VMEM_SLEEP) ? !unlocked_context() : irqs_disabled())
		ci->bad_context = true;
	if (vmflags & VMEM_SLEEP)
		might_sleep();
	if (ci->fail)
		return -ENOMEM;
	ret = vmem_alloc(source, size, vmflags, addrp);
	if (!ret)
		ci->imported += size;
	return ret;
}

static void counting_release_fn(struct vmem *source, unsigned long addr,
				unsigned long size)
{
	struct counting_import *ci = cur_ci;

	ci->nrelease++;
	ci->imported -= size;
	if (!unlocked_context())
		ci->bad_context = true;
	vmem_free(source, addr, size);
}

static struct vmem *vkt_counting_child(struct kunit *test,
				       struct counting_import *ci,
				       struct vmem *src)
{
	struct vmem *vm;

	cur_ci = ci;
	vm = vmem_create("counting", 0, 0, K, counting_import_fn,
			 counting_release_fn, src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	return vm;
}

static void vmem_import_custom(struct kunit *test)
{
	struct counting_import ci = { };
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm = vkt_counting_child(test, &ci, src);
	unsigned long a, b, x;

	a = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP);
	b = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, ci.nimport, 2U);
	KUNIT_EXPECT_EQ(test, ci.last_size, K);
	/* Not vmem_alloc: the span is padded to hold any alignment. */
	x = vkt_xalloc(test, vm, K, 0x10000, 0, 0, 0, VMEM_ADDR_MAX, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, x % 0x10000, 0UL);
	KUNIT_EXPECT_EQ(test, ci.nimport, 3U);
	KUNIT_EXPECT_GE(test, ci.last_size, K + 0x10000 - K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), ci.imported);
	vmem_free(vm, a, 2 * K);
	vmem_free(vm, b, K);
	vmem_xfree(vm, x, K);
	KUNIT_EXPECT_EQ(test, ci.nrelease, 3U);
	KUNIT_EXPECT_EQ(test, ci.imported, 0UL);
	KUNIT_EXPECT_FALSE(test, ci.bad_context);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	VKT_EXPECT_CHECK(test, vm);
}

/* A failing import fails the allocation and changes nothing. */
static void vmem_import_failure(struct kunit *test)
{
	struct counting_import ci = { .fail = true };
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm = vkt_counting_child(test, &ci, src);
	struct vmem_stats st;
	unsigned long a;

	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &a), -ENOMEM);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, K, 0x10000, 0, 0, 0, VMEM_ADDR_MAX,
					  VMEM_NOSLEEP, &a), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ci.nimport, 2U);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nfail, 2ULL);
	KUNIT_EXPECT_EQ(test, st.nimport, 0ULL);
	VKT_EXPECT_CHECK(test, vm);

	ci.fail = false;
	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	vmem_free(vm, a, K);
	KUNIT_EXPECT_EQ(test, ci.nrelease, 1U);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
}

/* An exhausted source: NOSLEEP fails, the child is untouched. */
static void vmem_import_source_exhausted(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "small_source", B, 2 * K, K, 0);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a;

	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 4 * K, VMEM_NOSLEEP, &a),
			-ENOSPC);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	VKT_EXPECT_SIZES(test, src, 0, 2 * K);
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, B);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &a), -ENOSPC);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
}

/* A span of its own is never given back; imported ones are. */
static void vmem_import_own_span(struct kunit *test)
{
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm;
	unsigned long a, b;

	vm = vmem_create("own", 0x10000, 2 * K, K, vmem_alloc, vmem_free, src,
			 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	a = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, a, 0x10000UL);
	expect_stats(test, vm, 0, 0, 0);
	b = vkt_alloc(test, vm, K, VMEM_SLEEP);
	KUNIT_EXPECT_TRUE(test, vmem_contains(src, b, K));
	expect_stats(test, vm, 1, 0, K);
	vmem_free(vm, a, 2 * K);
	vmem_free(vm, b, K);
	expect_stats(test, vm, 1, 1, 0);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN, { 0x10000, 2 * K });
	VKT_EXPECT_SIZES(test, vm, 0, 2 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* Two allocations in one imported span: released after the second. */
static void vmem_import_span_return(struct kunit *test)
{
	struct vmem *src = vkt_source(test, 0x10000);
	struct vmem *vm = vkt_create_child(test, "child", K, src, 0);
	unsigned long a, b, c;

	a = vkt_alloc(test, vm, K, VMEM_SLEEP | VMEM_FIRSTFIT);
	b = vkt_alloc(test, vm, K, VMEM_SLEEP | VMEM_FIRSTFIT);
	c = vkt_alloc(test, vm, K, VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, b, a + K);
	expect_stats(test, vm, 1, 0, 0x10000);
	vmem_free(vm, b, K);		/* a hole: nothing to give back */
	vmem_free(vm, a, K);
	expect_stats(test, vm, 1, 0, 0x10000);
	vmem_free(vm, c, K);		/* now wholly free */
	expect_stats(test, vm, 1, 1, 0);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	VKT_EXPECT_CHECK(test, vm);
}

/* vmem_xcreate(): an import that gives more than asked. */
static int ximport_fn(struct vmem *source, unsigned long *sizep,
		      unsigned int vmflags, unsigned long *addrp)
{
	unsigned long size = max(*sizep, 16 * K);
	int ret = vmem_alloc(source, size, vmflags, addrp);

	if (!ret)
		*sizep = size;
	return ret;
}

static void vmem_import_xcreate(struct kunit *test)
{
	struct vmem *src = vkt_source(test, K);
	unsigned long a[16];
	struct vmem *vm;
	int i;

	vm = vmem_xcreate("ximport", 0, 0, K, ximport_fn, vmem_free, src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	for (i = 0; i < 16; i++)
		a[i] = vkt_alloc(test, vm, K, VMEM_SLEEP);
	expect_stats(test, vm, 1, 0, 16 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 16 * K);
	for (i = 0; i < 16; i++)
		vmem_free(vm, a[i], K);
	/* Released with the size the import reported. */
	expect_stats(test, vm, 1, 1, 0);
	VKT_EXPECT_SIZES(test, src, 0, SRC_SIZE);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * a4 imports from a3, ..., a1 from a0, which has the span.  One
 * allocation from a4 imports at every level; its free returns every span.
 */
static void vmem_import_chain_four_deep(struct kunit *test)
{
	struct vmem *a[5];
	unsigned long x, y;
	int i;

	a[0] = vkt_create(test, "chain0", B, 0x1000000, K, 0);
	for (i = 1; i < 5; i++)
		a[i] = vkt_create_child(test, "chain", K, a[i - 1], 0);

	x = vkt_alloc(test, a[4], 3 * K, VMEM_SLEEP);
	for (i = 1; i < 5; i++) {
		expect_stats(test, a[i], 1, 0, 3 * K);
		VKT_EXPECT_SEGS(test, a[i], VMEM_SPAN, { x, 3 * K });
		VKT_EXPECT_CHECK(test, a[i]);
	}
	VKT_EXPECT_SEGS(test, a[0], VMEM_ALLOC, { x, 3 * K });

	/* Constraints travel down the chain too. */
	y = vkt_xalloc(test, a[4], K, 0x100000, 0x5000, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, y % 0x100000, 0x5000UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(a[0], VMEM_ALLOC), 4 * K);

	vmem_free(a[4], x, 3 * K);
	vmem_xfree(a[4], y, K);
	for (i = 1; i < 5; i++) {
		expect_stats(test, a[i], 2, 2, 0);
		VKT_EXPECT_SIZES(test, a[i], 0, 0);
		VKT_EXPECT_CHECK(test, a[i]);
	}
	VKT_EXPECT_SIZES(test, a[0], 0, 0x1000000);
	VKT_EXPECT_CHECK(test, a[0]);
}

/*
 * An importer whose quantum is larger than its source's: whatever the
 * source hands out, the importer's ranges must be aligned to its own
 * quantum.
 */
static void vmem_import_larger_quantum(struct kunit *test)
{
	struct vmem *src = vkt_source(test, K);
	struct vmem *vm;
	unsigned long a;
	int ret;

	/* Make the source's lowest free address odd in 64 KiB units. */
	vkt_alloc(test, src, K, VMEM_SLEEP);
	vm = vkt_create_child(test, "big_quantum", 0x10000, src, 0);
	ret = vmem_alloc(vm, 0x10000, VMEM_SLEEP, &a);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, a % 0x10000, 0UL);
		vmem_free(vm, a, 0x10000);
	}
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * A child of quantum 1 under a source of quantum 4 K: imports are whole
 * source quanta, small allocations share them, constraints pass down,
 * spans go back once free, requests the source can never hold fail, and
 * destroying the child with an allocation left gives its span back.
 */
static void vmem_import_quantum_one_child(struct kunit *test)
{
	const unsigned long h = 1UL << (BITS_PER_LONG - 1);
	struct vmem *src = vkt_create(test, "q1_source", B, 256 * K, K, 0);
	struct vmem_stats st;
	unsigned long a, b, c;
	struct vmem *vm;

	vm = vmem_create("q1_child", 0, 0, 1, vmem_alloc, vmem_free, src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	a = vkt_alloc(test, vm, 100, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), K);
	b = vkt_alloc(test, vm, 1000, VMEM_NOSLEEP);	/* in the same span */
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), K);
	c = vkt_xalloc(test, vm, K, 16 * K, K, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, c % (16 * K), K);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nimport, 2ULL);
	KUNIT_EXPECT_EQ(test, st.mem_import, 2 * K);
	KUNIT_EXPECT_EQ(test, st.nspans, 2UL);
	vmem_xfree(vm, c, K);
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(vm, VMEM_SPAN), K,
			    "a wholly free imported span was kept");
	vmem_free(vm, a, 100);
	vmem_free(vm, b, 1000);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nrelease, 2ULL);
	KUNIT_EXPECT_EQ(test, st.mem_total, 0UL);
	KUNIT_EXPECT_EQ(test, st.nspans, 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	/* Its padding for align, phase and nocross runs past ULONG_MAX. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, h / 2, h, 1, h, 0, VMEM_ADDR_MAX,
					  VMEM_NOSLEEP, &c), -ENOSPC);
	/* A phase the source cannot give: imported with padding. */
	c = vkt_xalloc(test, vm, 64, 128, 64, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, c % 128, 64UL);
	VKT_EXPECT_CHECK(test, vm);
	/* Destroyed with [c, +64) allocated: the span still goes back. */
	vmem_destroy(vm);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, src);
}

/* Quanta 64 K, 4 K and 64 down a chain: frees give every span back. */
static void vmem_import_chain_mixed_quanta(struct kunit *test)
{
	struct vmem *top = vkt_create(test, "chain_top", 0, 1UL << 30,
				      1UL << 16, 0);
	struct vmem *mid = vkt_create_child(test, "chain_mid", K, top, 0);
	struct vmem *bot = vkt_create_child(test, "chain_bot", 64, mid, 0);
	unsigned long a[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = vkt_alloc(test, bot, 64UL << i,
				 VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_GE(test, vmem_arena_size(top, VMEM_ALLOC), 1UL << 16);
	VKT_EXPECT_CHECK(test, bot);
	VKT_EXPECT_CHECK(test, mid);
	VKT_EXPECT_CHECK(test, top);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		vmem_free(bot, a[i], 64UL << i);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(bot, VMEM_SPAN), 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(mid, VMEM_SPAN), 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(top, VMEM_ALLOC), 0UL);
}

/*
 * A custom import that can fail, give more than asked (ximport), or hand
 * out ranges off the quantum by @skew.
 */
struct skew_import {
	unsigned int	nimport;
	unsigned int	nrelease;
	unsigned long	imported;	/* out now */
	bool		fail;
	unsigned long	extra;		/* ximport: give this much more */
	unsigned long	skew;		/* import: misalign by this */
};

static struct skew_import *cur_si;	/* one test at a time */

static int skew_import_fn(struct vmem *src, unsigned long size,
			  unsigned int vmflags, unsigned long *addrp)
{
	struct skew_import *si = cur_si;
	int ret;

	if (si->fail)
		return -ENOMEM;
	ret = vmem_alloc(src, size, vmflags, addrp);
	if (!ret) {
		si->nimport++;
		si->imported += size;
		*addrp += si->skew;
	}
	return ret;
}

static int skew_ximport_fn(struct vmem *src, unsigned long *sizep,
			   unsigned int vmflags, unsigned long *addrp)
{
	struct skew_import *si = cur_si;
	unsigned long size = *sizep + si->extra;
	int ret;

	if (si->fail)
		return -ENOMEM;
	ret = vmem_alloc(src, size, vmflags, addrp);
	if (!ret) {
		*sizep = size;
		si->nimport++;
		si->imported += size;
	}
	return ret;
}

static void skew_release_fn(struct vmem *src, unsigned long addr,
			    unsigned long size)
{
	struct skew_import *si = cur_si;

	si->nrelease++;
	si->imported -= size;
	vmem_free(src, addr - si->skew, size);
}

static void vmem_import_custom_edges(struct kunit *test)
{
	const unsigned long h = 1UL << (BITS_PER_LONG - 1);
	struct vmem *src = vkt_create(test, "edge_source", B, 256 * K, K, 0);
	struct vkt_seg before[4];
	struct vmem *vm, *q1, *xvm;
	struct skew_import *si;
	unsigned long a, b;

	/* Not on the stack: the release functions run at cleanup too. */
	si = kunit_kzalloc(test, sizeof(*si), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, si);
	cur_si = si;
	vm = vmem_create("edge", 0, 0, K, skew_import_fn, skew_release_fn, src,
			 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	/* The misaligned import below is misuse on purpose: no WARN. */
	vm->vm_flags |= VMC_QUIET_BADFREE;

	a = vkt_alloc(test, vm, 3 * K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, si->nimport, 1U);
	KUNIT_EXPECT_EQ(test, si->imported, 3 * K);
	/* Not vmem_alloc: the worst-case padding for the alignment. */
	b = vkt_xalloc(test, vm, K, 8 * K, 0, 0, 0, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, b % (8 * K), 0UL);
	KUNIT_EXPECT_EQ(test, si->nimport, 2U);
	KUNIT_EXPECT_EQ(test, si->imported, 11 * K);
	vmem_xfree(vm, b, K);
	KUNIT_EXPECT_EQ(test, si->nrelease, 1U);

	/* Failing imports: -ENOMEM and nothing changed. */
	si->fail = true;
	KUNIT_ASSERT_EQ(test, vkt_walk(vm, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE,
				       before, ARRAY_SIZE(before)), 2U);
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 8 * K, VMEM_NOSLEEP, &b), -ENOMEM);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, K, 0, 0, 0, 0x7000000, 0x7ffffff,
					  VMEM_NOSLEEP, &b), -ENOMEM);
	VKT_EXPECT_SEGS(test, vm, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE,
			before[0], before[1]);
	si->fail = false;

	/* A window the import ignores: its span cannot help and goes back. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, K, 0, 0, 0, 0x7000000, 0x7ffffff,
					  VMEM_NOSLEEP, &b), -ENOSPC);
	KUNIT_EXPECT_EQ_MSG(test, si->imported, 3 * K,
			    "the useless span was kept");
	KUNIT_EXPECT_EQ(test, si->nimport, si->nrelease + 1);
	/* Padding for align and nocross past ULONG_MAX: nothing to import. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, h / 2, h, 0, h, 0, VMEM_ADDR_MAX,
					  VMEM_NOSLEEP, &b), -ENOSPC);

	/* Rounding to the source's quantum would pass ULONG_MAX. */
	q1 = vmem_create("edge_q1", 0, 0, 1, skew_import_fn, skew_release_fn,
			 src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, q1);
	KUNIT_EXPECT_EQ(test, vmem_alloc(q1, ULONG_MAX - 100, VMEM_NOSLEEP, &b),
			-ENOSPC);
	vmem_destroy(q1);

	/* A span off the quantum is refused, and given back. */
	si->skew = K / 8;
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 8 * K, VMEM_NOSLEEP, &b), -EINVAL);
	KUNIT_EXPECT_EQ_MSG(test, si->nimport, si->nrelease + 1,
			    "the misaligned span was not released");
	si->skew = 0;
	vmem_free(vm, a, 3 * K);
	KUNIT_EXPECT_EQ(test, si->imported, 0UL);
	KUNIT_EXPECT_EQ(test, si->nimport, si->nrelease);

	/* ximport: asked for one quantum, takes four; the rest serves later. */
	xvm = vmem_xcreate("edge_x", 0, 0, K, skew_ximport_fn, skew_release_fn,
			   src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, xvm);
	vkt_defer_destroy(test, xvm);
	si->extra = 3 * K;
	a = vkt_alloc(test, xvm, K, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(xvm, VMEM_SPAN), 4 * K);
	b = vkt_alloc(test, xvm, 3 * K, VMEM_SLEEP);
	KUNIT_EXPECT_EQ(test, si->nimport, 5U);
	VKT_EXPECT_CHECK(test, xvm);
	vmem_free(xvm, a, K);
	vmem_free(xvm, b, 3 * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(xvm, VMEM_SPAN), 0UL);
	KUNIT_EXPECT_EQ(test, si->imported, 0UL);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
}

/*
 * Requests the translation to a source of a larger quantum cannot pass
 * down fail without importing anything.
 */
static void vmem_import_untranslatable(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "ut_source", 0, ULONG_MAX - 15, 16,
				      0);
	struct vmem *src1 = vkt_create(test, "ut_source1", 0, 1UL << 20, 1, 0);
	struct vmem *vm = vkt_create_child(test, "ut", 1, src, 0);
	struct vmem *vm1 = vkt_create_child(test, "ut1", 1, src1, 0);
	unsigned long a;

	/* The offset in the source quantum plus the size overflows. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, ULONG_MAX - 3, 16, 8, 0, 0,
					  VMEM_ADDR_MAX, VMEM_NOSLEEP, &a),
			-ENOSPC);
	/* A minaddr the source quantum cannot round up. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, 1, 0, 0, 0, ULONG_MAX - 2,
					  VMEM_ADDR_MAX, VMEM_NOSLEEP, &a),
			-ENOSPC);
	/* A window that ends before the phase. */
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, 1, 16, 8, 0, 0, 4, VMEM_NOSLEEP,
					  &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	/* Identifier 0: the window [0, 0] is passed on, not "no limit". */
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm1, 0, VMEM_NOSLEEP), 0);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src1, VMEM_ALLOC), 1UL);
	vmem_id_free(vm1, 0);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm1, VMEM_SPAN), 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src1, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, vm1);
}

/*
 * An import function that frees room in the importing arena while it
 * runs (without the arena lock), then brings a span the request's window
 * cannot use: the span goes straight back and the request takes the room
 * the free made.
 */
static struct {
	struct vmem	*vm;
	unsigned long	free_addr;
} room;

static int room_import_fn(struct vmem *source, unsigned long size,
			  unsigned int vmflags, unsigned long *addrp)
{
	vmem_free(room.vm, room.free_addr, K);
	return vmem_alloc(source, size, vmflags, addrp);
}

static void vmem_import_frees_room(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "room_source", 0x800000, 64 * K, K,
				      0);
	unsigned long a[4], got;
	struct vmem *vm;
	int i;

	vm = vmem_create("room", B, 4 * K, K, room_import_fn, vmem_free, src,
			 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	for (i = 0; i < 4; i++)
		a[i] = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	room.vm = vm;
	room.free_addr = a[2];
	got = vkt_xalloc(test, vm, K, 0, 0, 0, B, B + 4 * K - 1, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ_MSG(test, got, a[2], "took %#lx, the room freed was %#lx",
			    got, a[2]);
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(src, VMEM_ALLOC), 0UL,
			    "the useless span was not given back");
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 4 * K);
	VKT_EXPECT_CHECK(test, vm);
	for (i = 0; i < 4; i++)
		vmem_free(vm, i == 2 ? got : a[i], K);
}

/* An import whose range overlaps a span of the arena: refused. */
static unsigned int overlap_released;

static int overlap_import_fn(struct vmem *src, unsigned long size,
			     unsigned int vmflags, unsigned long *addrp)
{
	*addrp = K;	/* inside the importer's own span */
	return 0;
}

static void overlap_release_fn(struct vmem *src, unsigned long addr,
			       unsigned long size)
{
	overlap_released++;
}

static void vmem_import_overlapping_span(struct kunit *test)
{
	struct vmem *vm;
	unsigned long a;

	overlap_released = 0;
	vm = vmem_create("overlap", 0, 0x10000, K, overlap_import_fn,
			 overlap_release_fn, NULL, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	vm->vm_flags |= VMC_QUIET_BADFREE;	/* misuse on purpose */
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 0x20000, VMEM_NOSLEEP, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, overlap_released, 1U);
	VKT_EXPECT_SIZES(test, vm, 0, 0x10000);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * An import that frees a quantum of the importing arena, then fails: the
 * allocation finds the room made meanwhile instead of sleeping.
 */
static struct vmem *reenter_vm;
static unsigned long reenter_free_addr;

static int reenter_free_import_fn(struct vmem *src, unsigned long size,
				  unsigned int vmflags, unsigned long *addrp)
{
	if (reenter_free_addr) {
		vmem_free(reenter_vm, reenter_free_addr, K);
		reenter_free_addr = 0;
	}
	return -ENOSPC;
}

static void reenter_release_fn(struct vmem *src, unsigned long addr,
			       unsigned long size)
{
}

struct reenter_alloc {
	struct vmem	*vm;
	unsigned long	addr;
	int		ret;
};

static int reenter_alloc_fn(void *arg)
{
	struct reenter_alloc *r = arg;

	kernel_sigaction(SIGKILL, SIG_DFL);
	r->ret = vmem_alloc(r->vm, K, VMEM_SLEEP, &r->addr);
	return 0;
}

static void vmem_import_free_during_failed_import(struct kunit *test)
{
	struct reenter_alloc r = { };
	struct vmem_stats st;
	struct vkt_thread *t;
	unsigned long a[4];
	int i;

	/* Not destroyed at the end: a sleeper left behind would use it. */
	reenter_vm = vmem_create("reenter", B, 4 * K, K, reenter_free_import_fn,
				 reenter_release_fn, NULL, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, reenter_vm);
	for (i = 0; i < 4; i++)
		a[i] = vkt_alloc(test, reenter_vm, K, VMEM_NOSLEEP);
	reenter_free_addr = a[1];
	r.vm = reenter_vm;
	t = vkt_thread_start(test, reenter_alloc_fn, &r, -1, "vmem_reenter");
	if (!vkt_thread_wait(t, 10000)) {
		send_sig(SIGKILL, t->task, 1);
		KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
				      "the allocation slept through a free that made room, and SIGKILL did not end it");
		KUNIT_FAIL(test, "the allocation slept through a free that made room");
	}
	vkt_thread_put(t);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, r.addr, a[1]);
	vmem_get_stats(reenter_vm, &st);
	KUNIT_EXPECT_EQ(test, st.nwait, 0ULL);
	for (i = 0; i < 4; i++)
		vmem_free(reenter_vm, a[i], K);
	VKT_EXPECT_CHECK(test, reenter_vm);
	vmem_destroy(reenter_vm);
}

/*
 * The smallest span around a fit, worked out by hand: a child of quantum
 * qc imports from a source of quantum qs over [sbase, sbase + ssize), of
 * which [sbase, sbase + qs) and [busy, busy + qs) are taken first when
 * busy is not 0.  The request must give @want (or, for -ENOSPC, fail and
 * import nothing); the span imported is [span, span + span_size).
 */
struct translate_case {
	const char	*name;
	unsigned long	qc, qs;
	unsigned long	sbase, ssize;
	unsigned long	busy;		/* see above; 0: nothing taken */
	unsigned long	size, align, phase, nocross, minaddr, maxaddr;
	unsigned int	policy;
	int		err;
	unsigned long	want, span, span_size;
};

#define MAXA	VMEM_ADDR_MAX

static const struct translate_case translate_cases[] = {
	/* offset 1 inside a source quantum: phase & (qs - 1) is not it */
	{ "q1_from_q4_window_1_3", 1, 4, 0, 64, 0, 2, 0, 0, 0, 1, 3, 0, 0,
	  1, 0, 4 },
	{ "q1_from_q4_window_21_23", 1, 4, 0, 64, 0, 2, 0, 0, 0, 0x21,
	  0x23, 0, 0, 0x21, 0x20, 4 },
	/* the same, top-down: the highest fit of the window */
	{ "q1_from_q4_window_1_3_topdown", 1, 4, 0, 64, 0, 2, 0, 0, 0, 1,
	  3, VMEM_TOPDOWN, 0, 2, 0, 4 },
	/* a fit that straddles two source quanta needs both */
	{ "q1_from_q4_straddle", 1, 4, 0, 64, 0, 3, 0, 0, 0, 3, 6, 0, 0, 3,
	  0, 8 },
	/* odd addresses only, window [5, 7]: 5, in [4, 8) */
	{ "q1_from_q4_align2_phase1", 1, 4, 0, 64, 0, 1, 2, 1, 0, 5, 7, 0,
	  0, 5, 4, 4 },
	/* nocross 4 below qs 16: 13 is at offset 1 of its 4-block */
	{ "q1_from_q16_nocross4", 1, 16, 0, 64, 0, 3, 0, 0, 4, 13, 31, 0,
	  0, 13, 0, 16 },
	/* the source's first quantum is taken: the window's block is busy */
	{ "q1_from_q4_block_busy", 1, 4, 0, 16, 8, 2, 0, 0, 0, 1, 3, 0,
	  -ENOSPC },
	/* [0, 4) and [8, 12) taken: 5 lives in the free [4, 8) */
	{ "q1_from_q4_between", 1, 4, 0, 16, 8, 2, 0, 0, 0, 5, 7, 0, 0, 5,
	  4, 4 },
	/* a larger child quantum: spans on multiples of 16 only */
	{ "q16_from_q4", 16, 4, 4, 64, 0, 16, 0, 0, 0, 0, MAXA, 0, 0, 16,
	  16, 16 },
	/* align above both quanta, phase inside a source quantum */
	{ "q1_from_q4_align16_phase6", 1, 4, 0, 64, 0, 4, 16, 6, 0, 0,
	  MAXA, 0, 0, 6, 4, 8 },
	/* nocross 16 at least qs: passed on to the source */
	{ "q2_from_q8_nocross16", 2, 8, 0, 64, 0, 6, 0, 0, 16, 12, MAXA,
	  0, 0, 16, 16, 8 },
	/* a window at the very top of the space */
	{ "q1_from_q4_top", 1, 4, ULONG_MAX - 63, 64, 0, 2, 0, 0, 0,
	  ULONG_MAX - 2, ULONG_MAX, 0, 0, ULONG_MAX - 2, ULONG_MAX - 3, 4 },
	/* identifier 0 of an importing space: the window [0, 0] */
	{ "q1_from_q1_addr_0", 1, 1, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	  0, 1 },
};

KUNIT_ARRAY_PARAM_DESC(translate, translate_cases, name);

static void vmem_import_translate(struct kunit *test)
{
	const struct translate_case *c = test->param_value;
	struct vmem *src = vkt_create(test, "t_source", c->sbase, c->ssize,
				      c->qs, 0);
	struct vmem *vm = vkt_create_child(test, "t_child", c->qc, src, 0);
	unsigned long a = 0, busy = 0, taken = 0;
	struct vkt_seg span;
	int ret;

	if (c->busy) {
		KUNIT_ASSERT_EQ(test, vmem_xalloc(src, c->qs, 0, 0, 0, c->sbase,
						  c->sbase + c->qs - 1,
						  VMEM_NOSLEEP, &busy), 0);
		KUNIT_ASSERT_EQ(test, vmem_xalloc(src, c->qs, 0, 0, 0, c->busy,
						  c->busy + c->qs - 1,
						  VMEM_NOSLEEP, &busy), 0);
		taken = 2 * c->qs;
	}
	ret = vmem_xalloc(vm, c->size, c->align, c->phase, c->nocross,
			  c->minaddr, c->maxaddr, VMEM_NOSLEEP | c->policy, &a);
	KUNIT_EXPECT_EQ(test, ret, c->err);
	if (c->err) {
		VKT_EXPECT_SIZES(test, vm, 0, 0);
		KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), taken);
		return;
	}
	if (ret)
		return;
	KUNIT_EXPECT_EQ(test, a, c->want);
	KUNIT_ASSERT_EQ(test, vkt_walk(vm, VMEM_SPAN, &span, 1), 1U);
	KUNIT_EXPECT_EQ(test, span.start, c->span);
	KUNIT_EXPECT_EQ(test, span.size, c->span_size);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC),
			taken + c->span_size);
	vmem_xfree(vm, a, c->size);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), taken);
	VKT_EXPECT_CHECK(test, vm);
	VKT_EXPECT_CHECK(test, src);
}

/*
 * Next fit across a span given back and imported again: the integer just
 * freed is not handed out again at once.
 */
static void vmem_import_nextfit_rotor(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "nf_source", 0, 64, 4, 0);
	struct vmem *vm = vkt_create_child(test, "nf_child", 1, src, 0);
	unsigned long a, b;

	a = vkt_alloc(test, vm, 1, VMEM_NOSLEEP | VMEM_NEXTFIT);
	KUNIT_EXPECT_EQ(test, a, 0UL);
	vmem_free(vm, a, 1);
	VKT_EXPECT_SIZES(test, vm, 0, 0);	/* the span went back */
	b = vkt_alloc(test, vm, 1, VMEM_NOSLEEP | VMEM_NEXTFIT);
	KUNIT_EXPECT_EQ(test, b, 1UL);
	vmem_free(vm, b, 1);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_import_cases[] = {
	KUNIT_CASE(vmem_import_basic),
	KUNIT_CASE(vmem_import_rounding),
	KUNIT_CASE(vmem_import_constraints),
	KUNIT_CASE(vmem_import_narrow_window),
	KUNIT_CASE(vmem_import_custom),
	KUNIT_CASE(vmem_import_failure),
	KUNIT_CASE(vmem_import_source_exhausted),
	KUNIT_CASE(vmem_import_own_span),
	KUNIT_CASE(vmem_import_span_return),
	KUNIT_CASE(vmem_import_xcreate),
	KUNIT_CASE(vmem_import_chain_four_deep),
	KUNIT_CASE(vmem_import_larger_quantum),
	KUNIT_CASE_PARAM(vmem_import_translate, translate_gen_params),
	KUNIT_CASE(vmem_import_nextfit_rotor),
	KUNIT_CASE(vmem_import_quantum_one_child),
	KUNIT_CASE(vmem_import_chain_mixed_quanta),
	KUNIT_CASE(vmem_import_custom_edges),
	KUNIT_CASE(vmem_import_untranslatable),
	KUNIT_CASE(vmem_import_frees_room),
	KUNIT_CASE(vmem_import_overlapping_span),
	KUNIT_CASE(vmem_import_free_during_failed_import),
	{}
};

static struct kunit_suite vmem_import_suite = {
	.name = "vmem_import",
	.test_cases = vmem_import_cases,
};

kunit_test_suites(&vmem_import_suite);
