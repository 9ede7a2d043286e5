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
 *  - CPU hotplug: a CPU goes down once its threads have moved, then the
 *    hotplug states' teardown runs; migrate_disable() is not atomic;
 *  - delayed work armed, fired, flushed and cancelled; hrtimers in hard
 *    and soft interrupt context on their CPU; waiters queue on a
 *    spinlock as on a qspinlock; shim_shrink() reaches the shrinkers;
 *  - module parameters, and the runner's seed reaching the suites.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/shrinker.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
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

/* ---- CPU hotplug, migration ---- */

struct hopper {
	int		cpu;		/* where it last ran, written as it runs */
	bool		stop;
	bool		left_home;	/* seen off its CPU */
	bool		back_home;	/* seen on it again after that */
	bool		sleep;		/* sleep rather than spin */
	struct completion wake;
};

/* Run, with migration points, until told to stop; note where. */
static int hop(void *arg)
{
	struct hopper *h = arg;
	int home = smp_processor_id();
	unsigned long flags;

	WRITE_ONCE(h->cpu, home);
	while (!READ_ONCE(h->stop)) {
		if (h->sleep) {
			wait_for_completion(&h->wake);
		} else {
			local_irq_save(flags);	/* a migration point after it */
			local_irq_restore(flags);
		}
		WRITE_ONCE(h->cpu, smp_processor_id());
		if (smp_processor_id() != home)
			WRITE_ONCE(h->left_home, true);
		else if (READ_ONCE(h->left_home))
			WRITE_ONCE(h->back_home, true);
		if (!h->sleep)
			udelay(10);
	}
	return 0;
}

static unsigned int st_dead_calls, st_dead_threads;
static int st_dead_cpu = -1;

/* The teardown of a test hotplug state: which CPU, who still ran there. */
static int st_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	st_dead_calls++;
	st_dead_cpu = cpu;
	st_dead_threads = shim_cpu_threads(cpu);
	return 0;
}

static bool wait_until(bool *flag)
{
	unsigned int i;

	for (i = 0; i < 10000 && !READ_ONCE(*flag); i++)
		msleep(1);
	return READ_ONCE(*flag);
}

/*
 * A CPU goes down with a thread running on it and another asleep there:
 * the running one moves at a migration point before the teardown
 * callbacks run, the sleeping one wakes up elsewhere; both go back when
 * the CPU comes back.  CPU 0 stays; the online mask follows.
 */
static void vmem_shim_hotplug(struct kunit *test)
{
	struct hopper *h = kunit_kzalloc(test, 2 * sizeof(*h), GFP_KERNEL);
	struct hlist_node node;
	struct vkt_thread *t[2];
	int state, cpu, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_GE(test, nr_cpu_ids, 4U);
	state = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "shim:dead",
					NULL, st_cpu_dead);
	KUNIT_ASSERT_GT(test, state, 0);
	INIT_HLIST_NODE(&node);
	KUNIT_ASSERT_EQ(test, cpuhp_state_add_instance_nocalls(state, &node), 0);
	st_dead_calls = 0;
	h[0].cpu = -1;
	h[1].cpu = -1;
	h[1].sleep = true;
	init_completion(&h[1].wake);
	t[0] = vkt_thread_start(test, hop, &h[0], 3, "shim_hop");
	t[1] = vkt_thread_start(test, hop, &h[1], 3, "shim_sleeper");
	while (READ_ONCE(h[0].cpu) != 3 || READ_ONCE(h[1].cpu) != 3)
		msleep(1);

	KUNIT_EXPECT_EQ(test, remove_cpu(0), -EPERM);
	KUNIT_EXPECT_EQ(test, remove_cpu(nr_cpu_ids), -ENODEV);
	KUNIT_EXPECT_EQ(test, remove_cpu(3), 0);
	KUNIT_EXPECT_EQ(test, st_dead_calls, 1U);
	KUNIT_EXPECT_EQ(test, st_dead_cpu, 3);
	KUNIT_EXPECT_EQ(test, st_dead_threads, 0U);
	KUNIT_EXPECT_TRUE_MSG(test, wait_until(&h[0].left_home),
			      "the thread did not leave the offline CPU");
	KUNIT_EXPECT_FALSE(test, cpu_online(3));
	KUNIT_EXPECT_TRUE(test, cpu_possible(3));
	KUNIT_EXPECT_EQ(test, num_online_cpus(), nr_cpu_ids - 1);
	KUNIT_EXPECT_EQ(test, cpumask_last(cpu_online_mask), 2U);
	for_each_online_cpu(cpu)
		n++;
	KUNIT_EXPECT_EQ(test, n, (int)nr_cpu_ids - 1);
	KUNIT_EXPECT_EQ(test, remove_cpu(3), 1);
	complete(&h[1].wake);
	KUNIT_EXPECT_TRUE_MSG(test, wait_until(&h[1].left_home),
			      "the sleeper woke up on the offline CPU");
	KUNIT_EXPECT_EQ(test, add_cpu(3), 0);
	KUNIT_EXPECT_EQ(test, add_cpu(3), 1);
	KUNIT_EXPECT_TRUE_MSG(test, wait_until(&h[0].back_home),
			      "the thread did not go back to its CPU");
	complete(&h[1].wake);
	KUNIT_EXPECT_TRUE_MSG(test, wait_until(&h[1].back_home),
			      "the sleeper did not go back to its CPU");
	KUNIT_EXPECT_EQ(test, st_dead_calls, 1U);

	WRITE_ONCE(h[0].stop, true);
	WRITE_ONCE(h[1].stop, true);
	complete(&h[1].wake);
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t[0], 10000));
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t[1], 10000));
	vkt_thread_put(t[0]);
	vkt_thread_put(t[1]);
	cpuhp_state_remove_instance_nocalls(state, &node);
	cpuhp_remove_multi_state(state);
}

/* migrate_disable() keeps the CPU, and the thread may sleep. */
static void vmem_shim_migrate_disable(struct kunit *test)
{
	unsigned long bugs = shim_nr_bugs;
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_FALSE(test, in_atomic());
	might_sleep();
	msleep(1);
	KUNIT_EXPECT_EQ(test, smp_processor_id(), cpu);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, shim_nr_bugs, bugs);
}

/* ---- delayed work, hrtimers, queued spinlocks, shrinkers ---- */

struct dwork_test {
	struct delayed_work	dwork;
	atomic_t		runs;
	unsigned int		rearm;		/* times to arm itself again */
	struct completion	ran;
};

static void dwork_fn(struct work_struct *work)
{
	struct dwork_test *d = container_of(to_delayed_work(work),
					    struct dwork_test, dwork);

	atomic_inc(&d->runs);
	if (d->rearm) {
		d->rearm--;
		schedule_delayed_work(&d->dwork, 100 * HZ);
	}
	complete(&d->ran);
}

/*
 * With the worker thread (the runner's mode): a short delay runs on
 * time; a long one stays armed until fired, flushed or cancelled; an
 * item that arms itself as it runs is flushed once, and cancelled for
 * good.
 */
static void vmem_shim_delayed_work(struct kunit *test)
{
	struct dwork_test *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	INIT_DELAYED_WORK(&d->dwork, dwork_fn);
	init_completion(&d->ran);
	KUNIT_EXPECT_TRUE(test, schedule_delayed_work(&d->dwork, 10));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&d->dwork));
	KUNIT_EXPECT_FALSE(test, schedule_delayed_work(&d->dwork, 10));
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d->ran, 10 * HZ),
			0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->runs), 1);

	/* long delays: armed until something acts on them */
	KUNIT_EXPECT_TRUE(test, schedule_delayed_work(&d->dwork, 100 * HZ));
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 1UL);
	KUNIT_EXPECT_TRUE(test, mod_delayed_work(system_wq, &d->dwork,
						 200 * HZ));
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 1UL);
	KUNIT_EXPECT_TRUE(test, flush_delayed_work(&d->dwork));
	KUNIT_EXPECT_EQ(test, atomic_read(&d->runs), 2);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&d->dwork));
	KUNIT_EXPECT_TRUE(test, schedule_delayed_work(&d->dwork, 100 * HZ));
	reinit_completion(&d->ran);
	KUNIT_EXPECT_EQ(test, shim_fire_delayed_work(), 1U);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d->ran, 10 * HZ),
			0UL);
	flush_work(&d->dwork.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->runs), 3);
	KUNIT_EXPECT_TRUE(test, schedule_delayed_work(&d->dwork, 100 * HZ));
	KUNIT_EXPECT_TRUE(test, cancel_delayed_work_sync(&d->dwork));
	KUNIT_EXPECT_EQ(test, shim_delayed_work_armed(), 0UL);

	/* arms itself as it runs: flushed once, then cancelled for good */
	reinit_completion(&d->ran);
	d->rearm = 1;
	atomic_set(&d->runs, 0);
	KUNIT_EXPECT_FALSE(test, mod_delayed_work(system_wq, &d->dwork, 0));
	flush_work(&d->dwork.work);	/* true only if it had not run yet */
	KUNIT_EXPECT_EQ(test, atomic_read(&d->runs), 1);
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&d->dwork));
	KUNIT_EXPECT_TRUE(test, cancel_delayed_work_sync(&d->dwork));
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&d->dwork));
	KUNIT_EXPECT_EQ(test, atomic_read(&d->runs), 1);
}

struct hr_test {
	struct hrtimer		timer;
	struct seen		first;
	atomic_t		fired;
	int			restarts;
	struct completion	done;
	enum hrtimer_mode	mode;
};

static enum hrtimer_restart hr_fn(struct hrtimer *timer)
{
	struct hr_test *h = container_of(timer, struct hr_test, timer);

	if (atomic_inc_return(&h->fired) == 1)
		see_context(&h->first);
	if (atomic_read(&h->fired) <= h->restarts) {
		hrtimer_forward_now(timer, ns_to_ktime(100 * NSEC_PER_USEC));
		return HRTIMER_RESTART;
	}
	complete(&h->done);
	return HRTIMER_NORESTART;
}

static int hr_start(void *arg)
{
	struct hr_test *h = arg;

	hrtimer_init(&h->timer, CLOCK_MONOTONIC, h->mode);
	h->timer.function = hr_fn;
	hrtimer_start(&h->timer, ns_to_ktime(NSEC_PER_MSEC), h->mode);
	return 0;
}

/* Started on CPU 2: fires there, in hard irq (or softirq), restarts. */
static void vmem_shim_hrtimer(struct kunit *test)
{
	static const enum hrtimer_mode modes[] = {
		HRTIMER_MODE_REL_PINNED_HARD, HRTIMER_MODE_REL_PINNED_SOFT,
	};
	struct hr_test *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct vkt_thread *t;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		memset(h, 0, sizeof(*h));
		init_completion(&h->done);
		h->mode = modes[i];
		h->restarts = 5;
		t = vkt_thread_start(test, hr_start, h, 2, "shim_hr");
		KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 10000));
		vkt_thread_put(t);
		KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&h->done,
								  10 * HZ), 0UL);
		hrtimer_cancel(&h->timer);	/* may still be returning */
		KUNIT_EXPECT_FALSE(test, hrtimer_is_queued(&h->timer));
		KUNIT_EXPECT_EQ(test, atomic_read(&h->fired), 6);
		KUNIT_EXPECT_EQ(test, h->first.cpu, 2);
		KUNIT_EXPECT_TRUE(test, h->first.atomic);
		if (i == 0) {
			KUNIT_EXPECT_TRUE(test, h->first.hardirq &&
					  h->first.irqs_off);
		} else {
			KUNIT_EXPECT_TRUE(test, h->first.softirq);
			KUNIT_EXPECT_FALSE(test, h->first.hardirq);
		}
	}
	/* cancelled while queued: never fires */
	memset(h, 0, sizeof(*h));
	hrtimer_init(&h->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	h->timer.function = hr_fn;
	hrtimer_start(&h->timer, ns_to_ktime(10ULL * NSEC_PER_SEC),
		      HRTIMER_MODE_REL);
	KUNIT_EXPECT_TRUE(test, hrtimer_is_queued(&h->timer));
	KUNIT_EXPECT_EQ(test, hrtimer_cancel(&h->timer), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->fired), 0);
}

struct lock_test {
	spinlock_t	lock;
	int		order[2];
	atomic_t	n;
	bool		go;
};

static int lock_waiter(void *arg)
{
	struct lock_test *l = arg;

	while (!READ_ONCE(l->go))
		msleep(1);
	spin_lock(&l->lock);
	l->order[atomic_inc_return(&l->n) - 1] = 1;
	spin_unlock(&l->lock);
	return 0;
}

/*
 * A waiter makes the lock contended, and gets it before the holder, who
 * drops it and takes it again at once, as on a queued spinlock; a trylock
 * fails while it waits.
 */
static void vmem_shim_spinlock_queue(struct kunit *test)
{
	struct lock_test *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct vkt_thread *t;
	unsigned int us;

	KUNIT_ASSERT_NOT_NULL(test, l);
	spin_lock_init(&l->lock);
	t = vkt_thread_start(test, lock_waiter, l, 1, "shim_locker");
	spin_lock(&l->lock);
	KUNIT_EXPECT_FALSE(test, spin_is_contended(&l->lock));
	WRITE_ONCE(l->go, true);
	for (us = 0; us < 10000000 && !spin_is_contended(&l->lock); us += 10)
		udelay(10);
	KUNIT_EXPECT_TRUE(test, spin_is_contended(&l->lock));
	spin_unlock(&l->lock);
	spin_lock(&l->lock);
	l->order[atomic_inc_return(&l->n) - 1] = 2;
	spin_unlock(&l->lock);
	KUNIT_ASSERT_TRUE(test, vkt_thread_wait(t, 10000));
	vkt_thread_put(t);
	KUNIT_EXPECT_EQ(test, l->order[0], 1);
	KUNIT_EXPECT_EQ(test, l->order[1], 2);
	KUNIT_EXPECT_FALSE(test, spin_is_contended(&l->lock));
	KUNIT_EXPECT_TRUE(test, spin_trylock(&l->lock));
	spin_unlock(&l->lock);
}

struct shrink_test {
#ifdef SHIM_SHRINKER_REGISTER
	struct shrinker		s;
#else
	struct shrinker		*s;
#endif
	unsigned long		objects;
	unsigned long		scanned;
};

static struct shrink_test *shrink_test_of(struct shrinker *s)
{
#ifdef SHIM_SHRINKER_REGISTER
	return container_of(s, struct shrink_test, s);
#else
	return s->private_data;
#endif
}

static unsigned long st_count(struct shrinker *s, struct shrink_control *sc)
{
	return shrink_test_of(s)->objects;
}

static unsigned long st_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct shrink_test *st = shrink_test_of(s);
	unsigned long n = min(sc->nr_to_scan, st->objects);

	st->scanned += sc->nr_to_scan;
	st->objects -= n;
	return n ? n : SHRINK_STOP;
}

/* shim_shrink() counts, then scans, each registered shrinker. */
static void vmem_shim_shrinker(struct kunit *test)
{
	struct shrink_test *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct shrinker *s;

	KUNIT_ASSERT_NOT_NULL(test, st);
#ifdef SHIM_SHRINKER_REGISTER
	s = &st->s;
	s->count_objects = st_count;
	s->scan_objects = st_scan;
	KUNIT_ASSERT_EQ(test, register_shrinker(s, "shim-%d", 1), 0);
#else
	s = shrinker_alloc(0, "shim-%d", 1);
	KUNIT_ASSERT_NOT_NULL(test, s);
	st->s = s;
	s->count_objects = st_count;
	s->scan_objects = st_scan;
	s->private_data = st;
	shrinker_register(s);
#endif
	st->objects = 10;
	KUNIT_EXPECT_EQ(test, shim_shrink(4), 4UL);
	KUNIT_EXPECT_EQ(test, st->scanned, 4UL);
	KUNIT_EXPECT_EQ(test, shim_shrink(100), 6UL);
	KUNIT_EXPECT_EQ(test, shim_shrink(100), 0UL);
	KUNIT_EXPECT_EQ(test, st->scanned, 10UL);	/* none scanned at 0 */
#ifdef SHIM_SHRINKER_REGISTER
	unregister_shrinker(s);
#else
	shrinker_free(s);
#endif
	st->objects = 10;
	KUNIT_EXPECT_EQ(test, shim_shrink(100), 0UL);
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
	KUNIT_CASE(vmem_shim_hotplug),
	KUNIT_CASE(vmem_shim_migrate_disable),
	KUNIT_CASE(vmem_shim_delayed_work),
	KUNIT_CASE(vmem_shim_hrtimer),
	KUNIT_CASE(vmem_shim_spinlock_queue),
	KUNIT_CASE(vmem_shim_shrinker),
	KUNIT_CASE(vmem_shim_params),
	{}
};

static struct kunit_suite vmem_shim_suite = {
	.name = "vmem_shim",
	.test_cases = vmem_shim_cases,
};

kunit_test_suites(&vmem_shim_suite);
