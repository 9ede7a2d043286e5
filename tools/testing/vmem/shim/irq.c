// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's interrupt contexts: an IPI (smp_call_function_single()) runs
 * its function on a thread that stands in for the target CPU, in hard
 * interrupt context; timers run their callbacks on a thread that stands
 * in for the timer softirq; hrtimers on one that stands in for every
 * CPU's hrtimer interrupt.  None interrupts anything: the thread that
 * asked goes on running (or waits), as another CPU would.  A timer's
 * thread runs as the timer's CPU while it runs the callback, as CPU 0
 * otherwise; a timer of a CPU gone offline fires on another.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <shim.h>

/* ---- IPIs */

struct shim_ipi {
	smp_call_func_t	func;
	void		*info;
	int		cpu;
};

static void *shim_ipi_fn(void *arg)
{
	struct shim_ipi *ipi = arg;

	shim_thread_init("ipi", ipi->cpu);
	shim_hardirq_enter();
	ipi->func(ipi->info);
	shim_hardirq_exit();
	return NULL;
}

int smp_call_function_single(int cpu, smp_call_func_t func, void *info,
			     int wait)
{
	struct shim_ipi *ipi;
	unsigned long flags;
	pthread_t tid;

	if (!cpu_online(cpu))
		return -ENXIO;
	/* Waiting with interrupts off can deadlock: the kernel warns too. */
	WARN_ON_ONCE(irqs_disabled());
	if (cpu == smp_processor_id()) {
		local_irq_save(flags);
		func(info);
		local_irq_restore(flags);
		return 0;
	}
	ipi = malloc(sizeof(*ipi));
	if (!ipi)
		shim_report_bug("out of memory for an IPI", __FILE__, __LINE__);
	*ipi = (struct shim_ipi){ .func = func, .info = info, .cpu = cpu };
	if (pthread_create(&tid, NULL, shim_ipi_fn, ipi))
		shim_report_bug("cannot start an IPI thread", __FILE__,
				__LINE__);
	if (wait) {
		pthread_join(tid, NULL);
		free(ipi);
	} else {
		/* Leaks @ipi: fire and forget is not used by the tests. */
		pthread_detach(tid);
	}
	return 0;
}

/* ---- timers */

static pthread_mutex_t shim_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shim_timer_more = PTHREAD_COND_INITIALIZER;
static pthread_cond_t shim_timer_done = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(shim_timer_queue);
static bool shim_timer_started;
/* The timer whose callback runs; never dereferenced after it ran. */
static struct timer_list *shim_timer_running;

void timer_setup(struct timer_list *timer,
		 void (*function)(struct timer_list *timer),
		 unsigned int flags)
{
	INIT_LIST_HEAD(&timer->entry);
	timer->function = function;
	timer->flags = flags;
	timer->expires = 0;
	timer->shim_cpu = 0;
}

/* The pending timer that expires first; shim_timer_lock held. */
static struct timer_list *shim_timer_first(void)
{
	struct timer_list *t, *first = NULL;

	list_for_each_entry(t, &shim_timer_queue, entry)
		if (!first || time_before(t->expires, first->expires))
			first = t;
	return first;
}

static void *shim_timer_fn(void *arg)
{
	struct timer_list *t;
	struct timespec ts;
	long left;
	int cpu;

	shim_thread_init("ksoftirqd", 0);
	pthread_mutex_lock(&shim_timer_lock);
	for (;;) {
		t = shim_timer_first();
		if (!t) {
			pthread_cond_wait(&shim_timer_more, &shim_timer_lock);
			continue;
		}
		left = (long)(t->expires - jiffies);
		if (left > 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += left * NSEC_PER_MSEC;
			ts.tv_sec += ts.tv_nsec / NSEC_PER_SEC;
			ts.tv_nsec %= NSEC_PER_SEC;
			pthread_cond_timedwait(&shim_timer_more,
					       &shim_timer_lock, &ts);
			continue;
		}
		list_del_init(&t->entry);
		shim_timer_running = t;
		if (!cpu_online(t->shim_cpu))
			t->shim_cpu = cpumask_first(cpu_online_mask);
		cpu = t->shim_cpu;
		pthread_mutex_unlock(&shim_timer_lock);
		shim_set_cpu(cpu);
		shim_softirq_enter();
		t->function(t);
		shim_softirq_exit();
		shim_set_cpu(0);
		pthread_mutex_lock(&shim_timer_lock);
		/* @t may be gone: the callback may have freed its timer. */
		shim_timer_running = NULL;
		pthread_cond_broadcast(&shim_timer_done);
	}
	return NULL;
}

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	pthread_t tid;
	int pending;

	pthread_mutex_lock(&shim_timer_lock);
	if (!shim_timer_started) {
		if (pthread_create(&tid, NULL, shim_timer_fn, NULL))
			shim_report_bug("cannot start the timer thread",
					__FILE__, __LINE__);
		pthread_detach(tid);
		shim_timer_started = true;
	}
	pending = !list_empty(&timer->entry);
	if (!pending)
		list_add_tail(&timer->entry, &shim_timer_queue);
	timer->expires = expires;
	timer->shim_cpu = smp_processor_id();
	pthread_cond_broadcast(&shim_timer_more);
	pthread_mutex_unlock(&shim_timer_lock);
	return pending;
}

void add_timer(struct timer_list *timer)
{
	mod_timer(timer, timer->expires);
}

int timer_pending(const struct timer_list *timer)
{
	int pending;

	pthread_mutex_lock(&shim_timer_lock);
	pending = !list_empty(&timer->entry);
	pthread_mutex_unlock(&shim_timer_lock);
	return pending;
}

int shim_timer_delete(struct timer_list *timer)
{
	int pending;

	pthread_mutex_lock(&shim_timer_lock);
	pending = !list_empty(&timer->entry);
	list_del_init(&timer->entry);
	pthread_mutex_unlock(&shim_timer_lock);
	return pending;
}

int timer_delete_sync(struct timer_list *timer)
{
	int pending;

	might_sleep();
	pthread_mutex_lock(&shim_timer_lock);
	pending = !list_empty(&timer->entry);
	list_del_init(&timer->entry);
	while (shim_timer_running == timer)
		pthread_cond_wait(&shim_timer_done, &shim_timer_lock);
	pthread_mutex_unlock(&shim_timer_lock);
	return pending;
}

/* ---- hrtimers */

static pthread_mutex_t shim_hrtimer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shim_hrtimer_more;	/* on CLOCK_MONOTONIC */
static pthread_cond_t shim_hrtimer_done = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(shim_hrtimer_queue);
static bool shim_hrtimer_started;
/* The timer whose callback runs; never dereferenced after it ran. */
static struct hrtimer *shim_hrtimer_running;

ktime_t ktime_get(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ktime_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void hrtimer_init(struct hrtimer *timer, clockid_t which_clock,
		  enum hrtimer_mode mode)
{
	if (which_clock != CLOCK_MONOTONIC)
		shim_report_bug("hrtimer clock not modelled", __FILE__,
				__LINE__);
	memset(timer, 0, sizeof(*timer));
	INIT_LIST_HEAD(&timer->shim_entry);
	timer->shim_soft = mode & HRTIMER_MODE_SOFT;
}

/* The queued timer that expires first; shim_hrtimer_lock held. */
static struct hrtimer *shim_hrtimer_first(void)
{
	struct hrtimer *t, *first = NULL;

	list_for_each_entry(t, &shim_hrtimer_queue, shim_entry)
		if (!first || t->shim_expires < first->shim_expires)
			first = t;
	return first;
}

static void *shim_hrtimer_fn(void *arg)
{
	enum hrtimer_restart ret;
	struct timespec ts;
	struct hrtimer *t;
	bool soft;
	int cpu;

	shim_thread_init("hrtimer", 0);
	pthread_mutex_lock(&shim_hrtimer_lock);
	for (;;) {
		t = shim_hrtimer_first();
		if (!t) {
			pthread_cond_wait(&shim_hrtimer_more, &shim_hrtimer_lock);
			continue;
		}
		if (t->shim_expires > ktime_get()) {
			ts.tv_sec = t->shim_expires / NSEC_PER_SEC;
			ts.tv_nsec = t->shim_expires % NSEC_PER_SEC;
			pthread_cond_timedwait(&shim_hrtimer_more,
					       &shim_hrtimer_lock, &ts);
			continue;
		}
		list_del_init(&t->shim_entry);
		shim_hrtimer_running = t;
		if (!cpu_online(t->shim_cpu))
			t->shim_cpu = cpumask_first(cpu_online_mask);
		cpu = t->shim_cpu;
		soft = t->shim_soft;
		pthread_mutex_unlock(&shim_hrtimer_lock);
		shim_set_cpu(cpu);
		if (soft)
			shim_softirq_enter();
		else
			shim_hardirq_enter();
		ret = t->function(t);
		if (soft)
			shim_softirq_exit();
		else
			shim_hardirq_exit();
		shim_set_cpu(0);
		pthread_mutex_lock(&shim_hrtimer_lock);
		/* Not restarted, @t may be gone: the callback may free it. */
		if (ret == HRTIMER_RESTART && list_empty(&t->shim_entry))
			list_add_tail(&t->shim_entry, &shim_hrtimer_queue);
		shim_hrtimer_running = NULL;
		pthread_cond_broadcast(&shim_hrtimer_done);
	}
	return NULL;
}

/* Start the thread on first use; shim_hrtimer_lock held. */
static void shim_hrtimer_start_thread(void)
{
	pthread_condattr_t attr;
	pthread_t tid;

	if (shim_hrtimer_started)
		return;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&shim_hrtimer_more, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&tid, NULL, shim_hrtimer_fn, NULL))
		shim_report_bug("cannot start the hrtimer thread", __FILE__,
				__LINE__);
	pthread_detach(tid);
	shim_hrtimer_started = true;
}

void hrtimer_start(struct hrtimer *timer, ktime_t tim,
		   const enum hrtimer_mode mode)
{
	pthread_mutex_lock(&shim_hrtimer_lock);
	shim_hrtimer_start_thread();
	if (!list_empty(&timer->shim_entry))
		list_del_init(&timer->shim_entry);
	timer->shim_expires = (mode & HRTIMER_MODE_REL) ? ktime_get() + tim :
							  tim;
	timer->shim_cpu = smp_processor_id();
	list_add_tail(&timer->shim_entry, &shim_hrtimer_queue);
	pthread_cond_broadcast(&shim_hrtimer_more);
	pthread_mutex_unlock(&shim_hrtimer_lock);
}

int hrtimer_cancel(struct hrtimer *timer)
{
	int active = 0;

	might_sleep();
	pthread_mutex_lock(&shim_hrtimer_lock);
	for (;;) {
		if (!list_empty(&timer->shim_entry)) {
			list_del_init(&timer->shim_entry);
			active = 1;
		} else if (shim_hrtimer_running == timer) {
			active = 1;
			pthread_cond_wait(&shim_hrtimer_done,
					  &shim_hrtimer_lock);
		} else {
			break;
		}
	}
	pthread_mutex_unlock(&shim_hrtimer_lock);
	return active;
}

bool hrtimer_is_queued(struct hrtimer *timer)
{
	bool queued;

	pthread_mutex_lock(&shim_hrtimer_lock);
	queued = !list_empty(&timer->shim_entry);
	pthread_mutex_unlock(&shim_hrtimer_lock);
	return queued;
}

/* kernel/time/hrtimer.c's: forward past @now by whole @intervals. */
u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval)
{
	ktime_t delta = now - timer->shim_expires;
	u64 orun = 1;

	if (delta < 0)
		return 0;
	if (interval < 1)
		interval = 1;
	if (delta >= interval) {
		orun = delta / interval;
		timer->shim_expires += interval * orun;
		if (timer->shim_expires > now)
			return orun;
		orun++;
	}
	timer->shim_expires += interval;
	return orun;
}
