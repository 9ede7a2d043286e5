/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: a sleeping mutex is a pthread mutex plus its owner. */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <pthread.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <shim.h>

struct mutex {
	pthread_mutex_t		m;
	struct task_struct	*owner;
};

#define __MUTEX_INITIALIZER(name)	{ PTHREAD_MUTEX_INITIALIZER, NULL }
#define DEFINE_MUTEX(name)		struct mutex name = __MUTEX_INITIALIZER(name)

static inline void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->m, NULL);
	lock->owner = NULL;
}

static inline void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->m);
}

static inline void __shim_mutex_lock(struct mutex *lock, const char *file,
				     int line)
{
	shim_might_sleep(file, line);
	if (READ_ONCE(lock->owner) == current)
		shim_report_bug("mutex recursion", file, line);
	if (pthread_mutex_trylock(&lock->m)) {
		/* blocked: asleep, on no CPU (shim/cpu.c) */
		shim_cpu_sleep_begin();
		pthread_mutex_lock(&lock->m);
		shim_cpu_sleep_end();
	}
	WRITE_ONCE(lock->owner, current);
}

#define mutex_lock(lock)	__shim_mutex_lock(lock, __FILE__, __LINE__)
#define mutex_lock_nested(lock, subclass)	mutex_lock(lock)
#define mutex_lock_killable(lock)	(mutex_lock(lock), 0)
#define mutex_lock_interruptible(lock)	(mutex_lock(lock), 0)

static inline int mutex_trylock(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->m))
		return 0;
	WRITE_ONCE(lock->owner, current);
	return 1;
}

static inline void mutex_unlock(struct mutex *lock)
{
	if (READ_ONCE(lock->owner) != current)
		shim_report_bug("mutex unlocked by non-owner", __FILE__,
				__LINE__);
	WRITE_ONCE(lock->owner, NULL);
	pthread_mutex_unlock(&lock->m);
}

static inline bool mutex_is_locked(struct mutex *lock)
{
	return READ_ONCE(lock->owner) != NULL;
}

#endif /* _SHIM_LINUX_MUTEX_H */
