/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmem internals: the arena, the boundary tag, and the helpers shared by
 * the files of vmem/ and debugfs/.  Not a public interface: other modules
 * use include/linux/vmem.h.  See the theory statement in vmem/vmem.c.
 */
#ifndef _VMEM_IMPL_H
#define _VMEM_IMPL_H

#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/vmem.h>

/*
 * Internal arena flag, for tests: misuse of the arena (a rejected free,
 * an import function returning a bad range) is counted and logged with
 * pr_info() instead of a WARN, so that a suite doing it on purpose does
 * not leave a kernel warning in the log.  vmem_create() refuses it, as it
 * refuses every flag outside VMC_USER_FLAGS: a test sets it in vm_flags of
 * an arena it has just created, before any other use of the arena.
 */
#define VMC_QUIET_BADFREE	0x80000000u

#define VMC_USER_FLAGS		(VMC_IDENTIFIER | VMC_NO_QCACHE)

#define VMEM_NAMELEN		32
#define VMEM_NFREELISTS		BITS_PER_LONG

/*
 * Segment types.  The markers (rotor, walker, indexer) are not segments:
 * they sit in the segment list to remember a position and are skipped by
 * every traversal that looks for neighbours.  vmem_seg_is_marker() relies
 * on the markers being last.
 */
enum vmem_seg_type {
	VMEM_SEG_FREE,		/* a free segment, on a freelist */
	VMEM_SEG_ALLOC,		/* an allocated segment, in the hash */
	VMEM_SEG_SPAN,		/* a span header, in vm_span_tree */
	VMEM_SEG_HEAD,		/* the list head, vm_seg0 */
	VMEM_SEG_ROTOR,		/* the next-fit rotor */
	VMEM_SEG_WALKER,	/* vmem_walk()'s place holder */
	VMEM_SEG_INDEXER,	/* where the index work goes on */
};

/**
 * struct vmem_seg - A boundary tag.
 * @vs_start: first integer of the segment or span
 * @vs_size: number of integers; never 0 for segments and spans
 * @vs_seglist: the arena's segment list: every span header followed by
 *	the segments of that span, in address order
 * @vs_freelist: FREE: link on vm_freelist[vs_list]
 * @vs_hnext: ALLOC: next in the hash chain; in a reserve: next tag
 * @vs_type: an enum vmem_seg_type
 * @vs_owner: ALLOC: who holds the segment when no client does, an enum
 *	vmem_seg_owner; vmem_xfree() rejects a segment that has one.
 *	VMEM_OWNER_CLIENT on every other tag: set on new tags
 *	(vmem_tag_new()).  VMEM_OWNER_QCACHE is set by vmem_alloc_batch()
 *	and vmem_qcache_mark() and cleared by vmem_free_batch(), the only way
 *	such a segment is freed; VMEM_OWNER_LEAF is set when a leaf is made
 *	and cleared when it is dissolved
 * @vs_imported: SPAN: imported from the source, to be released when free
 * @vs_big: the tag is the vis_seg of a struct vmem_iseg
 * @vs_sized: FREE, big: in vm_size_tree
 * @vs_list: FREE: the freelist it is on (see vmem_freelist_add())
 *
 * Ranges are [vs_start, vs_start + vs_size); the last integer,
 * vs_start + vs_size - 1, never overflows, so a span may end at ULONG_MAX.
 * 56 bytes on 64-bit: what an allocated segment costs.
 */
struct vmem_seg {
	unsigned long		vs_start;
	unsigned long		vs_size;
	struct list_head	vs_seglist;
	union {
		struct list_head	vs_freelist;
		struct vmem_seg		*vs_hnext;
	};
	u8			vs_type;
	u8			vs_owner;
	u8			vs_imported;
	u8			vs_big;
	u8			vs_sized;
	u8			vs_list;
};

/*
 * Who holds an allocated segment that no client holds: a quantum cache,
 * whose refill carved it (its pair is vmem_free(), through the cache), or
 * an identifier leaf, whose quanta clients hold one by one.
 */
enum vmem_seg_owner {
	VMEM_OWNER_CLIENT,
	VMEM_OWNER_QCACHE,
	VMEM_OWNER_LEAF,
};

static inline bool vmem_seg_is_leaf(const struct vmem_seg *vs)
{
	return vs->vs_owner == VMEM_OWNER_LEAF;
}

/**
 * struct vmem_iseg - A boundary tag with tree links: a big tag.
 * @vis_seg: the tag itself; vis_seg.vs_big is 1
 * @vis_addr: FREE: node of vm_addr_tree, keyed by vs_start; SPAN: node of
 *	vm_span_tree, keyed by vs_start
 * @vis_max: FREE: at least the largest vs_size in @vis_addr's subtree, and
 *	at least its children's vis_max (lowered lazily, see
 *	vmem_index_update())
 * @vis_size: FREE: node of vm_size_tree, keyed by (vs_size, vs_start)
 *
 * Spans always have one.  The free segments of an indexed arena have one
 * each, so that the policies defined by addresses and best fit search
 * trees rather than lists (see "Finding a free segment" in vmem/vmem.c);
 * allocated segments never do.  112 bytes on 64-bit.
 */
struct vmem_iseg {
	struct vmem_seg		vis_seg;
	struct rb_node		vis_addr;
	unsigned long		vis_max;
	struct rb_node		vis_size;
};

static inline struct vmem_iseg *vmem_iseg(struct vmem_seg *vs)
{
	return container_of(vs, struct vmem_iseg, vis_seg);
}

static inline unsigned long vmem_seg_last(const struct vmem_seg *vs)
{
	return vs->vs_start + (vs->vs_size - 1);
}

static inline bool vmem_seg_is_marker(const struct vmem_seg *vs)
{
	return vs->vs_type >= VMEM_SEG_ROTOR;
}

/* The tags' allocation flags for a call with @vmflags. */
static inline gfp_t vmem_gfp(unsigned int vmflags)
{
	return (vmflags & VMEM_SLEEP) ? GFP_KERNEL : GFP_NOWAIT | __GFP_NOWARN;
}

/* a + b, or ULONG_MAX: byte counts of a space of 2^BITS_PER_LONG saturate */
static inline unsigned long vmem_sat_add(unsigned long a, unsigned long b)
{
	return a > ULONG_MAX - b ? ULONG_MAX : a + b;
}

/*
 * The hash table of allocated segments starts in the arena itself and is
 * replaced by a kvmalloc'ed one by vmem_hash_rescale() (a work item) as
 * the number of allocations grows and shrinks.
 */
#define VMEM_HASH_MIN_SHIFT	4
#define VMEM_HASH_MAX_SHIFT	24

/*
 * Tags one step may consume: carving an allocation out of the middle of a
 * free segment costs the allocated segment and the free remainder on its
 * left (2 small tags), and an exact fit out of a big free tag replaces it
 * by a small one (1); adding a span costs a big tag for its header and a
 * tag for its free segment (1 big, 1 small).  An import adds its span and
 * carves from it in one locked section, so that no one sees the span
 * wholly free: it asks for both.  The reserves are filled before the lock
 * is taken, so no memory is allocated under the arena lock.
 *
 * An indexed arena wants a big tag for every new free segment; those come
 * from the big reserve, which allocations top up to VMEM_ITAGS_LOW as far
 * as memory allows, and which a free refills first if it is empty.  When
 * there is none, the free segment gets a small tag, and the index stays
 * out of use until the index work has given it a big one (see
 * vmem/vmem_index.c): a free never fails and never waits.
 */
#define VMEM_TAGS_PER_OP	2
#define VMEM_ITAGS_LOW		2
/*
 * Tags kept in each reserve at most; the rest go back to the slab cache
 * by the next vmem_unlock() (an operation may leave more behind it, and
 * paths that unlock with spin_unlock_irqrestore() leave them to the next
 * one).  A free gives back up to two tags, so a burst of frees followed by a
 * burst of allocations is served from the reserve without the allocator.
 */
#define VMEM_RESERVE_MAX	16

/*
 * Counters, updated under vm_lock on paths that hold it anyway (or, for
 * the rare failures that do not, that take it to count).  The names in
 * comments are illumos's kstats; Documentation/vmem.rst says exactly what
 * each one counts.
 */
struct vmem_kstat {
	u64	nalloc;			/* alloc */
	u64	nfree;			/* free */
	u64	nfail;			/* fail */
	u64	nwait;			/* wait */
	u64	nimport;
	u64	nrelease;
	u64	nbadfree;
	u64	hash_rescales;
	u64	nlookup;		/* lookup: hash entries passed over */
	u64	nsearch;		/* search: free segments examined */
	u64	ncontains;		/* contains: vmem_contains() calls */
	u64	ncontains_search;	/* contains_search: span nodes visited */
	u64	npopulate_fail;		/* populate_fail: tag refills failed */
	u64	nrefill;		/* locked sections that took new tags */
};

struct vmem_qcache;
struct vmem_qcache_cpu;

/*
 * Identifier leaves (vmem/vmem_leaf.c): an arena of identifiers keeps
 * up to VMEM_NLEAVES runs of at most BITS_PER_LONG quanta, each one
 * allocated segment of the segment layer, whose quanta it hands out one
 * at a time from a bitmap.  See "Identifier leaves" in vmem/vmem.c.
 */
#define VMEM_NLEAVES		2

/**
 * struct vmem_leaf - One identifier leaf.
 * @lf_seg: its allocated segment (owner VMEM_OWNER_LEAF), in the hash; NULL when
 *	the slot holds no leaf
 * @lf_free: bit i set iff quantum i of @lf_seg is free: not a client's.
 *	No bit at or above @lf_nq
 * @lf_start: @lf_seg's start, or 0 with no leaf
 * @lf_size: @lf_seg's size, or 0 with no leaf
 * @lf_nq: @lf_seg's size in quanta, 1 to BITS_PER_LONG
 *
 * All under vm_lock.  vmem_leaf_tags() reads @lf_free and @lf_nq without
 * it for an estimate, and vmem_leaf_free_fast() @lf_start and @lf_size to
 * tell that an identifier is in no leaf: one a client holds was handed
 * out from a leaf that stays as it is until dissolved, or from a segment
 * that no leaf can have taken since.
 */
struct vmem_leaf {
	struct vmem_seg		*lf_seg;
	unsigned long		lf_free;
	unsigned long		lf_start;
	unsigned long		lf_size;
	unsigned int		lf_nq;
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
	/* free segments of size [2^n, 2^(n+2)): see vmem_freelist_add() */
	struct list_head	vm_freelist[VMEM_NFREELISTS];
	/* head of the segment list (type VMEM_SEG_HEAD, never freed) */
	struct vmem_seg		vm_seg0;
	struct vmem_seg		vm_rotor;	/* in the list iff vm_rotor_used */
	bool			vm_rotor_used;
	unsigned long		vm_rotor_addr;	/* next fit searches from here */
	/* spans by start */
	struct rb_root		vm_span_tree;
	/*
	 * The index, once an address-ordered request asked for it: every
	 * big free tag in vm_addr_tree (augmented with vis_max) and in
	 * vm_size_tree; vm_nunindexed free segments have small tags and are
	 * in neither, and the trees answer searches only when it is 0.
	 * Both are read without the lock (READ_ONCE) to decide what to
	 * allocate before taking it.
	 */
	bool			vm_indexed;
	unsigned long		vm_nunindexed;
	struct rb_root		vm_addr_tree;
	struct rb_root		vm_size_tree;
	struct rb_node		*vm_size_last;	/* vm_size_tree's last node */
	/* the size tree is kept; vm_nunsized big free tags are not in it */
	bool			vm_sized;
	unsigned long		vm_nunsized;
	struct vmem_seg		vm_indexer;	/* in the list iff vm_indexer_used */
	bool			vm_indexer_used;
	struct work_struct	vm_index_work;
	/* allocated segments, hashed by start */
	struct vmem_seg		**vm_hash;
	unsigned int		vm_hash_shift;
	/* queue a rescale when vm_nbusy leaves [vm_hash_lo, vm_hash_hi] */
	unsigned long		vm_hash_lo;
	unsigned long		vm_hash_hi;
	struct vmem_seg		*vm_hash0[1 << VMEM_HASH_MIN_SHIFT];
	struct work_struct	vm_hash_work;
	/* boundary tag reserves, small and big, chained through vs_hnext */
	struct vmem_seg		*vm_reserve;
	unsigned int		vm_nreserve;
	struct vmem_seg		*vm_ireserve;
	unsigned int		vm_nireserve;
	/* totals */
	unsigned long		vm_inuse;	/* bytes allocated */
	unsigned long		vm_total;	/* bytes in spans */
	unsigned long		vm_imported;	/* bytes in imported spans */
	unsigned long		vm_nbusy;	/* allocated segments */
	unsigned long		vm_nsegs;	/* tags in the segment list */
	unsigned long		vm_nspans;
	struct vmem_kstat	vm_kstat;
	/*
	 * Identifier leaves, in an arena with vm_leafy (read-only: an
	 * identifier arena with neither source nor quantum caches).
	 * vm_nleaves slots of vm_leaf hold one; vm_nleafids quanta of them
	 * are clients'.  While vm_lowfree_seq is vm_free_seq, no integer
	 * below vm_lowfree is free, which lets a lowest-free request start
	 * in the leaf that holds it: a free or an added span moves
	 * vm_free_seq (vmem_note_room()) and so voids the bound, at no cost
	 * to the segment layer's frees, and the next lowest-free search sets
	 * it again.
	 */
	bool			vm_leafy;
	unsigned int		vm_nleaves;
	unsigned int		vm_leaf_victim;	/* the slot a new leaf takes */
	unsigned long		vm_nleafids;
	unsigned long		vm_lowfree;
	unsigned long		vm_lowfree_seq;
	struct vmem_leaf	vm_leaf[VMEM_NLEAVES];
	/* sleeping allocations: they wait for vm_free_seq to move */
	wait_queue_head_t	vm_wq;
	unsigned long		vm_free_seq;
	/* importing; read-only after creation */
	struct vmem		*vm_source;
	vmem_import_fn		vm_import;
	vmem_ximport_fn		vm_ximport;
	vmem_release_fn		vm_release;
	/* quantum caches (vmem/vmem_qcache.c); the hot fields are last */
	struct delayed_work	vm_qwork;	/* depot update and trim */
	struct hlist_node	vm_qcpuhp;	/* on the CPU-dead state */
	void			*vm_qshrinker;	/* see vmem_qcache.c */
	/* debugfs: the registry of arenas, and the arena's directory */
	struct list_head	vm_list;
	struct dentry		*vm_debugfs;	/* owned by debugfs/ */
	unsigned int		vm_warned;	/* misuse WARNed; cmpxchg'd */
	char			vm_name[VMEM_NAMELEN];
	/*
	 * What a cached vmem_alloc() and vmem_free() read, read-only after
	 * creation: last, next to fields hardly ever written, and not on
	 * the lines of vm_lock or of the counters the segment path writes,
	 * so that CPUs on the cached path share no line another CPU writes.
	 * Hence copies of the quantum's shift and mask.  vm_qcache_max is
	 * vm_nqcache quanta: the largest size the caches serve, 0 when the
	 * arena has none.
	 */
	unsigned long		vm_qcache_max;
	unsigned long		vm_qcache_qmask;	/* vm_quantum - 1 */
	struct vmem_qcache_cpu __percpu *vm_qcpu;	/* [vm_nqcache] per CPU */
	struct vmem_qcache	*vm_qcache;	/* [vm_nqcache] */
	unsigned int		vm_qcache_shift;	/* vm_qshift */
	unsigned int		vm_nqcache;
	/*
	 * Sleeping allocations (vmem_wait_for_room()), under vm_lock.  Here
	 * because a cached vmem_free() reads it: while an allocation sleeps,
	 * cached frees go to the arena, to wake it.  Written twice per sleep,
	 * which is rare.
	 */
	unsigned int		vm_nwaiters;
};

/* Does vm_lowfree bound the free integers from below?  vm_lock held. */
static inline bool vmem_lowfree_holds(const struct vmem *vm)
{
	return vm->vm_lowfree_seq == vm->vm_free_seq;
}

/*
 * The clients' allocations: the hash holds one segment per allocation,
 * but a leaf's segment is none, and each client quantum in a leaf is one.
 */
static inline unsigned long vmem_nlive(const struct vmem *vm)
{
	return vm->vm_nbusy - vm->vm_nleaves + vm->vm_nleafids;
}

/* The free segments: vm_nsegs counts each span's header and each segment. */
static inline unsigned long vmem_nfreesegs(const struct vmem *vm)
{
	return vm->vm_nsegs - vm->vm_nspans - vm->vm_nbusy;
}

/* ---- quantum caches: see "Quantum caches" in vmem/vmem.c ---- */

/*
 * At most this many caches per arena: sizes of 1 .. 16 quanta.  Each
 * cache costs a depot and, on every possible CPU, a lock and two
 * magazines that may hold rounds; beyond a few quanta an allocation is
 * rare enough, and the segment layer cheap enough, that a cache would
 * hoard more than it saves.  illumos caps its quantum caches at 16 too.
 */
#define VMEM_QCACHE_MAX		16

/**
 * struct vmem_mag - A magazine: a stack of cached ranges (rounds).
 * @mg_next: link on a depot list
 * @mg_rounds: mg_round[0 .. mg_rounds) hold ranges; the top is handed
 *	out first
 * @mg_size: capacity, fixed at allocation (the cache's magazine size
 *	then); 0 only for vmem_mag_none
 * @mg_round: start addresses; every range is one allocated segment of
 *	the cache's size
 *
 * 16 bytes of header plus 8 per round on 64-bit, kmalloc'ed at 128, 256
 * or 512 bytes (14, 30 or 62 rounds).
 */
struct vmem_mag {
	struct vmem_mag	*mg_next;
	unsigned int	mg_rounds;
	unsigned int	mg_size;
	unsigned long	mg_round[];
};

/* A depot list and its working set (the paper's section 3.7). */
struct vmem_maglist {
	struct vmem_mag	*ml_head;
	unsigned long	ml_count;	/* magazines on the list */
	unsigned long	ml_min;		/* fewest since the last update */
};

/**
 * struct vmem_qcache - One quantum cache's depot and counters.
 * @qc_lock: the depot lock; irq-safe; nests inside a CPU's qcc_lock
 * @qc_full: full magazines
 * @qc_empty: empty magazines
 * @qc_magsize: rounds of the magazines made from now on; grows under
 *	depot contention (written under @qc_lock, read with READ_ONCE())
 * @qc_arena: the arena; read-only
 * @qc_size: the size this cache serves; read-only
 * @qc_depot_max: full (and empty) magazines the depot keeps at most: the
 *	number of possible CPUs, at least 2; read-only
 * @qc_depot_rounds: rounds in @qc_full
 * @qc_gets: full magazines taken from the depot
 * @qc_puts: full magazines given to the depot
 * @qc_contention: times @qc_lock was found taken
 * @qc_contention_prev: @qc_contention at the last update
 * @qc_nresize: times @qc_magsize grew
 * @qc_nupdate: runs of the update work
 *
 * Every field but the read-only ones is under @qc_lock.
 */
struct vmem_qcache {
	spinlock_t		qc_lock;	/* the depot lock */
	struct vmem_maglist	qc_full;
	struct vmem_maglist	qc_empty;
	unsigned int		qc_magsize;
	unsigned int		qc_depot_max;
	struct vmem		*qc_arena;
	unsigned long		qc_size;
	unsigned long		qc_depot_rounds;
	u64			qc_gets;
	u64			qc_puts;
	u64			qc_contention;
	u64			qc_contention_prev;
	u64			qc_nresize;
	u64			qc_nupdate;
};

/**
 * struct vmem_qcache_cpu - One CPU's magazines for one quantum cache.
 * @qcc_lock: taken by the CPU itself (irqsave) on every cached
 *	allocation and free, and by any CPU that flushes this one; see
 *	"Quantum caches" in vmem/vmem.c for why a spinlock
 * @qcc_loaded: the magazine allocations pop from and frees push to;
 *	never NULL: &vmem_mag_none stands for none
 * @qcc_prev: the previous magazine, full or empty; never NULL
 * @qcc_cache: the cache this is a CPU's part of; read-only.  The slow
 *	paths find the arena through it, so that the fast path keeps fewer
 *	values across its calls to the lock
 * @qcc_alloc_hits: allocations served by @qcc_loaded or @qcc_prev
 * @qcc_alloc_misses: allocations that went to the depot or the arena
 * @qcc_free_hits: frees taken by @qcc_loaded or @qcc_prev
 * @qcc_free_misses: frees that went to the depot or the arena
 *
 * Everything is under @qcc_lock.  Cache-line aligned: a power-of-two
 * size makes the cache's entry one shift away from the CPU's.
 */
struct vmem_qcache_cpu {
	spinlock_t		qcc_lock;	/* this CPU's, see above */
	struct vmem_mag		*qcc_loaded;
	struct vmem_mag		*qcc_prev;
	struct vmem_qcache	*qcc_cache;
	u64			qcc_alloc_hits;
	u64			qcc_alloc_misses;
	u64			qcc_free_hits;
	u64			qcc_free_misses;
} ____cacheline_aligned;

/*
 * The index of the cache that serves @size (1 .. vm_qcache_max bytes):
 * 0 .. vm_nqcache - 1.
 */
static inline unsigned long vmem_qcache_index(const struct vmem *vm,
					      unsigned long size)
{
	return (size - 1) >> vm->vm_qcache_shift;
}

/* vmem/vmem_qcache.c */
int vmem_qcache_module_init(void);
void vmem_qcache_module_exit(void);
int vmem_qcache_init(struct vmem *vm, unsigned long qcache_max);
void vmem_qcache_fini(struct vmem *vm);
int vmem_qcache_alloc(struct vmem *vm, unsigned long size,
		      unsigned int vmflags, unsigned long *addrp);
void vmem_qcache_free(struct vmem *vm, unsigned long addr,
		      unsigned long size);
bool vmem_qcache_reclaim(struct vmem *vm);
unsigned long vmem_qcache_cached(struct vmem *vm);

/* vmem/vmem_module.c: small and big boundary tags */
extern struct kmem_cache *vmem_seg_cache;
extern struct kmem_cache *vmem_iseg_cache;

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

/* Take a small tag; vmem_lock_reserved() guaranteed enough. */
static inline struct vmem_seg *vmem_tag_get(struct vmem *vm)
{
	struct vmem_seg *vs = vm->vm_reserve;

	lockdep_assert_held(&vm->vm_lock);
	vm->vm_reserve = vs->vs_hnext;
	WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve - 1);
	return vs;
}

/* Take a big tag, or NULL when the big reserve is empty. */
static inline struct vmem_seg *vmem_itag_get(struct vmem *vm)
{
	struct vmem_seg *vs = vm->vm_ireserve;

	lockdep_assert_held(&vm->vm_lock);
	if (vs) {
		vm->vm_ireserve = vs->vs_hnext;
		WRITE_ONCE(vm->vm_nireserve, vm->vm_nireserve - 1);
	}
	return vs;
}

/* Put a tag back into the reserve of its kind. */
static inline void vmem_tag_put(struct vmem *vm, struct vmem_seg *vs)
{
	lockdep_assert_held(&vm->vm_lock);
	if (vs->vs_big) {
		vs->vs_hnext = vm->vm_ireserve;
		vm->vm_ireserve = vs;
		WRITE_ONCE(vm->vm_nireserve, vm->vm_nireserve + 1);
	} else {
		vs->vs_hnext = vm->vm_reserve;
		vm->vm_reserve = vs;
		WRITE_ONCE(vm->vm_nreserve, vm->vm_nreserve + 1);
	}
}

/* ---- free segments: the freelists, and the index ---- */

/* vmem/vmem_index.c: the index of free segments, and the span tree */
void vmem_index_insert(struct vmem *vm, struct vmem_seg *vs);
void vmem_index_erase(struct vmem *vm, struct vmem_seg *vs);
void vmem_index_update(struct vmem *vm, struct vmem_seg *vs,
		       unsigned long oldsize);
void vmem_index_defer(struct vmem *vm);
void vmem_index_start(struct vmem *vm, unsigned int vmflags);
void vmem_index_size_start(struct vmem *vm);
void vmem_index_work(struct work_struct *work);
struct vmem_seg *vmem_index_first(struct vmem *vm, unsigned long lo,
				  unsigned long size);
struct vmem_seg *vmem_index_next(struct vmem_seg *vs, unsigned long size);
struct vmem_seg *vmem_index_last(struct vmem *vm, unsigned long hi,
				 unsigned long size);
struct vmem_seg *vmem_index_prev(struct vmem_seg *vs, unsigned long size);
struct vmem_seg *vmem_index_best(struct vmem *vm, unsigned long size);
struct vmem_seg *vmem_index_best_next(struct vmem_seg *vs);
struct vmem_seg *vmem_span_find(struct vmem *vm, unsigned long addr);
struct vmem_seg *vmem_span_lookup(struct vmem *vm, unsigned long addr,
				  u64 *visited);
struct vmem_seg *vmem_span_first(struct vmem *vm);
struct vmem_seg *vmem_span_next(struct vmem_seg *span);
void vmem_span_tree_insert(struct vmem *vm, struct vmem_seg *span);
void vmem_span_tree_erase(struct vmem *vm, struct vmem_seg *span);

/* Do the trees answer searches? */
static inline bool vmem_index_ready(const struct vmem *vm)
{
	return vm->vm_indexed && !vm->vm_nunindexed;
}

/* Does the size tree answer best fit? */
static inline bool vmem_index_sized(const struct vmem *vm)
{
	return vmem_index_ready(vm) && vm->vm_sized && !vm->vm_nunsized;
}

/*
 * A free segment of size s goes on list ilog2(s), and vs_list says which
 * list it is on.  It stays there while it grows up to four times the
 * list's lower bound (2^n <= s < 2^(n+2)), and moves only when it leaves
 * that range: a segment that an allocation shrinks below a power of two
 * and its free grows back (the one free segment of a fresh arena whose
 * size is a power of two, on every allocate and free pair) does not move
 * back and forth.  Every member of list n is at least 2^n, which is what
 * instant fit needs; the searches that want the smallest fit look one
 * list further (vmem_search_best()).
 */
static inline void vmem_freelist_add(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = __fls(vs->vs_size);

	vs->vs_list = n;
	list_add(&vs->vs_freelist, &vm->vm_freelist[n]);
	vm->vm_freemap |= 1UL << n;
}

static inline void vmem_freelist_del(struct vmem *vm, struct vmem_seg *vs)
{
	unsigned int n = vs->vs_list;

	list_del(&vs->vs_freelist);
	if (list_empty(&vm->vm_freelist[n]))
		vm->vm_freemap &= ~(1UL << n);
}

/* The lowest list that may hold a free segment of @size or more. */
static inline unsigned int vmem_freelist_lowest(unsigned long size)
{
	return __fls(size) ? __fls(size) - 1 : 0;
}

/* May a free segment of @size stay on list @n? */
static inline bool vmem_freelist_keeps(unsigned int n, unsigned long size)
{
	return size >> n && !(size >> n >> 2);
}

/*
 * A free segment is on the freelist of its size, and in the index if its
 * tag is big; a small one in an indexed arena is counted as unindexed.
 */
static inline void vmem_freelist_insert(struct vmem *vm, struct vmem_seg *vs)
{
	vmem_freelist_add(vm, vs);
	if (vs->vs_big)
		vmem_index_insert(vm, vs);
	else if (vm->vm_indexed)
		WRITE_ONCE(vm->vm_nunindexed, vm->vm_nunindexed + 1);
}

static inline void vmem_freelist_remove(struct vmem *vm, struct vmem_seg *vs)
{
	vmem_freelist_del(vm, vs);
	if (vs->vs_big)
		vmem_index_erase(vm, vs);
	else if (vm->vm_indexed)
		WRITE_ONCE(vm->vm_nunindexed, vm->vm_nunindexed - 1);
}

/*
 * Change the extent of a free segment, moving it to its new list.  Its
 * neighbours are allocated segments and span boundaries, so its place
 * among the free segments in address order does not change.
 */
static inline void vmem_freelist_resize(struct vmem *vm, struct vmem_seg *vs,
					unsigned long start, unsigned long size)
{
	unsigned long oldsize = vs->vs_size;

	vs->vs_start = start;
	if (vmem_freelist_keeps(vs->vs_list, size)) {
		vs->vs_size = size;
	} else {
		vmem_freelist_del(vm, vs);
		vs->vs_size = size;
		vmem_freelist_add(vm, vs);
	}
	if (vs->vs_big)
		vmem_index_update(vm, vs, oldsize);
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

/*
 * Sparse: a call that returns 0 with vm_lock held and an errno without.
 * The callee hands its hold of the lock over (__release() before it
 * returns 0); this tells sparse the caller holds it exactly when the call
 * evaluated to 0.  @call is evaluated once.
 */
#define vmem_cond_locked(vm, call) ({					\
	int __err = (call);						\
									\
	__cond_lock(&(vm)->vm_lock, !__err) ? 0 : __err;		\
})

/* vmem/vmem_seg.c: segments and allocation */
int __vmem_lock_reserved(struct vmem *vm, unsigned int vmflags,
			 unsigned int nsmall, unsigned int nbig,
			 unsigned long *flags);
#define vmem_lock_reserved(vm, vmflags, nsmall, nbig, flags) ({		\
	struct vmem *__vm = (vm);					\
									\
	vmem_cond_locked(__vm, __vmem_lock_reserved(__vm, vmflags, nsmall, \
						    nbig, flags));	\
})
struct vmem_seg *vmem_tag_new(bool big, gfp_t gfp);
void vmem_tag_free(struct vmem_seg *vs);
void vmem_unlock_trim(struct vmem *vm, unsigned long flags)
	__releases(&vm->vm_lock);

/*
 * Drop vm_lock, first giving the reserves' excess back (the slow part,
 * out of line) when an operation left more than VMEM_RESERVE_MAX.
 */
static __always_inline void vmem_unlock(struct vmem *vm, unsigned long flags)
	__releases(&vm->vm_lock)
{
	if (likely(vm->vm_nreserve <= VMEM_RESERVE_MAX &&
		   vm->vm_nireserve <= VMEM_RESERVE_MAX))
		spin_unlock_irqrestore(&vm->vm_lock, flags);
	else
		vmem_unlock_trim(vm, flags);
}

struct vmem_seg *vmem_span_insert(struct vmem *vm, unsigned long addr,
				  unsigned long size, bool imported);
bool vmem_span_overlaps(struct vmem *vm, unsigned long addr,
			unsigned long size);
int vmem_alloc_batch(struct vmem *vm, unsigned long size,
		     unsigned int vmflags, unsigned long *addrs,
		     unsigned int max);
void vmem_free_batch(struct vmem *vm, const unsigned long *addrs,
		     unsigned int n, unsigned long size);

/* vmem/vmem_seg.c, for vmem/vmem_leaf.c: segments without the counters */
struct vmem_seg *vmem_seg_carve_leaf(struct vmem *vm, struct vmem_seg *vs,
				     unsigned long addr, unsigned long size);
void vmem_seg_unleaf(struct vmem *vm, struct vmem_seg *vs);

/* vmem/vmem_leaf.c: identifier leaves, under vm_lock but the first */
bool vmem_leaf_alloc_fast(struct vmem *vm, unsigned int policy,
			  unsigned long *addrp);
bool vmem_leaf_wants(const struct vmem *vm, const struct vmem_req *r);
int __vmem_leaf_lock_search(struct vmem *vm, const struct vmem_req *r,
			    struct vmem_seg **vsp, unsigned long *addrp,
			    unsigned long *flags);
int vmem_leaf_free(struct vmem *vm, unsigned long addr, unsigned long size);
bool vmem_leaf_free_fast(struct vmem *vm, unsigned long addr);
struct vmem_leaf *vmem_leaf_of(struct vmem *vm, const struct vmem_seg *vs);
void vmem_leaf_dissolve_all(struct vmem *vm);

/* Does a leaf have a free quantum? */
static inline bool vmem_leaf_anyfree(const struct vmem *vm)
{
	unsigned int i;

	for (i = 0; i < VMEM_NLEAVES; i++)
		if (vm->vm_leaf[i].lf_free)
			return true;
	return false;
}

/*
 * The piece of a leaf (free map @free, @n quanta) that starts at quantum
 * @i: a run of free quanta, or one client's quantum.  Returns where it
 * ends (exclusive), and in *@isfree which it is.
 */
static inline unsigned int vmem_leaf_piece(unsigned long free, unsigned int n,
					   unsigned int i, bool *isfree)
{
	unsigned long taken = ~(free >> i);	/* no bit of @free above n */

	*isfree = free >> i & 1;
	if (!*isfree)
		return i + 1;
	return taken ? min(n, i + (unsigned int)__ffs(taken)) : n;
}

/* The clients' quanta in a leaf. */
static inline unsigned int vmem_leaf_live(const struct vmem_leaf *lf)
{
	return lf->lf_nq - hweight_long(lf->lf_free);
}

/* vmem/vmem_fit.c: fitting requests into free segments, under vm_lock */
bool vmem_fit_low(const struct vmem_req *r, unsigned long lo,
		  unsigned long hi, unsigned long *addrp);
bool vmem_seg_fits(const struct vmem_req *r, const struct vmem_seg *vs,
		   bool top, unsigned long *addrp);
struct vmem_seg *vmem_search(struct vmem *vm, const struct vmem_req *r,
			     unsigned long *addrp);
bool vmem_req_wants_index(const struct vmem_req *r);

/* vmem/vmem_import.c */
int __vmem_import(struct vmem *vm, const struct vmem_req *r,
		  struct vmem_seg **freshp, unsigned long *flags);
#define vmem_import(vm, r, freshp, flags) ({				\
	struct vmem *__vm = (vm);					\
									\
	vmem_cond_locked(__vm, __vmem_import(__vm, r, freshp, flags));	\
})

/*
 * vmem/vmem_hash.c: the allocated-segment hash, under vm_lock.  The
 * operations every allocation and free does are inline here: a call
 * each would cost more than they do.
 */
void vmem_hash_queue_rescale(struct vmem *vm);

static inline struct vmem_seg **vmem_hash_bucket(const struct vmem *vm,
						 unsigned long addr)
{
	return &vm->vm_hash[hash_long(addr >> vm->vm_qshift,
				      vm->vm_hash_shift)];
}

static __always_inline void vmem_hash_insert(struct vmem *vm,
					     struct vmem_seg *vs)
{
	struct vmem_seg **bucket = vmem_hash_bucket(vm, vs->vs_start);

	lockdep_assert_held(&vm->vm_lock);
	vs->vs_hnext = *bucket;
	*bucket = vs;
	if (unlikely(++vm->vm_nbusy > vm->vm_hash_hi))
		vmem_hash_queue_rescale(vm);
}

/*
 * The link that points at the allocated segment starting at @addr, or
 * NULL: vmem_hash_unlink() takes the segment out in O(1) once the caller
 * has checked it.  Each entry passed over is counted (lookup, as
 * illumos's vk_lookup): 0 while every segment is found at the head of its
 * chain.
 */
static __always_inline struct vmem_seg **vmem_hash_find(struct vmem *vm,
							unsigned long addr)
{
	struct vmem_seg **pp = vmem_hash_bucket(vm, addr);

	lockdep_assert_held(&vm->vm_lock);
	for (; *pp; pp = &(*pp)->vs_hnext) {
		if ((*pp)->vs_start == addr)
			return pp;
		vm->vm_kstat.nlookup++;
	}
	return NULL;
}

static __always_inline void vmem_hash_unlink(struct vmem *vm,
					     struct vmem_seg **pp)
{
	lockdep_assert_held(&vm->vm_lock);
	*pp = (*pp)->vs_hnext;
	if (unlikely(--vm->vm_nbusy < vm->vm_hash_lo))
		vmem_hash_queue_rescale(vm);
}

void vmem_hash_init(struct vmem *vm);
void vmem_hash_fini(struct vmem *vm);
void vmem_hash_rescale_work(struct work_struct *work);

/*
 * vmem/vmem.c: vmem_get_stats() and what debugfs shows besides, from one
 * locked section.
 */
struct vmem_stats_ext {
	struct vmem_kstat	kstat;		/* every counter */
	unsigned long		nbusy;		/* live allocations */
	unsigned long		nfreesegs;	/* free segments */
	unsigned long		nunindexed;
	unsigned long		nleafids;	/* clients' IDs in leaves */
	unsigned long		nireserve;	/* big tags in reserve */
	unsigned int		hash_shift;
	bool			indexed;
	bool			sized;
};

void vmem_get_stats_ext(struct vmem *vm, struct vmem_stats *st,
			struct vmem_stats_ext *x);

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
