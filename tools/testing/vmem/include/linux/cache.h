/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SHIM_LINUX_CACHE_H
#define _SHIM_LINUX_CACHE_H

#include <linux/compiler.h>

#define L1_CACHE_SHIFT			6
#define L1_CACHE_BYTES			(1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES			L1_CACHE_BYTES
#define ____cacheline_aligned		__aligned(SMP_CACHE_BYTES)
#define ____cacheline_aligned_in_smp	____cacheline_aligned
#define __cacheline_aligned		____cacheline_aligned
#define __cacheline_aligned_in_smp	____cacheline_aligned
#define __read_mostly

#endif /* _SHIM_LINUX_CACHE_H */
