// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_iommu_sample: an IOMMU-style allocator of I/O virtual addresses.
 *
 * A client of vmem.ko written as an IOMMU driver would write it.  Two
 * arenas:
 *
 *   iommu_window  the device's whole IOVA window, [IOVA_BASE, IOVA_END):
 *                 4 GiB + 32 MiB that straddle the 4 GiB and 8 GiB lines,
 *                 in IOMMU pages of 4 KiB (the quantum);
 *   iommu_dev0    one device's arena.  It starts empty and imports what it
 *                 needs from iommu_window (vmem_alloc and vmem_free as the
 *                 import and release functions), and puts quantum caches in
 *                 front of the sizes up to IOVA_QCACHE_MAX, eight pages,
 *                 which most DMA mappings are.
 *
 * Descriptor rings are mapped with vmem_xalloc(): 64 KiB aligned and never
 * across a 4 GiB line, because the device holds the upper 32 bits of a
 * ring's address in one register.  Buffers are mapped and unmapped from a
 * timer, in softirq context, with VMEM_NOSLEEP, as a network driver's
 * completion path would.
 *
 * Every address vmem hands out is checked: inside the window, page aligned,
 * meeting its constraints, overlapping nothing else held, known to
 * vmem_contains(); where only one address is right, that address.  The
 * window's usage must equal what the device arena imported.  A wrong answer
 * is logged as "FAILED: ..." and fails the load; at unload (when the
 * destroyed device arena must have given everything back) it is logged;
 * scripts/guest-init.sh looks for both, and reads both arenas' statistics
 * in debugfs.
 *
 * 4 GiB lines need a 64-bit unsigned long: this sample is for 64-bit
 * kernels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/timer.h>
#include <linux/vmem.h>
#include <linux/vmem_ns.h>

#if BITS_PER_LONG < 64
#error "vmem_iommu_sample needs a 64-bit kernel"
#endif

/* Addresses are unsigned long; SZ_4G and up in <linux/sizes.h> are not. */
#define IOVA_4G		BIT(32)
#define IOVA_8G		(2 * IOVA_4G)
#define IOVA_PAGE	((unsigned long)SZ_4K)
#define IOVA_BASE	(IOVA_4G - SZ_16M)
#define IOVA_SIZE	(IOVA_4G + SZ_32M)
#define IOVA_END	(IOVA_BASE + IOVA_SIZE)
#define IOVA_QCACHE_MAX	(8 * IOVA_PAGE)

#define RING_ALIGN	((unsigned long)SZ_64K)
#define RING_NOCROSS	IOVA_4G
#define NRINGS		6

#define TIMER_ROUNDS	40
#define TIMER_NBUF	8	/* buffers mapped per round */

struct iova_range {
	unsigned long addr;
	unsigned long size;
};

static struct vmem *iommu_window;
static struct vmem *iommu_dev;
static struct iova_range rings[NRINGS];
static unsigned int nrings;
static atomic_t iova_failures = ATOMIC_INIT(0);

#define iova_fail(fmt, ...) do {				\
	pr_err("FAILED: " fmt "\n", ##__VA_ARGS__);		\
	atomic_inc(&iova_failures);				\
} while (0)

/* The timer's state: owned by the timer callback while it runs. */
static struct timer_list iova_timer;
static DECLARE_COMPLETION(iova_timer_done);
static struct iova_range tbufs[TIMER_NBUF];
static unsigned int tbufs_n;
static unsigned int tround;
static unsigned long tmapped;

static bool iova_overlap(const struct iova_range *a, unsigned long addr,
			 unsigned long size)
{
	return addr < a->addr + a->size && a->addr < addr + size;
}

/*
 * What every range from iommu_dev must be: inside the window, in whole
 * pages, known to vmem, and apart from every ring and from @others.
 */
static bool iova_check(const char *what, unsigned long addr,
		       unsigned long size, const struct iova_range *others,
		       unsigned int nothers)
{
	unsigned int i;

	if (addr < IOVA_BASE || addr > IOVA_END - size) {
		iova_fail("%s: [%#lx, +%#lx) outside the window [%#lx, %#lx)",
			  what, addr, size, IOVA_BASE, IOVA_END);
		return false;
	}
	if (!IS_ALIGNED(addr | size, IOVA_PAGE) ||
	    !vmem_contains(iommu_dev, addr, size)) {
		iova_fail("%s: [%#lx, +%#lx) not whole pages of iommu_dev",
			  what, addr, size);
		return false;
	}
	for (i = 0; i < nrings; i++) {
		if (iova_overlap(&rings[i], addr, size)) {
			iova_fail("%s: [%#lx, +%#lx) overlaps ring %u", what,
				  addr, size, i);
			return false;
		}
	}
	for (i = 0; i < nothers; i++) {
		if (iova_overlap(&others[i], addr, size)) {
			iova_fail("%s: [%#lx, +%#lx) overlaps [%#lx, +%#lx)",
				  what, addr, size, others[i].addr,
				  others[i].size);
			return false;
		}
	}
	return true;
}

/* The window has handed out exactly what the device arena imported. */
static void iova_check_import(const char *when)
{
	struct vmem_stats st;
	unsigned long used = vmem_arena_size(iommu_window, VMEM_ALLOC);

	vmem_get_stats(iommu_dev, &st);
	if (used != st.mem_import || !st.nimport)
		iova_fail("%s: window has %#lx in use, device imported %#lx in %llu",
			  when, used, st.mem_import, st.nimport);
}

/*
 * Map a ring: @size bytes, 64 KiB aligned, not across a 4 GiB line, inside
 * [@lo, @hi].  Kept until unload.
 */
static int iova_map_ring(unsigned long size, unsigned long lo,
			 unsigned long hi)
{
	unsigned long addr;
	int err;

	err = vmem_xalloc(iommu_dev, size, RING_ALIGN, 0, RING_NOCROSS, lo, hi,
			  VMEM_SLEEP, &addr);
	if (err) {
		iova_fail("ring %u: vmem_xalloc(%#lx in [%#lx, %#lx]): %d",
			  nrings, size, lo, hi, err);
		return err;
	}
	if (!iova_check("ring", addr, size, NULL, 0) ||
	    !IS_ALIGNED(addr, RING_ALIGN) ||
	    (addr ^ (addr + size - 1)) >= RING_NOCROSS ||
	    addr < lo || addr + size - 1 > hi) {
		iova_fail("ring %u: [%#lx, +%#lx) misaligned, crossing or outside [%#lx, %#lx]",
			  nrings, addr, size, lo, hi);
		vmem_xfree(iommu_dev, addr, size);
		return -EINVAL;
	}
	rings[nrings++] = (struct iova_range){ addr, size };
	pr_info("ring %u: [%#lx, %#lx), 64 KiB aligned, inside one 4 GiB block\n",
		nrings - 1, addr, addr + size);
	return 0;
}

static int iova_map_rings(void)
{
	unsigned long before_dev, before_win, addr;
	int err, i;

	/*
	 * 2 MiB in [4 GiB - 1 MiB, 4 GiB + 2 MiB): starting below 4 GiB it
	 * would cross the line, so 4 GiB is the only answer.
	 */
	err = iova_map_ring(SZ_2M, IOVA_4G - SZ_1M, IOVA_4G + SZ_2M - 1);
	if (err)
		return err;
	if (rings[0].addr != IOVA_4G)
		iova_fail("ring 0 at %#lx; 4 GiB is the only fit", rings[0].addr);
	/* 2 MiB in [8 GiB - 3 MiB, 8 GiB + 1 MiB): only below 8 GiB */
	err = iova_map_ring(SZ_2M, IOVA_8G - 3 * SZ_1M, IOVA_8G + SZ_1M - 1);
	if (err)
		return err;
	if (rings[1].addr + SZ_2M > IOVA_8G)
		iova_fail("ring 1 at %#lx crosses 8 GiB", rings[1].addr);
	/* rings anywhere, sizes that are no power of two */
	for (i = 0; i < NRINGS - 2; i++) {
		err = iova_map_ring((3 + 2 * i) * SZ_64K, VMEM_ADDR_MIN,
				    VMEM_ADDR_MAX);
		if (err)
			return err;
	}

	/*
	 * 2 MiB in [4 GiB - 1 MiB, 4 GiB + 1 MiB) cannot be had without
	 * crossing 4 GiB: a well-formed request with no fit, -ENOSPC, at
	 * once with VMEM_NOSLEEP, and nothing changes.
	 */
	before_dev = vmem_arena_size(iommu_dev, VMEM_SPAN);
	before_win = vmem_arena_size(iommu_window, VMEM_ALLOC);
	err = vmem_xalloc(iommu_dev, SZ_2M, RING_ALIGN, 0, RING_NOCROSS,
			  IOVA_4G - SZ_1M, IOVA_4G + SZ_1M - 1, VMEM_NOSLEEP, &addr);
	if (err != -ENOSPC)
		iova_fail("a ring that must cross 4 GiB: %d (at %#lx), want %d",
			  err, err ? 0 : addr, -ENOSPC);
	if (!err)
		vmem_xfree(iommu_dev, addr, SZ_2M);
	if (vmem_arena_size(iommu_dev, VMEM_SPAN) != before_dev ||
	    vmem_arena_size(iommu_window, VMEM_ALLOC) != before_win)
		iova_fail("failed ring: device spans %#lx -> %#lx, window use %#lx -> %#lx",
			  before_dev, vmem_arena_size(iommu_dev, VMEM_SPAN),
			  before_win,
			  vmem_arena_size(iommu_window, VMEM_ALLOC));
	iova_check_import("after the rings");
	if (!atomic_read(&iova_failures))
		pr_info("%u rings mapped; a ring that cannot avoid the 4 GiB line: -ENOSPC\n",
			nrings);
	return atomic_read(&iova_failures) ? -EINVAL : 0;
}

static void iova_unmap_round(void)
{
	while (tbufs_n) {
		tbufs_n--;
		vmem_free(iommu_dev, tbufs[tbufs_n].addr, tbufs[tbufs_n].size);
	}
}

/*
 * Each round unmaps the previous round's buffers and maps TIMER_NBUF
 * new ones, of 1 to 9 pages: the quantum caches serve up to 8 pages, the
 * arena itself the 9.  Softirq context, so VMEM_NOSLEEP only.
 */
static void iova_timer_fn(struct timer_list *t)
{
	unsigned long size, addr;
	unsigned int i;
	int err;

	iova_unmap_round();
	if (tround == TIMER_ROUNDS) {
		complete(&iova_timer_done);
		return;
	}
	for (i = 0; i < TIMER_NBUF; i++) {
		size = ((tround + i) % 9 + 1) * IOVA_PAGE;
		err = vmem_alloc(iommu_dev, size, VMEM_NOSLEEP, &addr);
		if (err) {
			iova_fail("timer round %u: vmem_alloc(%#lx, VMEM_NOSLEEP): %d",
				  tround, size, err);
			continue;
		}
		if (!iova_check("timer buffer", addr, size, tbufs, tbufs_n)) {
			vmem_free(iommu_dev, addr, size);
			continue;
		}
		tbufs[tbufs_n++] = (struct iova_range){ addr, size };
		tmapped++;
	}
	tround++;
	mod_timer(t, jiffies + 1);
}

static int iova_run_timer(void)
{
	timer_setup(&iova_timer, iova_timer_fn, 0);
	mod_timer(&iova_timer, jiffies + 1);
	if (!wait_for_completion_timeout(&iova_timer_done, 60 * HZ))
		iova_fail("timer: %u of %u rounds after 60 s", tround,
			  TIMER_ROUNDS);
	timer_shutdown_sync(&iova_timer);
	iova_unmap_round();	/* if it stopped early */
	if (tmapped != TIMER_ROUNDS * TIMER_NBUF)
		iova_fail("timer: %lu buffers mapped, want %u", tmapped,
			  TIMER_ROUNDS * TIMER_NBUF);
	iova_check_import("after the timer");
	if (!atomic_read(&iova_failures))
		pr_info("timer: %u rounds in softirq context, %lu buffers of 4-36 KiB mapped and unmapped with VMEM_NOSLEEP\n",
			tround, tmapped);
	return atomic_read(&iova_failures) ? -EINVAL : 0;
}

/*
 * Unmap the rings, destroy the device arena (which drains its caches and
 * gives every imported span back), then the window must be empty.
 */
static void iova_destroy(void)
{
	unsigned long left;

	while (nrings) {
		nrings--;
		vmem_xfree(iommu_dev, rings[nrings].addr, rings[nrings].size);
	}
	vmem_destroy(iommu_dev);
	iommu_dev = NULL;
	if (!IS_ERR_OR_NULL(iommu_window)) {
		left = vmem_arena_size(iommu_window, VMEM_ALLOC);
		if (left)
			iova_fail("iommu_dev destroyed, but %#lx of the window is still allocated",
				  left);
	}
	vmem_destroy(iommu_window);
	iommu_window = NULL;
}

static int __init iova_init(void)
{
	int err;

	iommu_window = vmem_create("iommu_window", IOVA_BASE, IOVA_SIZE,
				   IOVA_PAGE, NULL, NULL, NULL, 0, 0);
	if (IS_ERR(iommu_window)) {
		err = PTR_ERR(iommu_window);
		pr_err("vmem_create(iommu_window): %d\n", err);
		return err;
	}
	iommu_dev = vmem_create("iommu_dev0", 0, 0, IOVA_PAGE, vmem_alloc,
				vmem_free, iommu_window, IOVA_QCACHE_MAX, 0);
	if (IS_ERR(iommu_dev)) {
		err = PTR_ERR(iommu_dev);
		pr_err("vmem_create(iommu_dev0): %d\n", err);
		goto out;
	}
	err = iova_map_rings();
	if (!err)
		err = iova_run_timer();
	if (err)
		goto out;
	pr_info("keeping %u rings until unload\n", nrings);
	return 0;

out:
	iova_destroy();
	return err;
}
module_init(iova_init);

static void __exit iova_exit(void)
{
	iova_destroy();
	if (!atomic_read(&iova_failures))
		pr_info("rings unmapped; iommu_dev gave the window back whole\n");
}
module_exit(iova_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem sample client: an IOMMU-style IOVA window and a device arena importing from it");
MODULE_AUTHOR("The vmem for Linux developers");
VMEM_IMPORT_NS();
