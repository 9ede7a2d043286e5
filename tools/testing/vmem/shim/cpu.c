// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's CPUs: which are online, which threads run as each, CPU
 * hotplug (remove_cpu(), add_cpu()) and the hotplug states a module
 * registers.
 *
 * A thread runs as the CPU it was given (shim_set_cpu(), kthread_bind()):
 * its home.  The threads running as each CPU are counted; a thread that
 * sleeps is on no CPU, unless it disabled migration.  remove_cpu() takes
 * the CPU out of the online mask, waits until no thread runs as it (a
 * thread there moves to another online CPU at its next migration point,
 * see linux/preempt.h, as the kernel migrates the tasks of a CPU going
 * down), and only then runs the teardown callbacks of the hotplug
 * states, on the caller's thread, as the kernel runs a "prepare" state's
 * teardown on a control CPU once the CPU is dead.  When its home comes
 * back, a thread returns to it at its next migration point.
 *
 * As on x86 since 6.5, CPU 0 cannot go offline; the shim's own threads
 * (the worker, the timer threads when idle, the runner) live there.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <shim.h>

unsigned int nr_cpu_ids = 4;
struct cpumask shim_cpu_online_mask = { { 0xf } };
struct cpumask shim_cpu_possible_mask = { { 0xf } };
unsigned long shim_cpu_hotplug_seq;

/* Threads running as each CPU (shim_cpu_state SHIM_ON_CPU). */
static int shim_cpu_nthreads[NR_CPUS];

enum { SHIM_NEW, SHIM_ON_CPU, SHIM_OFF_CPU };

static pthread_key_t shim_cpu_key;
static pthread_once_t shim_cpu_key_once = PTHREAD_ONCE_INIT;

/* A thread that exits leaves its CPU. */
static void shim_cpu_thread_exit(void *arg)
{
	struct task_struct *t = arg;

	if (t->shim_cpu_state == SHIM_ON_CPU)
		__atomic_fetch_sub(&shim_cpu_nthreads[t->shim_cpu], 1,
				   __ATOMIC_SEQ_CST);
	t->shim_cpu_state = SHIM_OFF_CPU;
}

static void shim_cpu_key_init(void)
{
	if (pthread_key_create(&shim_cpu_key, shim_cpu_thread_exit))
		shim_report_bug("pthread_key_create", __FILE__, __LINE__);
}

/* Stop counting this thread on its CPU. */
static void shim_cpu_leave(void)
{
	if (shim_task.shim_cpu_state == SHIM_ON_CPU)
		__atomic_fetch_sub(&shim_cpu_nthreads[shim_task.shim_cpu], 1,
				   __ATOMIC_SEQ_CST);
	shim_task.shim_cpu_state = SHIM_OFF_CPU;
}

/*
 * Run as @cpu, or, if it is offline, as another online CPU.  Counting
 * first and checking the mask after (remove_cpu() does the reverse, both
 * fully ordered) means that a CPU remove_cpu() saw empty stays so.
 */
static void shim_cpu_enter(int cpu)
{
	if (shim_task.shim_cpu_state == SHIM_NEW) {
		pthread_once(&shim_cpu_key_once, shim_cpu_key_init);
		pthread_setspecific(shim_cpu_key, &shim_task);
	}
	shim_cpu_leave();
	for (;;) {
		__atomic_fetch_add(&shim_cpu_nthreads[cpu], 1, __ATOMIC_SEQ_CST);
		if (cpu_online(cpu))
			break;
		__atomic_fetch_sub(&shim_cpu_nthreads[cpu], 1, __ATOMIC_SEQ_CST);
		cpu = cpumask_first(cpu_online_mask);	/* CPU 0 at worst */
	}
	shim_task.shim_cpu = cpu;
	shim_task.shim_cpu_state = SHIM_ON_CPU;
}

/* Home if it is online, else where the thread is, else CPU 0 or so. */
static int shim_cpu_target(void)
{
	if (cpu_online(shim_task.shim_home_cpu))
		return shim_task.shim_home_cpu;
	if (cpu_online(shim_task.shim_cpu))
		return shim_task.shim_cpu;
	return cpumask_first(cpu_online_mask);
}

void shim_set_cpu(int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= nr_cpu_ids)
		shim_report_bug("CPU number out of range", __FILE__, __LINE__);
	/* A CPU cannot change under preempt_disable() or a local lock. */
	if (shim_task.shim_preempt || shim_task.shim_migrate)
		shim_report_bug("CPU changed with preemption or migration disabled",
				__FILE__, __LINE__);
	shim_task.shim_cpu_seq = READ_ONCE(shim_cpu_hotplug_seq);
	shim_task.shim_home_cpu = cpu;
	shim_cpu_enter(cpu);
}

/* A migration point: move if the thread's CPU went, or its home came back. */
void shim_cpu_migrate(void)
{
	int cpu;

	if (shim_task.shim_preempt || shim_task.shim_migrate ||
	    shim_task.shim_irqs_off || shim_task.shim_hardirq ||
	    shim_task.shim_softirq || shim_task.shim_cpu_state != SHIM_ON_CPU)
		return;
	shim_task.shim_cpu_seq = __atomic_load_n(&shim_cpu_hotplug_seq,
						 __ATOMIC_SEQ_CST);
	cpu = shim_cpu_target();
	if (cpu != shim_task.shim_cpu)
		shim_cpu_enter(cpu);
}

void shim_cpu_sleep_begin(void)
{
	if (!shim_task.shim_migrate && shim_task.shim_cpu_state == SHIM_ON_CPU)
		shim_cpu_leave();
}

void shim_cpu_sleep_end(void)
{
	if (shim_task.shim_cpu_state != SHIM_OFF_CPU)
		return;
	shim_task.shim_cpu_seq = __atomic_load_n(&shim_cpu_hotplug_seq,
						 __ATOMIC_SEQ_CST);
	shim_cpu_enter(shim_cpu_target());
}

void shim_set_nr_cpus(unsigned int n)
{
	if (n == 0 || n > NR_CPUS || shim_percpu_live() || shim_cpus_offline())
		shim_report_bug("bad CPU count, per-CPU data allocated, or a CPU offline",
				__FILE__, __LINE__);
	nr_cpu_ids = n;
	memset(&shim_cpu_possible_mask, 0, sizeof(shim_cpu_possible_mask));
	for (n = 0; n < nr_cpu_ids; n++)
		__set_bit(n, shim_cpu_possible_mask.bits);
	for (n = 0; n < ARRAY_SIZE(shim_cpu_online_mask.bits); n++)
		__atomic_store_n(&shim_cpu_online_mask.bits[n],
				 shim_cpu_possible_mask.bits[n],
				 __ATOMIC_SEQ_CST);
}

unsigned int shim_cpu_threads(unsigned int cpu)
{
	return __atomic_load_n(&shim_cpu_nthreads[cpu], __ATOMIC_SEQ_CST);
}

unsigned int shim_cpus_offline(void)
{
	return nr_cpu_ids - num_online_cpus();
}

/* ---- hotplug states: dynamic ones, teardown callbacks, instances */

#define SHIM_CPUHP_MAX	8

struct shim_cpuhp {
	bool			used;
	const char		*name;
	shim_cpuhp_multi_fn	teardown;
	struct hlist_head	instances;
};

/*
 * Held across a CPU going down or up and across instance changes, as
 * cpus_read_lock() and the hotplug lock serialize them in the kernel.
 */
static pthread_mutex_t shim_cpuhp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_cpuhp shim_cpuhp_states[SHIM_CPUHP_MAX];

/* Take shim_cpuhp_lock; a thread that waits for it sleeps, on no CPU. */
static void shim_cpuhp_lock_sleeping(void)
{
	if (pthread_mutex_trylock(&shim_cpuhp_lock)) {
		shim_cpu_sleep_begin();
		pthread_mutex_lock(&shim_cpuhp_lock);
		shim_cpu_sleep_end();
	}
}

/* The state @state; shim_cpuhp_lock held. */
static struct shim_cpuhp *shim_cpuhp_find(int state)
{
	int i = state - CPUHP_BP_PREPARE_DYN;

	if (i < 0 || i >= SHIM_CPUHP_MAX || !shim_cpuhp_states[i].used)
		shim_report_bug("no such CPU hotplug state", __FILE__, __LINE__);
	return &shim_cpuhp_states[i];
}

int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    shim_cpuhp_multi_fn startup,
			    shim_cpuhp_multi_fn teardown)
{
	int i, ret = -ENOSPC;

	if (state != CPUHP_BP_PREPARE_DYN || startup)
		shim_report_bug("the shim has dynamic teardown-only states only",
				__FILE__, __LINE__);
	might_sleep();
	shim_cpuhp_lock_sleeping();
	for (i = 0; i < SHIM_CPUHP_MAX; i++) {
		struct shim_cpuhp *sp = &shim_cpuhp_states[i];

		if (sp->used)
			continue;
		sp->used = true;
		sp->name = name;
		sp->teardown = teardown;
		INIT_HLIST_HEAD(&sp->instances);
		ret = CPUHP_BP_PREPARE_DYN + i;
		break;
	}
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return ret;
}

void cpuhp_remove_multi_state(enum cpuhp_state state)
{
	struct shim_cpuhp *sp;

	might_sleep();
	shim_cpuhp_lock_sleeping();
	sp = shim_cpuhp_find(state);
	WARN(!hlist_empty(&sp->instances),
	     "cpuhp state %s removed with instances", sp->name);
	sp->used = false;
	pthread_mutex_unlock(&shim_cpuhp_lock);
}

int cpuhp_state_add_instance_nocalls(enum cpuhp_state state,
				     struct hlist_node *node)
{
	might_sleep();
	shim_cpuhp_lock_sleeping();
	hlist_add_head(node, &shim_cpuhp_find(state)->instances);
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return 0;
}

int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state,
					struct hlist_node *node)
{
	might_sleep();
	shim_cpuhp_lock_sleeping();
	shim_cpuhp_find(state);
	hlist_del(node);
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return 0;
}

/* ---- remove_cpu(), add_cpu() */

/* How long remove_cpu() waits for the threads of a CPU to move. */
#define SHIM_CPU_DOWN_MS	30000

int remove_cpu(unsigned int cpu)
{
	struct hlist_node *node;
	unsigned int ms;
	int i, ret = 0;

	might_sleep();
	if (cpu >= nr_cpu_ids)
		return -ENODEV;
	if (cpu == 0)
		return -EPERM;		/* x86: the boot CPU is not hotpluggable */
	shim_cpuhp_lock_sleeping();
	if (!cpu_online(cpu)) {
		ret = 1;		/* device_offline(): already offline */
		goto out;
	}
	clear_bit(cpu, shim_cpu_online_mask.bits);
	__atomic_fetch_add(&shim_cpu_hotplug_seq, 1, __ATOMIC_SEQ_CST);
	if (shim_task.shim_cpu == (int)cpu) {
		if (shim_task.shim_migrate)
			shim_report_bug("remove_cpu() of its own CPU with migration disabled",
					__FILE__, __LINE__);
		shim_cpu_migrate();
	}
	/* As the kernel migrates them: at their next migration point. */
	for (ms = 0; __atomic_load_n(&shim_cpu_nthreads[cpu], __ATOMIC_SEQ_CST);
	     ms++) {
		if (ms == SHIM_CPU_DOWN_MS) {
			set_bit(cpu, shim_cpu_online_mask.bits);
			__atomic_fetch_add(&shim_cpu_hotplug_seq, 1,
					   __ATOMIC_SEQ_CST);
			ret = -EBUSY;
			goto out;
		}
		usleep(1000);
	}
	/* Dead: the teardown callbacks, in the reverse order of the states. */
	for (i = SHIM_CPUHP_MAX - 1; i >= 0; i--) {
		struct shim_cpuhp *sp = &shim_cpuhp_states[i];

		if (!sp->used)
			continue;
		hlist_for_each(node, &sp->instances)
			sp->teardown(cpu, node);
	}
out:
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return ret;
}

int add_cpu(unsigned int cpu)
{
	int ret = 0;

	might_sleep();
	if (cpu >= nr_cpu_ids)
		return -ENODEV;
	shim_cpuhp_lock_sleeping();
	if (cpu_online(cpu)) {
		ret = 1;		/* device_online(): already online */
	} else {
		set_bit(cpu, shim_cpu_online_mask.bits);
		__atomic_fetch_add(&shim_cpu_hotplug_seq, 1, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&shim_cpuhp_lock);
	return ret;
}
