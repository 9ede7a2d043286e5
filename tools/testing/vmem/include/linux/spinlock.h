/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: spinlocks.  Taking one disables "preemption" (counts,
 * see linux/preempt.h); the _irqsave forms also record that interrupts
 * are off.  The uncontended path is one atomic exchange to lock and one
 * release store to unlock, the same work as a kernel queued spinlock's
 * fast path.  Contended waiters spin, then yield the host CPU (valgrind
 * runs one thread at a time).
 *
 * With CONFIG_DEBUG_SPINLOCK the waiters also queue, as on a kernel
 * qspinlock: each takes a ticket and they get the lock in turn, and
 * while one waits neither spin_lock() nor spin_trylock() may take the
 * lock ahead of it (the kernel's fast path fails on a queued waiter too).
 * So spin_is_contended() means what it means there, and a thread that
 * drops a lock and takes it again lets a waiter in first.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <linux/spinlock_types.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/bug.h>
#include <shim.h>

static inline void __shim_spin_lock_init(spinlock_t *lock, const char *file)
{
	*lock = (spinlock_t){ 0 };
#ifdef SHIM_LOCK_OWNER
	lock->shim_core = shim_lock_class_core(file);
#endif
}

/* As in the kernel, the class of a lock is where it was initialised. */
#define spin_lock_init(lock)	__shim_spin_lock_init(lock, __FILE__)

/* Waiters queue for @lock (with CONFIG_DEBUG_SPINLOCK). */
static inline bool __shim_spin_queued(spinlock_t *lock)
{
#ifdef SHIM_LOCK_OWNER
	return __atomic_load_n(&lock->shim_next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->shim_serving, __ATOMIC_RELAXED);
#else
	return false;
#endif
}

/* Count the core's locks held, for shim_alloc_check(). */
static inline void __shim_spin_acquired(spinlock_t *lock)
{
#ifdef SHIM_LOCK_OWNER
	WRITE_ONCE(lock->owner, &shim_task);
	if (lock->shim_core)
		shim_task.shim_spinlocks++;
#else
	shim_task.shim_spinlocks++;
#endif
}

static inline void spin_lock(spinlock_t *lock)
{
	preempt_disable();
#ifdef SHIM_LOCK_OWNER
	if (unlikely(READ_ONCE(lock->owner) == &shim_task))
		shim_report_bug("spinlock recursion", __FILE__, __LINE__);
#endif
#ifdef SHIM_LOCK_OWNER
	if (unlikely(__shim_spin_queued(lock) ||
		     __atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)))
		shim_spin_lock_queued(&lock->slock, &lock->shim_next,
				      &lock->shim_serving);
#else
	if (unlikely(__atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)))
		shim_spin_lock_contended(&lock->slock);
#endif
	__shim_spin_acquired(lock);
}

static inline int spin_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (__shim_spin_queued(lock) ||
	    __atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)) {
		preempt_enable();
		return 0;
	}
	__shim_spin_acquired(lock);
	return 1;
}

static inline void spin_unlock(spinlock_t *lock)
{
#ifdef SHIM_LOCK_OWNER
	if (unlikely(READ_ONCE(lock->owner) != &shim_task))
		shim_report_bug("spinlock unlocked by non-owner",
				__FILE__, __LINE__);
	WRITE_ONCE(lock->owner, NULL);
	if (lock->shim_core)
		shim_task.shim_spinlocks--;
#else
	shim_task.shim_spinlocks--;
#endif
	__atomic_store_n(&lock->slock, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

static inline int spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->slock, __ATOMIC_RELAXED);
}

#ifdef SHIM_LOCK_OWNER
/*
 * Another thread waits for @lock (with CONFIG_DEBUG_SPINLOCK only: the
 * production build keeps the lock a single int, and vmem/ does not ask).
 */
static inline int spin_is_contended(spinlock_t *lock)
{
	return __shim_spin_queued(lock);
}
#endif

#define spin_lock_irqsave(lock, flags) do {				\
	local_irq_save(flags);						\
	spin_lock(lock);						\
} while (0)

#define spin_unlock_irqrestore(lock, flags) do {			\
	spin_unlock(lock);						\
	local_irq_restore(flags);					\
} while (0)

#define spin_lock_irq(lock)	do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock)	do { spin_unlock(lock); local_irq_enable(); } while (0)
#define spin_lock_bh(lock)	spin_lock(lock)
#define spin_unlock_bh(lock)	spin_unlock(lock)
#define spin_lock_nested(lock, subclass)	spin_lock(lock)
#define spin_lock_irqsave_nested(lock, flags, subclass)		\
	spin_lock_irqsave(lock, flags)

#define assert_spin_locked(lock)	BUG_ON(!spin_is_locked(lock))

#define raw_spin_lock_init(l)		spin_lock_init(l)
#define raw_spin_lock(l)		spin_lock(l)
#define raw_spin_unlock(l)		spin_unlock(l)
#define raw_spin_lock_irqsave(l, f)	spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)

#endif /* _SHIM_LINUX_SPINLOCK_H */
