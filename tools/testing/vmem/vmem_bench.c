// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instruction counts of the segment path, for callgrind.
 *
 * Each workload runs on an arena built for it, with N in its name: N
 * one-quantum holes (2N quanta allocated from the bottom, every other one
 * freed, in front of a large free tail), N packed allocations at the top,
 * N live identifiers, N holes one quantum too small.  Then a loop of
 * allocate+free pairs runs with callgrind's instrumentation on and is
 * dumped under the workload's name; scripts/bench-user.sh divides each
 * dump's instruction count by the number of pairs.  Only the loop is
 * counted: building the layout, and the warm-up pairs that let the
 * arena's work items (hash rescale, index) finish, run uninstrumented.
 * Every pair leaves the arena as it found it, so every iteration does the
 * same work and the count per pair is exact.
 *
 * Arenas that only see instant fit and unwindowed xalloc are never
 * indexed; the others are (see vmem/vmem_index.c), and "instant-fit 1q
 * (indexed)" gives the cost of an instant fit there.
 *
 * The qcache rows run on an arena with quantum caches up to 8 quanta
 * whose N holes were made on the segment path (vmem_xalloc(), which the
 * caches never serve): a hit touches this CPU's magazines only, so its
 * cost must not depend on N.
 *
 * The core is built as for a production kernel (-O2, no lockdep, no list
 * debugging); the arena lock is the shim's spinlock, one atomic exchange
 * and one release store, with the irqsave bookkeeping.
 *
 * Usage: vmem_bench N [pairs]    (run it under scripts/bench-user.sh)
 * Without valgrind it runs the same loops and prints nothing measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/vmem.h>
#include <shim.h>

#define Q		4096UL
#define TAIL_QUANTA	BIT(20)
#define BASE		BIT(32)

/* The layouts the workloads run on; each arena is built once. */
enum layout {
	HOLES,		/* N one-quantum holes, then the tail; never indexed */
	HOLES_IDX,	/* the same, indexed */
	PACKED_TOP,	/* N two-quantum allocations packed at the top */
	IDS,		/* identifiers 0 .. N-1 live, more free above */
	NEAR_HOLES,	/* N two-quantum holes, then the tail */
	CACHED,		/* N holes, qcache_max 8 quanta */
	FRESH,		/* a fresh arena of 2^20 quanta: one free segment */
	NLAYOUTS
};

struct workload {
	const char	*name;
	enum layout	layout;
	unsigned long	size;		/* in quanta */
	unsigned long	align;		/* in quanta; 0 for vmem_alloc() */
	unsigned long	nocross;	/* in quanta */
	unsigned int	policy;
	int		id;		/* 1: vmem_id_alloc, 2: _allocff */
	bool		nosleep;	/* VMEM_NOSLEEP rather than VMEM_SLEEP */
	unsigned int	batch;		/* allocate that many, then free them */
};

static const struct workload workloads[] = {
	{ "instant-fit 1q, fresh 2^20q arena", FRESH, 1, 0, 0,
	  VMEM_INSTANTFIT },
	{ "instant-fit 1q", HOLES, 1, 0, 0, VMEM_INSTANTFIT },
	{ "instant-fit 2q", HOLES, 2, 0, 0, VMEM_INSTANTFIT },
	{ "xalloc 1q align=16q", HOLES, 1, 16, 0, 0 },
	{ "xalloc 2q nocross=256q", HOLES, 2, 1, 256, 0 },
	{ "xalloc 1q align=16q nocross=256q", HOLES, 1, 16, 256, 0 },
	{ "instant-fit 1q (indexed)", HOLES_IDX, 1, 0, 0, VMEM_INSTANTFIT },
	/* the worst cases of the address-ordered policies and of best fit */
	{ "first-fit 2q past N 1q holes", HOLES_IDX, 2, 0, 0, VMEM_FIRSTFIT },
	{ "next-fit 2q past N 1q holes", HOLES_IDX, 2, 0, 0, VMEM_NEXTFIT },
	/* from here on the arena keeps its size tree too */
	{ "best-fit 1q", HOLES_IDX, 1, 0, 0, VMEM_BESTFIT },
	{ "best-fit 2q", HOLES_IDX, 2, 0, 0, VMEM_BESTFIT },
	{ "top-down 2q below N packed", PACKED_TOP, 2, 0, 0, VMEM_TOPDOWN },
	{ "best-fit 3q past N 2q holes", NEAR_HOLES, 3, 0, 0, VMEM_BESTFIT },
	{ "id next fit, N live", IDS, 1, 0, 0, 0, 1 },
	{ "id lowest free, N live", IDS, 1, 0, 0, 0, 2 },
	/*
	 * vmem_alloc() of a size up to qcache_max, on an arena created with
	 * quantum caches: a hit in this CPU's loaded magazine, and the free
	 * pushes it back.
	 */
	{ "qcache-size 1q (qcache_max=8q)", CACHED, 1, 0, 0, 0 },
	{ "qcache hit 8q NOSLEEP", CACHED, 8, 0, 0, 0, 0, true },
	/*
	 * 64 ranges out, 64 back, counted per range: the loaded and previous
	 * magazines swap and the depot trades full and empty ones (every
	 * magazine's worth: 14 rounds on 64-bit, 28 on the CPU, the rest in
	 * the depot, which may keep 4 full magazines with the shim's 4
	 * CPUs); no refill, no drain.
	 */
	{ "qcache 64 out, 64 in, per pair", CACHED, 2, 0, 0, 0, 0, false, 64 },
};

static unsigned long batch_addr[64];

/*
 * One loop per kind of call, so that the loop itself costs the same.
 * Returns the pairs done: @pairs, rounded up to whole batches.
 */
static noinline unsigned long run_pairs(struct vmem *vm,
					const struct workload *w,
					unsigned long pairs)
{
	unsigned long size = w->size * Q, addr, i, done = pairs;
	unsigned int flags = (w->nosleep ? VMEM_NOSLEEP : VMEM_SLEEP) |
			     w->policy;

	if (w->batch) {
		for (done = 0; done < pairs; done += w->batch) {
			for (i = 0; i < w->batch; i++)
				if (vmem_alloc(vm, size, flags, &batch_addr[i]))
					abort();
			for (i = 0; i < w->batch; i++)
				vmem_free(vm, batch_addr[i], size);
		}
	} else if (w->id == 1) {
		while (pairs--) {
			if (vmem_id_alloc(vm, VMEM_SLEEP, &addr))
				abort();
			vmem_id_free(vm, addr);
		}
	} else if (w->id == 2) {
		while (pairs--) {
			if (vmem_id_allocff(vm, VMEM_SLEEP, &addr))
				abort();
			vmem_id_free(vm, addr);
		}
	} else if (w->align) {
		while (pairs--) {
			if (vmem_xalloc(vm, size, w->align * Q, 0,
					w->nocross * Q, 0, VMEM_ADDR_MAX, flags,
					&addr))
				abort();
			vmem_xfree(vm, addr, size);
		}
	} else {
		while (pairs--) {
			if (vmem_alloc(vm, size, flags, &addr))
				abort();
			vmem_free(vm, addr, size);
		}
	}
	return done;
}

/*
 * 2n allocations of @size quanta from the bottom, every other one freed;
 * with @qcache_max, made and freed with vmem_xalloc() and vmem_xfree(),
 * which the quantum caches never serve.
 */
static struct vmem *build_holes(const char *name, unsigned long n,
				unsigned long size, unsigned int flags,
				unsigned long qcache_max)
{
	struct vmem *vm;
	unsigned long i, addr;
	int err;

	vm = vmem_create(name, BASE, (2 * n * size + TAIL_QUANTA) * Q, Q,
			 NULL, NULL, NULL, qcache_max, 0);
	if (IS_ERR(vm))
		abort();
	for (i = 0; i < 2 * n; i++) {
		if (qcache_max)
			err = vmem_xalloc(vm, size * Q, 0, 0, 0, 0,
					  VMEM_ADDR_MAX, VMEM_SLEEP | flags,
					  &addr);
		else
			err = vmem_alloc(vm, size * Q, VMEM_SLEEP | flags,
					 &addr);
		if (err || addr != BASE + i * size * Q)
			abort();
		if (i % 4096 == 0)
			shim_run_work();	/* the hash grows meanwhile */
	}
	for (i = 0; i < 2 * n; i += 2) {
		if (qcache_max)
			vmem_xfree(vm, BASE + i * size * Q, size * Q);
		else
			vmem_free(vm, BASE + i * size * Q, size * Q);
	}
	return vm;
}

static struct vmem *build(enum layout l, unsigned long n)
{
	unsigned long i, addr, size;
	struct vmem *vm;

	switch (l) {
	case HOLES:
		return build_holes("bench", n, 1, 0, 0);
	case HOLES_IDX:
		return build_holes("bench_idx", n, 1, VMEM_FIRSTFIT, 0);
	case NEAR_HOLES:
		/* holes of 2 quanta between allocations of 2 */
		return build_holes("bench_near", n, 2, VMEM_FIRSTFIT, 0);
	case PACKED_TOP:
		size = (2 * n + TAIL_QUANTA) * Q;
		vm = vmem_create("bench_top", BASE, size, Q, NULL, NULL, NULL,
				 0, 0);
		if (IS_ERR(vm))
			abort();
		for (i = 0; i < n; i++) {
			if (vmem_alloc(vm, 2 * Q, VMEM_SLEEP | VMEM_TOPDOWN,
				       &addr) ||
			    addr != BASE + size - 2 * Q * (i + 1))
				abort();
			if (i % 4096 == 0)
				shim_run_work();
		}
		return vm;
	case IDS:
		vm = vmem_idspace_create("bench_ids", 0, n + TAIL_QUANTA);
		if (IS_ERR(vm))
			abort();
		for (i = 0; i < n; i++) {
			if (vmem_id_allocff(vm, VMEM_SLEEP, &addr) || addr != i)
				abort();
			if (i % 4096 == 0)
				shim_run_work();
		}
		return vm;
	case CACHED:
		return build_holes("bench_cached", n, 1, 0, 8 * Q);
	case FRESH:
		vm = vmem_create("bench_fresh", BASE, TAIL_QUANTA * Q, Q, NULL,
				 NULL, NULL, 0, 0);
		if (IS_ERR(vm))
			abort();
		return vm;
	default:
		abort();
	}
}

/* Free what build() allocated, so that destroy reports no leak. */
static void unbuild(enum layout l, struct vmem *vm, unsigned long n)
{
	unsigned long i;

	switch (l) {
	case HOLES:
	case HOLES_IDX:
		for (i = 1; i < 2 * n; i += 2)
			vmem_free(vm, BASE + i * Q, Q);
		break;
	case NEAR_HOLES:
		for (i = 1; i < 2 * n; i += 2)
			vmem_free(vm, BASE + 2 * i * Q, 2 * Q);
		break;
	case CACHED:
		vmem_qcache_flush(vm);
		for (i = 1; i < 2 * n; i += 2)
			vmem_xfree(vm, BASE + i * Q, Q);
		break;
	case PACKED_TOP:
		for (i = 0; i < n; i++)
			vmem_free(vm, BASE + (2 * n + TAIL_QUANTA) * Q -
				  2 * Q * (i + 1), 2 * Q);
		break;
	case IDS:
		for (i = 0; i < n; i++)
			vmem_id_free(vm, i);
		break;
	default:
		break;
	}
	if (vmem_check(vm) || vmem_arena_size(vm, VMEM_ALLOC))
		abort();
	vmem_destroy(vm);
}

int main(int argc, char **argv)
{
	struct vmem *arenas[NLAYOUTS] = { };
	unsigned long n, pairs, done;
	unsigned int k;

	if (argc < 2) {
		fprintf(stderr, "usage: %s N [pairs]\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	pairs = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
	shim_thread_init("vmem_bench", 0);
	shim_console_loglevel = 4;
	if (shim_module_init && shim_module_init())
		return 1;

	for (k = 0; k < ARRAY_SIZE(workloads); k++) {
		const struct workload *w = &workloads[k];
		struct vmem *vm = arenas[w->layout];

		if (!vm) {
			vm = build(w->layout, n);
			arenas[w->layout] = vm;
		}
		/* warm up; the work items (hash, index) then finish */
		run_pairs(vm, w, pairs / 10 + 1);
		shim_run_work();
		if (vmem_check(vm))
			abort();
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_ZERO_STATS;
		done = run_pairs(vm, w, pairs);
		CALLGRIND_DUMP_STATS_AT(w->name);
		CALLGRIND_STOP_INSTRUMENTATION;
		printf("%s\t%lu\n", w->name, done);
		if (shim_work_pending())
			abort();	/* the loop must not change the load */
	}
	for (k = 0; k < NLAYOUTS; k++)
		if (arenas[k])
			unbuild(k, arenas[k], n);
	shim_run_work();
	if (shim_module_exit)
		shim_module_exit();
	return 0;
}
