// SPDX-License-Identifier: GPL-2.0-only
/*
 * An arena's counters in debugfs: "stats" (every counter, "key: value"),
 * "hash" (the allocated-segment hash table), "qcache" (a row per quantum
 * cache) and "qcache_cpus" (a row per quantum cache and possible CPU).
 * See Documentation/vmem.rst for what each key and column means.
 *
 * "stats" is one snapshot of the segment layer, taken in one locked
 * section (vmem_get_stats_ext()); the caches' figures are read as
 * vmem_qcache_get_stats() reads them, each CPU's and each depot's under
 * its own lock in turn.  "hash" looks at the table a batch of buckets
 * per locked section and starts again if the table is resized meanwhile.
 * Each file is read within a read() of it, which debugfs keeps the arena
 * alive for (see vmem_debugfs.c).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "vmem_debugfs.h"

/* ---- stats ---- */

static int vmem_stats_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	struct vmem_stats_ext x;
	struct vmem_stats st;
	unsigned int permille;

	vmem_get_stats_ext(vm, &st, &x);

	seq_printf(m, "name: %s\n", vm->vm_name);
	seq_printf(m, "quantum: %lu\n", vm->vm_quantum);
	seq_printf(m, "unit: %s\n",
		   vm->vm_flags & VMC_IDENTIFIER ? "ids" : "bytes");
	seq_printf(m, "source: %s\n",
		   vm->vm_source ? vm->vm_source->vm_name : "-");
	/* illumos's kstats */
	seq_printf(m, "mem_inuse: %lu\n", st.mem_inuse);
	seq_printf(m, "mem_free: %lu\n", st.mem_free);
	seq_printf(m, "mem_cached: %lu\n", st.mem_cached);
	seq_printf(m, "mem_total: %lu\n", st.mem_total);
	seq_printf(m, "mem_import: %lu\n", st.mem_import);
	seq_printf(m, "alloc: %llu\n", x.kstat.nalloc);
	seq_printf(m, "free: %llu\n", x.kstat.nfree);
	seq_printf(m, "wait: %llu\n", x.kstat.nwait);
	seq_printf(m, "fail: %llu\n", x.kstat.nfail);
	seq_printf(m, "lookup: %llu\n", x.kstat.nlookup);
	seq_printf(m, "search: %llu\n", x.kstat.nsearch);
	seq_printf(m, "populate_fail: %llu\n", x.kstat.npopulate_fail);
	seq_printf(m, "contains: %llu\n", x.kstat.ncontains);
	seq_printf(m, "contains_search: %llu\n", x.kstat.ncontains_search);
	/* ours */
	seq_printf(m, "live: %lu\n", x.nbusy);
	seq_printf(m, "free_segments: %lu\n", x.nfreesegs);
	seq_printf(m, "spans: %lu\n", st.nspans);
	seq_printf(m, "segments: %lu\n", st.nsegs);
	seq_printf(m, "bad_free: %llu\n", x.kstat.nbadfree);
	seq_printf(m, "import: %llu\n", x.kstat.nimport);
	seq_printf(m, "release: %llu\n", x.kstat.nrelease);
	seq_printf(m, "hash_buckets: %lu\n", st.hash_buckets);
	seq_printf(m, "hash_rescales: %llu\n", x.kstat.hash_rescales);
	seq_printf(m, "reserve_refills: %llu\n", x.kstat.nrefill);
	seq_printf(m, "tags_reserved: %lu\n", st.tags_reserved);
	seq_printf(m, "big_tags_reserved: %lu\n", x.nireserve);
	/* the index of free segments */
	seq_printf(m, "indexed: %d\n", x.indexed);
	seq_printf(m, "unindexed: %lu\n", x.nunindexed);
	seq_printf(m, "size_tree: %d\n", x.sized);
	/* identifier leaves */
	seq_printf(m, "leaves: %u\n", st.nleaves);
	seq_printf(m, "leaf_ids: %lu\n", x.nleafids);
	/* the quantum caches */
	seq_printf(m, "qcache_max: %lu\n", vm->vm_qcache_max);
	seq_printf(m, "qcaches: %u\n", st.nqcache);
	if (vmem_debugfs_hit_rate(vm, &permille))
		seq_printf(m, "qcache_hit_permille: %u\n", permille);
	else
		seq_puts(m, "qcache_hit_permille: -\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_stats);

/* ---- hash ---- */

/* Buckets looked at per locked section. */
#define VMEM_HASH_BATCH		1024
/* Times the scan starts again after a resize before it gives up. */
#define VMEM_HASH_RETRIES	8
/* Chains of this length or more are counted together. */
#define VMEM_HASH_HIST		8

struct vmem_hash_census {
	unsigned long	entries;
	unsigned long	longest;
	unsigned long	hist[VMEM_HASH_HIST + 1];
};

/*
 * Count the chains of the table, a batch of buckets at a time.  The table
 * is the same from batch to batch as long as vm_hash and the rescale
 * count are; false when it changed too often to finish.
 */
static bool vmem_hash_census(struct vmem *vm, struct vmem_hash_census *c,
			     unsigned int *shift)
{
	unsigned int tries;

	for (tries = 0; tries < VMEM_HASH_RETRIES; tries++) {
		struct vmem_seg **table = NULL;
		unsigned long i = 0, nbuckets = 1, flags;
		u64 rescales = 0;
		bool changed = false;

		memset(c, 0, sizeof(*c));
		while (i < nbuckets && !changed) {
			unsigned long end;

			spin_lock_irqsave(&vm->vm_lock, flags);
			if (!table) {
				table = vm->vm_hash;
				rescales = vm->vm_kstat.hash_rescales;
				*shift = vm->vm_hash_shift;
				nbuckets = 1UL << *shift;
			} else if (table != vm->vm_hash ||
				   rescales != vm->vm_kstat.hash_rescales) {
				changed = true;
			}
			end = min(nbuckets, i + VMEM_HASH_BATCH);
			for (; !changed && i < end; i++) {
				unsigned long len = 0;
				struct vmem_seg *vs;

				for (vs = table[i]; vs; vs = vs->vs_hnext)
					len++;
				c->entries += len;
				c->longest = max(c->longest, len);
				c->hist[min_t(unsigned long, len,
					      VMEM_HASH_HIST)]++;
			}
			spin_unlock_irqrestore(&vm->vm_lock, flags);
			cond_resched();
		}
		if (!changed)
			return true;
	}
	return false;
}

static int vmem_hash_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	struct vmem_hash_census c;
	struct vmem_stats_ext x;
	struct vmem_stats st;
	unsigned int shift, i;

	if (!vmem_hash_census(vm, &c, &shift))
		return -EAGAIN;
	vmem_get_stats_ext(vm, &st, &x);
	seq_printf(m, "buckets: %lu\n", 1UL << shift);
	seq_printf(m, "entries: %lu\n", c.entries);
	seq_printf(m, "longest_chain: %lu\n", c.longest);
	seq_printf(m, "rescales: %llu\n", x.kstat.hash_rescales);
	seq_printf(m, "lookup: %llu\n", x.kstat.nlookup);
	for (i = 0; i < VMEM_HASH_HIST; i++)
		seq_printf(m, "chains_%u: %lu\n", i, c.hist[i]);
	seq_printf(m, "chains_%u_or_more: %lu\n", VMEM_HASH_HIST,
		   c.hist[VMEM_HASH_HIST]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_hash);

/* ---- qcache, qcache_cpus ---- */

/*
 * A row per quantum cache: its counters summed over every CPU, and its
 * depot.  vm_nqcache is read-only after creation.
 */
static int vmem_qcache_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	struct vmem_qcache_stats qs;
	unsigned int i;

	seq_printf(m, "vmem qcache - version: %d\n", VMEM_DEBUGFS_VERSION);
	seq_printf(m, "# %12s %7s %12s %12s %12s %12s %12s %12s %10s %10s %10s %7s %8s %10s %10s %11s %12s\n",
		   "size", "magsize", "alloc", "free", "alloc_hits",
		   "alloc_misses", "free_hits", "free_misses", "depot_gets",
		   "depot_puts", "contention", "resizes", "cpu_mags",
		   "cpu_rounds", "depot_full", "depot_empty", "depot_rounds");
	for (i = 0; i < vm->vm_nqcache; i++) {
		if (vmem_qcache_get_stats(vm, i, -1, &qs))
			break;
		seq_printf(m, "  %12lu %7u %12llu %12llu %12llu %12llu %12llu %12llu %10llu %10llu %10llu %7llu %8lu %10lu %10lu %11lu %12lu\n",
			   qs.size, qs.magsize, qs.nalloc, qs.nfree,
			   qs.alloc_hits, qs.alloc_misses, qs.free_hits,
			   qs.free_misses, qs.depot_gets, qs.depot_puts,
			   qs.depot_contention, qs.nresize, qs.cpu_mags,
			   qs.cpu_rounds, qs.depot_full, qs.depot_empty,
			   qs.depot_rounds);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_qcache);

/*
 * A row per quantum cache and possible CPU: that CPU's share of the
 * cache's allocations and frees, and what its two magazines hold.
 */
static int vmem_qcache_cpus_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	struct vmem_qcache_stats qs;
	unsigned int i, cpu;

	seq_printf(m, "vmem qcache_cpus - version: %d\n",
		   VMEM_DEBUGFS_VERSION);
	seq_printf(m, "# %12s %5s %12s %12s %12s %12s %4s %10s\n", "size",
		   "cpu", "alloc_hits", "alloc_misses", "free_hits",
		   "free_misses", "mags", "rounds");
	for (i = 0; i < vm->vm_nqcache; i++) {
		for_each_possible_cpu(cpu) {
			if (vmem_qcache_get_stats(vm, i, cpu, &qs))
				return 0;
			seq_printf(m, "  %12lu %5u %12llu %12llu %12llu %12llu %4lu %10lu\n",
				   qs.size, cpu, qs.alloc_hits,
				   qs.alloc_misses, qs.free_hits,
				   qs.free_misses, qs.cpu_mags, qs.cpu_rounds);
		}
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_qcache_cpus);

void vmem_debugfs_stats_create(struct dentry *dir, struct vmem *vm)
{
	debugfs_create_file("stats", 0400, dir, vm, &vmem_stats_fops);
	debugfs_create_file("hash", 0400, dir, vm, &vmem_hash_fops);
	debugfs_create_file("qcache", 0400, dir, vm, &vmem_qcache_fops);
	debugfs_create_file("qcache_cpus", 0400, dir, vm,
			    &vmem_qcache_cpus_fops);
}
