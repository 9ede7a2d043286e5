// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_stress: the randomized differential test against the
 * reference model (kunit/vmem_model.c), and the same kind of load from
 * every CPU at once with results checked against a shared bitmap.
 *
 * The seed is vmem_kunit.ko's seed parameter (see vkt_seed()); it is
 * printed first, and `insmod vmem_kunit.ko seed=N` reruns a failure.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/slab.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL
#define ERRLEN	4096

static void run_difftest(struct kunit *test, struct vmem_difftest_params *p)
{
	struct vmem_difftest_stats st = { };
	char *err = kunit_kzalloc(test, ERRLEN, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, err);
	p->progress = vkt_progress;
	p->stats = &st;
	ret = vmem_difftest_run(p, err, ERRLEN);
	kunit_info(test, "%lu ops, %lu arenas: %lu alloc, %lu xalloc, %lu failed as the model said, %lu invalid, %lu free, %lu bad free, %lu add, %lu walk, %lu check, %lu placements, %lu live at most\n",
		   st.nops, st.narenas, st.nalloc, st.nxalloc, st.nfail,
		   st.neinval, st.nfree, st.nbadfree, st.nadd, st.nwalk,
		   st.ncheck, st.nplaced, st.maxlive);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s", err);
	/* The run did what it is for: every kind of operation, many times. */
	KUNIT_EXPECT_EQ(test, st.nops, p->nops);
	KUNIT_EXPECT_GT(test, st.nalloc, p->nops / 20);
	KUNIT_EXPECT_GT(test, st.nxalloc, p->nops / 40);
	KUNIT_EXPECT_GT(test, st.nfail, 0UL);
	KUNIT_EXPECT_GT(test, st.neinval, 0UL);
	KUNIT_EXPECT_GT(test, st.nwalk, 0UL);
	KUNIT_EXPECT_GT(test, st.nadd, 0UL);
	KUNIT_EXPECT_GT(test, st.narenas, 1UL);
	if (p->flags & VMEM_DT_BADFREE)
		KUNIT_EXPECT_GT(test, st.nbadfree, 0UL);
	/*
	 * With quantum caches only the requests that no cache serves are
	 * placed as the model says (vmem_xalloc(), sizes above qcache_max),
	 * and a run whose arenas hold a few quanta has few of those.
	 */
	if (p->flags & VMEM_DT_PLACEMENT)
		KUNIT_EXPECT_GT(test, st.nplaced,
				p->nops / (p->flags & VMEM_DT_QCACHE ? 200 : 40));
}

/* 100,000 operations, every check on. */
static void vmem_stress_difftest(struct kunit *test)
{
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_stress"),
		.nops = 100000,
		.check_every = 64,
		.flags = VMEM_DT_ALL,
		.quiet = vkt_quiet,
	};

	run_difftest(test, &p);
}

/*
 * Few live allocations and few spans: arenas near exhaustion, where
 * allocations fail and the model must agree that nothing fits.
 */
static void vmem_stress_difftest_dense(struct kunit *test)
{
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_stress") ^ 0x5eed,
		.nops = 50000,
		.check_every = 16,
		.max_live = 24,
		.max_spans = 3,
		.flags = VMEM_DT_ALL,
		.quiet = vkt_quiet,
	};

	run_difftest(test, &p);
}

/* NOSLEEP only, and a small live set: more arenas, more churn. */
static void vmem_stress_difftest_nosleep(struct kunit *test)
{
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_stress") ^ 0x5555,
		.nops = 20000,
		.check_every = 64,
		.max_live = 16,
		.flags = VMEM_DT_BADFREE | VMEM_DT_PLACEMENT | VMEM_DT_STATS,
		.quiet = vkt_quiet,
	};

	run_difftest(test, &p);
}

/* A large live set: deep freelists, hash rescales, long walks. */
static void vmem_stress_difftest_large(struct kunit *test)
{
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_stress") ^ 0xaaaa,
		.nops = 12000,
		.check_every = 64,
		.max_live = 2000,
		.flags = VMEM_DT_ALL,
		.quiet = vkt_quiet,
	};

	run_difftest(test, &p);
}

/*
 * Quantum caches in front of the arenas (random qcache_max): the model
 * still decides every failure, because the arena flushes its caches
 * before it fails.
 */
static void vmem_stress_difftest_qcache(struct kunit *test)
{
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_stress") ^ 0xcace,
		.nops = 10000,
		.check_every = 64,
		.flags = VMEM_DT_ALL | VMEM_DT_QCACHE,
		.quiet = vkt_quiet,
	};

	run_difftest(test, &p);
}

struct mt_ctx {
	const struct vmem_mt_shared	*sh;
	unsigned int			id;
	struct vmem_mt_result		res;
	char				err[256];
	int				ret;
};

static int mt_thread(void *arg)
{
	struct mt_ctx *ctx = arg;

	ctx->ret = vmem_mt_worker(ctx->sh, ctx->id, &ctx->res, ctx->err,
				  sizeof(ctx->err));
	return 0;
}

/*
 * One worker per online CPU (at least two), bound to it, all started
 * together on @vm, whose results must lie in [base, base + size).
 */
static void run_mt(struct kunit *test, struct vmem *vm, unsigned long base,
		   unsigned long size, unsigned long quantum,
		   unsigned int max_units, unsigned long nops)
{
	unsigned int n = max(num_online_cpus(), 2U), i, cpu = 0;
	struct vmem_mt_shared sh = {
		.vm = vm, .base = base, .size = size, .quantum = quantum,
		.seed = vkt_seed(test, "vmem_stress"), .nops = nops,
		.max_live = 64, .max_units = max_units, .check_every = 500,
		.progress = vkt_progress,
	};
	struct vkt_thread **t;
	struct mt_ctx *ctx;
	unsigned long nalloc = 0, nfail = 0;
	bool all_done = true;

	sh.bitmap = kunit_kzalloc(test, BITS_TO_LONGS(size / quantum) *
				  sizeof(long), GFP_KERNEL);
	ctx = kunit_kcalloc(test, n, sizeof(*ctx), GFP_KERNEL);
	t = kunit_kcalloc(test, n, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sh.bitmap);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, t);

	for (i = 0; i < n; i++) {
		ctx[i].sh = &sh;
		ctx[i].id = i;
		cpu = i ? cpumask_next(cpu, cpu_online_mask) :
			  cpumask_first(cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		t[i] = vkt_thread_start(test, mt_thread, &ctx[i], cpu,
					"vmem_mt");
	}
	for (i = 0; i < n; i++) {
		if (!vkt_thread_wait(t[i], 240 * MSEC_PER_SEC)) {
			KUNIT_FAIL(test, "worker %u did not finish", i);
			all_done = false;
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, ctx[i].ret, 0, "%s", ctx[i].err);
		nalloc += ctx[i].res.nalloc;
		nfail += ctx[i].res.nfail;
		vkt_thread_put(t[i]);
	}
	/* A worker still running uses sh, on this stack: do not return. */
	KUNIT_ASSERT_TRUE(test, all_done);
	kunit_info(test, "%u workers: %lu allocations, %lu failed for lack of room\n",
		   n, nalloc, nfail);
	KUNIT_EXPECT_GT(test, nalloc, nops / 4);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(sh.bitmap, size / quantum));
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, vm);
}

/* Room for about half of what the workers want at once. */
#define MT_QUANTA(n, units)	((n) * 64 * (units) / 2)

static void vmem_stress_mt(struct kunit *test)
{
	unsigned long size = MT_QUANTA(max(num_online_cpus(), 2U), 16) * K;
	struct vmem *vm = vkt_create(test, "mt", B, size, K, 0);

	run_mt(test, vm, B, size, K, 16, 20000);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, size });
}

/* The same through an importing arena: imports and releases race. */
static void vmem_stress_mt_import(struct kunit *test)
{
	unsigned long size = MT_QUANTA(max(num_online_cpus(), 2U), 16) * K;
	struct vmem *src = vkt_create(test, "mt_source", B, size, K, 0);
	struct vmem *vm = vkt_create_child(test, "mt_child", K, src, 0);

	run_mt(test, vm, B, size, K, 16, 20000);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	VKT_EXPECT_SIZES(test, src, 0, size);
	VKT_EXPECT_CHECK(test, src);
}

/* The same through an importing arena whose source has a larger quantum. */
static void vmem_stress_mt_import_coarse(struct kunit *test)
{
	unsigned long size = MT_QUANTA(max(num_online_cpus(), 2U), 16) * K;
	struct vmem *src = vkt_create(test, "mt_coarse", B, size, 4 * K, 0);
	struct vmem *vm = vkt_create_child(test, "mt_fine", K, src, 0);

	run_mt(test, vm, B, size, K, 16, 5000);
	VKT_EXPECT_SIZES(test, vm, 0, 0);
	VKT_EXPECT_SIZES(test, src, 0, size);
	VKT_EXPECT_CHECK(test, src);
}

/* A tight arena of 96 integers: failures and refills race with frees. */
static void vmem_stress_mt_tight(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "mt_tight", 0, 96, 1, 0);

	run_mt(test, vm, 0, 96, 1, 16, 5000);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { 0, 96 });
}

/* Single identifiers from an identifier space. */
static void vmem_stress_mt_idspace(struct kunit *test)
{
	unsigned long n = MT_QUANTA(max(num_online_cpus(), 2U), 1);
	struct vmem *ids = vmem_idspace_create("mt_ids", 1, 1 + n);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	vkt_defer_destroy(test, ids);
	run_mt(test, ids, 1, n, 1, 1, 20000);
}

static struct kunit_case vmem_stress_cases[] = {
	KUNIT_CASE_SLOW(vmem_stress_difftest),
	KUNIT_CASE_SLOW(vmem_stress_difftest_dense),
	KUNIT_CASE_SLOW(vmem_stress_difftest_nosleep),
	KUNIT_CASE_SLOW(vmem_stress_difftest_large),
	KUNIT_CASE_SLOW(vmem_stress_difftest_qcache),
	KUNIT_CASE_SLOW(vmem_stress_mt),
	KUNIT_CASE_SLOW(vmem_stress_mt_import),
	KUNIT_CASE_SLOW(vmem_stress_mt_import_coarse),
	KUNIT_CASE_SLOW(vmem_stress_mt_tight),
	KUNIT_CASE_SLOW(vmem_stress_mt_idspace),
	{}
};

static struct kunit_suite vmem_stress_suite = {
	.name = "vmem_stress",
	.test_cases = vmem_stress_cases,
};

kunit_test_suites(&vmem_stress_suite);
