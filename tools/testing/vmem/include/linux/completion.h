/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: completions, on a mutex and a condition variable.  The
 * kernel's guarantees hold: complete() may be called from any context
 * and never sleeps; a waiter that returns has consumed one complete()
 * (or all of them after complete_all()); complete() does not touch the
 * completion after the waiter can see it done, so the waiter may free it
 * at once (kthread_complete_and_exit() relies on that).  The waits are
 * might_sleep() points.
 */
#ifndef _SHIM_LINUX_COMPLETION_H
#define _SHIM_LINUX_COMPLETION_H

#include <pthread.h>
#include <linux/types.h>
#include <linux/jiffies.h>
#include <linux/wait.h>

struct completion {
	unsigned int		done;
	pthread_mutex_t		lock;
	pthread_cond_t		cond;
};

#define COMPLETION_INITIALIZER(work)					\
	{ 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER }
#define DECLARE_COMPLETION(work)					\
	struct completion work = COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION_ONSTACK(work)	DECLARE_COMPLETION(work)

void init_completion(struct completion *x);
void reinit_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
void wait_for_completion(struct completion *x);
/* Return: 0 on timeout, else the jiffies left (at least 1). */
unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout);
bool try_wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);

#endif /* _SHIM_LINUX_COMPLETION_H */
