/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: the kernel's integer types, on top of the C library's. */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/compiler.h>

typedef uint8_t		u8;
typedef uint16_t	u16;
typedef uint32_t	u32;
typedef unsigned long long u64;	/* as the kernel: int-ll64.h */
typedef int8_t		s8;
typedef int16_t		s16;
typedef int32_t		s32;
typedef long long	s64;
typedef u8		__u8;
typedef u16		__u16;
typedef u32		__u32;
typedef u64		__u64;
typedef s32		__s32;
typedef s64		__s64;

typedef unsigned int	gfp_t;
typedef u64		phys_addr_t;
typedef u64		dma_addr_t;
typedef long		__kernel_long_t;

#define BITS_PER_LONG		(__SIZEOF_LONG__ * 8)
#define BITS_PER_LONG_LONG	64
#define BITS_PER_BYTE		8

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

/* Opaque kernel objects the core may point to but never needs here. */
struct dentry;
struct module;
struct seq_file;

#endif /* _SHIM_LINUX_TYPES_H */
