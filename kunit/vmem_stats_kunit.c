// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_stats: every counter of an arena (struct vmem_kstat,
 * and the live figures debugfs shows with them) has an exact value after
 * a known sequence of operations.
 *
 * Each case takes a snapshot of the counters, does a few operations whose
 * effect on each counter is known from its definition (the table in
 * Documentation/vmem.rst), and checks the difference exactly: the counters
 * that should move by exactly that much, and every other one not at all.
 * The suite uses the public API, vmem/vmem_impl.h and kunit/vmem_kunit.h
 * only.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

/* The counters and the live figures of an arena, in one locked section. */
struct vkt_counts {
	struct vmem_kstat	k;
	unsigned long		live;
	unsigned long		freesegs;
	unsigned long		nreserve;
};

static struct vkt_counts vkt_counts(struct vmem *vm)
{
	struct vkt_counts c;
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	c.k = vm->vm_kstat;
	c.live = vmem_nlive(vm);
	c.freesegs = vm->vm_nsegs - vm->vm_nspans - vm->vm_nbusy;
	c.nreserve = vm->vm_nreserve;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return c;
}

/* The change of every counter from @a to @b (the live figures as they are). */
static struct vmem_kstat vkt_delta(const struct vkt_counts *a,
				   const struct vkt_counts *b)
{
	struct vmem_kstat d;

	/* every counter is here, and in vkt_expect_delta() */
	static_assert(sizeof(d) == 14 * sizeof(u64));
	d.nalloc = b->k.nalloc - a->k.nalloc;
	d.nfree = b->k.nfree - a->k.nfree;
	d.nfail = b->k.nfail - a->k.nfail;
	d.nwait = b->k.nwait - a->k.nwait;
	d.nimport = b->k.nimport - a->k.nimport;
	d.nrelease = b->k.nrelease - a->k.nrelease;
	d.nbadfree = b->k.nbadfree - a->k.nbadfree;
	d.hash_rescales = b->k.hash_rescales - a->k.hash_rescales;
	d.nlookup = b->k.nlookup - a->k.nlookup;
	d.nsearch = b->k.nsearch - a->k.nsearch;
	d.ncontains = b->k.ncontains - a->k.ncontains;
	d.ncontains_search = b->k.ncontains_search - a->k.ncontains_search;
	d.npopulate_fail = b->k.npopulate_fail - a->k.npopulate_fail;
	d.nrefill = b->k.nrefill - a->k.nrefill;
	return d;
}

/*
 * Every counter moved by exactly what @want says since @before; @line
 * names the caller.
 */
static void vkt_expect_delta(struct kunit *test, struct vmem *vm,
			     const struct vkt_counts *before,
			     const struct vmem_kstat *want, int line)
{
	struct vkt_counts now = vkt_counts(vm);
	struct vmem_kstat d = vkt_delta(before, &now);
	const struct {
		const char	*name;
		u64		got;
		u64		want;
	} f[] = {
		{ "alloc", d.nalloc, want->nalloc },
		{ "free", d.nfree, want->nfree },
		{ "fail", d.nfail, want->nfail },
		{ "wait", d.nwait, want->nwait },
		{ "import", d.nimport, want->nimport },
		{ "release", d.nrelease, want->nrelease },
		{ "bad_free", d.nbadfree, want->nbadfree },
		{ "hash_rescales", d.hash_rescales, want->hash_rescales },
		{ "lookup", d.nlookup, want->nlookup },
		{ "search", d.nsearch, want->nsearch },
		{ "contains", d.ncontains, want->ncontains },
		{ "contains_search", d.ncontains_search,
		  want->ncontains_search },
		{ "populate_fail", d.npopulate_fail, want->npopulate_fail },
		{ "reserve_refills", d.nrefill, want->nrefill },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		KUNIT_EXPECT_EQ_MSG(test, f[i].got, f[i].want, "%s, line %d",
				    f[i].name, line);
}

#define VKT_EXPECT_DELTA(test, vm, before, ...)				\
	do {								\
		const struct vmem_kstat __want = { __VA_ARGS__ };	\
		vkt_expect_delta(test, vm, before, &__want, __LINE__);	\
	} while (0)

/*
 * A fresh arena: the initial span took tags from a reserve that
 * vmem_create() filled once; nothing else has happened.
 */
static void vmem_stats_fresh(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 16 * K, K, 0);
	struct vkt_counts c = vkt_counts(vm);
	struct vkt_counts zero = { };

	VKT_EXPECT_DELTA(test, vm, &zero, .nrefill = 1);
	KUNIT_EXPECT_EQ(test, c.live, 0UL);
	KUNIT_EXPECT_EQ(test, c.freesegs, 1UL);
}

/*
 * The instant-fit fast path and a free that coalesces: alloc, free, and
 * nothing else; the reserve, full from earlier frees, needs no refill.
 */
static void vmem_stats_fast_path(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 16 * K, K, 0);
	struct vkt_counts c;
	unsigned long a, b;

	/* the first allocations fill the reserve, a tag each step */
	c = vkt_counts(vm);
	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nsearch = 1,
			 .nrefill = 1);
	c = vkt_counts(vm);
	b = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nsearch = 1,
			 .nrefill = 1);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 2UL);
	c = vkt_counts(vm);
	vmem_free(vm, b, K);
	vmem_free(vm, a, K);
	VKT_EXPECT_DELTA(test, vm, &c, .nfree = 2);
	KUNIT_EXPECT_GE(test, vkt_counts(vm).nreserve, 2UL);

	/* now the fast path: no search, no refill */
	c = vkt_counts(vm);
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, B);
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1);
	c = vkt_counts(vm);
	KUNIT_EXPECT_EQ(test, c.live, 1UL);
	KUNIT_EXPECT_EQ(test, c.freesegs, 1UL);
	vmem_free(vm, a, 2 * K);
	VKT_EXPECT_DELTA(test, vm, &c, .nfree = 1);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 0UL);
}

/*
 * search counts each free segment whose fit a search tested: three
 * one-page holes, none aligned to two pages, are all looked at by an
 * aligned request that then fails.
 */
static void vmem_stats_search_and_fail(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 8 * K, K, 0);
	struct vkt_counts c;
	unsigned long a;
	unsigned int i;

	for (i = 0; i < 8; i++)
		vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	for (i = 1; i < 7; i += 2)
		vmem_free(vm, B + i * K, K);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).freesegs, 3UL);

	c = vkt_counts(vm);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(vm, K, 2 * K, 0, 0, VMEM_ADDR_MIN,
					  VMEM_ADDR_MAX, VMEM_NOSLEEP, &a),
			-ENOSPC);
	VKT_EXPECT_DELTA(test, vm, &c, .nsearch = 3, .nfail = 1);

	/* phase one page: the first hole looked at fits */
	c = vkt_counts(vm);
	a = vkt_xalloc(test, vm, K, 2 * K, K, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nsearch = 1);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).freesegs, 2UL);
	vmem_xfree(vm, a, K);
	for (i = 0; i < 8; i += 2)
		vmem_free(vm, B + i * K, K);
	vmem_free(vm, B + 7 * K, K);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 0UL);
	VKT_EXPECT_CHECK(test, vm);
}

/* Identifiers below 1024 that share a bucket of the 16-bucket table. */
static unsigned int vkt_colliding(unsigned long *ids, unsigned int want)
{
	unsigned long i, bucket = hash_long(100, VMEM_HASH_MIN_SHIFT);
	unsigned int n = 0;

	for (i = 100; i < 1024 && n < want; i++)
		if (hash_long(i, VMEM_HASH_MIN_SHIFT) == bucket)
			ids[n++] = i;
	return n;
}

/*
 * lookup counts the hash entries a free passes over: a segment allocated
 * before another of its bucket is behind it in the chain.  A bad free
 * passes over the whole chain.
 */
static void vmem_stats_lookup(struct kunit *test)
{
	/* not an identifier space: its leaves would keep the IDs unhashed */
	struct vmem *vm = vmem_create("stats_ids", 0, 1024, 1, NULL, NULL,
				      NULL, 0, 0);
	struct vkt_counts c;
	unsigned long ids[3];

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	vkt_quiet(vm);
	KUNIT_ASSERT_EQ(test, vkt_colliding(ids, 3), 3U);
	KUNIT_ASSERT_EQ(test, vm->vm_hash_shift, VMEM_HASH_MIN_SHIFT);

	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, ids[0], VMEM_NOSLEEP),
			0);
	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, ids[1], VMEM_NOSLEEP),
			0);
	c = vkt_counts(vm);
	vmem_id_free(vm, ids[0]);	/* behind ids[1] */
	VKT_EXPECT_DELTA(test, vm, &c, .nfree = 1, .nlookup = 1);
	c = vkt_counts(vm);
	vmem_id_free(vm, ids[1]);	/* alone */
	VKT_EXPECT_DELTA(test, vm, &c, .nfree = 1);

	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, ids[0], VMEM_NOSLEEP),
			0);
	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, ids[1], VMEM_NOSLEEP),
			0);
	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, ids[2], VMEM_NOSLEEP),
			0);
	c = vkt_counts(vm);
	vmem_id_free(vm, ids[0]);	/* behind ids[2] and ids[1] */
	VKT_EXPECT_DELTA(test, vm, &c, .nfree = 1, .nlookup = 2);
	c = vkt_counts(vm);
	vmem_id_free(vm, ids[0]);	/* again: passes both, finds nothing */
	VKT_EXPECT_DELTA(test, vm, &c, .nbadfree = 1, .nlookup = 2);
	vmem_id_free(vm, ids[1]);
	vmem_id_free(vm, ids[2]);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 0UL);
}

/*
 * contains counts vmem_contains() calls with a range, contains_search the
 * span-tree nodes they visit: with three spans the tree is a root and two
 * children, and every lookup visits two nodes.
 */
static void vmem_stats_contains(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 4 * K, K, 0);
	struct vkt_counts c;

	c = vkt_counts(vm);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, B, K));
	VKT_EXPECT_DELTA(test, vm, &c, .ncontains = 1, .ncontains_search = 1);
	c = vkt_counts(vm);
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, B, 0));
	VKT_EXPECT_DELTA(test, vm, &c);

	KUNIT_ASSERT_EQ(test, vmem_add(vm, B + 8 * K, 4 * K, VMEM_SLEEP), 0);
	KUNIT_ASSERT_EQ(test, vmem_add(vm, B + 16 * K, 4 * K, VMEM_SLEEP), 0);
	c = vkt_counts(vm);
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, B + K, K));
	KUNIT_EXPECT_TRUE(test, vmem_contains(vm, B + 8 * K, 4 * K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, B + 19 * K, 2 * K));
	KUNIT_EXPECT_FALSE(test, vmem_contains(vm, B - K, K));
	VKT_EXPECT_DELTA(test, vm, &c, .ncontains = 4, .ncontains_search = 8);
}

/* vmem_id_alloc_specific() of a taken identifier asks vmem_contains(). */
static void vmem_stats_contains_busy(struct kunit *test)
{
	struct vmem *vm = vmem_idspace_create("stats_ids", 0, 64);
	struct vkt_counts c;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	KUNIT_ASSERT_EQ(test, vmem_id_alloc_specific(vm, 5, VMEM_NOSLEEP), 0);
	c = vkt_counts(vm);
	KUNIT_EXPECT_EQ(test, vmem_id_alloc_specific(vm, 5, VMEM_NOSLEEP),
			-EBUSY);
	/*
	 * The index offers no free run in the window [5, 5]: nothing is
	 * searched.  The first call cut 5 out of [0, 63] and gave the run
	 * below it a big tag; this one tops the big reserve up again before
	 * it takes the lock (an indexed arena always does).
	 */
	VKT_EXPECT_DELTA(test, vm, &c, .nfail = 1, .nrefill = 1,
			 .ncontains = 1, .ncontains_search = 1);
	vmem_id_free(vm, 5);
}

/* import and release, in the child; alloc and free in the source. */
static void vmem_stats_import_release(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "stats_src", B, 64 * K, K, 0);
	struct vmem *vm = vkt_create_child(test, "stats_child", K, src, 0);
	struct vkt_counts cs, cv;
	unsigned long a;

	cs = vkt_counts(src);
	cv = vkt_counts(vm);
	a = vkt_alloc(test, vm, 4 * K, VMEM_SLEEP);
	/* tags for the search, then for the span and the carve */
	VKT_EXPECT_DELTA(test, vm, &cv, .nalloc = 1, .nimport = 1,
			 .nrefill = 2);
	VKT_EXPECT_DELTA(test, src, &cs, .nalloc = 1, .nsearch = 1,
			 .nrefill = 1);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 4 * K);

	cs = vkt_counts(src);
	cv = vkt_counts(vm);
	vmem_free(vm, a, 4 * K);
	VKT_EXPECT_DELTA(test, vm, &cv, .nfree = 1, .nrelease = 1);
	VKT_EXPECT_DELTA(test, src, &cs, .nfree = 1);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_SPAN), 0UL);
}

struct vkt_sleeper {
	struct vmem	*vm;
	unsigned long	addr;
	int		ret;
};

static int vkt_sleeper_fn(void *arg)
{
	struct vkt_sleeper *s = arg;

	s->ret = vmem_alloc(s->vm, K, VMEM_SLEEP, &s->addr);
	return 0;
}

static unsigned int vkt_nwaiters(struct vmem *vm)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&vm->vm_lock, flags);
	n = vm->vm_nwaiters;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return n;
}

/*
 * wait counts the sleeps: one allocation in an exhausted arena sleeps
 * once, and the free that wakes it lets it through.
 */
static void vmem_stats_wait(struct kunit *test)
{
	struct vmem *vm = vmem_create("stats_full", B, 2 * K, K, NULL, NULL,
				      NULL, 0, 0);
	struct vkt_sleeper s = { .vm = vm };
	struct vkt_thread *t;
	struct vkt_counts c;
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_alloc(test, vm, K, VMEM_SLEEP);
	vkt_alloc(test, vm, K, VMEM_SLEEP);
	c = vkt_counts(vm);
	t = vkt_thread_start(test, vkt_sleeper_fn, &s, -1, "vmem_stats_wait");
	for (i = 0; i < 1000 && !vkt_nwaiters(vm); i++)
		msleep(20);
	KUNIT_ASSERT_EQ_MSG(test, vkt_nwaiters(vm), 1U,
			    "the allocation did not go to sleep");
	vmem_free(vm, B + K, K);
	KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
			      "the free did not wake the allocation");
	vkt_thread_put(t);
	KUNIT_EXPECT_EQ(test, s.ret, 0);
	KUNIT_EXPECT_EQ(test, s.addr, B + K);
	/* the sleeper searched before and after its sleep */
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nfree = 1, .nwait = 1,
			 .nsearch = 1);
	vmem_free(vm, B, K);
	vmem_free(vm, B + K, K);
	vmem_destroy(vm);
}

/* Free @n of the allocations from @from down; wait for the rescale work. */
static void vkt_free_down(struct vmem *vm, unsigned int from, unsigned int n)
{
	while (n--)
		vmem_free(vm, B + from-- * K, K);
	flush_work(&vm->vm_hash_work);
}

/*
 * hash_rescales: the table is resized when the load leaves [buckets,
 * 4 * buckets] (below 16 buckets never): once when 65 allocations
 * outgrow 16 buckets (to 64), once when 63 are left (to 32), once when 31
 * are (back to 16), and never below.  The work is waited for at each of
 * these points, so that it sees exactly that load.
 */
static void vmem_stats_hash_rescale(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 128 * K, K, 0);
	struct vkt_counts c = vkt_counts(vm);
	unsigned int i;

	for (i = 0; i < 65; i++)
		vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	flush_work(&vm->vm_hash_work);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.hash_rescales -
			c.k.hash_rescales, 1ULL);
	KUNIT_EXPECT_EQ(test, vm->vm_hash_shift, 6U);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 65UL);

	vkt_free_down(vm, 64, 2);		/* 63 left */
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.hash_rescales -
			c.k.hash_rescales, 2ULL);
	KUNIT_EXPECT_EQ(test, vm->vm_hash_shift, 5U);
	vkt_free_down(vm, 62, 32);		/* 31 left */
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.hash_rescales -
			c.k.hash_rescales, 3ULL);
	KUNIT_EXPECT_EQ(test, vm->vm_hash_shift, VMEM_HASH_MIN_SHIFT);
	vkt_free_down(vm, 30, 31);		/* none left */
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.hash_rescales -
			c.k.hash_rescales, 3ULL);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).live, 0UL);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.nalloc - c.k.nalloc, 65ULL);
	KUNIT_EXPECT_EQ(test, vkt_counts(vm).k.nfree - c.k.nfree, 65ULL);
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * populate_fail: a VMEM_NOSLEEP allocation whose reserve refill fails
 * returns -ENOMEM, counted as a populate_fail and a fail.
 */
static void vmem_stats_populate_fail(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 16 * K, K, 0);
	struct vkt_counts c;
	unsigned long a;
	int err;

	c = vkt_counts(vm);
	KUNIT_ASSERT_LT(test, c.nreserve, (unsigned long)VMEM_TAGS_PER_OP);
	WRITE_ONCE(current->fail_nth, 1);
	err = vmem_alloc(vm, K, VMEM_NOSLEEP, &a);
	WRITE_ONCE(current->fail_nth, 0);
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	VKT_EXPECT_DELTA(test, vm, &c, .nfail = 1, .npopulate_fail = 1);
	/* without the injection it works, and refills */
	c = vkt_counts(vm);
	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nsearch = 1,
			 .nrefill = 1);
	vmem_free(vm, a, K);
}
#endif

/* The index's searches count what they test too: one fit, one look. */
static void vmem_stats_index_search(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "stats", B, 16 * K, K, 0);
	struct vkt_counts c;
	unsigned long a, b;

	a = vkt_alloc(test, vm, K, VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_TRUE(test, vm->vm_indexed);
	b = vkt_alloc(test, vm, K, VMEM_SLEEP | VMEM_FIRSTFIT);
	vmem_free(vm, a, K);
	/* a window: the index's search, from the hole at B up */
	c = vkt_counts(vm);
	a = vkt_xalloc(test, vm, 2 * K, 0, 0, 0, B, VMEM_ADDR_MAX,
		       VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, a, B + 2 * K);
	/*
	 * The hole at B is too small for the index to offer it.  The free of
	 * a took a big tag for the hole: this call tops the reserve up.
	 */
	VKT_EXPECT_DELTA(test, vm, &c, .nalloc = 1, .nsearch = 1,
			 .nrefill = 1);
	vmem_xfree(vm, a, 2 * K);
	vmem_free(vm, b, K);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * A caching arena (two quantum caches), on one CPU: the segment counters
 * count the caches' refills and drains a range at a time, and nothing
 * that a magazine serves.  m + 1 allocations of a quantum are two misses
 * that each refill a magazine of m ranges (2m segment allocations) and
 * m - 1 hits; the m + 1 frees go into the magazines (the one miss loads
 * the depot's empty magazine): no counter moves.  The flush frees the 2m
 * ranges.  The refills' tags and searches, and the flush's hash lookups,
 * depend on the reserve and the hash and are the other cases' subject:
 * here alloc, free, live, free segments and the sizes are exact.
 */
static void vmem_stats_qcache(struct kunit *test)
{
	struct vmem *vm = vmem_create("stats_qc", B, 1024 * K, K, NULL, NULL,
				      NULL, 2 * K, 0);
	struct vkt_counts c0, c1, c2, c3;
	struct vmem_qcache_stats qs;
	struct vmem_stats st;
	unsigned long *a;
	unsigned int m, i;
	int err = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	KUNIT_ASSERT_EQ(test, vmem_qcache_get_stats(vm, 0, -1, &qs), 0);
	m = qs.magsize;
	KUNIT_ASSERT_GE(test, m, 2U);
	a = kunit_kcalloc(test, m + 1, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);

	migrate_disable();
	c0 = vkt_counts(vm);
	for (i = 0; i <= m; i++)
		err |= vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	c1 = vkt_counts(vm);
	for (i = 0; i <= m; i++)
		vmem_free(vm, a[m - i], K);
	c2 = vkt_counts(vm);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, c1.k.nalloc - c0.k.nalloc, 2ULL * m);
	KUNIT_EXPECT_EQ(test, c1.k.nfree - c0.k.nfree, 0ULL);
	KUNIT_EXPECT_EQ(test, c1.k.nfail - c0.k.nfail, 0ULL);
	KUNIT_EXPECT_EQ(test, c1.k.nimport - c0.k.nimport, 0ULL);
	KUNIT_EXPECT_EQ(test, c1.k.nbadfree - c0.k.nbadfree, 0ULL);
	KUNIT_EXPECT_EQ(test, c1.live - c0.live, 2UL * m);
	/* one free segment above the two runs, as before */
	KUNIT_EXPECT_EQ(test, c1.freesegs, 1UL);
	VKT_EXPECT_DELTA(test, vm, &c1);	/* the frees: nothing */
	KUNIT_EXPECT_EQ(test, c2.live, 2UL * m);

	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nqcache, 2U);
	KUNIT_EXPECT_EQ(test, st.mem_cached, 2 * m * K);
	KUNIT_EXPECT_EQ(test, st.mem_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, st.mem_free, 1024 * K);

	KUNIT_EXPECT_EQ(test, vmem_qcache_flush(vm), 2 * m * K);
	c3 = vkt_counts(vm);
	KUNIT_EXPECT_EQ(test, c3.k.nfree - c2.k.nfree, 2ULL * m);
	KUNIT_EXPECT_EQ(test, c3.k.nalloc - c2.k.nalloc, 0ULL);
	KUNIT_EXPECT_EQ(test, c3.k.nbadfree - c2.k.nbadfree, 0ULL);
	KUNIT_EXPECT_EQ(test, c3.k.nsearch - c2.k.nsearch, 0ULL);
	KUNIT_EXPECT_EQ(test, c3.live, 0UL);
	KUNIT_EXPECT_EQ(test, c3.freesegs, 1UL);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_cached, 0UL);
	KUNIT_EXPECT_EQ(test, st.mem_inuse, 0UL);
	VKT_EXPECT_CHECK(test, vm);
}

static struct kunit_case vmem_stats_cases[] = {
	KUNIT_CASE(vmem_stats_fresh),
	KUNIT_CASE(vmem_stats_fast_path),
	KUNIT_CASE(vmem_stats_search_and_fail),
	KUNIT_CASE(vmem_stats_lookup),
	KUNIT_CASE(vmem_stats_contains),
	KUNIT_CASE(vmem_stats_contains_busy),
	KUNIT_CASE(vmem_stats_import_release),
	KUNIT_CASE(vmem_stats_wait),
	KUNIT_CASE(vmem_stats_hash_rescale),
#ifdef CONFIG_FAULT_INJECTION
	KUNIT_CASE(vmem_stats_populate_fail),
#endif
	KUNIT_CASE(vmem_stats_index_search),
	KUNIT_CASE(vmem_stats_qcache),
	{}
};

static struct kunit_suite vmem_stats_suite = {
	.name = "vmem_stats",
	.test_cases = vmem_stats_cases,
};

kunit_test_suites(&vmem_stats_suite);
