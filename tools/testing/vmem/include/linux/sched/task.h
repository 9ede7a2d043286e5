/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: task_struct references.  Counted for kernel threads,
 * whose task_struct lives until the last reference goes (see
 * linux/kthread.h); other tasks are threads the harness owns, which
 * outlive every reference a test can take.
 */
#ifndef _SHIM_LINUX_SCHED_TASK_H
#define _SHIM_LINUX_SCHED_TASK_H

#include <linux/sched.h>

struct task_struct *get_task_struct(struct task_struct *t);
void put_task_struct(struct task_struct *t);

#endif /* _SHIM_LINUX_SCHED_TASK_H */
