// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hash table of allocated segments.
 *
 * vmem_free() is given an address and must find its segment in O(1): the
 * allocated segments are chained in a table of 2^vm_hash_shift buckets,
 * indexed by a multiplicative hash of (start >> quantum shift).  The table
 * starts as the 16 buckets embedded in the arena.  When the number of
 * allocated segments leaves [vm_hash_lo, vm_hash_hi] = [buckets,
 * 4 * buckets], the hot path only queues vm_hash_work, and opens the
 * limits wide so that it does so once; the work allocates a table sized
 * for the current load, one to two segments a bucket, with GFP_KERNEL,
 * moves the chains under the arena lock and sets the limits for the new
 * size.  So the hot path never allocates and pays one compare per insert
 * or removal; chains hold one to four segments; the table costs at most
 * one pointer, 8 bytes on 64-bit, per allocated segment; and a table is
 * resized at most once per doubling or halving of the load.
 *
 * Invariant: every VMEM_SEG_ALLOC segment of the arena is on exactly one
 * chain, the one of vmem_hash_bucket(vm, vs_start), and nothing else is.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include "vmem_impl.h"

/*
 * The load limits of the current table; no shrinking below the minimum.
 * Under vm_lock, or from vmem_hash_init() before the arena is published.
 */
static void vmem_hash_set_limits(struct vmem *vm)
{
	unsigned long buckets = 1UL << vm->vm_hash_shift;

	vm->vm_hash_lo = vm->vm_hash_shift == VMEM_HASH_MIN_SHIFT ?
			 0 : buckets;
	vm->vm_hash_hi = vm->vm_hash_shift == VMEM_HASH_MAX_SHIFT ?
			 ULONG_MAX : 4 * buckets;
}

/* The load left the limits: queue one rescale.  Under vm_lock. */
void vmem_hash_queue_rescale(struct vmem *vm)
{
	lockdep_assert_held(&vm->vm_lock);
	vm->vm_hash_lo = 0;
	vm->vm_hash_hi = ULONG_MAX;
	schedule_work(&vm->vm_hash_work);
}

void vmem_hash_init(struct vmem *vm)
{
	vm->vm_hash = vm->vm_hash0;
	vm->vm_hash_shift = VMEM_HASH_MIN_SHIFT;
	vmem_hash_set_limits(vm);
	INIT_WORK(&vm->vm_hash_work, vmem_hash_rescale_work);
}

/*
 * Called by vmem_destroy() with no lock held, after vmem_qcache_fini():
 * nothing may insert or unlink afterwards (an unlink could queue the
 * rescale again), and no work runs afterwards.
 */
void vmem_hash_fini(struct vmem *vm)
{
	cancel_work_sync(&vm->vm_hash_work);
	if (vm->vm_hash != vm->vm_hash0)
		kvfree(vm->vm_hash);
}

/*
 * The load was read before the new table was allocated, without the lock:
 * the allocations and frees made meanwhile saw the limits wide open and
 * queued nothing.  If they took the load outside the limits of the table
 * now in place, queue the rescale they would have.  (The load a rescale
 * reads is inside the limits it sets, so this stops once it holds still.)
 */
static void vmem_hash_recheck(struct vmem *vm)
{
	lockdep_assert_held(&vm->vm_lock);
	if (vm->vm_nbusy < vm->vm_hash_lo || vm->vm_nbusy > vm->vm_hash_hi)
		vmem_hash_queue_rescale(vm);
}

/* The shift that puts one to two allocated segments in each bucket. */
static unsigned int vmem_hash_target_shift(unsigned long nbusy)
{
	unsigned int shift = nbusy ? fls_long(nbusy) - 1 : 0;

	return clamp_t(unsigned int, shift, VMEM_HASH_MIN_SHIFT,
		       VMEM_HASH_MAX_SHIFT);
}

/*
 * Resize the table.  Runs from the system workqueue, so it may sleep
 * while it allocates; it takes the arena lock only to move the chains.
 */
void vmem_hash_rescale_work(struct work_struct *work)
{
	struct vmem *vm = container_of(work, struct vmem, vm_hash_work);
	struct vmem_seg **new_table, **old_table;
	unsigned int new_shift, old_shift, i;
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	new_shift = vmem_hash_target_shift(vm->vm_nbusy);
	spin_unlock_irqrestore(&vm->vm_lock, flags);

	if (new_shift == VMEM_HASH_MIN_SHIFT)
		new_table = NULL;	/* back to the embedded table */
	else
		new_table = kvcalloc(1UL << new_shift, sizeof(*new_table),
				     GFP_KERNEL);

	spin_lock_irqsave(&vm->vm_lock, flags);
	vmem_hash_set_limits(vm);
	if (!new_table && new_shift != VMEM_HASH_MIN_SHIFT) {
		/* Out of memory: keep the table, retry when the load doubles. */
		vm->vm_hash_hi = max(vm->vm_hash_hi, 2 * vm->vm_nbusy);
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		return;
	}
	old_table = vm->vm_hash;
	old_shift = vm->vm_hash_shift;
	if (old_shift == new_shift) {
		vmem_hash_recheck(vm);
		spin_unlock_irqrestore(&vm->vm_lock, flags);
		kvfree(new_table);
		return;
	}
	if (!new_table) {
		new_table = vm->vm_hash0;
		memset(new_table, 0, sizeof(vm->vm_hash0));
	}
	vm->vm_hash = new_table;
	vm->vm_hash_shift = new_shift;
	vmem_hash_set_limits(vm);
	for (i = 0; i < (1U << old_shift); i++) {
		struct vmem_seg *vs, *next;

		for (vs = old_table[i]; vs; vs = next) {
			struct vmem_seg **bucket;

			next = vs->vs_hnext;
			bucket = vmem_hash_bucket(vm, vs->vs_start);
			vs->vs_hnext = *bucket;
			*bucket = vs;
		}
	}
	if (old_table == vm->vm_hash0)
		memset(vm->vm_hash0, 0, sizeof(vm->vm_hash0));
	vm->vm_kstat.hash_rescales++;
	vmem_hash_recheck(vm);
	spin_unlock_irqrestore(&vm->vm_lock, flags);

	if (old_table != vm->vm_hash0)
		kvfree(old_table);
}
