// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fixtures for the test runner's self-test (scripts/selftest.sh).
 *
 * Each suite produces one kind of outcome the runner must judge: a clean
 * pass, a failed case, a KASAN report, a lockdep report, a sleep in
 * atomic context, a leak, an Oops, a hang.  The self-test boots the test
 * kernel once per suite, selecting it with kunit.filter_glob=SUITE on the
 * kernel command line, and checks the runner's verdict on the logs.
 *
 * This module misbehaves on purpose.  Load it only that way, in a VM:
 * loaded whole, it reads freed memory, leaks, oopses and then hangs.
 * The cases that rely on a detector skip themselves when the kernel lacks
 * it, so that a missing detector shows up as a skip, not as a pass.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

/* A real check of something the kernel must do, for the passing suite. */
static void runner_kmalloc_roundtrip(struct kunit *test)
{
	u8 *p = kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 64);
	KUNIT_EXPECT_GE(test, ksize(p), 64);
	KUNIT_EXPECT_EQ(test, p[63], 0xa5);
	kfree(p);
}

static void runner_fails(struct kunit *test)
{
	KUNIT_FAIL(test, "this case fails on purpose: the run must fail");
}

static void runner_use_after_free(struct kunit *test)
{
	char *p;

	if (!IS_ENABLED(CONFIG_KASAN))
		kunit_skip(test, "needs CONFIG_KASAN");
	p = kmalloc(16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	/* KASAN reports this read, and fails the case (KASAN_KUNIT_TEST). */
	KUNIT_EXPECT_EQ(test, READ_ONCE(p[0]), READ_ONCE(p[0]));
}

static DEFINE_SPINLOCK(runner_lock_a);
static DEFINE_SPINLOCK(runner_lock_b);

/* Both sections above released the lock: it can be taken again. */
static void runner_expect_unlocked(struct kunit *test, spinlock_t *lock)
{
	bool locked = spin_trylock(lock);

	KUNIT_EXPECT_TRUE(test, locked);
	if (locked)
		spin_unlock(lock);
}

static void runner_lock_inversion(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_PROVE_LOCKING))
		kunit_skip(test, "needs CONFIG_PROVE_LOCKING");
	/*
	 * A then B, later B then A: never a deadlock here, the two sections
	 * run one after the other, but lockdep reports the inversion.  The
	 * case itself passes: only the log shows the problem.
	 */
	spin_lock(&runner_lock_a);
	spin_lock(&runner_lock_b);
	spin_unlock(&runner_lock_b);
	spin_unlock(&runner_lock_a);
	spin_lock(&runner_lock_b);
	spin_lock(&runner_lock_a);
	spin_unlock(&runner_lock_a);
	spin_unlock(&runner_lock_b);
	runner_expect_unlocked(test, &runner_lock_a);
	runner_expect_unlocked(test, &runner_lock_b);
}

static void runner_sleep_in_atomic(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		kunit_skip(test, "needs CONFIG_DEBUG_ATOMIC_SLEEP");
	spin_lock(&runner_lock_a);
	/* Reports "sleeping function called from invalid context". */
	might_sleep();
	spin_unlock(&runner_lock_a);
	runner_expect_unlocked(test, &runner_lock_a);
}

static void runner_leak(struct kunit *test)
{
	unsigned int i;
	void *p;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "needs CONFIG_DEBUG_KMEMLEAK");
	/*
	 * Lost on return: the guest's kmemleak scan must report them.  Eight
	 * of them, because a stale copy of the last pointer can survive in
	 * a cached kernel stack and keep that one object referenced.
	 */
	for (i = 0; i < 8; i++) {
		p = kmalloc(128, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static void runner_oops(struct kunit *test)
{
	int *p = NULL;

	OPTIMIZER_HIDE_VAR(p);
	/* oops=panic: the VM ends here and the suite never finishes. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(*p), 0);
}

static void runner_hang(struct kunit *test)
{
	/*
	 * Never returns before KUnit's own case timeout (minutes), so the
	 * VM's hard timeout ends the run with the suite unfinished.
	 */
	while (!kthread_should_stop())
		msleep_interruptible(1000);
	KUNIT_FAIL(test, "stopped by the KUnit timeout");
}

#define RUNNER_SUITE(sname, ...)					\
	static struct kunit_case sname##_cases[] = {			\
		__VA_ARGS__,						\
		{}							\
	};								\
	static struct kunit_suite sname##_suite = {			\
		.name = #sname,						\
		.test_cases = sname##_cases,				\
	}

RUNNER_SUITE(vmem_runner_pass, KUNIT_CASE(runner_kmalloc_roundtrip));
RUNNER_SUITE(vmem_runner_fail, KUNIT_CASE(runner_kmalloc_roundtrip),
	     KUNIT_CASE(runner_fails));
RUNNER_SUITE(vmem_runner_kasan, KUNIT_CASE(runner_use_after_free));
RUNNER_SUITE(vmem_runner_lockdep, KUNIT_CASE(runner_lock_inversion));
RUNNER_SUITE(vmem_runner_sleep, KUNIT_CASE(runner_sleep_in_atomic));
RUNNER_SUITE(vmem_runner_leak, KUNIT_CASE(runner_leak));
RUNNER_SUITE(vmem_runner_oops, KUNIT_CASE(runner_kmalloc_roundtrip),
	     KUNIT_CASE(runner_oops));
RUNNER_SUITE(vmem_runner_hang, KUNIT_CASE(runner_hang));

kunit_test_suites(&vmem_runner_pass_suite, &vmem_runner_fail_suite,
		  &vmem_runner_kasan_suite, &vmem_runner_lockdep_suite,
		  &vmem_runner_sleep_suite, &vmem_runner_leak_suite,
		  &vmem_runner_oops_suite, &vmem_runner_hang_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem test runner fixtures: cases that fail, splat or hang on purpose");
