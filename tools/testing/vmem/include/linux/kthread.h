/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: kernel threads are threads of the host.
 *
 * kthread_create() starts a thread that waits for wake_up_process()
 * before it calls its function, so kthread_bind() can give it its CPU
 * first (a virtual CPU: see include/shim.h).  Its task_struct is the
 * thread's own (current), and lives, as in the kernel, as long as a
 * reference holds it: a thread that has finished waits, unseen, until
 * the last put_task_struct() before it goes away.  Kernel threads ignore
 * signals unless they ask for SIGKILL with kernel_sigaction().
 */
#ifndef _SHIM_LINUX_KTHREAD_H
#define _SHIM_LINUX_KTHREAD_H

#include <linux/err.h>
#include <linux/sched.h>
#include <linux/completion.h>

__printf(3, 4)
struct task_struct *kthread_create(int (*threadfn)(void *data), void *data,
				   const char *namefmt, ...);
void kthread_bind(struct task_struct *k, unsigned int cpu);
void __noreturn kthread_exit(long result);
void __noreturn kthread_complete_and_exit(struct completion *comp,
					  long code);

#define kthread_run(threadfn, data, namefmt, ...) ({			\
	struct task_struct *__k =					\
		kthread_create(threadfn, data, namefmt, ##__VA_ARGS__);	\
	if (!IS_ERR(__k))						\
		wake_up_process(__k);					\
	__k;								\
})

#endif /* _SHIM_LINUX_KTHREAD_H */
