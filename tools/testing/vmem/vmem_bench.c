// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instruction counts of the segment path, for callgrind.
 *
 * An arena of quantum 4096 gets N one-quantum holes: 2N quanta are
 * allocated and every other one freed, in front of a large free tail.
 * Then, for each workload, a loop of allocate+free pairs runs with
 * callgrind's instrumentation on and is dumped under the workload's name;
 * scripts/bench-user.sh divides each dump's instruction count by the
 * number of pairs.  Only the loop is counted: building the holes runs
 * uninstrumented.  Every pair leaves the arena as it found it, so every
 * iteration does the same work and the count per pair is exact.
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
#define TAIL_QUANTA	(1UL << 20)

struct workload {
	const char	*name;
	unsigned long	size;		/* in quanta */
	unsigned long	align;		/* in quanta; 0 for vmem_alloc() */
	unsigned long	nocross;	/* in quanta */
	unsigned int	policy;
	bool		linear;		/* O(N) by definition: few pairs */
	bool		cached;		/* on the arena with quantum caches */
	bool		nosleep;	/* VMEM_NOSLEEP rather than VMEM_SLEEP */
	unsigned int	batch;		/* > 1: allocate that many, free them */
};

static const struct workload workloads[] = {
	{ "instant-fit 1q",		1, 0, 0, VMEM_INSTANTFIT },
	{ "instant-fit 2q",		2, 0, 0, VMEM_INSTANTFIT },
	{ "best-fit 1q",		1, 0, 0, VMEM_BESTFIT },
	{ "best-fit 2q",		2, 0, 0, VMEM_BESTFIT },
	{ "xalloc 1q align=16q",	1, 16, 0, 0 },
	{ "xalloc 2q nocross=256q",	2, 1, 256, 0 },
	{ "xalloc 1q align=16q nocross=256q", 1, 16, 256, 0 },
	{ "first-fit 2q",		2, 0, 0, VMEM_FIRSTFIT, true },
	/*
	 * vmem_alloc() of a size up to qcache_max, on an arena created with
	 * quantum caches: a hit in this CPU's loaded magazine, and the free
	 * pushes it back.
	 */
	{ "qcache-size 1q (qcache_max=8q)", 1, 0, 0, 0, false, true },
	{ "qcache hit 8q NOSLEEP",	8, 0, 0, 0, false, true, true },
	/*
	 * 64 ranges out, 64 back, counted per range: the loaded and previous
	 * magazines swap and the depot trades full and empty ones (every 14
	 * ranges: 28 on the CPU, the rest in the depot, which may keep 4 full
	 * magazines with the shim's 4 CPUs); no refill, no drain.
	 */
	{ "qcache 64 out, 64 in, per pair", 2, 0, 0, 0, false, true, false,
	  64 },
};

static unsigned long batch_addr[128];

static noinline void run_pairs(struct vmem *vm, const struct workload *w,
			       unsigned long pairs)
{
	unsigned long size = w->size * Q, addr, i, j;
	unsigned int flags = (w->nosleep ? VMEM_NOSLEEP : VMEM_SLEEP) |
			     w->policy;

	if (w->batch) {
		for (i = 0; i < pairs; i += w->batch) {
			for (j = 0; j < w->batch; j++)
				if (vmem_alloc(vm, size, flags, &batch_addr[j]))
					abort();
			for (j = 0; j < w->batch; j++)
				vmem_free(vm, batch_addr[j], size);
		}
	} else if (w->align) {
		for (i = 0; i < pairs; i++) {
			if (vmem_xalloc(vm, size, w->align * Q, 0,
					w->nocross * Q, 0, 0, flags, &addr))
				abort();
			vmem_xfree(vm, addr, size);
		}
	} else {
		for (i = 0; i < pairs; i++) {
			if (vmem_alloc(vm, size, flags, &addr))
				abort();
			vmem_free(vm, addr, size);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long n, pairs, i, addr, base = 1UL << 32;
	struct vmem *vm, *cvm;
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

	vm = vmem_create("bench", base, (2 * n + TAIL_QUANTA) * Q, Q, NULL,
			 NULL, NULL, 0, 0);
	if (IS_ERR(vm))
		return 1;
	/* 2N single quanta from the bottom, then every other one freed. */
	for (i = 0; i < 2 * n; i++) {
		if (vmem_alloc(vm, Q, VMEM_SLEEP, &addr) || addr != base + i * Q)
			abort();
		if (i % 4096 == 0)
			shim_run_work();	/* the hash grows meanwhile */
	}
	for (i = 0; i < 2 * n; i += 2)
		vmem_free(vm, base + i * Q, Q);
	shim_run_work();
	if (vmem_check(vm))
		abort();
	cvm = vmem_create("bench_cached", base, TAIL_QUANTA * Q, Q, NULL, NULL,
			  NULL, 8 * Q, 0);
	if (IS_ERR(cvm))
		return 1;

	for (k = 0; k < ARRAY_SIZE(workloads); k++) {
		const struct workload *w = &workloads[k];
		unsigned long np = w->linear && n > 1000 ? 10 : pairs;
		struct vmem *on = w->cached ? cvm : vm;

		run_pairs(on, w, np / 10 + 1);		/* warm up */
		shim_run_work();	/* a hash resize the warm-up asked for */
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_ZERO_STATS;
		run_pairs(on, w, np);
		CALLGRIND_DUMP_STATS_AT(w->name);
		CALLGRIND_STOP_INSTRUMENTATION;
		printf("%s\t%lu\n", w->name, np);
		if (shim_work_pending())
			abort();	/* the loop must not change the load */
	}
	if (vmem_check(vm) || vmem_arena_size(vm, VMEM_ALLOC) != n * Q)
		abort();
	for (i = 1; i < 2 * n; i += 2)
		vmem_free(vm, base + i * Q, Q);
	vmem_destroy(vm);
	vmem_destroy(cvm);
	shim_run_work();
	if (shim_module_exit)
		shim_module_exit();
	return 0;
}
