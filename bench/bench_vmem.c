// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem, through its public API (include/linux/vmem.h) only.
 *
 * Three kinds of arena: an address arena with quantum caches off
 * (VMC_NO_QCACHE), where every pair takes the segment path with the
 * policy of the row; the same with quantum caches asked for (qcache_max
 * 8 pages), whose row is timed only when the pairs really stay off the
 * segment path; and an identifier space.  Layouts are placed with
 * vmem_xalloc() windows of exactly the piece.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/vmem.h>
#include <linux/workqueue.h>
#include "vmem_bench.h"

#define BENCH_QCACHE_MAX	(8 * BENCH_UNIT)

static int bench_vmem_create_flags(struct bench_arena *a,
				   unsigned long qcache_max, unsigned int flags)
{
	struct vmem *vm;

	vm = vmem_create(a->name, a->base, a->units * a->unit, a->unit, NULL,
			 NULL, NULL, qcache_max, flags);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	a->priv = vm;
	return 0;
}

static int bench_vmem_create(struct bench_arena *a)
{
	return bench_vmem_create_flags(a, 0, VMC_NO_QCACHE);
}

static int bench_vmem_qc_create(struct bench_arena *a)
{
	return bench_vmem_create_flags(a, BENCH_QCACHE_MAX, 0);
}

static int bench_vmem_ids_create(struct bench_arena *a)
{
	struct vmem *ids;

	ids = vmem_idspace_create(a->name, a->base, a->base + a->units);
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	a->priv = ids;
	return 0;
}

/*
 * An identifier space with a quantum cache of single identifiers: quantum
 * 1, qcache_max 1, VMC_IDENTIFIER (see "Identifier spaces" in vmem.rst).
 */
static int bench_vmem_idqc_create(struct bench_arena *a)
{
	return bench_vmem_create_flags(a, 1, VMC_IDENTIFIER);
}

static void bench_vmem_destroy(struct bench_arena *a)
{
	vmem_destroy(a->priv);
}

/*
 * A piece that continues the packed run from the bottom of the arena is
 * carved by plain instant fit, as an instant-fit client's arena grows:
 * an exact window is an address-ordered request, which a vmem with an
 * index of free segments answers by building the index, and the instant-
 * fit rows would then time an arena that no instant-fit client has.  The
 * other pieces (TOP1's, from the top) are placed with a window of exactly
 * the piece; so is a piece that instant fit put anywhere else.
 */
static int bench_vmem_place(struct bench_arena *a, unsigned long off,
			    unsigned long units, unsigned long *h)
{
	unsigned long addr = a->base + off * a->unit, size = units * a->unit;

	if (off == a->cursor &&
	    !vmem_alloc(a->priv, size, VMEM_SLEEP | VMEM_INSTANTFIT, h)) {
		if (*h == addr) {
			a->cursor = off + units;
			return 0;
		}
		vmem_free(a->priv, *h, size);
	}
	return vmem_xalloc(a->priv, size, 0, 0, 0, addr, addr + size - 1,
			   VMEM_SLEEP, h);
}

/* Every piece with a window: a cache serves no vmem_xalloc(). */
static int bench_vmem_place_exact(struct bench_arena *a, unsigned long off,
				  unsigned long units, unsigned long *h)
{
	unsigned long addr = a->base + off * a->unit, size = units * a->unit;

	return vmem_xalloc(a->priv, size, 0, 0, 0, addr, addr + size - 1,
			   VMEM_SLEEP, h);
}

/*
 * Pieces come from vmem_alloc() or vmem_xalloc(); arenas that hold
 * layouts have no quantum caches or (the caching arenas) carve every
 * piece with vmem_xalloc(), so both are freed on the segment path.
 */
static void bench_vmem_release(struct bench_arena *a, unsigned long h,
			       unsigned long units)
{
	vmem_xfree(a->priv, h, units * a->unit);
}

static unsigned long bench_vmem_offset(struct bench_arena *a, unsigned long h)
{
	return (h - a->base) / a->unit;
}

/*
 * vmem defers work to the system workqueues: resizing the allocated-
 * segment hash after a burst of allocations or frees, and (in later
 * cores) building the index of free segments after the first request
 * that needs it.  A row timed before that work has run would time a
 * transient state (a long hash chain, a search that walks the list while
 * the index is incomplete), so the layout is settled first: the queues
 * are flushed until the hash's size and resize count stay the same.
 * vmem has no public call for this; flushing the system workqueues, on
 * which schedule_work() queues, does it from process context with no
 * lock held.
 */
static void bench_flush_system_workqueues(void)
{
	__flush_workqueue(system_wq);
#ifdef VMEM_BENCH_PERCPU_WQ
	__flush_workqueue(system_percpu_wq);	/* schedule_work()'s, 6.12.y */
#endif
	__flush_workqueue(system_unbound_wq);
	__flush_workqueue(system_long_wq);
}

static bool bench_vmem_settle_stats(struct vmem *vm, struct vmem_stats *st)
{
	struct vmem_stats prev;
	unsigned int i;

	vmem_get_stats(vm, st);
	for (i = 0; i < 100; i++) {
		prev = *st;
		bench_flush_system_workqueues();
		vmem_get_stats(vm, st);
		if (st->hash_buckets == prev.hash_buckets &&
		    st->hash_rescales == prev.hash_rescales)
			return true;
	}
	return false;
}

static void bench_vmem_settle(struct bench_arena *a)
{
	struct vmem_stats st;

	bench_vmem_settle_stats(a->priv, &st);
}

static void bench_vmem_count(void *arg, unsigned long addr,
			     unsigned long size)
{
	(*(unsigned long *)arg)++;
}

/*
 * Identifier leaves make allocated segments of their own and hand out
 * their IDs from a bitmap: then vmem_walk() (which shows a leaf's IDs
 * one by one and free runs side by side as one) counts the layout's
 * pieces instead of the tags.
 */
static bool bench_vmem_pieces(struct vmem *vm, const struct vmem_stats *st,
			      unsigned long nlive, unsigned long nfree)
{
	unsigned long live = 0, free = 0;

	if (!st->nleaves)
		return st->nsegs == 1 + nlive + nfree;
	vmem_walk(vm, VMEM_ALLOC, bench_vmem_count, &live);
	vmem_walk(vm, VMEM_FREE, bench_vmem_count, &free);
	return live == nlive && free == nfree;
}

static int bench_vmem_check(struct bench_arena *a,
			    const struct bench_layout *l, char *buf,
			    size_t len)
{
	unsigned long segs = 1 + a->nlive + bench_layout_free_runs(l);
	struct vmem *vm = a->priv;
	struct vmem_stats st;
	bool settled, ok;
	int err;

	/* a caching arena's rows leave ranges in its magazines: give them back */
	vmem_qcache_flush(vm);
	settled = bench_vmem_settle_stats(vm, &st);
	err = vmem_check(vm);
	ok = settled && !err &&
	     bench_vmem_pieces(vm, &st, a->nlive, bench_layout_free_runs(l)) &&
	     st.mem_inuse == a->live_units * a->unit &&
	     st.nalloc - st.nfree == a->nlive && st.nspans == 1;
	snprintf(buf, len,
		 "vmem_get_stats: nsegs %lu (want %lu: span + %lu live + %lu free; %u leaves), mem_inuse %lu units (want %lu), nalloc-nfree %llu, hash %lu buckets%s; vmem_check %d",
		 st.nsegs, segs, a->nlive, bench_layout_free_runs(l),
		 st.nleaves, st.mem_inuse / a->unit, a->live_units, st.nalloc - st.nfree,
		 st.hash_buckets, settled ? "" : " (rescale pending)", err);
	return ok ? 0 : -EBADMSG;
}

static long bench_vmem_usage(struct bench_arena *a)
{
	return vmem_arena_size(a->priv, VMEM_ALLOC) / a->unit;
}

const struct bench_ops bench_vmem_ops = {
	.name		= "vmem",
	.create		= bench_vmem_create,
	.destroy	= bench_vmem_destroy,
	.place		= bench_vmem_place,
	.release	= bench_vmem_release,
	.offset		= bench_vmem_offset,
	.check		= bench_vmem_check,
	.usage		= bench_vmem_usage,
	.settle		= bench_vmem_settle,
};

const struct bench_ops bench_vmem_qc_ops = {
	.name		= "vmem",
	.cached		= true,
	.create		= bench_vmem_qc_create,
	.destroy	= bench_vmem_destroy,
	.place		= bench_vmem_place_exact,
	.release	= bench_vmem_release,
	.offset		= bench_vmem_offset,
	.check		= bench_vmem_check,
	.usage		= bench_vmem_usage,
	.settle		= bench_vmem_settle,
};

const struct bench_ops bench_vmem_ids_ops = {
	.name		= "vmem",
	.ids		= true,
	.create		= bench_vmem_ids_create,
	.destroy	= bench_vmem_destroy,
	.place		= bench_vmem_place,
	.release	= bench_vmem_release,
	.offset		= bench_vmem_offset,
	.check		= bench_vmem_check,
	.usage		= bench_vmem_usage,
	.settle		= bench_vmem_settle,
};

const struct bench_ops bench_vmem_idqc_ops = {
	.name		= "vmem",
	.ids		= true,
	.cached		= true,
	.create		= bench_vmem_idqc_create,
	.destroy	= bench_vmem_destroy,
	.place		= bench_vmem_place_exact,
	.release	= bench_vmem_release,
	.offset		= bench_vmem_offset,
	.check		= bench_vmem_check,
	.usage		= bench_vmem_usage,
	.settle		= bench_vmem_settle,
};

/* ---- the pairs ---- */

static __always_inline int bench_vmem_alloc_policy(struct bench_arena *a,
						   unsigned long units,
						   unsigned int policy,
						   unsigned long *h)
{
	return vmem_alloc(a->priv, units * BENCH_UNIT, VMEM_NOSLEEP | policy,
			  h);
}

static int bench_vmem_alloc_if(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, VMEM_INSTANTFIT, h);
}

static int bench_vmem_alloc_bf(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, VMEM_BESTFIT, h);
}

static int bench_vmem_alloc_ff(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, VMEM_FIRSTFIT, h);
}

static int bench_vmem_alloc_nf(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, VMEM_NEXTFIT, h);
}

static int bench_vmem_alloc_td(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, VMEM_TOPDOWN, h);
}

/* vmem_alloc() with no policy flag: what a client writes. */
static int bench_vmem_alloc_default(struct bench_arena *a,
				    unsigned long units, unsigned long *h)
{
	return bench_vmem_alloc_policy(a, units, 0, h);
}

static void bench_vmem_free(struct bench_arena *a, unsigned long h,
			    unsigned long units)
{
	vmem_free(a->priv, h, units * BENCH_UNIT);
}

/* 64 KiB alignment */
static int bench_vmem_alloc_align(struct bench_arena *a, unsigned long units,
				  unsigned long *h)
{
	return vmem_xalloc(a->priv, units * BENCH_UNIT, SZ_64K, 0, 0,
			   VMEM_ADDR_MIN, VMEM_ADDR_MAX, VMEM_NOSLEEP, h);
}

/* must not cross a 1 MiB boundary */
static int bench_vmem_alloc_nocross(struct bench_arena *a,
				    unsigned long units, unsigned long *h)
{
	return vmem_xalloc(a->priv, units * BENCH_UNIT, 0, 0, SZ_1M,
			   VMEM_ADDR_MIN, VMEM_ADDR_MAX, VMEM_NOSLEEP, h);
}

static void bench_vmem_xfree(struct bench_arena *a, unsigned long h,
			     unsigned long units)
{
	vmem_xfree(a->priv, h, units * BENCH_UNIT);
}

static int bench_vmem_id_alloc(struct bench_arena *a, unsigned long units,
			       unsigned long *h)
{
	return vmem_id_alloc(a->priv, VMEM_NOSLEEP, h);
}

static int bench_vmem_id_allocff(struct bench_arena *a, unsigned long units,
				 unsigned long *h)
{
	return vmem_id_allocff(a->priv, VMEM_NOSLEEP, h);
}

static void bench_vmem_id_free(struct bench_arena *a, unsigned long h,
			       unsigned long units)
{
	vmem_id_free(a->priv, h);
}

/* One identifier from the caching space, next fit where it refills. */
static int bench_vmem_idqc_alloc(struct bench_arena *a, unsigned long units,
				 unsigned long *h)
{
	return vmem_alloc(a->priv, 1, VMEM_NOSLEEP | VMEM_NEXTFIT, h);
}

static void bench_vmem_idqc_free(struct bench_arena *a, unsigned long h,
				 unsigned long units)
{
	vmem_free(a->priv, h, 1);
}

#define BENCH_QC_PROBE	64

/*
 * Do pairs of @alloc and @free on arena @a stay off its segments?  After
 * a warm-up, BENCH_QC_PROBE pairs must move the allocation counter less
 * than one for one.
 */
static bool bench_vmem_cache_serves(struct bench_arena *a,
				    int (*alloc)(struct bench_arena *,
						 unsigned long,
						 unsigned long *),
				    void (*free)(struct bench_arena *,
						 unsigned long, unsigned long),
				    unsigned long qcache_max, char *why,
				    size_t len)
{
	struct vmem_stats s0, s1;
	unsigned long h;
	unsigned int i;

	for (i = 0; i < 3 * BENCH_QC_PROBE; i++) {
		if (i == 2 * BENCH_QC_PROBE)
			vmem_get_stats(a->priv, &s0);
		if (alloc(a, 1, &h))
			goto failed;
		free(a, h, 1);
	}
	vmem_get_stats(a->priv, &s1);
	if (s1.nalloc - s0.nalloc < BENCH_QC_PROBE)
		return true;
	snprintf(why, len,
		 "no quantum cache in this vmem.ko: %u cache-sized pairs on an arena with qcache_max %lu took %llu segment allocations",
		 BENCH_QC_PROBE, qcache_max, s1.nalloc - s0.nalloc);
	return false;
failed:
	snprintf(why, len, "the first allocations failed");
	return false;
}

/*
 * Quantum caches: a cache hit takes nothing from the arena.  Pairs that
 * still move the arena's allocation counter one for one went through the
 * segment path: a vmem.ko without quantum caches (vmem_create() records
 * qcache_max and does nothing more), and the row says so instead of
 * timing the segment path under the cache's name.
 */
static bool bench_vmem_qc_usable(struct bench_arena *a, char *why,
				 size_t len)
{
	return bench_vmem_cache_serves(a, bench_vmem_alloc_default,
				       bench_vmem_free, BENCH_QCACHE_MAX, why,
				       len);
}

static bool bench_vmem_idqc_usable(struct bench_arena *a, char *why,
				   size_t len)
{
	return bench_vmem_cache_serves(a, bench_vmem_idqc_alloc,
				       bench_vmem_idqc_free, 1, why, len);
}

#define ALL_N		ULONG_MAX

/*
 * Within a layout, rows run in this order, instant fit first: on a vmem
 * with an index of free segments, the first address-ordered or best-fit
 * request builds the index, and the rows after it run on an indexed
 * arena, as a client mixing policies would.
 */
const struct bench_row bench_vmem_rows[] = {
	/* workloads 1 and 2: one small size, and the fragmentation sweep */
	{
		.name = "vmem instant-fit", .req = "1u", .units = 1,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_if,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_HOLE, .nmax = ALL_N, .smp = true, .random = true,
	}, {
		.name = "vmem instant-fit", .req = "2u", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_if,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		/* workload 4: constrained */
		.name = "vmem xalloc", .req = "16u align 64K", .units = 16,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_align,
		.free = bench_vmem_xfree, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "vmem xalloc", .req = "2u nocross 1M", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_nocross,
		.free = bench_vmem_xfree, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "vmem best-fit", .req = "1u", .units = 1,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_bf,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_HOLE, .nmax = ALL_N, .random = true,
	}, {
		.name = "vmem best-fit", .req = "2u", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_bf,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "vmem first-fit", .req = "1u", .units = 1,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_ff,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_HOLE, .nmax = ALL_N, .random = true,
	}, {
		/* workload 3: first fit past N one-unit holes */
		.name = "vmem first-fit", .req = "2u", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_ff,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		/* the same arena, indexed by the rows above */
		.name = "vmem instant-fit", .req = "1u, indexed arena",
		.units = 1, .ops = &bench_vmem_ops,
		.alloc = bench_vmem_alloc_if, .free = bench_vmem_free,
		.layouts = BL_BIT(BL_HOLES1), .where = BW_HOLE, .nmax = ALL_N,
	}, {
		.name = "vmem next-fit", .req = "1u", .units = 1,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_nf,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES1),
		.where = BW_ANY, .nmax = 0,
	}, {
		.name = "vmem top-down", .req = "1u", .units = 1,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_td,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_TOP1),
		.where = BW_HOLE, .nmax = ALL_N,
	}, {
		/* workload 3: top-down past N one-unit holes */
		.name = "vmem top-down", .req = "2u", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_td,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_TOP1),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "vmem instant-fit", .req = "3u", .units = 3,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_if,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES2),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		/* workload 3: best fit past N holes one unit too small */
		.name = "vmem best-fit", .req = "3u", .units = 3,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_bf,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_HOLES2),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		/* workload 3: next fit whose only fit lies below N holes */
		.name = "vmem next-fit", .req = "2u", .units = 2,
		.ops = &bench_vmem_ops, .alloc = bench_vmem_alloc_nf,
		.free = bench_vmem_free, .layouts = BL_BIT(BL_NEXT),
		.where = BW_HOLE, .nmax = ALL_N,
	}, {
		/* workloads 1 and 6: the quantum caches */
		.name = "vmem qcache", .req = "1u", .units = 1,
		.ops = &bench_vmem_qc_ops, .alloc = bench_vmem_alloc_default,
		.free = bench_vmem_free, .usable = bench_vmem_qc_usable,
		.layouts = BL_BIT(BL_HOLES1), .where = BW_ANY, .nmax = 0,
		.smp = true,
	}, {
		/* workload 5, and 3 (the lowest free ID) */
		.name = "vmem id_alloc", .req = "1 ID, next-fit", .units = 1,
		.ops = &bench_vmem_ids_ops, .alloc = bench_vmem_id_alloc,
		.free = bench_vmem_id_free, .layouts = BL_BIT(BL_PACKED),
		.where = BW_REST, .nmax = ALL_N,
	}, {
		.name = "vmem id_allocff", .req = "1 ID, lowest", .units = 1,
		.ops = &bench_vmem_ids_ops, .alloc = bench_vmem_id_allocff,
		.free = bench_vmem_id_free, .layouts = BL_BIT(BL_PACKED),
		.where = BW_LOWEST, .nmax = ALL_N,
	}, {
		/* workload 5: identifiers from a quantum cache */
		.name = "vmem id_alloc", .req = "1 ID, caching space",
		.units = 1, .ops = &bench_vmem_idqc_ops,
		.alloc = bench_vmem_idqc_alloc, .free = bench_vmem_idqc_free,
		.usable = bench_vmem_idqc_usable,
		.layouts = BL_BIT(BL_PACKED), .where = BW_ANY, .nmax = ALL_N,
	},
};

const unsigned int bench_vmem_nrows = ARRAY_SIZE(bench_vmem_rows);
