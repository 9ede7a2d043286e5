// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instruction counts of vmem's rows of `make bench`, for callgrind.
 *
 * The same arenas, layouts and rows as the kernel benchmark's vmem rows
 * (bench/bench_vmem.c, bench/bench_layout.c): an arena of 2^22 units of
 * 4096 bytes at 2^40 (a power of two: N = 0 is a fresh arena), N holes
 * built by placing every piece (by instant fit from the bottom, else with
 * a vmem_xalloc() window of exactly the piece) and then freeing the holes:
 *
 *   holes1  [hole 1u, live 1u] x N from the bottom, then the free tail
 *   holes2  [hole 2u, live 1u] x N from the bottom, then the free tail
 *   top1    the mirror of holes1 under a live unit at the top
 *   next    [hole 2u], [live 1u, hole 1u] x N, the rest live
 *   packed  IDs 0 .. N-1 live in an identifier space [0, 2^31)
 *
 * Each row checks the layout (vmem_get_stats() segment and allocation
 * counts, vmem_check()) and where its first allocation lands, then a
 * loop of allocate+free pairs runs with callgrind's instrumentation on
 * and is dumped under the row's name; scripts/bench-user.sh divides each
 * dump's instruction count by the pairs.  Only the loop is counted.
 *
 * The quantum cache rows run on an arena created with qcache_max 8 units
 * and on an identifier space caching single IDs (qcache_max 1), whose
 * pieces are all placed with vmem_xalloc(), which no cache serves; if the
 * pairs still reach the segment path the row is reported n/a, as the
 * kernel benchmark does.
 *
 * The core is built as for a production kernel (-O2, no lockdep, no list
 * debugging); the arena lock is the shim's spinlock, one atomic exchange
 * and one release store, with the irqsave bookkeeping.
 *
 * Usage: vmem_bench N [pairs]    (run it under scripts/bench-user.sh)
 * Prints one line per row: "name<TAB>pairs<TAB>note", where the note is
 * "deferred" when the timed loop queued work it did not run (its count
 * then leaves that work out), or "name<TAB>n/a<TAB>why".
 * Without valgrind it runs the same loops and counts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/vmem.h>
#include <shim.h>

#define Q		4096UL
#define BASE		(1UL << 40)
#define UNITS		(1UL << 22)
#define ID_UNITS	(1UL << 31)
#define QCACHE_MAX	(8 * Q)

enum layout { HOLES1, HOLES2, TOP1, NEXT, PACKED, NLAYOUTS };

static const char *const layout_names[] = {
	"holes1", "holes2", "top1", "next", "packed",
};

enum where { ANY, HOLE, REST, LOWEST };

struct arena {
	struct vmem	*vm;
	enum layout	layout;
	unsigned long	n;
	unsigned long	base;
	unsigned long	unit;
	unsigned long	units;
	unsigned long	nlive;
	unsigned long	live_units;
	unsigned long	*live;		/* start of each live piece */
	unsigned long	*live_size;
};

struct row {
	const char	*name;		/* as the kernel bench names it */
	const char	*req;
	enum layout	layout;
	unsigned long	units;
	int		kind;		/* how to allocate; see pair() */
	unsigned int	policy;
	enum where	where;
	bool		fresh_only;	/* N = 0 only */
	bool		linear;		/* O(N) today: few pairs at large N */
	bool		qcache;
};

enum { K_ALLOC, K_ALIGN, K_NOCROSS, K_ID, K_IDFF, K_NULL };

/*
 * Instant fit first in each layout, as bench/bench_vmem.c orders them.
 * The first row calls nothing: the loop's own cost, which bench-user.sh
 * subtracts from the others at the same N, as the kernel's report
 * subtracts its "null" row.
 */
static const struct row rows[] = {
	{ "harness loop", "null", HOLES1, 1, K_NULL, 0, ANY },
	{ "vmem instant-fit", "1u", HOLES1, 1, K_ALLOC, VMEM_INSTANTFIT, HOLE },
	{ "vmem instant-fit", "2u", HOLES1, 2, K_ALLOC, VMEM_INSTANTFIT, REST },
	{ "vmem xalloc", "16u align 64K", HOLES1, 16, K_ALIGN, 0, REST },
	{ "vmem xalloc", "2u nocross 1M", HOLES1, 2, K_NOCROSS, 0, REST },
	{ "vmem best-fit", "1u", HOLES1, 1, K_ALLOC, VMEM_BESTFIT, HOLE },
	{ "vmem best-fit", "2u", HOLES1, 2, K_ALLOC, VMEM_BESTFIT, REST },
	{ "vmem first-fit", "1u", HOLES1, 1, K_ALLOC, VMEM_FIRSTFIT, HOLE },
	{ "vmem first-fit", "2u", HOLES1, 2, K_ALLOC, VMEM_FIRSTFIT, REST,
	  false, true },
	/* the same arena, indexed by the rows above */
	{ "vmem instant-fit", "1u, indexed arena", HOLES1, 1, K_ALLOC,
	  VMEM_INSTANTFIT, HOLE },
	{ "vmem next-fit", "1u", HOLES1, 1, K_ALLOC, VMEM_NEXTFIT, ANY, true },
	{ "vmem qcache", "1u", HOLES1, 1, K_ALLOC, 0, ANY, true, false, true },
	{ "vmem instant-fit", "3u", HOLES2, 3, K_ALLOC, VMEM_INSTANTFIT, REST },
	{ "vmem best-fit", "3u", HOLES2, 3, K_ALLOC, VMEM_BESTFIT, REST,
	  false, true },
	{ "vmem top-down", "1u", TOP1, 1, K_ALLOC, VMEM_TOPDOWN, HOLE },
	{ "vmem top-down", "2u", TOP1, 2, K_ALLOC, VMEM_TOPDOWN, REST,
	  false, true },
	{ "vmem next-fit", "2u", NEXT, 2, K_ALLOC, VMEM_NEXTFIT, HOLE,
	  false, true },
	{ "vmem id_alloc", "1 ID, next-fit", PACKED, 1, K_ID, 0, REST },
	{ "vmem id_allocff", "1 ID, lowest", PACKED, 1, K_IDFF, 0, LOWEST,
	  false, true },
	/* identifiers from a quantum cache of single IDs, next fit */
	{ "vmem id_alloc", "1 ID, caching space", PACKED, 1, K_ALLOC,
	  VMEM_NEXTFIT, ANY, false, false, true },
};

/* ---- layouts, as bench/bench_layout.c builds them ---- */

static unsigned long npieces(enum layout l, unsigned long n)
{
	switch (l) {
	case HOLES1:
	case HOLES2:
		return 2 * n;
	case TOP1:
		return n ? 2 * n + 1 : 0;
	case NEXT:
		return 2 * n + 2;
	default:
		return n;
	}
}

static void piece(enum layout l, unsigned long n, unsigned long units,
		  unsigned long p, unsigned long *off, unsigned long *size,
		  bool *hole)
{
	unsigned long q;

	*size = 1;
	*hole = false;
	switch (l) {
	case HOLES1:
		*off = p;
		*hole = !(p & 1);
		break;
	case HOLES2:
		*off = 3 * (p / 2) + ((p & 1) ? 2 : 0);
		*size = (p & 1) ? 1 : 2;
		*hole = !(p & 1);
		break;
	case TOP1:
		if (!p) {
			*off = units - 1;
			break;
		}
		q = p - 1;
		*off = units - 2 - q;
		*hole = !(q & 1);
		break;
	case NEXT:
		if (!p) {
			*off = 0;
			*size = 2;
			*hole = true;
		} else if (p <= 2 * n) {
			q = p - 1;
			*off = 2 + q;
			*hole = q & 1;
		} else {
			*off = 2 + 2 * n;
			*size = units - *off;
		}
		break;
	default:
		*off = p;
		break;
	}
}

static enum where classify(const struct arena *a, unsigned long off,
			   unsigned long size)
{
	unsigned long n = a->n, lo;

	switch (a->layout) {
	case HOLES1:
		if (off >= 2 * n)
			return REST;
		return !(off & 1) && size == 1 ? HOLE : ANY;
	case HOLES2:
		if (off >= 3 * n)
			return REST;
		return off % 3 + size <= 2 ? HOLE : ANY;
	case TOP1:
		if (!n)
			return REST;
		lo = a->units - 1 - 2 * n;
		if (off + size <= lo)
			return REST;
		if (off < lo || off >= a->units - 1 || size != 1)
			return ANY;
		return !((a->units - 2 - off) & 1) ? HOLE : ANY;
	case NEXT:
		if (off + size <= 2)
			return HOLE;
		return off >= 2 && off < 2 + 2 * n && ((off - 2) & 1) &&
		       size == 1 ? HOLE : ANY;
	default:
		if (off < n)
			return ANY;
		return off == n ? LOWEST : REST;
	}
}

static void die(const char *what, unsigned long n)
{
	fprintf(stderr, "vmem_bench: %s (N=%lu)\n", what, n);
	exit(1);
}

static void build(struct arena *a, enum layout l, unsigned long n,
		  bool qcache)
{
	unsigned long np = npieces(l, n), p, off, size, addr, start, k = 0;
	unsigned long cursor = 0;
	unsigned long *all;
	bool hole;

	a->layout = l;
	a->n = n;
	a->base = l == PACKED ? 0 : BASE;
	a->unit = l == PACKED ? 1 : Q;
	a->units = l == PACKED ? ID_UNITS : UNITS;
	a->nlive = 0;
	a->live_units = 0;
	if (l == PACKED && qcache)	/* as vmem.rst's caching ID space */
		a->vm = vmem_create("bench_ids", 0, ID_UNITS, 1, NULL, NULL,
				    NULL, 1, VMC_IDENTIFIER);
	else if (l == PACKED)
		a->vm = vmem_idspace_create("bench_ids", 0, ID_UNITS);
	else
		a->vm = vmem_create("bench", a->base, a->units * Q, Q, NULL,
				    NULL, NULL, qcache ? QCACHE_MAX : 0,
				    qcache ? 0 : VMC_NO_QCACHE);
	if (IS_ERR(a->vm))
		die("vmem_create failed", n);
	all = calloc(np + 1, sizeof(*all));
	a->live = calloc(np + 1, sizeof(*a->live));
	a->live_size = calloc(np + 1, sizeof(*a->live_size));
	if (!all || !a->live || !a->live_size)
		die("out of memory", n);
	/*
	 * The packed run from the bottom is carved by plain instant fit, as
	 * an instant-fit client's arena grows (an exact window is an
	 * address-ordered request, which makes a vmem with an index of free
	 * segments build it); other pieces get a window of exactly the piece.
	 */
	for (p = 0; p < np; p++) {
		if (p % 4096 == 0)
			shim_run_work();	/* the hash grows meanwhile */
		piece(l, n, a->units, p, &off, &size, &hole);
		start = a->base + off * a->unit;
		size *= a->unit;
		if (off == cursor && !qcache &&
		    !vmem_alloc(a->vm, size, VMEM_SLEEP | VMEM_INSTANTFIT,
				&addr)) {
			if (addr == start) {
				cursor = off + size / a->unit;
				all[p] = addr;
				continue;
			}
			vmem_free(a->vm, addr, size);
		}
		if (vmem_xalloc(a->vm, size, 0, 0, 0, start, start + size - 1,
				VMEM_SLEEP, &addr) || addr != start)
			die("placing a piece failed", n);
		all[p] = addr;
	}
	for (p = 0; p < np; p++) {
		piece(l, n, a->units, p, &off, &size, &hole);
		if (hole) {
			vmem_xfree(a->vm, all[p], size * a->unit);
		} else {
			a->live[k] = all[p];
			a->live_size[k++] = size * a->unit;
			a->live_units += size;
		}
	}
	a->nlive = k;
	free(all);
	shim_run_work();
}

static void count(void *arg, unsigned long addr, unsigned long size)
{
	(*(unsigned long *)arg)++;
}

/*
 * With identifier leaves (allocated segments of their own, their IDs in
 * a bitmap), vmem_walk() counts the layout's pieces instead of the tags.
 */
static bool pieces(const struct arena *a, const struct vmem_stats *st,
		   unsigned long free_runs)
{
	unsigned long live = 0, free = 0;

	if (!st->nleaves)
		return st->nsegs == 1 + a->nlive + free_runs;
	vmem_walk(a->vm, VMEM_ALLOC, count, &live);
	vmem_walk(a->vm, VMEM_FREE, count, &free);
	return live == a->nlive && free == free_runs;
}

/* The layout, from the arena's own counts, with no resize work pending. */
static void check(const struct arena *a)
{
	unsigned long free_runs = a->layout == PACKED ? 1 : a->n + 1;
	struct vmem_stats st;

	/* a caching arena's rows leave ranges in its magazines */
	vmem_qcache_flush(a->vm);
	while (shim_run_work())
		;
	vmem_get_stats(a->vm, &st);
	if (vmem_check(a->vm) || !pieces(a, &st, free_runs) ||
	    st.mem_inuse != a->live_units * a->unit ||
	    st.nalloc - st.nfree != a->nlive || shim_work_pending())
		die("the arena does not hold the layout", a->n);
}

static void teardown(struct arena *a)
{
	unsigned long i;

	for (i = 0; i < a->nlive; i++)
		vmem_xfree(a->vm, a->live[i], a->live_size[i]);
	shim_run_work();
	vmem_destroy(a->vm);
	free(a->live);
	free(a->live_size);
}

/* ---- pairs ---- */

/* Out of line, so that every row's loop is the same loop. */
static noinline int alloc1(struct arena *a, const struct row *r,
			   unsigned long *addr)
{
	unsigned long size = r->units * a->unit;

	switch (r->kind) {
	case K_NULL:
		*addr = a->base + a->live_units * a->unit;
		return 0;
	case K_ALIGN:
		return vmem_xalloc(a->vm, size, 65536, 0, 0, VMEM_ADDR_MIN,
				   VMEM_ADDR_MAX, VMEM_NOSLEEP, addr);
	case K_NOCROSS:
		return vmem_xalloc(a->vm, size, 0, 0, 1UL << 20, VMEM_ADDR_MIN,
				   VMEM_ADDR_MAX, VMEM_NOSLEEP, addr);
	case K_ID:
		return vmem_id_alloc(a->vm, VMEM_NOSLEEP, addr);
	case K_IDFF:
		return vmem_id_allocff(a->vm, VMEM_NOSLEEP, addr);
	default:
		return vmem_alloc(a->vm, size, VMEM_NOSLEEP | r->policy, addr);
	}
}

static noinline void free1(struct arena *a, const struct row *r,
			   unsigned long addr)
{
	unsigned long size = r->units * a->unit;

	switch (r->kind) {
	case K_NULL:
		break;
	case K_ALIGN:
	case K_NOCROSS:
		vmem_xfree(a->vm, addr, size);
		break;
	case K_ID:
	case K_IDFF:
		vmem_id_free(a->vm, addr);
		break;
	default:
		vmem_free(a->vm, addr, size);
	}
}

static noinline void run_pairs(struct arena *a, const struct row *r,
			       unsigned long pairs)
{
	unsigned long addr, i;

	for (i = 0; i < pairs; i++) {
		if (alloc1(a, r, &addr))
			abort();
		free1(a, r, addr);
	}
}

/* Does the first allocation land where the row says? */
static void probe(struct arena *a, const struct row *r)
{
	enum where want = r->where, got;
	unsigned long addr;

	if (want == HOLE && !a->n && a->layout != NEXT)
		want = REST;
	if (alloc1(a, r, &addr))
		die("the first allocation failed", a->n);
	got = classify(a, (addr - a->base) / a->unit, r->units);
	free1(a, r, addr);
	if (want != ANY && got != want && !(want == REST && got == LOWEST)) {
		fprintf(stderr, "vmem_bench: %s %s lands at unit %lu\n",
			r->name, r->req, (addr - a->base) / a->unit);
		die("a row does not measure what it claims", a->n);
	}
}

/* After a warm-up, cache-sized pairs take no segment allocation. */
static bool qcache_works(struct arena *a, const struct row *r)
{
	struct vmem_stats s0, s1;

	run_pairs(a, r, 128);
	vmem_get_stats(a->vm, &s0);
	run_pairs(a, r, 64);
	vmem_get_stats(a->vm, &s1);
	return s1.nalloc - s0.nalloc < 64;
}

/* Time row @r on arena @a, which holds its layout. */
static void run_row(struct arena *a, const struct row *r, unsigned long n,
		    unsigned long pairs)
{
	unsigned long np = r->linear && n > 1000 ? 10 : pairs;
	char name[96];

	snprintf(name, sizeof(name), "%s %s @%s", r->name, r->req,
		 layout_names[r->layout]);
	if (r->qcache && !qcache_works(a, r)) {
		printf("%s\tn/a\tno quantum cache: the pairs took the segment path\n",
		       name);
		return;
	}
	probe(a, r);
	run_pairs(a, r, np / 10 + 1);		/* warm up */
	/* deferred work (a hash resize, an index build) runs untimed */
	while (shim_run_work())
		;
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
	run_pairs(a, r, np);
	CALLGRIND_DUMP_STATS_AT(name);
	CALLGRIND_STOP_INSTRUMENTATION;
	/* the loop left work behind: its count leaves that work out */
	printf("%s\t%lu\t%s\n", name, np,
	       shim_work_pending() ? "deferred" : "");
	while (shim_run_work())
		;
	check(a);
}

int main(int argc, char **argv)
{
	unsigned long n, pairs;
	unsigned int l, k, qc;
	struct arena a;

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

	/* one arena per layout (and one with quantum caches), built once */
	for (l = 0; l < NLAYOUTS; l++) {
		for (qc = 0; qc < 2; qc++) {
			bool built = false;

			for (k = 0; k < ARRAY_SIZE(rows); k++) {
				const struct row *r = &rows[k];

				if (r->layout != l || r->qcache != qc ||
				    (r->fresh_only && n))
					continue;
				if (!built) {
					build(&a, l, n, qc);
					check(&a);
					built = true;
				}
				run_row(&a, r, n, pairs);
			}
			if (built)
				teardown(&a);
		}
	}
	shim_run_work();
	if (shim_module_exit)
		shim_module_exit();
	return 0;
}
