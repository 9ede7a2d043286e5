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
 */
#ifndef _SHIM_LINUX_WORKQUEUE_H
#define _SHIM_LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>

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

#endif /* _SHIM_LINUX_WORKQUEUE_H */
