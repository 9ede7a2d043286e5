// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-tests of the shim, suite vmem_shim: what the suites rely on the
 * shim to get right, which no kernel test could check because in the
 * kernel these are the kernel's own.
 *
 *  - KUnit: an EXPECT reports and goes on, an ASSERT reports and ends the
 *    case, a skip is reported as one, .init and .exit run around each
 *    case, deferred actions after .exit, newest first, even after an
 *    ASSERT, the failure text is lib/kunit/assert.c's, and the runner
 *    fails a case that WARNs or leaks (a private suite is run and its KTAP
 *    read back);
 *  - kernel threads bound to a CPU run there; SIGKILL reaches only a
 *    kernel thread that asked for it; IPIs and timers run in hard and soft
 *    interrupt context on the CPU asked;
 *  - per-CPU data with local locks, with more threads than CPUs;
 *  - module parameters, and the runner's seed reaching the suites.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/moduleparam.h>
#include <shim.h>

#include "vmem_kunit.h"

/* ---- KUnit: a private suite, run apart and read back ---- */

static bool st_after_expect, st_after_assert;
static long st_order[4];
static unsigned int st_norder;
static int st_value = 4;
static void *st_leaked;

static void st_action(void *arg)
{
	if (st_norder < ARRAY_SIZE(st_order))
		st_order[st_norder++] = (long)arg;
}

static void st_expect_goes_on(struct kunit *test)
{
	static const u8 x[2] = { 1, 2 }, y[2] = { 1, 3 };

	KUNIT_EXPECT_EQ(test, 1, 2);
	KUNIT_EXPECT_MEMEQ(test, x, y, sizeof(x));
	KUNIT_EXPECT_MEMNEQ(test, x, x, sizeof(x));
	st_after_expect = true;
}

static void st_assert_ends(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, st_action, (void *)1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, st_action, (void *)2), 0);
	KUNIT_ASSERT_EQ_MSG(test, st_value, 3, "three is %d", 3);
	st_after_assert = true;
}

static void st_skips(struct kunit *test)
{
	kunit_skip(test, "not here");
}

static void st_passes(struct kunit *test)
{
	char *p = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, "a", "a");
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, test->priv, (void *)st_passes);
	/* Removed: never runs.  Released: runs now, once. */
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, st_action, (void *)3), 0);
	kunit_remove_action(test, st_action, (void *)3);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, st_action, (void *)4), 0);
	kunit_release_action(test, st_action, (void *)4);
	kunit_release_action(test, st_action, (void *)4);
	kunit_kfree(test, p);
}

static void st_warns(struct kunit *test)
{
	WARN(1, "on purpose");
}

static void st_leaks(struct kunit *test)
{
	st_leaked = kmalloc(8, GFP_KERNEL);
}

static const struct { const char *name; int v; } st_params[] = {
	{ "one", 1 }, { "two", 2 }, { "three", 3 },
};

KUNIT_ARRAY_PARAM_DESC(st, st_params, name);

static void st_param(struct kunit *test)
{
	const typeof(st_params[0]) *p = test->param_value;

	KUNIT_EXPECT_NE(test, p->v, 2);
}

static struct kunit_case st_cases[] = {
	KUNIT_CASE(st_expect_goes_on),
	KUNIT_CASE(st_assert_ends),
	KUNIT_CASE(st_skips),
	KUNIT_CASE(st_passes),
	KUNIT_CASE(st_warns),
	KUNIT_CASE(st_leaks),
	KUNIT_CASE_PARAM(st_param, st_gen_params),
	{}
};

/* .init runs before each case, .exit after it and before its actions. */
static unsigned int st_ninit, st_nexit;

static int st_init(struct kunit *test)
{
	st_ninit++;
	test->priv = (void *)st_passes;
	return 0;
}

static void st_exit(struct kunit *test)
{
	st_nexit++;
	if (!strcmp(test->name, "st_assert_ends"))
		st_action((void *)5);
}

static struct kunit_suite st_suite = {
	.name = "vmem_shim_private",
	.init = st_init,
	.exit = st_exit,
	.test_cases = st_cases,
};

static void expect_ktap(struct kunit *test, const char *ktap, const char *text)
{
	KUNIT_EXPECT_TRUE_MSG(test, strstr(ktap, text),
			      "\"%s\" is not in the private suite's output", text);
}

static void vmem_shim_kunit(struct kunit *test)
{
	unsigned long counts[3], w = shim_nr_warnings;
	size_t len = 0;
	char *ktap = NULL;
	FILE *f = open_memstream(&ktap, &len);

	KUNIT_ASSERT_NOT_NULL(test, f);
	shim_kunit_run_apart(&st_suite, f, counts);
	fclose(f);
	kfree(st_leaked);
	shim_splats_expected(shim_nr_warnings - w, 0);
	KUNIT_EXPECT_EQ(test, shim_nr_warnings - w, 1UL);

	KUNIT_EXPECT_EQ(test, counts[0], 3UL);	/* passed */
	KUNIT_EXPECT_EQ(test, counts[1], 5UL);	/* failed */
	KUNIT_EXPECT_EQ(test, counts[2], 1UL);	/* skipped */
	KUNIT_EXPECT_TRUE_MSG(test, st_after_expect, "EXPECT ended the case");
	KUNIT_EXPECT_FALSE_MSG(test, st_after_assert, "ASSERT did not end the case");
	/* .exit, then the actions newest first; then st_passes' release */
	KUNIT_EXPECT_EQ(test, st_norder, 4U);
	KUNIT_EXPECT_EQ(test, st_order[0], 5L);
	KUNIT_EXPECT_EQ(test, st_order[1], 2L);
	KUNIT_EXPECT_EQ(test, st_order[2], 1L);
	KUNIT_EXPECT_EQ(test, st_order[3], 4L);
	KUNIT_EXPECT_EQ(test, st_ninit, 9U);	/* six cases, three params */
	KUNIT_EXPECT_EQ(test, st_nexit, 9U);

	expect_ktap(test, ktap, "    KTAP version 1\n    # Subtest: vmem_shim_private\n    1..7\n");
	expect_ktap(test, ktap, "    # st_expect_goes_on: EXPECTATION FAILED at " __FILE__ ":");
	expect_ktap(test, ktap, "\n    Expected 1 == 2, but\n");
	expect_ktap(test, ktap, "    Expected x == y, but\n        x ==\n         01 <02>\n        y ==\n         01 <03>\n");
	expect_ktap(test, ktap, "    Expected x != x, but\n        x ==\n         01  02 \n");
	expect_ktap(test, ktap, "    not ok 1 st_expect_goes_on\n");
	expect_ktap(test, ktap, "    # st_assert_ends: ASSERTION FAILED at " __FILE__ ":");
	expect_ktap(test, ktap, "\n    Expected st_value == 3, but\n        st_value == 4 (0x4)\n\nthree is 3\n");
	expect_ktap(test, ktap, "    not ok 2 st_assert_ends\n");
	expect_ktap(test, ktap, "    ok 3 st_skips # SKIP not here\n");
	expect_ktap(test, ktap, "    ok 4 st_passes\n");
	expect_ktap(test, ktap, "    # st_warns: 1 WARNING splats in the kernel log, 0 expected\n");
	expect_ktap(test, ktap, "    not ok 5 st_warns\n");
	expect_ktap(test, ktap, "    # st_leaks: memory leaked: 1 kmalloc, 0 slab, 0 per-CPU objects\n");
	expect_ktap(test, ktap, "    not ok 6 st_leaks\n");
	expect_ktap(test, ktap, "        KTAP version 1\n        # Subtest: st_param\n        ok 1 one\n");
	expect_ktap(test, ktap, "        not ok 2 two\n        ok 3 three\n    # st_param: pass:2 fail:1 skip:0 total:3\n    not ok 7 st_param\n");
	expect_ktap(test, ktap, "# vmem_shim_private: pass:1 fail:5 skip:1 total:7\n# Totals: pass:3 fail:5 skip:1 total:9\nnot ok 1 vmem_shim_private\n");
	if (test->status == KUNIT_FAILURE)
		kunit_info(test, "the private suite printed:\n%s", ktap);
	free(ktap);
}

/* ---- kernel threads, signals, interrupt contexts ---- */

static int record_cpu(void *arg)
{
	*(int *)arg = smp_processor_id();
	return 0;
}

struct spinner {
	bool		take_sigkill;
	bool		stop;
	bool		killed;
};

static int spin_until_killed(void *arg)
{
	struct spinner *s = arg;

	if (s->take_sigkill)
		kernel_sigaction(SIGKILL, SIG_DFL);
	while (!READ_ONCE(s->stop) && !fatal_signal_pending(current))
		msleep(2);
	s->killed = fatal_signal_pending(current);
	return 0;
}

static void vmem_shim_kthreads(struct kunit *test)
{
	struct spinner deaf = { }, hearing = { .take_sigkill = true };
	struct vkt_thread *t, *t2;
	int cpu = -1;

	t = vkt_thread_start(test, record_cpu, &cpu, 2, "shim_on_cpu2");
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 10000));
	vkt_thread_put(t);
	KUNIT_EXPECT_EQ(test, cpu, 2);

	t = vkt_thread_start(test, spin_until_killed, &deaf, -1, "shim_deaf");
	t2 = vkt_thread_start(test, spin_until_killed, &hearing, -1,
			      "shim_hearing");
	msleep(20);
	send_sig(SIGKILL, t->task, 1);
	send_sig(SIGKILL, t2->task, 1);
	KUNIT_EXPECT_TRUE_MSG(test, vkt_thread_wait(t2, 10000),
			      "SIGKILL did not reach a kernel thread that takes it");
	msleep(20);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&t->done),
			       "SIGKILL reached a kernel thread that ignores it");
	WRITE_ONCE(deaf.stop, true);
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 10000));
	KUNIT_EXPECT_TRUE(test, hearing.killed);
	KUNIT_EXPECT_FALSE(test, deaf.killed);
	vkt_thread_put(t);
	vkt_thread_put(t2);
}

struct seen {
	bool			hardirq;
	bool			softirq;
	bool			irqs_off;
	bool			atomic;
	int			cpu;
	struct timer_list	timer;
	struct completion	done;
};

static void see_context(struct seen *s)
{
	s->hardirq = in_hardirq();
	s->softirq = in_serving_softirq();
	s->irqs_off = irqs_disabled();
	s->atomic = in_atomic();
	s->cpu = smp_processor_id();
}

static void see_ipi(void *arg)
{
	see_context(arg);
}

static void see_timer(struct timer_list *timer)
{
	struct seen *s = container_of(timer, struct seen, timer);

	see_context(s);
	complete(&s->done);
}

static void vmem_shim_interrupts(struct kunit *test)
{
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(3, see_ipi, s, 1), 0);
	KUNIT_EXPECT_TRUE(test, s->hardirq && s->irqs_off && s->atomic);
	KUNIT_EXPECT_FALSE(test, s->softirq);
	KUNIT_EXPECT_EQ(test, s->cpu, 3);
	KUNIT_EXPECT_EQ(test, smp_call_function_single(nr_cpu_ids, see_ipi, s,
						       1), -ENXIO);

	memset(s, 0, sizeof(*s));
	init_completion(&s->done);
	timer_setup(&s->timer, see_timer, 0);
	KUNIT_EXPECT_EQ(test, mod_timer(&s->timer, jiffies + 1), 0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&s->done, 10 * HZ),
			0UL);
	timer_delete_sync(&s->timer);
	KUNIT_EXPECT_TRUE(test, s->softirq && s->atomic);
	KUNIT_EXPECT_FALSE(test, s->hardirq || s->irqs_off);
	KUNIT_EXPECT_EQ(test, s->cpu, smp_processor_id());
}

/* ---- per-CPU data and local locks ---- */

struct pcpu_counter {
	local_lock_t	lock;
	unsigned long	count;
};

struct pcpu_arg {
	pthread_t		tid;
	struct pcpu_counter	*pc;
	int			cpu;
};

static void *pcpu_fn(void *arg)
{
	struct pcpu_arg *p = arg;
	unsigned long flags;
	unsigned int i;

	shim_thread_init("pcpu", p->cpu);
	for (i = 0; i < 100000; i++) {
		local_lock_irqsave(&p->pc->lock, flags);
		this_cpu_inc(p->pc->count);
		local_unlock_irqrestore(&p->pc->lock, flags);
	}
	return NULL;
}

/* Six threads on four CPUs: two CPUs are shared, the local lock holds. */
static void vmem_shim_percpu(struct kunit *test)
{
	struct pcpu_counter *pc = alloc_percpu(struct pcpu_counter);
	struct pcpu_arg t[6];
	unsigned long sum = 0;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, pc);
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(pc, cpu)->lock);
	for (cpu = 0; cpu < 6; cpu++) {
		t[cpu] = (struct pcpu_arg){ .pc = pc, .cpu = cpu % nr_cpu_ids };
		KUNIT_ASSERT_EQ(test, pthread_create(&t[cpu].tid, NULL, pcpu_fn,
						     &t[cpu]), 0);
	}
	for (cpu = 0; cpu < 6; cpu++)
		pthread_join(t[cpu].tid, NULL);
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(pc, cpu)->count;
	KUNIT_EXPECT_EQ(test, sum, 600000UL);
	if (nr_cpu_ids == 4)
		KUNIT_EXPECT_EQ(test, per_cpu_ptr(pc, 0)->count, 200000UL);
	free_percpu(pc);
}

/* ---- module parameters and the seed ---- */

static unsigned long shim_selftest_param;
module_param(shim_selftest_param, ulong, 0444);

static void vmem_shim_params(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, shim_module_param_set("shim_selftest_param=42"),
			0);
	KUNIT_EXPECT_EQ(test, shim_selftest_param, 42UL);
	KUNIT_EXPECT_EQ(test, shim_module_param_set("shim_selftest_param=x"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, shim_module_param_set("shim_selftest_param"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, shim_module_param_set("no_such_param=1"),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, shim_selftest_param, 42UL);
	/* The runner's -s reaches the randomized suites. */
	KUNIT_EXPECT_EQ(test, vkt_seed(test, "vmem_shim"),
			(u64)shim_kunit_seed_value);
}

static struct kunit_case vmem_shim_cases[] = {
	KUNIT_CASE(vmem_shim_kunit),
	KUNIT_CASE(vmem_shim_kthreads),
	KUNIT_CASE(vmem_shim_interrupts),
	KUNIT_CASE(vmem_shim_percpu),
	KUNIT_CASE(vmem_shim_params),
	{}
};

static struct kunit_suite vmem_shim_suite = {
	.name = "vmem_shim",
	.test_cases = vmem_shim_cases,
};

kunit_test_suites(&vmem_shim_suite);
