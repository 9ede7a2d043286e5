/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: slab caches and kmalloc on top of malloc, with
 * per-cache live-object counters (leak checks: shim_slab_live(),
 * shim_kmalloc_live()) and failslab-style fault injection (include/shim.h).
 * A blocking allocation (GFP_KERNEL) made in atomic context is a shim BUG,
 * as might_sleep() would report it in the kernel.  Destroying a cache
 * that still has objects prints the kernel's complaint and WARNs.
 *
 * Objects are not zeroed unless asked (__GFP_ZERO, kzalloc, a ctor is
 * not supported); outside valgrind they are filled with 0xa5 so that a
 * read of uninitialised memory does not silently see zeroes, and under
 * valgrind they are left undefined so that memcheck reports such reads.
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/string.h>

#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_PANIC		0x00040000u
#define SLAB_ACCOUNT		0x04000000u
#define SLAB_RECLAIM_ACCOUNT	0x00020000u
#define SLAB_NO_MERGE		0x01000000u
#define SLAB_TYPESAFE_BY_RCU	0x00080000u

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
#define kmem_cache_zalloc(s, gfp)	kmem_cache_alloc(s, (gfp) | __GFP_ZERO)

#define KMEM_CACHE(__struct, __flags)					\
	kmem_cache_create(#__struct, sizeof(struct __struct),		\
			  __alignof__(struct __struct), (__flags), NULL)

void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *obj);
void *kvmalloc(size_t size, gfp_t gfp);
void kvfree(const void *obj);
size_t ksize(const void *obj);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc(bytes, gfp);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}

#endif /* _SHIM_LINUX_SLAB_H */
