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
 * Delayed work: its timer is not timed.  A delay of 0 queues the item at
 * once; any other arms it, and it stays armed (delayed_work_pending())
 * until shim_fire_delayed_work() queues every armed item, as if their
 * time had come, or mod_delayed_work(), flush_delayed_work() or
 * cancel_delayed_work_sync() acts on it.
 */
#ifndef _SHIM_LINUX_WORKQUEUE_H
#define _SHIM_LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/container_of.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t		func;
	struct list_head	entry;		/* on the queue iff pending */
	bool			pending;
	bool			running;
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;

#define INIT_WORK(work, fn) do {					\
	(work)->func = (fn);						\
	INIT_LIST_HEAD(&(work)->entry);					\
	(work)->pending = false;					\
	(work)->running = false;					\
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
	struct list_head	timer;	/* on the armed list iff armed */
	bool			armed;
};

#define INIT_DELAYED_WORK(dwork, fn) do {				\
	INIT_WORK(&(dwork)->work, (fn));				\
	INIT_LIST_HEAD(&(dwork)->timer);				\
	(dwork)->armed = false;						\
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
bool delayed_work_pending(struct delayed_work *dwork);

static inline bool schedule_delayed_work(struct delayed_work *dwork,
					 unsigned long delay)
{
	return queue_delayed_work(system_wq, dwork, delay);
}

/* Queue every armed delayed work item now; returns how many. */
unsigned int shim_fire_delayed_work(void);

#endif /* _SHIM_LINUX_WORKQUEUE_H */
