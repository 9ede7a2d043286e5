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
 *                       rescale work included;
 *  vmem_user_qcache     the quantum caches with time, memory pressure and
 *                       CPU death at the moments a test chooses: the
 *                       update's timer held and fired, reclaim through
 *                       the registered shrinkers (with 6.1's API too),
 *                       CPUs taken down and back many times a second
 *                       under load; and the cached differential test at
 *                       a length the test kernel has no time for.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/delay.h>
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

/* An arena with quantum caches up to @qcache_max, of @quanta quanta of K. */
static struct vmem *qc_create(struct kunit *test, const char *name,
			      unsigned long quanta, unsigned long qcache_max)
{
	struct vmem *vm = vmem_create(name, B, quanta * K, K, NULL, NULL, NULL,
				      qcache_max, 0);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	return vm;
}

static struct vmem_qcache_stats qc_stats(struct kunit *test, struct vmem *vm,
					 unsigned int index)
{
	struct vmem_qcache_stats st;

	KUNIT_EXPECT_EQ(test, vmem_qcache_get_stats(vm, index, -1, &st), 0);
	return st;
}

static unsigned long qc_cached(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.mem_cached;
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
	expect_logged(test, "vmem_destroy(vmem_leaky): leaked 40960 bytes in 10 allocations");
	expect_logged(test, "vmem_destroy(vmem_leaky):   [0, +0x1000)");
	expect_logged(test, "vmem_destroy(vmem_leaky):   ...");
	expect_logged(test, "vmem_destroy(vmem_leaky_ids): leaked 3 IDs in 3 allocations");
	expect_logged(test, "vmem_destroy(imp): leaked 64 bytes in 1 allocations");
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
}

/*
 * A caching arena destroyed with its magazines full and three ranges
 * held: the leak report names the three, not what the caches held.
 */
static void vmem_user_qcache_leaks_logged(struct kunit *test)
{
	struct vmem *vm = qc_create(test, "vmem_qc_leaky", 256, 2 * K);
	unsigned long *a, m, i;

	m = qc_stats(test, vm, 1).magsize;
	a = kunit_kcalloc(test, 2 * m, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < 2 * m; i++)
		KUNIT_EXPECT_EQ(test, vmem_alloc(vm, 2 * K, VMEM_NOSLEEP, &a[i]),
				0);
	for (i = 0; i < 2 * m; i++)
		vmem_free(vm, a[i], 2 * K);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]), 0);
	KUNIT_EXPECT_GE(test, qc_cached(vm), 2 * m * K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 3 * K);
	vmem_destroy(vm);
	expect_logged(test, "vmem_destroy(vmem_qc_leaky): leaked 12288 bytes in 3 allocations");
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
	KUNIT_CASE(vmem_user_qcache_leaks_logged),
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

/*
 * vmem_xfree() of a range a quantum cache handed out is refused, with a
 * message that says to use vmem_free(), and the arena's first misuse
 * WARNs, once; vmem_free() then frees the range.  (vmem_qcache_mismatch
 * checks the refusal on a quiet arena.)
 */
static void vmem_user_qcache_xfree_warns(struct kunit *test)
{
	struct vmem *vm = qc_create(test, "qc_xfree", 64, K);
	unsigned long w = shim_nr_warnings, a;
	char msg[96];

	vkt_defer_destroy(test, vm);
	a = vkt_alloc(test, vm, K, VMEM_NOSLEEP);
	vmem_xfree(vm, a, K);
	vmem_xfree(vm, a, K);
	KUNIT_EXPECT_EQ(test, shim_nr_warnings - w, 1UL);
	snprintf(msg, sizeof(msg),
		 "vmem qc_xfree: bad free [%#lx, +0x1000): cached, free with vmem_free()",
		 a);
	expect_logged(test, msg);
	KUNIT_EXPECT_EQ(test, nbadfree(vm), 2UL);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), K);
	vmem_free(vm, a, K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, vm);
	shim_splats_expected(shim_nr_warnings - w, 0);
}

static struct kunit_case vmem_user_splat_cases[] = {
	KUNIT_CASE(vmem_user_badfree_warns_once),
	KUNIT_CASE(vmem_user_bad_import_warns),
	KUNIT_CASE(vmem_user_qcache_xfree_warns),
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
	expect_logged(test, "vmem_destroy(vmem_hash_cancel): leaked 100 bytes in 100 allocations");
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

/* ---- vmem_user_qcache: time, pressure and CPU death, chosen ---- */

/*
 * 4m ranges out and back: two full magazines on this CPU, two in the
 * depot; then 2m + 1 out again: the CPU's two and one of the depot's,
 * whose slot's empty magazine goes to the depot.  Left: one full and one
 * empty magazine in the depot.  Returns the ranges held.
 */
static unsigned long *qc_fill_depot(struct kunit *test, struct vmem *vm,
				    unsigned long *np)
{
	unsigned long m = qc_stats(test, vm, 0).magsize, i, nerr = 0;
	unsigned long *a = kunit_kcalloc(test, 4 * m, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	for (i = 0; i < 4 * m; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	for (i = 0; i < 4 * m; i++)
		vmem_free(vm, a[i], K);
	for (i = 0; i < 2 * m + 1; i++)
		nerr += !!vmem_alloc(vm, K, VMEM_NOSLEEP, &a[i]);
	KUNIT_EXPECT_EQ(test, nerr, 0UL);
	*np = 2 * m + 1;
	return a;
}

static void qc_free_all(struct vmem *vm, unsigned long *a, unsigned long n)
{
	while (n--)
		vmem_free(vm, a[n], K);
}

/*
 * The depot's update work, with its timer held: the depot's traffic arms
 * it; when its time comes, the first run only measures the working set
 * (nothing was taken during the interval, but it has not been a whole
 * interval yet) and arms it again; the next run, after a whole idle
 * interval, frees the idle magazines, full ones drained into the arena
 * first, and leaves it unarmed, the depot empty.  Destroying an arena
 * cancels its armed update.
 */
static void vmem_user_qcache_trim(struct kunit *test)
{
	struct vmem *vm = qc_create(test, "qc_trim", 512, K);
	struct vmem_qcache_stats st0, st1, st2;
	unsigned long *a, n;

	a = qc_fill_depot(test, vm, &n);
	st0 = qc_stats(test, vm, 0);
	KUNIT_EXPECT_EQ(test, st0.depot_full, 1UL);
	KUNIT_EXPECT_EQ(test, st0.depot_empty, 1UL);
	KUNIT_EXPECT_EQ_MSG(test, shim_delayed_work_armed(), 1UL,
			    "the depot's traffic did not arm the update");
	/* what is queued (a hash rescale, on 32-bit) but not the update */
	shim_run_work();
	KUNIT_EXPECT_EQ_MSG(test, qc_stats(test, vm, 0).nupdate, st0.nupdate,
			    "the update ran before its time");
	KUNIT_EXPECT_EQ(test, shim_fire_delayed_work(), 1U);
	KUNIT_EXPECT_GE(test, shim_run_work(), 1U);
	st1 = qc_stats(test, vm, 0);
	KUNIT_EXPECT_EQ_MSG(test, st1.depot_full, 1UL, "trimmed too early");
	KUNIT_EXPECT_EQ_MSG(test, st1.depot_empty, 1UL, "trimmed too early");
	KUNIT_EXPECT_EQ(test, st1.nupdate, st0.nupdate + 1);
	KUNIT_EXPECT_EQ_MSG(test, shim_delayed_work_armed(), 1UL,
			    "the update did not arm itself again");
	KUNIT_EXPECT_EQ(test, shim_fire_delayed_work(), 1U);
	KUNIT_EXPECT_GE(test, shim_run_work(), 1U);
	st2 = qc_stats(test, vm, 0);
	KUNIT_EXPECT_EQ(test, st2.nupdate, st0.nupdate + 2);
	KUNIT_EXPECT_EQ(test, st2.depot_full, 0UL);
	KUNIT_EXPECT_EQ(test, st2.depot_empty, 0UL);
	KUNIT_EXPECT_EQ(test, st2.depot_rounds, 0UL);
	KUNIT_EXPECT_EQ(test, st2.cpu_rounds, st0.cpu_rounds);
	KUNIT_EXPECT_EQ(test, qc_cached(vm), st0.cpu_rounds * K);
	KUNIT_EXPECT_EQ_MSG(test, shim_delayed_work_armed(), 0UL,
			    "an empty depot keeps the update armed");

	qc_free_all(vm, a, n);
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 1UL);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 512 * K });
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 0UL);
	KUNIT_EXPECT_EQ(test, shim_fire_delayed_work(), 0U);
	KUNIT_EXPECT_EQ(test, shim_run_work(), 0U);
}

/*
 * Memory pressure, as reclaim applies it, through the registered
 * shrinkers (shrinker_alloc(), or with SHIM_SHRINKER_REGISTER 6.1's
 * register_shrinker()): the depot's two magazines are freed, the CPU's
 * are not; nothing is left for the next call; and a destroyed arena's
 * shrinker is gone.
 */
static void vmem_user_qcache_shrink(struct kunit *test)
{
	struct vmem *vm = qc_create(test, "qc_shrink", 512, K);
	struct vmem_qcache_stats st0, st1;
	unsigned long *a, n;

	a = qc_fill_depot(test, vm, &n);
	st0 = qc_stats(test, vm, 0);
	KUNIT_EXPECT_EQ_MSG(test, shim_shrink(100), 2UL,
			    "the shrinker freed not the depot's 2 magazines");
	st1 = qc_stats(test, vm, 0);
	KUNIT_EXPECT_EQ(test, st1.depot_full, 0UL);
	KUNIT_EXPECT_EQ(test, st1.depot_empty, 0UL);
	KUNIT_EXPECT_EQ(test, st1.cpu_rounds, st0.cpu_rounds);
	KUNIT_EXPECT_EQ(test, qc_cached(vm), st0.cpu_rounds * K);
	KUNIT_EXPECT_EQ(test, shim_shrink(100), 0UL);
	qc_free_all(vm, a, n);
	vmem_qcache_flush(vm);
	KUNIT_EXPECT_GT(test, qc_stats(test, vm, 0).depot_empty, 0UL);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { B, 512 * K });
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
	KUNIT_EXPECT_EQ(test, shim_shrink(100), 0UL);
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 0UL);
}

struct qc_mt_param {
	const char	*name;
	bool		ids;		/* a tight identifier space */
};

static const struct qc_mt_param qc_mt_params[] = {
	{ "plain", false },
	{ "tight_ids", true },
};

KUNIT_ARRAY_PARAM_DESC(qc_mt, qc_mt_params, name);

struct qc_worker {
	const struct vmem_mt_shared	*sh;
	unsigned int			id;
	struct vmem_mt_result		res;
	char				err[256];
	int				ret;
};

static int qc_worker_fn(void *arg)
{
	struct qc_worker *w = arg;

	w->ret = vmem_mt_worker(w->sh, w->id, &w->res, w->err,
				sizeof(w->err));
	return 0;
}

struct qc_churn {
	struct vmem	*vm;
	bool		stop;
	unsigned long	rounds;
	unsigned long	cpu_downs;
	int		hotplug_err;
};

/*
 * Meanwhile: flush every cache, take a CPU down and bring it back (its
 * workers move away and back), apply memory pressure, let the update's
 * time come, and run the work queued, over and over.
 */
static int qc_churn_fn(void *arg)
{
	struct qc_churn *c = arg;
	unsigned int cpu = 0;
	int err;

	while (!READ_ONCE(c->stop)) {
		vmem_qcache_flush(c->vm);
		cpu = cpu % (nr_cpu_ids - 1) + 1;	/* never CPU 0 */
		err = remove_cpu(cpu);
		if (!err) {
			c->cpu_downs++;
			err = add_cpu(cpu);
		}
		if (err && !c->hotplug_err)
			c->hotplug_err = err;
		shim_shrink(1);
		shim_fire_delayed_work();
		shim_run_work();
		c->rounds++;
		usleep_range(200, 400);
	}
	return 0;
}

/*
 * The concurrent worker of kunit/vmem_model.c on a caching arena, six
 * threads on four CPUs (two pairs share a CPU's magazines), checked
 * against the bitmap, the constraints and vmem_check(), while another
 * thread flushes, takes CPUs down and back, shrinks and runs the update:
 * on a plain arena, and on a tight identifier space (96 IDs, caches up
 * to 16), where exhaustion and its flushes come all along.
 */
static void vmem_user_qcache_mt(struct kunit *test)
{
	const struct qc_mt_param *p = test->param_value;
	unsigned long base = p->ids ? 0 : B, q = p->ids ? 1 : K;
	unsigned long size = p->ids ? 96 : 1024 * K;
	unsigned int i, nthreads = 6;
	struct vmem_mt_shared sh = {
		.base = base, .size = size, .quantum = q,
		.seed = vkt_seed(test, "vmem_user_qcache") ^ (p->ids ? 0x9d : 0x9c),
		.nops = p->ids ? 5000 : 10000,
		.max_live = 48, .max_units = 16, .check_every = 97,
	};
	unsigned long nalloc = 0, nfree = 0;
	struct vkt_thread *t[6], *ct;
	struct qc_worker *w;
	struct qc_churn *c;
	bool all_done = true;
	struct vmem *vm;

	vm = vmem_create(p->ids ? "qc_mt_ids" : "qc_mt", base, size, q, NULL,
			 NULL, NULL, 16 * q, p->ids ? VMC_IDENTIFIER : 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	vkt_defer_destroy(test, vm);
	sh.vm = vm;
	sh.bitmap = kunit_kcalloc(test, BITS_TO_LONGS(size / q), sizeof(long),
				  GFP_KERNEL);
	w = kunit_kcalloc(test, nthreads, sizeof(*w), GFP_KERNEL);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sh.bitmap);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_GE(test, nr_cpu_ids, 2U);

	for (i = 0; i < nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
		t[i] = vkt_thread_start(test, qc_worker_fn, &w[i],
					i % nr_cpu_ids, "vmem_qc_mt");
	}
	/* after kthread_bind(): every CPU is online until it starts */
	c->vm = vm;
	ct = vkt_thread_start(test, qc_churn_fn, c, -1, "vmem_qc_churn");
	for (i = 0; i < nthreads; i++) {
		if (!vkt_thread_wait(t[i], 240 * MSEC_PER_SEC)) {
			KUNIT_FAIL(test, "worker %u did not finish", i);
			all_done = false;
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, w[i].ret, 0, "worker %u: %s", i,
				    w[i].err);
		nalloc += w[i].res.nalloc;
		nfree += w[i].res.nfree;
		vkt_thread_put(t[i]);
	}
	WRITE_ONCE(c->stop, true);
	if (!vkt_thread_wait(ct, 60 * MSEC_PER_SEC)) {
		KUNIT_FAIL(test, "the churn thread did not finish");
		all_done = false;
	} else {
		vkt_thread_put(ct);
	}
	/* A thread still running uses sh and c, on this stack: do not return. */
	KUNIT_ASSERT_TRUE(test, all_done);
	shim_run_work();
	kunit_info(test, "%u threads: %lu allocations; meanwhile %lu rounds of flush, hotplug, shrink and update, %lu CPUs down\n",
		   nthreads, nalloc, c->rounds, c->cpu_downs);
	KUNIT_EXPECT_EQ(test, c->hotplug_err, 0);
	KUNIT_EXPECT_GT(test, c->cpu_downs, 0UL);
	KUNIT_EXPECT_GT(test, nalloc, 0UL);
	KUNIT_EXPECT_EQ(test, nalloc, nfree);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(sh.bitmap, size / q));
	KUNIT_EXPECT_EQ(test, vmem_arena_size(vm, VMEM_ALLOC), 0UL);
	vmem_qcache_flush(vm);
	VKT_EXPECT_SEGS(test, vm, VMEM_FREE, { base, size });
	VKT_EXPECT_CHECK(test, vm);
}

struct qc_difftest_param {
	const char	*name;
	u64		salt;
	unsigned long	nops;
	unsigned int	max_live;	/* 0: the default */
};

static const struct qc_difftest_param qc_difftest_params[] = {
	{ "seed_a", 0xcace, 50000, 0 },
	{ "seed_b", 0xcacd, 50000, 0 },
	/* few live ranges: the caches hold much of the arena, often */
	{ "small_live_set", 0xcacf, 50000, 16 },
};

KUNIT_ARRAY_PARAM_DESC(qc_difftest, qc_difftest_params, name);

/*
 * The differential test with quantum caches in front of the arenas, every
 * check on, three runs of five times the length of
 * vmem_stress_difftest_qcache (cut for the test kernel's time), one with
 * a small live set; the caches must have served allocations.
 */
static void vmem_user_qcache_difftest(struct kunit *test)
{
	const struct qc_difftest_param *dp = test->param_value;
	struct vmem_difftest_stats st = { };
	struct vmem_difftest_params p = {
		.seed = vkt_seed(test, "vmem_user_qcache") ^ dp->salt,
		.nops = dp->nops,
		.check_every = 64,
		.max_live = dp->max_live,
		.flags = VMEM_DT_ALL | VMEM_DT_QCACHE,
		.quiet = vkt_quiet,
		.stats = &st,
	};
	char *err = kunit_kzalloc(test, 4096, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, err);
	ret = vmem_difftest_run(&p, err, 4096);
	kunit_info(test, "%lu ops, %lu arenas: %lu alloc (%lu by the caches), %lu xalloc, %lu failed as the model said, %lu free, %lu bad free, %lu check\n",
		   st.nops, st.narenas, st.nalloc, st.ncached, st.nxalloc,
		   st.nfail, st.nfree, st.nbadfree, st.ncheck);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s", err);
	KUNIT_EXPECT_EQ(test, st.nops, p.nops);
	KUNIT_EXPECT_GT(test, st.nalloc, p.nops / 20);
	KUNIT_EXPECT_GT(test, st.nfree, p.nops / 20);
	KUNIT_EXPECT_GT(test, st.ncheck, 0UL);
	KUNIT_EXPECT_GT_MSG(test, st.ncached, 0UL,
			    "the caches served none of %lu allocations",
			    st.nalloc);
}

static struct kunit_case vmem_user_qcache_cases[] = {
	KUNIT_CASE(vmem_user_qcache_trim),
	KUNIT_CASE(vmem_user_qcache_shrink),
	KUNIT_CASE_PARAM(vmem_user_qcache_mt, qc_mt_gen_params),
	KUNIT_CASE_PARAM(vmem_user_qcache_difftest, qc_difftest_gen_params),
	{}
};

static struct kunit_suite vmem_user_qcache_suite = {
	.name = "vmem_user_qcache",
	.suite_init = manual_wq_init,
	.suite_exit = manual_wq_exit,
	.test_cases = vmem_user_qcache_cases,
};

kunit_test_suites(&vmem_user_log_suite, &vmem_user_splat_suite,
		  &vmem_user_workqueue_suite, &vmem_user_failslab_suite,
		  &vmem_user_qcache_suite);
