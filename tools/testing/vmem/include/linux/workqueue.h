/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: work items on one system workqueue.  How they run
 * (queued until the harness runs them, or by a worker thread) is chosen
 * with shim_wq_set_mode(); see include/shim.h.  The kernel's guarantees
 * that vmem relies on hold in both modes: a queued item runs once, later,
 * in process context with no lock held; schedule_work() on a pending item
 * does nothing and returns false; cancel_work_sync() returns with the
 * item neither pending nor running; flush_work() returns after the last
 * queueing has run.
 *
 * Delayed work: an item queued with a delay is armed, and pending (as the
 * kernel's PENDING bit says) until it runs.  With the worker thread it is
 * queued when its delay has passed in jiffies, as the kernel's timer
 * does; in manual mode time is the test's: it stays armed until
 * shim_fire_delayed_work() queues it, as if its time had come.
 * mod_delayed_work(), flush_delayed_work() and cancel_delayed_work_sync()
 * act on it at once in both modes.
 */
#ifndef _SHIM_LINUX_WORKQUEUE_H
#define _SHIM_LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/container_of.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t		func;
	/* on the queue iff pending and not armed; on the timers iff armed */
	struct list_head	entry;
	bool			pending;
	bool			running;
	bool			armed;		/* a delayed item's timer */
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;

#define INIT_WORK(work, fn) do {					\
	(work)->func = (fn);						\
	INIT_LIST_HEAD(&(work)->entry);					\
	(work)->pending = false;					\
	(work)->running = false;					\
	(work)->armed = false;						\
} while (0)

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool flush_work(struct work_struct *work);
bool work_pending(struct work_struct *work);

static inline bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

struct delayed_work {
	struct work_struct	work;
	unsigned long		shim_expires;	/* jiffies, while armed */
};

#define INIT_DELAYED_WORK(dwork, fn) do {				\
	INIT_WORK(&(dwork)->work, (fn));				\
	(dwork)->shim_expires = 0;					\
} while (0)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

bool queue_delayed_work(struct workqueue_struct *wq,
			struct delayed_work *dwork, unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq,
		      struct delayed_work *dwork, unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *dwork);
bool flush_delayed_work(struct delayed_work *dwork);

static inline bool delayed_work_pending(struct delayed_work *dwork)
{
	return work_pending(&dwork->work);
}

static inline bool schedule_delayed_work(struct delayed_work *dwork,
					 unsigned long delay)
{
	return queue_delayed_work(system_wq, dwork, delay);
}

#endif /* _SHIM_LINUX_WORKQUEUE_H */
