// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arena statistics in debugfs:
 *
 *   /sys/kernel/debug/vmem/arenas		one line per arena
 *   /sys/kernel/debug/vmem/<arena>/stats	"key: value" lines
 *
 * An arena whose name is already taken gets "<name>-<n>".  Failures to
 * create files are ignored, as debugfs asks: statistics are never a
 * reason for an arena to fail.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include "../vmem/vmem_impl.h"

/*
 * The registry of live arenas, for the "arenas" file: an arena is on it
 * from vmem_debugfs_add() to vmem_debugfs_remove().  The mutex nests
 * outside any vm_lock.
 */
static DEFINE_MUTEX(vmem_list_lock);
static LIST_HEAD(vmem_list);
static struct dentry *vmem_debugfs_root;
static atomic_t vmem_debugfs_seq = ATOMIC_INIT(0);

static int vmem_stats_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	const char *unit = vm->vm_flags & VMC_IDENTIFIER ? "ids" : "bytes";
	struct vmem_stats st;

	vmem_get_stats(vm, &st);
	seq_printf(m, "name: %s\n", vm->vm_name);
	seq_printf(m, "quantum: %lu\n", vm->vm_quantum);
	seq_printf(m, "unit: %s\n", unit);
	seq_printf(m, "source: %s\n",
		   vm->vm_source ? vm->vm_source->vm_name : "-");
	seq_printf(m, "mem_inuse: %lu\n", st.mem_inuse);
	seq_printf(m, "mem_free: %lu\n", st.mem_free);
	seq_printf(m, "mem_total: %lu\n", st.mem_total);
	seq_printf(m, "mem_import: %lu\n", st.mem_import);
	seq_printf(m, "alloc: %llu\n", st.nalloc);
	seq_printf(m, "free: %llu\n", st.nfree);
	seq_printf(m, "fail: %llu\n", st.nfail);
	seq_printf(m, "wait: %llu\n", st.nwait);
	seq_printf(m, "import: %llu\n", st.nimport);
	seq_printf(m, "release: %llu\n", st.nrelease);
	seq_printf(m, "bad_free: %llu\n", st.nbadfree);
	seq_printf(m, "segments: %lu\n", st.nsegs);
	seq_printf(m, "spans: %lu\n", st.nspans);
	seq_printf(m, "hash_buckets: %lu\n", st.hash_buckets);
	seq_printf(m, "hash_rescales: %llu\n", st.hash_rescales);
	seq_printf(m, "tags_reserved: %lu\n", st.tags_reserved);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_stats);

static int vmem_arenas_show(struct seq_file *m, void *v)
{
	struct vmem_stats st;
	struct vmem *vm;

	seq_puts(m, "# name                             quantum            inuse            total   alloc    fail\n");
	mutex_lock(&vmem_list_lock);
	list_for_each_entry(vm, &vmem_list, vm_list) {
		vmem_get_stats(vm, &st);
		seq_printf(m, "%-32s %9lu %16lu %16lu %7llu %7llu\n",
			   vm->vm_name, vm->vm_quantum, st.mem_inuse,
			   st.mem_total, st.nalloc, st.nfail);
	}
	mutex_unlock(&vmem_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_arenas);

void vmem_debugfs_add(struct vmem *vm)
{
	char name[VMEM_NAMELEN + 12];
	struct dentry *d;

	mutex_lock(&vmem_list_lock);
	list_add_tail(&vm->vm_list, &vmem_list);
	mutex_unlock(&vmem_list_lock);
	if (!vmem_debugfs_root)
		return;
	strscpy(name, vm->vm_name, sizeof(name));
	d = debugfs_lookup(name, vmem_debugfs_root);
	if (d) {
		dput(d);
		snprintf(name, sizeof(name), "%s-%d", vm->vm_name,
			 atomic_inc_return(&vmem_debugfs_seq));
	}
	vm->vm_debugfs = debugfs_create_dir(name, vmem_debugfs_root);
	debugfs_create_file("stats", 0400, vm->vm_debugfs, vm,
			    &vmem_stats_fops);
}

void vmem_debugfs_remove(struct vmem *vm)
{
	debugfs_remove_recursive(vm->vm_debugfs);
	vm->vm_debugfs = NULL;
	mutex_lock(&vmem_list_lock);
	list_del(&vm->vm_list);
	mutex_unlock(&vmem_list_lock);
}

void vmem_debugfs_init(void)
{
	vmem_debugfs_root = debugfs_create_dir("vmem", NULL);
	debugfs_create_file("arenas", 0400, vmem_debugfs_root, NULL,
			    &vmem_arenas_fops);
}

void vmem_debugfs_exit(void)
{
	debugfs_remove_recursive(vmem_debugfs_root);
	vmem_debugfs_root = NULL;
}
