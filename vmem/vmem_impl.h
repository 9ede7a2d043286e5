/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmem internals: the arena, the boundary tag, and the helpers shared by
 * the files of vmem/ and debugfs/.  Not a public interface: other modules
 * use include/linux/vmem.h.  See the theory statement in vmem/vmem.c.
 */
#ifndef _VMEM_IMPL_H
#define _VMEM_IMPL_H

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/vmem.h>

/*
 * Internal creation flag, for tests: misuse of the arena (a rejected free,
 * an import function returning a bad range) is counted and logged with
 * pr_info() instead of a WARN, so that a suite doing it on purpose does
 * not leave a kernel warning in the log.
 */
#define VMC_QUIET_BADFREE	0x80000000u

#define VMC_USER_FLAGS		(VMC_IDENTIFIER | VMC_NO_QCACHE)
#define VMC_ALL_FLAGS		(VMC_USER_FLAGS | VMC_QUIET_BADFREE)

#define VMEM_NAMELEN		32
#define VMEM_NFREELISTS		BITS_PER_LONG

/*
 * Segment types.  The markers (rotor and walker) are not segments: they
 * sit in the segment list to remember a position and are skipped by every
 * traversal that looks for neighbours.  vmem_seg_is_marker() relies on
 * the markers being last.
 */
enum vmem_seg_type {
	VMEM_SEG_FREE,		/* a free segment, on a freelist */
	VMEM_SEG_ALLOC,		/* an allocated segment, in the hash */
	VMEM_SEG_SPAN,		/* a span header, on vm_spans */
	VMEM_SEG_HEAD,		/* the list head, vm_seg0 */
	VMEM_SEG_ROTOR,		/* the next-fit rotor */
	VMEM_SEG_WALKER,	/* vmem_walk()'s place holder */
};

/**
 * struct vmem_seg - A boundary tag.
 * @vs_start: first integer of the segment or span
 * @vs_size: number of integers; never 0 for segments and spans
 * @vs_seglist: the arena's segment list: every span header followed by
 *	the segments of that span, in address order
 * @vs_freelist: FREE: link on vm_freelist[ilog2(vs_size)]
 * @vs_spanlist: SPAN: link on vm_spans
 * @vs_hnext: ALLOC: next in the hash chain; on the reserve: next tag
 * @vs_type: an enum vmem_seg_type
 * @vs_imported: SPAN: imported from the source, to be released when free
 *
 * Ranges are [vs_start, vs_start + vs_size); the last integer,
 * vs_start + vs_size - 1, never overflows, so a span may end at ULONG_MAX.
 * 56 bytes on 64-bit.
 */
struct vmem_seg {
	unsigned long		vs_start;
	unsigned long		vs_size;
	struct list_head	vs_seglist;
	union {
		struct list_head	vs_freelist;
		struct list_head	vs_spanlist;
		struct vmem_seg		*vs_hnext;
	};
	u8			vs_type;
	u8			vs_imported;
};

static inline unsigned long vmem_seg_last(const struct vmem_seg *vs)
{
	return vs->vs_start + (vs->vs_size - 1);
}

static inline bool vmem_seg_is_marker(const struct vmem_seg *vs)
{
	return vs->vs_type >= VMEM_SEG_ROTOR;
}

/*
 * The hash table of allocated segments starts in the arena itself and is
 * replaced by a kvmalloc'ed one by vmem_hash_rescale() (a work item) as
 * the number of allocations grows and shrinks.
 */
#define VMEM_HASH_MIN_SHIFT	4
#define VMEM_HASH_MAX_SHIFT	24

/*
 * Boundary tags one step may consume: carving an allocation out of the
 * middle of a free segment costs the allocated segment and the free
 * remainder on its left (2); adding a span with vmem_add() costs its
 * header and its free segment (2).  An import adds its span and carves
 * from it in one locked section, so that no one sees the span wholly
 * free: it fills the reserve to twice this.  The reserve is filled before
 * the lock is taken, so no memory is allocated under the arena lock.
 */
#define VMEM_TAGS_PER_OP	2
/*
 * Tags kept in reserve at most; the rest go back to the slab cache.  A
 * free gives back up to two tags, so a burst of frees followed by a burst
 * of allocations is served from the reserve without the slab allocator.
 */
#define VMEM_RESERVE_MAX	16

/* Counters, updated under vm_lock. */
struct vmem_kstat {
	u64	nalloc;
	u64	nfree;
	u64	nfail;
	u64	nwait;
	u64	nimport;
	u64	nrelease;
	u64	nbadfree;
	u64	hash_rescales;
};

/*
 * struct vmem - An arena.
 *
 * Every field below vm_lock is protected by it, unless said otherwise.
 */
struct vmem {
	spinlock_t		vm_lock;	/* the arena lock; irq-safe */
	unsigned long		vm_quantum;	/* power of two; read-only */
	unsigned int		vm_qshift;	/* ilog2(vm_quantum); read-only */
	unsigned int		vm_flags;	/* VMC_*; read-only */
	/* bit n is set iff vm_freelist[n] is not empty */
	unsigned long		vm_freemap;
	/* free segments of size [2^n, 2^(n+1)) */
	struct list_head	vm_freelist[VMEM_NFREELISTS];
	/* head of the segment list (type VMEM_SEG_HEAD, never freed) */
	struct vmem_seg		vm_seg0;
	struct vmem_seg		vm_rotor;	/* in the list iff vm_rotor_used */
	bool			vm_rotor_used;
	unsigned long		vm_rotor_addr;	/* next fit searches from here */
	struct list_head	vm_spans;
	/* allocated segments, hashed by start */
	struct vmem_seg		**vm_hash;
	unsigned int		vm_hash_shift;
	/* queue a rescale when vm_nbusy leaves [vm_hash_lo, vm_hash_hi] */
	unsigned long		vm_hash_lo;
	unsigned long		vm_hash_hi;
	struct vmem_seg		*vm_hash0[1 << VMEM_HASH_MIN_SHIFT];
	struct work_struct	vm_hash_work;
	/* boundary tag reserve, chained through vs_hnext */
	struct vmem_seg		*vm_reserve;
	unsigned int		vm_nreserve;
	/* totals */
	unsigned long		vm_inuse;	/* bytes allocated */
	unsigned long		vm_total;	/* bytes in spans */
	unsigned long		vm_imported;	/* bytes in imported spans */
	unsigned long		vm_nbusy;	/* allocated segments */
	unsigned long		vm_nsegs;	/* tags in the segment list */
	unsigned long		vm_nspans;
	struct vmem_kstat	vm_kstat;
	/* sleeping allocations: they wait for vm_free_seq to move */
	wait_queue_head_t	vm_wq;
	unsigned long		vm_free_seq;
	unsigned int		vm_nwaiters;
	/* importing; read-only after creation */
	struct vmem		*vm_source;
	vmem_import_fn		vm_import;
	vmem_ximport_fn		vm_ximport;
	vmem_release_fn		vm_release;
	unsigned long		vm_qcache_max;	/* read-only */
	/* debugfs: the registry of arenas, and the arena's directory */
	struct list_head	vm_list;
	struct dentry		*vm_debugfs;	/* owned by debugfs/ */
	unsigned int		vm_warned;	/* misuse WARNed; cmpxchg'd */
	char			vm_name[VMEM_NAMELEN];
};

/* vmem/vmem_module.c */
extern struct kmem_cache *vmem_seg_cache;
unsigned long vmem_test_seed(void);

/**
 * struct vmem_req - An allocation request, validated and normalised.
 * @size: bytes, a non-zero multiple of the quantum
 * @align: a power of two, at least the quantum
 * @phase: wanted addr mod @align, a multiple of the quantum
 * @nocross: 0, or a power of two the range may not cross a multiple of
 * @minaddr: lowest allowed first integer, quantum-aligned
 * @maxaddr: highest allowed last integer, one less than a quantum multiple
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP, and at most one policy
 * @wait: sleep for room when the arena is exhausted (VMEM_SLEEP)
 */
struct vmem_req {
	unsigned long	size;
	unsigned long	align;
	unsigned long	phase;
	unsigned long	nocross;
	unsigned long	minaddr;
	unsigned long	maxaddr;
	unsigned int	vmflags;
	bool		wait;
};

/* A span to give back to the source once vm_lock is dropped. */
struct vmem_release {
	unsigned long	addr;
	unsigned long	size;
};

/* A request aligned to the quantum alone, in the window [minaddr, maxaddr]. */
static inline void vmem_req_init(const struct vmem *vm, struct vmem_req *r,
				 unsigned long size, unsigned long minaddr,
				 unsigned long maxaddr, unsigned int vmflags)
{
	r->size = size;
	r->align = vm->vm_quantum;
	r->phase = 0;
	r->nocross = 0;
	r->minaddr = minaddr;
	r->maxaddr = maxaddr;
	r->vmflags = vmflags;
	r->wait = vmflags & VMEM_SLEEP;
}

static inline bool vmem_req_is_plain(const struct vmem *vm, const struct vmem_req *r)
{
	return r->align == vm->vm_quantum && !r->nocross &&
	       !r->minaddr && r->maxaddr == ULONG_MAX;
}

/* Take a tag from the reserve; vmem_lock_reserved() guaranteed enough. */
static inline struct vmem_seg *vmem_tag_get(struct vmem *vm)
{
	struct vmem_seg *vs = vm->vm_reserve;

	lockdep_assert_held(&vm->vm_lock);
	vm->vm_reserve = vs->vs_hnext;
	WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve - 1);
	return vs;
}

static inline void vmem_tag_put(struct vmem *vm, struct vmem_seg *vs)
{
	lockdep_assert_held(&vm->vm_lock);
	vs->vs_hnext = vm->vm_reserve;
	vm->vm_reserve = vs;
	WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve + 1);
}

/* ---- freelists ---- */

static inline void vmem_freelist_insert(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = __fls(vs->vs_size);

	list_add(&vs->vs_freelist, &vm->vm_freelist[n]);
	vm->vm_freemap |= 1UL << n;
}

static inline void vmem_freelist_remove(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = __fls(vs->vs_size);

	list_del(&vs->vs_freelist);
	if (list_empty(&vm->vm_freelist[n]))
		vm->vm_freemap &= ~(1UL << n);
}

/* Change the extent of a free segment, moving it to its new list. */
static inline void vmem_freelist_resize(struct vmem *vm, struct vmem_seg *vs,
					unsigned long start, unsigned long size)
{
	vs->vs_start = start;
	if (__fls(vs->vs_size) == __fls(size)) {
		vs->vs_size = size;
		return;
	}
	vmem_freelist_remove(vm, vs);
	vs->vs_size = size;
	vmem_freelist_insert(vm, vs);
}

/* ---- segment list ---- */

static inline struct vmem_seg *vmem_seg_prev(struct vmem_seg *vs)
{
	do {
		vs = list_prev_entry(vs, vs_seglist);
	} while (vmem_seg_is_marker(vs));
	return vs;
}

static inline struct vmem_seg *vmem_seg_next(struct vmem_seg *vs)
{
	do {
		vs = list_next_entry(vs, vs_seglist);
	} while (vmem_seg_is_marker(vs));
	return vs;
}

/* Sleepers wait for vm_free_seq to move; see vmem_wait_for_room(). */
static inline bool vmem_note_room(struct vmem *vm)
{
	WRITE_ONCE(vm->vm_free_seq, vm->vm_free_seq + 1);
	return vm->vm_nwaiters != 0;
}

/* vmem/vmem.c */
void vmem_report(struct vmem *vm, const char *fmt, ...) __printf(2, 3);
int vmem_alloc_exact(struct vmem *vm, unsigned long addr, unsigned long size,
		     unsigned int vmflags);

/* vmem/vmem_seg.c: segments and allocation */
int vmem_lock_reserved(struct vmem *vm, unsigned int vmflags,
		       unsigned int need, unsigned long *flags)
	__acquires(&vm->vm_lock);
void vmem_unlock(struct vmem *vm, unsigned long flags)
	__releases(&vm->vm_lock);
struct vmem_seg *vmem_span_insert(struct vmem *vm, unsigned long addr,
				  unsigned long size, bool imported);
bool vmem_span_overlaps(struct vmem *vm, unsigned long addr,
			unsigned long size);

/* vmem/vmem_fit.c: fitting requests into free segments, under vm_lock */
bool vmem_seg_fits(const struct vmem_req *r, const struct vmem_seg *vs,
		   bool top, unsigned long *addrp);
struct vmem_seg *vmem_search(struct vmem *vm, const struct vmem_req *r,
			     unsigned long *addrp);

/* vmem/vmem_import.c */
int vmem_import(struct vmem *vm, const struct vmem_req *r,
		struct vmem_seg **freshp, unsigned long *flags)
	__acquires(&vm->vm_lock);

/* vmem/vmem_hash.c: the allocated-segment hash, under vm_lock */
struct vmem_seg **vmem_hash_bucket(const struct vmem *vm, unsigned long addr);
void vmem_hash_insert(struct vmem *vm, struct vmem_seg *vs);
struct vmem_seg **vmem_hash_find(struct vmem *vm, unsigned long addr);
void vmem_hash_unlink(struct vmem *vm, struct vmem_seg **pp);
void vmem_hash_init(struct vmem *vm);
void vmem_hash_fini(struct vmem *vm);
void vmem_hash_rescale_work(struct work_struct *work);

/* debugfs/vmem_debugfs.c; no-ops without CONFIG_DEBUG_FS */
#ifdef CONFIG_DEBUG_FS
void vmem_debugfs_init(void);
void vmem_debugfs_exit(void);
void vmem_debugfs_add(struct vmem *vm);
void vmem_debugfs_remove(struct vmem *vm);
#else
static inline void vmem_debugfs_init(void) { }
static inline void vmem_debugfs_exit(void) { }
static inline void vmem_debugfs_add(struct vmem *vm) { }
static inline void vmem_debugfs_remove(struct vmem *vm) { }
#endif

#endif /* _VMEM_IMPL_H */
