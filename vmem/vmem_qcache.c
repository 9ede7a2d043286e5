// SPDX-License-Identifier: GPL-2.0-only
/*
 * Quantum caches: per-CPU magazines of ranges in front of an arena, the
 * magazine layer of Bonwick & Adams applied to vmem_alloc() of small
 * multiples of the quantum.  The design, its invariants and its lock
 * order are in "9. Quantum caches" of the theory statement in
 * vmem/vmem.c; this file follows it:
 *
 *  - the CPU layer: vmem_qcache_alloc() and vmem_qcache_free(), with
 *    their misses (depot exchange, refill, a fresh magazine);
 *  - the depot: full and empty magazines, their working set, the update
 *    work that trims it and grows the magazines under contention;
 *  - flushes: on exhaustion, on request, for a CPU that died, under
 *    memory pressure (the shrinker), and at destruction;
 *  - statistics.
 *
 * Ranges move between the arena and the magazines only through
 * vmem_alloc_batch() and vmem_free_batch() (vmem/vmem_seg.c), never with a
 * cache lock held.
 */
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "vmem_impl.h"
#include <trace/events/vmem.h>

/*
 * Magazine sizes, in bytes of kmalloc'ed memory: a size class exactly,
 * header included.  Magazines start at the smallest and double, up to
 * the largest, each time the update work finds the depot lock contended.
 * On 64-bit: 14 rounds (128 bytes) up to 62 rounds (512 bytes).
 */
#define VMEM_MAG_MIN_BYTES	128U
#define VMEM_MAG_MAX_BYTES	512U
#define VMEM_MAG_ROUNDS(bytes)						\
	(((bytes) - offsetof(struct vmem_mag, mg_round)) / sizeof(unsigned long))

/* The next magazine size: twice the bytes. */
static unsigned int vmem_mag_grow(unsigned int rounds)
{
	return VMEM_MAG_ROUNDS(2 * (offsetof(struct vmem_mag, mg_round) +
				    rounds * sizeof(unsigned long)));
}

/* Period of the update work: the depot's working set is measured over it. */
#define VMEM_QCACHE_INTERVAL	(5 * HZ)

/*
 * Depot lock contentions per interval that make the magazines grow one
 * step.  Contention costs a few hundred cycles of spinning; a bigger
 * magazine halves how often a CPU comes to the depot.
 */
#define VMEM_QCACHE_CONTENTION	3

/*
 * "No magazine": what a CPU's slots hold before its first magazine and
 * after a flush.  No rounds and no room, so the CPU layer's two tests
 * (rounds left? room left?) both send it to the slow path: the fast path
 * needs no NULL check.  Never written.
 */
static struct vmem_mag vmem_mag_none;

/* The dynamic CPU hotplug state of the module; its instances are arenas. */
static int vmem_qcache_cpuhp;

/* ---- magazines and the depot ---- */

static struct vmem_mag *vmem_mag_alloc(unsigned int rounds, gfp_t gfp)
{
	struct vmem_mag *mag;

	mag = kmalloc(struct_size(mag, mg_round, rounds), gfp);
	if (mag) {
		mag->mg_next = NULL;
		mag->mg_rounds = 0;
		mag->mg_size = rounds;
	}
	return mag;
}

static void vmem_mag_free(struct vmem_mag *mag)
{
	if (mag != &vmem_mag_none)
		kfree(mag);
}

/* The depot's lists: vmem_maglist_get() and _put() need its qc_lock. */
static struct vmem_mag *vmem_maglist_get(struct vmem_maglist *ml)
{
	struct vmem_mag *mag = ml->ml_head;

	if (mag) {
		ml->ml_head = mag->mg_next;
		/* read without the lock by the shrinker's count */
		WRITE_ONCE(ml->ml_count, ml->ml_count - 1);
		if (ml->ml_count < ml->ml_min)
			ml->ml_min = ml->ml_count;
	}
	return mag;
}

static void vmem_maglist_put(struct vmem_maglist *ml, struct vmem_mag *mag)
{
	mag->mg_next = ml->ml_head;
	ml->ml_head = mag;
	WRITE_ONCE(ml->ml_count, ml->ml_count + 1);
}

/*
 * The CPU layer takes the depot lock inside its own (interrupts off), or
 * alone: either way, contention is counted, for the magazine size.  The
 * caller has disabled interrupts (qc_lock is taken from hard interrupts).
 */
static void vmem_depot_lock(struct vmem_qcache *qc)
	__acquires(&qc->qc_lock)
{
	lockdep_assert_irqs_disabled();
	if (!spin_trylock(&qc->qc_lock)) {
		spin_lock(&qc->qc_lock);
		qc->qc_contention++;
	}
}

#define vmem_depot_lock_irqsave(qc, flags) do {				\
	local_irq_save(flags);						\
	vmem_depot_lock(qc);						\
} while (0)

/* The depot changed: make sure the update work will look at it. */
static void vmem_qcache_kick(struct vmem *vm)
{
	if (!delayed_work_pending(&vm->vm_qwork))
		schedule_delayed_work(&vm->vm_qwork, VMEM_QCACHE_INTERVAL);
}

/*
 * Give an empty magazine to the depot, or free it: a magazine of an
 * outgrown size, or one beyond what the depot may keep, is freed.
 */
static void vmem_qcache_put_empty(struct vmem *vm, struct vmem_qcache *qc,
				  struct vmem_mag *mag)
{
	unsigned long flags;
	bool kept = false;

	if (mag == &vmem_mag_none)
		return;
	mag->mg_rounds = 0;
	vmem_depot_lock_irqsave(qc, flags);
	if (mag->mg_size == qc->qc_magsize &&
	    qc->qc_empty.ml_count < qc->qc_depot_max) {
		vmem_maglist_put(&qc->qc_empty, mag);
		kept = true;
	}
	spin_unlock_irqrestore(&qc->qc_lock, flags);
	if (kept)
		vmem_qcache_kick(vm);
	else
		kfree(mag);
}

/* An empty magazine of the current size: the depot's, or a new one. */
static struct vmem_mag *vmem_qcache_get_empty(struct vmem_qcache *qc,
					      gfp_t gfp)
{
	struct vmem_mag *mag, *stale = NULL;
	unsigned long flags;
	unsigned int size;

	vmem_depot_lock_irqsave(qc, flags);
	size = qc->qc_magsize;
	mag = vmem_maglist_get(&qc->qc_empty);
	if (mag && mag->mg_size != size) {
		stale = mag;
		mag = NULL;
	}
	spin_unlock_irqrestore(&qc->qc_lock, flags);
	kfree(stale);
	return mag ? mag : vmem_mag_alloc(size, gfp);
}

/* Return a magazine's rounds to the arena, and the magazine to the depot. */
static void vmem_qcache_drain(struct vmem *vm, struct vmem_qcache *qc,
			      struct vmem_mag *mag)
{
	vmem_free_batch(vm, mag->mg_round, mag->mg_rounds, qc->qc_size);
	vmem_qcache_put_empty(vm, qc, mag);
}

/* ---- the CPU layer ---- */

static struct vmem_qcache_cpu *vmem_qcache_this_cpu(struct vmem *vm,
						    unsigned long i)
{
	/*
	 * Not pinned: a task moved to another CPU before it takes the lock
	 * uses the old CPU's magazines, correctly (they are locked), once.
	 */
	return raw_cpu_ptr(vm->vm_qcpu) + i;
}

/*
 * Put @mag, which holds rounds, where allocations will find it: an empty
 * slot of this CPU (the slots may have changed while the refill ran
 * unlocked: an interrupt, another CPU), else the depot, else (the depot
 * holds all it may) back into the arena.
 */
static void vmem_qcache_install(struct vmem *vm, struct vmem_qcache *qc,
				struct vmem_mag *mag)
{
	struct vmem_qcache_cpu *qcc;
	struct vmem_mag *old = NULL;
	unsigned long flags;
	bool depot = false;

	qcc = vmem_qcache_this_cpu(vm, qc - vm->vm_qcache);
	spin_lock_irqsave(&qcc->qcc_lock, flags);
	if (!qcc->qcc_loaded->mg_rounds) {
		old = qcc->qcc_loaded;
		qcc->qcc_loaded = mag;
		mag = NULL;
	} else if (!qcc->qcc_prev->mg_rounds) {
		old = qcc->qcc_prev;
		qcc->qcc_prev = mag;
		mag = NULL;
	} else {
		vmem_depot_lock(qc);
		if (qc->qc_full.ml_count < qc->qc_depot_max) {
			vmem_maglist_put(&qc->qc_full, mag);
			qc->qc_depot_rounds += mag->mg_rounds;
			qc->qc_puts++;
			mag = NULL;
			depot = true;
		}
		spin_unlock(&qc->qc_lock);
	}
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	if (old)
		vmem_qcache_put_empty(vm, qc, old);
	if (depot)
		vmem_qcache_kick(vm);
	if (mag)
		vmem_qcache_drain(vm, qc, mag);
}

/*
 * Mark the segment at @addr as the caches', as vmem_alloc_batch() marks
 * its own, so that vmem_xfree() rejects it while it sits in a magazine.
 */
static void vmem_qcache_mark(struct vmem *vm, unsigned long addr)
{
	struct vmem_seg **pp;
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	pp = vmem_hash_find(vm, addr);
	if (!WARN_ON_ONCE(!pp))
		(*pp)->vs_owner = VMEM_OWNER_QCACHE;
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/*
 * Refill: carve a magazine's worth of ranges in one locked section of the
 * arena, keep the first for the caller and install the rest.  Without
 * a magazine, tags or room, the segment path serves this one allocation:
 * it imports, flushes every cache on exhaustion, and waits, as the
 * caller's flags allow.
 */
static int vmem_qcache_refill(struct vmem *vm, struct vmem_qcache *qc,
			      unsigned int vmflags, unsigned long *addrp)
{
	struct vmem_mag *mag;
	unsigned int i, n;
	int got, err;

	mag = vmem_qcache_get_empty(qc, vmem_gfp(vmflags));
	if (!mag)
		goto single;
	got = vmem_alloc_batch(vm, qc->qc_size, vmflags, mag->mg_round,
			       mag->mg_size);
	if (got <= 0) {
		vmem_qcache_put_empty(vm, qc, mag);
		goto single;
	}
	trace_vmem_qcache_refill(vm, qc->qc_size, got);
	/* Hand them out in the order the policy carved them: reverse. */
	n = got;
	for (i = 0; i < n / 2; i++)
		swap(mag->mg_round[i], mag->mg_round[n - 1 - i]);
	*addrp = mag->mg_round[--n];
	mag->mg_rounds = n;
	if (n)
		vmem_qcache_install(vm, qc, mag);
	else
		vmem_qcache_put_empty(vm, qc, mag);
	return 0;

single:
	err = vmem_xalloc(vm, qc->qc_size, 0, 0, 0, VMEM_ADDR_MIN,
			  VMEM_ADDR_MAX, vmflags, addrp);
	if (!err)
		vmem_qcache_mark(vm, *addrp);
	return err;
}

/*
 * Both of this CPU's magazines are empty (called with qcc_lock held,
 * taken with spin_lock_irqsave() into @flags, and drops it): exchange the
 * empty loaded magazine for a full one of the depot, else refill from the
 * arena.
 */
static noinline int vmem_qcache_alloc_miss(struct vmem_qcache_cpu *qcc,
					   unsigned long flags,
					   unsigned int vmflags,
					   unsigned long *addrp)
	__releases(&qcc->qcc_lock)
{
	struct vmem_qcache *qc = qcc->qcc_cache;
	struct vmem_mag *empty = qcc->qcc_loaded, *full;
	struct vmem *vm = qc->qc_arena;

	lockdep_assert_held(&qcc->qcc_lock);
	qcc->qcc_alloc_misses++;
	vmem_depot_lock(qc);
	full = vmem_maglist_get(&qc->qc_full);
	if (full) {
		qc->qc_depot_rounds -= full->mg_rounds;
		qc->qc_gets++;
		qcc->qcc_loaded = full;
		*addrp = full->mg_round[--full->mg_rounds];
	}
	spin_unlock(&qc->qc_lock);
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	might_sleep_if(vmflags & VMEM_SLEEP);
	if (!full)
		return vmem_qcache_refill(vm, qc, vmflags, addrp);
	vmem_qcache_put_empty(vm, qc, empty);
	return 0;
}

/* Pop a round from this CPU's magazines, swapping them if need be. */
static __always_inline bool vmem_qcache_pop(struct vmem_qcache_cpu *qcc,
					    unsigned long *addrp)
{
	struct vmem_mag *mag = qcc->qcc_loaded;

	lockdep_assert_held(&qcc->qcc_lock);
	if (unlikely(!mag->mg_rounds)) {
		mag = qcc->qcc_prev;
		if (unlikely(!mag->mg_rounds))
			return false;
		qcc->qcc_prev = qcc->qcc_loaded;
		qcc->qcc_loaded = mag;
	}
	*addrp = mag->mg_round[--mag->mg_rounds];
	qcc->qcc_alloc_hits++;
	return true;
}

/*
 * vmem_qcache_alloc() found @qcc's lock taken (a flusher has it): wait
 * for it.  @qcc may be another CPU's by now: its lock makes that safe.
 */
static noinline int vmem_qcache_alloc_slow(struct vmem_qcache_cpu *qcc,
					   unsigned int vmflags,
					   unsigned long *addrp)
{
	unsigned long flags;

	might_sleep_if(vmflags & VMEM_SLEEP);
	spin_lock_irqsave(&qcc->qcc_lock, flags);
	if (!vmem_qcache_pop(qcc, addrp))
		return vmem_qcache_alloc_miss(qcc, flags, vmflags, addrp);
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	return 0;
}

/*
 * vmem_alloc() of a size from 1 to vm_qcache_max, flags already checked.
 * The fast path: this CPU's lock, a pop from the loaded magazine (or from
 * the previous one after swapping them), the unlock.  Only the slot, the
 * flags and the caller's arguments live across the lock's calls (the
 * slow paths find the arena through the slot), and there is no other
 * call but tail calls.  The lock is tried with interrupts off; only if
 * another CPU is flushing this one's magazines right then does
 * vmem_qcache_alloc_slow() wait for it.
 */
int vmem_qcache_alloc(struct vmem *vm, unsigned long size,
		      unsigned int vmflags, unsigned long *addrp)
{
	struct vmem_qcache_cpu *qcc;
	unsigned long flags;

	qcc = vmem_qcache_this_cpu(vm, vmem_qcache_index(vm, size));
	local_irq_save(flags);
	if (unlikely(!spin_trylock(&qcc->qcc_lock))) {
		local_irq_restore(flags);
		return vmem_qcache_alloc_slow(qcc, vmflags, addrp);
	}
	if (unlikely(!vmem_qcache_pop(qcc, addrp)))
		return vmem_qcache_alloc_miss(qcc, flags, vmflags, addrp);
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	/* last, where nothing but vmflags is live across it */
	might_sleep_if(vmflags & VMEM_SLEEP);
	return 0;
}

/*
 * Both of this CPU's magazines are full (called with qcc_lock held,
 * taken with spin_lock_irqsave() into @flags, and drops it).  As the
 * paper: the full previous magazine goes to the depot, the loaded one
 * becomes the previous one, and an empty one from the depot is loaded.
 * When the depot holds as many full magazines as it may (the hoarding
 * bound), the previous magazine's rounds go back to the arena instead.
 * When the depot has no empty magazine, one is made (without sleeping:
 * frees may come from any context); when none can be, the range goes
 * straight back to the arena.
 */
static noinline void vmem_qcache_free_miss(struct vmem_qcache_cpu *qcc,
					   unsigned long flags,
					   unsigned long addr)
	__releases(&qcc->qcc_lock)
{
	struct vmem_mag *spare = NULL, *mag, *prev, *drain;
	struct vmem_qcache *qc = qcc->qcc_cache;
	struct vmem *vm = qc->qc_arena;
	bool depot;

	lockdep_assert_held(&qcc->qcc_lock);
	qcc->qcc_free_misses++;
	for (;;) {
		/* the slots may have changed while we were unlocked */
		mag = qcc->qcc_loaded;
		if (mag->mg_rounds < mag->mg_size)
			goto push;
		mag = qcc->qcc_prev;
		if (mag->mg_rounds < mag->mg_size) {
			qcc->qcc_prev = qcc->qcc_loaded;
			qcc->qcc_loaded = mag;
			goto push;
		}
		drain = NULL;
		depot = false;
		vmem_depot_lock(qc);
		if (!spare)
			spare = vmem_maglist_get(&qc->qc_empty);
		if (spare) {
			prev = qcc->qcc_prev;
			if (prev == &vmem_mag_none) {
				/* nothing to give */
			} else if (qc->qc_full.ml_count < qc->qc_depot_max) {
				vmem_maglist_put(&qc->qc_full, prev);
				qc->qc_depot_rounds += prev->mg_rounds;
				qc->qc_puts++;
				depot = true;
			} else {
				drain = prev;
			}
			qcc->qcc_prev = qcc->qcc_loaded;
			qcc->qcc_loaded = spare;
			mag = spare;
			spare = NULL;
			mag->mg_round[mag->mg_rounds++] = addr;
			spin_unlock(&qc->qc_lock);
			spin_unlock_irqrestore(&qcc->qcc_lock, flags);
			if (drain)
				vmem_qcache_drain(vm, qc, drain);
			if (depot)
				vmem_qcache_kick(vm);
			return;
		}
		spin_unlock(&qc->qc_lock);
		spin_unlock_irqrestore(&qcc->qcc_lock, flags);
		/*
		 * A new magazine, which the next round uses for sure; or, if
		 * none can be had, the arena takes the range.
		 */
		spare = vmem_mag_alloc(READ_ONCE(qc->qc_magsize),
				       GFP_NOWAIT | __GFP_NOWARN);
		if (!spare)
			break;
		qcc = vmem_qcache_this_cpu(vm, qc - vm->vm_qcache);
		spin_lock_irqsave(&qcc->qcc_lock, flags);
	}
	vmem_free_batch(vm, &addr, 1, qc->qc_size);
	return;

push:
	mag->mg_round[mag->mg_rounds++] = addr;
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	if (spare)
		vmem_qcache_put_empty(vm, qc, spare);
}

/* Push a round on this CPU's magazines, swapping them if need be. */
static __always_inline bool vmem_qcache_push(struct vmem_qcache_cpu *qcc,
					     unsigned long addr)
{
	struct vmem_mag *mag = qcc->qcc_loaded;

	lockdep_assert_held(&qcc->qcc_lock);
	if (unlikely(mag->mg_rounds == mag->mg_size)) {
		mag = qcc->qcc_prev;
		if (unlikely(mag->mg_rounds == mag->mg_size))
			return false;
		qcc->qcc_prev = qcc->qcc_loaded;
		qcc->qcc_loaded = mag;
	}
	mag->mg_round[mag->mg_rounds++] = addr;
	qcc->qcc_free_hits++;
	return true;
}

/* vmem_qcache_free() found @qcc's lock taken: wait for it. */
static noinline void vmem_qcache_free_slow(struct vmem_qcache_cpu *qcc,
					   unsigned long addr)
{
	unsigned long flags;

	spin_lock_irqsave(&qcc->qcc_lock, flags);
	if (!vmem_qcache_push(qcc, addr))
		return vmem_qcache_free_miss(qcc, flags, addr);
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
}

/* An allocation sleeps for room: give @addr to the arena, which wakes it. */
static noinline void vmem_qcache_free_to_arena(struct vmem_qcache_cpu *qcc,
					       unsigned long addr)
{
	struct vmem_qcache *qc = qcc->qcc_cache;

	vmem_free_batch(qc->qc_arena, &addr, 1, qc->qc_size);
}

/*
 * vmem_free() of a size from 1 to vm_qcache_max: push the range on this
 * CPU's loaded magazine, or on the previous one after swapping them; as
 * vmem_qcache_alloc(), with as little as possible live across the lock's
 * calls.  The range is not looked up (that is the point); only a
 * misaligned address, which no allocation returns, is caught here.
 */
void vmem_qcache_free(struct vmem *vm, unsigned long addr, unsigned long size)
{
	struct vmem_qcache_cpu *qcc;
	unsigned long flags;

	if (unlikely(addr & vm->vm_qcache_qmask)) {
		vmem_xfree(vm, addr, size);	/* reports it */
		return;
	}
	qcc = vmem_qcache_this_cpu(vm, vmem_qcache_index(vm, size));
	/*
	 * An allocation sleeps for room: the range goes to the arena, where
	 * it wakes the sleeper, not to a magazine, where it would wait for a
	 * drain.  The sleeper flushed the caches after it counted itself in
	 * vm_nwaiters, so a free that read 0 just before is not lost.
	 */
	if (unlikely(READ_ONCE(vm->vm_nwaiters)))
		return vmem_qcache_free_to_arena(qcc, addr);
	local_irq_save(flags);
	if (unlikely(!spin_trylock(&qcc->qcc_lock))) {
		local_irq_restore(flags);
		return vmem_qcache_free_slow(qcc, addr);
	}
	if (unlikely(!vmem_qcache_push(qcc, addr)))
		return vmem_qcache_free_miss(qcc, flags, addr);
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
}

/* ---- flushes ---- */

/*
 * Return the rounds of @cpu's magazines of cache @i to the arena.  The
 * magazines are taken out under the CPU's lock and drained with no lock
 * held; emptied, they go to the depot (or are freed).  Any context: no
 * IPI, the CPU's lock is all it takes.  Returns the rounds returned.
 */
static unsigned long vmem_qcache_flush_cpu(struct vmem *vm, unsigned int i,
					   unsigned int cpu)
{
	struct vmem_qcache_cpu *qcc = per_cpu_ptr(vm->vm_qcpu, cpu) + i;
	struct vmem_qcache *qc = &vm->vm_qcache[i];
	struct vmem_mag *mags[2] = { NULL, NULL };
	unsigned long flags, n = 0;
	unsigned int k;

	spin_lock_irqsave(&qcc->qcc_lock, flags);
	if (qcc->qcc_loaded->mg_rounds) {
		mags[0] = qcc->qcc_loaded;
		qcc->qcc_loaded = &vmem_mag_none;
	}
	if (qcc->qcc_prev->mg_rounds) {
		mags[1] = qcc->qcc_prev;
		qcc->qcc_prev = &vmem_mag_none;
	}
	spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	for (k = 0; k < ARRAY_SIZE(mags); k++) {
		if (!mags[k])
			continue;
		n += mags[k]->mg_rounds;
		vmem_qcache_drain(vm, qc, mags[k]);
	}
	return n;
}

/*
 * Take @n magazines (all for ULONG_MAX) off a depot list, and the rounds
 * of the full ones off the count, under qc_lock; the caller drains them.
 */
static struct vmem_mag *vmem_depot_take(struct vmem_qcache *qc,
					struct vmem_maglist *ml,
					unsigned long n)
{
	struct vmem_mag *head = NULL, *mag;

	lockdep_assert_held(&qc->qc_lock);
	while (n-- && (mag = vmem_maglist_get(ml))) {
		if (ml == &qc->qc_full)
			qc->qc_depot_rounds -= mag->mg_rounds;
		mag->mg_next = head;
		head = mag;
	}
	return head;
}

/*
 * Drain a chain of magazines taken off the depot, and free them.  Returns
 * the rounds given back.
 */
static unsigned long vmem_qcache_free_chain(struct vmem *vm,
					    struct vmem_qcache *qc,
					    struct vmem_mag *mag)
{
	unsigned long n = 0;

	while (mag) {
		struct vmem_mag *next = mag->mg_next;

		n += mag->mg_rounds;
		vmem_free_batch(vm, mag->mg_round, mag->mg_rounds, qc->qc_size);
		kfree(mag);
		mag = next;
	}
	return n;
}

/* Every full magazine of cache @i's depot back to the arena. */
static unsigned long vmem_qcache_flush_depot(struct vmem *vm, unsigned int i)
{
	struct vmem_qcache *qc = &vm->vm_qcache[i];
	struct vmem_mag *full;
	unsigned long flags;

	spin_lock_irqsave(&qc->qc_lock, flags);
	full = vmem_depot_take(qc, &qc->qc_full, ULONG_MAX);
	spin_unlock_irqrestore(&qc->qc_lock, flags);
	return vmem_qcache_free_chain(vm, qc, full);
}

/*
 * Every round of cache @i, every CPU's and the depot's, back to the
 * arena; returns how many.
 */
static unsigned long vmem_qcache_flush_one(struct vmem *vm, unsigned int i)
{
	unsigned long n = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		n += vmem_qcache_flush_cpu(vm, i, cpu);
	n += vmem_qcache_flush_depot(vm, i);
	if (n)
		trace_vmem_qcache_flush(vm, vm->vm_qcache[i].qc_size, n);
	return n;
}

/* Every round of every cache back to the arena; returns how many. */
static unsigned long vmem_qcache_flush_all(struct vmem *vm)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < vm->vm_nqcache; i++)
		n += vmem_qcache_flush_one(vm, i);
	return n;
}

/*
 * The exhaustion hook of vmem_alloc_req(): called, with no lock held,
 * when a search and an import found no room.  True if ranges went back
 * to the arena, so that the search is worth another try.
 */
bool vmem_qcache_reclaim(struct vmem *vm)
{
	return vm->vm_nqcache && vmem_qcache_flush_all(vm);
}

/**
 * vmem_qcache_flush() - Give every range the quantum caches hold back.
 * @vm: the arena
 *
 * Every CPU's magazines and every depot are emptied into the arena, so
 * that vmem_walk() and the segment counts of vmem_get_stats() show only
 * what clients hold, and an imported span the caches kept alive goes back
 * to the source.  Ranges that other CPUs free or allocate meanwhile go
 * through the caches again.  Empty magazines stay, for the periodic trim
 * (or the shrinker) to free.  An arena without caches returns 0.
 *
 * Context: Any context.  Takes each CPU's cache locks and each depot
 * lock in turn, then the arena lock (all irq-safe), one at a time; may
 * call the release function.  O(caches * possible CPUs + ranges cached).
 * Return: the number of integers (bytes or IDs) given back.
 */
unsigned long vmem_qcache_flush(struct vmem *vm)
{
	unsigned long bytes = 0;
	unsigned int i;

	for (i = 0; i < vm->vm_nqcache; i++)
		bytes += vmem_qcache_flush_one(vm, i) *
			 vm->vm_qcache[i].qc_size;
	return bytes;
}
EXPORT_SYMBOL_GPL(vmem_qcache_flush);

/* A CPU died: its magazines' rounds go back to the arena. */
static int vmem_qcache_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct vmem *vm = hlist_entry(node, struct vmem, vm_qcpuhp);
	unsigned int i;

	for (i = 0; i < vm->vm_nqcache; i++)
		vmem_qcache_flush_cpu(vm, i, cpu);
	return 0;
}

/* ---- the update work: working set, trim, magazine size ---- */

/*
 * Every VMEM_QCACHE_INTERVAL while the depots hold magazines: the
 * magazines no CPU needed during the whole interval (the fewest a list
 * held since the last update) are freed, full ones drained into the
 * arena first; and a depot whose lock was contended more than
 * VMEM_QCACHE_CONTENTION times gets magazines one size larger.
 */
static void vmem_qcache_work(struct work_struct *work)
{
	struct vmem *vm = container_of(to_delayed_work(work), struct vmem,
				       vm_qwork);
	bool again = false;
	unsigned int i;

	for (i = 0; i < vm->vm_nqcache; i++) {
		struct vmem_qcache *qc = &vm->vm_qcache[i];
		struct vmem_mag *full, *empty;
		unsigned long flags;
		u64 contention;

		spin_lock_irqsave(&qc->qc_lock, flags);
		qc->qc_nupdate++;
		full = vmem_depot_take(qc, &qc->qc_full, qc->qc_full.ml_min);
		empty = vmem_depot_take(qc, &qc->qc_empty,
					qc->qc_empty.ml_min);
		qc->qc_full.ml_min = qc->qc_full.ml_count;
		qc->qc_empty.ml_min = qc->qc_empty.ml_count;
		contention = qc->qc_contention - qc->qc_contention_prev;
		qc->qc_contention_prev = qc->qc_contention;
		if (contention > VMEM_QCACHE_CONTENTION &&
		    qc->qc_magsize < VMEM_MAG_ROUNDS(VMEM_MAG_MAX_BYTES)) {
			WRITE_ONCE(qc->qc_magsize,
				   vmem_mag_grow(qc->qc_magsize));
			qc->qc_nresize++;
		}
		again |= qc->qc_full.ml_count || qc->qc_empty.ml_count ||
			 contention;
		spin_unlock_irqrestore(&qc->qc_lock, flags);
		vmem_qcache_free_chain(vm, qc, full);
		vmem_qcache_free_chain(vm, qc, empty);
	}
	if (again)
		schedule_delayed_work(&vm->vm_qwork, VMEM_QCACHE_INTERVAL);
}

/* ---- the shrinker: depot magazines under memory pressure ---- */

static unsigned long vmem_qcache_count_mags(struct vmem *vm)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < vm->vm_nqcache; i++) {
		struct vmem_qcache *qc = &vm->vm_qcache[i];

		n += READ_ONCE(qc->qc_full.ml_count) +
		     READ_ONCE(qc->qc_empty.ml_count);
	}
	return n;
}

/* Free up to @n depot magazines, empty ones first; returns how many. */
static unsigned long vmem_qcache_shrink(struct vmem *vm, unsigned long n)
{
	unsigned long freed = 0;
	unsigned int pass, i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < vm->vm_nqcache && freed < n; i++) {
			struct vmem_qcache *qc = &vm->vm_qcache[i];
			struct vmem_maglist *ml = pass ? &qc->qc_full :
							 &qc->qc_empty;
			struct vmem_mag *chain, *mag;
			unsigned long flags;

			spin_lock_irqsave(&qc->qc_lock, flags);
			chain = vmem_depot_take(qc, ml, n - freed);
			spin_unlock_irqrestore(&qc->qc_lock, flags);
			for (mag = chain; mag; mag = mag->mg_next)
				freed++;
			vmem_qcache_free_chain(vm, qc, chain);
		}
	}
	return freed;
}

static unsigned long vmem_qcache_count_objects(struct shrinker *s,
					       struct shrink_control *sc);
static unsigned long vmem_qcache_scan_objects(struct shrinker *s,
					      struct shrink_control *sc);

/*
 * The shrinker API changed in 6.7: shrinker_alloc() with a private_data
 * pointer replaced a struct shrinker embedded by the user (6.1).  Both
 * are handled here, and only here; SHRINKER_ALLOCATED, the flag of
 * shrinkers shrinker_alloc() made, came with the new API.
 */
#ifdef SHRINKER_ALLOCATED
static int vmem_shrinker_add(struct vmem *vm)
{
	struct shrinker *s = shrinker_alloc(0, "vmem-%s", vm->vm_name);

	if (!s)
		return -ENOMEM;
	s->count_objects = vmem_qcache_count_objects;
	s->scan_objects = vmem_qcache_scan_objects;
	s->seeks = DEFAULT_SEEKS;
	s->private_data = vm;
	shrinker_register(s);
	vm->vm_qshrinker = s;
	return 0;
}

static void vmem_shrinker_del(struct vmem *vm)
{
	shrinker_free(vm->vm_qshrinker);	/* waits for running scans */
}

static struct vmem *vmem_shrinker_arena(struct shrinker *s)
{
	return s->private_data;
}
#else
struct vmem_shrinker {
	struct shrinker	vs_shrinker;
	struct vmem	*vs_vm;
};

static int vmem_shrinker_add(struct vmem *vm)
{
	struct vmem_shrinker *vs = kzalloc(sizeof(*vs), GFP_KERNEL);
	int err;

	if (!vs)
		return -ENOMEM;
	vs->vs_vm = vm;
	vs->vs_shrinker.count_objects = vmem_qcache_count_objects;
	vs->vs_shrinker.scan_objects = vmem_qcache_scan_objects;
	vs->vs_shrinker.seeks = DEFAULT_SEEKS;
	err = register_shrinker(&vs->vs_shrinker, "vmem-%s", vm->vm_name);
	if (err) {
		kfree(vs);
		return err;
	}
	vm->vm_qshrinker = vs;
	return 0;
}

static void vmem_shrinker_del(struct vmem *vm)
{
	struct vmem_shrinker *vs = vm->vm_qshrinker;

	if (vs) {
		unregister_shrinker(&vs->vs_shrinker);
		kfree(vs);
	}
}

static struct vmem *vmem_shrinker_arena(struct shrinker *s)
{
	return container_of(s, struct vmem_shrinker, vs_shrinker)->vs_vm;
}
#endif

static unsigned long vmem_qcache_count_objects(struct shrinker *s,
					       struct shrink_control *sc)
{
	return vmem_qcache_count_mags(vmem_shrinker_arena(s));
}

static unsigned long vmem_qcache_scan_objects(struct shrinker *s,
					      struct shrink_control *sc)
{
	unsigned long freed;

	freed = vmem_qcache_shrink(vmem_shrinker_arena(s), sc->nr_to_scan);
	return freed ? freed : SHRINK_STOP;
}

/* ---- creation and destruction ---- */

/*
 * Quantum caches for sizes of 1 .. min(@qcache_max / quantum,
 * VMEM_QCACHE_MAX) quanta; none for a @qcache_max below the quantum.
 * vm_qcache_max is set last: until then vmem_alloc() and vmem_free() do
 * not use the caches.  On failure vmem_qcache_fini() undoes what was done.
 * Process context, no lock held: allocates with GFP_KERNEL and joins the
 * cpuhp instance list (may sleep).
 */
int vmem_qcache_init(struct vmem *vm, unsigned long qcache_max)
{
	unsigned long n = min_t(unsigned long, qcache_max >> vm->vm_qshift,
				VMEM_QCACHE_MAX);
	unsigned int i, cpu;
	int err;

	INIT_DELAYED_WORK(&vm->vm_qwork, vmem_qcache_work);
	INIT_HLIST_NODE(&vm->vm_qcpuhp);
	if (!n)
		return 0;
	vm->vm_qcache = kcalloc(n, sizeof(*vm->vm_qcache), GFP_KERNEL);
	vm->vm_qcpu = __alloc_percpu(n * sizeof(struct vmem_qcache_cpu),
				     __alignof__(struct vmem_qcache_cpu));
	if (!vm->vm_qcache || !vm->vm_qcpu)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct vmem_qcache *qc = &vm->vm_qcache[i];

		spin_lock_init(&qc->qc_lock);
		qc->qc_arena = vm;
		qc->qc_size = (unsigned long)(i + 1) << vm->vm_qshift;
		qc->qc_magsize = VMEM_MAG_ROUNDS(VMEM_MAG_MIN_BYTES);
		qc->qc_depot_max = max(num_possible_cpus(), 2U);
	}
	for_each_possible_cpu(cpu) {
		struct vmem_qcache_cpu *qcc = per_cpu_ptr(vm->vm_qcpu, cpu);

		for (i = 0; i < n; i++) {
			spin_lock_init(&qcc[i].qcc_lock);
			qcc[i].qcc_loaded = &vmem_mag_none;
			qcc[i].qcc_prev = &vmem_mag_none;
			qcc[i].qcc_cache = &vm->vm_qcache[i];
		}
	}
	err = cpuhp_state_add_instance_nocalls(vmem_qcache_cpuhp,
					       &vm->vm_qcpuhp);
	if (err)
		return err;
	err = vmem_shrinker_add(vm);
	if (err)
		return err;
	vm->vm_qcache_shift = vm->vm_qshift;
	vm->vm_qcache_qmask = vm->vm_quantum - 1;
	vm->vm_nqcache = n;
	vm->vm_qcache_max = n << vm->vm_qshift;
	return 0;
}

/*
 * Flush and free every cache of an arena that is being destroyed (no
 * call on it runs or follows), before its segments are torn down: what
 * the caches held is not a leak.  Also undoes a vmem_qcache_init() that
 * failed half-way.  Process context, no lock held, interrupts on: waits
 * for the update work and the shrinker (may sleep).
 */
void vmem_qcache_fini(struct vmem *vm)
{
	unsigned int i, cpu, n = vm->vm_nqcache;

	if (!vm->vm_qcache || !vm->vm_qcpu)
		goto out;
	if (!hlist_unhashed(&vm->vm_qcpuhp))
		cpuhp_state_remove_instance_nocalls(vmem_qcache_cpuhp,
						    &vm->vm_qcpuhp);
	if (vm->vm_qshrinker)
		vmem_shrinker_del(vm);
	cancel_delayed_work_sync(&vm->vm_qwork);
	vm->vm_qcache_max = 0;
	vm->vm_nqcache = 0;
	for (i = 0; i < n; i++) {
		struct vmem_qcache *qc = &vm->vm_qcache[i];
		struct vmem_mag *chain;

		for_each_possible_cpu(cpu) {
			struct vmem_qcache_cpu *qcc;

			qcc = per_cpu_ptr(vm->vm_qcpu, cpu) + i;
			vmem_free_batch(vm, qcc->qcc_loaded->mg_round,
					qcc->qcc_loaded->mg_rounds,
					qc->qc_size);
			vmem_free_batch(vm, qcc->qcc_prev->mg_round,
					qcc->qcc_prev->mg_rounds, qc->qc_size);
			vmem_mag_free(qcc->qcc_loaded);
			vmem_mag_free(qcc->qcc_prev);
		}
		spin_lock_irq(&qc->qc_lock);
		chain = vmem_depot_take(qc, &qc->qc_full, ULONG_MAX);
		spin_unlock_irq(&qc->qc_lock);
		vmem_qcache_free_chain(vm, qc, chain);
		spin_lock_irq(&qc->qc_lock);
		chain = vmem_depot_take(qc, &qc->qc_empty, ULONG_MAX);
		spin_unlock_irq(&qc->qc_lock);
		vmem_qcache_free_chain(vm, qc, chain);
	}
out:
	free_percpu(vm->vm_qcpu);
	kfree(vm->vm_qcache);
	vm->vm_qcpu = NULL;
	vm->vm_qcache = NULL;
}

/* ---- sizes and statistics ---- */

/*
 * Quanta held by the caches (in quanta, so that it cannot overflow: the
 * bytes may be 2^BITS_PER_LONG): exact when no cached allocation or free
 * runs meanwhile.  Each CPU's lock and each depot lock is taken in turn.
 */
unsigned long vmem_qcache_cached(struct vmem *vm)
{
	unsigned long total = 0;
	unsigned int i, cpu;

	for (i = 0; i < vm->vm_nqcache; i++) {
		struct vmem_qcache *qc = &vm->vm_qcache[i];
		unsigned long flags, rounds;

		spin_lock_irqsave(&qc->qc_lock, flags);
		rounds = qc->qc_depot_rounds;
		spin_unlock_irqrestore(&qc->qc_lock, flags);
		for_each_possible_cpu(cpu) {
			struct vmem_qcache_cpu *qcc;

			qcc = per_cpu_ptr(vm->vm_qcpu, cpu) + i;
			spin_lock_irqsave(&qcc->qcc_lock, flags);
			rounds += qcc->qcc_loaded->mg_rounds +
				  qcc->qcc_prev->mg_rounds;
			spin_unlock_irqrestore(&qcc->qcc_lock, flags);
		}
		total += rounds * (i + 1);
	}
	return total;
}

/**
 * vmem_qcache_get_stats() - The counters of one quantum cache.
 * @vm: the arena
 * @index: the cache: 0 for sizes of one quantum, up to
 *	&vmem_stats.nqcache - 1
 * @cpu: a possible CPU, for its share of the per-CPU counters, or -1 for
 *	all CPUs summed; the depot's counters are the cache's in both cases
 * @st: filled in
 *
 * Each CPU's counters and the depot's are read under their own lock, one
 * at a time: exact when no cached allocation or free runs meanwhile.
 *
 * Context: Any context.  Takes the cache locks of the CPUs asked for and
 * the depot lock, one at a time (irq-safe).
 * Return: 0, or -EINVAL when the arena has no cache @index or @cpu is
 * neither -1 nor a possible CPU.
 */
int vmem_qcache_get_stats(struct vmem *vm, unsigned int index, int cpu,
			  struct vmem_qcache_stats *st)
{
	struct vmem_qcache *qc;
	unsigned long flags;
	unsigned int c;

	if (index >= vm->vm_nqcache || cpu < -1 ||
	    (cpu >= 0 && (cpu >= nr_cpu_ids || !cpu_possible(cpu))))
		return -EINVAL;
	qc = &vm->vm_qcache[index];
	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(c) {
		struct vmem_qcache_cpu *qcc;

		if (cpu >= 0 && c != cpu)
			continue;
		qcc = per_cpu_ptr(vm->vm_qcpu, c) + index;
		spin_lock_irqsave(&qcc->qcc_lock, flags);
		st->alloc_hits += qcc->qcc_alloc_hits;
		st->alloc_misses += qcc->qcc_alloc_misses;
		st->free_hits += qcc->qcc_free_hits;
		st->free_misses += qcc->qcc_free_misses;
		st->cpu_rounds += qcc->qcc_loaded->mg_rounds +
				  qcc->qcc_prev->mg_rounds;
		st->cpu_mags += (qcc->qcc_loaded != &vmem_mag_none) +
				(qcc->qcc_prev != &vmem_mag_none);
		spin_unlock_irqrestore(&qcc->qcc_lock, flags);
	}
	spin_lock_irqsave(&qc->qc_lock, flags);
	st->size = qc->qc_size;
	st->magsize = qc->qc_magsize;
	st->depot_gets = qc->qc_gets;
	st->depot_puts = qc->qc_puts;
	st->depot_contention = qc->qc_contention;
	st->nresize = qc->qc_nresize;
	st->nupdate = qc->qc_nupdate;
	st->depot_rounds = qc->qc_depot_rounds;
	st->depot_full = qc->qc_full.ml_count;
	st->depot_empty = qc->qc_empty.ml_count;
	spin_unlock_irqrestore(&qc->qc_lock, flags);
	st->nalloc = st->alloc_hits + st->alloc_misses;
	st->nfree = st->free_hits + st->free_misses;
	return 0;
}
EXPORT_SYMBOL_GPL(vmem_qcache_get_stats);

/* ---- the module ---- */

int vmem_qcache_module_init(void)
{
	int state;

	/*
	 * A "prepare" state: its teardown runs on a live CPU after the CPU
	 * going down is dead, when nothing can use its magazines any more.
	 */
	state = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "vmem/qcache:dead",
					NULL, vmem_qcache_cpu_dead);
	if (state < 0)
		return state;
	vmem_qcache_cpuhp = state;
	return 0;
}

void vmem_qcache_module_exit(void)
{
	cpuhp_remove_multi_state(vmem_qcache_cpuhp);
}
