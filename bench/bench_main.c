// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_bench.ko: the module's parameters, the timing loop, and the
 * driver that runs every row on every layout.  All the work is done at
 * load time; results go to the kernel log as one JSON object a line,
 * prefixed "vmem_bench: ", for scripts/bench-report.py.
 *
 * Timing.  Under QEMU's -icount shift=0 the guest clock advances one
 * nanosecond per guest instruction, so ktime_get_ns() deltas are
 * instruction counts (mode=icount, the default).  Boots differ only where
 * the kernel's state does (when a work item ran, what a slab page holds):
 * by a few instructions a pair.  A timed loop runs with interrupts off,
 * so that no tick is counted in; allocations are made with VMEM_NOSLEEP,
 * GFP_NOWAIT or GFP_ATOMIC.  The loop calls the row's allocate and free
 * functions through pointers; an empty row measured the same way
 * ("null") gives the loop's own cost, which the report subtracts.  In
 * mode=wall the clock is the host's time as the guest sees it: only
 * workload 6 runs, as ratios inside one boot.
 */
#include <linux/errno.h>
#include <linux/iova.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include "vmem_bench.h"

/*
 * Where vmem.ko exports into its symbol namespace (include/linux/vmem_ns.h
 * exists; bench/Kbuild tells), a client imports it.
 */
#ifdef VMEM_BENCH_IMPORT_NS
#include <linux/vmem_ns.h>
VMEM_IMPORT_NS();
#endif

static char *mode = "icount";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "icount (instructions, the default) or wall (workload 6)");

static char *run = "";
module_param(run, charp, 0444);
MODULE_PARM_DESC(run, "comma-separated parts: sweep,random,mem (icount default), smp (wall default)");

static unsigned long nmax = 1000000;
module_param(nmax, ulong, 0444);
MODULE_PARM_DESC(nmax, "largest number of holes N (0, 10, 100, ... up to nmax)");

static unsigned long pairs = 2000;
module_param(pairs, ulong, 0444);
MODULE_PARM_DESC(pairs, "timed pairs per row, at most");

static unsigned long budget = 50000000;
module_param(budget, ulong, 0444);
MODULE_PARM_DESC(budget, "ns (instructions) one timed loop may take; fewer pairs for slow rows, at least 2");

static unsigned long mem_n = 1000000;
module_param(mem_n, ulong, 0444);
MODULE_PARM_DESC(mem_n, "live allocations for workload 8 (memory)");

static unsigned long random_steps = 2000;
module_param(random_steps, ulong, 0444);
MODULE_PARM_DESC(random_steps, "timed free+allocate steps of workload 7");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "workload 6: rounds of each CPU count");

static unsigned int round_ms = 200;
module_param(round_ms, uint, 0444);
MODULE_PARM_DESC(round_ms, "workload 6: length of one round, ms");

bool bench_icount = true;

/* ---- the timing loop ---- */

static int bench_null_alloc(struct bench_arena *a, unsigned long units,
			    unsigned long *h)
{
	*h = units;
	return 0;
}

static void bench_null_free(struct bench_arena *a, unsigned long h,
			    unsigned long units)
{
}

static const struct bench_row bench_null_row = {
	.name = "null", .req = "", .units = 1,
	.alloc = bench_null_alloc, .free = bench_null_free,
};

static void bench_null_between(struct bench_arena *a)
{
}

static const struct bench_row bench_null_between_row = {
	.name = "null", .req = "", .units = 1,
	.alloc = bench_null_alloc, .free = bench_null_free,
	.between = bench_null_between,
};

/*
 * @n pairs of @row, timed as one loop, or one by one with the untimed
 * row->between() step before each.  Returns 0 or the first error.
 */
static noinline int bench_loop(const struct bench_row *row,
			       struct bench_arena *a, unsigned long n,
			       u64 *ns)
{
	unsigned long i, h, flags = 0;
	u64 t0, t1, sum = 0;
	int err = 0;

	if (row->between) {
		for (i = 0; i < n && !err; i++) {
			row->between(a);
			if (bench_icount)
				local_irq_save(flags);
			t0 = ktime_get_ns();
			err = row->alloc(a, row->units, &h);
			if (!err)
				row->free(a, h, row->units);
			t1 = ktime_get_ns();
			if (bench_icount)
				local_irq_restore(flags);
			sum += t1 - t0;
			if (!(i & 255))
				cond_resched();
		}
		*ns = sum;
		return err ?: a->err;
	}
	if (bench_icount)
		local_irq_save(flags);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		err = row->alloc(a, row->units, &h);
		if (unlikely(err))
			break;
		row->free(a, h, row->units);
	}
	t1 = ktime_get_ns();
	if (bench_icount)
		local_irq_restore(flags);
	*ns = t1 - t0;
	return err;
}

/* The loop's own cost, for the report to subtract. */
static void bench_calibrate(void)
{
	struct bench_arena a = { .sentinel = -1 };
	u64 fixed, ns, ns_between;

	bench_loop(&bench_null_row, &a, 1000, &ns);
	bench_loop(&bench_null_row, &a, 0, &fixed);
	bench_loop(&bench_null_row, &a, 10000, &ns);
	bench_loop(&bench_null_between_row, &a, 1000, &ns_between);
	bench_json_start("null");
	bench_json_u64("fixed_ns", fixed);
	bench_json_u64("pairs", 10000);
	bench_json_u64("ns", ns);
	bench_json_u64("between_pairs", 1000);
	bench_json_u64("between_ns", ns_between);
	bench_json_end();
}

/*
 * Time @row on @a: one warm-up pair, one pair to estimate the cost, then
 * as many pairs as the budget allows (at most @pairs, at least 2) after
 * a few more warm-up pairs.
 */
static int bench_measure(const struct bench_row *row, struct bench_arena *a,
			 unsigned long *np, u64 *ns)
{
	unsigned long n = pairs;
	u64 est;
	int err;

	err = bench_loop(row, a, 1, &est);
	if (!err)
		err = bench_loop(row, a, 1, &est);
	if (err)
		return err;
	if (est && est * n > budget)
		n = max_t(u64, div64_u64(budget, est), 2);
	err = bench_loop(row, a, min(n / 10, 64UL), &est);
	if (!err)
		err = bench_loop(row, a, n, ns);
	*np = n;
	return err;
}

/* ---- workloads 1 to 5: rows on layouts ---- */

static const struct bench_ops *const bench_all_ops[] = {
	&bench_vmem_ops, &bench_vmem_qc_ops, &bench_vmem_ids_ops,
	&bench_vmem_idqc_ops, &bench_genpool_ops, &bench_ida_ops,
	&bench_iova_ops,
	&bench_iova_rc_ops, &bench_slab_ops,
};

static const struct {
	const struct bench_row	*rows;
	const unsigned int	*nrows;
} bench_tables[] = {
	{ bench_vmem_rows, &bench_vmem_nrows },
	{ bench_genpool_rows, &bench_genpool_nrows },
	{ bench_ida_rows, &bench_ida_nrows },
	{ bench_iova_rows, &bench_iova_nrows },
	{ bench_slab_rows, &bench_slab_nrows },
};

static const char *const bench_where_names[] = {
	[BW_ANY] = "any", [BW_HOLE] = "hole", [BW_REST] = "rest",
	[BW_LOWEST] = "lowest", [BW_LIVE] = "a live piece",
};

#define BENCH_CHECKLEN	320

/* Does the first allocation of @row land where the row claims? */
static int bench_probe(const struct bench_row *row, struct bench_arena *a,
		       char *buf, size_t len)
{
	const struct bench_layout *l = &a->layout;
	enum bench_where want = row->where, got = BW_ANY;
	unsigned long h, off = 0;
	int err;

	if (want == BW_HOLE && !l->n && l->kind != BL_NEXT)
		want = BW_REST;		/* a fresh arena has no hole */
	if (row->between)
		row->between(a);
	err = row->alloc(a, row->units, &h);
	if (err) {
		snprintf(buf, len, "first allocation failed: %d", err);
		return err;
	}
	if (want != BW_ANY) {
		off = a->ops->offset(a, h);
		got = bench_layout_where(l, off, row->units);
	}
	row->free(a, h, row->units);
	snprintf(buf, len, "first allocation at unit %lu: %s (want %s)", off,
		 bench_where_names[got], bench_where_names[want]);
	if (got == want || (want == BW_REST && got == BW_LOWEST))
		return 0;
	return -EBADMSG;
}

static void bench_emit_row(const struct bench_row *row,
			   const struct bench_layout *l, const char *status,
			   unsigned long np, u64 ns, u64 build_ns,
			   const char *check, const char *probe)
{
	bench_json_start("row");
	bench_json_str("row", row->name);
	bench_json_str("req", row->req);
	bench_json_str("layout", bench_layout_name(l->kind));
	bench_json_u64("n", l->n);
	bench_json_str("status", status);
	bench_json_u64("pairs", np);
	bench_json_u64("ns", ns);
	bench_json_u64("between", !!row->between);
	bench_json_u64("build_ns", build_ns);
	bench_json_str("check", check);
	bench_json_str("probe", probe);
	bench_json_end();
}

/* Build one layout in one arena of @ops and time @rows on it. */
static void bench_group(const struct bench_ops *ops,
			enum bench_layout_kind kind, unsigned long n,
			const struct bench_row **rows, unsigned int nrows)
{
	struct bench_layout l = { .kind = kind, .n = n };
	static char check[BENCH_CHECKLEN], probe[BENCH_CHECKLEN];
	struct bench_arena a;
	unsigned long np;
	unsigned int i;
	u64 t0, build_ns, ns;
	int err;

	check[0] = 0;
	probe[0] = 0;
	err = bench_arena_create(&a, ops, 0, bench_layout_pieces(&l));
	if (err) {
		snprintf(check, sizeof(check), "arena creation failed: %d",
			 err);
		for (i = 0; i < nrows; i++)
			bench_emit_row(rows[i], &l, "error", 0, 0, 0, check,
				       "");
		return;
	}
	t0 = ktime_get_ns();
	err = bench_layout_build(&a, kind, n);
	build_ns = ktime_get_ns() - t0;
	if (err)
		snprintf(check, sizeof(check), "layout build failed: %d", err);
	else
		err = ops->check(&a, &a.layout, check, sizeof(check));
	for (i = 0; i < nrows; i++) {
		const struct bench_row *row = rows[i];

		probe[0] = 0;
		if (err) {
			bench_emit_row(row, &l, "bad layout", 0, 0, build_ns,
				       check, "");
			continue;
		}
		if (row->usable && !row->usable(&a, probe, sizeof(probe))) {
			bench_emit_row(row, &l, "n/a", 0, 0, build_ns, check,
				       probe);
			continue;
		}
		if (bench_probe(row, &a, probe, sizeof(probe))) {
			bench_emit_row(row, &l, "bad landing", 0, 0, build_ns,
				       check, probe);
			continue;
		}
		if (ops->settle)
			ops->settle(&a);	/* the probe may have queued work */
		np = 0;
		ns = 0;
		if (bench_measure(row, &a, &np, &ns))
			bench_emit_row(row, &l, "error", np, ns, build_ns,
				       check, "a timed pair failed");
		else
			bench_emit_row(row, &l, "ok", np, ns, build_ns, check,
				       probe);
		cond_resched();
	}
	if (!err && !ops->cached &&
	    ops->check(&a, &a.layout, check, sizeof(check))) {
		bench_json_start("warning");
		bench_json_str("layout", bench_layout_name(kind));
		bench_json_u64("n", n);
		bench_json_str("ops", ops->name);
		bench_json_str("what", "the rows changed the layout");
		bench_json_str("check", check);
		bench_json_end();
	}
	bench_arena_destroy(&a);
}

/* The rows of @ops that run on layout @kind with @n holes. */
static unsigned int bench_rows_for(const struct bench_ops *ops,
				   enum bench_layout_kind kind,
				   unsigned long n,
				   const struct bench_row **rows,
				   unsigned int max)
{
	unsigned int t, r, nrows = 0;

	for (t = 0; t < ARRAY_SIZE(bench_tables); t++) {
		for (r = 0; r < *bench_tables[t].nrows; r++) {
			const struct bench_row *row = &bench_tables[t].rows[r];

			if (row->ops == ops && (row->layouts & BL_BIT(kind)) &&
			    n <= row->nmax && nrows < max)
				rows[nrows++] = row;
		}
	}
	return nrows;
}

/* Workloads 1 to 5: N = 0, 10, 100, ... nmax; every layout; every row. */
static void bench_sweep(void)
{
	static const struct bench_row *rows[64];
	unsigned int k, o, nrows;
	unsigned long n = 0;

	for (;;) {
		for (k = 0; k < BL_NKINDS; k++) {
			for (o = 0; o < ARRAY_SIZE(bench_all_ops); o++) {
				nrows = bench_rows_for(bench_all_ops[o], k, n,
						       rows, ARRAY_SIZE(rows));
				if (nrows)
					bench_group(bench_all_ops[o], k, n,
						    rows, nrows);
			}
		}
		if (n > nmax / 10)
			break;
		n = n ? n * 10 : 10;
	}
}

/* ---- the parts ---- */

static bool bench_part(const char *part)
{
	const char *p = run;
	size_t len = strlen(part);

	if (!*run)
		return bench_icount ? strcmp(part, "smp") : !strcmp(part, "smp");
	while ((p = strstr(p, part))) {
		if ((p == run || p[-1] == ',') &&
		    (p[len] == 0 || p[len] == ','))
			return true;
		p += len;
	}
	return false;
}

static void bench_random(void)
{
	unsigned int t, r;

	for (t = 0; t < ARRAY_SIZE(bench_tables); t++)
		for (r = 0; r < *bench_tables[t].nrows; r++)
			if (bench_tables[t].rows[r].random)
				bench_random_run(&bench_tables[t].rows[r],
						 random_steps);
}

static void bench_mem(void)
{
	static const struct bench_ops *const ops[] = {
		&bench_vmem_ops, &bench_genpool_ops, &bench_iova_ops,
		&bench_ida_ops, &bench_slab_ops,
	};
	unsigned int o;

	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		bench_mem_run(ops[o], BL_PACKED, mem_n);
		bench_mem_run(ops[o], BL_HOLES1, mem_n);
	}
}

static void bench_smp(void)
{
	static const struct bench_row *rows[16];
	unsigned int t, r, nrows = 0;

	for (t = 0; t < ARRAY_SIZE(bench_tables); t++)
		for (r = 0; r < *bench_tables[t].nrows; r++)
			if (bench_tables[t].rows[r].smp &&
			    nrows < ARRAY_SIZE(rows))
				rows[nrows++] = &bench_tables[t].rows[r];
	bench_smp_run(rows, nrows, rounds, (u64)round_ms * NSEC_PER_MSEC);
}

static int __init vmem_bench_init(void)
{
	u64 t0 = ktime_get_ns();
	int err;

	if (!strcmp(mode, "wall")) {
		bench_icount = false;
	} else if (strcmp(mode, "icount")) {
		pr_err("vmem_bench: mode must be icount or wall, not %s\n",
		       mode);
		return -EINVAL;
	}
	err = iova_cache_get();
	if (err)
		return err;
	bench_json_start("env");
	bench_json_str("mode", mode);
	bench_json_str("release", utsname()->release);
	bench_json_u64("cpus", num_online_cpus());
	bench_json_u64("hz", HZ);
	bench_json_u64("nmax", nmax);
	bench_json_u64("pairs", pairs);
	bench_json_u64("budget", budget);
	bench_json_u64("mem_n", mem_n);
	bench_json_u64("random_steps", random_steps);
	bench_json_u64("rounds", rounds);
	bench_json_u64("round_ms", round_ms);
	bench_json_str("run", run);
	bench_json_end();
	bench_calibrate();
	/*
	 * Memory first: the slab caches (vmem's boundary tags, iova's
	 * nodes) then hold no free objects left over from the sweep, which
	 * a layout would reuse without taking a page.
	 */
	if (bench_part("mem"))
		bench_mem();
	if (bench_part("sweep"))
		bench_sweep();
	if (bench_part("random"))
		bench_random();
	if (bench_part("smp"))
		bench_smp();
	bench_json_start("done");
	bench_json_u64("ns", ktime_get_ns() - t0);
	bench_json_end();
	return 0;
}
module_init(vmem_bench_init);

static void __exit vmem_bench_exit(void)
{
	iova_cache_put();
}
module_exit(vmem_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem against gen_pool, the IDA, iova and slab: instructions per allocate+free pair");
MODULE_AUTHOR("The vmem for Linux developers");
