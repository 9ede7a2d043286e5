/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: wait queues.
 *
 * A wait queue head counts its sleepers and a wake-up sequence number.
 * prepare_to_wait() records the sequence; schedule() then sleeps until a
 * wake-up moves it, so a wake-up between the condition check and the
 * sleep is never lost, which is the guarantee the kernel's
 * prepare_to_wait()/schedule() pair gives.  wake_up() wakes every
 * sleeper (not just one exclusive waiter): the wait_event() loops
 * re-check their condition, so this is only less efficient.  A sleeper
 * also wakes every few milliseconds to notice a fatal signal sent with
 * shim_kill(), which therefore needs no wake-up of its own.
 */
#ifndef _SHIM_LINUX_WAIT_H
#define _SHIM_LINUX_WAIT_H

#include <pthread.h>
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <shim.h>

struct wait_queue_head {
	pthread_mutex_t		lock;
	pthread_cond_t		cond;
	unsigned long		seq;		/* bumped by every wake-up */
	int			sleepers;	/* between prepare and finish */
};
typedef struct wait_queue_head wait_queue_head_t;

struct wait_queue_entry {
	bool			queued;
};

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)				\
	{ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 }
#define DECLARE_WAIT_QUEUE_HEAD(name)					\
	struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define DEFINE_WAIT(name)	struct wait_queue_entry name = { false }

void init_waitqueue_head(struct wait_queue_head *wq);
void prepare_to_wait(struct wait_queue_head *wq,
		     struct wait_queue_entry *wait, int state);
long prepare_to_wait_event(struct wait_queue_head *wq,
			   struct wait_queue_entry *wait, int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *wait);
void __wake_up(struct wait_queue_head *wq);

#define wake_up(wq)		__wake_up(wq)
#define wake_up_all(wq)		__wake_up(wq)
#define wake_up_interruptible(wq)	__wake_up(wq)
#define wake_up_interruptible_all(wq)	__wake_up(wq)

static inline int waitqueue_active(struct wait_queue_head *wq)
{
	return READ_ONCE(wq->sleepers) != 0;
}

static inline bool wq_has_sleeper(struct wait_queue_head *wq)
{
	smp_mb();
	return waitqueue_active(wq);
}

#define ___wait_event(wq, condition, state) ({				\
	long __ret = 0;							\
	DEFINE_WAIT(__wq_entry);					\
									\
	for (;;) {							\
		long __int = prepare_to_wait_event(&(wq), &__wq_entry,	\
						   state);		\
		if (condition)						\
			break;						\
		if (__int) {						\
			__ret = __int;					\
			break;						\
		}							\
		schedule();						\
	}								\
	finish_wait(&(wq), &__wq_entry);				\
	__ret;								\
})

#define wait_event(wq, condition) do {					\
	might_sleep();							\
	if (!(condition))						\
		(void)___wait_event(wq, condition, TASK_UNINTERRUPTIBLE); \
} while (0)

#define wait_event_killable(wq, condition) ({				\
	int __ret_k = 0;						\
	might_sleep();							\
	if (!(condition))						\
		__ret_k = (int)___wait_event(wq, condition,		\
					     TASK_KILLABLE);		\
	__ret_k;							\
})

#define wait_event_interruptible(wq, condition) ({			\
	int __ret_i = 0;						\
	might_sleep();							\
	if (!(condition))						\
		__ret_i = (int)___wait_event(wq, condition,		\
					     TASK_INTERRUPTIBLE);	\
	__ret_i;							\
})

#endif /* _SHIM_LINUX_WAIT_H */
