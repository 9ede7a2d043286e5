// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmem core in userspace: the tests that need what only userspace
 * gives, around the shared differential test of kunit/vmem_model.c.
 *
 *  - The randomized differential test against the reference model, and
 *    the concurrent test with threads standing in for CPUs: the same code
 *    the KUnit suites run, here under ASan, UBSan and valgrind.
 *  - Exhaustive fault injection: the Nth boundary tag allocation fails,
 *    for every N until a script runs clean, and each failed call must
 *    leave its arenas exactly as they were.
 *  - Context checks: NOSLEEP calls with interrupts off and in a simulated
 *    hard interrupt never sleep and never allocate under a spinlock (the
 *    shim counts both, for every test).
 *  - The consistency checker fed deliberately corrupted arenas: each
 *    invariant it claims to check must catch its corruption.
 *  - Sleeping allocations woken by a free, by an added span, or ended by
 *    a fatal signal.
 *
 * Every test also ends with no leaked boundary tag, kmalloc or per-CPU
 * object, no unexpected WARN, and no shim BUG (sleeping in atomic
 * context).  Output: one "ok N - name" or "not ok N - name" line per
 * test, then "N passed, M failed".  Run with -h for the options.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmem.h>
#include <linux/workqueue.h>
#include <shim.h>

#include "vmem_impl.h"
#include "vmem_model.h"
#include "vmem_oracle.h"

/* ---- the test framework ---- */

static bool quick;
static int verbose;
static u64 seed;
static const char *cur_test;
static unsigned long cur_failures;
static unsigned long exp_warn_min, exp_warn_max;
static unsigned long exp_bugs_min, exp_bugs_max;

static __printf(3, 4) void fail_at(int line, const char *expr,
				   const char *fmt, ...)
{
	va_list ap;

	cur_failures++;
	fprintf(stderr, "    FAIL %s (vmem_user.c:%d): %s", cur_test, line,
		expr);
	/* @fmt is " " followed by the caller's format, if any */
	if (fmt[1]) {
		fputc(':', stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
}

/* CHECK(cond) or CHECK(cond, fmt, ...): record a failure, go on. */
#define CHECK(cond, ...) ({						\
	bool __ok = !!(cond);						\
	if (!__ok)							\
		fail_at(__LINE__, #cond, " " __VA_ARGS__);		\
	__ok;								\
})

/* The test fires between @min and @max WARNs (default: none). */
static void expect_warnings(unsigned long min, unsigned long max)
{
	exp_warn_min = min;
	exp_warn_max = max;
}

/* The test provokes between @min and @max shim BUG reports on purpose. */
static void expect_bugs(unsigned long min, unsigned long max)
{
	exp_bugs_min = min;
	exp_bugs_max = max;
}

static void info(const char *fmt, ...) __printf(1, 2);
static void info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fputs("    # ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static struct vmem *mkarena(const char *name, unsigned long base,
			    unsigned long size, unsigned long quantum,
			    unsigned int flags)
{
	struct vmem *vm = vmem_create(name, base, size, quantum, NULL, NULL,
				      NULL, 0, flags);

	if (!CHECK(!IS_ERR_OR_NULL(vm), "vmem_create(%s) = %ld", name,
		   PTR_ERR(vm)))
		return NULL;
	return vm;
}

static bool arena_ok(struct vmem *vm)
{
	return CHECK(vmem_check(vm) == 0, "vmem_check(%s)", vmem_name(vm));
}

/*
 * An arena's observable state: its spans, segments and sizes.  Counters
 * of events (nfail, nbadfree, ...) are left out: they are what a failed
 * call may change.
 */
struct snap_ent {
	unsigned int	type;
	unsigned long	start;
	unsigned long	size;
};

struct snap {
	struct snap_ent	*e;
	unsigned int	n, max;
	unsigned int	type;
	struct vmem_stats st;
};

static void snap_cb(void *arg, unsigned long start, unsigned long size)
{
	struct snap *s = arg;

	if (s->n == s->max) {
		s->max = s->max ? 2 * s->max : 64;
		s->e = realloc(s->e, s->max * sizeof(*s->e));
		if (!s->e)
			abort();
	}
	s->e[s->n++] = (struct snap_ent){ s->type, start, size };
}

static void snap_take(struct vmem *vm, struct snap *s)
{
	static const unsigned int types[] = { VMEM_SPAN, VMEM_ALLOC, VMEM_FREE };
	unsigned int i;

	s->n = 0;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		s->type = types[i];
		vmem_walk(vm, types[i], snap_cb, s);
	}
	vmem_get_stats(vm, &s->st);
}

static void snap_free(struct snap *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/*
 * Same spans, segments and sizes; with @counted, also the same count of
 * successful allocations, frees, imports and releases.  (A source arena
 * may legitimately serve an import and take it back within a call that
 * fails: its layout is restored, its counters are not.)
 */
static bool snap_same_as(const struct snap *a, const struct snap *b,
			 bool counted)
{
	const struct vmem_stats *x = &a->st, *y = &b->st;
	unsigned int i;

	if (a->n != b->n)
		return false;
	/* field by field: the entries have padding */
	for (i = 0; i < a->n; i++)
		if (a->e[i].type != b->e[i].type ||
		    a->e[i].start != b->e[i].start ||
		    a->e[i].size != b->e[i].size)
			return false;
	if (x->mem_inuse != y->mem_inuse || x->mem_free != y->mem_free ||
	    x->mem_total != y->mem_total || x->mem_import != y->mem_import ||
	    x->nsegs != y->nsegs || x->nspans != y->nspans)
		return false;
	return !counted ||
	       (x->nalloc == y->nalloc && x->nfree == y->nfree &&
		x->nimport == y->nimport && x->nrelease == y->nrelease);
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	return snap_same_as(a, b, true);
}

static unsigned long nbadfree(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.nbadfree;
}

/* Poll @cond for up to 10 s; the sleep tests wait for a thread with it. */
#define WAIT_FOR(cond) ({						\
	unsigned int __i;						\
	for (__i = 0; __i < 10000 && !(cond); __i++)			\
		usleep(1000);						\
	(cond);								\
})

/* ---- the shared differential test ---- */

static void dt_progress(void *arg, unsigned long done)
{
	/* Where a kernel thread would cond_resched(), let work items run. */
	shim_run_work();
}

static void run_difftest(u64 s, unsigned long nops, unsigned int flags,
			 unsigned int max_live)
{
	struct vmem_difftest_stats st = { 0 };
	struct vmem_difftest_params p = {
		.seed = s,
		.nops = nops,
		.check_every = 64,
		.max_live = max_live,
		.flags = flags,
		.progress = dt_progress,
		.stats = &st,
	};
	char err[2048];
	int ret;

	ret = vmem_difftest_run(&p, err, sizeof(err));
	CHECK(ret == 0, "difftest seed %llu flags %#x: %d: %s",
	      (unsigned long long)s, flags, ret, err);
	info("seed %llu: %lu ops, %lu arenas, %lu alloc, %lu xalloc, %lu fail, %lu einval, %lu free, %lu badfree, %lu add, %lu walk, %lu check, %lu placed, %lu max live",
	     (unsigned long long)s, st.nops, st.narenas, st.nalloc,
	     st.nxalloc, st.nfail, st.neinval, st.nfree, st.nbadfree, st.nadd,
	     st.nwalk, st.ncheck, st.nplaced, st.maxlive);
	CHECK(st.nops == nops && st.nalloc && st.nfree && st.ncheck,
	      "the difftest did too little: %lu ops", st.nops);
}

static void t_difftest(void)
{
	unsigned long nops = quick ? 20000 : 200000;
	unsigned int i;

	for (i = 0; i < 4; i++)
		run_difftest(seed + i, nops, VMEM_DT_ALL, 0);
}

/* NOSLEEP throughout, and a small live set: more arenas, more churn. */
static void t_difftest_nosleep(void)
{
	unsigned long nops = quick ? 20000 : 200000;

	run_difftest(seed ^ 0x5555, nops,
		     VMEM_DT_BADFREE | VMEM_DT_PLACEMENT | VMEM_DT_STATS, 16);
}

/* A large live set: deep freelists, hash rescales, long walks. */
static void t_difftest_large(void)
{
	run_difftest(seed ^ 0xaaaa, quick ? 10000 : 60000, VMEM_DT_ALL, 2000);
}

/* ---- the brute-force oracle (kunit/vmem_oracle.c) ---- */

/*
 * Every kind of arena against the oracle, then each kind alone at the top
 * of the space in a window of 4096.  VMEM_ORACLE_FLAGS (VMEM_OR_NO_* bits) and
 * VMEM_ORACLE_KINDS in the environment narrow what is generated, to see
 * what else disagrees while a known disagreement is being fixed.
 */
static void t_oracle(void)
{
	static const unsigned int kinds[] = {
		0, VMEM_OR_FLAT, VMEM_OR_IDS, VMEM_OR_IMPORT,
	};
	const char *envflags = getenv("VMEM_ORACLE_FLAGS");
	const char *envkinds = getenv("VMEM_ORACLE_KINDS");
	struct vmem_oracle_stats st;
	struct vmem_oracle_params p = {
		.progress = dt_progress,
		.stats = &st,
	};
	unsigned long nops = quick ? 8000 : 64000, nreq = 0;
	char err[4096];
	unsigned int i;
	int ret;

	p.flags = envflags ? strtoul(envflags, NULL, 0) : 0;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		p.seed = seed + i;
		p.kinds = envkinds ? strtoul(envkinds, NULL, 0) : kinds[i];
		p.where = i ? VMEM_OR_AT_TOP : 0;
		p.width = i ? 4096 : 1024;
		p.nops = i ? nops / 2 : nops;
		ret = vmem_oracle_run(&p, err, sizeof(err));
		CHECK(ret == 0, "oracle seed %llu: %d: %s",
		      (unsigned long long)p.seed, ret, err);
		info("seed %llu kinds %#x: %lu ops, %lu arenas, %lu requests: %lu ok, %lu -ENOSPC, %lu -EINVAL, %lu -EBUSY, %lu placed, %lu imports, %lu releases, %lu frees, %lu adds, %lu checks",
		     (unsigned long long)p.seed, p.kinds, st.nops, st.narenas,
		     st.nreq, st.nok, st.nnospc, st.neinval, st.nbusy,
		     st.nplaced, st.nimport, st.nrelease, st.nfree, st.nadd,
		     st.ncheck);
		nreq += st.nreq;
		if (ret)
			break;
	}
	CHECK(ret || nreq >= (quick ? 10000UL : 100000UL),
	      "only %lu requests", nreq);
}

/* ---- threads standing in for CPUs ---- */

struct mt_thread {
	pthread_t			tid;
	const struct vmem_mt_shared	*sh;
	unsigned int			id;
	struct vmem_mt_result		res;
	char				err[512];
	int				ret;
};

static void *mt_thread_fn(void *arg)
{
	struct mt_thread *t = arg;
	char comm[TASK_COMM_LEN];

	snprintf(comm, sizeof(comm), "vmem_mt/%u", t->id);
	shim_thread_init(comm, t->id % nr_cpu_ids);
	t->ret = vmem_mt_worker(t->sh, t->id, &t->res, t->err,
				sizeof(t->err));
	return NULL;
}

static void run_mt(struct vmem *vm, unsigned long base, unsigned long size,
		   unsigned long quantum, unsigned int nthreads, u64 s)
{
	struct mt_thread t[8];
	struct vmem_mt_shared sh = {
		.vm = vm,
		.base = base,
		.size = size,
		.quantum = quantum,
		.seed = s,
		.nops = quick ? 3000 : 30000,
		.max_live = 48,
		.max_units = 16,
		.check_every = 97,
	};
	unsigned long nalloc = 0, nfree = 0, bits = size / quantum;
	unsigned int i;

	sh.bitmap = calloc(BITS_TO_LONGS(bits), sizeof(unsigned long));
	if (!sh.bitmap)
		abort();
	for (i = 0; i < nthreads; i++) {
		t[i] = (struct mt_thread){ .sh = &sh, .id = i };
		if (pthread_create(&t[i].tid, NULL, mt_thread_fn, &t[i]))
			abort();
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i].tid, NULL);
		CHECK(t[i].ret == 0, "worker %u: %d: %s", i, t[i].ret,
		      t[i].err);
		nalloc += t[i].res.nalloc;
		nfree += t[i].res.nfree;
	}
	CHECK(find_first_bit(sh.bitmap, bits) == bits,
	      "ranges still marked after every worker freed its own");
	CHECK(nalloc > 0 && nalloc == nfree, "%lu allocations, %lu frees",
	      nalloc, nfree);
	info("%u threads: %lu allocations", nthreads, nalloc);
	free(sh.bitmap);
}

static void t_mt(void)
{
	unsigned long q = 4096, base = 0x40000000, size = 1024 * q;
	struct vmem *vm;

	shim_wq_set_mode(SHIM_WQ_THREAD);
	vm = mkarena("vmem_mt", base, size, q, 0);
	if (vm) {
		run_mt(vm, base, size, q, 4, seed);
		arena_ok(vm);
		CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
		vmem_destroy(vm);
	}
	/* A tight arena: failures and refills race with frees. */
	vm = mkarena("vmem_mt_tight", 0, 96, 1, 0);
	if (vm) {
		run_mt(vm, 0, 96, 1, 4, seed + 1);
		arena_ok(vm);
		vmem_destroy(vm);
	}
	shim_wq_set_mode(SHIM_WQ_MANUAL);
}

/* Workers on an arena that imports from another: imports race. */
static void t_mt_import(void)
{
	unsigned long q = 4096, base = 0x10000000, size = 512 * q;
	struct vmem *src, *vm;

	shim_wq_set_mode(SHIM_WQ_THREAD);
	src = mkarena("vmem_mt_src", base, size, 4 * q, 0);
	vm = src ? vmem_create("vmem_mt_imp", 0, 0, q, vmem_alloc, vmem_free,
			       src, 0, 0) : NULL;
	if (CHECK(!IS_ERR_OR_NULL(vm))) {
		run_mt(vm, base, size, q, 4, seed + 2);
		arena_ok(vm);
		arena_ok(src);
		CHECK(vmem_arena_size(vm, VMEM_SPAN) == 0,
		      "%#lx still imported", vmem_arena_size(vm, VMEM_SPAN));
		CHECK(vmem_arena_size(src, VMEM_ALLOC) == 0);
		vmem_destroy(vm);
	}
	vmem_destroy(src);
	shim_wq_set_mode(SHIM_WQ_MANUAL);
}

/* ---- sleeping allocations ---- */

struct sleeper {
	pthread_t		tid;
	struct vmem		*vm;
	unsigned long		size;
	unsigned long		addr;
	struct task_struct	*task;
	int			ret;
	bool			done;
};

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	shim_thread_init("vmem_sleeper", 1);
	WRITE_ONCE(s->task, current);
	WRITE_ONCE(s->ret, vmem_alloc(s->vm, s->size, VMEM_SLEEP, &s->addr));
	WRITE_ONCE(s->done, true);
	return NULL;
}

static void sleeper_start(struct sleeper *s, struct vmem *vm,
			  unsigned long size)
{
	*s = (struct sleeper){ .vm = vm, .size = size, .ret = 1 };
	if (pthread_create(&s->tid, NULL, sleeper_fn, s))
		abort();
}

static u64 arena_nwait(struct vmem *vm)
{
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	return st.nwait;
}

/* An exhausted arena: the sleeper waits, a free wakes it. */
static void t_sleep_free_wakes(void)
{
	struct vmem *vm = mkarena("vmem_sleep", 0x1000, 4 * 4096, 4096, 0);
	unsigned long addr[4];
	struct sleeper s;
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < 4; i++)
		CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &addr[i]) == 0);
	sleeper_start(&s, vm, 4096);
	CHECK(WAIT_FOR(arena_nwait(vm) == 1), "the sleeper never waited");
	usleep(20000);
	CHECK(READ_ONCE(s.ret) == 1, "the sleeper returned %d without room",
	      READ_ONCE(s.ret));
	vmem_free(vm, addr[2], 4096);
	pthread_join(s.tid, NULL);
	CHECK(s.ret == 0 && s.addr == addr[2], "ret %d addr %#lx", s.ret,
	      s.addr);
	for (i = 0; i < 4; i++)
		vmem_free(vm, addr[i], 4096);
	arena_ok(vm);
	CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
	vmem_destroy(vm);
}

/* The sleeper is woken by a span added to the arena. */
static void t_sleep_add_wakes(void)
{
	struct vmem *vm = mkarena("vmem_sleep_add", 0, 4096, 4096, 0);
	unsigned long addr;
	struct sleeper s;

	if (!vm)
		return;
	CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &addr) == 0);
	sleeper_start(&s, vm, 2 * 4096);
	CHECK(WAIT_FOR(arena_nwait(vm) == 1), "the sleeper never waited");
	/* Too small a free does not end the wait. */
	vmem_free(vm, addr, 4096);
	usleep(20000);
	CHECK(READ_ONCE(s.ret) == 1);
	CHECK(vmem_add(vm, 0x100000, 8 * 4096, VMEM_SLEEP) == 0);
	pthread_join(s.tid, NULL);
	CHECK(s.ret == 0 && s.addr >= 0x100000 && s.addr < 0x108000,
	      "ret %d addr %#lx", s.ret, s.addr);
	if (!s.ret)
		vmem_free(vm, s.addr, 2 * 4096);
	arena_ok(vm);
	vmem_destroy(vm);
}

/* A fatal signal ends the wait with -EINTR and leaves the arena alone. */
static void t_sleep_fatal_signal(void)
{
	struct vmem *vm = mkarena("vmem_sleep_kill", 0, 4096, 4096, 0);
	struct snap before = { 0 }, after = { 0 };
	struct vmem_stats st;
	unsigned long addr;
	struct sleeper s;

	if (!vm)
		return;
	CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &addr) == 0);
	snap_take(vm, &before);
	sleeper_start(&s, vm, 4096);
	CHECK(WAIT_FOR(arena_nwait(vm) == 1), "the sleeper never waited");
	shim_kill(READ_ONCE(s.task));
	pthread_join(s.tid, NULL);
	CHECK(s.ret == -EINTR, "ret %d", s.ret);
	snap_take(vm, &after);
	CHECK(snap_same(&before, &after), "the arena changed");
	vmem_get_stats(vm, &st);
	CHECK(st.nfail == 1, "nfail %llu", (unsigned long long)st.nfail);
	vmem_free(vm, addr, 4096);
	arena_ok(vm);
	vmem_destroy(vm);
	snap_free(&before);
	snap_free(&after);
}

/* ---- context ---- */

/* Every NOSLEEP entry point, as an interrupt handler would use them. */
static void nosleep_ops(struct vmem *vm, unsigned long span)
{
	struct vmem_stats st;
	unsigned long a, b, c;

	CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &a) == 0);
	CHECK(vmem_alloc(vm, 3 * 4096, VMEM_NOSLEEP | VMEM_BESTFIT, &b) == 0);
	CHECK(vmem_xalloc(vm, 4096, 8 * 4096, 4096, 0, 0, 0, VMEM_NOSLEEP,
			  &c) == 0 && c % (8 * 4096) == 4096);
	CHECK(vmem_add(vm, span, 16 * 4096, VMEM_NOSLEEP) == 0);
	CHECK(vmem_contains(vm, span, 16 * 4096));
	vmem_free(vm, b, 3 * 4096);
	vmem_xfree(vm, c, 4096);
	vmem_free(vm, a, 4096);
	vmem_get_stats(vm, &st);
	CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
	CHECK(vmem_check(vm) == 0);
}

static void t_atomic_context(void)
{
	struct vmem *vm = mkarena("vmem_atomic", 0x100000, 64 * 4096, 4096, 0);
	struct vmem *ids = vmem_idspace_create("vmem_atomic_ids", 1, 100);
	unsigned long flags, id;

	if (!vm || !CHECK(!IS_ERR(ids)))
		goto out;
	local_irq_save(flags);
	nosleep_ops(vm, 0x1000000);
	CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP, &id) == 0);
	vmem_id_free(ids, id);
	local_irq_restore(flags);

	shim_hardirq_enter();
	nosleep_ops(vm, 0x2000000);
	CHECK(vmem_id_allocff(ids, VMEM_NOSLEEP, &id) == 0 && id == 1);
	vmem_id_free(ids, id);
	shim_hardirq_exit();
	/* The shim's BUG count (checked by the harness) must stay 0. */
out:
	vmem_destroy(vm);
	if (!IS_ERR(ids))
		vmem_idspace_destroy(ids);
}

/*
 * The negative control of the context checks: a VMEM_SLEEP call with
 * interrupts off must be reported, or t_atomic_context proves nothing.
 */
static void t_atomic_context_sleep_flagged(void)
{
	struct vmem *vm = mkarena("vmem_atomic_bad", 0, 64 * 4096, 4096, 0);
	unsigned long flags, addr;
	unsigned long bugs = shim_nr_bugs;

	if (!vm)
		return;
	/* might_sleep(), and the boundary tag refill's GFP_KERNEL allocations */
	expect_bugs(1, 1 + VMEM_TAGS_PER_OP);
	local_irq_save(flags);
	CHECK(vmem_alloc(vm, 4096, VMEM_SLEEP, &addr) == 0);
	local_irq_restore(flags);
	CHECK(shim_nr_bugs > bugs, "a sleeping call with irqs off went unseen");
	vmem_free(vm, addr, 4096);
	vmem_destroy(vm);
}

/* ---- fault injection ---- */

struct fi_arena {
	struct vmem	*vm;
	struct snap	before, after;
};

struct fi {
	struct fi_arena	a[3];		/* parent, importer, id space */
	unsigned long	live[64][2];	/* addr, size */
	unsigned int	nlive;
	unsigned long	ids[16];
	unsigned int	nids;
	unsigned long	nenomem;
	bool		broken;		/* a check failed: stop checking */
};

static void fi_snap_all(struct fi *f, bool after)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f->a); i++)
		if (f->a[i].vm)
			snap_take(f->a[i].vm, after ? &f->a[i].after :
						      &f->a[i].before);
}

/*
 * After a call on arena @a: on -ENOMEM every arena must be as it was,
 * and @a's counters too; every arena must pass vmem_check().  Returns
 * @ret.
 */
static int fi_after(struct fi *f, int ret, const char *what, unsigned int a,
		    unsigned int n)
{
	unsigned int i;

	if (ret == -ENOMEM)
		f->nenomem++;
	if (f->broken)
		return ret;
	for (i = 0; i < ARRAY_SIZE(f->a) && !f->broken; i++)
		f->broken = !CHECK(vmem_check(f->a[i].vm) == 0,
				   "fail_nth %u after %s on arena %u: arena %u",
				   n, what, a, i);
	if (ret == -ENOMEM) {
		fi_snap_all(f, true);
		for (i = 0; i < ARRAY_SIZE(f->a) && !f->broken; i++)
			f->broken = !CHECK(snap_same_as(&f->a[i].before,
							&f->a[i].after,
							i == a),
					   "fail_nth %u: %s on arena %u failed with -ENOMEM but changed arena %u",
					   n, what, a, i);
	}
	return ret;
}

static void fi_alloc(struct fi *f, unsigned int a, unsigned long size,
		     unsigned long align, unsigned long nocross,
		     unsigned int policy, unsigned int n)
{
	struct vmem *vm = f->a[a].vm;
	unsigned long addr;
	int ret;

	fi_snap_all(f, false);
	if (align || nocross)
		ret = vmem_xalloc(vm, size, align, 0, nocross, 0, 0,
				  VMEM_NOSLEEP | policy, &addr);
	else
		ret = vmem_alloc(vm, size, VMEM_NOSLEEP | policy, &addr);
	fi_after(f, ret, "alloc", a, n);
	CHECK(ret == 0 || ret == -ENOMEM, "ret %d", ret);
	if (!ret && f->nlive < ARRAY_SIZE(f->live)) {
		f->live[f->nlive][0] = addr | a;	/* arena in low bits */
		f->live[f->nlive][1] = size;
		f->nlive++;
	}
}

static void fi_free(struct fi *f, unsigned int i)
{
	unsigned long addr = f->live[i][0] & ~3UL;
	unsigned int a = f->live[i][0] & 3;

	vmem_free(f->a[a].vm, addr, f->live[i][1]);
	f->live[i][0] = 0;
	f->live[i][1] = 0;
}

/*
 * A fixed script of NOSLEEP calls on three fresh arenas: a parent with a
 * small quantum, an arena importing from it, and an identifier space.
 * Tags are refilled whenever the reserve runs low; imports allocate in
 * both arenas.  Returns false if the arenas could not be created.
 */
static bool fi_script(struct fi *f, unsigned int n)
{
	static const unsigned int policies[] = {
		0, VMEM_BESTFIT, VMEM_FIRSTFIT, VMEM_TOPDOWN, VMEM_NEXTFIT,
	};
	unsigned long id;
	unsigned int i;
	int ret;

	memset(f, 0, sizeof(*f));
	f->a[0].vm = vmem_create("fi_parent", 0x100000, 256 * 4096, 4096,
				 NULL, NULL, NULL, 0, VMC_QUIET_BADFREE);
	f->a[1].vm = vmem_create("fi_child", 0, 0, 4096, vmem_alloc,
				 vmem_free, f->a[0].vm, 0, 0);
	f->a[2].vm = vmem_idspace_create("fi_ids", 0, 64);
	for (i = 0; i < ARRAY_SIZE(f->a); i++) {
		if (IS_ERR(f->a[i].vm)) {
			CHECK(0, "arena %u: %ld", i, PTR_ERR(f->a[i].vm));
			f->a[i].vm = NULL;
			return false;
		}
	}

	fi_snap_all(f, false);
	ret = vmem_add(f->a[0].vm, 0x10000000, 64 * 4096, VMEM_NOSLEEP);
	CHECK(fi_after(f, ret, "add", 0, n) == 0 || ret == -ENOMEM);
	for (i = 0; i < 24; i++)
		fi_alloc(f, i % 3 == 1, (1 + i % 5) * 4096,
			 i % 4 == 3 ? 4 * 4096 : 0, i % 7 == 6 ? 16 * 4096 : 0,
			 policies[i % ARRAY_SIZE(policies)], n);
	/* Holes everywhere: frees return tags, later carves take them. */
	for (i = 0; i < f->nlive; i += 3)
		fi_free(f, i);
	for (i = 0; i < 16; i++)
		fi_alloc(f, i & 1, 4096, i % 5 == 4 ? 2 * 4096 : 0, 0,
			 policies[(i + 1) % ARRAY_SIZE(policies)], n);
	for (i = 0; i < 8; i++) {
		fi_snap_all(f, false);
		ret = vmem_id_alloc(f->a[2].vm, VMEM_NOSLEEP, &id);
		if (!fi_after(f, ret, "id_alloc", 2, n))
			f->ids[f->nids++] = id;
		fi_snap_all(f, false);
		ret = vmem_id_alloc_specific(f->a[2].vm, 40 + i, VMEM_NOSLEEP);
		if (!fi_after(f, ret, "id_alloc_specific", 2, n))
			f->ids[f->nids++] = 40 + i;
		CHECK(ret == 0 || ret == -ENOMEM, "ret %d", ret);
	}
	for (i = 0; i < f->nlive; i++)
		if (f->live[i][1])
			fi_free(f, i);
	for (i = 0; i < f->nids; i++)
		vmem_id_free(f->a[2].vm, f->ids[i]);
	return true;
}

static void fi_destroy(struct fi *f)
{
	unsigned int i;

	for (i = ARRAY_SIZE(f->a); i-- > 0;) {
		vmem_destroy(f->a[i].vm);
		snap_free(&f->a[i].before);
		snap_free(&f->a[i].after);
	}
}

/*
 * For N = 1, 2, ...: the Nth non-blocking allocation of the script fails
 * (current->fail_nth, as in the kernel); stop when the script runs
 * without reaching N.  Every injected failure must surface as -ENOMEM
 * with the arenas unchanged.
 */
static void t_failslab_nosleep(void)
{
	unsigned long total_enomem = 0;
	unsigned int n, nbroken = 0;
	struct fi f;

	for (n = 1; n < 5000 && nbroken < 3; n++) {
		unsigned long injected = shim_nr_injected;
		bool ok;

		current->fail_nth = n;
		ok = fi_script(&f, n);
		current->fail_nth = 0;
		fi_destroy(&f);
		if (!ok)
			break;
		nbroken += f.broken;
		total_enomem += f.nenomem;
		if (shim_nr_injected == injected)
			break;
		CHECK(f.nenomem > 0, "fail_nth %u: a failure injected, no call failed",
		      n);
	}
	info("%u runs, %lu calls failed with -ENOMEM", n, total_enomem);
	if (nbroken)
		return;		/* reported; the rest of the runs are moot */
	CHECK(n > 4 && n < 5000, "%u runs: too few allocations to inject", n);
}

/*
 * The same with blocking allocations injectable too (failslab with
 * ignore-gfp-wait off): arena creation, SLEEP calls and the hash rescale
 * work fail in turn.  Failures must be clean; nothing may leak.
 */
static void t_failslab_sleep(void)
{
	unsigned long addr[300], enomem = 0, created = 0;
	unsigned int n, i;

	shim_failslab_ignore_reclaim = false;
	for (n = 1; n < 2000; n++) {
		unsigned long injected = shim_nr_injected;
		struct vmem *vm;
		int ret;

		current->fail_nth = n;
		vm = vmem_create("fs_sleep", 0x1000, 1024 * 16, 16, NULL, NULL,
				 NULL, 0, 0);
		if (IS_ERR(vm)) {
			CHECK(PTR_ERR(vm) == -ENOMEM, "%ld", PTR_ERR(vm));
			enomem++;
			goto next;
		}
		created++;
		for (i = 0; i < ARRAY_SIZE(addr); i++) {
			ret = vmem_alloc(vm, 16 * (1 + i % 2), VMEM_SLEEP,
					 &addr[i]);
			CHECK(ret == 0 || ret == -ENOMEM, "ret %d", ret);
			if (ret) {
				enomem++;
				addr[i] = ~0UL;
			}
			if (i % 64 == 63)
				shim_run_work();	/* rescale: may fail */
		}
		CHECK(vmem_check(vm) == 0, "fail_nth %u", n);
		for (i = 0; i < ARRAY_SIZE(addr); i++)
			if (addr[i] != ~0UL)
				vmem_free(vm, addr[i], 16 * (1 + i % 2));
		shim_run_work();
		CHECK(vmem_check(vm) == 0, "fail_nth %u", n);
		CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
		vmem_destroy(vm);
next:
		current->fail_nth = 0;
		if (shim_nr_injected == injected)
			break;
	}
	shim_failslab_ignore_reclaim = true;
	info("%u runs, %lu arenas, %lu -ENOMEM", n, created, enomem);
	CHECK(n > 3 && n < 2000 && enomem > 0, "%u runs", n);
}

/* ---- the hash table of allocated segments ---- */

static void t_hash_rescale(void)
{
	unsigned long n = quick ? 5000 : 50000, i, addr;
	struct vmem *vm = mkarena("vmem_hash", 0, n * 2, 1, 0);
	struct vmem_stats st;
	unsigned long *a;

	if (!vm)
		return;
	a = calloc(n, sizeof(*a));
	for (i = 0; i < n; i++) {
		CHECK(vmem_alloc(vm, 1 + i % 2, VMEM_NOSLEEP, &a[i]) == 0);
		if (i % 100 == 99)
			shim_run_work();
	}
	shim_run_work();
	vmem_get_stats(vm, &st);
	CHECK(st.hash_buckets >= n / 2 && st.hash_buckets <= 4 * n,
	      "%lu buckets for %lu allocations", st.hash_buckets, n);
	CHECK(st.hash_rescales >= 4, "%llu rescales",
	      (unsigned long long)st.hash_rescales);
	arena_ok(vm);
	/* Free in a different order than allocated; shrink as we go. */
	for (i = 0; i < n; i += 2)
		vmem_free(vm, a[i], 1);
	shim_run_work();
	for (i = n - 1; i < n; i -= 2)
		vmem_free(vm, a[i], 2);
	shim_run_work();
	vmem_get_stats(vm, &st);
	CHECK(st.hash_buckets == 1UL << VMEM_HASH_MIN_SHIFT,
	      "%lu buckets when empty", st.hash_buckets);
	arena_ok(vm);
	CHECK(vmem_alloc(vm, 2 * n, VMEM_NOSLEEP, &addr) == 0 && addr == 0,
	      "the arena did not coalesce back into one segment");
	vmem_free(vm, addr, 2 * n);
	vmem_destroy(vm);
	free(a);
}

/* A rescale still queued when the arena goes away is cancelled. */
static void t_hash_rescale_cancelled(void)
{
	struct vmem *vm = mkarena("vmem_hash_cancel", 0, 4096, 1, 0);
	unsigned long i, addr;

	if (!vm)
		return;
	for (i = 0; i < 100; i++)
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP, &addr) == 0);
	CHECK(shim_work_pending() == 1, "%lu items queued",
	      shim_work_pending());
	vmem_destroy(vm);	/* leaks 100 IDs on purpose; cancels the work */
	CHECK(shim_work_pending() == 0);
	CHECK(shim_log_find("vmem_destroy(vmem_hash_cancel): leaked 100 bytes in 100 segments"));
}

/* ---- bad frees ---- */

static void badfree_one(struct vmem *vm, struct vmem *victim,
			unsigned long addr, unsigned long size,
			const char *what)
{
	struct snap before = { 0 }, after = { 0 };
	unsigned long bad = nbadfree(victim);

	snap_take(victim, &before);
	if (vm == victim)
		vmem_free(victim, addr, size);
	else
		vmem_xfree(victim, addr, size);
	snap_take(victim, &after);
	CHECK(nbadfree(victim) == bad + 1, "%s: not counted", what);
	CHECK(snap_same(&before, &after), "%s: the arena changed", what);
	arena_ok(victim);
	snap_free(&before);
	snap_free(&after);
}

static void badfree_all(struct vmem *vm, struct vmem *other)
{
	unsigned long a, b, x;

	CHECK(vmem_alloc(vm, 2 * 4096, VMEM_NOSLEEP, &a) == 0);
	CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &b) == 0);
	CHECK(vmem_alloc(other, 4096, VMEM_NOSLEEP, &x) == 0);
	badfree_one(vm, vm, a + 4096, 4096, "inside an allocation");
	badfree_one(vm, vm, a, 4096, "short size");
	badfree_one(vm, vm, a, 3 * 4096, "long size");
	badfree_one(vm, vm, a, 0, "size 0");
	badfree_one(vm, vm, a, ~0UL, "size ULONG_MAX");
	badfree_one(vm, vm, 0x7000000, 4096, "never allocated");
	badfree_one(other, vm, x, 4096, "another arena's range");
	vmem_free(vm, b, 4096);
	badfree_one(vm, vm, b, 4096, "double free");
	vmem_free(vm, a, 2 * 4096);
	vmem_free(other, x, 4096);
}

static void t_badfree_quiet(void)
{
	struct vmem *vm = mkarena("badfree_quiet", 0x100000, 64 * 4096, 4096,
				  VMC_QUIET_BADFREE);
	struct vmem *other = mkarena("badfree_other", 0x800000, 64 * 4096,
				     4096, 0);

	if (vm && other) {
		badfree_all(vm, other);
		CHECK(nbadfree(vm) == 8, "%lu", nbadfree(vm));
		CHECK(shim_log_find("vmem badfree_quiet: bad free [0x100000, +0x1000): wrong size"),
		      "the bad free was not logged with the arena and range");
		CHECK(shim_log_find("vmem badfree_quiet: bad free [0x7000000, +0x1000): not allocated"));
		CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
	}
	vmem_destroy(vm);
	vmem_destroy(other);
}

/* Without VMC_QUIET_BADFREE: one WARN per arena, then only counts. */
static void t_badfree_warns_once(void)
{
	struct vmem *a = mkarena("badfree_warn_a", 0x100000, 64 * 4096, 4096, 0);
	struct vmem *b = mkarena("badfree_warn_b", 0x800000, 64 * 4096, 4096, 0);
	unsigned long w = shim_nr_warnings, x;

	expect_warnings(2, 2);
	if (a && b) {
		badfree_all(a, b);
		CHECK(shim_nr_warnings == w + 1, "%lu warnings for one arena",
		      shim_nr_warnings - w);
		CHECK(shim_log_find("WARNING:") &&
		      shim_log_find("vmem badfree_warn_a: bad free"),
		      "the WARN does not name the arena");
		/* b's first bad free is a wrong size: the other WARN */
		CHECK(vmem_alloc(b, 2 * 4096, VMEM_NOSLEEP, &x) == 0);
		badfree_one(b, b, x, 4096, "short size");
		vmem_free(b, x, 2 * 4096);
		CHECK(shim_log_find("vmem badfree_warn_b: bad free") &&
		      shim_log_find("allocated with size 0x2000"),
		      "the WARN does not give the allocated size");
		badfree_all(b, a);
		CHECK(shim_nr_warnings == w + 2, "%lu warnings for two arenas",
		      shim_nr_warnings - w);
		CHECK(nbadfree(a) == 8 && nbadfree(b) == 9);
	}
	vmem_destroy(a);
	vmem_destroy(b);
}

/* ---- leaks reported by vmem_destroy() ---- */

static void t_destroy_leaks(void)
{
	struct vmem *vm = mkarena("vmem_leaky", 0, 64 * 4096, 4096, 0);
	struct vmem *ids = vmem_idspace_create("vmem_leaky_ids", 100, 200);
	unsigned long addr, i;

	if (!vm || !CHECK(!IS_ERR(ids)))
		return;
	for (i = 0; i < 10; i++)
		CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &addr) == 0);
	for (i = 0; i < 3; i++)
		CHECK(vmem_id_alloc(ids, VMEM_SLEEP, &addr) == 0);
	vmem_destroy(vm);
	vmem_idspace_destroy(ids);
	CHECK(shim_log_find("vmem_destroy(vmem_leaky): leaked 40960 bytes in 10 segments"));
	CHECK(shim_log_find("vmem_destroy(vmem_leaky):   [0, +0x1000)"));
	CHECK(shim_log_find("vmem_destroy(vmem_leaky):   ..."),
	      "more than 8 leaked segments, but no ellipsis");
	CHECK(shim_log_find("vmem_destroy(vmem_leaky_ids): leaked 3 IDs in 3 segments"));
	/* The harness checks that every tag went back to the slab. */
}

/* ---- imports ---- */

struct counting_source {
	struct vmem	*src;
	unsigned int	nimport, nrelease;
	unsigned long	imported;	/* bytes out now */
	bool		fail;		/* the next imports fail */
	unsigned long	extra;		/* ximport: give this much more */
	unsigned long	skew;		/* import: misalign by this */
};

static struct counting_source cs;

static int cs_import(struct vmem *src, unsigned long size, unsigned int vmflags,
		     unsigned long *addrp)
{
	int ret;

	if (cs.fail)
		return -ENOMEM;
	ret = vmem_alloc(src, size, vmflags, addrp);
	if (!ret) {
		cs.nimport++;
		cs.imported += size;
		*addrp += cs.skew;
	}
	return ret;
}

static int cs_ximport(struct vmem *src, unsigned long *sizep,
		      unsigned int vmflags, unsigned long *addrp)
{
	unsigned long size = *sizep + cs.extra;
	int ret;

	if (cs.fail)
		return -ENOMEM;
	ret = vmem_alloc(src, size, vmflags, addrp);
	if (!ret) {
		*sizep = size;
		cs.nimport++;
		cs.imported += size;
	}
	return ret;
}

static void cs_release(struct vmem *src, unsigned long addr, unsigned long size)
{
	cs.nrelease++;
	cs.imported -= size;
	vmem_free(src, addr - cs.skew, size);
}

/* Importing through vmem_alloc/vmem_free: spans come and go. */
static void t_import_plain(void)
{
	struct vmem *src = mkarena("imp_src", 0x100000, 256 * 4096, 4096, 0);
	struct vmem *vm;
	struct vmem_stats st;
	unsigned long a, b, c;

	if (!src)
		return;
	vm = vmem_create("imp", 0, 0, 1, vmem_alloc, vmem_free, src, 0, 0);
	if (!CHECK(!IS_ERR(vm)))
		goto out;
	/* 100 bytes: imported as one source quantum. */
	CHECK(vmem_alloc(vm, 100, VMEM_SLEEP, &a) == 0);
	CHECK(vmem_arena_size(vm, VMEM_SPAN) == 4096);
	CHECK(vmem_arena_size(src, VMEM_ALLOC) == 4096);
	/* Fits in the imported span: no new import. */
	CHECK(vmem_alloc(vm, 1000, VMEM_NOSLEEP, &b) == 0);
	CHECK(vmem_arena_size(vm, VMEM_SPAN) == 4096);
	/* Constraints the source can take pass through vmem_xalloc(). */
	CHECK(vmem_xalloc(vm, 4096, 16 * 4096, 4096, 0, 0, 0, VMEM_NOSLEEP,
			  &c) == 0 && c % (16 * 4096) == 4096,
	      "c %#lx", c);
	arena_ok(vm);
	arena_ok(src);
	vmem_get_stats(vm, &st);
	CHECK(st.nimport == 2 && st.mem_import == 2 * 4096 &&
	      st.nspans == 2, "nimport %llu import %#lx",
	      (unsigned long long)st.nimport, st.mem_import);
	vmem_xfree(vm, c, 4096);
	CHECK(vmem_arena_size(vm, VMEM_SPAN) == 4096,
	      "a wholly free imported span was kept");
	vmem_free(vm, a, 100);
	vmem_free(vm, b, 1000);
	vmem_get_stats(vm, &st);
	CHECK(st.nrelease == 2 && st.mem_total == 0 && st.nspans == 0);
	CHECK(vmem_arena_size(src, VMEM_ALLOC) == 0);
	/* Padding past ULONG_MAX for a phase the source cannot take. */
	CHECK(vmem_xalloc(vm, 1UL << (BITS_PER_LONG - 2),
			  1UL << (BITS_PER_LONG - 1), 1,
			  1UL << (BITS_PER_LONG - 1), 0, 0, VMEM_NOSLEEP,
			  &c) == -ENOMEM);
	/* A phase the source cannot take: imported with padding. */
	CHECK(vmem_xalloc(vm, 64, 128, 64, 0, 0, 0, VMEM_NOSLEEP, &c) == 0 &&
	      c % 128 == 64, "c %#lx", c);
	arena_ok(vm);
	/* A leak at destroy: the span still goes back to the source. */
	vmem_destroy(vm);
	CHECK(vmem_arena_size(src, VMEM_ALLOC) == 0);
	CHECK(shim_log_find("vmem_destroy(imp): leaked 64 bytes in 1 segments"));
	arena_ok(src);
out:
	vmem_destroy(src);
}

/* Three levels: a free at the bottom returns spans all the way up. */
static void t_import_chain(void)
{
	struct vmem *top = mkarena("imp_top", 0, 1UL << 30, 1UL << 16, 0);
	struct vmem *mid = NULL, *bot = NULL;
	unsigned long a[8];
	unsigned int i;

	if (!top)
		return;
	mid = vmem_create("imp_mid", 0, 0, 4096, vmem_alloc, vmem_free, top,
			  0, 0);
	bot = IS_ERR(mid) ? mid : vmem_create("imp_bot", 0, 0, 64, vmem_alloc,
					      vmem_free, mid, 0, 0);
	if (!CHECK(!IS_ERR(mid) && !IS_ERR(bot)))
		goto out;
	for (i = 0; i < ARRAY_SIZE(a); i++)
		CHECK(vmem_alloc(bot, 64 << i, VMEM_SLEEP | VMEM_FIRSTFIT,
				 &a[i]) == 0);
	CHECK(vmem_arena_size(top, VMEM_ALLOC) >= 1UL << 16);
	arena_ok(bot);
	arena_ok(mid);
	arena_ok(top);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		vmem_free(bot, a[i], 64 << i);
	CHECK(vmem_arena_size(bot, VMEM_SPAN) == 0);
	CHECK(vmem_arena_size(mid, VMEM_SPAN) == 0);
	CHECK(vmem_arena_size(top, VMEM_ALLOC) == 0);
out:
	if (!IS_ERR_OR_NULL(bot))
		vmem_destroy(bot);
	if (!IS_ERR_OR_NULL(mid))
		vmem_destroy(mid);
	vmem_destroy(top);
}

/* Custom import functions: counted, failing, giving more, misbehaving. */
/*
 * Requests that the translation to a vmem source with a larger quantum
 * cannot pass down: each fails with -ENOMEM (or -EINVAL for an exact
 * identifier outside the space) without importing anything.
 */
static void t_import_untranslatable(void)
{
	struct vmem *src = mkarena("ut_src", 0, ULONG_MAX - 15, 16, 0);
	struct vmem *src1 = mkarena("ut_src1", 0, 1UL << 20, 1, 0);
	struct vmem *vm, *vm1;
	unsigned long a;

	if (!src || !src1)
		goto out_src;
	vm = vmem_create("ut", 0, 0, 1, vmem_alloc, vmem_free, src, 0, 0);
	vm1 = vmem_create("ut1", 0, 0, 1, vmem_alloc, vmem_free, src1, 0, 0);
	if (!CHECK(!IS_ERR(vm) && !IS_ERR(vm1)))
		goto out;
	/* phase offset 8 plus the size overflows */
	CHECK(vmem_xalloc(vm, ULONG_MAX - 3, 16, 8, 0, 0, 0, VMEM_NOSLEEP,
			  &a) == -ENOMEM);
	/* minaddr so high that the source quantum cannot round it up */
	CHECK(vmem_xalloc(vm, 1, 0, 0, 0, ULONG_MAX - 2, 0, VMEM_NOSLEEP,
			  &a) == -ENOMEM);
	/* a window that ends before the phase offset */
	CHECK(vmem_xalloc(vm, 1, 16, 8, 0, 0, 4, VMEM_NOSLEEP, &a) ==
	      -ENOMEM);
	/* identifier 0: a window ending at 0 cannot be passed on */
	CHECK(vmem_id_alloc_specific(vm1, 0, VMEM_NOSLEEP) == -EINVAL);
	CHECK(vmem_arena_size(vm, VMEM_SPAN) == 0 &&
	      vmem_arena_size(vm1, VMEM_SPAN) == 0, "nothing imported");
	CHECK(vmem_arena_size(src, VMEM_ALLOC) == 0 &&
	      vmem_arena_size(src1, VMEM_ALLOC) == 0, "nothing taken");
	arena_ok(vm);
	arena_ok(vm1);
out:
	if (!IS_ERR(vm))
		vmem_destroy(vm);
	if (!IS_ERR(vm1))
		vmem_destroy(vm1);
out_src:
	vmem_destroy(src);
	vmem_destroy(src1);
}

/*
 * An import function that frees room in the importing arena while it
 * runs (it is called without the arena lock), then returns a span the
 * request's window cannot use: the span goes straight back, and the
 * request takes the room the free made.
 */
static struct {
	struct vmem	*vm;
	unsigned long	free_addr;
} fr;

static int fr_import(struct vmem *source, unsigned long size,
		     unsigned int vmflags, unsigned long *addrp)
{
	vmem_free(fr.vm, fr.free_addr, 4096);
	return vmem_alloc(source, size, vmflags, addrp);
}

static void t_import_useless_span_room_elsewhere(void)
{
	struct vmem *src = mkarena("fr_src", 0x800000, 64 * 4096, 4096, 0);
	unsigned long a[4], got = 0;
	struct vmem *vm;
	int i;

	if (!src)
		return;
	vm = vmem_create("fr", 0x100000, 4 * 4096, 4096, fr_import,
			 vmem_free, src, 0, 0);
	if (!CHECK(!IS_ERR(vm)))
		goto out_src;
	for (i = 0; i < 4; i++)
		CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP, &a[i]) == 0);
	fr.vm = vm;
	fr.free_addr = a[2];
	CHECK(vmem_xalloc(vm, 4096, 0, 0, 0, 0x100000, 0x103fff,
			  VMEM_NOSLEEP, &got) == 0, "xalloc after the import");
	CHECK(got == a[2], "took %#lx, the room freed was %#lx", got, a[2]);
	CHECK(vmem_arena_size(src, VMEM_ALLOC) == 0,
	      "the useless span went back to the source");
	CHECK(vmem_arena_size(vm, VMEM_SPAN) == 4 * 4096);
	arena_ok(vm);
	for (i = 0; i < 4; i++)
		vmem_free(vm, i == 2 ? got : a[i], 4096);
	vmem_destroy(vm);
out_src:
	vmem_destroy(src);
}

static void t_import_custom(void)
{
	static bool first = true;
	struct vmem *src = mkarena("cs_src", 0x100000, 256 * 4096, 4096, 0);
	struct snap before = { 0 }, after = { 0 };
	struct vmem *vm, *xvm;
	unsigned long a, b;

	/* WARN_ONCE() sites warn once per process, as in the kernel. */
	if (first)
		expect_warnings(1, 1);
	first = false;
	if (!src)
		return;
	memset(&cs, 0, sizeof(cs));
	cs.src = src;
	vm = vmem_create("cs", 0, 0, 4096, cs_import, cs_release, src, 0, 0);
	xvm = vmem_create("cs_x", 0, 0, 4096, NULL, cs_release, src, 0, 0);
	CHECK(IS_ERR(xvm) && PTR_ERR(xvm) == -EINVAL,
	      "a release function without an import function");
	if (!CHECK(!IS_ERR(vm)))
		goto out;

	CHECK(vmem_alloc(vm, 3 * 4096, VMEM_NOSLEEP, &a) == 0);
	CHECK(cs.nimport == 1 && cs.imported == 3 * 4096);
	/* A custom import gets the worst-case padding for the alignment. */
	CHECK(vmem_xalloc(vm, 4096, 8 * 4096, 0, 0, 0, 0, VMEM_NOSLEEP,
			  &b) == 0 && b % (8 * 4096) == 0);
	CHECK(cs.nimport == 2 && cs.imported == 11 * 4096, "imported %#lx",
	      cs.imported);
	vmem_xfree(vm, b, 4096);
	CHECK(cs.nrelease == 1);

	/* Failing imports: -ENOMEM and nothing changed. */
	cs.fail = true;
	snap_take(vm, &before);
	CHECK(vmem_alloc(vm, 8 * 4096, VMEM_NOSLEEP, &b) == -ENOMEM);
	CHECK(vmem_xalloc(vm, 4096, 0, 0, 0, 0x7000000, 0x7ffffff,
			  VMEM_NOSLEEP, &b) == -ENOMEM);
	snap_take(vm, &after);
	CHECK(snap_same(&before, &after));
	cs.fail = false;

	/*
	 * A window the custom import ignores: the span it brings cannot
	 * help, so it goes straight back and the call fails.
	 */
	CHECK(vmem_xalloc(vm, 4096, 0, 0, 0, 0x7000000, 0x7ffffff,
			  VMEM_NOSLEEP, &b) == -ENOMEM);
	CHECK(cs.imported == 3 * 4096 && cs.nimport == cs.nrelease + 1,
	      "the useless span was kept: %#lx imported", cs.imported);
	/* Padding for align and nocross past ULONG_MAX: nothing to import. */
	CHECK(vmem_xalloc(vm, 1UL << (BITS_PER_LONG - 2),
			  1UL << (BITS_PER_LONG - 1), 0,
			  1UL << (BITS_PER_LONG - 1), 0, 0, VMEM_NOSLEEP,
			  &b) == -ENOMEM);

	/* Rounding to the source's quantum would pass ULONG_MAX. */
	xvm = vmem_create("cs_q1", 0, 0, 1, cs_import, cs_release, src, 0, 0);
	if (CHECK(!IS_ERR(xvm))) {
		CHECK(vmem_alloc(xvm, ULONG_MAX - 100, VMEM_NOSLEEP, &b) ==
		      -ENOMEM);
		vmem_destroy(xvm);
	}
	xvm = vmem_xcreate("cs_x", 0, 0, 4096, cs_ximport, cs_release, src,
			   0, 0);

	/* An import that is not quantum-aligned is refused with a WARN. */
	cs.skew = 512;
	CHECK(vmem_alloc(vm, 8 * 4096, VMEM_NOSLEEP, &b) == -EINVAL);
	CHECK(cs.nimport == cs.nrelease + 1, "the bad span was not released");
	cs.skew = 0;
	vmem_free(vm, a, 3 * 4096);
	CHECK(cs.imported == 0 && cs.nimport == cs.nrelease);

	/* ximport: asked for one page, takes four; the rest serves later. */
	if (!CHECK(!IS_ERR(xvm)))
		goto out;
	cs.extra = 3 * 4096;
	CHECK(vmem_alloc(xvm, 4096, VMEM_SLEEP, &a) == 0);
	CHECK(vmem_arena_size(xvm, VMEM_SPAN) == 4 * 4096);
	CHECK(vmem_alloc(xvm, 3 * 4096, VMEM_SLEEP, &b) == 0);
	CHECK(cs.nimport == 5, "%u imports", cs.nimport);
	arena_ok(xvm);
	vmem_free(xvm, a, 4096);
	vmem_free(xvm, b, 3 * 4096);
	CHECK(vmem_arena_size(xvm, VMEM_SPAN) == 0 && cs.imported == 0);
	arena_ok(vm);
	arena_ok(src);
out:
	if (!IS_ERR(vm))
		vmem_destroy(vm);
	if (!IS_ERR_OR_NULL(xvm))
		vmem_destroy(xvm);
	vmem_destroy(src);
	snap_free(&before);
	snap_free(&after);
}

/* An import returning a range that overlaps a span: refused, WARNed. */
static int overlap_import(struct vmem *src, unsigned long size,
			  unsigned int vmflags, unsigned long *addrp)
{
	*addrp = 0x1000;	/* inside the importer's own span */
	return 0;
}

static unsigned int overlap_released;

static void overlap_release(struct vmem *src, unsigned long addr,
			    unsigned long size)
{
	overlap_released++;
}

static void t_import_overlap(void)
{
	static bool first = true;
	struct vmem *vm;
	unsigned long a;

	if (first)
		expect_warnings(1, 1);
	first = false;
	overlap_released = 0;
	vm = vmem_create("imp_overlap", 0, 0x10000, 4096, overlap_import,
			 overlap_release, NULL, 0, 0);
	if (!CHECK(!IS_ERR(vm)))
		return;
	CHECK(vmem_alloc(vm, 0x20000, VMEM_NOSLEEP, &a) == -EINVAL);
	CHECK(overlap_released == 1);
	arena_ok(vm);
	vmem_destroy(vm);
}

/*
 * Import functions run without vmem locks, so they may call back into
 * the importing arena itself.  That makes two races deterministic:
 *  - a free lands between a failed search and the wait for room (the
 *    allocation must notice it and not sleep);
 *  - the importing arena's tag reserve is drained while the import runs,
 *    and its refill then fails (the imported span must go back).
 */
static struct vmem *reenter_vm;
static unsigned long reenter_free_addr, reenter_next_add;
static unsigned int reenter_released;

static int reenter_free_import(struct vmem *src, unsigned long size,
			       unsigned int vmflags, unsigned long *addrp)
{
	if (reenter_free_addr) {
		vmem_free(reenter_vm, reenter_free_addr, 4096);
		reenter_free_addr = 0;
	}
	return -ENOMEM;
}

static int reenter_drain_import(struct vmem *src, unsigned long size,
				unsigned int vmflags, unsigned long *addrp)
{
	/* a span of our own takes two tags from the importer's reserve */
	if (vmem_add(reenter_vm, reenter_next_add, 4096, VMEM_NOSLEEP))
		return -ENOMEM;
	reenter_next_add += 0x100000;
	current->fail_nth = 1;		/* and the refill will fail */
	*addrp = 0x40000000;
	return 0;
}

static void reenter_release(struct vmem *src, unsigned long addr,
			    unsigned long size)
{
	reenter_released++;
}

static void *reenter_sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	shim_thread_init("vmem_reenter", 1);
	WRITE_ONCE(s->task, current);
	WRITE_ONCE(s->ret, vmem_alloc(s->vm, s->size, VMEM_SLEEP, &s->addr));
	WRITE_ONCE(s->done, true);
	return NULL;
}

static void t_import_reentrant(void)
{
	unsigned long a[4], addr;
	struct sleeper s = { .ret = 1, .size = 4096 };
	struct vmem_stats st;
	unsigned int i;

	/* 1. The import frees a page of the arena, then fails. */
	reenter_vm = vmem_create("reenter_free", 0x100000, 4 * 4096, 4096,
				 reenter_free_import, reenter_release, NULL, 0,
				 0);
	if (!CHECK(!IS_ERR(reenter_vm)))
		return;
	for (i = 0; i < 4; i++)
		CHECK(vmem_alloc(reenter_vm, 4096, VMEM_NOSLEEP, &a[i]) == 0);
	reenter_free_addr = a[1];
	s.vm = reenter_vm;
	if (pthread_create(&s.tid, NULL, reenter_sleeper_fn, &s))
		abort();
	/* It must not sleep; if it does, end it rather than hang. */
	if (!CHECK(WAIT_FOR(READ_ONCE(s.done)),
		   "the allocation slept through a free that made room"))
		shim_kill(READ_ONCE(s.task));
	pthread_join(s.tid, NULL);
	CHECK(s.ret == 0 && s.addr == a[1], "ret %d addr %#lx", s.ret, s.addr);
	vmem_get_stats(reenter_vm, &st);
	CHECK(st.nwait == 0, "slept %llu times", (unsigned long long)st.nwait);
	for (i = 0; i < 4; i++)
		vmem_free(reenter_vm, a[i], 4096);
	arena_ok(reenter_vm);
	vmem_destroy(reenter_vm);

	/* 2. The import drains the importer's reserve; the refill fails. */
	reenter_released = 0;
	reenter_next_add = 0x1000000;
	reenter_vm = vmem_create("reenter_drain", 0x100000, 4096, 4096,
				 reenter_drain_import, reenter_release, NULL,
				 0, 0);
	if (!CHECK(!IS_ERR(reenter_vm)))
		return;
	CHECK(vmem_alloc(reenter_vm, 8 * 4096, VMEM_NOSLEEP, &addr) == -ENOMEM);
	CHECK(current->fail_nth == 0, "the refill never ran");
	current->fail_nth = 0;
	CHECK(reenter_released == 1, "the imported span was not given back");
	vmem_get_stats(reenter_vm, &st);
	CHECK(st.mem_import == 0 && st.nspans == 2, "import %#lx, %lu spans",
	      st.mem_import, st.nspans);
	arena_ok(reenter_vm);
	vmem_destroy(reenter_vm);
}

/* A queued rescale that finds the load back in range changes nothing. */
static void t_hash_rescale_moot(void)
{
	struct vmem *vm = mkarena("vmem_hash_moot", 0, 4096, 1, 0);
	unsigned long a[40], i;
	struct vmem_stats st;

	if (!vm)
		return;
	for (i = 0; i < ARRAY_SIZE(a); i++)
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP, &a[i]) == 0);
	CHECK(shim_work_pending() == 1, "no rescale queued at 40 for 16");
	for (i = 0; i < 30; i++)
		vmem_free(vm, a[i], 1);
	shim_run_work();
	vmem_get_stats(vm, &st);
	CHECK(st.hash_buckets == 1UL << VMEM_HASH_MIN_SHIFT &&
	      st.hash_rescales == 0, "%lu buckets, %llu rescales",
	      st.hash_buckets, (unsigned long long)st.hash_rescales);
	for (; i < ARRAY_SIZE(a); i++)
		vmem_free(vm, a[i], 1);
	arena_ok(vm);
	vmem_destroy(vm);
}

/* ---- identifier spaces ---- */

static void t_idspace(void)
{
	struct vmem *ids = vmem_idspace_create("ids", 10, 20);
	unsigned long id, i;

	if (!CHECK(!IS_ERR(ids)))
		return;
	CHECK(PTR_ERR(vmem_idspace_create("ids_bad", 5, 5)) == -EINVAL);
	for (i = 10; i < 20; i++)
		CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP, &id) == 0 && id == i,
		      "got %lu, want %lu", id, i);
	CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP, &id) == -ENOMEM);
	CHECK(vmem_id_allocff(ids, VMEM_NOSLEEP, &id) == -ENOMEM);
	vmem_id_free(ids, 15);
	vmem_id_free(ids, 12);
	vmem_id_free(ids, 13);
	/* Next fit: after the last one handed out (19), wrapping: 12. */
	CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP, &id) == 0 && id == 12,
	      "next fit gave %lu", id);
	CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP, &id) == 0 && id == 13,
	      "next fit gave %lu", id);
	CHECK(vmem_id_allocff(ids, VMEM_NOSLEEP, &id) == 0 && id == 15,
	      "first fit gave %lu", id);
	CHECK(vmem_id_alloc_specific(ids, 15, VMEM_NOSLEEP) == -EBUSY);
	CHECK(vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP) == -EINVAL);
	CHECK(vmem_id_alloc_specific(ids, 9, VMEM_NOSLEEP) == -EINVAL);
	CHECK(vmem_id_alloc(ids, VMEM_NOSLEEP | VMEM_BESTFIT, &id) == -EINVAL);
	CHECK(vmem_id_alloc_specific(ids, 16, VMEM_NOSLEEP | VMEM_FIRSTFIT) ==
	      -EINVAL);
	CHECK(vmem_id_alloc_specific(ids, 16, 0) == -EINVAL);
	CHECK(vmem_idspace_extend(ids, 20, 30) == 0);
	CHECK(vmem_idspace_extend(ids, 25, 35) == -EINVAL);
	CHECK(vmem_idspace_extend(ids, 40, 40) == -EINVAL);
	CHECK(vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP) == 0);
	CHECK(vmem_id_alloc_specific(ids, 25, VMEM_NOSLEEP) == -EBUSY);
	CHECK(vmem_id_allocff(ids, VMEM_SLEEP, &id) == 0 && id == 20,
	      "first fit gave %lu", id);
	arena_ok(ids);
	vmem_id_free(ids, 25);
	vmem_id_free(ids, 20);
	for (i = 10; i < 20; i++)
		vmem_id_free(ids, i);
	CHECK(vmem_arena_size(ids, VMEM_ALLOC) == 0);
	CHECK(vmem_arena_size(ids, VMEM_SPAN) == 20);
	arena_ok(ids);
	vmem_idspace_destroy(ids);
	vmem_idspace_destroy(NULL);
}

/* ---- edges of the integer space and of the arguments ---- */

static void t_edges(void)
{
	unsigned long a, b, top = ULONG_MAX - 4095;
	struct vmem *vm;

	/* A span that ends at ULONG_MAX. */
	vm = mkarena("edge_top", top, 4096, 4096, 0);
	if (vm) {
		CHECK(vmem_contains(vm, top, 4096));
		CHECK(!vmem_contains(vm, top, 8192));
		CHECK(!vmem_contains(vm, top, 0));
		CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP | VMEM_TOPDOWN,
				 &a) == 0 && a == top);
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP, &b) == -ENOMEM);
		CHECK(vmem_add(vm, top - 4096, 4096, VMEM_NOSLEEP) == 0);
		CHECK(vmem_add(vm, top - 4096, 4096, VMEM_NOSLEEP) == -EINVAL);
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP, &b) == 0 &&
		      b == top - 4096);
		vmem_free(vm, a, 4096);
		vmem_free(vm, b, 1);
		arena_ok(vm);
		vmem_destroy(vm);
	}
	CHECK(PTR_ERR(vmem_create("edge_wrap", top, 8192, 4096, NULL, NULL,
				  NULL, 0, 0)) == -EINVAL);

	/* The whole space, quantum 2^(BITS-1): two spans. */
	vm = mkarena("edge_huge", 0, 0, 1UL << (BITS_PER_LONG - 1), 0);
	if (vm) {
		unsigned long h = 1UL << (BITS_PER_LONG - 1);

		CHECK(vmem_add(vm, h, h, VMEM_SLEEP) == 0);
		CHECK(vmem_add(vm, 0, h, VMEM_SLEEP) == 0);
		CHECK(vmem_arena_size(vm, VMEM_SPAN) == 0,
		      "2^64 bytes wrap the size to 0");
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP | VMEM_TOPDOWN, &a) == 0 &&
		      a == h);
		CHECK(vmem_alloc(vm, h, VMEM_NOSLEEP, &b) == 0 && b == 0);
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP, &b) == -ENOMEM);
		CHECK(vmem_alloc(vm, h + 1, VMEM_NOSLEEP, &b) == -EINVAL,
		      "a size rounding past ULONG_MAX");
		vmem_free(vm, a, h);
		vmem_free(vm, 0, h);
		arena_ok(vm);
		vmem_destroy(vm);
	}

	/* Quantum 1, every integer: [0, ULONG_MAX) and [ULONG_MAX, +1). */
	vm = mkarena("edge_all", 0, ULONG_MAX, 1, 0);
	if (vm) {
		CHECK(vmem_add(vm, ULONG_MAX, 1, VMEM_SLEEP) == 0);
		CHECK(vmem_alloc(vm, 1, VMEM_NOSLEEP | VMEM_TOPDOWN, &a) == 0 &&
		      a == ULONG_MAX);
		CHECK(vmem_xalloc(vm, 16, 16, 0, 16, ULONG_MAX - 100, 0,
				  VMEM_NOSLEEP | VMEM_TOPDOWN, &b) == 0 &&
		      b == ULONG_MAX - 31, "b %#lx", b);
		CHECK(vmem_contains(vm, 0, ULONG_MAX));
		vmem_free(vm, a, 1);
		vmem_xfree(vm, b, 16);
		arena_ok(vm);
		vmem_destroy(vm);
	}
}

static void t_bad_arguments(void)
{
	static const struct {
		unsigned long base, size, quantum;
		unsigned int flags;
	} bad_create[] = {
		{ 0, 4096, 0, 0 },		/* quantum 0 */
		{ 0, 4096, 3, 0 },		/* not a power of two */
		{ 1, 4096, 4096, 0 },		/* base not aligned */
		{ 0, 4095, 4096, 0 },		/* size not aligned */
		{ ~0UL - 4095, 8192, 4096, 0 },	/* wraps */
		{ 0, 4096, 4096, 0x100 },	/* unknown flag */
	};
	static const struct {
		unsigned long size, align, phase, nocross, min, max;
		unsigned int flags;
	} bad_x[] = {
		{ 0, 0, 0, 0, 0, 0, VMEM_NOSLEEP },		/* size 0 */
		{ 4096, 3 * 4096, 0, 0, 0, 0, VMEM_NOSLEEP },	/* align */
		{ 4096, 2048, 0, 0, 0, 0, VMEM_NOSLEEP },	/* < quantum */
		{ 4096, 8192, 8192, 0, 0, 0, VMEM_NOSLEEP },	/* phase */
		{ 4096, 8192, 100, 0, 0, 0, VMEM_NOSLEEP },	/* phase */
		{ 4096, 0, 4096, 0, 0, 0, VMEM_NOSLEEP },	/* phase, no align */
		{ 8192, 0, 0, 4096, 0, 0, VMEM_NOSLEEP },	/* size > nocross */
		{ 4096, 0, 0, 3 * 4096, 0, 0, VMEM_NOSLEEP },	/* nocross */
		{ 4096, 0, 0, 2048, 0, 0, VMEM_NOSLEEP },	/* nocross */
		{ 8192, 16384, 12288, 16384, 0, 0, VMEM_NOSLEEP }, /* phase+size */
		{ 4096, 0, 0, 0, 0x2000, 0x1000, VMEM_NOSLEEP },	/* min > max */
		{ 8192, 0, 0, 0, 0x1000, 0x2000, VMEM_NOSLEEP },	/* window */
		{ 4096, 0, 0, 0, ~0UL - 10, 0, VMEM_NOSLEEP },	/* min rounds */
		{ 4096, 0, 0, 0, 0, 4094, VMEM_NOSLEEP },	/* max rounds to 0 */
		{ 4096, 0, 0, 0, 0, 0, 0 },			/* no sleep flag */
		{ 4096, 0, 0, 0, 0, 0, VMEM_SLEEP | VMEM_NOSLEEP },
		{ 4096, 0, 0, 0, 0, 0, VMEM_NOSLEEP | VMEM_BESTFIT |
					   VMEM_FIRSTFIT },
		{ 4096, 0, 0, 0, 0, 0, VMEM_NOSLEEP | 0x8000 },
		{ ~0UL, 0, 0, 0, 0, 0, VMEM_NOSLEEP },	/* rounds past max */
	};
	struct vmem *vm, *bad;
	unsigned long addr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_create); i++) {
		bad = vmem_create("bad", bad_create[i].base, bad_create[i].size,
				  bad_create[i].quantum, NULL, NULL, NULL, 0,
				  bad_create[i].flags);
		CHECK(PTR_ERR(bad) == -EINVAL, "case %u: %ld", i, PTR_ERR(bad));
	}
	CHECK(PTR_ERR(vmem_create(NULL, 0, 4096, 4096, NULL, NULL, NULL, 0,
				  0)) == -EINVAL);
	CHECK(PTR_ERR(vmem_create("bad", 0, 4096, 4096, NULL, NULL, NULL, 100,
				  0)) == -EINVAL, "qcache_max not aligned");
	CHECK(PTR_ERR(vmem_create("bad", 0, 0, 4096, vmem_alloc, vmem_free,
				  NULL, 0, 0)) == -EINVAL,
	      "vmem_alloc import without a source");

	vm = mkarena("bad_args_with_a_name_longer_than_31_chars", 0x100000,
		     64 * 4096, 4096, VMC_NO_QCACHE);
	if (!vm)
		return;
	CHECK(strlen(vmem_name(vm)) == VMEM_NAMELEN - 1 &&
	      !strncmp(vmem_name(vm), "bad_args_with_a_name", 20));
	CHECK(vmem_quantum(vm) == 4096);
	for (i = 0; i < ARRAY_SIZE(bad_x); i++)
		CHECK(vmem_xalloc(vm, bad_x[i].size, bad_x[i].align,
				  bad_x[i].phase, bad_x[i].nocross,
				  bad_x[i].min, bad_x[i].max, bad_x[i].flags,
				  &addr) == -EINVAL, "xalloc case %u", i);
	CHECK(vmem_alloc(vm, 0, VMEM_NOSLEEP, &addr) == -EINVAL);
	CHECK(vmem_alloc(vm, 4096, 0, &addr) == -EINVAL);
	CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP | VMEM_NEXTFIT | VMEM_TOPDOWN,
			 &addr) == -EINVAL);
	CHECK(vmem_add(vm, 0x1000, 0, VMEM_NOSLEEP) == -EINVAL);
	CHECK(vmem_add(vm, 0x1001, 4096, VMEM_NOSLEEP) == -EINVAL);
	CHECK(vmem_add(vm, 0x1000, 4096, 0) == -EINVAL);
	CHECK(vmem_add(vm, 0x1000, 4096, VMEM_NOSLEEP | VMEM_BESTFIT) == -EINVAL);
	CHECK(vmem_add(vm, 0x100000 + 63 * 4096, 8192, VMEM_NOSLEEP) == -EINVAL,
	      "overlapping the end of a span");
	CHECK(vmem_add(vm, 0xff000, 8192, VMEM_NOSLEEP) == -EINVAL,
	      "overlapping the start of a span");
	CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
	CHECK(vmem_arena_size(vm, VMEM_SPAN | VMEM_FREE) == 2 * 64 * 4096);
	arena_ok(vm);
	vmem_destroy(vm);
	vmem_destroy(ERR_PTR(-EINVAL));
}

/* Placement of each policy on a known layout. */
static void t_policies(void)
{
	static const unsigned long units[6] = { 1, 1, 3, 2, 2, 1 };
	unsigned long q = 4096, base = 0x100000, a[8], x;
	struct vmem *vm = mkarena("policies", base, 32 * q, q, 0);
	unsigned int i;

	if (!vm)
		return;
	/* [0, 1) [1, 2) [2, 5) [5, 7) [7, 9) [9, 10), free from 10 on. */
	for (i = 0; i < 6; i++)
		CHECK(vmem_alloc(vm, units[i] * q, VMEM_NOSLEEP | VMEM_FIRSTFIT,
				 &a[i]) == 0);
	CHECK(a[0] == base && a[1] == base + q && a[5] == base + 9 * q,
	      "first fit laid out %#lx %#lx %#lx", a[0], a[1], a[5]);
	vmem_free(vm, a[1], q);		/* hole [1, 2) */
	vmem_free(vm, a[3], 2 * q);	/* hole [5, 7) */
	/* best fit of 2: the 2-quantum hole, not the big tail */
	CHECK(vmem_alloc(vm, 2 * q, VMEM_NOSLEEP | VMEM_BESTFIT, &x) == 0 &&
	      x == base + 5 * q, "best fit at %#lx", x);
	vmem_free(vm, x, 2 * q);
	CHECK(vmem_alloc(vm, q, VMEM_NOSLEEP | VMEM_BESTFIT, &x) == 0 &&
	      x == base + q, "best fit of 1 at %#lx", x);
	vmem_free(vm, x, q);
	CHECK(vmem_alloc(vm, 2 * q, VMEM_NOSLEEP | VMEM_FIRSTFIT, &x) == 0 &&
	      x == base + 5 * q, "first fit at %#lx", x);
	vmem_free(vm, x, 2 * q);
	CHECK(vmem_alloc(vm, 2 * q, VMEM_NOSLEEP | VMEM_TOPDOWN, &x) == 0 &&
	      x == base + 30 * q, "top down at %#lx", x);
	vmem_free(vm, x, 2 * q);
	/* instant fit of 2: list [2q, 4q) has [5, 7), all of whose members fit */
	CHECK(vmem_alloc(vm, 2 * q, VMEM_NOSLEEP | VMEM_INSTANTFIT, &x) == 0 &&
	      x == base + 5 * q, "instant fit at %#lx", x);
	vmem_free(vm, x, 2 * q);
	/* instant fit of 3: no list of members all >= 3q below the tail's */
	CHECK(vmem_alloc(vm, 3 * q, VMEM_NOSLEEP, &x) == 0 &&
	      x == base + 10 * q, "instant fit of 3 at %#lx", x);
	vmem_free(vm, x, 3 * q);
	/* next fit goes round: after a[5], then wraps to the first hole */
	CHECK(vmem_alloc(vm, q, VMEM_NOSLEEP | VMEM_NEXTFIT, &x) == 0 &&
	      x == base + q, "next fit at %#lx", x);
	CHECK(vmem_alloc(vm, q, VMEM_NOSLEEP | VMEM_NEXTFIT, &a[6]) == 0 &&
	      a[6] == base + 5 * q, "next fit at %#lx", a[6]);
	vmem_free(vm, x, q);
	CHECK(vmem_alloc(vm, q, VMEM_NOSLEEP | VMEM_NEXTFIT, &a[7]) == 0 &&
	      a[7] == base + 6 * q, "next fit reused %#lx too soon", a[7]);
	vmem_free(vm, a[6], q);
	vmem_free(vm, a[7], q);
	/* windows */
	CHECK(vmem_xalloc(vm, q, 0, 0, 0, base + 20 * q + 1, base + 22 * q - 1,
			  VMEM_NOSLEEP, &x) == 0 && x == base + 21 * q,
	      "window gave %#lx", x);
	vmem_xfree(vm, x, q);
	CHECK(vmem_xalloc(vm, 2 * q, 0, 0, 4 * q, base + 3 * q, 0,
			  VMEM_NOSLEEP | VMEM_FIRSTFIT, &x) == 0 &&
	      x == base + 5 * q, "nocross gave %#lx", x);
	vmem_xfree(vm, x, 2 * q);
	for (i = 0; i < 6; i++)
		if (i != 1 && i != 3)
			vmem_free(vm, a[i], units[i] * q);
	CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0);
	arena_ok(vm);
	vmem_destroy(vm);
}

/* ---- vmem_walk() with callbacks that change the arena ---- */

struct walk_ctx {
	struct vmem	*vm;
	unsigned long	limit;		/* the first 40 allocations end here */
	unsigned int	calls;
	unsigned long	last;
	bool		ordered;
	bool		check_failed;
	unsigned long	extra[16];
	unsigned int	nextra;
};

static void walk_mutate_cb(void *arg, unsigned long start, unsigned long size)
{
	struct walk_ctx *w = arg;

	if (w->calls++ && start <= w->last)
		w->ordered = false;
	w->last = start;
	/*
	 * The walk holds no lock: even the checker may run (it skips the
	 * walk's place holder).
	 */
	if (w->calls % 8 == 1 && vmem_check(w->vm))
		w->check_failed = true;
	/* Ranges allocated by this callback may be shown too: keep them. */
	if (start >= w->limit)
		return;
	/* Free what we are shown, and allocate somewhere else. */
	vmem_free(w->vm, start, size);
	if (w->nextra < ARRAY_SIZE(w->extra) &&
	    vmem_alloc(w->vm, 4096, VMEM_NOSLEEP | VMEM_TOPDOWN,
		       &w->extra[w->nextra]) == 0)
		w->nextra++;
}

static void t_walk_mutating(void)
{
	struct vmem *vm = mkarena("walk", 0, 256 * 4096, 4096, 0);
	struct walk_ctx w = { .ordered = true };
	unsigned long addr;
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < 40; i++)
		CHECK(vmem_alloc(vm, 4096, VMEM_NOSLEEP | VMEM_FIRSTFIT,
				 &addr) == 0);
	w.vm = vm;
	w.limit = 40 * 4096;
	vmem_walk(vm, VMEM_ALLOC, walk_mutate_cb, &w);
	CHECK(w.ordered, "callbacks out of address order");
	CHECK(!w.check_failed, "vmem_check() failed inside the walk");
	CHECK(w.calls >= 40, "%u calls for 40 allocations", w.calls);
	arena_ok(vm);
	for (i = 0; i < w.nextra; i++)
		vmem_free(vm, w.extra[i], 4096);
	CHECK(vmem_arena_size(vm, VMEM_ALLOC) == 0,
	      "%#lx left", vmem_arena_size(vm, VMEM_ALLOC));
	arena_ok(vm);
	vmem_destroy(vm);
}

/* ---- the consistency checker must catch what it claims to ---- */

struct corruption {
	const char	*name;
	const char	*msg;		/* in vmem_check()'s report */
	void		(*apply)(struct vmem *vm, bool undo);
};

static struct vmem_seg *nth_seg(struct vmem *vm, unsigned int type,
				unsigned int n)
{
	struct vmem_seg *vs;

	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist)
		if (vs->vs_type == type && !n--)
			return vs;
	abort();
}

static void c_freemap(struct vmem *vm, bool undo)
{
	vm->vm_freemap ^= 1UL << (BITS_PER_LONG - 1);
}

static void c_freelist(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_FREE, 0);
	unsigned int n = __fls(vs->vs_size);

	list_move(&vs->vs_freelist, &vm->vm_freelist[undo ? n : n + 1]);
}

static void c_seg_size(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);

	vs->vs_size += undo ? -vm->vm_quantum : vm->vm_quantum;
}

static void c_seg_unaligned(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
	struct vmem_seg *next = list_next_entry(vs, vs_seglist);

	/* Shift a boundary by less than a quantum; the tiling holds. */
	vs->vs_size += undo ? -1 : 1;
	next->vs_start += undo ? -1 : 1;
	next->vs_size += undo ? 1 : -1;
}

static void c_not_coalesced(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;

	/* The second allocated segment follows a free one: call it free. */
	if (!undo)
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);
	vs->vs_type = undo ? VMEM_SEG_ALLOC : VMEM_SEG_FREE;
}

static void c_hash_missing(struct vmem *vm, bool undo)
{
	static struct vmem_seg *saved;

	if (!undo) {
		saved = nth_seg(vm, VMEM_SEG_ALLOC, 2);
		vmem_hash_unlink(vm, vmem_hash_find(vm, saved->vs_start));
	} else {
		vmem_hash_insert(vm, saved);
	}
}

static void c_inuse(struct vmem *vm, bool undo)
{
	vm->vm_inuse += undo ? -vm->vm_quantum : vm->vm_quantum;
}

static void c_nsegs(struct vmem *vm, bool undo)
{
	vm->vm_nsegs += undo ? -1 : 1;
}

static void c_reserve(struct vmem *vm, bool undo)
{
	vm->vm_nreserve += undo ? -1 : 1;
}

static void c_reserve_over(struct vmem *vm, bool undo)
{
	vm->vm_nreserve += undo ? 1 : -1;
}

static void c_span_overlap(struct vmem *vm, bool undo)
{
	struct vmem_seg *first = nth_seg(vm, VMEM_SEG_SPAN, 0);
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);
	struct vmem_seg *vs = list_next_entry(span, vs_seglist);
	static unsigned long d;

	/* Move the second span (and its one segment) into the first. */
	if (!undo)
		d = span->vs_start - (first->vs_start + vm->vm_quantum);
	span->vs_start += undo ? d : -d;
	vs->vs_start += undo ? d : -d;
}

static void c_imported_free(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);

	span->vs_imported = !undo;
	vm->vm_imported += undo ? -span->vs_size : span->vs_size;
}

static void c_bad_type(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;

	if (!undo)
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
	vs->vs_type = undo ? VMEM_SEG_ALLOC : 0x42;
}

/* Claim the next-fit rotor is in use while it is not on the list. */
static void c_rotor(struct vmem *vm, bool undo)
{
	vm->vm_rotor_used = !undo;
}

static void c_broken_link(struct vmem *vm, bool undo)
{
	static struct list_head *saved;
	struct vmem_seg *vs = nth_seg(vm, VMEM_SEG_ALLOC, 1);

	if (!undo) {
		saved = vs->vs_seglist.next->prev;
		vs->vs_seglist.next->prev = &vm->vm_seg0.vs_seglist;
	} else {
		vs->vs_seglist.next->prev = saved;
	}
}

static void c_span_order(struct vmem *vm, bool undo)
{
	struct vmem_seg *a = nth_seg(vm, VMEM_SEG_SPAN, 0);
	struct vmem_seg *b = nth_seg(vm, VMEM_SEG_SPAN, 1);

	/* Swap the two spans on vm_spans, not on the segment list. */
	list_move(&(undo ? b : a)->vs_spanlist, &(undo ? a : b)->vs_spanlist);
}

static void c_stray_rotor(struct vmem *vm, bool undo)
{
	if (undo)
		list_del(&vm->vm_rotor.vs_seglist);
	else
		list_add(&vm->vm_rotor.vs_seglist, &vm->vm_seg0.vs_seglist);
}

/* The first span's segments stop a quantum short of its end. */
static void c_not_tiled(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 0);

	span->vs_size += undo ? -vm->vm_quantum : vm->vm_quantum;
	vm->vm_total += undo ? -vm->vm_quantum : vm->vm_quantum;
}

static void c_last_not_tiled(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);

	span->vs_size += undo ? -vm->vm_quantum : vm->vm_quantum;
}

static void c_empty_span(struct vmem *vm, bool undo)
{
	static unsigned long size;
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 1);

	if (!undo)
		size = span->vs_size;
	span->vs_size = undo ? size : 0;
}

/* The first span ends before its last segment. */
static void c_outside_span(struct vmem *vm, bool undo)
{
	struct vmem_seg *span = nth_seg(vm, VMEM_SEG_SPAN, 0);
	struct vmem_seg *last = list_prev_entry(nth_seg(vm, VMEM_SEG_SPAN, 1),
						vs_seglist);

	span->vs_size += undo ? last->vs_size : -last->vs_size;
}

static void c_extra_span(struct vmem *vm, bool undo)
{
	static struct vmem_seg fake = { .vs_type = VMEM_SEG_SPAN };

	if (undo)
		list_del(&fake.vs_spanlist);
	else
		list_add_tail(&fake.vs_spanlist, &vm->vm_spans);
}

/* A free segment that says it is allocated, still on its freelist. */
static void c_freelist_type(struct vmem *vm, bool undo)
{
	struct vmem_seg *vs = nth_seg(vm, undo ? VMEM_SEG_ALLOC :
					      VMEM_SEG_FREE, 0);

	vs->vs_type = undo ? VMEM_SEG_FREE : VMEM_SEG_ALLOC;
}

/* An allocated segment moved to the next bucket of the hash. */
static void c_hash_bucket(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs;
	static unsigned long j;

	if (!undo) {
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
		j = (vmem_hash_bucket(vm, vs->vs_start) - vm->vm_hash + 1) &
		    ((1UL << vm->vm_hash_shift) - 1);
		vmem_hash_unlink(vm, vmem_hash_find(vm, vs->vs_start));
		vs->vs_hnext = vm->vm_hash[j];
		vm->vm_hash[j] = vs;
		vm->vm_nbusy++;
	} else {
		vm->vm_hash[j] = vs->vs_hnext;
		vm->vm_nbusy--;
		vmem_hash_insert(vm, vs);
	}
}

/* A hash chain that loops: the checker must stop, not spin. */
static void c_hash_loop(struct vmem *vm, bool undo)
{
	static struct vmem_seg *vs, *next;

	if (!undo) {
		vs = nth_seg(vm, VMEM_SEG_ALLOC, 0);
		next = vs->vs_hnext;
		vs->vs_hnext = vs;
	} else {
		vs->vs_hnext = next;
	}
}

static const struct corruption corruptions[] = {
	{ "freemap bit", "freemap bit", c_freemap },
	{ "freelist", "freelist", c_freelist },
	{ "segment size", "not at", c_seg_size },
	{ "unaligned boundary", "not quantum-aligned", c_seg_unaligned },
	{ "not coalesced", "uncoalesced", c_not_coalesced },
	{ "hash missing", "hash holds", c_hash_missing },
	{ "inuse counter", "counted/kept: inuse", c_inuse },
	{ "segment counter", "tags", c_nsegs },
	{ "reserve counter", "reserve holds", c_reserve },
	{ "reserve overfull", "reserve holds over", c_reserve_over },
	{ "spans overlap", "not above", c_span_overlap },
	{ "imported span free", "wholly free", c_imported_free },
	{ "bad tag type", "bad tag type", c_bad_type },
	{ "rotor missing", "rotor missing", c_rotor },
	{ "broken link", "segment list broken", c_broken_link },
	{ "span order", "out of order", c_span_order },
	{ "stray rotor", "stray rotor", c_stray_rotor },
	{ "span not tiled", "not tiled", c_not_tiled },
	{ "last span not tiled", "last span", c_last_not_tiled },
	{ "empty span", "empty span", c_empty_span },
	{ "segment outside spans", "outside any span", c_outside_span },
	{ "span only on vm_spans", "not on the segment list", c_extra_span },
	{ "freelist member type", "type 1", c_freelist_type },
	{ "hash bucket", "hash bucket", c_hash_bucket },
	{ "hash chain loop", "hash holds over", c_hash_loop },
};

static void t_checker_detects(void)
{
	unsigned long q = 4096, a[6];
	int console = shim_console_loglevel;
	struct vmem *vm = mkarena("corrupt", 0x100000, 32 * q, q, 0);
	unsigned int i;

	if (!vm)
		return;
	CHECK(vmem_add(vm, 0x2000000, 8 * q, VMEM_SLEEP) == 0);
	/* [free][A][free][A][A][free...] in the first span. */
	for (i = 0; i < 6; i++)
		CHECK(vmem_alloc(vm, q, VMEM_NOSLEEP | VMEM_FIRSTFIT, &a[i]) == 0);
	vmem_free(vm, a[0], q);
	vmem_free(vm, a[2], q);
	vmem_free(vm, a[5], q);
	arena_ok(vm);
	shim_console_loglevel = 3;	/* the reports are expected */
	for (i = 0; i < ARRAY_SIZE(corruptions); i++) {
		const struct corruption *c = &corruptions[i];
		unsigned long flags;
		int ret;

		shim_log_clear();
		spin_lock_irqsave(&vm->vm_lock, flags);
		c->apply(vm, false);
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		ret = vmem_check(vm);
		spin_lock_irqsave(&vm->vm_lock, flags);
		c->apply(vm, true);
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		CHECK(ret == -EUCLEAN, "%s: vmem_check() = %d", c->name, ret);
		CHECK(shim_log_find(c->msg), "%s: no \"%s\" in the report",
		      c->name, c->msg);
		CHECK(vmem_check(vm) == 0, "%s: not undone", c->name);
	}
	shim_console_loglevel = console;
	vmem_free(vm, a[1], q);
	vmem_free(vm, a[3], q);
	vmem_free(vm, a[4], q);
	arena_ok(vm);
	vmem_destroy(vm);
}

/* ---- the shim's own per-CPU model, for the quantum caches to come ---- */

struct pcpu_counter {
	local_lock_t	lock;
	unsigned long	count;
};

struct pcpu_arg {
	pthread_t		tid;
	struct pcpu_counter	*pc;
	int			cpu;
};

static void *pcpu_fn(void *arg)
{
	struct pcpu_arg *p = arg;
	unsigned long flags;
	unsigned int i;

	shim_thread_init("pcpu", p->cpu);
	for (i = 0; i < 100000; i++) {
		local_lock_irqsave(&p->pc->lock, flags);
		this_cpu_inc(p->pc->count);
		local_unlock_irqrestore(&p->pc->lock, flags);
	}
	return NULL;
}

static void t_shim_percpu(void)
{
	struct pcpu_counter *pc = alloc_percpu(struct pcpu_counter);
	struct pcpu_arg t[6];
	unsigned long sum = 0;
	int cpu;

	if (!CHECK(pc))
		return;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(pc, cpu)->lock);
	/* Six threads on four CPUs: two CPUs are shared, the lock holds. */
	for (cpu = 0; cpu < 6; cpu++) {
		t[cpu] = (struct pcpu_arg){ .pc = pc, .cpu = cpu % nr_cpu_ids };
		pthread_create(&t[cpu].tid, NULL, pcpu_fn, &t[cpu]);
	}
	for (cpu = 0; cpu < 6; cpu++)
		pthread_join(t[cpu].tid, NULL);
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(pc, cpu)->count;
	CHECK(sum == 600000, "%lu", sum);
	CHECK(per_cpu_ptr(pc, 0)->count == 200000 ||
	      nr_cpu_ids != 4, "CPU 0 counted %lu", per_cpu_ptr(pc, 0)->count);
	free_percpu(pc);
}

/* ---- the module parameter ---- */

static void t_seed_param(void)
{
	CHECK(vmem_test_seed() == seed,
	      "vmem_test_seed() %lu, the harness passed test_seed=%llu",
	      vmem_test_seed(), (unsigned long long)seed);
	CHECK(shim_module_param_set("test_seed=x") == -EINVAL);
	CHECK(shim_module_param_set("no_such_param=1") == -ENOENT);
}

/* ---- the runner ---- */

struct test_case {
	const char	*name;
	void		(*fn)(void);
};

static const struct test_case tests[] = {
	{ "seed_param", t_seed_param },
	{ "edges", t_edges },
	{ "bad_arguments", t_bad_arguments },
	{ "policies", t_policies },
	{ "idspace", t_idspace },
	{ "walk_mutating", t_walk_mutating },
	{ "badfree_quiet", t_badfree_quiet },
	{ "badfree_warns_once", t_badfree_warns_once },
	{ "destroy_leaks", t_destroy_leaks },
	{ "import_plain", t_import_plain },
	{ "import_chain", t_import_chain },
	{ "import_custom", t_import_custom },
	{ "import_untranslatable", t_import_untranslatable },
	{ "import_useless_span_room_elsewhere",
	  t_import_useless_span_room_elsewhere },
	{ "import_overlap", t_import_overlap },
	{ "import_reentrant", t_import_reentrant },
	{ "hash_rescale", t_hash_rescale },
	{ "hash_rescale_cancelled", t_hash_rescale_cancelled },
	{ "hash_rescale_moot", t_hash_rescale_moot },
	{ "checker_detects", t_checker_detects },
	{ "atomic_context", t_atomic_context },
	{ "atomic_context_sleep_flagged", t_atomic_context_sleep_flagged },
	{ "failslab_nosleep", t_failslab_nosleep },
	{ "failslab_sleep", t_failslab_sleep },
	{ "sleep_free_wakes", t_sleep_free_wakes },
	{ "sleep_add_wakes", t_sleep_add_wakes },
	{ "sleep_fatal_signal", t_sleep_fatal_signal },
	{ "difftest", t_difftest },
	{ "difftest_nosleep", t_difftest_nosleep },
	{ "difftest_large", t_difftest_large },
	{ "oracle", t_oracle },
	{ "mt", t_mt },
	{ "mt_import", t_mt_import },
	{ "shim_percpu", t_shim_percpu },
};

static bool selected(const char *name, char **filters, int nfilters)
{
	int i;

	if (!nfilters)
		return true;
	for (i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]))
			return true;
	return false;
}

static bool run_one(const struct test_case *t, unsigned int nr)
{
	unsigned long warn = shim_nr_warnings, bugs = shim_nr_bugs;
	unsigned long atomic_allocs = shim_nr_alloc_atomic;
	long tags = shim_slab_live("vmem_seg"), kmem = shim_kmalloc_live();
	unsigned long dw, db;
	struct timespec t0, t1;

	cur_test = t->name;
	cur_failures = 0;
	expect_warnings(0, 0);
	expect_bugs(0, 0);
	shim_log_clear();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t->fn();
	shim_run_work();
	clock_gettime(CLOCK_MONOTONIC, &t1);

	dw = shim_nr_warnings - warn;
	db = shim_nr_bugs - bugs;
	CHECK(dw >= exp_warn_min && dw <= exp_warn_max,
	      "%lu WARNs, expected %lu..%lu", dw, exp_warn_min, exp_warn_max);
	CHECK(db >= exp_bugs_min && db <= exp_bugs_max,
	      "%lu shim BUG reports (sleeping in atomic context), expected %lu..%lu",
	      db, exp_bugs_min, exp_bugs_max);
	CHECK(shim_nr_alloc_atomic == atomic_allocs,
	      "%lu allocations under a spinlock",
	      shim_nr_alloc_atomic - atomic_allocs);
	CHECK(shim_slab_live("vmem_seg") == tags, "%ld boundary tags leaked",
	      shim_slab_live("vmem_seg") - tags);
	CHECK(shim_kmalloc_live() == kmem, "%ld kmalloc objects leaked",
	      shim_kmalloc_live() - kmem);
	CHECK(shim_work_pending() == 0, "work items left queued");
	CHECK(current->fail_nth == 0 && shim_failslab_ignore_reclaim);

	if (cur_failures && !verbose) {
		fprintf(stderr, "    kernel log of %s (last lines):\n", t->name);
		shim_log_dump(stderr);
	}
	printf("%s %u - %s # %.2fs\n", cur_failures ? "not ok" : "ok", nr,
	       t->name, (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	return !cur_failures;
}

static void usage(const char *prog)
{
	printf("usage: %s [-q] [-v] [-s seed] [-l] [-t name]... [param=value]...\n"
	       "  -q       quick: fewer operations (for valgrind)\n"
	       "  -v       verbose: print statistics, show kernel log lines\n"
	       "  -s seed  seed of the randomized tests (default: random;\n"
	       "           also VMEM_SEED in the environment)\n"
	       "  -l       list the tests\n"
	       "  -t name  run the tests whose name contains name\n"
	       "  param=value  a vmem.ko module parameter\n", prog);
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, nr = 0, i;
	char *filters[64];
	int nfilters = 0, opt, ret;
	char param[64];

	shim_thread_init("vmem_user", 0);
	if (getenv("VMEM_SEED"))
		seed = strtoull(getenv("VMEM_SEED"), NULL, 0);
	while ((opt = getopt(argc, argv, "qvs:lt:h")) != -1) {
		switch (opt) {
		case 'q':
			quick = true;
			break;
		case 'v':
			verbose++;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(tests); i++)
				printf("%s\n", tests[i].name);
			return 0;
		case 't':
			if (nfilters < (int)ARRAY_SIZE(filters))
				filters[nfilters++] = optarg;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	/* vmem.ko's test_seed is an unsigned long: the seed must fit. */
	seed = (unsigned long)seed;
	while (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned long)((u64)ts.tv_nsec * 1000003ULL ^
				       (u64)ts.tv_sec ^ (u64)getpid() << 20);
	}
	shim_random_seed(seed);
	shim_failslab_seed(seed);
	/* Quiet unless -v: a failing test prints its log lines. */
	shim_console_loglevel = verbose ? 8 : 0;
	snprintf(param, sizeof(param), "test_seed=%llu",
		 (unsigned long long)seed);
	shim_module_param_set(param);
	for (; optind < argc; optind++) {
		ret = shim_module_param_set(argv[optind]);
		if (ret) {
			fprintf(stderr, "%s: bad parameter %s: %d\n", argv[0],
				argv[optind], ret);
			return 2;
		}
	}
	ret = shim_module_init ? shim_module_init() : 0;
	if (ret) {
		fprintf(stderr, "module init failed: %d\n", ret);
		return 1;
	}

	printf("# vmem_user: seed=%llu%s (rerun: %s -s %llu)\n",
	       (unsigned long long)seed, quick ? " quick" : "", argv[0],
	       (unsigned long long)seed);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!selected(tests[i].name, filters, nfilters))
			continue;
		if (run_one(&tests[i], ++nr))
			passed++;
		else
			failed++;
	}
	if (shim_module_exit)
		shim_module_exit();
	/* The module's own cache went away at exit; nothing may be left. */
	if (shim_kmalloc_live() != 0) {
		fprintf(stderr, "%ld kmalloc objects leaked at exit\n",
			shim_kmalloc_live());
		failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
