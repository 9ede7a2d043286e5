/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: sleeping delays sleep the thread (and may_sleep-check). */
#ifndef _SHIM_LINUX_DELAY_H
#define _SHIM_LINUX_DELAY_H

#include <linux/kernel.h>

void msleep(unsigned int msecs);
void usleep_range(unsigned long min, unsigned long max);
void udelay(unsigned long usecs);

#endif /* _SHIM_LINUX_DELAY_H */
