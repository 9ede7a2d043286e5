// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim's interrupt contexts: an IPI (smp_call_function_single()) runs
 * its function on a thread that stands in for the target CPU, in hard
 * interrupt context; timers run their callbacks on a thread that stands
 * in for the timer softirq.  Neither interrupts anything: the thread that
 * asked goes on running (or waits), as another CPU would.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
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
		pthread_mutex_unlock(&shim_timer_lock);
		shim_set_cpu(t->shim_cpu);
		shim_softirq_enter();
		t->function(t);
		shim_softirq_exit();
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
