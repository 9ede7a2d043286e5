/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of debugfs/ share: the registry lock, the file
 * operations of each arena's files, and the formatting of names.
 * Internal to vmem.ko.
 */
#ifndef _VMEM_DEBUGFS_H
#define _VMEM_DEBUGFS_H

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include "../vmem/vmem_impl.h"

/*
 * Version of the tables' formats ("arenas", "qcache"), on their first
 * line: bumped when a column changes meaning or moves, so that tools can
 * tell (as /proc/slabinfo does).  New columns go at the end.
 */
#define VMEM_DEBUGFS_VERSION	1

/*
 * The registry of arenas and of the open "segments" readers; nests
 * outside any vm_lock.  debugfs/vmem_debugfs.c.
 */
extern struct mutex vmem_debugfs_lock;

/*
 * debugfs/vmem_debugfs_segs.c: "segments" and "freelists" in @dir; the
 * open "segments" readers of an arena that goes (vmem_debugfs_lock held).
 */
void vmem_debugfs_segs_create(struct dentry *dir, struct vmem *vm);
void vmem_debugfs_segs_forget(struct vmem *vm);

/* debugfs/vmem_debugfs_stats.c: "stats", "hash" and "qcache" in @dir */
void vmem_debugfs_stats_create(struct dentry *dir, struct vmem *vm);

/*
 * Hits of @vm's quantum caches in thousandths of its cached allocations;
 * false when it has no cache or no cached allocation yet.
 */
bool vmem_debugfs_hit_rate(struct vmem *vm, unsigned int *permille);

/*
 * An arena name as one whitespace-free word, padded to @width: space,
 * tab, newline and backslash are written as \ooo (as /proc/mounts does).
 */
void vmem_debugfs_put_name(struct seq_file *m, const char *name, int width);

#endif /* _VMEM_DEBUGFS_H */
