/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: lockdep's assertions, not its dependency prover (the
 * test kernel runs with CONFIG_PROVE_LOCKING for that).  With
 * CONFIG_LOCKDEP, lockdep_assert_held() warns unless the calling thread
 * holds the lock; spinlock_t and struct mutex both record their owner.
 */
#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H

#include <linux/bug.h>
#include <shim.h>

struct lock_class_key {
	int unused;
};

#define lockdep_set_class(lock, key)			do { (void)(key); } while (0)
#define lockdep_set_class_and_name(lock, key, name)	do { (void)(key); } while (0)
#define lockdep_register_key(key)			do { (void)(key); } while (0)
#define lockdep_unregister_key(key)			do { (void)(key); } while (0)

#ifdef CONFIG_LOCKDEP
#define lockdep_is_held(lock)	(READ_ONCE((lock)->owner) == &shim_task)
#define lockdep_assert(cond)	WARN_ON(!(cond))
#define lockdep_assert_once(cond)	WARN_ON_ONCE(!(cond))
#define lockdep_assert_held(lock)	lockdep_assert(lockdep_is_held(lock))
#define lockdep_assert_not_held(lock)	lockdep_assert(!lockdep_is_held(lock))
#define lockdep_assert_held_once(lock)	lockdep_assert_once(lockdep_is_held(lock))
#define lockdep_assert_irqs_disabled()	lockdep_assert(shim_task.shim_irqs_off)
#define lockdep_assert_irqs_enabled()	lockdep_assert(!shim_task.shim_irqs_off)
#define lockdep_assert_preemption_disabled() \
	lockdep_assert(shim_task.shim_preempt > 0 || shim_task.shim_irqs_off)
#else
#define lockdep_assert(cond)		do { } while (0)
#define lockdep_assert_once(cond)	do { } while (0)
#define lockdep_assert_held(lock)	do { (void)(lock); } while (0)
#define lockdep_assert_not_held(lock)	do { (void)(lock); } while (0)
#define lockdep_assert_held_once(lock)	do { (void)(lock); } while (0)
#define lockdep_assert_irqs_disabled()	do { } while (0)
#define lockdep_assert_irqs_enabled()	do { } while (0)
#define lockdep_assert_preemption_disabled() do { } while (0)
#endif

#endif /* _SHIM_LINUX_LOCKDEP_H */
