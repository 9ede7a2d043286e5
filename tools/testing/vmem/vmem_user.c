// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KUnit suites of vmem that only userspace can run.  They are written
 * in kunit/'s dialect and run with kunit/'s suites by the shim's runner
 * (build/vmem_kunit-*); each says why it cannot be a case of
 * vmem_kunit.ko:
 *
 *  vmem_user_log        what vmem logs (bad frees, leaks, the checker's
 *                       finding for each corruption): a KUnit case cannot
 *                       read the kernel log, the shim keeps it;
 *  vmem_user_splat      WARNs and "sleeping function called from invalid
 *                       context" caused on purpose: in the test kernel any
 *                       splat fails the run, the shim counts them;
 *  vmem_user_workqueue  the hash rescale held queued, or run at a chosen
 *                       moment inside its allocation: the kernel's
 *                       workqueue cannot be held, nor entered;
 *  vmem_user_failslab   fault injection into blocking allocations too
 *                       (failslab's ignore-gfp-wait off, a global debugfs
 *                       knob of the kernel), arena creation and the
 *                       rescale work included.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/irqflags.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <shim.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

/* An arena created here and destroyed by the case itself. */
static struct vmem *user_create(struct kunit *test, const char *name,
				unsigned long base, unsigned long size,
				unsigned long quantum)
{
	struct vmem *vm = vmem_create(name, base, size, quantum, NULL, NULL,
				      NULL, 0, 0);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	return vm;
}

static void expect_logged(struct kunit *test, const char *text)
{
	KUNIT_EXPECT_TRUE_MSG(test, shim_log_find(text),
			      "\"%s\" is not in the kernel log", text);
}

/* ---- vmem_user_log: what vmem logs ---- */

/* A rejected free is logged with the arena, the range and the reason. */
static void vmem_user_badfree_logged(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "badfree_quiet", B, 64 * K, K, 0);
	unsigned long a;

	vm->vm_flags |= VMC_QUIET_BADFREE;
	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP | VMEM_FIRSTFIT);
	KUNIT_ASSERT_EQ(test, a, B);
	vmem_free(vm, a, K);
	vmem_free(vm, 0x7000000, K);
	expect_logged(test, "vmem badfree_quiet: bad free [0x100000, +0x1000): wrong size, allocated with size 0x2000");
	expect_logged(test, "vmem badfree_quiet: bad free [0x7000000, +0x1000): not allocated");
	vmem_free(vm, a, 2 * K);
}

/*
 * vmem_destroy() of an arena with allocations left names them: the
 * first eight, then an ellipsis; in bytes, or IDs for an identifier
 * space; for an importing arena too.
 */
static void vmem_user_leaks_logged(struct kunit *test)
{
	struct vmem *vm = user_create(test, "vmem_leaky", 0, 64 * K, K);
	struct vmem *src = vkt_create(test, "leak_src", B, 16 * K, K, 0);
	struct vmem *ids = vmem_idspace_create("vmem_leaky_ids", 100, 200);
	struct vmem *imp;
	unsigned long addr, i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	imp = vmem_create("imp", 0, 0, 1, vmem_alloc, vmem_free, src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &addr), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, vmem_id_alloc(ids, VMEM_SLEEP, &addr), 0);
	KUNIT_EXPECT_EQ(test, vmem_xalloc(imp, 64, 128, 64, 0, 0,
					  VMEM_ADDR_MAX, VMEM_NOSLEEP, &addr),
			0);
	vmem_destroy(vm);
	vmem_idspace_destroy(ids);
	vmem_destroy(imp);
	expect_logged(test, "vmem_destroy(vmem_leaky): leaked 40960 bytes in 10 segments");
	expect_logged(test, "vmem_destroy(vmem_leaky):   [0, +0x1000)");
	expect_logged(test, "vmem_destroy(vmem_leaky):   ...");
	expect_logged(test, "vmem_destroy(vmem_leaky_ids): leaked 3 IDs in 3 segments");
	expect_logged(test, "vmem_destroy(imp): leaked 64 bytes in 1 segments");
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
}

/* The table is kunit/vmem_check_kunit.c's, whose size is known there. */
static const void *corruption_gen_params(const void *prev, char *desc)
{
	const struct vkt_corruption *c = vkt_corruptions;

	if (prev)
		c = (const struct vkt_corruption *)prev + 1;
	if (c == vkt_corruptions + vkt_ncorruptions)
		return NULL;
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
	return c;
}

/* Each corruption of vmem_check's suite is logged with its own finding. */
static void vmem_user_check_logged(struct kunit *test)
{
	const struct vkt_corruption *c = test->param_value;
	struct vmem *vm = vkt_corruptible(test);
	int ret;

	shim_log_clear();
	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, false), 0);
	ret = vmem_check(vm);
	KUNIT_ASSERT_EQ(test, vkt_corrupt(vm, c, true), 0);
	KUNIT_EXPECT_EQ(test, ret, -EUCLEAN);
	expect_logged(test, "vmem_check(corrupt): ");
	expect_logged(test, c->msg);
}

static struct kunit_case vmem_user_log_cases[] = {
	KUNIT_CASE(vmem_user_badfree_logged),
	KUNIT_CASE(vmem_user_leaks_logged),
	KUNIT_CASE_PARAM(vmem_user_check_logged, corruption_gen_params),
	{}
};

static struct kunit_suite vmem_user_log_suite = {
	.name = "vmem_user_log",
	.test_cases = vmem_user_log_cases,
};

/* ---- vmem_user_splat: splats on purpose ---- */

/* A bad free of @vm, whose arena must stay as it was. */
static void bad_free(struct kunit *test, struct vmem *vm, struct vmem *via,
		     unsigned long addr, unsigned long size, const char *what)
{
	struct vkt_seg before[16], after[16];
	struct vmem_stats st0, st1;
	unsigned int n0, n1, i;

	vmem_get_stats(vm, &st0);
	n0 = vkt_walk(vm, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE, before, 16);
	if (via == vm)
		vmem_free(vm, addr, size);
	else
		vmem_xfree(vm, addr, size);
	vmem_get_stats(vm, &st1);
	n1 = vkt_walk(vm, VMEM_SPAN | VMEM_ALLOC | VMEM_FREE, after, 16);
	KUNIT_EXPECT_EQ_MSG(test, st1.nbadfree, st0.nbadfree + 1,
			    "%s: not counted", what);
	KUNIT_EXPECT_EQ_MSG(test, n1, n0, "%s: the arena changed", what);
	for (i = 0; i < min(n0, n1); i++) {
		KUNIT_EXPECT_EQ_MSG(test, after[i].start, before[i].start,
				    "%s: the arena changed", what);
		KUNIT_EXPECT_EQ_MSG(test, after[i].size, before[i].size,
				    "%s: the arena changed", what);
	}
	VKT_EXPECT_CHECK(test, vm);
}

/* Eight bad frees of @vm, one with a range of @other. */
static void bad_frees(struct kunit *test, struct vmem *vm, struct vmem *other)
{
	unsigned long a, b, x;

	a = vkt_alloc(test, vm, 2 * K, VMEM_NOSLEEP);
	b = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	x = vkt_alloc(test, other, K, VMEM_NOSLEEP);
	bad_free(test, vm, vm, a + K, K, "inside an allocation");
	bad_free(test, vm, vm, a, K, "short size");
	bad_free(test, vm, vm, a, 3 * K, "long size");
	bad_free(test, vm, vm, a, 0, "size 0");
	bad_free(test, vm, vm, a, ~0UL, "size ULONG_MAX");
	bad_free(test, vm, vm, 0x7000000, K, "never allocated");
	bad_free(test, vm, other, x, K, "another arena's range");
	vmem_free(vm, b, K);
	bad_free(test, vm, vm, b, K, "double free");
	vmem_free(vm, a, 2 * K);
	vmem_free(other, x, K);
}

static unsigned long nbadfree(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.nbadfree;
}

/*
 * Without VMC_QUIET_BADFREE an arena's first misuse is a WARN naming the
 * arena, the range and the size it was allocated with; the rest are only
 * logged and counted.  One WARN per arena.
 */
static void vmem_user_badfree_warns_once(struct kunit *test)
{
	struct vmem *a = vkt_create(test, "badfree_warn_a", B, 64 * K, K, 0);
	struct vmem *b = vkt_create(test, "badfree_warn_b", 0x800000, 64 * K,
				    K, 0);
	unsigned long w = shim_nr_warnings, x;

	bad_frees(test, a, b);
	KUNIT_EXPECT_EQ_MSG(test, shim_nr_warnings - w, 1UL,
			    "WARNs for the bad frees of one arena");
	expect_logged(test, "WARNING:");
	expect_logged(test, "vmem badfree_warn_a: bad free");
	/* b's first bad free, a wrong size: the other WARN */
	x = vkt_alloc(test, b, 2 * K, VMEM_NOSLEEP);
	bad_free(test, b, b, x, K, "short size");
	vmem_free(b, x, 2 * K);
	expect_logged(test, "vmem badfree_warn_b: bad free");
	expect_logged(test, "allocated with size 0x2000");
	bad_frees(test, b, a);
	KUNIT_EXPECT_EQ_MSG(test, shim_nr_warnings - w, 2UL,
			    "WARNs for the bad frees of two arenas");
	KUNIT_EXPECT_EQ(test, nbadfree(a), 8UL);
	KUNIT_EXPECT_EQ(test, nbadfree(b), 9UL);
	shim_splats_expected(shim_nr_warnings - w, 0);
}

static unsigned long skewed_released;

/* Hands out ranges half a quantum off. */
static int skewed_import(struct vmem *src, unsigned long size,
			 unsigned int vmflags, unsigned long *addrp)
{
	int ret = vmem_alloc(src, size, vmflags, addrp);

	if (!ret)
		*addrp += K / 2;
	return ret;
}

static void skewed_release(struct vmem *src, unsigned long addr,
			   unsigned long size)
{
	skewed_released++;
	vmem_free(src, addr - K / 2, size);
}

/* Hands out a range inside the importer's own span. */
static int overlapping_import(struct vmem *src, unsigned long size,
			      unsigned int vmflags, unsigned long *addrp)
{
	*addrp = K;
	return 0;
}

static void overlapping_release(struct vmem *src, unsigned long addr,
				unsigned long size)
{
	skewed_released++;
}

/* An import function that returns a bad range: refused with a WARN. */
static void vmem_user_bad_import_warns(struct kunit *test)
{
	struct vmem *src = vkt_create(test, "skew_src", B, 64 * K, K, 0);
	unsigned long w = shim_nr_warnings, a;
	struct vmem *skew, *overlap;

	skewed_released = 0;
	skew = vmem_create("skewed", 0, 0, K, skewed_import, skewed_release,
			   src, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, skew);
	vkt_defer_destroy(test, skew);
	overlap = vmem_create("overlapping", 0, 0x10000, K, overlapping_import,
			      overlapping_release, NULL, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, overlap);
	vkt_defer_destroy(test, overlap);
	KUNIT_EXPECT_EQ(test, vmem_alloc(skew, 8 * K, VMEM_NOSLEEP, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_alloc(overlap, 0x20000, VMEM_NOSLEEP, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, skewed_released, 2UL);
	KUNIT_EXPECT_EQ(test, shim_nr_warnings - w, 2UL);
	expect_logged(test, "vmem skewed: ");
	expect_logged(test, "vmem overlapping: ");
	VKT_EXPECT_SIZES(test, src, 0, 64 * K);
	shim_splats_expected(shim_nr_warnings - w, 0);
}

/*
 * The negative control of vmem_context: a VMEM_SLEEP call with
 * interrupts off is reported, or the suites' silence proves nothing.
 */
static void vmem_user_sleep_in_atomic_reported(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "atomic_bad", 0, 64 * K, K, 0);
	unsigned long bugs = shim_nr_bugs, flags, addr;
	int ret;

	local_irq_save(flags);
	ret = vmem_alloc(vm, K, VMEM_SLEEP, &addr);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, ret, 0);
	/*
	 * might_sleep() in vmem_alloc() itself, maybe again in its slow
	 * path, and the GFP_KERNEL refill of boundary tags
	 */
	KUNIT_EXPECT_GE_MSG(test, shim_nr_bugs - bugs, 1UL,
			    "a sleeping call with interrupts off went unseen");
	KUNIT_EXPECT_LE(test, shim_nr_bugs - bugs, 2UL + VMEM_TAGS_PER_OP);
	expect_logged(test, "BUG: sleeping function called from invalid context");
	shim_splats_expected(0, shim_nr_bugs - bugs);
	if (!ret)
		vmem_free(vm, addr, K);
}

static struct kunit_case vmem_user_splat_cases[] = {
	KUNIT_CASE(vmem_user_badfree_warns_once),
	KUNIT_CASE(vmem_user_bad_import_warns),
	KUNIT_CASE(vmem_user_sleep_in_atomic_reported),
	{}
};

static struct kunit_suite vmem_user_splat_suite = {
	.name = "vmem_user_splat",
	.test_cases = vmem_user_splat_cases,
};

/* ---- vmem_user_workqueue: the rescale work, held ---- */

/* Work items wait until a case runs them: shim_run_work(). */
static int manual_wq_init(struct kunit_suite *suite)
{
	shim_wq_set_mode(SHIM_WQ_MANUAL);
	return 0;
}

static void manual_wq_exit(struct kunit_suite *suite)
{
	shim_wq_set_mode(SHIM_WQ_THREAD);
}

static unsigned long hash_buckets(struct vmem *vm, u64 *rescales)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	if (rescales)
		*rescales = st.hash_rescales;
	return st.hash_buckets;
}

/* A rescale still queued when the arena goes away is cancelled. */
static void vmem_user_rescale_cancelled(struct kunit *test)
{
	struct vmem *vm = user_create(test, "vmem_hash_cancel", 0, 4096, 1);
	unsigned long i, addr;

	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 1, VMEM_NOSLEEP, &addr), 0);
	KUNIT_EXPECT_EQ(test, shim_work_pending(), 1UL);
	vmem_destroy(vm);	/* leaks the 100 IDs on purpose */
	KUNIT_EXPECT_EQ(test, shim_work_pending(), 0UL);
	expect_logged(test, "vmem_destroy(vmem_hash_cancel): leaked 100 bytes in 100 segments");
}

/* A queued rescale that finds the load back in range changes nothing. */
static void vmem_user_rescale_moot(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vmem_hash_moot", 0, 4096, 1, 0);
	unsigned long a[70], i;
	u64 rescales;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = vkt_alloc(test, vm, 1, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ_MSG(test, shim_work_pending(), 1UL,
			    "no rescale queued at 70 for 16 buckets");
	for (i = 0; i < 60; i++)
		vmem_free(vm, a[i], 1);
	shim_run_work();
	KUNIT_EXPECT_EQ(test, hash_buckets(vm, &rescales),
			1UL << VMEM_HASH_MIN_SHIFT);
	KUNIT_EXPECT_EQ(test, rescales, 0ULL);
	for (; i < ARRAY_SIZE(a); i++)
		vmem_free(vm, a[i], 1);
	VKT_EXPECT_CHECK(test, vm);
}

struct moving_load {
	struct vmem	*vm;
	unsigned long	a[70];
};

static void free_most(void *arg)
{
	struct moving_load *m = arg;
	unsigned int i;

	for (i = 1; i < ARRAY_SIZE(m->a); i++)
		vmem_free(m->vm, m->a[i], 1);
}

/*
 * The load moves while the rescale allocates its table: 70 allocations
 * ask for 64 buckets, and all but one go while the table is allocated.
 * The table put in place is then far too large for the load, and the
 * frees, made while the limits were open, queued nothing: the rescale
 * must queue the next one itself.
 */
static void vmem_user_rescale_load_moved(struct kunit *test)
{
	struct vmem *vm = vkt_create(test, "vmem_hash_moved", 0, 4096, 1, 0);
	struct moving_load *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned long i;
	u64 rescales;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->vm = vm;
	for (i = 0; i < ARRAY_SIZE(m->a); i++)
		m->a[i] = vkt_alloc(test, vm, 1, VMEM_NOSLEEP);
	KUNIT_EXPECT_EQ(test, shim_work_pending(), 1UL);
	shim_alloc_hook_set(free_most, m);
	shim_run_work();
	shim_alloc_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ_MSG(test, hash_buckets(vm, &rescales),
			    1UL << VMEM_HASH_MIN_SHIFT,
			    "a table for 70 left in place for 1");
	KUNIT_EXPECT_EQ(test, rescales, 2ULL);
	VKT_EXPECT_CHECK(test, vm);
	vmem_free(vm, m->a[0], 1);
}

static struct kunit_case vmem_user_workqueue_cases[] = {
	KUNIT_CASE(vmem_user_rescale_cancelled),
	KUNIT_CASE(vmem_user_rescale_moot),
	KUNIT_CASE(vmem_user_rescale_load_moved),
	{}
};

static struct kunit_suite vmem_user_workqueue_suite = {
	.name = "vmem_user_workqueue",
	.suite_init = manual_wq_init,
	.suite_exit = manual_wq_exit,
	.test_cases = vmem_user_workqueue_cases,
};

/* ---- vmem_user_failslab: blocking allocations fail too ---- */

static void failslab_restore(void *arg)
{
	current->fail_nth = 0;
	shim_failslab_ignore_reclaim = true;
}

/*
 * For N = 1, 2, ...: the Nth allocation of a run fails, blocking ones
 * included (failslab with ignore-gfp-wait off): arena creation, VMEM_SLEEP
 * calls and the rescale work, run in this thread, fail in turn.  Each
 * failure is clean: -ENOMEM, a consistent arena, nothing leaked.
 */
static void vmem_user_failslab_blocking(struct kunit *test)
{
	unsigned long *addr, enomem = 0, created = 0, injected;
	const unsigned int nallocs = 300;
	unsigned int n, i;
	struct vmem *vm;
	int ret;

	addr = kunit_kcalloc(test, nallocs, sizeof(*addr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addr);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, failslab_restore,
							NULL), 0);
	shim_failslab_ignore_reclaim = false;
	for (n = 1; n < 2000; n++) {
		injected = shim_nr_injected;
		current->fail_nth = n;
		vm = vmem_create("fs_sleep", 0x1000, 1024 * 16, 16, NULL, NULL,
				 NULL, 0, 0);
		if (IS_ERR(vm)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(vm), -ENOMEM);
			enomem++;
			goto next;
		}
		created++;
		for (i = 0; i < nallocs; i++) {
			ret = vmem_alloc(vm, 16 * (1 + i % 2), VMEM_SLEEP,
					 &addr[i]);
			KUNIT_EXPECT_TRUE_MSG(test, !ret || ret == -ENOMEM,
					      "fail_nth %u: %d", n, ret);
			if (ret) {
				enomem++;
				addr[i] = ~0UL;
			}
			if (i % 64 == 63)
				shim_run_work();	/* the rescale may fail */
		}
		KUNIT_EXPECT_EQ_MSG(test, vmem_check(vm), 0, "fail_nth %u", n);
		for (i = 0; i < nallocs; i++)
			if (addr[i] != ~0UL)
				vmem_free(vm, addr[i], 16 * (1 + i % 2));
		shim_run_work();
		KUNIT_EXPECT_EQ_MSG(test, vmem_check(vm), 0, "fail_nth %u", n);
		KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL);
		vmem_destroy(vm);
next:
		current->fail_nth = 0;
		if (shim_nr_injected == injected)
			break;
	}
	kunit_info(test, "%u runs, %lu arenas, %lu -ENOMEM\n", n, created,
		   enomem);
	KUNIT_EXPECT_GT(test, n, 3U);
	KUNIT_EXPECT_LT(test, n, 2000U);
	KUNIT_EXPECT_GT(test, enomem, 0UL);
}

static struct kunit_case vmem_user_failslab_cases[] = {
	KUNIT_CASE(vmem_user_failslab_blocking),
	{}
};

static struct kunit_suite vmem_user_failslab_suite = {
	.name = "vmem_user_failslab",
	.suite_init = manual_wq_init,
	.suite_exit = manual_wq_exit,
	.test_cases = vmem_user_failslab_cases,
};

kunit_test_suites(&vmem_user_log_suite, &vmem_user_splat_suite,
		  &vmem_user_workqueue_suite, &vmem_user_failslab_suite);
