// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload 8: memory per live allocation.
 *
 * The pages the kernel has free, counted before the contender's arena is
 * created, after, and after a layout of N live allocations is built in
 * it: every page the allocator took for itself (boundary tags, tree nodes,
 * bitmaps, hash tables, slab pages, vmalloc'ed tables) is in the
 * difference, and nothing of the bench's own (its handle array is
 * allocated first).  Free pages are counted exactly: the buddy allocator's
 * count with every CPU's pending counter delta
 * (zone_page_state_snapshot()), plus the pages waiting on every CPU's
 * per-CPU page lists, which the allocator's count leaves out.  The slab
 * allocator's own count of its pages is reported beside it.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include "vmem_bench.h"

/* Deferred work (a hash rescale, a depot trim) is left to finish first. */
#define BENCH_MEM_SETTLE_MS	200

struct bench_mem_snap {
	long	used_pages;	/* total RAM minus free pages */
	long	slab_pages;
};

static long bench_mem_free_pages(void)
{
	long free = 0;
	unsigned int cpu;
	int nid, z;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			free += zone_page_state_snapshot(zone, NR_FREE_PAGES);
			for_each_online_cpu(cpu)
				free += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset,
							      cpu)->count);
		}
	}
	return free;
}

static void bench_mem_snapshot(struct bench_mem_snap *s)
{
	msleep(BENCH_MEM_SETTLE_MS);
	s->used_pages = totalram_pages() - bench_mem_free_pages();
	s->slab_pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
			global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
}

int bench_mem_run(const struct bench_ops *ops, enum bench_layout_kind kind,
		  unsigned long n)
{
	struct bench_layout l = { .kind = kind, .n = n };
	static char check[320];
	struct bench_mem_snap s0, s1, s2;
	unsigned long *live;
	struct bench_arena a;
	int err;

	check[0] = 0;
	live = kvmalloc_array(bench_layout_pieces(&l) ?: 1, sizeof(*live),
			      GFP_KERNEL);
	if (!live) {
		err = -ENOMEM;
		goto out;
	}
	bench_mem_snapshot(&s0);
	err = bench_arena_create(&a, ops, 0, 0);
	if (err) {
		kvfree(live);
		goto out;
	}
	a.live = live;
	bench_mem_snapshot(&s1);
	err = bench_layout_build(&a, kind, n);
	if (!err)
		err = ops->check(&a, &a.layout, check, sizeof(check));
	if (!err) {
		bench_mem_snapshot(&s2);
		bench_json_start("mem");
		bench_json_str("ops", ops->name);
		bench_json_str("layout", bench_layout_name(kind));
		bench_json_u64("n", n);
		bench_json_u64("live", a.nlive);
		bench_json_s64("empty_bytes",
			       (s1.used_pages - s0.used_pages) * PAGE_SIZE);
		bench_json_s64("bytes",
			       (s2.used_pages - s1.used_pages) * PAGE_SIZE);
		bench_json_s64("slab_bytes",
			       (s2.slab_pages - s1.slab_pages) * PAGE_SIZE);
		bench_json_str("check", check);
		bench_json_end();
	}
	bench_arena_destroy(&a);
out:
	if (err) {
		bench_json_start("mem");
		bench_json_str("ops", ops->name);
		bench_json_str("layout", bench_layout_name(kind));
		bench_json_u64("n", n);
		bench_json_s64("error", err);
		bench_json_str("check", check);
		bench_json_end();
	}
	return err;
}
