/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: the UAPI errno values (the C library's <errno.h> reads
 * them from here too, since this header shadows the UAPI one), plus the
 * kernel-internal codes.
 */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>
#include <errno.h>

#define ERESTARTSYS	512
#define ERESTARTNOINTR	513
#define ENOTSUPP	524

#endif /* _SHIM_LINUX_ERRNO_H */
