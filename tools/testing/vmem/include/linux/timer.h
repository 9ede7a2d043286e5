/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: timers.  One thread stands in for the timer softirq:
 * it runs each callback when it expires, in softirq context
 * (in_serving_softirq(), atomic, interrupts on) on the CPU that armed
 * the timer.  timer_delete_sync() returns with the callback neither
 * pending nor running, as in the kernel.
 */
#ifndef _SHIM_LINUX_TIMER_H
#define _SHIM_LINUX_TIMER_H

#include <time.h>		/* first: it has a timer_delete() of its own */
#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/container_of.h>

struct timer_list {
	struct list_head	entry;		/* on the queue iff pending */
	unsigned long		expires;
	void			(*function)(struct timer_list *timer);
	u32			flags;
	/* shim: armed on this CPU */
	int			shim_cpu;
};

void timer_setup(struct timer_list *timer,
		 void (*function)(struct timer_list *timer),
		 unsigned int flags);
int mod_timer(struct timer_list *timer, unsigned long expires);
void add_timer(struct timer_list *timer);
int timer_pending(const struct timer_list *timer);
int shim_timer_delete(struct timer_list *timer);
int timer_delete_sync(struct timer_list *timer);

#define timer_delete(timer)	shim_timer_delete(timer)
#define del_timer(timer)	timer_delete(timer)
#define del_timer_sync(timer)	timer_delete_sync(timer)
#define from_timer(var, callback_timer, timer_fieldname)		\
	container_of(callback_timer, typeof(*var), timer_fieldname)

#endif /* _SHIM_LINUX_TIMER_H */
