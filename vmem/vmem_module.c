// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem.ko: the boundary tag cache, debugfs, and the test seed.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "vmem_impl.h"

struct kmem_cache *vmem_seg_cache;

static unsigned long test_seed;
module_param(test_seed, ulong, 0444);
MODULE_PARM_DESC(test_seed,
		 "Seed of the randomized KUnit suites (0: pick one at load)");

/**
 * vmem_test_seed() - The seed of the randomized test suites.
 *
 * The seed is a parameter of vmem.ko, loaded before any suite module, so
 * that every randomized suite and every test module of a run shares one
 * seed and one place to set it: `insmod vmem.ko test_seed=N` reruns the
 * randomized suites exactly.
 *
 * Context: Any context.
 * Return: the test_seed parameter, or the non-zero seed picked at load.
 */
unsigned long vmem_test_seed(void)
{
	return test_seed;
}
EXPORT_SYMBOL_GPL(vmem_test_seed);

static int __init vmem_module_init(void)
{
	int err;

	while (!test_seed)
		test_seed = get_random_long();
	vmem_seg_cache = KMEM_CACHE(vmem_seg, 0);
	if (!vmem_seg_cache)
		return -ENOMEM;
	err = vmem_qcache_module_init();
	if (err) {
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
	kmem_cache_destroy(vmem_seg_cache);
}
module_exit(vmem_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem: a general resource allocator (arenas, spans, constrained allocation)");
MODULE_AUTHOR("The vmem for Linux developers");
