// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_qcache: the quantum caches (vmem/vmem_qcache.c).
 *
 * The sequences that check exact counters pin the test to its CPU with
 * migrate_disable(), so that "this CPU's magazines" are one pair all
 * along; threads bound with kthread_bind() stand in for other CPUs.
 * What is checked:
 *
 *  - hits and misses, the swap of the loaded and previous magazines, the
 *    exchange of full and empty magazines with the depot, and every
 *    counter of vmem_qcache_get_stats() after each known sequence;
 *  - placement: refills carve runs the policy chooses, handed out in the
 *    order they were carved; caching identifier spaces;
 *  - exhaustion: an allocation that only the flush of every CPU's
 *    magazines can satisfy succeeds, from process context, from another
 *    CPU, and from a hard interrupt; a sleeping allocation is woken by a
 *    cached-size free;
 *  - the magazine size grows while the depot lock is contended;
 *  - the depot's working set is trimmed by the update work, and the
 *    shrinker frees depot magazines;
 *  - destruction with full magazines gives every range (and every
 *    imported span) back; a refill whose memory allocation fails (fault
 *    injection) still serves the allocation;
 *  - mismatched frees: vmem_xfree() of a cached range is refused;
 *  - a CPU going offline with loaded magazines loses nothing;
 *  - every CPU at once, plus a hard-interrupt timer on each, checked
 *    against a shared bitmap: no range handed out twice, none lost.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

static struct vmem *qkt_create(struct kunit *test, const char *name,
			       unsigned long quanta, unsigned long qcache_max,
			       unsigned int flags)
{
	struct vmem *vm = vmem_create(name, B, quanta * K, K, NULL, NULL, NULL,
				      qcache_max, flags);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	return vm;
}

static struct vmem_qcache_stats qkt_stats(struct kunit *test, struct vmem *vm,
					  unsigned int index, int cpu)
{
	struct vmem_qcache_stats st;

	KUNIT_EXPECT_EQ(test, vmem_qcache_get_stats(vm, index, cpu, &st), 0);
	return st;
}

static unsigned long qkt_cached(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.mem_cached;
}

/*
 * Run the periodic update and trim now, once, and wait for it.  Not
 * flush_delayed_work(): the update arms its timer again as it runs, and
 * if it ran before the flush, the flush would fire that timer and run it
 * a second time.
 */
static void qkt_update(struct vmem *vm)
{
	mod_delayed_work(system_wq, &vm->vm_qwork, 0);
	flush_work(&vm->vm_qwork.work);
}

/* Another online CPU than @cpu, or -1. */
static int qkt_other_cpu(unsigned int cpu)
{
	unsigned int c;

	for_each_online_cpu(c)
		if (c != cpu)
			return c;
	return -1;
}

/* Run @fn(@arg) in a thread bound to @cpu, and wait for it. */
static int qkt_on_cpu(struct kunit *test, int cpu, int (*fn)(void *arg),
		      void *arg)
{
	struct vkt_thread *t = vkt_thread_start(test, fn, arg, cpu, "vmem_qc");
	int ret;

	KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 120 * MSEC_PER_SEC),
			      "the thread on CPU %d did not finish", cpu);
	ret = t->ret;
	vkt_thread_put(t);
	return ret;
}

/* ---- the CPU layer and the depot, counter by counter ---- */

/*
 * A fresh arena: the first allocation misses and refills a magazine with
 * a run carved from the bottom (instant fit of one free segment); the
 * rest of the run are hits, in carve order.  Then a second refill, and
 * frees: the loaded magazine fills, an empty one from the depot is
 * loaded.  Every counter is exact.
 */
static void vmem_qcache_hit_miss(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_hit", 1024, 2 * K, 0);
	struct vmem_qcache_stats st0, st1, st2, st3;
	unsigned long *a, nbad = 0;
	struct vmem_stats vs;
	unsigned int m, i, cpu;
	int *err;

	vmem_get_stats(vm, &vs);
	KUNIT_ASSERT_EQ(test, vs.nqcache, 2U);
	m = qkt_stats(test, vm, 0, -1).magsize;
	KUNIT_ASSERT_GE(test, m, 2U);
	a = kunit_kcalloc(test, m + 1, sizeof(*a), GFP_KERNEL);
	err = kunit_kcalloc(test, m + 1, sizeof(*err), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, err);

	migrate_disable();
	cpu = smp_processor_id();
	err[0] = vmem_alloc(vm, K, VMEM_NOSLEEP, &a[0]);
	st0 = qkt_stats(test, vm, 0, cpu);
	for (i = 1; i < m; i++)
		err[i] = vmem_alloc(vm, K, VMEM_SLEEP, &a[i]);
	st1 = qkt_stats(test, vm, 0, cpu);
	err[m] = vmem_alloc(vm, K, VMEM_NOSLEEP, &a[m]);
	st2 = qkt_stats(test, vm, 0, cpu);
	for (i = 0; i <= m; i++)
		vmem_free(vm, a[m - i], K);
	st3 = qkt_stats(test, vm, 0, cpu);
	migrate_enable();

	for (i = 0; i <= m; i++) {
		KUNIT_EXPECT_EQ_MSG(test, err[i], 0, "allocation %u", i);
		KUNIT_EXPECT_EQ_MSG(test, a[i], B + i * K, "allocation %u", i);
		nbad += err[i] != 0;
	}
	KUNIT_ASSERT_EQ(test, nbad, 0UL);
	/* the miss: a refill of m rounds, one handed out */
	KUNIT_EXPECT_EQ(test, st0.alloc_misses, 1ULL);
	KUNIT_EXPECT_EQ(test, st0.alloc_hits, 0ULL);
	KUNIT_EXPECT_EQ(test, st0.cpu_rounds, (unsigned long)m - 1);
	KUNIT_EXPECT_EQ(test, st0.cpu_mags, 1UL);
	/* the rest of the run: hits */
	KUNIT_EXPECT_EQ(test, st1.alloc_hits, (u64)m - 1);
	KUNIT_EXPECT_EQ(test, st1.alloc_misses, 1ULL);
	KUNIT_EXPECT_EQ(test, st1.cpu_rounds, 0UL);
	/* a second refill; the emptied magazine went to the depot */
	KUNIT_EXPECT_EQ(test, st2.alloc_misses, 2ULL);
	KUNIT_EXPECT_EQ(test, st2.nalloc, (u64)m + 1);
	KUNIT_EXPECT_EQ(test, st2.cpu_rounds, (unsigned long)m - 1);
	KUNIT_EXPECT_EQ(test, st2.depot_empty, 1UL);
	KUNIT_EXPECT_EQ(test, st2.depot_gets, 0ULL);
	/*
	 * m + 1 frees: one fills the loaded magazine, one misses and loads
	 * the depot's empty magazine (the full one becomes the previous),
	 * m - 1 more fill it.
	 */
	KUNIT_EXPECT_EQ(test, st3.free_hits, (u64)m);
	KUNIT_EXPECT_EQ(test, st3.free_misses, 1ULL);
	KUNIT_EXPECT_EQ(test, st3.nfree, (u64)m + 1);
	KUNIT_EXPECT_EQ(test, st3.cpu_rounds, 2UL * m);
	KUNIT_EXPECT_EQ(test, st3.cpu_mags, 2UL);
	KUNIT_EXPECT_EQ(test, st3.depot_empty, 0UL);
	KUNIT_EXPECT_EQ(test, st3.depot_puts, 0ULL);
	/* nothing else moved: the other cache, the other CPUs */
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 1, -1).nalloc, 0ULL);
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 0, -1).nalloc, (u64)m + 1);

	/* The arena: 2m segments allocated, all of them cached. */
	vmem_get_stats(vm, &vs);
	KUNIT_EXPECT_EQ(test, vs.nalloc, 2ULL * m);
	KUNIT_EXPECT_EQ(test, vs.mem_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, vs.mem_cached, 2 * m * K);
	KUNIT_EXPECT_EQ(test, vs.mem_free, 1024 * K);
	VKT_EXPECT_SIZES(test, vm, 0, 1024 * K);
	VKT_EXPECT_CHECK(test, vm);

	KUNIT_EXPECT_EQ(test, vmem_qcache_flush(vm), 2 * m * K);
	KUNIT_EXPECT_EQ(test, qkt_cached(vm), 0UL);
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 0, cpu).cpu_rounds, 0UL);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * The loaded magazine runs empty while the previous one is full: they
 * swap, a hit, no depot.  The same the other way round for frees.
 */
static void vmem_qcache_swap(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_swap", 1024, K, 0);
	struct vmem_qcache_stats before, mid, after;
	unsigned int m, i, cpu, nerr = 0;
	unsigned long *a;

	m = qkt_stats(test, vm, 0, -1).magsize;
	a = kunit_kcalloc(test, 2 * m + 2, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	migrate_disable();
	cpu = smp_processor_id();
	/* 2m + 1 ranges out, all back: both magazines full */
	for (i = 0; i < 2 * m + 1; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	for (i = 0; i < 2 * m + 1; i++)
		vmem_free(vm, a[i], K);
	before = qkt_stats(test, vm, 0, cpu);
	/* the loaded magazine's m rounds, then one more: the swap */
	for (i = 0; i < m + 1; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	mid = qkt_stats(test, vm, 0, cpu);
	/* frees: the loaded one (the old previous) has room */
	for (i = 0; i < m + 1; i++)
		vmem_free(vm, a[i], K);
	after = qkt_stats(test, vm, 0, cpu);
	migrate_enable();

	KUNIT_ASSERT_EQ(test, nerr, 0U);
	KUNIT_EXPECT_EQ(test, before.cpu_rounds, 2UL * m);
	KUNIT_EXPECT_EQ(test, mid.alloc_hits - before.alloc_hits, (u64)m + 1);
	KUNIT_EXPECT_EQ(test, mid.alloc_misses, before.alloc_misses);
	KUNIT_EXPECT_EQ(test, mid.depot_gets, 0ULL);
	KUNIT_EXPECT_EQ(test, mid.cpu_rounds, (unsigned long)m - 1);
	/* m - 1 into the loaded one, then a swap with the empty previous */
	KUNIT_EXPECT_EQ(test, after.free_hits - mid.free_hits, (u64)m + 1);
	KUNIT_EXPECT_EQ(test, after.free_misses, mid.free_misses);
	KUNIT_EXPECT_EQ(test, after.depot_puts, before.depot_puts);
	KUNIT_EXPECT_EQ(test, after.cpu_rounds, 2UL * m);
	VKT_EXPECT_SIZES(test, vm, 0, 1024 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/*
 * Three magazines' worth out and back on one CPU: the third full
 * magazine goes to the depot; allocating them again takes it back, with
 * no refill.  Then across CPUs: one CPU frees what another allocates.
 */
static void vmem_qcache_depot(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_depot", 1024, K, 0);
	struct vmem_qcache_stats st1, st2;
	unsigned int m, i, cpu, nerr = 0;
	struct vmem_stats v1, v2;
	unsigned long *a;

	m = qkt_stats(test, vm, 0, -1).magsize;
	a = kunit_kcalloc(test, 3 * m, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	migrate_disable();
	cpu = smp_processor_id();
	for (i = 0; i < 3 * m; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	for (i = 0; i < 3 * m; i++)
		vmem_free(vm, a[i], K);
	st1 = qkt_stats(test, vm, 0, cpu);
	vmem_get_stats(vm, &v1);
	for (i = 0; i < 3 * m; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	st2 = qkt_stats(test, vm, 0, cpu);
	vmem_get_stats(vm, &v2);
	migrate_enable();

	KUNIT_ASSERT_EQ(test, nerr, 0U);
	/* three refills; the frees: two misses, one full magazine put */
	KUNIT_EXPECT_EQ(test, st1.alloc_misses, 3ULL);
	KUNIT_EXPECT_EQ(test, st1.free_misses, 2ULL);
	KUNIT_EXPECT_EQ(test, st1.free_hits, 3ULL * m - 2);
	KUNIT_EXPECT_EQ(test, st1.depot_puts, 1ULL);
	KUNIT_EXPECT_EQ(test, st1.depot_full, 1UL);
	KUNIT_EXPECT_EQ(test, st1.depot_rounds, (unsigned long)m);
	KUNIT_EXPECT_EQ(test, st1.cpu_rounds, 2UL * m);
	KUNIT_EXPECT_EQ(test, v1.mem_cached, 3 * m * K);
	/* again: two magazines, a swap, then the depot's full one */
	KUNIT_EXPECT_EQ(test, st2.depot_gets, 1ULL);
	KUNIT_EXPECT_EQ(test, st2.alloc_misses, 4ULL);
	KUNIT_EXPECT_EQ(test, st2.depot_full, 0UL);
	KUNIT_EXPECT_EQ(test, st2.depot_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, st2.cpu_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, v2.nalloc, v1.nalloc);	/* no refill */
	KUNIT_EXPECT_EQ(test, v2.mem_inuse, 3 * m * K);
	KUNIT_EXPECT_EQ(test, v2.mem_cached, 0UL);
	for (i = 0; i < 3 * m; i++)
		vmem_free(vm, a[i], K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
	VKT_EXPECT_CHECK(test, vm);
}

struct qkt_ranges {
	struct vmem	*vm;
	unsigned long	*addr;
	unsigned int	n;
	unsigned long	size;
	int		err;
};

static int qkt_alloc_fn(void *arg)
{
	struct qkt_ranges *r = arg;
	unsigned int i;

	for (i = 0; i < r->n && !r->err; i++)
		r->err = vmem_alloc(r->vm, r->size, VMEM_SLEEP, &r->addr[i]);
	return 0;
}

static int qkt_free_fn(void *arg)
{
	struct qkt_ranges *r = arg;
	unsigned int i;

	for (i = 0; i < r->n; i++)
		vmem_free(r->vm, r->addr[i], r->size);
	return 0;
}

/* One CPU frees, the depot carries full magazines to another. */
static void vmem_qcache_depot_cross_cpu(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_xcpu", 1024, K, 0);
	struct qkt_ranges r = { .vm = vm, .size = K };
	struct vmem_qcache_stats sa, sb;
	struct vmem_stats v1, v2;
	int ca, cb;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	ca = cpumask_first(cpu_online_mask);
	cb = qkt_other_cpu(ca);
	r.n = 4 * qkt_stats(test, vm, 0, -1).magsize;
	r.addr = kunit_kcalloc(test, r.n, sizeof(*r.addr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r.addr);
	qkt_on_cpu(test, ca, qkt_alloc_fn, &r);
	KUNIT_ASSERT_EQ(test, r.err, 0);
	qkt_on_cpu(test, cb, qkt_free_fn, &r);
	sb = qkt_stats(test, vm, 0, cb);
	KUNIT_EXPECT_GE(test, sb.depot_puts, 1ULL);
	vmem_get_stats(vm, &v1);
	/* CPU a allocates them again: from the depot, not from the arena */
	qkt_on_cpu(test, ca, qkt_alloc_fn, &r);
	KUNIT_ASSERT_EQ(test, r.err, 0);
	sa = qkt_stats(test, vm, 0, ca);
	vmem_get_stats(vm, &v2);
	KUNIT_EXPECT_GE(test, qkt_stats(test, vm, 0, -1).depot_gets, 1ULL);
	KUNIT_EXPECT_GE(test, sa.alloc_misses, 1ULL);
	KUNIT_EXPECT_LT(test, v2.nalloc - v1.nalloc, (u64)r.n);
	qkt_on_cpu(test, cb, qkt_free_fn, &r);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- placement and identifiers ---- */

/*
 * The policy places the runs refills carve, and they are handed out in
 * the order they were carved: top-down from the top.
 */
static void vmem_qcache_placement(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_place", 256, 2 * K, 0);
	unsigned long a[4], x;
	unsigned int i, nerr = 0;

	/* a segment allocation below, so that instant fit is not the top */
	x = vkt_xalloc(test, vm, K, 0, 0, 0, 0, VMEM_ADDR_MAX,
		       VMEM_SLEEP | VMEM_FIRSTFIT);
	KUNIT_EXPECT_EQ(test, x, B);
	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(a); i++)
		nerr += !!vmem_alloc(vm, 2 * K, VMEM_NOSLEEP | VMEM_TOPDOWN,
				     &a[i]);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, nerr, 0U);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_EXPECT_EQ_MSG(test, a[i], B + (256 - 2 * (i + 1)) * K,
				    "allocation %u", i);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		vmem_free(vm, a[i], 2 * K);
	vmem_xfree(vm, x, K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 256 * K });
}

/*
 * A caching identifier space: vmem_id_alloc() hands out runs of
 * consecutive identifiers at the rotor, ascending; a freed identifier
 * comes back from the magazine at once (the weakened next-fit promise);
 * vmem_id_alloc_specific() of an identifier a cache holds succeeds (the
 * exhaustion flush gives it back); VMC_NO_QCACHE and a qcache_max above
 * 16 quanta.
 */
static void vmem_qcache_idspace(struct kunit *test)
{
	struct vmem *ids, *none, *big;
	unsigned long id[8], again;
	unsigned int i, nerr = 0;
	struct vmem_stats st;
	int spec;

	ids = vmem_create("qc_ids", 100, 1000, 1, NULL, NULL, NULL, 1,
			  VMC_IDENTIFIER);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(id); i++)
		nerr += !!vmem_id_alloc(ids, VMEM_NOSLEEP, &id[i]);
	vmem_id_free(ids, id[3]);
	nerr += !!vmem_id_alloc(ids, VMEM_NOSLEEP, &again);
	/* 100 + 8 is in this CPU's magazine: held, not free */
	spec = vmem_id_alloc_specific(ids, 100 + ARRAY_SIZE(id), VMEM_NOSLEEP);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, nerr, 0U);
	for (i = 0; i < ARRAY_SIZE(id); i++)
		KUNIT_EXPECT_EQ_MSG(test, id[i], 100UL + i, "identifier %u", i);
	KUNIT_EXPECT_EQ(test, again, id[3]);
	KUNIT_EXPECT_EQ(test, spec, 0);
	KUNIT_EXPECT_EQ(test, qkt_cached(ids), 0UL);	/* flushed for it */
	VKT_EXPECT_SIZES(test, ids, ARRAY_SIZE(id) + 1, 1000 - ARRAY_SIZE(id) - 1);
	for (i = 0; i < ARRAY_SIZE(id); i++)
		vmem_id_free(ids, id[i]);
	vmem_id_free(ids, 100 + ARRAY_SIZE(id));
	VKT_EXPECT_SIZES(test, ids, 0, 1000);
	VKT_EXPECT_CHECK(test, ids);

	none = qkt_create(test, "qc_none", 64, 8 * K, VMC_NO_QCACHE);
	vmem_get_stats(none, &st);
	KUNIT_EXPECT_EQ(test, st.nqcache, 0U);
	big = qkt_create(test, "qc_big", 64, 64 * K, 0);
	vmem_get_stats(big, &st);
	KUNIT_EXPECT_EQ(test, st.nqcache, 16U);
	KUNIT_EXPECT_EQ(test, vmem_qcache_get_stats(big, 16, -1,
						    &(struct vmem_qcache_stats){}),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_qcache_get_stats(none, 0, -1,
						    &(struct vmem_qcache_stats){}),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_qcache_flush(none), 0UL);
}

/* vmem_xfree() of a cached range is refused; a misaligned free too. */
static void vmem_qcache_mismatch(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_mismatch", 64, 2 * K, 0);
	struct vmem_stats before, after;
	unsigned long a;

	vm->vm_flags |= VMC_QUIET_BADFREE;
	a = vkt_alloc(test, vm, 2 * K, VMEM_SLEEP);
	vmem_get_stats(vm, &before);
	vmem_xfree(vm, a, 2 * K);
	vmem_free(vm, a + 1, 2 * K);
	vmem_get_stats(vm, &after);
	KUNIT_EXPECT_EQ(test, after.nbadfree, before.nbadfree + 2);
	KUNIT_EXPECT_EQ(test, after.nfree, before.nfree);
	KUNIT_EXPECT_EQ(test, after.mem_inuse, 2 * K);
	vmem_free(vm, a, 2 * K);
	VKT_EXPECT_SIZES(test, vm, 0, 64 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- exhaustion ---- */

/*
 * A 32-quantum arena: a refill takes a run (a quarter of the arena: the
 * refill limit), a segment allocation takes every free quantum left.
 * Then an allocation of 2 quanta can only succeed once the caches are
 * flushed.
 */
struct qkt_exhaust {
	struct vmem		*vm;
	unsigned long		one;
	unsigned long		rest;
	unsigned long		two;
	unsigned int		vmflags;
	bool			hardirq;
	int			err;
	struct hrtimer		timer;
	struct completion	done;
};

static int qkt_fill_fn(void *arg)
{
	struct qkt_exhaust *x = arg;

	return vmem_alloc(x->vm, K, VMEM_SLEEP, &x->one);
}

static void qkt_two(void *arg)
{
	struct qkt_exhaust *x = arg;

	x->hardirq = in_hardirq();
	x->err = vmem_xalloc(x->vm, 2 * K, 0, 0, 0, 0, VMEM_ADDR_MAX,
			     x->vmflags, &x->two);
}

static enum hrtimer_restart qkt_two_timer(struct hrtimer *timer)
{
	struct qkt_exhaust *x = container_of(timer, struct qkt_exhaust, timer);

	qkt_two(x);
	complete(&x->done);
	return HRTIMER_NORESTART;
}

/*
 * As a thread bound to a CPU: a hard hrtimer pinned to it, whose callback
 * runs in a hard interrupt even when the CPU is idle (an IPI to an idle
 * CPU may be run from the idle loop instead).
 */
static int qkt_two_hardirq_fn(void *arg)
{
	struct qkt_exhaust *x = arg;

	init_completion(&x->done);
	hrtimer_init(&x->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	x->timer.function = qkt_two_timer;
	hrtimer_start(&x->timer, ns_to_ktime(NSEC_PER_MSEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	wait_for_completion(&x->done);
	hrtimer_cancel(&x->timer);
	return 0;
}

static void qkt_exhaust(struct kunit *test, int fill_cpu, int two_cpu,
			unsigned int vmflags)
{
	struct vmem *vm = qkt_create(test, "qc_exhaust", 32, K, 0);
	struct qkt_exhaust x = { .vm = vm, .vmflags = vmflags };
	unsigned long c, cached, rest;
	struct vmem_stats st;

	KUNIT_ASSERT_EQ(test, qkt_on_cpu(test, fill_cpu, qkt_fill_fn, &x), 0);
	c = qkt_stats(test, vm, 0, fill_cpu).cpu_rounds;
	cached = qkt_cached(vm);
	KUNIT_EXPECT_EQ(test, c, 7UL);	/* 32 / 4 carved, one handed out */
	KUNIT_EXPECT_EQ(test, cached, c * K);
	rest = 32 - 1 - c;
	x.rest = vkt_xalloc(test, vm, rest * K, 0, 0, 0, 0,
			    VMEM_ADDR_MAX, VMEM_NOSLEEP);
	VKT_EXPECT_NO_SEGS(test, vm, VMEM_FREE);	/* not a free segment */
	VKT_EXPECT_SIZES(test, vm, 32 * K - cached, cached);
	if (two_cpu < 0) {
		qkt_two(&x);
	} else {
		qkt_on_cpu(test, two_cpu, qkt_two_hardirq_fn, &x);
		KUNIT_EXPECT_TRUE(test, x.hardirq);
	}
	KUNIT_ASSERT_EQ(test, x.err, 0);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_cached, 0UL);
	KUNIT_EXPECT_EQ(test, st.nwait, 0ULL);
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 0, fill_cpu).cpu_rounds, 0UL);
	VKT_EXPECT_SIZES(test, vm, (1 + rest + 2) * K, (c - 2) * K);
	vmem_free(vm, x.one, K);
	vmem_xfree(vm, x.rest, rest * K);
	vmem_xfree(vm, x.two, 2 * K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 32 * K });
	VKT_EXPECT_CHECK(test, vm);
}

/* The caches of this CPU, for a NOSLEEP and a SLEEP allocation. */
static void vmem_qcache_exhaust_local(struct kunit *test)
{
	unsigned int cpu = raw_smp_processor_id();

	qkt_exhaust(test, cpu, -1, VMEM_NOSLEEP);
	/* a SLEEP allocation does not sleep either: the flush comes first */
	qkt_exhaust(test, cpu, -1, VMEM_SLEEP);
}

struct qkt_sleeper {
	struct vmem	*vm;
	unsigned long	addr;
};

static int qkt_sleeper_fn(void *arg)
{
	struct qkt_sleeper *w = arg;

	return vmem_alloc(w->vm, K, VMEM_SLEEP, &w->addr);
}

/*
 * An allocation sleeping on an arena whose every range clients hold is
 * woken by a client's cached-size vmem_free(): while it sleeps, such a
 * free goes to the arena, not to a magazine, where it would wait for the
 * periodic trim (two intervals of 5 s) or for a flush.
 */
static void vmem_qcache_sleeper_woken(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_sleep", 4, K, 0);
	struct qkt_sleeper w = { .vm = vm };
	unsigned long addr[4];
	struct vkt_thread *t;
	struct vmem_stats st;
	unsigned int i;
	bool woke;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vmem_alloc(vm, K, VMEM_SLEEP, &addr[i]),
				0);
	KUNIT_ASSERT_EQ(test, qkt_cached(vm), 0UL);
	t = vkt_thread_start(test, qkt_sleeper_fn, &w, -1, "vmem_qc_sleep");
	for (i = 0; i < 500; i++) {
		vmem_get_stats(vm, &st);
		if (st.nwait)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_GE_MSG(test, st.nwait, 1ULL,
			    "the allocation did not go to sleep");
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->done));
	vmem_free(vm, addr[2], K);
	woke = vkt_thread_wait(t, 2000);
	KUNIT_EXPECT_TRUE_MSG(test, woke,
			      "a cached free did not wake the sleeping allocation");
	if (!woke) {
		/* the range sits in a magazine: the flush wakes the sleeper */
		vmem_qcache_flush(vm);
		KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 10000));
	}
	KUNIT_EXPECT_EQ(test, t->ret, 0);
	KUNIT_EXPECT_EQ(test, w.addr, addr[2]);
	vkt_thread_put(t);
	addr[2] = w.addr;
	for (i = 0; i < 4; i++)
		vmem_free(vm, addr[i], K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SIZES(test, vm, 0, 4 * K);
	VKT_EXPECT_CHECK(test, vm);
}

/* Another CPU's caches, flushed from this one, and from a hard irq. */
static void vmem_qcache_exhaust_remote(struct kunit *test)
{
	int a, b;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	a = cpumask_first(cpu_online_mask);
	b = qkt_other_cpu(a);
	qkt_exhaust(test, b, -1, VMEM_NOSLEEP);
	/* in a hard interrupt on b: the flush takes a's and b's locks */
	qkt_exhaust(test, a, b, VMEM_NOSLEEP);
	qkt_exhaust(test, b, b, VMEM_NOSLEEP);
}

/* ---- the depot: resize, trim, shrinker ---- */

struct qkt_churn {
	struct vmem	*vm;
	unsigned long	*addr;
	unsigned int	n;
	atomic_t	stop;
	atomic_t	rounds;
	int		err;
};

/* Three magazines' worth out and in, over and over: depot traffic. */
static int qkt_churn_fn(void *arg)
{
	struct qkt_churn *c = arg;
	unsigned int i, got;

	while (!atomic_read(&c->stop)) {
		for (got = 0; got < c->n; got++)
			if (vmem_alloc(c->vm, K, VMEM_NOSLEEP, &c->addr[got]))
				break;
		for (i = 0; i < got; i++)
			vmem_free(c->vm, c->addr[i], K);
		atomic_inc(&c->rounds);
		cond_resched();
	}
	return 0;
}

/*
 * Hold the depot lock until another CPU waits for it (or about 50 ms
 * pass): true if one did.
 */
static bool qkt_contend(struct vmem_qcache *qc)
{
	unsigned long flags;
	unsigned int us;
	bool seen = false;

	spin_lock_irqsave(&qc->qc_lock, flags);
	for (us = 0; us < 50000 && !seen; us += 5) {
		udelay(5);
		seen = spin_is_contended(&qc->qc_lock);
	}
	spin_unlock_irqrestore(&qc->qc_lock, flags);
	return seen;
}

/*
 * Another CPU churns through the depot while this one holds the depot
 * lock until that CPU is seen waiting for it, again and again: the
 * contention is counted, and the update work grows the magazines one
 * size.  The next refill makes a bigger one.
 */
static void vmem_qcache_resize(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_resize", 4096, K, 0);
	struct qkt_churn c = { .vm = vm };
	struct vmem_qcache *qc = &vm->vm_qcache[0];
	unsigned int m0, tries, seen = 0, cpu;
	struct vmem_qcache_stats st = { };
	struct vkt_thread *t;
	unsigned long a;
	int other;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	m0 = qkt_stats(test, vm, 0, -1).magsize;
	c.n = 3 * m0;
	c.addr = kunit_kcalloc(test, c.n, sizeof(*c.addr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c.addr);
	migrate_disable();
	cpu = smp_processor_id();
	other = qkt_other_cpu(cpu);
	t = vkt_thread_start(test, qkt_churn_fn, &c, other, "vmem_qc_churn");
	/*
	 * Five contentions, then the update.  The periodic update may run in
	 * between and see some of them: then five more.
	 */
	for (tries = 0; tries < 1000; tries++) {
		seen += qkt_contend(qc);
		if (seen % 5 || !seen)
			continue;
		qkt_update(vm);
		st = qkt_stats(test, vm, 0, -1);
		if (st.nresize || seen == 20)
			break;
	}
	atomic_set(&c.stop, 1);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 60 * MSEC_PER_SEC));
	vkt_thread_put(t);
	kunit_info(test, "%u windows, %u contended, %d churns, %llu contentions\n",
		   tries + 1, seen, atomic_read(&c.rounds), st.depot_contention);
	KUNIT_ASSERT_GE(test, seen, 5U);
	KUNIT_EXPECT_GE(test, st.nresize, 1ULL);
	KUNIT_EXPECT_GT(test, st.magsize, m0);
	KUNIT_EXPECT_GT(test, st.depot_contention, 3ULL);

	/* from now on, refills fill bigger magazines */
	vmem_qcache_flush(vm);
	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &a), 0);
	st = qkt_stats(test, vm, 0, cpu);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, st.cpu_rounds, (unsigned long)st.magsize - 1);
	vmem_free(vm, a, K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 4096 * K });
}

/*
 * 4m ranges out and back on this CPU: two full magazines on the CPU, two
 * in the depot.  Then 2m + 1 out again, which the caller frees: the CPU's
 * two, and one of the depot's full ones, whose CPU slot's empty magazine
 * goes to the depot.  Left: one full and one empty magazine in the
 * depot.  Returns the ranges held.
 */
static unsigned long *qkt_fill_depot(struct kunit *test, struct vmem *vm,
				     unsigned int *np)
{
	unsigned int m = qkt_stats(test, vm, 0, -1).magsize, i, nerr = 0;
	unsigned long *a = kunit_kcalloc(test, 4 * m, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	migrate_disable();
	for (i = 0; i < 4 * m; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	for (i = 0; i < 4 * m; i++)
		vmem_free(vm, a[i], K);
	for (i = 0; i < 2 * m + 1; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, nerr, 0U);
	*np = 2 * m + 1;
	return a;
}

static void qkt_free_all(struct vmem *vm, unsigned long *a, unsigned int n)
{
	while (n--)
		vmem_free(vm, a[n], K);
}

/*
 * The depot's working set: magazines no CPU took during a whole update
 * interval are freed, full ones drained into the arena first.  The first
 * update after the depot was filled measures (nothing is freed), the
 * second frees the idle magazines.  The periodic update may run in
 * between on a slow guest: then the sequence is tried again.
 */
static bool qkt_trim_once(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_trim", 1024, K, 0);
	struct vmem_qcache_stats st0, st1, st2;
	unsigned long *a;
	unsigned int n;

	a = qkt_fill_depot(test, vm, &n);
	st0 = qkt_stats(test, vm, 0, -1);
	KUNIT_EXPECT_EQ(test, st0.depot_full, 1UL);
	KUNIT_EXPECT_EQ(test, st0.depot_empty, 1UL);
	qkt_update(vm);		/* measures: nothing was taken since */
	st1 = qkt_stats(test, vm, 0, -1);
	qkt_update(vm);		/* a whole interval unused: trimmed */
	st2 = qkt_stats(test, vm, 0, -1);
	if (st2.nupdate != st0.nupdate + 2) {
		kunit_info(test, "the periodic update ran meanwhile: again\n");
		qkt_free_all(vm, a, n);
		return false;
	}
	KUNIT_EXPECT_EQ(test, st1.depot_full, st0.depot_full);
	KUNIT_EXPECT_EQ(test, st1.depot_empty, st0.depot_empty);
	KUNIT_EXPECT_EQ(test, st2.depot_full, 0UL);
	KUNIT_EXPECT_EQ(test, st2.depot_empty, 0UL);
	KUNIT_EXPECT_EQ(test, st2.depot_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, st2.cpu_rounds, st0.cpu_rounds);
	KUNIT_EXPECT_EQ(test, qkt_cached(vm), st0.cpu_rounds * K);
	qkt_free_all(vm, a, n);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
	VKT_EXPECT_CHECK(test, vm);
	return true;
}

static void vmem_qcache_trim(struct kunit *test)
{
	unsigned int tries;

	for (tries = 0; tries < 5; tries++)
		if (qkt_trim_once(test))
			return;
	KUNIT_FAIL(test, "the periodic update interfered 5 times");
}

/* The shrinker counts the depot's magazines and frees them. */
static void vmem_qcache_shrinker(struct kunit *test)
{
#ifdef SHRINKER_ALLOCATED	/* shrinker_alloc(), 6.7 on */
	struct vmem *vm = qkt_create(test, "qc_shrink", 1024, K, 0);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct shrinker *s = vm->vm_qshrinker;
	struct vmem_qcache_stats st0, st1;
	unsigned long count, *a;
	unsigned int n;

	a = qkt_fill_depot(test, vm, &n);
	st0 = qkt_stats(test, vm, 0, -1);
	count = s->count_objects(s, &sc);
	KUNIT_EXPECT_EQ(test, count, 2UL);
	KUNIT_EXPECT_EQ(test, count, st0.depot_full + st0.depot_empty);
	sc.nr_to_scan = count;
	KUNIT_EXPECT_EQ(test, s->scan_objects(s, &sc), count);
	st1 = qkt_stats(test, vm, 0, -1);
	KUNIT_EXPECT_EQ(test, st1.depot_full + st1.depot_empty, 0UL);
	KUNIT_EXPECT_EQ(test, s->count_objects(s, &sc), 0UL);
	KUNIT_EXPECT_EQ(test, qkt_cached(vm), st0.cpu_rounds * K);
	qkt_free_all(vm, a, n);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
#else
	kunit_skip(test, "the shrinker is reached through shrinker_alloc()");
#endif
}

/* ---- destruction, failures, hotplug ---- */

static int qkt_churn_once_fn(void *arg)
{
	struct qkt_ranges *r = arg;

	qkt_alloc_fn(r);
	if (!r->err)
		qkt_free_fn(r);
	return 0;
}

/*
 * A caching arena that imports: every online CPU fills magazines, the
 * depot holds some, clients hold nothing.  Destroying it gives every
 * span back to the source: the cached ranges were flushed first.
 */
static void vmem_qcache_destroy_full(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "qc_src", B, 4096 * K, K, 0);
	struct qkt_ranges r = { .size = 2 * K };
	struct vmem *vm;
	unsigned int cpu;

	vm = vmem_create("qc_child", 0, 0, K, vmem_alloc, vmem_free, src,
			 4 * K, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	r.vm = vm;
	r.n = 3 * qkt_stats(test, vm, 1, -1).magsize;
	r.addr = kunit_kcalloc(test, r.n, sizeof(*r.addr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r.addr);
	for_each_online_cpu(cpu) {
		qkt_on_cpu(test, cpu, qkt_churn_once_fn, &r);
		KUNIT_EXPECT_EQ(test, r.err, 0);
	}
	KUNIT_EXPECT_GT(test, qkt_cached(vm), 0UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL);
	KUNIT_EXPECT_GT(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
	VKT_EXPECT_SIZES(test, src, 0, 4096 * K);
	VKT_EXPECT_CHECK(test, src);
}

#ifdef CONFIG_FAULT_INJECTION
static void qkt_fail_nth(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

static unsigned int qkt_fail_left(void)
{
	return READ_ONCE(current->fail_nth);
}
#else
static void qkt_fail_nth(unsigned int n) { }
static unsigned int qkt_fail_left(void) { return 0; }
#endif

/*
 * A NOSLEEP refill whose Nth slab allocation fails (the magazine, or a
 * boundary tag of the batch), for every N until one runs clean: the
 * allocation is still served, by the segment path, and the arena stays
 * whole.  A magazine larger than the tag reserve keeps (29 rounds on
 * 32-bit) is refilled with the reserve's tags first, then with more: when
 * those fail, the refill keeps what the first tags carved (one carve a
 * tag, while two are left).  Then a free whose new magazine cannot be had
 * goes straight back to the arena.
 */
static void vmem_qcache_refill_fails(struct kunit *test)
{
	const unsigned int part = VMEM_RESERVE_MAX - VMEM_TAGS_PER_OP;
	unsigned int n, nofill = 0, m = 0, cpu;
	struct vmem_qcache_stats st;
	unsigned long a, *b;
	bool clean = false;
	int err;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB (current->fail_nth)");
	for (n = 1; n < 64 && !clean; n++) {
		struct vmem *vm = qkt_create(test, "qc_fail", 256, K, 0);

		migrate_disable();
		cpu = smp_processor_id();
		qkt_fail_nth(n);
		err = vmem_alloc(vm, K, VMEM_NOSLEEP, &a);
		clean = qkt_fail_left() != 0;
		qkt_fail_nth(0);
		st = qkt_stats(test, vm, 0, cpu);
		migrate_enable();
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "fail_nth %u", n);
		KUNIT_EXPECT_EQ(test, st.alloc_misses, 1ULL);
		m = st.magsize;
		if (!err) {
			nofill += !st.cpu_rounds;
			KUNIT_EXPECT_TRUE_MSG(test, !st.cpu_rounds ||
					      st.cpu_rounds == m - 1 ||
					      (m > part + 1 &&
					       st.cpu_rounds == part),
					      "fail_nth %u: %lu cached", n,
					      st.cpu_rounds);
			VKT_EXPECT_SIZES(test, vm, K, 255 * K);
			VKT_EXPECT_CHECK(test, vm);
			vmem_free(vm, a, K);
		}
		vmem_qcache_flush(vm);
		VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 256 * K });
		vkt_destroy_now(test, vm);
	}
	kunit_info(test, "%u runs, %u refills failed and were served anyway\n",
		   n - 1, nofill);
	KUNIT_EXPECT_TRUE(test, clean);
	KUNIT_EXPECT_GE(test, nofill, 2U);	/* the magazine, a tag */

	/*
	 * A free that needs a new magazine (both of the CPU's full, no
	 * empty one in the depot) and cannot have one: the range goes
	 * straight back to the arena.
	 */
	{
		struct vmem *vm = qkt_create(test, "qc_fail_free", 256, K, 0);
		unsigned int i, nerr = 0, nb = 3 * m + 1;
		unsigned long cached;

		b = kunit_kcalloc(test, nb, sizeof(*b), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, b);
		migrate_disable();
		cpu = smp_processor_id();
		for (i = 0; i < nb; i++)
			nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &b[i]);
		while (nb > 1) {
			vmem_free(vm, b[--nb], K);
			st = qkt_stats(test, vm, 0, cpu);
			if (st.cpu_rounds == 2 * m && !st.depot_empty)
				break;
		}
		cached = qkt_cached(vm);
		qkt_fail_nth(1);
		vmem_free(vm, b[--nb], K);
		err = qkt_fail_left();
		qkt_fail_nth(0);
		migrate_enable();
		KUNIT_EXPECT_EQ(test, nerr, 0U);
		KUNIT_EXPECT_EQ(test, st.cpu_rounds, 2UL * m);
		KUNIT_EXPECT_EQ(test, err, 0);	/* the injection fired */
		KUNIT_EXPECT_EQ(test, qkt_cached(vm), cached);
		VKT_EXPECT_SIZES(test, vm, nb * K, (256 - nb) * K);
		VKT_EXPECT_CHECK(test, vm);
		while (nb)
			vmem_free(vm, b[--nb], K);
		vmem_qcache_flush(vm);
		VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 256 * K });
	}
}

struct qkt_hold {
	struct vmem	*vm;
	unsigned long	addr[8];
	int		err;
};

/* Hold 8 ranges of 1..2 quanta, with rounds left in the magazines. */
static int qkt_hold_fn(void *arg)
{
	struct qkt_hold *h = arg;
	unsigned long junk[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h->addr) && !h->err; i++)
		h->err = vmem_alloc(h->vm, (i % 2 + 1) * K, VMEM_SLEEP,
				    &h->addr[i]);
	for (i = 0; i < ARRAY_SIZE(junk) && !h->err; i++)
		h->err = vmem_alloc(h->vm, 2 * K, VMEM_SLEEP, &junk[i]);
	for (i = 0; i < ARRAY_SIZE(junk) && !h->err; i++)
		vmem_free(h->vm, junk[i], 2 * K);
	return 0;
}

/*
 * A CPU goes offline with loaded magazines: its rounds go back to the
 * arena (the CPU-dead hotplug state), what clients hold stays held, and
 * nothing is lost or leaked.  It comes back and caches again.
 */
static void vmem_qcache_cpu_offline(struct kunit *test)
{
	struct vmem *vm = qkt_create(test, "qc_hotplug", 1024, 2 * K, 0);
	struct qkt_hold h = { .vm = vm }, h2 = { .vm = vm };
	unsigned long cached, inuse = 0;
	unsigned int i;
	int cpu, err;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two CPUs");
	cpu = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_NE(test, cpu, 0);
	KUNIT_ASSERT_EQ(test, qkt_on_cpu(test, cpu, qkt_hold_fn, &h), 0);
	KUNIT_ASSERT_EQ(test, h.err, 0);
	for (i = 0; i < ARRAY_SIZE(h.addr); i++)
		inuse += (i % 2 + 1) * K;
	cached = qkt_cached(vm);
	KUNIT_EXPECT_GT(test, qkt_stats(test, vm, 0, cpu).cpu_rounds +
			qkt_stats(test, vm, 1, cpu).cpu_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, cached, qkt_stats(test, vm, 0, cpu).cpu_rounds * K +
			qkt_stats(test, vm, 1, cpu).cpu_rounds * 2 * K);

	err = remove_cpu(cpu);
	if (err)
		kunit_skip(test, "remove_cpu(%d) = %d", cpu, err);
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 0, cpu).cpu_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, qkt_stats(test, vm, 1, cpu).cpu_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, qkt_cached(vm), 0UL);
	VKT_EXPECT_SIZES(test, vm, inuse, 1024 * K - inuse);
	VKT_EXPECT_CHECK(test, vm);
	err = add_cpu(cpu);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "add_cpu(%d)", cpu);

	/* back online: it caches again */
	KUNIT_ASSERT_EQ(test, qkt_on_cpu(test, cpu, qkt_hold_fn, &h2), 0);
	KUNIT_ASSERT_EQ(test, h2.err, 0);
	KUNIT_EXPECT_GT(test, qkt_cached(vm), 0UL);
	for (i = 0; i < ARRAY_SIZE(h.addr); i++) {
		vmem_free(vm, h.addr[i], (i % 2 + 1) * K);
		vmem_free(vm, h2.addr[i], (i % 2 + 1) * K);
	}
	VKT_EXPECT_SIZES(test, vm, 0, 1024 * K);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 1024 * K });
	VKT_EXPECT_CHECK(test, vm);
}

/* ---- every CPU at once ---- */

#define QS_LIVE		64
#define QS_IRQ_LIVE	16
#define QS_NQ		8

struct qs_shared {
	struct vmem	*vm;
	unsigned long	*bitmap;	/* a bit per quantum of the arena */
	unsigned long	quanta;
	unsigned long	nops;
	unsigned long	deadline;	/* jiffies */
	atomic_t	stop;
	atomic_long_t	nerr;
	atomic_long_t	nalloc;
	atomic_long_t	nfail;
	atomic_long_t	nirq;
	atomic_long_t	nflush;
	atomic_t	msg_taken;
	char		msg[160];
};

struct qs_live {
	unsigned long	addr;
	unsigned long	size;
};

struct qs_worker {
	struct qs_shared	*sh;
	struct hrtimer		timer;
	u64			rng;
	u64			irq_rng;
	struct qs_live		live[QS_LIVE];
	unsigned int		nlive;
	struct qs_live		irq_live[QS_IRQ_LIVE];
	unsigned int		irq_nlive;
	unsigned long		ops;
	unsigned long		irqs;		/* runs of the timer */
};

static void qs_error(struct qs_shared *sh, const char *what,
		     unsigned long addr, unsigned long size)
{
	atomic_long_inc(&sh->nerr);
	if (!atomic_xchg(&sh->msg_taken, 1))
		snprintf(sh->msg, sizeof(sh->msg), "%s [%#lx, +%#lx)", what,
			 addr, size);
}

/* A range vmem handed out: it must be inside the arena and no one's. */
static bool qs_take(struct qs_shared *sh, unsigned long addr,
		    unsigned long size)
{
	unsigned long q, first = (addr - B) / K, n = size / K;

	if (addr < B || (addr & (K - 1)) || first + n > sh->quanta) {
		qs_error(sh, "outside the arena", addr, size);
		return false;
	}
	for (q = 0; q < n; q++)
		if (test_and_set_bit(first + q, sh->bitmap))
			qs_error(sh, "handed out twice", addr, size);
	atomic_long_inc(&sh->nalloc);
	return true;
}

static void qs_give(struct qs_shared *sh, unsigned long addr,
		    unsigned long size)
{
	unsigned long q, first = (addr - B) / K;

	for (q = 0; q < size / K; q++)
		if (!test_and_clear_bit(first + q, sh->bitmap))
			qs_error(sh, "lost its bit", addr, size);
	vmem_free(sh->vm, addr, size);
}

static void qs_op(struct qs_shared *sh, u64 *rng, struct qs_live *live,
		  unsigned int *nlive, unsigned int max)
{
	u64 r = vmem_rand_next(rng);
	unsigned long addr, size;
	unsigned int i;

	if (*nlive && (*nlive == max || (r & 1))) {
		i = (r >> 8) % *nlive;
		qs_give(sh, live[i].addr, live[i].size);
		live[i] = live[--*nlive];
		return;
	}
	size = (1 + (r >> 16) % QS_NQ) * K;
	if (vmem_alloc(sh->vm, size, VMEM_NOSLEEP, &addr)) {
		atomic_long_inc(&sh->nfail);
		return;
	}
	if (qs_take(sh, addr, size)) {
		live[*nlive].addr = addr;
		live[(*nlive)++].size = size;
	}
}

static enum hrtimer_restart qs_timer_fn(struct hrtimer *timer)
{
	struct qs_worker *w = container_of(timer, struct qs_worker, timer);

	if (atomic_read(&w->sh->stop))
		return HRTIMER_NORESTART;
	if (!in_hardirq())
		qs_error(w->sh, "timer not in hard irq context", 0, 0);
	qs_op(w->sh, &w->irq_rng, w->irq_live, &w->irq_nlive, QS_IRQ_LIVE);
	atomic_long_inc(&w->sh->nirq);
	WRITE_ONCE(w->irqs, w->irqs + 1);
	hrtimer_forward_now(timer, ns_to_ktime(100 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int qs_thread_fn(void *arg)
{
	struct qs_worker *w = arg;
	struct qs_shared *sh = w->sh;

	hrtimer_start(&w->timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	/*
	 * At least nops, and on until the timer has run at least once: a
	 * fast host (or userspace, where the timer is a thread) may finish
	 * nops before the first 100 us are up.
	 */
	for (w->ops = 0; w->ops < sh->nops || !READ_ONCE(w->irqs); w->ops++) {
		qs_op(sh, &w->rng, w->live, &w->nlive, QS_LIVE);
		if (vmem_rand_next(&w->rng) % 4096 == 0) {
			vmem_qcache_flush(sh->vm);
			atomic_long_inc(&sh->nflush);
		}
		if (w->ops % 64 == 0) {
			cond_resched();
			if (time_after(jiffies, sh->deadline))
				break;
		}
	}
	while (w->nlive) {
		struct qs_live *l = &w->live[--w->nlive];

		qs_give(sh, l->addr, l->size);
	}
	return 0;
}

/*
 * Every online CPU allocates and frees sizes of 1 to 8 quanta at random
 * (NOSLEEP), and on each an hrtimer does the same in hard interrupt
 * context, on an arena that the caches can exhaust: flushes on
 * exhaustion (from threads and from interrupts), refills, depot traffic
 * and explicit flushes all race.  A shared bitmap says who holds each
 * quantum.
 */
static void vmem_qcache_stress(struct kunit *test)
{
	unsigned int n = num_online_cpus(), i = 0, cpu;
	struct qs_shared *sh = kunit_kzalloc(test, sizeof(*sh), GFP_KERNEL);
	u64 seed = vkt_seed(test, "vmem_qcache");
	struct qs_worker *w;
	struct vkt_thread **t;
	bool all_done = true;
	unsigned long ops = 0;

	KUNIT_ASSERT_NOT_NULL(test, sh);
	/* tight: the caches can hold it all, exhaustion flushes are common */
	sh->quanta = 256 * max(n, 2U);
	sh->nops = 5000;
	sh->deadline = jiffies + 10 * HZ;
	sh->vm = qkt_create(test, "qc_stress", sh->quanta, QS_NQ * K, 0);
	sh->bitmap = kunit_kcalloc(test, BITS_TO_LONGS(sh->quanta),
				   sizeof(long), GFP_KERNEL);
	w = kunit_kcalloc(test, n, sizeof(*w), GFP_KERNEL);
	t = kunit_kcalloc(test, n, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sh->bitmap);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, t);

	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		w[i].sh = sh;
		w[i].rng = seed ^ (0x9e37ULL * (i + 1));
		w[i].irq_rng = ~w[i].rng;
		hrtimer_init(&w[i].timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		w[i].timer.function = qs_timer_fn;
		t[i] = vkt_thread_start(test, qs_thread_fn, &w[i], cpu,
					"vmem_qc_stress");
		i++;
	}
	n = i;
	for (i = 0; i < n; i++) {
		if (!vkt_thread_wait(t[i], 300 * MSEC_PER_SEC)) {
			KUNIT_FAIL(test, "worker %u did not finish", i);
			all_done = false;
		}
	}
	atomic_set(&sh->stop, 1);
	for (i = 0; i < n; i++) {
		hrtimer_cancel(&w[i].timer);
		while (w[i].irq_nlive) {
			struct qs_live *l = &w[i].irq_live[--w[i].irq_nlive];

			qs_give(sh, l->addr, l->size);
		}
		ops += w[i].ops;
		if (all_done)
			vkt_thread_put(t[i]);
	}
	/* A worker still running uses sh and w: do not return. */
	KUNIT_ASSERT_TRUE(test, all_done);
	kunit_info(test, "%u CPUs: %lu thread ops, %ld allocations (%ld in hard irq), %ld failed, %ld flushes\n",
		   n, ops, atomic_long_read(&sh->nalloc),
		   atomic_long_read(&sh->nirq), atomic_long_read(&sh->nfail),
		   atomic_long_read(&sh->nflush));
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&sh->nerr), 0L, "%s",
			    sh->msg);
	KUNIT_EXPECT_GT(test, ops, 1000UL * n);
	KUNIT_EXPECT_GT(test, atomic_long_read(&sh->nirq), 0L);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(sh->bitmap, sh->quanta));
	KUNIT_EXPECT_EQ(test, vmem_arena_size(sh->vm, VMEM_ALLOC), 0UL);
	vmem_qcache_flush(sh->vm);
	VKT_EXPECT_SEGS(test, sh->vm, VMEM_FREE, { B, sh->quanta * K });
	VKT_EXPECT_CHECK(test, sh->vm);
}

static struct kunit_case vmem_qcache_cases[] = {
	KUNIT_CASE(vmem_qcache_hit_miss),
	KUNIT_CASE(vmem_qcache_swap),
	KUNIT_CASE(vmem_qcache_depot),
	KUNIT_CASE(vmem_qcache_depot_cross_cpu),
	KUNIT_CASE(vmem_qcache_placement),
	KUNIT_CASE(vmem_qcache_idspace),
	KUNIT_CASE(vmem_qcache_mismatch),
	KUNIT_CASE(vmem_qcache_exhaust_local),
	KUNIT_CASE(vmem_qcache_exhaust_remote),
	KUNIT_CASE(vmem_qcache_sleeper_woken),
	KUNIT_CASE_SLOW(vmem_qcache_resize),
	KUNIT_CASE(vmem_qcache_trim),
	KUNIT_CASE(vmem_qcache_shrinker),
	KUNIT_CASE(vmem_qcache_destroy_full),
	KUNIT_CASE_SLOW(vmem_qcache_refill_fails),
	KUNIT_CASE_SLOW(vmem_qcache_cpu_offline),
	KUNIT_CASE_SLOW(vmem_qcache_stress),
	{}
};

static struct kunit_suite vmem_qcache_suite = {
	.name = "vmem_qcache",
	.test_cases = vmem_qcache_cases,
};

kunit_test_suites(&vmem_qcache_suite);
