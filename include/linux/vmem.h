/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmem: a general resource allocator for Linux.
 *
 * An arena is a set of integers (addresses, IOVAs, device offsets,
 * identifiers) made of spans.  vmem hands out ranges of it under
 * size, alignment, phase, boundary and address constraints.  The design
 * follows Bonwick & Adams, "Magazines and Vmem: Extending the Slab
 * Allocator to Many CPUs and Arbitrary Resources", USENIX 2001; the code
 * is written for Linux.  See Documentation/vmem.rst.
 *
 * Ranges are half-open, [addr, addr + size), and a span may reach the top
 * of the unsigned long space: its last integer is addr + size - 1, which
 * never overflows.  Address 0 is an ordinary allocatable address, so every
 * call that allocates returns an errno and passes the address out through
 * a pointer.
 */
#ifndef _LINUX_VMEM_H
#define _LINUX_VMEM_H

#include <linux/types.h>

struct vmem;

/**
 * DOC: Allocation flags
 *
 * The @vmflags argument of every call that allocates holds exactly one of
 * VMEM_SLEEP and VMEM_NOSLEEP, and at most one placement policy
 * (VMEM_INSTANTFIT when none is given).  The identifier calls and
 * vmem_add() take no policy.  Anything else is -EINVAL.
 *
 * Callers that must not recurse into the filesystem or block I/O use the
 * scoped memalloc_nofs_save()/memalloc_noio_save() API around VMEM_SLEEP
 * calls, as the rest of the kernel does.
 *
 * A vmem_alloc() of a size an arena caches (up to its qcache_max, see
 * vmem_create()) is served by that size's quantum cache whatever the
 * policy: from this CPU's magazines when they hold a range, which is then
 * whichever range was freed there last.  The policy governs where the
 * cache's refills carve their ranges (a run of them at a time), and the
 * placement of vmem_xalloc() and of larger sizes exactly.
 *
 * Pairing: a range from vmem_alloc() is freed with vmem_free(), one from
 * vmem_xalloc() with vmem_xfree(), always with the size asked for.
 * vmem_free() of a cached size puts the range into a per-CPU magazine
 * without looking it up, so a bad vmem_free() there is only reported when
 * the magazine goes back to the arena; vmem_xfree() of a range a cache
 * handed out is rejected and reported at once.
 */

/**
 * define VMEM_SLEEP - The call may sleep.
 *
 * Boundary tags are allocated with GFP_KERNEL, the import function is
 * called with VMEM_SLEEP, and an allocation that finds no room (in the
 * arena, its quantum caches or its source) waits until a free or
 * vmem_add() makes some; a fatal signal ends the wait with -EINTR.
 * vmem_id_alloc_specific() never waits for its identifier.  Process
 * context only.
 */
#define VMEM_SLEEP		0x00000001u

/**
 * define VMEM_NOSLEEP - The call never sleeps.
 *
 * It may be made from any context but NMI: process, softirq, hardirq,
 * under a spinlock.  Where VMEM_SLEEP would wait for room it fails at once
 * with -ENOSPC; it fails with -ENOMEM when no boundary tag can be had.
 */
#define VMEM_NOSLEEP		0x00000002u

/**
 * define VMEM_INSTANTFIT - Any fit, in constant time (the default policy).
 *
 * Takes the low end of the first segment of the lowest non-empty freelist
 * whose every member is large enough; falls back to a search of the
 * freelists that may hold a fit, so it never fails while a fit exists.
 */
#define VMEM_INSTANTFIT		0x00000010u

/**
 * define VMEM_BESTFIT - The fit in the smallest free segment.
 *
 * The lowest fitting address inside a free segment of the smallest size
 * among those that hold a fit.
 */
#define VMEM_BESTFIT		0x00000020u

/**
 * define VMEM_FIRSTFIT - The lowest fitting address.
 */
#define VMEM_FIRSTFIT		0x00000040u

/**
 * define VMEM_NEXTFIT - The lowest fit at or above the rotor, else the lowest.
 *
 * The rotor is where the arena's previous next-fit allocation ended, so
 * integers are handed out in rotation: a freed one comes back from next
 * fit only when the rotor has gone round the arena to it.  For
 * identifiers.
 */
#define VMEM_NEXTFIT		0x00000080u

/**
 * define VMEM_TOPDOWN - The highest fitting address.
 */
#define VMEM_TOPDOWN		0x00000100u

/**
 * define VMEM_SLEEP_MASK - VMEM_SLEEP and VMEM_NOSLEEP.
 */
#define VMEM_SLEEP_MASK		(VMEM_SLEEP | VMEM_NOSLEEP)

/**
 * define VMEM_POLICY_MASK - Every placement policy.
 */
#define VMEM_POLICY_MASK	(VMEM_INSTANTFIT | VMEM_BESTFIT | \
				 VMEM_FIRSTFIT | VMEM_NEXTFIT | VMEM_TOPDOWN)

/**
 * define VMC_IDENTIFIER - The arena holds identifiers, not memory.
 *
 * A flag of vmem_create(): leak reports and statistics count IDs, not
 * bytes.
 */
#define VMC_IDENTIFIER		0x00010000u

/**
 * define VMC_NO_QCACHE - Never put quantum caches in front of the arena.
 *
 * A flag of vmem_create(), whatever its @qcache_max says.
 */
#define VMC_NO_QCACHE		0x00020000u

/**
 * define VMEM_ADDR_MIN - The @minaddr of vmem_xalloc() that sets no limit.
 */
#define VMEM_ADDR_MIN		0UL

/**
 * define VMEM_ADDR_MAX - The @maxaddr of vmem_xalloc() that sets no limit.
 *
 * @maxaddr is the highest allowed last integer, inclusive, and this is
 * the only value that sets no limit: a @maxaddr of 0 is the address 0.
 */
#define VMEM_ADDR_MAX		(~0UL)

/**
 * define VMEM_ALLOC - Allocated segments, for vmem_walk() and vmem_arena_size().
 */
#define VMEM_ALLOC		0x01u

/**
 * define VMEM_FREE - Free segments, for vmem_walk() and vmem_arena_size().
 */
#define VMEM_FREE		0x02u

/**
 * define VMEM_SPAN - Spans, for vmem_walk() and vmem_arena_size().
 */
#define VMEM_SPAN		0x10u

/**
 * typedef vmem_import_fn - Import a span for an arena from its source.
 * @source: the source arena given to vmem_create()
 * @size: bytes wanted; a multiple of the importing arena's quantum, and of
 *	the source's when @source is not NULL
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP, as the allocation that needs it
 * @addrp: where to store the start of the imported range
 *
 * vmem_alloc() has this type, so an arena that imports from another
 * passes vmem_alloc and vmem_free; the arena then asks its source for a
 * span that meets the request's constraints.  Other import functions get
 * the size plus the worst alignment padding and one nocross block.
 * Called without any vmem lock held, in the context of the allocation
 * that needs the span; it must honour @vmflags (no sleeping with
 * VMEM_NOSLEEP).  The range must start and end on multiples of the
 * importing arena's quantum, must not be empty, wrap past ULONG_MAX or
 * overlap the arena's spans: else it is released, the allocation fails
 * with -EINVAL, and the arena reports the misuse.
 *
 * Return: 0 and *@addrp set; -ENOSPC when the source has no room (the
 * allocation then fails with -ENOSPC or, with VMEM_SLEEP, waits for a
 * free); -ENOMEM or another negative errno, which the allocation returns
 * at once.
 */
typedef int (*vmem_import_fn)(struct vmem *source, unsigned long size,
			      unsigned int vmflags, unsigned long *addrp);

/**
 * typedef vmem_ximport_fn - Import a span; may give more than asked.
 * @source: the source arena given to vmem_xcreate()
 * @sizep: in: bytes wanted; out: bytes imported, at least as many
 * @vmflags: VMEM_SLEEP or VMEM_NOSLEEP
 * @addrp: where to store the start of the imported range
 *
 * Return: 0 with *@addrp and *@sizep set; -ENOSPC or another negative
 * errno, as for vmem_import_fn.
 */
typedef int (*vmem_ximport_fn)(struct vmem *source, unsigned long *sizep,
			       unsigned int vmflags, unsigned long *addrp);

/**
 * typedef vmem_release_fn - Give an imported span back to its source.
 * @source: the source arena
 * @addr: start of the span, as the import function returned it
 * @size: size of the span, as imported
 *
 * vmem_free() has this type.  Called without any vmem lock held, in the
 * context of what made the span wholly free: a free, vmem_destroy(), an
 * allocation that imported a span it could not use, or a drain of the
 * arena's quantum caches (an allocation's flush on exhaustion, which may
 * run in hard interrupt context, vmem_qcache_flush(), the caches' update
 * work, their shrinker, the CPU-hotplug teardown).  It must not sleep if
 * the arena is used from atomic context or has quantum caches.
 */
typedef void (*vmem_release_fn)(struct vmem *source, unsigned long addr,
				unsigned long size);

/**
 * typedef vmem_walk_fn - Callback of vmem_walk().
 * @arg: the argument given to vmem_walk()
 * @addr: start of the segment or span
 * @size: its size
 */
typedef void (*vmem_walk_fn)(void *arg, unsigned long addr,
			     unsigned long size);

struct vmem *vmem_create(const char *name, unsigned long base,
			 unsigned long size, unsigned long quantum,
			 vmem_import_fn import, vmem_release_fn release,
			 struct vmem *source, unsigned long qcache_max,
			 unsigned int flags);
struct vmem *vmem_xcreate(const char *name, unsigned long base,
			  unsigned long size, unsigned long quantum,
			  vmem_ximport_fn import, vmem_release_fn release,
			  struct vmem *source, unsigned long qcache_max,
			  unsigned int flags);
void vmem_destroy(struct vmem *vm);

int __must_check vmem_add(struct vmem *vm, unsigned long addr,
			  unsigned long size, unsigned int vmflags);

int __must_check vmem_alloc(struct vmem *vm, unsigned long size,
			    unsigned int vmflags, unsigned long *addrp);
void vmem_free(struct vmem *vm, unsigned long addr, unsigned long size);

int __must_check vmem_xalloc(struct vmem *vm, unsigned long size,
			     unsigned long align, unsigned long phase,
			     unsigned long nocross, unsigned long minaddr,
			     unsigned long maxaddr, unsigned int vmflags,
			     unsigned long *addrp);
void vmem_xfree(struct vmem *vm, unsigned long addr, unsigned long size);

bool vmem_contains(struct vmem *vm, unsigned long addr, unsigned long size);
void vmem_walk(struct vmem *vm, unsigned int typemask, vmem_walk_fn func,
	       void *arg);
unsigned long vmem_arena_size(struct vmem *vm, unsigned int typemask);
unsigned long vmem_quantum(struct vmem *vm);
const char *vmem_name(struct vmem *vm);
unsigned long vmem_qcache_flush(struct vmem *vm);

/**
 * struct vmem_stats - A consistent snapshot of an arena's counters.
 * @mem_inuse: bytes (or IDs) allocated by clients: not free, not cached
 * @mem_free: bytes free in the arena's spans, cached ones included
 * @mem_cached: bytes, of @mem_free, that quantum caches hold: allocated
 *	segments of the arena, ready to be handed out, given back on
 *	exhaustion or by vmem_qcache_flush()
 * @mem_total: bytes in all spans
 * @mem_import: bytes in spans imported from the source
 * @nalloc: successful allocations of segments (those of quantum caches'
 *	refills included; the caches count theirs, see
 *	vmem_qcache_get_stats())
 * @nfree: successful frees of segments (caches' drains included)
 * @nfail: allocations that failed after their arguments were checked
 * @nwait: times an allocation slept waiting for room
 * @nimport: spans imported
 * @nrelease: imported spans given back
 * @nbadfree: rejected frees (not allocated, wrong size, double free)
 * @nsegs: boundary tags on the segment list (segments and span headers)
 * @nspans: spans
 * @hash_buckets: buckets of the allocated-segment hash table
 * @hash_rescales: times the hash table was resized
 * @tags_reserved: small boundary tags held in the arena's reserve (the
 *	reserve of big tags is not counted)
 * @nqcache: quantum caches: sizes of 1 to @nqcache quanta are cached
 * @nleaves: identifier leaves: runs of up to BITS_PER_LONG quanta that an
 *	identifier arena hands out one at a time from a bitmap (see
 *	"Identifier leaves" in Documentation/vmem.rst); each is one
 *	allocated segment in @nsegs, and its clients' quanta count in
 *	@nalloc, @nfree and @mem_inuse one by one
 *
 * The snapshot of the segment counters is taken under the arena lock;
 * @mem_cached (and with it @mem_inuse and @mem_free) is summed from the
 * caches just before, exact when no cached allocation or free runs
 * meanwhile.  The mem_* sizes are exact otherwise, except that a size of
 * 2^BITS_PER_LONG (an arena whose spans cover every integer) reads
 * ULONG_MAX.
 */
struct vmem_stats {
	unsigned long mem_inuse;
	unsigned long mem_free;
	unsigned long mem_cached;
	unsigned long mem_total;
	unsigned long mem_import;
	u64 nalloc;
	u64 nfree;
	u64 nfail;
	u64 nwait;
	u64 nimport;
	u64 nrelease;
	u64 nbadfree;
	unsigned long nsegs;
	unsigned long nspans;
	unsigned long hash_buckets;
	u64 hash_rescales;
	unsigned long tags_reserved;
	unsigned int nqcache;
	unsigned int nleaves;
};

void vmem_get_stats(struct vmem *vm, struct vmem_stats *st);

/**
 * struct vmem_qcache_stats - The counters of one quantum cache.
 * @size: the size it serves, in bytes (or IDs): a multiple of the quantum
 * @magsize: rounds (ranges) per magazine made from now on
 * @nalloc: allocations that came to the cache (@alloc_hits +
 *	@alloc_misses), failed ones included
 * @nfree: frees that came to the cache (@free_hits + @free_misses)
 * @alloc_hits: allocations served by a CPU's own two magazines
 * @alloc_misses: allocations that went on to the depot or the arena
 * @free_hits: frees taken by a CPU's own two magazines
 * @free_misses: frees that went on to the depot or the arena
 * @depot_gets: full magazines a CPU took from the depot
 * @depot_puts: full magazines a CPU gave to the depot
 * @depot_contention: times a CPU found the depot lock taken
 * @nresize: times the magazine size grew (under depot contention)
 * @nupdate: runs of the periodic depot update (working set, trim, resize)
 * @cpu_rounds: ranges held in CPU magazines (of the CPU asked for, or
 *	all)
 * @cpu_mags: magazines CPUs hold (loaded and previous)
 * @depot_rounds: ranges held in the depot's full magazines
 * @depot_full: full magazines in the depot
 * @depot_empty: empty magazines in the depot
 */
struct vmem_qcache_stats {
	unsigned long size;
	unsigned int magsize;
	u64 nalloc;
	u64 nfree;
	u64 alloc_hits;
	u64 alloc_misses;
	u64 free_hits;
	u64 free_misses;
	u64 depot_gets;
	u64 depot_puts;
	u64 depot_contention;
	u64 nresize;
	u64 nupdate;
	unsigned long cpu_rounds;
	unsigned long cpu_mags;
	unsigned long depot_rounds;
	unsigned long depot_full;
	unsigned long depot_empty;
};

int vmem_qcache_get_stats(struct vmem *vm, unsigned int index, int cpu,
			  struct vmem_qcache_stats *st);
int vmem_check(struct vmem *vm);

/*
 * Identifier spaces: arenas of quantum 1 holding the integers
 * [low, high), allocated one at a time.  vmem_idspace_create() makes one
 * without quantum caches.  A space that caches is vmem_create(name, low,
 * high - low, 1, NULL, NULL, NULL, 1, VMC_IDENTIFIER), used with the same
 * calls; there vmem_id_alloc() and vmem_id_allocff() hand out identifiers
 * from this CPU's magazines, which refills fill with runs of consecutive
 * identifiers at the rotor (the lowest free ones for vmem_id_allocff()),
 * and vmem_id_free() puts them there: a freed identifier may come back at
 * once, and next fit's rotation holds only for what refills carve.
 */
struct vmem *vmem_idspace_create(const char *name, unsigned long low,
				 unsigned long high);
void vmem_idspace_destroy(struct vmem *ids);
int __must_check vmem_idspace_extend(struct vmem *ids, unsigned long low,
				     unsigned long high);
int __must_check vmem_id_alloc(struct vmem *ids, unsigned int vmflags,
			       unsigned long *idp);
int __must_check vmem_id_allocff(struct vmem *ids, unsigned int vmflags,
				 unsigned long *idp);
int __must_check vmem_id_alloc_range(struct vmem *ids, unsigned long min,
				     unsigned long max, unsigned int vmflags,
				     unsigned long *idp);
int __must_check vmem_id_alloc_specific(struct vmem *ids, unsigned long id,
					unsigned int vmflags);
void vmem_id_free(struct vmem *ids, unsigned long id);

#endif /* _LINUX_VMEM_H */
