// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's scheduler half: kernel threads on host threads, their
 * task_struct references, completions, SIGKILL, and jiffies.  What each
 * models is said in linux/kthread.h, linux/completion.h, linux/signal.h
 * and linux/jiffies.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <shim.h>

/* ---- jiffies */

unsigned long shim_jiffies(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return INITIAL_JIFFIES + (unsigned long)ts.tv_sec * MSEC_PER_SEC +
	       ts.tv_nsec / NSEC_PER_MSEC;
}

/* @timeout jiffies from now, as an absolute CLOCK_REALTIME deadline. */
static struct timespec shim_deadline(unsigned long timeout)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout / HZ;
	ts.tv_nsec += (timeout % HZ) * (NSEC_PER_SEC / HZ);
	if (ts.tv_nsec >= NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= NSEC_PER_SEC;
	}
	return ts;
}

/* ---- completions */

void init_completion(struct completion *x)
{
	x->done = 0;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
}

void reinit_completion(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = 0;
	pthread_mutex_unlock(&x->lock);
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->done != UINT_MAX)
		x->done++;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = UINT_MAX;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

/* Take one completion; x->lock held. */
static void shim_completion_take(struct completion *x)
{
	if (x->done != UINT_MAX)
		x->done--;
}

void wait_for_completion(struct completion *x)
{
	might_sleep();
	shim_cpu_sleep_begin();
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		pthread_cond_wait(&x->cond, &x->lock);
	shim_completion_take(x);
	pthread_mutex_unlock(&x->lock);
	shim_cpu_sleep_end();
}

unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout)
{
	unsigned long end = jiffies + timeout, left = 0;
	struct timespec ts = shim_deadline(timeout);

	might_sleep();
	shim_cpu_sleep_begin();
	pthread_mutex_lock(&x->lock);
	while (!x->done &&
	       pthread_cond_timedwait(&x->cond, &x->lock, &ts) != ETIMEDOUT)
		;
	if (x->done) {
		shim_completion_take(x);
		left = time_after(end, jiffies) ? end - jiffies : 1;
	}
	pthread_mutex_unlock(&x->lock);
	shim_cpu_sleep_end();
	return left;
}

bool try_wait_for_completion(struct completion *x)
{
	bool ret;

	pthread_mutex_lock(&x->lock);
	ret = x->done;
	if (ret)
		shim_completion_take(x);
	pthread_mutex_unlock(&x->lock);
	return ret;
}

bool completion_done(struct completion *x)
{
	bool ret;

	pthread_mutex_lock(&x->lock);
	ret = x->done;
	pthread_mutex_unlock(&x->lock);
	return ret;
}

/* ---- kernel threads */

struct shim_kthread {
	pthread_mutex_t		lock;
	pthread_cond_t		cond;
	int			(*fn)(void *data);
	void			*data;
	char			comm[TASK_COMM_LEN];
	struct task_struct	*task;	/* the thread's current, once started */
	int			cpu;	/* kthread_bind(), or -1 */
	bool			woken;	/* wake_up_process() */
	int			usage;	/* task_struct references */
	bool			own_dropped;	/* the thread's own, at exit */
};

static long shim_kthreads_count;

long shim_kthreads_live(void)
{
	return __atomic_load_n(&shim_kthreads_count, __ATOMIC_RELAXED);
}

/* Drop a reference to @k's task; k->lock held. */
static void shim_kthread_put_locked(struct shim_kthread *k)
{
	if (--k->usage == 0) {
		__atomic_fetch_sub(&shim_kthreads_count, 1, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&k->cond);
	}
}

/* Drop the thread's own reference to its task, once. */
static void shim_kthread_put_own(struct shim_kthread *k)
{
	if (!k)
		return;		/* kthread_exit() reports it */
	pthread_mutex_lock(&k->lock);
	if (!k->own_dropped) {
		k->own_dropped = true;
		shim_kthread_put_locked(k);
	}
	pthread_mutex_unlock(&k->lock);
}

void __noreturn kthread_exit(long result)
{
	struct shim_kthread *k = current->shim_kthread;

	if (!k)
		shim_report_bug("kthread_exit() outside a kernel thread",
				__FILE__, __LINE__);
	shim_kthread_put_own(k);
	/* On no CPU from now on: CPU hotplug does not wait for it. */
	shim_cpu_sleep_begin();
	/* Gone once no one holds a reference to the task. */
	pthread_mutex_lock(&k->lock);
	while (k->usage)
		pthread_cond_wait(&k->cond, &k->lock);
	pthread_mutex_unlock(&k->lock);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
	pthread_exit(NULL);
}

/*
 * Whoever waits for @comp may drop the last reference at once: the
 * thread's own goes first, so that the task counts as reaped then.
 */
void __noreturn kthread_complete_and_exit(struct completion *comp, long code)
{
	shim_kthread_put_own(current->shim_kthread);
	if (comp)
		complete(comp);
	kthread_exit(code);
}

static void *shim_kthread_fn(void *arg)
{
	struct shim_kthread *k = arg;

	shim_thread_init(k->comm, 0);
	current->shim_kthread = k;
	pthread_mutex_lock(&k->lock);
	k->task = current;
	pthread_cond_broadcast(&k->cond);
	while (!k->woken)
		pthread_cond_wait(&k->cond, &k->lock);
	pthread_mutex_unlock(&k->lock);
	if (k->cpu >= 0)
		shim_set_cpu(k->cpu);
	kthread_exit(k->fn(k->data));
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data,
				   const char *namefmt, ...)
{
	struct shim_kthread *k;
	struct task_struct *task;
	pthread_t tid;
	va_list ap;

	might_sleep();
	k = calloc(1, sizeof(*k));
	if (!k)
		return ERR_PTR(-ENOMEM);
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->fn = threadfn;
	k->data = data;
	k->cpu = -1;
	k->usage = 1;
	va_start(ap, namefmt);
	vsnprintf(k->comm, sizeof(k->comm), namefmt, ap);
	va_end(ap);
	__atomic_fetch_add(&shim_kthreads_count, 1, __ATOMIC_RELAXED);
	if (pthread_create(&tid, NULL, shim_kthread_fn, k)) {
		__atomic_fetch_sub(&shim_kthreads_count, 1, __ATOMIC_RELAXED);
		free(k);
		return ERR_PTR(-ENOMEM);
	}
	pthread_detach(tid);
	pthread_mutex_lock(&k->lock);
	while (!k->task)
		pthread_cond_wait(&k->cond, &k->lock);
	task = k->task;
	pthread_mutex_unlock(&k->lock);
	return task;
}

void kthread_bind(struct task_struct *p, unsigned int cpu)
{
	struct shim_kthread *k = p->shim_kthread;

	if (!k || !cpu_online(cpu))
		shim_report_bug("kthread_bind() of a non-kthread or to an offline CPU",
				__FILE__, __LINE__);
	pthread_mutex_lock(&k->lock);
	if (k->woken)
		shim_report_bug("kthread_bind() of a running thread",
				__FILE__, __LINE__);
	k->cpu = cpu;
	pthread_mutex_unlock(&k->lock);
}

int wake_up_process(struct task_struct *p)
{
	struct shim_kthread *k = p->shim_kthread;
	int woken = 0;

	if (!k)
		return 0;
	pthread_mutex_lock(&k->lock);
	if (!k->woken) {
		k->woken = true;
		woken = 1;
		pthread_cond_broadcast(&k->cond);
	}
	pthread_mutex_unlock(&k->lock);
	return woken;
}

struct task_struct *get_task_struct(struct task_struct *t)
{
	struct shim_kthread *k = t->shim_kthread;

	if (k) {
		pthread_mutex_lock(&k->lock);
		if (!k->usage)
			shim_report_bug("get_task_struct() of a dead task",
					__FILE__, __LINE__);
		k->usage++;
		pthread_mutex_unlock(&k->lock);
	}
	return t;
}

void put_task_struct(struct task_struct *t)
{
	struct shim_kthread *k = t->shim_kthread;

	if (!k)
		return;
	/* The thread may free @k as soon as the lock is dropped at 0. */
	pthread_mutex_lock(&k->lock);
	shim_kthread_put_locked(k);
	pthread_mutex_unlock(&k->lock);
}

/* ---- signals */

int send_sig(int sig, struct task_struct *p, int priv)
{
	if (sig == SIGKILL && (!p->shim_kthread || READ_ONCE(p->shim_sigkill)))
		shim_kill(p);
	return 0;
}

void kernel_sigaction(int sig, __sighandler_t action)
{
	if (sig == SIGKILL)
		WRITE_ONCE(current->shim_sigkill, action == SIG_DFL);
}
