/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: spinlock_t is a real test-and-test-and-set lock on an
 * int (the benchmark counts it, as the illumos figure counts its mutex).
 * With CONFIG_DEBUG_SPINLOCK it records its owner, which makes recursion
 * and unlocking by a non-owner shim BUGs and lets lockdep_assert_held()
 * check the holder, and its class, as lockdep keys a lock by the place
 * that initialised it: whether spin_lock_init() ran in the vmem core
 * (vmem/), whose locks must never be held across a memory allocation;
 * and its waiters queue, as they do on a kernel qspinlock.
 */
#ifndef _SHIM_LINUX_SPINLOCK_TYPES_H
#define _SHIM_LINUX_SPINLOCK_TYPES_H

#include <linux/types.h>

struct task_struct;

#if defined(CONFIG_DEBUG_SPINLOCK) || defined(CONFIG_LOCKDEP)
#define SHIM_LOCK_OWNER 1
#endif

typedef struct spinlock {
	int			slock;
#ifdef SHIM_LOCK_OWNER
	struct task_struct	*owner;
	bool			shim_core;	/* initialised in vmem/ */
	/* tickets of the waiters, served in order (see linux/spinlock.h) */
	unsigned int		shim_next;
	unsigned int		shim_serving;
#endif
} spinlock_t;

typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	((spinlock_t){ 0 })
#define __RAW_SPIN_LOCK_UNLOCKED(name)	__SPIN_LOCK_UNLOCKED(name)
#define DEFINE_SPINLOCK(name)		spinlock_t name = { 0 }
#define DEFINE_RAW_SPINLOCK(name)	DEFINE_SPINLOCK(name)

#endif /* _SHIM_LINUX_SPINLOCK_TYPES_H */
