// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_sample: a client of vmem.ko, as a driver would use it.
 *
 * At load it creates two arenas:
 *
 *   sample_va    a 1 MiB window of device addresses at SAMPLE_BASE,
 *                quantum 4 KiB, from which it allocates buffers with
 *                vmem_alloc() and constrained ranges with vmem_xalloc();
 *   sample_ids   the identifiers [1, 1024), allocated with vmem_id_alloc().
 *
 * Every range it gets back is checked against what was asked (inside the
 * arena, quantum-aligned, the requested alignment, phase, boundary and
 * address window); a wrong answer fails the load with -EINVAL, so loading
 * this module is itself a test of vmem.ko.  Some allocations are kept
 * until unload so that the arenas' statistics in
 * /sys/kernel/debug/vmem/<arena>/stats show live ranges; unload frees them
 * and destroys the arenas, after checking that nothing else is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/vmem.h>

/* An arbitrary, non-zero base: addresses are just integers to vmem. */
#define SAMPLE_BASE		0x40000000UL
#define SAMPLE_SIZE		SZ_1M
#define SAMPLE_QUANTUM		SZ_4K
#define SAMPLE_ID_LOW		1UL
#define SAMPLE_ID_HIGH		1024UL

/* Buffers allocated and kept until unload, and identifiers likewise. */
#define SAMPLE_NBUF		8
#define SAMPLE_NID		16

struct sample_range {
	unsigned long addr;
	unsigned long size;
	bool x;			/* from vmem_xalloc(): free with vmem_xfree() */
};

static struct vmem *sample_va;
static struct vmem *sample_ids;
static struct sample_range sample_bufs[SAMPLE_NBUF];
static unsigned int sample_nbufs;
static unsigned long sample_idv[SAMPLE_NID];
static unsigned int sample_nids;

/* Whether [addr, addr + size) lies in the sample_va window. */
static bool sample_in_window(unsigned long addr, unsigned long size)
{
	return addr >= SAMPLE_BASE && size <= SAMPLE_SIZE &&
	       addr - SAMPLE_BASE <= SAMPLE_SIZE - size;
}

/*
 * The checks every range from sample_va must pass, whatever the call:
 * inside the window, a multiple of the quantum, and known to vmem.
 */
static int sample_check_range(const char *what, unsigned long addr,
			      unsigned long size)
{
	if (!sample_in_window(addr, size)) {
		pr_err("%s: [%#lx, %#lx) is outside [%#lx, %#lx)\n", what,
		       addr, addr + size, SAMPLE_BASE,
		       SAMPLE_BASE + SAMPLE_SIZE);
		return -EINVAL;
	}
	if (!IS_ALIGNED(addr, SAMPLE_QUANTUM)) {
		pr_err("%s: %#lx is not quantum-aligned\n", what, addr);
		return -EINVAL;
	}
	if (!vmem_contains(sample_va, addr, size)) {
		pr_err("%s: vmem_contains() denies [%#lx, %#lx)\n", what,
		       addr, addr + size);
		return -EINVAL;
	}
	return 0;
}

static int sample_keep(unsigned long addr, unsigned long size, bool x)
{
	if (WARN_ON_ONCE(sample_nbufs >= SAMPLE_NBUF))
		return -ENOSPC;
	sample_bufs[sample_nbufs++] = (struct sample_range){ addr, size, x };
	return 0;
}

/* Plain buffers: a few sizes, each kept; the policies are all exercised. */
static int sample_plain(void)
{
	static const struct {
		unsigned long size;
		unsigned int policy;
	} reqs[] = {
		{ 3 * SZ_4K, VMEM_INSTANTFIT },
		{ SZ_16K, VMEM_BESTFIT },
		{ SZ_4K, VMEM_FIRSTFIT },
		{ SZ_64K, VMEM_TOPDOWN },
	};
	unsigned long addr;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		err = vmem_alloc(sample_va, reqs[i].size,
				 VMEM_SLEEP | reqs[i].policy, &addr);
		if (err) {
			pr_err("vmem_alloc(%lu, policy %#x): %d\n",
			       reqs[i].size, reqs[i].policy, err);
			return err;
		}
		err = sample_keep(addr, reqs[i].size, false);
		if (err) {
			vmem_free(sample_va, addr, reqs[i].size);
			return err;
		}
		err = sample_check_range("vmem_alloc", addr, reqs[i].size);
		if (err)
			return err;
	}
	/* The top-down fit must be the last 64 KiB of the window. */
	if (sample_bufs[3].addr != SAMPLE_BASE + SAMPLE_SIZE - SZ_64K) {
		pr_err("VMEM_TOPDOWN gave %#lx, not the top of the window\n",
		       sample_bufs[3].addr);
		return -EINVAL;
	}
	return 0;
}

/*
 * Constrained ranges, as a DMA engine would ask for them: aligned, at a
 * phase, not crossing a boundary, inside an address window.
 */
static int sample_constrained(void)
{
	const unsigned long lo = SAMPLE_BASE + SZ_512K;
	const unsigned long hi = SAMPLE_BASE + SZ_512K + SZ_256K - 1;
	unsigned long addr;
	int err;

	/* 8 KiB at a 64 KiB boundary: kept. */
	err = vmem_xalloc(sample_va, SZ_8K, SZ_64K, 0, 0, VMEM_ADDR_MIN,
			  VMEM_ADDR_MAX, VMEM_SLEEP, &addr);
	if (err) {
		pr_err("vmem_xalloc(align 64K): %d\n", err);
		return err;
	}
	err = sample_keep(addr, SZ_8K, true);
	if (err) {
		vmem_xfree(sample_va, addr, SZ_8K);
		return err;
	}
	err = sample_check_range("vmem_xalloc(align)", addr, SZ_8K);
	if (err)
		return err;
	if (!IS_ALIGNED(addr, SZ_64K)) {
		pr_err("vmem_xalloc(align 64K) gave %#lx\n", addr);
		return -EINVAL;
	}

	/* 4 KiB at 4 KiB past a 16 KiB boundary: kept. */
	err = vmem_xalloc(sample_va, SZ_4K, SZ_16K, SZ_4K, 0, VMEM_ADDR_MIN,
			  VMEM_ADDR_MAX, VMEM_SLEEP, &addr);
	if (err) {
		pr_err("vmem_xalloc(phase 4K): %d\n", err);
		return err;
	}
	err = sample_keep(addr, SZ_4K, true);
	if (err) {
		vmem_xfree(sample_va, addr, SZ_4K);
		return err;
	}
	err = sample_check_range("vmem_xalloc(phase)", addr, SZ_4K);
	if (err)
		return err;
	if ((addr & (SZ_16K - 1)) != SZ_4K) {
		pr_err("vmem_xalloc(align 16K, phase 4K) gave %#lx\n", addr);
		return -EINVAL;
	}

	/* 24 KiB that must not cross a 32 KiB boundary, in [lo, hi]: kept. */
	err = vmem_xalloc(sample_va, 6 * SZ_4K, 0, 0, SZ_32K, lo, hi,
			  VMEM_SLEEP, &addr);
	if (err) {
		pr_err("vmem_xalloc(nocross 32K, window): %d\n", err);
		return err;
	}
	err = sample_keep(addr, 6 * SZ_4K, true);
	if (err) {
		vmem_xfree(sample_va, addr, 6 * SZ_4K);
		return err;
	}
	err = sample_check_range("vmem_xalloc(nocross)", addr, 6 * SZ_4K);
	if (err)
		return err;
	if (addr < lo || addr + 6 * SZ_4K - 1 > hi ||
	    (addr ^ (addr + 6 * SZ_4K - 1)) & ~(SZ_32K - 1UL)) {
		pr_err("vmem_xalloc(nocross 32K, [%#lx, %#lx]) gave %#lx\n",
		       lo, hi, addr);
		return -EINVAL;
	}
	return 0;
}

/*
 * Asking for more than the window holds must fail, and must not wait
 * with VMEM_NOSLEEP; an allocation freed at once must leave no trace.
 */
static int sample_limits(void)
{
	unsigned long before = vmem_arena_size(sample_va, VMEM_ALLOC);
	unsigned long addr;
	int err;

	err = vmem_alloc(sample_va, 2 * SAMPLE_SIZE, VMEM_NOSLEEP, &addr);
	if (err != -ENOSPC) {
		pr_err("allocating twice the window: %d, not -ENOSPC\n", err);
		if (!err)
			vmem_free(sample_va, addr, 2 * SAMPLE_SIZE);
		return -EINVAL;
	}
	err = vmem_alloc(sample_va, SZ_128K, VMEM_NOSLEEP, &addr);
	if (err) {
		pr_err("vmem_alloc(128K, NOSLEEP): %d\n", err);
		return err;
	}
	err = sample_check_range("vmem_alloc(NOSLEEP)", addr, SZ_128K);
	vmem_free(sample_va, addr, SZ_128K);
	if (err)
		return err;
	if (vmem_arena_size(sample_va, VMEM_ALLOC) != before) {
		pr_err("allocated size %lu after an alloc+free, was %lu\n",
		       vmem_arena_size(sample_va, VMEM_ALLOC), before);
		return -EINVAL;
	}
	return 0;
}

/* Identifiers: distinct, in range, and a taken one cannot be had again. */
static int sample_identifiers(void)
{
	unsigned long id;
	unsigned int i, j;
	int err;

	for (i = 0; i < SAMPLE_NID; i++) {
		err = vmem_id_alloc(sample_ids, VMEM_SLEEP, &id);
		if (err) {
			pr_err("vmem_id_alloc(): %d\n", err);
			return err;
		}
		sample_idv[sample_nids++] = id;
		if (id < SAMPLE_ID_LOW || id >= SAMPLE_ID_HIGH) {
			pr_err("identifier %lu is outside [%lu, %lu)\n", id,
			       SAMPLE_ID_LOW, SAMPLE_ID_HIGH);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (sample_idv[j] == id) {
				pr_err("identifier %lu handed out twice\n",
				       id);
				return -EINVAL;
			}
		}
	}
	err = vmem_id_alloc_specific(sample_ids, sample_idv[0], VMEM_SLEEP);
	if (err != -EBUSY) {
		pr_err("re-allocating identifier %lu: %d, not -EBUSY\n",
		       sample_idv[0], err);
		if (!err)
			vmem_id_free(sample_ids, sample_idv[0]);
		return -EINVAL;
	}
	/* Give back every other one: the statistics then show frees too. */
	for (i = 0; i < SAMPLE_NID; i += 2)
		vmem_id_free(sample_ids, sample_idv[i]);
	for (i = 1, j = 0; i < SAMPLE_NID; i += 2)
		sample_idv[j++] = sample_idv[i];
	sample_nids = j;
	if (vmem_arena_size(sample_ids, VMEM_ALLOC) != sample_nids) {
		pr_err("%lu identifiers allocated, expected %u\n",
		       vmem_arena_size(sample_ids, VMEM_ALLOC), sample_nids);
		return -EINVAL;
	}
	return 0;
}

/* Free whatever is kept; then nothing may be left allocated. */
static void sample_release(void)
{
	unsigned int i;

	for (i = 0; i < sample_nbufs; i++) {
		if (sample_bufs[i].x)
			vmem_xfree(sample_va, sample_bufs[i].addr,
				   sample_bufs[i].size);
		else
			vmem_free(sample_va, sample_bufs[i].addr,
				  sample_bufs[i].size);
	}
	sample_nbufs = 0;
	for (i = 0; i < sample_nids; i++)
		vmem_id_free(sample_ids, sample_idv[i]);
	sample_nids = 0;
}

static void sample_destroy(void)
{
	if (sample_va) {
		WARN(vmem_arena_size(sample_va, VMEM_ALLOC),
		     "sample_va: %lu bytes still allocated\n",
		     vmem_arena_size(sample_va, VMEM_ALLOC));
		vmem_destroy(sample_va);
		sample_va = NULL;
	}
	if (sample_ids) {
		WARN(vmem_arena_size(sample_ids, VMEM_ALLOC),
		     "sample_ids: %lu identifiers still allocated\n",
		     vmem_arena_size(sample_ids, VMEM_ALLOC));
		vmem_idspace_destroy(sample_ids);
		sample_ids = NULL;
	}
}

static void sample_report(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	pr_info("%s: %lu of %lu in use, %llu allocs, %llu frees, %lu segments\n",
		vmem_name(vm), st.mem_inuse, st.mem_total, st.nalloc,
		st.nfree, st.nsegs);
}

static int __init vmem_sample_init(void)
{
	int err;

	sample_va = vmem_create("sample_va", SAMPLE_BASE, SAMPLE_SIZE,
				SAMPLE_QUANTUM, NULL, NULL, NULL, 0, 0);
	if (IS_ERR(sample_va)) {
		err = PTR_ERR(sample_va);
		sample_va = NULL;
		pr_err("vmem_create(sample_va): %d\n", err);
		return err;
	}
	sample_ids = vmem_idspace_create("sample_ids", SAMPLE_ID_LOW,
					 SAMPLE_ID_HIGH);
	if (IS_ERR(sample_ids)) {
		err = PTR_ERR(sample_ids);
		sample_ids = NULL;
		pr_err("vmem_idspace_create(sample_ids): %d\n", err);
		goto out_destroy;
	}

	err = sample_plain();
	if (!err)
		err = sample_constrained();
	if (!err)
		err = sample_limits();
	if (!err)
		err = sample_identifiers();
	if (err)
		goto out_release;

	sample_report(sample_va);
	sample_report(sample_ids);
	return 0;

out_release:
	sample_release();
out_destroy:
	sample_destroy();
	return err;
}
module_init(vmem_sample_init);

static void __exit vmem_sample_exit(void)
{
	sample_release();
	sample_destroy();
}
module_exit(vmem_sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem sample client: a device-address arena and an identifier space");
MODULE_AUTHOR("The vmem for Linux developers");
