/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The userspace shim's own interface: per-thread task state, and the
 * knobs and counters the harness uses (fault injection, warnings, leaks,
 * the log ring, the work queue mode, virtual CPUs).  The shim's
 * headers under linux/ are built on it; vmem/ never includes it.
 *
 * What the shim cannot model, said once here:
 *  - Preemption and interrupts.  A "CPU" is a number each thread carries
 *    (shim_set_cpu()); threads are preempted by the host whenever it
 *    likes, and no interrupt ever arrives.  local_irq_save() and
 *    preempt_disable() only record the state, so that might_sleep() and
 *    lockdep_assert_irqs_disabled() can check it, and so that a test can
 *    run vmem calls "with interrupts off" or "in hardirq context"
 *    (shim_hardirq_enter()) and have every sleeping call flagged.  An IPI
 *    or a timer runs on a thread of its own in hard or soft interrupt
 *    context (shim/irq.c); it interrupts no one.
 *  - Memory ordering is the host's (x86-64: TSO), stronger than what
 *    the kernel guarantees on weakly ordered architectures.
 *  - Memory pressure: allocations fail only when injected (fail_nth,
 *    shim_failslab_*), never because memory is short.
 */
#ifndef _VMEM_SHIM_H
#define _VMEM_SHIM_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <pthread.h>
#include <stdio.h>

/* Task states, as in the kernel (linux/sched.h). */
#define TASK_RUNNING		0x0000
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define TASK_WAKEKILL		0x0100
#define TASK_KILLABLE		(TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define TASK_COMM_LEN		16

struct wait_queue_head;
struct shim_kthread;
struct kunit;

/*
 * One per thread.  pid, comm, fail_nth and __state mean what they mean in
 * the kernel; the shim_ fields are the shim's bookkeeping.
 */
struct task_struct {
	pid_t			pid;
	char			comm[TASK_COMM_LEN];
	unsigned int		__state;
	/* failslab: the Nth slab allocation of this task fails (N >= 1) */
	unsigned int		fail_nth;
	/* virtual CPU this thread runs as; see shim_set_cpu() */
	int			shim_cpu;
	/* the CPU it was put on, which it goes back to when it can */
	int			shim_home_cpu;
	/* counted on shim_cpu (running there), or not (new, asleep) */
	int			shim_cpu_state;
	/* CPU hotplug events seen at its last migration point */
	unsigned long		shim_cpu_seq;
	/* preempt_disable() depth, spinlocks included */
	int			shim_preempt;
	/* migrate_disable() depth */
	int			shim_migrate;
	/*
	 * Spinlocks of the vmem core held (see spin_lock_init()), for the
	 * check that the core allocates nothing under its own locks.
	 */
	int			shim_spinlocks;
	bool			shim_irqs_off;
	int			shim_hardirq;
	/* serving a softirq (a timer callback) */
	int			shim_softirq;
	/* a fatal signal is pending (shim_kill()) */
	int			shim_fatal;
	/* a kernel thread takes SIGKILL (kernel_sigaction(SIG_DFL)) */
	bool			shim_sigkill;
	/* set for kernel threads (kthread_create()) */
	struct shim_kthread	*shim_kthread;
	/* the KUnit test this thread runs, as in the kernel */
	struct kunit		*kunit_test;
	/* prepare_to_wait() state, consumed by schedule() */
	struct wait_queue_head	*shim_wait_wq;
	unsigned long		shim_wait_seq;
};

extern __thread struct task_struct shim_task;

/* Per-thread setup; shim_thread_init() also names the task. */
void shim_thread_init(const char *comm, int cpu);
/*
 * Run as @cpu from now on (as another online CPU while @cpu is offline,
 * as the kernel places a task whose CPU went away).  Not with preemption
 * or migration disabled.
 */
void shim_set_cpu(int cpu);
/* Number of virtual CPUs (nr_cpu_ids); set before the first use. */
void shim_set_nr_cpus(unsigned int n);
/*
 * A thread that blocks (schedule(), a completion, msleep()) runs on no
 * CPU meanwhile, unless it disabled migration: CPU hotplug does not wait
 * for it.  It wakes up on an online CPU.  See shim/cpu.c.
 */
void shim_cpu_sleep_begin(void);
void shim_cpu_sleep_end(void);
/* CPUs that a test took offline and did not bring back (runner check). */
unsigned int shim_cpus_offline(void);
/* Threads running as @cpu now (asleep ones not counted). */
unsigned int shim_cpu_threads(unsigned int cpu);
/* Make fatal_signal_pending(@t) true and wake it if it sleeps. */
void shim_kill(struct task_struct *t);
/* Enter/leave a simulated hard interrupt on this thread. */
void shim_hardirq_enter(void);
void shim_hardirq_exit(void);
/* Enter/leave a simulated softirq (timer callbacks run in one). */
void shim_softirq_enter(void);
void shim_softirq_exit(void);

/*
 * Counters of things that are splats in the kernel.  The harness fails a
 * test that ends with more of them than it expected.
 */
extern unsigned long shim_nr_warnings;	/* WARN*() that fired */
extern unsigned long shim_nr_bugs;	/* sleeping in atomic, bad unlock */
/* Slab allocations made while holding a spinlock of the vmem core. */
extern unsigned long shim_nr_alloc_atomic;
/* If set, a WARN aborts (like panic_on_warn); the fuzzer uses it. */
extern bool shim_panic_on_warn;
/*
 * A test that provokes splats on purpose (a WARN, a "sleeping function
 * called from invalid context") declares how many, after checking them
 * itself: the KUnit runner fails a case only for the splats beyond these.
 */
void shim_splats_expected(unsigned long warnings, unsigned long bugs);
void shim_splats_expected_take(unsigned long *warnings, unsigned long *bugs);
/* Kernel threads created and not yet reaped (leak check of the runner). */
long shim_kthreads_live(void);
/* Per-CPU allocations not freed. */
long shim_percpu_live(void);

/*
 * Fault injection in the spirit of failslab (lib/fault-inject.c and
 * mm/failslab.c): current->fail_nth = N fails the Nth allocation of the
 * task (counted from 1), then disarms; shim_failslab_probability (in
 * 1/1000) fails allocations at random from a seeded generator.  As with
 * failslab's default ignore-gfp-wait, allocations that may reclaim
 * (GFP_KERNEL) are neither counted nor failed unless
 * shim_failslab_ignore_reclaim is cleared; __GFP_NOFAIL ones never fail.
 */
extern unsigned int shim_failslab_probability;
extern bool shim_failslab_ignore_reclaim;
extern unsigned long shim_nr_injected;	/* failures injected so far */
void shim_failslab_seed(u64 seed);
/*
 * Run @fn(@arg) at the start of this thread's next slab or kmalloc
 * allocation, once: a test's way to act at a chosen moment inside a
 * function that allocates (a work item, say), which no kernel test can.
 */
void shim_alloc_hook_set(void (*fn)(void *arg), void *arg);

/* Live objects: every kmem_cache, plus kmalloc/kvmalloc. */
long shim_kmalloc_live(void);
long shim_slab_live(const char *cache_name);	/* -1 if no such cache */
long shim_slab_live_total(void);		/* over every cache */

/*
 * printk: level filter for the terminal (messages above it are not
 * printed, but are still recorded), and the ring of recent messages.
 */
extern int shim_console_loglevel;
bool shim_log_find(const char *needle);
void shim_log_clear(void);
/* Print the recorded messages, oldest first (the last 128 at most). */
void shim_log_dump(FILE *f);
unsigned long shim_log_count(int level);	/* messages at that level */

/*
 * Work items.  In SHIM_WQ_MANUAL mode (the default, deterministic)
 * schedule_work() only queues: the harness runs the queue between
 * operations with shim_run_work(), the way a worker thread would have
 * got around to it, and flush_work()/cancel_work_sync() act on the queue
 * at once.  In SHIM_WQ_THREAD mode a worker thread runs items as they
 * come, as the kernel's system workqueue does; the multi-threaded tests
 * use it.
 */
enum shim_wq_mode { SHIM_WQ_MANUAL, SHIM_WQ_THREAD };
void shim_wq_set_mode(enum shim_wq_mode mode);
unsigned int shim_run_work(void);	/* returns items run */
unsigned long shim_work_pending(void);	/* queued, not armed */
/*
 * Delayed work armed and waiting for its time.  shim_fire_delayed_work()
 * queues every armed item now, as if its time had come, and returns how
 * many: in manual mode, the only way their time comes.
 */
unsigned long shim_delayed_work_armed(void);
unsigned int shim_fire_delayed_work(void);

/*
 * Memory pressure, as reclaim applies it: every registered shrinker is
 * asked to count its objects, then to scan up to @nr of them; returns the
 * objects freed (linux/shrinker.h).
 */
unsigned long shim_shrink(unsigned long nr);

/* Seed of get_random_*(); the harness sets it from VMEM_SEED or argv. */
void shim_random_seed(u64 seed);
/* The seed the KUnit runner was given (shim/kunit.c), for self-tests. */
extern unsigned long shim_kunit_seed_value;
/*
 * Self-tests of the KUnit runtime: run @suite as the runner would, its
 * KTAP into @out, its results counted into @counts (passed, failed,
 * skipped) rather than the run's.
 */
struct kunit_suite;
void shim_kunit_run_apart(struct kunit_suite *suite, FILE *out,
			  unsigned long counts[3]);

/* Module parameters: "name=value", as on the insmod command line. */
int shim_module_param_set(const char *assignment);

/*
 * Module life cycle: the harness calls the core's module_init function
 * before the first test and its module_exit at the end.  Weak, because
 * not every set of core files has one.
 */
int shim_module_init(void) __attribute__((__weak__));
void shim_module_exit(void) __attribute__((__weak__));

/* Slow path of the spinlocks (contended; recursion is a shim BUG). */
void shim_spin_lock_contended(int *slock);
/* The same, in ticket order (CONFIG_DEBUG_SPINLOCK: linux/spinlock.h). */
void shim_spin_lock_queued(int *slock, unsigned int *next,
			   unsigned int *serving);
/* Is a lock initialised in @file one of the vmem core's? */
bool shim_lock_class_core(const char *file);
void shim_report_bug(const char *what, const char *file, int line);
void shim_might_sleep(const char *file, int line);
void shim_alloc_check(gfp_t gfp);

#endif /* _VMEM_SHIM_H */
