// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem.ko: the boundary tag cache and debugfs.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "vmem_impl.h"

struct kmem_cache *vmem_seg_cache;

static int __init vmem_module_init(void)
{
	vmem_seg_cache = KMEM_CACHE(vmem_seg, 0);
	if (!vmem_seg_cache)
		return -ENOMEM;
	vmem_debugfs_init();
	return 0;
}
module_init(vmem_module_init);

static void __exit vmem_module_exit(void)
{
	vmem_debugfs_exit();
	kmem_cache_destroy(vmem_seg_cache);
}
module_exit(vmem_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem: a general resource allocator (arenas, spans, constrained allocation)");
MODULE_AUTHOR("The vmem for Linux developers");
