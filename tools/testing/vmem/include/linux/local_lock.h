/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: local locks.  In the kernel (!PREEMPT_RT) a local lock
 * only disables preemption or interrupts on the CPU: no other task can
 * run there meanwhile.  Threads standing in for CPUs are preemptible by
 * the host, so here a local lock is a real lock on the CPU's copy, taken
 * after preemption (and interrupts, for the _irq forms) are recorded as
 * off.  The lock is owned: taking it twice on one thread is a shim BUG.
 */
#ifndef _SHIM_LINUX_LOCAL_LOCK_H
#define _SHIM_LINUX_LOCAL_LOCK_H

#include <linux/percpu.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <shim.h>

typedef struct {
	int			slock;
	struct task_struct	*owner;
} local_lock_t;

#define INIT_LOCAL_LOCK(lockname)	{ 0, NULL }
#define local_lock_init(l)		(*(l) = (local_lock_t)INIT_LOCAL_LOCK(l))

void shim_local_lock_acquire(local_lock_t *l);
void shim_local_lock_release(local_lock_t *l);

#define local_lock(lock) do {						\
	preempt_disable();						\
	shim_local_lock_acquire(this_cpu_ptr(lock));			\
} while (0)

#define local_unlock(lock) do {						\
	shim_local_lock_release(this_cpu_ptr(lock));			\
	preempt_enable();						\
} while (0)

#define local_lock_irq(lock) do {					\
	local_irq_disable();						\
	local_lock(lock);						\
} while (0)

#define local_unlock_irq(lock) do {					\
	local_unlock(lock);						\
	local_irq_enable();						\
} while (0)

#define local_lock_irqsave(lock, flags) do {				\
	local_irq_save(flags);						\
	local_lock(lock);						\
} while (0)

#define local_unlock_irqrestore(lock, flags) do {			\
	local_unlock(lock);						\
	local_irq_restore(flags);					\
} while (0)

#endif /* _SHIM_LINUX_LOCAL_LOCK_H */
