/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmem_bench.ko: vmem against the kernel's own range allocators, in one
 * boot.  See bench/README.md for the workloads and how to run them.
 *
 * Every contender is driven through the same small interface, so that one
 * loop times them all and one builder gives them all the same layout:
 *
 *   struct bench_ops     an allocator: create and destroy an arena (pool,
 *                        domain, IDA) over [base, base + units), place a
 *                        piece at an exact offset to build a layout, and
 *                        check that the arena reached that layout from its
 *                        own state;
 *   struct bench_row     one way of allocating from it (a policy, a
 *                        request size, a constraint): an allocate and a
 *                        free function, timed as a pair.
 *
 * Offsets and sizes are in units: a page (4096 bytes) for address arenas,
 * one identifier for ID spaces.
 */
#ifndef _VMEM_BENCH_H
#define _VMEM_BENCH_H

#include <linux/bits.h>
#include <linux/types.h>

#define BENCH_UNIT		4096UL		/* bytes per unit: a page */
#define BENCH_BASE		BIT(40)		/* start of address arenas */
#define BENCH_UNITS		BIT(22)		/* units of an address arena */
#define BENCH_ID_UNITS		BIT(31)		/* IDs 0 .. INT_MAX */

/*
 * Layouts, built by placing pieces at exact offsets and then freeing the
 * pieces that are holes.  N is the number of holes (live IDs for PACKED).
 *
 * HOLES1	[hole 1u, live 1u] x N from the bottom, then the free tail
 * HOLES2	[hole 2u, live 1u] x N from the bottom, then the free tail
 * TOP1		the mirror of HOLES1 under a live sentinel unit at the top,
 *		for allocators that search down from the top (iova)
 * NEXT		[hole 2u], [live 1u, hole 1u] x N, the rest live: the only
 *		two-unit fit lies below everything else
 * PACKED	N live units from the bottom, then the free tail
 *
 * N = 0 is a fresh arena of a power-of-two size (NEXT(0) keeps its 2u
 * hole and its live rest).
 */
enum bench_layout_kind {
	BL_HOLES1,
	BL_HOLES2,
	BL_TOP1,
	BL_NEXT,
	BL_PACKED,
	BL_NKINDS,
};

#define BL_BIT(k)		(1U << (k))

/* Where a row's allocation is expected to land, checked once per layout. */
enum bench_where {
	BW_ANY,		/* no claim (slab objects) */
	BW_HOLE,	/* inside one of the holes (the NEXT hole for N = 0) */
	BW_REST,	/* past every piece: the free tail */
	BW_LOWEST,	/* exactly the lowest free unit (PACKED: unit N) */
	BW_LIVE,	/* never expected: a live piece was handed out */
};

struct bench_layout {
	enum bench_layout_kind	kind;
	unsigned long		n;
	unsigned long		units;		/* size of the space */
};

struct bench_ops;

/*
 * struct bench_arena - One contender's arena and the layout it holds.
 * @ops: the allocator
 * @name: a name for the arena (vmem debugfs, slab cache)
 * @base: first address (or ID) of the space
 * @unit: bytes (or IDs) per unit
 * @units: size of the space in units
 * @priv: the allocator's object (struct vmem, gen_pool, iova_domain, ...)
 * @limit: the allocator's own upper limit, when it needs one (iova)
 * @live: handles of the live pieces of the layout, in placement order
 * @nlive: number of them
 * @live_units: units they hold
 * @sentinel: index in @live of the TOP1 sentinel, or -1
 * @layout: the layout built, or none (n = 0, no pieces)
 * @err: set by an untimed step that found the layout broken
 * @cursor: where the packed run of pieces from the bottom ends, in units
 */
struct bench_arena {
	const struct bench_ops	*ops;
	const char		*name;
	unsigned long		base;
	unsigned long		unit;
	unsigned long		units;
	void			*priv;
	unsigned long		limit;
	unsigned long		*live;
	unsigned long		nlive;
	unsigned long		live_units;
	long			sentinel;
	struct bench_layout	layout;
	int			err;
	unsigned long		cursor;
};

/*
 * struct bench_ops - An allocator under test.
 * @name: short name, first word of its rows' names
 * @ids: an identifier allocator (unit 1, space BENCH_ID_UNITS)
 * @place_down: pieces must be placed highest first
 * @cached: a cache in front of the arena may keep what the rows freed, so
 *	the layout is not checked again after them
 * @create: make an empty arena over [base, base + units * unit)
 * @destroy: free it; every live piece has been released before
 * @place: allocate exactly [off, off + units) (in units), return a handle;
 *	NULL for allocators that cannot place (slab): they get no layout
 * @release: free a piece or an allocation by its handle
 * @offset: the unit offset of a handle, for the landing check
 * @check: does the arena's own state show layout @l?  Writes what it saw
 *	to @buf; returns 0 or -EBADMSG
 * @usage: units allocated, by the allocator's own count; NULL if it keeps
 *	none
 * @settle: let the allocator's deferred work (a table resize) finish
 *	before a row is timed, or NULL
 */
struct bench_ops {
	const char	*name;
	bool		ids;
	bool		place_down;
	bool		cached;
	int		(*create)(struct bench_arena *a);
	void		(*destroy)(struct bench_arena *a);
	int		(*place)(struct bench_arena *a, unsigned long off,
				 unsigned long units, unsigned long *h);
	void		(*release)(struct bench_arena *a, unsigned long h,
				   unsigned long units);
	unsigned long	(*offset)(struct bench_arena *a, unsigned long h);
	int		(*check)(struct bench_arena *a,
				 const struct bench_layout *l,
				 char *buf, size_t len);
	long		(*usage)(struct bench_arena *a);
	void		(*settle)(struct bench_arena *a);
};

/*
 * struct bench_row - One allocate+free pair of one contender.
 * @name: what the pair does, e.g. "vmem instant-fit"
 * @req: the request, e.g. "2u" or "16u align 64K"
 * @ops: the allocator
 * @units: request size in units
 * @alloc: allocate @units, return a handle; 0 or -errno
 * @free: free it
 * @between: untimed step between timed pairs (iova: move the cached
 *	search position back to the top), or NULL
 * @usable: does the arena have the feature this row times?  NULL: yes.
 *	Returns false and says why in @why (a missing quantum cache).
 * @layouts: BL_BIT()s of the layouts the row runs on
 * @where: where the first allocation must land (for N > 0)
 * @nmax: largest N the row runs at (ULONG_MAX: all)
 * @smp: the row also runs in workload 6 (every CPU at once)
 * @random: the row also runs in workload 7 (random sizes)
 */
struct bench_row {
	const char		*name;
	const char		*req;
	const struct bench_ops	*ops;
	unsigned long		units;
	int			(*alloc)(struct bench_arena *a,
					 unsigned long units, unsigned long *h);
	void			(*free)(struct bench_arena *a, unsigned long h,
					unsigned long units);
	void			(*between)(struct bench_arena *a);
	bool			(*usable)(struct bench_arena *a,
					  char *why, size_t len);
	unsigned int		layouts;
	enum bench_where	where;
	unsigned long		nmax;
	bool			smp;
	bool			random;
};

/* The contenders (bench_vmem.c, bench_genpool.c, ...). */
extern const struct bench_ops bench_vmem_ops;
extern const struct bench_ops bench_vmem_qc_ops;
extern const struct bench_ops bench_vmem_ids_ops;
extern const struct bench_ops bench_vmem_idqc_ops;
extern const struct bench_ops bench_genpool_ops;
extern const struct bench_ops bench_ida_ops;
extern const struct bench_ops bench_iova_ops;
extern const struct bench_ops bench_iova_rc_ops;
extern const struct bench_ops bench_slab_ops;

extern const struct bench_row bench_vmem_rows[];
extern const struct bench_row bench_genpool_rows[];
extern const struct bench_row bench_ida_rows[];
extern const struct bench_row bench_iova_rows[];
extern const struct bench_row bench_slab_rows[];
extern const unsigned int bench_vmem_nrows, bench_genpool_nrows;
extern const unsigned int bench_ida_nrows, bench_iova_nrows;
extern const unsigned int bench_slab_nrows;

/* bench_layout.c */
const char *bench_layout_name(enum bench_layout_kind kind);
enum bench_where bench_layout_where(const struct bench_layout *l,
				    unsigned long off, unsigned long units);
unsigned long bench_layout_free_runs(const struct bench_layout *l);
unsigned long bench_layout_pieces(const struct bench_layout *l);
void bench_layout_piece(const struct bench_layout *l, unsigned long p,
			unsigned long *off, unsigned long *units, bool *hole);
int bench_arena_create(struct bench_arena *a, const struct bench_ops *ops,
		       unsigned long units, unsigned long max_pieces);
int bench_layout_build(struct bench_arena *a, enum bench_layout_kind kind,
		       unsigned long n);
void bench_arena_destroy(struct bench_arena *a);

/* bench_main.c */
extern bool bench_icount;

/*
 * bench_json.c: the results, one JSON object per line on the kernel log,
 * built a field at a time.  One object at a time: the driver and the
 * workloads run in one thread.
 */
void bench_json_start(const char *type);
void bench_json_str(const char *key, const char *val);
void bench_json_u64(const char *key, u64 val);
void bench_json_s64(const char *key, s64 val);
void bench_json_end(void);

/* bench_smp.c: workload 6 */
int bench_smp_run(const struct bench_row *rows[], unsigned int nrows,
		  unsigned int rounds, u64 round_ns);

/* bench_random.c: workload 7 */
int bench_random_run(const struct bench_row *row, unsigned long steps);

/* bench_mem.c: workload 8 */
int bench_mem_run(const struct bench_ops *ops, enum bench_layout_kind kind,
		  unsigned long n);

#endif /* _VMEM_BENCH_H */
