// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_bigarena: an arena of a million segments, and a thread that keeps
 * allocating and freeing in it, for the guest script's test that reading
 * /sys/kernel/debug/vmem/vmem_big/segments takes the arena's lock only a
 * batch at a time (scripts/guest-init.sh, Debian's kernels).
 *
 * At load: the arena "vmem_big" of 2^20 one-page ranges, every other one
 * allocated: a span and 2^20 segments.  Then a thread allocates and frees
 * a range in the arena, again and again, counting the pairs in the
 * read-only parameter "pairs"; the guest reads it before and after
 * reading the segments file.  Everything goes at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/vmem.h>
#include <linux/vmem_ns.h>

#define BIG_PAGE	4096UL
#define BIG_BASE	0x100000000UL
#define BIG_PAGES	1048576UL

static struct vmem *big;
static struct task_struct *churn;

static unsigned long pairs;
module_param(pairs, ulong, 0444);
MODULE_PARM_DESC(pairs, "allocate+free pairs the thread has made");

/* Allocate and free one page of the arena until the module goes. */
static int big_churn(void *arg)
{
	while (!kthread_should_stop()) {
		unsigned long a;

		if (!vmem_alloc(big, BIG_PAGE, VMEM_SLEEP, &a)) {
			vmem_free(big, a, BIG_PAGE);
			WRITE_ONCE(pairs, pairs + 1);
		}
		cond_resched();
	}
	return 0;
}

static void big_free_all(unsigned long from)
{
	unsigned long i;

	for (i = from; i < BIG_PAGES; i += 2) {
		vmem_free(big, BIG_BASE + i * BIG_PAGE, BIG_PAGE);
		if (!(i % 65536))
			cond_resched();
	}
}

static int __init big_init(void)
{
	unsigned long i, a;
	int err;

	big = vmem_create("vmem_big", BIG_BASE, BIG_PAGES * BIG_PAGE,
			  BIG_PAGE, NULL, NULL, NULL, 0, 0);
	if (IS_ERR(big))
		return PTR_ERR(big);
	for (i = 0; i < BIG_PAGES; i++) {
		err = vmem_alloc(big, BIG_PAGE, VMEM_SLEEP, &a);
		if (err || a != BIG_BASE + i * BIG_PAGE) {
			pr_err("FAILED: allocation %lu: %d at %#lx\n", i, err, a);
			err = err ?: -EINVAL;
			goto out;
		}
		if (!(i % 65536))
			cond_resched();
	}
	/* every other page free: 2^19 free and 2^19 allocated segments */
	big_free_all(0);
	churn = kthread_run(big_churn, NULL, "vmem_big_churn");
	if (IS_ERR(churn)) {
		err = PTR_ERR(churn);
		goto out_half;
	}
	pr_info("%lu segments\n", BIG_PAGES);
	return 0;

out_half:
	big_free_all(1);
	vmem_destroy(big);
	return err;
out:
	vmem_destroy(big);	/* reports what it held */
	return err;
}
module_init(big_init);

static void __exit big_exit(void)
{
	kthread_stop(churn);
	big_free_all(1);
	vmem_destroy(big);
}
module_exit(big_exit);

VMEM_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem test fixture: an arena of a million segments");
