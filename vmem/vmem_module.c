// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem.ko: the boundary tag caches, the quantum caches' CPU hotplug
 * state, debugfs.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "vmem_impl.h"

/* Small tags (allocated segments, free ones of unindexed arenas), big tags. */
struct kmem_cache *vmem_seg_cache;
struct kmem_cache *vmem_iseg_cache;

static int __init vmem_module_init(void)
{
	int err;

	vmem_seg_cache = KMEM_CACHE(vmem_seg, 0);
	vmem_iseg_cache = KMEM_CACHE(vmem_iseg, 0);
	if (!vmem_seg_cache || !vmem_iseg_cache) {
		kmem_cache_destroy(vmem_seg_cache);
		kmem_cache_destroy(vmem_iseg_cache);
		return -ENOMEM;
	}
	err = vmem_qcache_module_init();
	if (err) {
		kmem_cache_destroy(vmem_iseg_cache);
		kmem_cache_destroy(vmem_seg_cache);
		return err;
	}
	vmem_debugfs_init();
	return 0;
}
module_init(vmem_module_init);

static void __exit vmem_module_exit(void)
{
	vmem_debugfs_exit();
	vmem_qcache_module_exit();
	kmem_cache_destroy(vmem_iseg_cache);
	kmem_cache_destroy(vmem_seg_cache);
}
module_exit(vmem_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem: a general resource allocator (arenas, spans, constrained allocation)");
MODULE_AUTHOR("The vmem for Linux developers");
