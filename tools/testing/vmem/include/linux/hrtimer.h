/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: high-resolution timers on CLOCK_MONOTONIC.  One thread
 * stands in for every CPU's hrtimer interrupt: it runs each callback
 * when it expires, on the CPU that started the timer, in hard interrupt
 * context (interrupts off), or in softirq context for the _SOFT modes,
 * as a kernel without PREEMPT_RT does.  A timer armed on a CPU that goes
 * offline fires on another, as the kernel migrates it.  A callback that
 * returns HRTIMER_RESTART is queued again at the expiry it set
 * (hrtimer_forward_now()); hrtimer_cancel() returns with the timer
 * neither queued nor running.  The callback may free a timer that it
 * does not restart.
 */
#ifndef _SHIM_LINUX_HRTIMER_H
#define _SHIM_LINUX_HRTIMER_H

#include <time.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/ktime.h>

enum hrtimer_mode {
	HRTIMER_MODE_ABS	= 0x00,
	HRTIMER_MODE_REL	= 0x01,
	HRTIMER_MODE_PINNED	= 0x02,
	HRTIMER_MODE_SOFT	= 0x04,
	HRTIMER_MODE_HARD	= 0x08,

	HRTIMER_MODE_ABS_PINNED = HRTIMER_MODE_ABS | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_REL_PINNED = HRTIMER_MODE_REL | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_ABS_SOFT	= HRTIMER_MODE_ABS | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_SOFT	= HRTIMER_MODE_REL | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_ABS_PINNED_SOFT = HRTIMER_MODE_ABS_PINNED | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_PINNED_SOFT = HRTIMER_MODE_REL_PINNED | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_ABS_HARD	= HRTIMER_MODE_ABS | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_HARD	= HRTIMER_MODE_REL | HRTIMER_MODE_HARD,
	HRTIMER_MODE_ABS_PINNED_HARD = HRTIMER_MODE_ABS_PINNED | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_PINNED_HARD = HRTIMER_MODE_REL_PINNED | HRTIMER_MODE_HARD,
};

enum hrtimer_restart {
	HRTIMER_NORESTART,
	HRTIMER_RESTART,
};

struct hrtimer {
	struct list_head	shim_entry;	/* on the queue iff queued */
	ktime_t			shim_expires;
	enum hrtimer_restart	(*function)(struct hrtimer *timer);
	int			shim_cpu;	/* fires on this CPU */
	bool			shim_soft;	/* in softirq context */
};

/* Only CLOCK_MONOTONIC. */
void hrtimer_init(struct hrtimer *timer, clockid_t which_clock,
		  enum hrtimer_mode mode);
void hrtimer_start(struct hrtimer *timer, ktime_t tim,
		   const enum hrtimer_mode mode);
int hrtimer_cancel(struct hrtimer *timer);
bool hrtimer_is_queued(struct hrtimer *timer);
u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval);

static inline u64 hrtimer_forward_now(struct hrtimer *timer,
				      ktime_t interval)
{
	return hrtimer_forward(timer, ktime_get(), interval);
}

static inline ktime_t hrtimer_get_expires(const struct hrtimer *timer)
{
	return timer->shim_expires;
}

#endif /* _SHIM_LINUX_HRTIMER_H */
