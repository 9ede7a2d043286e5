// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload 6: every CPU at once, in wall-clock time (mode=wall).
 *
 * One fresh arena per row, shared by one kthread bound to each CPU taking
 * part; each thread times its own allocate+free pairs.  Rounds on one CPU
 * and on every online CPU alternate, so that a change in the host's load
 * hits both alike; the report takes the median round of each, with the
 * fastest and slowest beside it.  Under TCG the guest's CPUs are host
 * threads: a second guest CPU only runs in parallel when a host core is
 * free for it, which is why the host's load is reported with the figures.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "vmem_bench.h"

#define BENCH_SMP_MAXCPUS	8

/*
 * A worker's own state, on cache lines of its own: workers sit side by
 * side in an array, and a line two CPUs write would make every contender
 * look worse on two CPUs than it is.  The loop writes none of it anyway.
 */
struct bench_smp_worker {
	const struct bench_row	*row;
	struct bench_arena	*a;
	struct completion	*start;
	struct completion	done;
	unsigned long		pairs;
	u64			t0;
	u64			t1;
	int			err;
} ____cacheline_aligned_in_smp;

static int bench_smp_fn(void *data)
{
	struct bench_smp_worker *w = data;
	const struct bench_row *row = w->row;
	struct bench_arena *a = w->a;
	unsigned long i, h, pairs = w->pairs;
	int err = 0;

	wait_for_completion(w->start);
	w->t0 = ktime_get_ns();
	for (i = 0; i < pairs; i++) {
		err = row->alloc(a, row->units, &h);
		if (err)
			break;
		row->free(a, h, row->units);
		if (!(i & 1023))
			cond_resched();
	}
	w->t1 = ktime_get_ns();
	w->err = err;
	kthread_complete_and_exit(&w->done, 0);
}

/* One round on the first @ncpus online CPUs; the round's span in @ns. */
static int bench_smp_round(const struct bench_row *row, struct bench_arena *a,
			   unsigned int ncpus, unsigned long pairs,
			   struct bench_smp_worker *w, u64 *ns)
{
	DECLARE_COMPLETION_ONSTACK(start);
	struct task_struct *t;
	unsigned int i = 0, cpu, n = 0;
	u64 first = U64_MAX, last = 0;
	int err = 0;

	for_each_online_cpu(cpu) {
		if (n == ncpus)
			break;
		w[n] = (struct bench_smp_worker) {
			.row = row, .a = a, .start = &start, .pairs = pairs,
		};
		init_completion(&w[n].done);
		t = kthread_create(bench_smp_fn, &w[n], "vmem_bench/%u", cpu);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			break;
		}
		kthread_bind(t, cpu);
		wake_up_process(t);
		n++;
	}
	complete_all(&start);
	for (i = 0; i < n; i++) {
		wait_for_completion(&w[i].done);
		first = min(first, w[i].t0);
		last = max(last, w[i].t1);
		err = err ?: w[i].err;
	}
	*ns = n ? last - first : 0;
	return n == ncpus ? err : err ?: -ENODEV;
}

static void bench_smp_emit(const struct bench_row *row, const char *status,
			   int err, const char *why)
{
	bench_json_start("smp");
	bench_json_str("row", row->name);
	bench_json_str("req", row->req);
	bench_json_str("status", status);
	bench_json_s64("error", err);
	bench_json_str("why", why);
	bench_json_end();
}

static void bench_smp_row(const struct bench_row *row, unsigned int rounds,
			  u64 round_ns, struct bench_smp_worker *w)
{
	static char why[320];
	unsigned int ncpus = min(num_online_cpus(), BENCH_SMP_MAXCPUS);
	unsigned int r, c, k, counts[2] = { 1, ncpus };
	unsigned long pairs;
	struct bench_arena a;
	u64 ns;
	int err;

	err = bench_arena_create(&a, row->ops, 0, 0);
	if (err) {
		bench_smp_emit(row, "error", err, "arena creation failed");
		return;
	}
	why[0] = 0;
	if (row->usable && !row->usable(&a, why, sizeof(why))) {
		bench_smp_emit(row, "n/a", 0, why);
		goto out;
	}
	/* calibrate: pairs per thread for a round of about round_ns */
	err = bench_smp_round(row, &a, 1, 1000, w, &ns);
	if (!err)
		err = bench_smp_round(row, &a, 1, 1000, w, &ns);
	pairs = ns ? max_t(u64, div64_u64(round_ns * 1000, ns), 1000) : 1000;
	for (r = 0; r < rounds && !err; r++) {
		for (k = 0; k < 2 && !err; k++) {
			c = counts[(r + k) & 1];
			if (k && counts[0] == counts[1])
				break;
			err = bench_smp_round(row, &a, c, pairs, w, &ns);
			bench_json_start("smp");
			bench_json_str("row", row->name);
			bench_json_str("req", row->req);
			bench_json_str("status", err ? "error" : "ok");
			bench_json_u64("round", r);
			bench_json_u64("cpus", c);
			bench_json_u64("pairs", pairs);
			bench_json_u64("ns", ns);
			bench_json_u64("thread0_ns", w[0].t1 - w[0].t0);
			if (c > 1)
				bench_json_u64("thread1_ns", w[1].t1 - w[1].t0);
			bench_json_end();
		}
	}
out:
	bench_arena_destroy(&a);
}

int bench_smp_run(const struct bench_row *rows[], unsigned int nrows,
		  unsigned int rounds, u64 round_ns)
{
	struct bench_smp_worker *w;
	unsigned int i;

	w = kcalloc(BENCH_SMP_MAXCPUS, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for (i = 0; i < nrows; i++)
		bench_smp_row(rows[i], rounds, round_ns, w);
	kfree(w);
	return 0;
}
