// SPDX-License-Identifier: GPL-2.0-only
/*
 * The segment list in debugfs: "segments", every span and segment in
 * address order (as illumos's ::vmem_seg), and "freelists", the free
 * segments and their bytes per power-of-two list.
 *
 * An arena may hold millions of segments, and its lock is taken with
 * interrupts off: a reader must never hold it for long.  Both files walk
 * the segment list in batches: under vm_lock, at most VMEM_DFS_SCAN tags
 * are looked at and at most VMEM_DFS_BATCH spans and segments copied out;
 * then the lock is dropped and the copies are formatted.  Between batches
 * a marker tag (VMEM_SEG_WALKER) on the list keeps the place, as in
 * vmem_walk(); every neighbour lookup skips markers
 * (vmem_seg_is_marker()), so the arena works around it.  The arena may
 * change between batches: a segment made or changed behind the marker is
 * not seen, one ahead of it is.  An arena that does not change is shown
 * exactly.
 *
 * "segments" is a seq_file whose reader keeps its marker from one read()
 * to the next, so that reading the file whole costs O(segments), not
 * O(segments^2).  The marker is in the arena's list while the file is
 * open and not read to its end.  The open readers are on a list, under
 * vmem_debugfs_lock: when the arena is destroyed, vmem_debugfs_remove()
 * first removes the files (debugfs waits for the reads in progress and
 * fails later ones with -EIO), then takes each reader's marker off the
 * list and makes the reader forget the arena, so that its release does
 * not touch it.
 *
 * "freelists" is made in one read(), with a marker of its own that never
 * outlives it.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "vmem_debugfs.h"

/* Spans and segments copied out per locked section. */
#define VMEM_DFS_BATCH		64
/* Tags looked at per locked section, markers of other walks included. */
#define VMEM_DFS_SCAN		256

/* A span or segment as copied out of the list. */
struct vmem_dfs_rec {
	unsigned long	start;
	unsigned long	size;
	u8		type;
	u8		imported;
	u8		leaf;		/* ALLOC: an identifier leaf's */
	u8		list;		/* FREE: vs_list */
};

/* A walk of the segment list from a marker. */
struct vmem_dfs_walk {
	struct vmem_seg	marker;
	bool		linked;		/* the marker is on the list; vm_lock */
	bool		done;		/* the end was reached */
};

static void vmem_dfs_walk_init(struct vmem_dfs_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->marker.vs_type = VMEM_SEG_WALKER;
	w->done = true;
}

/* Put the marker at the head of the list: the walk starts (again). */
static void vmem_dfs_walk_start(struct vmem *vm, struct vmem_dfs_walk *w)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	if (w->linked)
		list_move(&w->marker.vs_seglist, &vm->vm_seg0.vs_seglist);
	else
		list_add(&w->marker.vs_seglist, &vm->vm_seg0.vs_seglist);
	w->linked = true;
	w->done = false;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/* Take the marker off the list; the arena's lock is held. */
static void vmem_dfs_walk_unlink(struct vmem *vm, struct vmem_dfs_walk *w)
{
	lockdep_assert_held(&vm->vm_lock);
	if (w->linked) {
		list_del(&w->marker.vs_seglist);
		w->linked = false;
	}
	w->done = true;
}

static void vmem_dfs_walk_stop(struct vmem *vm, struct vmem_dfs_walk *w)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	vmem_dfs_walk_unlink(vm, w);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/*
 * One batch: copy the spans and segments after the marker into @rec, at
 * most @max of them, after looking at no more than VMEM_DFS_SCAN tags, and move
 * the marker past what was looked at.  At the end of the list the marker
 * comes off it and the walk is done.  Returns the number copied, which
 * may be 0 before the end (a stretch of other walks' markers).
 */
static unsigned int vmem_dfs_walk_batch(struct vmem *vm,
					struct vmem_dfs_walk *w,
					struct vmem_dfs_rec *rec,
					unsigned int max)
{
	struct vmem_seg *vs, *last = &w->marker;
	unsigned int n = 0, scanned = 0;
	unsigned long flags;

	if (w->done)
		return 0;
	spin_lock_irqsave(&vm->vm_lock, flags);
	while (n < max && scanned++ < VMEM_DFS_SCAN) {
		vs = list_next_entry(last, vs_seglist);
		if (vs == &vm->vm_seg0) {
			vmem_dfs_walk_unlink(vm, w);
			break;
		}
		last = vs;
		if (vmem_seg_is_marker(vs))
			continue;
		rec[n].start = vs->vs_start;
		rec[n].size = vs->vs_size;
		rec[n].type = vs->vs_type;
		rec[n].imported = vs->vs_imported;
		rec[n].leaf = vmem_seg_is_leaf(vs);
		rec[n].list = vs->vs_list;
		n++;
	}
	if (w->linked && last != &w->marker)
		list_move(&w->marker.vs_seglist, &last->vs_seglist);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return n;
}

/* ---- segments ---- */

/* An open "segments" file. */
struct vmem_segs_reader {
	struct vmem		*vm;	/* NULL once destroyed; debugfs lock */
	struct list_head	link;	/* on vmem_segs_readers; debugfs lock */
	struct vmem_dfs_walk	walk;
	loff_t			base;	/* index of rec[0] among the records */
	unsigned int		n;	/* records in rec[] */
	struct vmem_dfs_rec	rec[VMEM_DFS_BATCH];
};

static LIST_HEAD(vmem_segs_readers);

/* Start again from the first span. */
static void vmem_segs_rewind(struct vmem_segs_reader *r)
{
	vmem_dfs_walk_start(r->vm, &r->walk);
	r->base = 0;
	r->n = 0;
}

/*
 * Record @idx of the walk: from the batch at hand, or from the batches
 * after it.  seq_file asks for the record after the last one shown, or
 * for that one again when it did not fit; for an earlier one (a seek back)
 * the walk starts again.
 */
static struct vmem_dfs_rec *vmem_segs_get(struct vmem_segs_reader *r,
					  loff_t idx)
{
	if (idx < r->base)
		vmem_segs_rewind(r);
	while (idx >= r->base + r->n) {
		if (r->walk.done)
			return NULL;
		r->base += r->n;
		r->n = vmem_dfs_walk_batch(r->vm, &r->walk, r->rec,
					   VMEM_DFS_BATCH);
		cond_resched();
	}
	return &r->rec[idx - r->base];
}

/* Position 0 is the header; record i is at position i + 1. */
static void *vmem_segs_start(struct seq_file *m, loff_t *pos)
{
	struct vmem_segs_reader *r = m->private;

	if (!*pos) {
		vmem_segs_rewind(r);
		return SEQ_START_TOKEN;
	}
	return vmem_segs_get(r, *pos - 1);
}

static void *vmem_segs_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmem_segs_reader *r = m->private;

	++*pos;
	return vmem_segs_get(r, *pos - 1);
}

static void vmem_segs_stop(struct seq_file *m, void *v)
{
}

static const char *vmem_dfs_type(const struct vmem_dfs_rec *rec)
{
	switch (rec->type) {
	case VMEM_SEG_FREE:
		return "free";
	case VMEM_SEG_ALLOC:
		return rec->leaf ? "leaf" : "alloc";
	case VMEM_SEG_SPAN:
		return rec->imported ? "import" : "span";
	default:
		return "?";
	}
}

/* Hex digits of an address. */
#define VMEM_DFS_ADDRW		(BITS_PER_LONG / 4)

static int vmem_segs_show(struct seq_file *m, void *v)
{
	const struct vmem_dfs_rec *rec = v;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# %*s %*s %20s %s\n", VMEM_DFS_ADDRW, "start",
			   VMEM_DFS_ADDRW + 2, "end", "size", "type");
		return 0;
	}
	seq_printf(m, "0x%0*lx 0x%0*lx %20lu %s\n", VMEM_DFS_ADDRW,
		   rec->start, VMEM_DFS_ADDRW,
		   rec->start + (rec->size - 1), rec->size,
		   vmem_dfs_type(rec));
	return 0;
}

static const struct seq_operations vmem_segs_sops = {
	.start	= vmem_segs_start,
	.next	= vmem_segs_next,
	.stop	= vmem_segs_stop,
	.show	= vmem_segs_show,
};

static int vmem_segs_open(struct inode *inode, struct file *file)
{
	struct vmem_segs_reader *r;

	r = __seq_open_private(file, &vmem_segs_sops, sizeof(*r));
	if (!r)
		return -ENOMEM;
	vmem_dfs_walk_init(&r->walk);
	r->vm = inode->i_private;
	mutex_lock(&vmem_debugfs_lock);
	list_add(&r->link, &vmem_segs_readers);
	mutex_unlock(&vmem_debugfs_lock);
	return 0;
}

/* Runs after vmem_debugfs_remove() too: r->vm says if the arena is there. */
static int vmem_segs_release(struct inode *inode, struct file *file)
{
	struct vmem_segs_reader *r = ((struct seq_file *)file->private_data)->private;

	mutex_lock(&vmem_debugfs_lock);
	if (r->vm)
		vmem_dfs_walk_stop(r->vm, &r->walk);
	list_del(&r->link);
	mutex_unlock(&vmem_debugfs_lock);
	return seq_release_private(inode, file);
}

static const struct file_operations vmem_segments_fops = {
	.owner		= THIS_MODULE,
	.open		= vmem_segs_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmem_segs_release,
};

void vmem_debugfs_segs_forget(struct vmem *vm)
{
	struct vmem_segs_reader *r;

	lockdep_assert_held(&vmem_debugfs_lock);
	list_for_each_entry(r, &vmem_segs_readers, link) {
		if (r->vm != vm)
			continue;
		vmem_dfs_walk_stop(vm, &r->walk);
		r->vm = NULL;
	}
}

/* ---- freelists ---- */

struct vmem_freelists_census {
	unsigned long		nsegs[VMEM_NFREELISTS];
	unsigned long		bytes[VMEM_NFREELISTS];
	struct vmem_dfs_walk	walk;
	struct vmem_dfs_rec	rec[VMEM_DFS_BATCH];
};

static int vmem_freelists_show(struct seq_file *m, void *v)
{
	struct vmem *vm = m->private;
	struct vmem_freelists_census *c;
	unsigned long nsegs = 0, bytes = 0;
	unsigned int i, n;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	vmem_dfs_walk_init(&c->walk);
	vmem_dfs_walk_start(vm, &c->walk);
	while (!c->walk.done) {
		n = vmem_dfs_walk_batch(vm, &c->walk, c->rec, VMEM_DFS_BATCH);
		for (i = 0; i < n; i++) {
			unsigned int list;

			if (c->rec[i].type != VMEM_SEG_FREE)
				continue;
			/*
			 * The list it is on, not ilog2 of its size: a
			 * segment stays on list n while 2^n <= size <
			 * 2^(n + 2) (see vmem_freelist_add()).
			 */
			list = c->rec[i].list;
			c->nsegs[list]++;
			c->bytes[list] = vmem_sat_add(c->bytes[list],
						      c->rec[i].size);
		}
		cond_resched();
	}

	seq_printf(m, "# %4s %20s %12s %20s\n", "list", "min_size",
		   "segments", "bytes");
	for (i = 0; i < VMEM_NFREELISTS; i++) {
		if (!c->nsegs[i])
			continue;
		seq_printf(m, "  %4u %20lu %12lu %20lu\n", i, 1UL << i,
			   c->nsegs[i], c->bytes[i]);
		nsegs += c->nsegs[i];
		bytes = vmem_sat_add(bytes, c->bytes[i]);
	}
	seq_printf(m, "  %4s %20s %12lu %20lu\n", "all", "-", nsegs, bytes);
	kfree(c);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_freelists);

void vmem_debugfs_segs_create(struct dentry *dir, struct vmem *vm)
{
	debugfs_create_file("segments", 0400, dir, vm, &vmem_segments_fops);
	debugfs_create_file("freelists", 0400, dir, vm,
			    &vmem_freelists_fops);
}
