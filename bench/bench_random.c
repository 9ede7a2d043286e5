// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload 7: random sizes and random frees around half full.
 *
 * A fresh arena of BENCH_RANDOM_UNITS units is filled with allocations of
 * 1 to BENCH_RANDOM_MAXU units (uniform) until half of it is allocated.
 * Then each timed step frees a random allocation and allocates a new
 * random size in its slot.  The sizes and the victims come from a fixed
 * xorshift sequence, computed before the clock starts, so every contender
 * sees the same requests in the same order (where each one lands, and so
 * what fragments, is up to the allocator).  A failed allocation leaves its
 * slot empty and is counted.  The same loop with empty functions gives
 * the loop's own cost.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "vmem_bench.h"

#define BENCH_RANDOM_UNITS	BIT(18)
#define BENCH_RANDOM_MAXU	16

struct bench_random {
	unsigned long	*h;		/* handle of slot i, if live */
	u8		*units;		/* its size; 0: empty */
	u32		*victim;	/* step s frees slot victim[s] ... */
	u8		*size;		/* ... and allocates size[s] there */
	unsigned long	nslots;
	unsigned long	fill_units;
	unsigned long	live_units;
	unsigned long	fails;
};

static u64 bench_xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int bench_random_null_alloc(struct bench_arena *a, unsigned long units,
				   unsigned long *h)
{
	*h = units;
	return 0;
}

static void bench_random_null_free(struct bench_arena *a, unsigned long h,
				   unsigned long units)
{
}

static noinline u64 bench_random_steps(struct bench_random *r,
				       struct bench_arena *a,
				       int (*alloc)(struct bench_arena *,
						    unsigned long,
						    unsigned long *),
				       void (*free)(struct bench_arena *,
						    unsigned long,
						    unsigned long),
				       unsigned long steps)
{
	unsigned long s, flags = 0;
	u64 t0, t1;

	if (bench_icount)
		local_irq_save(flags);
	t0 = ktime_get_ns();
	for (s = 0; s < steps; s++) {
		unsigned long v = r->victim[s], h;

		if (r->units[v]) {
			free(a, r->h[v], r->units[v]);
			r->live_units -= r->units[v];
			r->units[v] = 0;
		}
		if (alloc(a, r->size[s], &h)) {
			r->fails++;
			continue;
		}
		r->h[v] = h;
		r->units[v] = r->size[s];
		r->live_units += r->size[s];
	}
	t1 = ktime_get_ns();
	if (bench_icount)
		local_irq_restore(flags);
	return t1 - t0;
}

int bench_random_run(const struct bench_row *row, unsigned long steps)
{
	unsigned long max_slots = BENCH_RANDOM_UNITS / 2 + BENCH_RANDOM_MAXU;
	struct bench_random r = { };
	struct bench_arena a;
	u64 seed = 0x9e3779b97f4a7c15ULL, ns, null_ns = 0;
	unsigned long i, h, fill_fails = 0;
	long filled, after;
	bool ok;
	int err;

	r.h = kvcalloc(max_slots, sizeof(*r.h), GFP_KERNEL);
	r.units = kvcalloc(max_slots, sizeof(*r.units), GFP_KERNEL);
	r.victim = kvcalloc(steps, sizeof(*r.victim), GFP_KERNEL);
	r.size = kvcalloc(steps, sizeof(*r.size), GFP_KERNEL);
	err = -ENOMEM;
	if (!r.h || !r.units || !r.victim || !r.size)
		goto out;
	err = bench_arena_create(&a, row->ops, BENCH_RANDOM_UNITS, 0);
	if (err)
		goto out;

	/* fill to half */
	while (r.live_units < BENCH_RANDOM_UNITS / 2) {
		unsigned long units = 1 + bench_xorshift(&seed) %
					  BENCH_RANDOM_MAXU;

		if (row->alloc(&a, units, &h)) {
			if (++fill_fails > 1000) {
				err = -ENOSPC;
				goto destroy;
			}
			continue;
		}
		r.h[r.nslots] = h;
		r.units[r.nslots++] = units;
		r.live_units += units;
		if (!(r.nslots & 1023))
			cond_resched();
	}
	r.fill_units = r.live_units;
	for (i = 0; i < steps; i++) {
		r.victim[i] = bench_xorshift(&seed) % r.nslots;
		r.size[i] = 1 + bench_xorshift(&seed) % BENCH_RANDOM_MAXU;
	}

	/* the loop's own cost, on a copy of the slot state */
	{
		struct bench_random z = r;

		z.units = kvmalloc_array(max_slots, sizeof(*z.units),
					 GFP_KERNEL);
		z.h = kvcalloc(max_slots, sizeof(*z.h), GFP_KERNEL);
		if (z.units && z.h) {
			memcpy(z.units, r.units, max_slots);
			null_ns = bench_random_steps(&z, &a,
						     bench_random_null_alloc,
						     bench_random_null_free,
						     steps);
		}
		kvfree(z.units);
		kvfree(z.h);
	}

	/* the arena's own count of what is allocated, where it keeps one */
	filled = a.ops->usage ? a.ops->usage(&a) : -1;
	ns = bench_random_steps(&r, &a, row->alloc, row->free, steps);
	after = a.ops->usage ? a.ops->usage(&a) : -1;
	ok = (filled < 0 || filled == r.fill_units) &&
	     (after < 0 || after == r.live_units);
	bench_json_start("random");
	bench_json_str("row", row->name);
	bench_json_str("status", ok ? "ok" : "bad layout");
	bench_json_u64("steps", steps);
	bench_json_u64("ns", ns);
	bench_json_u64("null_ns", null_ns);
	bench_json_u64("slots", r.nslots);
	bench_json_u64("fill_units", r.fill_units);
	bench_json_s64("arena_fill_units", filled);
	bench_json_u64("fill_fails", fill_fails);
	bench_json_u64("fails", r.fails);
	bench_json_u64("live_units", r.live_units);
	bench_json_s64("arena_live_units", after);
	bench_json_u64("arena_units", BENCH_RANDOM_UNITS);
	bench_json_end();

destroy:
	for (i = 0; i < r.nslots; i++) {
		if (r.units[i])
			row->free(&a, r.h[i], r.units[i]);
		if (!(i & 1023))
			cond_resched();
	}
	bench_arena_destroy(&a);
out:
	if (err) {
		bench_json_start("random");
		bench_json_str("row", row->name);
		bench_json_str("status", "error");
		bench_json_s64("error", err);
		bench_json_end();
	}
	kvfree(r.h);
	kvfree(r.units);
	kvfree(r.victim);
	kvfree(r.size);
	return err;
}
