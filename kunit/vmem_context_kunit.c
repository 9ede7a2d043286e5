// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_context: where vmem may be called from, and sleeping.
 *
 * NOSLEEP calls (allocations, constrained ones, imports and releases,
 * frees, adds, identifiers, checks, statistics) from a hard interrupt
 * (an IPI), from a softirq (a timer), and with interrupts disabled
 * under the caller's own spinlock; lockdep, in the test kernel, watches
 * the arena locks in all of them.  A VMEM_SLEEP allocation on an
 * exhausted arena waits until a free (or an added span) from another
 * thread makes room, and a fatal signal ends the wait with -EINTR.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/smp.h>
#include <linux/timer.h>

#include "vmem_kunit.h"

#define K	0x1000UL
#define B	0x100000UL

/* ---- atomic contexts ---- */

struct ctx_script {
	struct vmem	*vm;		/* [B, B + 64 K) */
	struct vmem	*child;		/* imports from vm */
	struct vmem	*ids;		/* [0, 64) */
	unsigned long	newspan;	/* added by the script */
	const char	*failed;	/* the first call that failed */
	int		err;
	unsigned int	ncalls;
	bool		hardirq;
	bool		softirq;
	bool		irqs_off;
};

static void script_note(struct ctx_script *s, int ret, const char *call)
{
	s->ncalls++;
	if (ret && !s->failed) {
		s->failed = call;
		s->err = ret;
	}
}

/* Count a call; remember the first that failed, by its text. */
#define SCRIPT_CALL(s, call)	script_note(s, (call), #call)

/* Every NOSLEEP call there is, with the arena state restored at the end. */
static void ctx_run(struct ctx_script *s)
{
	static const unsigned int policies[] = {
		0, VMEM_INSTANTFIT, VMEM_BESTFIT, VMEM_FIRSTFIT, VMEM_NEXTFIT,
		VMEM_TOPDOWN,
	};
	unsigned long a[6], x, c, id, idff, spec = 7;
	struct vmem_stats st;
	unsigned int i;

	s->hardirq = in_hardirq();
	s->softirq = in_serving_softirq();
	s->irqs_off = irqs_disabled();
	for (i = 0; i < ARRAY_SIZE(a); i++)
		SCRIPT_CALL(s, vmem_alloc(s->vm, (i % 3 + 1) * K,
					  VMEM_NOSLEEP | policies[i], &a[i]));
	SCRIPT_CALL(s, vmem_xalloc(s->vm, 2 * K, 4 * K, K, 4 * K, B, VMEM_ADDR_MAX,
				   VMEM_NOSLEEP | VMEM_BESTFIT, &x));
	/* The child imports from vm, in this context, and releases later. */
	SCRIPT_CALL(s, vmem_alloc(s->child, K, VMEM_NOSLEEP, &c));
	SCRIPT_CALL(s, vmem_add(s->vm, s->newspan, 4 * K, VMEM_NOSLEEP));
	SCRIPT_CALL(s, vmem_id_alloc(s->ids, VMEM_NOSLEEP, &id));
	SCRIPT_CALL(s, vmem_id_alloc_specific(s->ids, spec, VMEM_NOSLEEP));
	SCRIPT_CALL(s, vmem_id_allocff(s->ids, VMEM_NOSLEEP, &idff));
	SCRIPT_CALL(s, vmem_check(s->vm));
	SCRIPT_CALL(s, vmem_check(s->child));
	SCRIPT_CALL(s, vmem_contains(s->vm, B, K) ? 0 : -ENOENT);
	SCRIPT_CALL(s, vmem_arena_size(s->child, VMEM_ALLOC) == K ? 0 : -EIO);
	vmem_get_stats(s->vm, &st);
	SCRIPT_CALL(s, st.nalloc >= ARRAY_SIZE(a) + 2 ? 0 : -EIO);

	if (s->failed)
		return;		/* the test reports it; the arenas are freed */
	vmem_id_free(s->ids, idff);
	vmem_id_free(s->ids, spec);
	vmem_id_free(s->ids, id);
	vmem_free(s->child, c, K);
	vmem_xfree(s->vm, x, 2 * K);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		vmem_free(s->vm, a[i], (i % 3 + 1) * K);
	SCRIPT_CALL(s, vmem_check(s->vm));
}

static void ctx_setup(struct kunit *test, struct ctx_script *s)
{
	s->vm = vkt_create(test, "ctx", B, 64 * K, K, 0);
	s->child = vkt_create_child(test, "ctx_child", K, s->vm, 0);
	s->ids = vmem_idspace_create("ctx_ids", 0, 64);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s->ids);
	vkt_defer_destroy(test, s->ids);
	s->newspan = 2 * B;
}

static void ctx_expect(struct kunit *test, struct ctx_script *s)
{
	KUNIT_EXPECT_FALSE_MSG(test, s->failed, "%s returned %d", s->failed,
			       s->err);
	KUNIT_EXPECT_GT(test, s->ncalls, 10U);
	VKT_EXPECT_SIZES(test, s->vm, 0, 68 * K);
	VKT_EXPECT_SIZES(test, s->child, 0, 0);
	VKT_EXPECT_SIZES(test, s->ids, 0, 64);
	VKT_EXPECT_CHECK(test, s->vm);
	VKT_EXPECT_CHECK(test, s->child);
	VKT_EXPECT_CHECK(test, s->ids);
}

static void ipi_fn(void *info)
{
	ctx_run(info);
}

/*
 * Hard interrupt context: the script runs in the handler of an IPI (a
 * function call interrupt) on another CPU, which is the same context as
 * an hrtimer callback's and is called the same way on every kernel.
 */
static void vmem_context_hardirq(struct kunit *test)
{
	struct ctx_script *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int cpu, other;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, s);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU to interrupt");
	ctx_setup(test, s);
	/* Preemption off: the target must stay another CPU than ours. */
	cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, cpu);
	ret = smp_call_function_single(other, ipi_fn, s, 1);
	put_cpu();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, s->hardirq);
	KUNIT_EXPECT_TRUE(test, s->irqs_off);
	ctx_expect(test, s);
}

struct tl_ctx {
	struct timer_list	timer;
	struct completion	done;
	struct ctx_script	s;
};

static void tl_fn(struct timer_list *timer)
{
	struct tl_ctx *t = container_of(timer, struct tl_ctx, timer);

	ctx_run(&t->s);
	complete(&t->done);
}

static void vmem_context_softirq(struct kunit *test)
{
	struct tl_ctx *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	bool done;

	KUNIT_ASSERT_NOT_NULL(test, t);
	ctx_setup(test, &t->s);
	init_completion(&t->done);
	timer_setup(&t->timer, tl_fn, 0);
	mod_timer(&t->timer, jiffies + 1);
	done = wait_for_completion_timeout(&t->done, 10 * HZ);
	timer_delete_sync(&t->timer);
	KUNIT_ASSERT_TRUE(test, done);
	KUNIT_EXPECT_TRUE(test, t->s.softirq);
	ctx_expect(test, &t->s);
}

static DEFINE_SPINLOCK(caller_lock);

/* Interrupts off, inside a lock of the caller's: vmem nests under it. */
static void vmem_context_irqs_disabled(struct kunit *test)
{
	struct ctx_script *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ctx_setup(test, s);
	spin_lock_irqsave(&caller_lock, flags);
	ctx_run(s);
	spin_unlock_irqrestore(&caller_lock, flags);
	KUNIT_EXPECT_TRUE(test, s->irqs_off);
	ctx_expect(test, s);

	/* And with only preemption off. */
	memset(s, 0, sizeof(*s));
	ctx_setup(test, s);
	preempt_disable();
	ctx_run(s);
	preempt_enable();
	ctx_expect(test, s);
}

/* ---- sleeping ---- */

struct waiter {
	struct vmem	*vm;
	unsigned long	size;		/* 0: one quantum */
	unsigned long	addr;
	int		ret;
	bool		killable;
};

static int waiter_fn(void *arg)
{
	struct waiter *w = arg;

	/* Kernel threads ignore signals; this one takes SIGKILL as fatal. */
	if (w->killable)
		kernel_sigaction(SIGKILL, SIG_DFL);
	w->ret = vmem_alloc(w->vm, w->size ? w->size : K, VMEM_SLEEP,
			    &w->addr);
	return 0;
}

/* Wait until @n allocations of @vm have gone to sleep. */
static bool wait_for_sleepers(struct vmem *vm, u64 n)
{
	struct vmem_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		vmem_get_stats(vm, &st);
		if (st.nwait >= n)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * An arena of @nq quanta, all allocated, not destroyed at the end of the
 * case: a waiter that never woke up would still use it.  Destroyed by
 * put_full_arena() once every waiter is known to be done.
 */
static struct vmem *full_arena(struct kunit *test, unsigned int nq)
{
	struct vmem *vm = vmem_create("full", B, nq * K, K, NULL, NULL, NULL,
				      0, 0);
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm);
	for (i = 0; i < nq; i++)
		KUNIT_EXPECT_EQ(test, vkt_alloc(test, vm, K,
						VMEM_SLEEP | VMEM_FIRSTFIT),
				B + i * K);
	return vm;
}

static void vmem_context_sleep_woken_by_free(struct kunit *test)
{
	struct vmem *vm = full_arena(test, 4);
	struct waiter w = { .vm = vm };
	struct vkt_thread *t;
	struct vmem_stats st;

	t = vkt_thread_start(test, waiter_fn, &w, -1, "vmem_waiter");
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_sleepers(vm, 1),
			      "the allocation did not go to sleep");
	msleep(50);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&t->done),
			       "returned %d from an exhausted arena", w.ret);
	vmem_free(vm, B + 2 * K, K);
	KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
			      "a free did not wake the sleeping allocation");
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	KUNIT_EXPECT_EQ(test, w.addr, B + 2 * K);
	vkt_thread_put(t);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_GE(test, st.nwait, 1ULL);
	VKT_EXPECT_SIZES(test, vm, 4 * K, 0);
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
}

/* Two sleepers, two frees: both get a range, different ones. */
static void vmem_context_sleep_two_waiters(struct kunit *test)
{
	struct vmem *vm = full_arena(test, 4);
	struct waiter w1 = { .vm = vm }, w2 = { .vm = vm };
	struct vkt_thread *t1, *t2;
	bool done1, done2;

	t1 = vkt_thread_start(test, waiter_fn, &w1, -1, "vmem_waiter1");
	t2 = vkt_thread_start(test, waiter_fn, &w2, -1, "vmem_waiter2");
	KUNIT_ASSERT_TRUE(test, wait_for_sleepers(vm, 2));
	vmem_free(vm, B, K);
	vmem_free(vm, B + 3 * K, K);
	done1 = vkt_thread_wait(t1, 10000);
	done2 = vkt_thread_wait(t2, 10000);
	KUNIT_ASSERT_TRUE(test, done1 && done2);
	KUNIT_EXPECT_EQ(test, w1.ret, 0);
	KUNIT_EXPECT_EQ(test, w2.ret, 0);
	KUNIT_EXPECT_NE(test, w1.addr, w2.addr);
	KUNIT_EXPECT_TRUE(test, w1.addr == B || w1.addr == B + 3 * K);
	KUNIT_EXPECT_TRUE(test, w2.addr == B || w2.addr == B + 3 * K);
	vkt_thread_put(t1);
	vkt_thread_put(t2);
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
}

/* A span added to an exhausted arena wakes its sleepers too. */
static void vmem_context_sleep_woken_by_add(struct kunit *test)
{
	struct vmem *vm = full_arena(test, 2);
	struct waiter w = { .vm = vm };
	struct vkt_thread *t;

	t = vkt_thread_start(test, waiter_fn, &w, -1, "vmem_waiter");
	KUNIT_ASSERT_TRUE(test, wait_for_sleepers(vm, 1));
	KUNIT_EXPECT_EQ(test, vmem_add(vm, 2 * B, K, VMEM_SLEEP), 0);
	KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
			      "vmem_add() did not wake the sleeping allocation");
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	KUNIT_EXPECT_EQ(test, w.addr, 2 * B);
	vkt_thread_put(t);
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
}

/* A fatal signal ends the wait: -EINTR, and the arena is unchanged. */
static void vmem_context_sleep_fatal_signal(struct kunit *test)
{
	struct vmem *vm = full_arena(test, 2);
	struct waiter w = { .vm = vm, .killable = true };
	struct vkt_thread *t;
	struct vmem_stats st;
	bool done;

	t = vkt_thread_start(test, waiter_fn, &w, -1, "vmem_killed");
	KUNIT_ASSERT_TRUE(test, wait_for_sleepers(vm, 1));
	send_sig(SIGKILL, t->task, 1);
	done = vkt_thread_wait(t, 10000);
	if (!done) {
		/* Get it out of the wait before reporting, then clean up. */
		vmem_free(vm, B, K);
		done = vkt_thread_wait(t, 10000);
		KUNIT_FAIL(test, "SIGKILL did not end the wait");
	}
	KUNIT_ASSERT_TRUE(test, done);
	KUNIT_EXPECT_EQ(test, w.ret, -EINTR);
	vkt_thread_put(t);
	vmem_get_stats(vm, &st);
	KUNIT_EXPECT_EQ(test, st.nfail, 1ULL);
	VKT_EXPECT_SEGS(test, vm, VMEM_ALLOC, { B, K }, { B + K, K });
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
}

/* A free too small for the sleeper does not end its wait; a span does. */
static void vmem_context_sleep_small_free(struct kunit *test)
{
	struct vmem *vm = full_arena(test, 1);
	struct waiter w = { .vm = vm, .size = 2 * K };
	struct vkt_thread *t;

	t = vkt_thread_start(test, waiter_fn, &w, -1, "vmem_waiter");
	KUNIT_ASSERT_TRUE(test, wait_for_sleepers(vm, 1));
	vmem_free(vm, B, K);
	msleep(50);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&t->done),
			       "returned %d from an arena of one quantum",
			       w.ret);
	KUNIT_EXPECT_EQ(test, vmem_add(vm, 2 * B, 8 * K, VMEM_SLEEP), 0);
	KUNIT_ASSERT_TRUE_MSG(test, vkt_thread_wait(t, 10000),
			      "vmem_add() did not wake the sleeping allocation");
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	KUNIT_EXPECT_TRUE_MSG(test, w.addr >= 2 * B && w.addr <= 2 * B + 6 * K,
			      "got %#lx", w.addr);
	vkt_thread_put(t);
	vmem_free(vm, w.addr, 2 * K);
	VKT_EXPECT_SIZES(test, vm, 0, 9 * K);
	VKT_EXPECT_CHECK(test, vm);
	vmem_destroy(vm);
}

static struct kunit_case vmem_context_cases[] = {
	KUNIT_CASE(vmem_context_hardirq),
	KUNIT_CASE(vmem_context_softirq),
	KUNIT_CASE(vmem_context_irqs_disabled),
	KUNIT_CASE(vmem_context_sleep_woken_by_free),
	KUNIT_CASE(vmem_context_sleep_two_waiters),
	KUNIT_CASE(vmem_context_sleep_woken_by_add),
	KUNIT_CASE(vmem_context_sleep_fatal_signal),
	KUNIT_CASE(vmem_context_sleep_small_free),
	{}
};

static struct kunit_suite vmem_context_suite = {
	.name = "vmem_context",
	.test_cases = vmem_context_cases,
};

kunit_test_suites(&vmem_context_suite);
