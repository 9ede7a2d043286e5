/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: kvmalloc() and friends live in linux/slab.h here. */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <linux/slab.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#endif /* _SHIM_LINUX_MM_H */
