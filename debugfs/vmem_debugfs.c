// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arena statistics in debugfs: the registry of arenas, their directories,
 * and the table of all arenas.
 *
 *   /sys/kernel/debug/vmem/arenas		 a row per arena, as a tree
 *   /sys/kernel/debug/vmem/<arena>/stats	 counters, "key: value"
 *   /sys/kernel/debug/vmem/<arena>/segments	 spans and segments
 *   /sys/kernel/debug/vmem/<arena>/freelists	 free segments per list
 *   /sys/kernel/debug/vmem/<arena>/hash	 the allocated-segment hash
 *   /sys/kernel/debug/vmem/<arena>/qcache	 the quantum caches
 *   /sys/kernel/debug/vmem/<arena>/qcache_cpus each CPU's magazines
 *
 * Documentation/vmem.rst gives each file's format.  Every file is
 * readable by root only (0400).  Failures to create files are ignored,
 * as debugfs asks: statistics are never a reason for an arena to fail.
 *
 * Lifetime.  An arena's directory is made by vmem_create() and removed by
 * vmem_destroy() before the arena is freed.  The files are made with
 * debugfs_create_file(), so debugfs wraps their operations: removing them
 * waits for the reads in progress, and later reads of a file still open
 * fail with -EIO.  A file's release still runs after that, and must not
 * touch the arena: only "segments" keeps anything between reads (its
 * place in the arena's segment list), and vmem_debugfs_remove() takes
 * that out of the arena before the arena goes (vmem_debugfs_segs.c).
 *
 * Names.  A directory is named after its arena, with '/' written as '_'
 * (and "", "." and ".." prefixed with '_').  When the name is taken, by a
 * live arena of the same name or by the file "arenas", the directory is
 * "<name>-<n>", n counting up from 1 over the module's lifetime, the
 * first n that is free.  Names are chosen under vmem_debugfs_lock, so
 * arenas created at once never race for one.
 */
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/mutex.h>
#include "vmem_debugfs.h"

/* The registry and the open readers of "segments"; outside any vm_lock. */
DEFINE_MUTEX(vmem_debugfs_lock);
/* Live arenas, in creation order (so a source before its importers). */
static LIST_HEAD(vmem_list);
static struct dentry *vmem_debugfs_root;
static unsigned int vmem_debugfs_seq;

/* Columns of the name in "arenas", before its indentation. */
#define VMEM_ARENAS_NAMEW	32

void vmem_debugfs_put_name(struct seq_file *m, const char *name, int width)
{
	int n = 0;

	for (; *name; name++) {
		if (*name == ' ' || *name == '\t' || *name == '\n' ||
		    *name == '\\') {
			seq_printf(m, "\\%03o", (unsigned char)*name);
			n += 4;
		} else {
			seq_putc(m, *name);
			n++;
		}
	}
	if (n < width)
		seq_printf(m, "%*s", width - n, "");
}

bool vmem_debugfs_hit_rate(struct vmem *vm, unsigned int *permille)
{
	struct vmem_qcache_stats qs;
	u64 hits = 0, total = 0;
	unsigned int i;

	/* vm_nqcache is read-only after creation */
	for (i = 0; i < vm->vm_nqcache; i++) {
		if (vmem_qcache_get_stats(vm, i, -1, &qs))
			break;
		hits += qs.alloc_hits;
		total += qs.nalloc;
	}
	if (!total)
		return false;
	*permille = div64_u64(hits * 1000, total);
	return true;
}

/* ---- arenas ---- */

static void vmem_arenas_row(struct seq_file *m, struct vmem *vm,
			    unsigned int depth)
{
	struct vmem_stats_ext x;
	struct vmem_stats st;
	unsigned int permille;
	int indent = 2 * depth;

	vmem_get_stats_ext(vm, &st, &x);
	seq_printf(m, "%*s", indent, "");
	vmem_debugfs_put_name(m, vm->vm_name,
			      max(VMEM_ARENAS_NAMEW - indent, 1));
	seq_printf(m, " %8lu %14lu %14lu %14lu %10llu %10llu %6llu %6llu %10lu %9lu",
		   vm->vm_quantum, st.mem_inuse, st.mem_total, st.mem_import,
		   st.nalloc, st.nfree, st.nwait, st.nfail, x.nbusy,
		   x.nfreesegs);
	if (vmem_debugfs_hit_rate(vm, &permille))
		seq_printf(m, " %7u.%u\n", permille / 10, permille % 10);
	else
		seq_puts(m, "         -\n");
}

static bool vmem_registered(struct vmem *vm)
{
	struct vmem *p;

	lockdep_assert_held(&vmem_debugfs_lock);
	list_for_each_entry(p, &vmem_list, vm_list)
		if (p == vm)
			return true;
	return false;
}

/* @vm's row, then its importers' under it, as illumos's ::vmem does. */
static void vmem_arenas_tree(struct seq_file *m, struct vmem *vm,
			     unsigned int depth)
{
	struct vmem *child;

	lockdep_assert_held(&vmem_debugfs_lock);
	vmem_arenas_row(m, vm, depth);
	list_for_each_entry(child, &vmem_list, vm_list)
		if (child->vm_source == vm && child != vm)
			vmem_arenas_tree(m, child, depth + 1);
}

static int vmem_arenas_show(struct seq_file *m, void *v)
{
	struct vmem *vm;

	seq_printf(m, "vmem arenas - version: %d\n", VMEM_DEBUGFS_VERSION);
	seq_printf(m, "# %-*s %8s %14s %14s %14s %10s %10s %6s %6s %10s %9s %9s\n",
		   VMEM_ARENAS_NAMEW - 2, "name", "quantum", "inuse", "total",
		   "imported", "alloc", "free", "wait", "fail", "live",
		   "freesegs", "cache_hit");
	mutex_lock(&vmem_debugfs_lock);
	list_for_each_entry(vm, &vmem_list, vm_list)
		if (!vm->vm_source || !vmem_registered(vm->vm_source))
			vmem_arenas_tree(m, vm, 0);
	mutex_unlock(&vmem_debugfs_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_arenas);

/* ---- directories ---- */

static bool vmem_debugfs_taken(const char *name)
{
	struct dentry *d = debugfs_lookup(name, vmem_debugfs_root);

	if (!d)
		return false;
	dput(d);
	return true;
}

/*
 * The directory name of @vm, as the comment at the top says; under
 * vmem_debugfs_lock, which keeps the name free until it is created.
 */
static void vmem_debugfs_dirname(struct vmem *vm, char *buf, size_t len)
{
	char base[VMEM_NAMELEN + 1];
	const char *s = vm->vm_name;
	size_t i = 0;

	lockdep_assert_held(&vmem_debugfs_lock);
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		base[i++] = '_';
	for (; *s && i < sizeof(base) - 1; s++)
		base[i++] = *s == '/' ? '_' : *s;
	base[i] = '\0';
	strscpy(buf, base, len);
	while (vmem_debugfs_taken(buf))
		snprintf(buf, len, "%s-%u", base, ++vmem_debugfs_seq);
}

/* vmem_create(): process context, no vm_lock held; may sleep. */
void vmem_debugfs_add(struct vmem *vm)
{
	char name[VMEM_NAMELEN + 16];
	struct dentry *d;

	mutex_lock(&vmem_debugfs_lock);
	list_add_tail(&vm->vm_list, &vmem_list);
	if (vmem_debugfs_root) {
		vmem_debugfs_dirname(vm, name, sizeof(name));
		d = debugfs_create_dir(name, vmem_debugfs_root);
		vm->vm_debugfs = d;
		vmem_debugfs_stats_create(d, vm);
		vmem_debugfs_segs_create(d, vm);
	}
	mutex_unlock(&vmem_debugfs_lock);
}

/*
 * Before the arena is freed: the files go first (debugfs waits for the
 * reads in progress), then the arena leaves the registry, and the
 * "segments" readers still open forget it.  vmem_destroy(): process
 * context, no vm_lock held; may sleep.
 */
void vmem_debugfs_remove(struct vmem *vm)
{
	debugfs_remove_recursive(vm->vm_debugfs);
	mutex_lock(&vmem_debugfs_lock);
	vm->vm_debugfs = NULL;
	list_del(&vm->vm_list);
	vmem_debugfs_segs_forget(vm);
	mutex_unlock(&vmem_debugfs_lock);
}

void vmem_debugfs_init(void)
{
	struct dentry *root = debugfs_create_dir("vmem", NULL);

	debugfs_create_file("arenas", 0400, root, NULL, &vmem_arenas_fops);
	mutex_lock(&vmem_debugfs_lock);
	vmem_debugfs_root = IS_ERR(root) ? NULL : root;
	mutex_unlock(&vmem_debugfs_lock);
}

/* No arena is left, and no file open: each holds a reference to vmem.ko. */
void vmem_debugfs_exit(void)
{
	struct dentry *root;

	mutex_lock(&vmem_debugfs_lock);
	root = vmem_debugfs_root;
	vmem_debugfs_root = NULL;
	mutex_unlock(&vmem_debugfs_lock);
	debugfs_remove_recursive(root);
}
