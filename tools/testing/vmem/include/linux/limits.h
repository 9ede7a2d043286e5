/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: integer limits under their kernel names.  The C
 * library's <limits.h> includes <linux/limits.h> for the UAPI limits, so
 * this header passes those on too.
 */
#ifndef _SHIM_LINUX_LIMITS_H
#define _SHIM_LINUX_LIMITS_H

#include_next <linux/limits.h>
#include <limits.h>
#include <stdint.h>

#define U8_MAX		((u8)~0U)
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)
#define S32_MAX		((s32)(U32_MAX >> 1))
#define S32_MIN		((s32)(-S32_MAX - 1))
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))
#define S64_MIN		((s64)(-S64_MAX - 1))
#ifndef SIZE_MAX
#define SIZE_MAX	(~(size_t)0)
#endif
#define PHYS_ADDR_MAX	(~(phys_addr_t)0)

#endif /* _SHIM_LINUX_LIMITS_H */
