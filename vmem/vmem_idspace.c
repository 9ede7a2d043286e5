// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identifier spaces: arenas of quantum 1 that hand out one integer at a
 * time.  Next fit, the default, does not reuse a freed identifier until
 * the rotor has gone round the space, which makes stale identifiers
 * (a PID, a handle) less likely to name a new object.
 */
#include <linux/module.h>
#include <linux/err.h>
#include "vmem_impl.h"
#include <trace/events/vmem.h>

/**
 * vmem_idspace_create() - Create an identifier space.
 * @name: as vmem_create()
 * @low: the lowest identifier
 * @high: one past the highest identifier; above @low
 *
 * The space has no quantum caches; see vmem_create() for one that has.
 *
 * Context: As vmem_create().
 * Return: the space; ERR_PTR(-EINVAL) when @high <= @low or @name is
 * NULL; ERR_PTR(-ENOMEM).
 */
struct vmem *vmem_idspace_create(const char *name, unsigned long low,
				 unsigned long high)
{
	if (high <= low)
		return ERR_PTR(-EINVAL);
	return vmem_create(name, low, high - low, 1, NULL, NULL, NULL, 0,
			   VMC_IDENTIFIER);
}
EXPORT_SYMBOL_GPL(vmem_idspace_create);

/**
 * vmem_idspace_destroy() - Destroy an identifier space.
 * @ids: the space, or NULL or an ERR_PTR
 *
 * Identifiers still allocated are reported, as vmem_destroy() does.
 *
 * Context: As vmem_destroy().
 */
void vmem_idspace_destroy(struct vmem *ids)
{
	vmem_destroy(ids);
}
EXPORT_SYMBOL_GPL(vmem_idspace_destroy);

/**
 * vmem_idspace_extend() - Add identifiers [low, high) to a space.
 * @ids: the space
 * @low: the lowest new identifier
 * @high: one past the highest
 *
 * Context: Process context; may sleep (allocates with GFP_KERNEL).  Takes
 * and releases the space's lock.
 * Return: 0; -EINVAL when @high <= @low or the range overlaps the space;
 * -ENOMEM.
 */
int vmem_idspace_extend(struct vmem *ids, unsigned long low,
			unsigned long high)
{
	if (high <= low)
		return -EINVAL;
	return vmem_add(ids, low, high - low, VMEM_SLEEP);
}
EXPORT_SYMBOL_GPL(vmem_idspace_extend);

/*
 * The identifier calls go to the space's leaves first (vmem/vmem_leaf.c):
 * while the identifier their policy wants is in one, that is one lock and
 * one bit, with no call between the exported function and the leaf.
 */
static int vmem_id_alloc_policy(struct vmem *ids, unsigned int vmflags,
				unsigned int policy, unsigned long *idp)
{
	if (unlikely(vmflags != VMEM_SLEEP && vmflags != VMEM_NOSLEEP))
		return -EINVAL;
	if (likely(ids->vm_leafy)) {
		might_sleep_if(vmflags & VMEM_SLEEP);
		if (likely(vmem_leaf_alloc_fast(ids, policy, idp))) {
			trace_vmem_alloc(ids, *idp, ids->vm_quantum,
					 vmflags | policy);
			return 0;
		}
	}
	return vmem_alloc(ids, 1, vmflags | policy, idp);
}

/**
 * vmem_id_alloc() - Allocate the next free identifier after the last one.
 * @ids: the space
 * @vmflags: VMEM_SLEEP (wait for a free when the space is exhausted) or
 *	VMEM_NOSLEEP
 * @idp: where the identifier is stored
 *
 * Next fit: the lowest free identifier at or above the end of the last
 * one next fit handed out, else the lowest free one, so that a freed
 * identifier comes back only when the allocations have gone round the
 * space to it.  O(1) while that identifier is in one of the space's
 * leaves (see "Identifier leaves" in vmem/vmem.c); else O(log n) in the
 * number of free runs of the space, and a new leaf every 64 or so.  In a
 * space with a quantum cache of single identifiers, the identifier comes
 * from this CPU's magazine instead, and may be one just freed.
 *
 * Context: As vmem_alloc().
 * Return: 0; -ENOSPC when the space is exhausted (VMEM_NOSLEEP) and
 * cannot import; -ENOMEM when out of memory; -EINTR; -EINVAL for flags
 * other than exactly VMEM_SLEEP or VMEM_NOSLEEP.
 */
int vmem_id_alloc(struct vmem *ids, unsigned int vmflags, unsigned long *idp)
{
	return vmem_id_alloc_policy(ids, vmflags, VMEM_NEXTFIT, idp);
}
EXPORT_SYMBOL_GPL(vmem_id_alloc);

/**
 * vmem_id_allocff() - Allocate the lowest free identifier.
 * @ids: the space
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP
 * @idp: where the identifier is stored
 *
 * O(1) while the lowest free identifier is in one of the space's leaves;
 * else O(log n) in the number of free runs of the space.  In a space with
 * a quantum cache of single identifiers, the identifier comes from this
 * CPU's magazine, which refills fill with the lowest free identifiers.
 *
 * Context: As vmem_alloc().
 * Return: as vmem_id_alloc().
 */
int vmem_id_allocff(struct vmem *ids, unsigned int vmflags,
		    unsigned long *idp)
{
	return vmem_id_alloc_policy(ids, vmflags, VMEM_FIRSTFIT, idp);
}
EXPORT_SYMBOL_GPL(vmem_id_allocff);

/**
 * vmem_id_alloc_range() - Allocate the lowest free identifier in a range.
 * @ids: the space
 * @min: the lowest acceptable identifier
 * @max: the highest acceptable identifier (inclusive), as ida_alloc_range()
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP
 * @idp: where the identifier is stored
 *
 * O(log n) in the number of free runs of the space.  Never served by a
 * quantum cache: in a space that has one, it returns the lowest identifier
 * of the range that neither a client nor a magazine holds.
 *
 * Context: As vmem_alloc().
 * Return: 0; -ENOSPC when no identifier of [@min, @max] is free
 * (VMEM_NOSLEEP); -EINVAL when @min > @max or for bad flags; -ENOMEM;
 * -EINTR.
 */
int vmem_id_alloc_range(struct vmem *ids, unsigned long min,
			unsigned long max, unsigned int vmflags,
			unsigned long *idp)
{
	if (vmflags & ~VMEM_SLEEP_MASK)
		return -EINVAL;
	return vmem_xalloc(ids, 1, 0, 0, 0, min, max, vmflags | VMEM_FIRSTFIT,
			   idp);
}
EXPORT_SYMBOL_GPL(vmem_id_alloc_range);

/**
 * vmem_id_alloc_specific() - Allocate one given identifier.
 * @ids: the space
 * @id: the identifier
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP: whether memory for boundary tags
 *	may be waited for; a taken identifier is never waited for
 *
 * O(log n) in the number of free runs of the space.  An identifier that
 * sits in a quantum cache's magazine is taken back by the flush that
 * comes before a failure.
 *
 * Context: Any context with VMEM_NOSLEEP; process context with
 * VMEM_SLEEP, and then it may sleep for memory or in the import function,
 * never to wait for @id.  Takes and releases the space's lock (irq-safe),
 * and the caches' locks for a flush; calls the import function with no
 * lock held.
 * Return: 0; -EBUSY when @id is taken; -ENOSPC when it is not in the
 * space (and, for a space that imports, could not be imported); -ENOMEM;
 * -EINVAL for flags other than exactly VMEM_SLEEP or VMEM_NOSLEEP.
 */
int vmem_id_alloc_specific(struct vmem *ids, unsigned long id,
			   unsigned int vmflags)
{
	return vmem_alloc_exact(ids, id, 1, vmflags);
}
EXPORT_SYMBOL_GPL(vmem_id_alloc_specific);

/**
 * vmem_id_free() - Free an identifier.
 * @ids: the space
 * @id: an identifier allocated from it
 *
 * As vmem_free() of one identifier: in a space with a quantum cache of
 * single identifiers, it goes to this CPU's magazine without being looked
 * up; one a leaf handed out goes back to the leaf's bitmap.
 *
 * Context: As vmem_free().
 */
void vmem_id_free(struct vmem *ids, unsigned long id)
{
	if (likely(ids->vm_leafy) && likely(vmem_leaf_free_fast(ids, id)))
		return;
	vmem_free(ids, id, 1);
}
EXPORT_SYMBOL_GPL(vmem_id_free);
