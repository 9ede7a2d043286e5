/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: the current task.  `current` is the calling thread's
 * struct task_struct (include/shim.h).  schedule() sleeps only after
 * prepare_to_wait(); otherwise it yields the host CPU.
 */
#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H

#include <linux/types.h>
#include <linux/preempt.h>
#include <shim.h>

#define current			(&shim_task)

#define __set_current_state(s)	WRITE_ONCE(shim_task.__state, (s))
#define set_current_state(s)	do { __set_current_state(s); smp_mb(); } while (0)
#define task_pid_nr(t)		((t)->pid)

void schedule(void);
/* Start a kernel thread made by kthread_create(); 1 if it was waiting. */
int wake_up_process(struct task_struct *p);
void shim_cond_resched(const char *file, int line);
#define cond_resched()		shim_cond_resched(__FILE__, __LINE__)
#define yield()			schedule()

static inline int signal_pending(struct task_struct *p)
{
	return READ_ONCE(p->shim_fatal);
}

static inline int fatal_signal_pending(struct task_struct *p)
{
	return READ_ONCE(p->shim_fatal);
}

static inline int signal_pending_state(unsigned int state,
				       struct task_struct *p)
{
	if (!(state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL)))
		return 0;
	if (!signal_pending(p))
		return 0;
	return (state & TASK_INTERRUPTIBLE) || fatal_signal_pending(p);
}

#endif /* _SHIM_LINUX_SCHED_H */
