// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem: arenas, spans, segments, imports and constrained allocation.
 *
 * Written for Linux after Jeff Bonwick and Jonathan Adams, "Magazines and
 * Vmem: Extending the Slab Allocator to Many CPUs and Arbitrary
 * Resources", USENIX Annual Technical Conference, 2001.
 */

/**
 * DOC: vmem theory of operation
 *
 * 1. Arenas, spans and segments
 * -----------------------------
 *
 * An *arena* is a set of integers: addresses, IOVAs, offsets into device
 * memory, identifiers.  It is the union of *spans*, disjoint ranges added
 * by vmem_add() (vmem_create() adds the first) or imported from a
 * *source* arena.  Each span is cut into *segments*, allocated or free,
 * which tile it exactly.  Every allocated segment is one allocation; no
 * two free segments are adjacent, because a free merges with its free
 * neighbours; and no segment crosses a span boundary, not even between
 * adjacent spans.  Every range is half-open, [start, start + size), but is
 * stored as (start, size), so that a span may end at ULONG_MAX: its last
 * integer, start + size - 1, never overflows.  Every start and size is a
 * multiple of the arena's *quantum*, a power of two.
 *
 * One *boundary tag* describes each span and segment.  The arena keeps
 * them all on one list in address order, each span's header first, then
 * its segments; the list head is a tag too (vm_seg0), so that a segment's
 * neighbours can be looked at without checking for the end of the list,
 * and a freed segment merges with them in O(1).  Other tags sit on the
 * list without describing integers: the next-fit rotor and the place
 * holders of vmem_walk() and of the index work.  These *markers* are
 * skipped when looking for neighbours.
 *
 * Tags come in two sizes.  A *small tag*, struct vmem_seg (56 bytes on
 * 64-bit), holds the range, the list links, and a freelist link or a hash
 * link.  A *big tag*, struct vmem_iseg (112 bytes), adds the links of the
 * trees of section 2.  Allocated segments always have small tags.  Span
 * headers always have big tags and sit in vm_span_tree, by start, so that
 * vmem_add(), an import and vmem_contains() find a span in O(log spans).
 * Free segments have big tags in an indexed arena (but those the index
 * work has still to convert), small ones otherwise.
 *
 * 2. Finding a free segment
 * -------------------------
 *
 * Freelists.  Every free segment is on one of BITS_PER_LONG freelists.
 * A free segment of size s goes on list ilog2(s), and list n holds free
 * segments of sizes [2^n, 2^(n+2)): a segment stays on its list as it
 * shrinks and grows, and moves to list ilog2(s) only when its size leaves
 * that range (vmem_freelist_resize()).  So the free segment that an
 * allocate and free pair shrinks below a power of two and grows back does
 * not move back and forth.  Bit n of vm_freemap is set iff list n is not
 * empty.  Lists are LIFO.
 *
 * Instant fit, the default policy, serves a request of size s in O(1).
 * Every segment on list fls(s - 1) or above is at least 2^fls(s - 1) >= s
 * large, so the first segment of the lowest non-empty such list, one
 * __ffs() of the masked freemap away, fits; the request is carved from
 * its low end.  When all those lists are empty, the lists that may hold
 * a segment of size s, from ilog2(s) - 1 up, are searched segment by
 * segment, so that instant fit fails only when no free segment fits.
 *
 * The index.  The other policies are defined by addresses (first fit: the
 * lowest fitting address; top-down: the highest; next fit: the lowest at or
 * above the rotor) or by sizes (best fit: the lowest fitting address in a
 * smallest free segment that holds one), and a window (a minaddr or a
 * maxaddr) orders any request by addresses.  The freelists know neither
 * order.  So an arena gets an *index* (vmem/vmem_index.c) at its first
 * request whose policy is not instant fit or that has a window
 * (vmem_req_wants_index()): a vmem_alloc() or vmem_xalloc() with a policy
 * flag or a window, which every identifier call is, or a quantum cache's
 * refill for one.  From then on every new free segment takes a big tag from
 * the arena's big reserve (section 6).  vmem_index_start() converts the
 * free segments the arena has then at once, in the caller's context and as
 * far as memory allows, when they are at most 64; else the index work
 * converts them, a batch at a time with the lock dropped between batches.
 * A free that finds the big reserve empty gives its free segment a small
 * tag and queues the index work.  vm_nunindexed counts the free segments
 * with small tags; while it is not 0 the searches use the lists, as in an
 * unindexed arena: slower, and as exact.  An arena that never asks pays
 * nothing:  small tags, no trees, and one flag test per call.
 *
 * vm_addr_tree holds the big free tags by start.  It is augmented with
 * vis_max, an upper bound of the largest size in each subtree.  An insert
 * or a growth raises the bounds on its path at once, since a search must
 * never miss room; an erase or a shrink does not lower them, so that
 * carving from the largest free segment and giving the carve back do not
 * walk to the root and back.  A descent that enters a subtree whose bound
 * turns out to be stale recomputes the bounds from that node up and
 * tries again; each retry lowers a stale bound for good, so the
 * searches are O(log n) amortized, n the free segments.  First fit
 * descends to the lowest segment of size s or more that ends at or above
 * minaddr; top-down is its mirror image; next fit is first fit from the
 * rotor, then from the bottom.
 *
 * vm_size_tree holds the big free tags by (size, start).  Only best fit
 * needs it, so it is kept from the arena's first best-fit request on
 * (vmem_index_size_start()), built at once or by the work as above.
 * Best fit takes the first node of size s or more and goes on in (size,
 * start) order to the first that holds a fit.  Until the size tree is
 * whole, best fit searches the freelists: the smallest segment that fits,
 * from list ilog2(s) - 1 up, stopping at an exact fit or at the first
 * list whose lower bound is no smaller than the best so far (the lists
 * overlap, so a fit on one does not end the search).
 *
 * In an indexed arena instant fit keeps to the freelists, but for a
 * window, which it serves as first fit does.  A plain request (no
 * alignment beyond the quantum, no nocross, no window) of the other
 * policies, by vmem_alloc(), takes one search of a tree under the lock
 * (vmem_alloc_ordered()), as instant fit takes one bitmap lookup
 * (vmem_alloc_instant()).  Without
 * the index, first fit walks the segment list from the bottom, top-down
 * from the top and next fit from the rotor marker: O(segments).
 *
 * Next fit.  The rotor is vm_rotor_addr, the end (addr + size) of the
 * arena's previous next-fit allocation, 0 when that one ended at the top
 * of the space; a marker behind that allocation on the segment list
 * serves the list walk.  A next-fit search takes the lowest fit at or
 * above the rotor, else it wraps to the lowest fit of all.  A quantum
 * cache's refill for a next-fit call moves the rotor past the last range
 * it carved.
 * After an import, next fit takes the lowest fit at or above the rotor
 * inside the new span when there is one, so that a span given back and
 * imported again does not hand out what was just freed.  So an integer
 * freed below the rotor comes back from next fit only after the rotor has
 * gone round: after a search has found no fit between the rotor and the
 * top.  One freed above the rotor comes back when the rotor gets there.
 * That is all "not reused soon" means: how soon depends on the size of
 * the space and the rate of allocation.
 *
 * 3. Constrained allocation
 * -------------------------
 *
 * vmem_xalloc() adds alignment and phase (addr mod align = phase), a
 * boundary not to cross (nocross: addr and addr + size - 1 lie in one
 * nocross-aligned block) and an inclusive window [minaddr, maxaddr] for
 * the first and the last integer, rounded inward to the quantum (minaddr
 * up, maxaddr + 1 down; VMEM_ADDR_MAX stays the top).  vmem_xreq_init()
 * refuses with -EINVAL what no arena could satisfy.  Inside one free
 * segment, the lowest fitting start (vmem_fit_low()), or the highest for
 * top-down, is found in O(1) with mask arithmetic: the first candidate at
 * the phase, and if that one crosses a boundary, the first candidate
 * after the boundary, which fits in its block because the sum of phase
 * mod nocross and size is at most nocross.
 *
 * Instant fit first searches the lists whose every member holds the
 * size plus the worst alignment padding, size + align - quantum: the
 * first segment there holds an aligned start, and only nocross or a
 * window can refuse it.  Then the lists below, down to ilog2(size) - 1,
 * segment by segment.  So a request that many small holes cannot satisfy
 * does not look at them, and it is O(1) whenever a segment of the padded
 * size is free.  A window orders the search by addresses: the address
 * tree is searched from the window's first free segment to its last, so
 * only the segments that straddle its edges can fail it.  Best fit is the
 * exception: it walks the size tree, and passes over the segments outside
 * the window one by one.
 *
 * The pathological case is left: many free segments large enough for
 * the size, but none holding an aligned start (or one whose range keeps
 * off a nocross boundary, or, for best fit, one inside the window); call
 * them *near fits*.  Every search visits each near fit on its way to a fit
 * or to failure: the lists segment by segment, the trees node by node in
 * their order.  A near fit costs the O(1) fit arithmetic plus the step to
 * the next candidate: O(1) on a freelist, O(1) amortized in the size tree,
 * O(log n) at worst in the address tree.  So such a search is O(near fits)
 * (O(near fits * log n) in the address tree), under the arena lock with
 * interrupts off.  Instant fit with alignment meets near fits only below
 * the lists of the padded size, when no segment of that size is free, or on
 * them when nocross refuses their first segments.
 *
 * 4. Importing and releasing spans
 * --------------------------------
 *
 * An arena with an import function imports a span when its own search
 * finds no fit, never while it has one (vmem_alloc_req()).  The import
 * runs without the arena's lock; the span is then added and the request
 * carved from it in one locked section, so that no one sees the span
 * wholly free, where the request's policy puts it inside the span
 * (vmem_fit_fresh()).  How much is asked for (vmem/vmem_import.c):
 *
 * - When the import function is vmem_alloc() on a vmem source, and the
 *   request is plain and the arena's quantum is at most the source's:
 *   vmem_alloc() of the size rounded up to the source's quantum.
 * - When the import function is vmem_alloc() otherwise: the smallest span
 *   that holds a fit, asked for with vmem_xalloc() with the constraints
 *   translated into the source's terms (vmem_import_xalloc()).  With Q
 *   the larger of the two quanta and off = phase mod Q, the source is
 *   asked for round_up(off + size, Q) integers, aligned to max(align, Q)
 *   at phase - off, with the nocross when it is at least Q (a smaller one
 *   is met inside the span), starting from round_up(minaddr - off, Q) to
 *   round_down(maxaddr - size + 1 - off, Q).  When align is below Q, the
 *   block of minaddr may hold fits only above offset phase: its lowest fit
 *   is asked for first, as an exact range.  The source is asked with no
 *   policy flag and the caller's VMEM_SLEEP or VMEM_NOSLEEP; its -EINVAL
 *   (no span can meet the constraints) counts as -ENOSPC.  So a request
 *   fails only when neither the arena nor the source has room for it.
 * - Any other import function, and every vmem_ximport_fn: size + (align -
 *   quantum) + nocross, rounded up to the source's quantum when there is
 *   a source: a span that holds a fit wherever it lies.  The window is not
 *   passed on; a span that cannot hold the request (outside the window)
 *   is given back at once, and the request imports no more before it has
 *   waited.
 *
 * The range an import returns must start and end on quantum boundaries,
 * must not be empty, wrap past ULONG_MAX, or overlap a span; else it is
 * given back, the request fails with -EINVAL and the arena reports the
 * misuse (section 5).  An import that fails with -ENOSPC lets the request
 * go on to the quantum caches' flush and the wait; any other error is
 * returned as it is.
 *
 * When a free, or the drain of a quantum cache's magazine, leaves an
 * imported span wholly free, the span leaves the arena in the same locked
 * section, and the release function gets it back, with the start and
 * size that were imported, once the lock is dropped.  Spans added by
 * vmem_add() stay.  Import and release run without the arena's lock held,
 * so an arena may import from an arena that imports in turn.
 *
 * 5. Allocated segments
 * ---------------------
 *
 * vmem_free() gets an address and a size.  The allocated segment is found
 * in a hash table keyed by its start (vmem/vmem_hash.c), which starts as
 * 16 buckets inside the arena.  When the number of allocated segments
 * leaves one to four per bucket (below one only counts above 16 buckets),
 * the hot path queues a work item, which allocates a table of one to two
 * segments per bucket with GFP_KERNEL, up to 2^24 buckets, and moves the
 * chains under the lock.  The segment's neighbours on the segment list are
 * its neighbours in the address space, so merging with them is O(1), and
 * O(log n) in an indexed arena, whose trees learn of the change.
 *
 * A free whose (addr, size) is not one allocated segment, size rounded up
 * to the quantum, leaves the arena as it was, is counted (nbadfree) and
 * is reported by vmem_bad_free() as "vmem NAME: bad free [ADDR, +SIZE):"
 * followed by "not allocated", "wrong size, allocated with size S", or,
 * for vmem_xfree() of a quantum cache's range, "cached, free with
 * vmem_free()".  vmem_report() makes the first misuse of each arena (a
 * bad free, or a bad import of section 4) a WARN with a backtrace and the
 * later ones rate-limited pr_info lines.  An arena with VMC_QUIET_BADFREE
 * reports them all with pr_info; vmem_create() refuses that flag, and
 * only a test that misuses an arena on purpose sets it, directly in
 * vm_flags of an arena it has just made.
 *
 * 6. Boundary tag reserve
 * -----------------------
 *
 * No memory is allocated under the arena lock.  Tags come from two
 * per-arena reserves, of small and of big tags, filled before the lock is
 * taken (vmem_lock_reserved()) with GFP_KERNEL or GFP_NOWAIT as the
 * caller's VMEM_SLEEP or VMEM_NOSLEEP allows, and checked again under the
 * lock.  A step takes VMEM_TAGS_PER_OP (2) small tags: a carve from the
 * middle of a free segment needs one for the allocation and one for the
 * free part on its left.  A span takes a big tag for its header and a tag
 * for its free segment; an import takes those and a carve's.  In an
 * indexed arena the big reserve is also topped up to VMEM_ITAGS_LOW (2),
 * as far as memory allows, for the free segments the calls make.  A free
 * puts the tags it no longer needs back, and vmem_unlock() gives each
 * reserve's tags beyond VMEM_RESERVE_MAX (16) back to the slab caches
 * once the lock is dropped.  So an allocation and free in steady state
 * allocate nothing, and a VMEM_NOSLEEP call that cannot fill the reserve
 * fails with -ENOMEM before it has changed anything.  A free never
 * fails: vmem_xfree() of an indexed arena with no big tag in reserve
 * tries for one with GFP_NOWAIT before it locks, and without one the new
 * free segment keeps a small tag until the index work converts it.
 *
 * 7. Locking
 * ----------
 *
 * One spinlock per arena, vm_lock, taken with interrupts disabled, covers
 * all of the arena's segment state: the segment list, freelists, trees,
 * hash, reserves and counters.  So VMEM_NOSLEEP calls work in any context
 * but NMI.  vm_lock is never held while calling out (import, release and
 * walk callbacks), while allocating memory, while sleeping, or while
 * taking another arena's lock: there is no lock order between arenas.
 * The quantum caches have locks of their own (section 9), never held
 * while vm_lock is taken.  The registry of arenas that debugfs keeps is
 * under a mutex that nests outside vm_lock.  Under vm_lock, vmem may
 * queue the hash and index work items and print a report, so the
 * workqueue's and the console's locks nest inside it.  The work items
 * run on the system workqueue, allocate without vm_lock, and take it for
 * their updates.
 *
 * A few fields are read without the lock (READ_ONCE()) to decide what to
 * allocate before taking it: the reserves' counts, vm_indexed, vm_sized,
 * vm_nunindexed.  Each is checked again under the lock.  A VMEM_SLEEP
 * allocation that finds no room reads vm_free_seq under the lock, and
 * sleeps (killable) on vm_wq until it moves; every free and every added
 * span moves it, and wakes the sleepers once the lock is dropped.
 *
 * 8. Invariants
 * -------------
 *
 * vmem_check() verifies them all:
 *
 * - spans are disjoint and sorted, with big tags, and in vm_span_tree in
 *   that order;
 * - segments tile their span in order, quantum-aligned; no two free
 *   segments are adjacent; no imported span is wholly free;
 * - a free segment of size s is on the list n that vs_list says, with
 *   2^n <= s < 2^(n+2), and bit n of vm_freemap is set iff list n is not
 *   empty;
 * - allocated segments have small tags, and the hash holds exactly them,
 *   each in its bucket, vm_nbusy of them;
 * - an arena never indexed has no big free tag and empty trees; in an
 *   indexed one, vm_addr_tree holds exactly the big free tags, in address
 *   order, each node's vis_max at least its own size and its children's
 *   vis_max; vm_nunindexed counts the small free tags; vm_size_tree, when
 *   kept, holds the big free tags but vm_nunsized of them, in (size,
 *   start) order, and vm_size_last is its last node;
 * - the counters (integers in use, in spans and imported; tags and spans)
 *   and the reserves' counts match; the rotor and the index work's marker
 *   are on the list exactly when the arena says so.
 *
 * 9. Quantum caches
 * -----------------
 *
 * vmem_alloc() of 1 to n quanta, n = min(qcache_max / quantum, 16), is
 * served by the *quantum cache* of its size rounded up to the quantum
 * (vmem/vmem_qcache.c): the paper's magazine layer, whose objects are
 * ranges.  A *magazine* is a stack of start addresses, its *rounds*.  Per
 * cache, every CPU has a *loaded* and a *previous* magazine, and a
 * *depot* keeps full and empty magazines.  A CPU allocates by popping its
 * loaded magazine and frees by pushing on it; when the loaded one is
 * empty (or full) it swaps with the previous one if that can serve.  Only
 * when neither can does the CPU go to the depot, for a full magazine in
 * exchange for its empty one (an empty one for its full one).  Only when
 * the depot has none does the cache go to the arena.  A *refill* carves a
 * run of ranges in one locked section, where the request's policy puts
 * them (the free segment the policy picks gives as many as it holds,
 * contiguous: where the policy would put each next one), handed out in
 * the order they were carved; an importing arena with no room imports
 * one span for the whole run.  A *drain* frees a magazine's rounds in one
 * locked section.  Without a magazine, tags or room for a run, the
 * segment path serves the one allocation, importing, flushing and waiting
 * as the caller's flags allow.  A free that finds both magazines full and
 * no empty one, in the depot or from kmalloc with GFP_NOWAIT, gives its
 * range straight back to the arena.  The cap of 16 caches is illumos's:
 * each cache costs every CPU two magazines' worth of hoarded ranges, and
 * beyond a few quanta an allocation is rare enough, and the segment path
 * cheap enough, that it would hoard more than it saves.
 *
 * A cached range is an allocated segment of the arena, owned by the cache
 * (vs_owner) when a cache carved it.  vmem_check() and vmem_walk() see the caches'
 * ranges as allocations; vmem_arena_size() and vmem_get_stats() count them
 * as free (mem_cached says how much); vmem_qcache_flush() gives them all
 * back.  The pairs are vmem_alloc() with vmem_free() and vmem_xalloc()
 * with vmem_xfree().  vmem_free() of a cached size pushes the range
 * without looking it up: a bad free there is caught (and the range
 * refused) only when its magazine is drained.  vmem_xfree() of a marked
 * segment is refused at once: it may sit in a magazine, to be handed out
 * again.  vmem_free() of an unmarked range of a cached size (from
 * vmem_xalloc(), or an import's span given back by vmem_free()) is
 * harmless: it joins the cache.
 *
 * Invariants:
 *
 * - A CPU's two slots always point to a magazine; the static
 *   vmem_mag_none (no rounds, no room) stands for none, so the fast path
 *   tests rounds or room and nothing else.
 * - Every round is the start of an allocated segment of its cache's size
 *   that no client holds (until a client frees what it does not hold).
 * - Rounds move between the arena and the magazines only through
 *   vmem_alloc_batch() and vmem_free_batch(), with no cache lock held.
 * - The depot keeps at most qc_depot_max full and qc_depot_max empty
 *   magazines: the possible CPUs, at least 2.  A full magazine that finds
 *   the depot full is drained; an empty one beyond the cap, or of an
 *   outgrown size, is freed.
 *
 * Locks.  A CPU's cache lock (qcc_lock), then the cache's depot lock
 * (qc_lock); the arena lock is never taken with either held, so that
 * a drain may call the release function, and a caching arena may import
 * from a caching arena, with no lock order between them.  Both are
 * spinlocks taken with interrupts off, as vm_lock.  The CPU lock is a
 * spinlock in the per-CPU data rather than a local_lock because a flush
 * must reach every CPU's magazines from any context: on exhaustion it runs
 * in the allocating context, which may be a hard interrupt.  A local_lock
 * lets only its CPU in; reaching the others would take IPIs, which cannot
 * be waited for with interrupts off.  The cost is one atomic exchange per
 * cached call, on a line that only its CPU touches (and a flusher, rarely):
 * uncontended, no cache line moves.  The fast path tries the lock with
 * interrupts off and makes no call but tail calls (no stack frame); only
 * when a flusher holds it does it go to a slow path that waits.  This
 * assumes a kernel without PREEMPT_RT, where a spinlock_t taken with
 * interrupts off never sleeps.
 *
 * Exhaustion.  When a search and an import have found no room,
 * vmem_alloc_req() flushes every CPU's magazines and every depot back to
 * the arena (vmem_qcache_reclaim()) once, and searches again, before it
 * fails or sleeps: no allocation fails while the caches hold a fit, but
 * for ranges in transit at that instant (a refill on its way to a CPU, a
 * magazine being drained).  A refill of ranges of k quanta takes at most
 * the free quanta over 2^(fls(k) + 1), at least one range: a quarter to a
 * half of the arena's free ranges of its size, so that what the caches
 * hold shrinks as the arena fills, instead of every CPU flushing the
 * others' caches in turn.
 *
 * Bounded hoarding.  A cache holds at most two magazines per possible CPU
 * and D full ones in the depot, D the possible CPUs but at least 2, each of
 * at most M rounds, M 62 on 64-bit: an arena's n caches hold at most
 * n * (2 * CPUs + D) * M ranges, and each refill takes less than half of
 * what was free.  The magazines start at 14 rounds (128 bytes) and double
 * in bytes, up to 62 rounds (512 bytes), when the update work sees the
 * depot lock contended more than 3 times in an interval.  The update work
 * runs every 5 seconds while a depot holds magazines and frees those no CPU
 * took during a whole interval (the paper's working set), draining full
 * ones; a shrinker frees depot magazines, empty ones first, under memory
 * pressure; a CPU that dies has its magazines drained (a dynamic CPU
 * hotplug state in the prepare section, whose teardown runs when the CPU is
 * dead); and vmem_destroy() drains everything before it counts leaks.
 *
 * 10. Identifier leaves
 * ---------------------
 *
 * Identifiers are taken one at a time, and next fit takes them from the
 * middle of the free run after the rotor: through the segment layer each
 * pair costs a tag for the identifier, one for the free remainder on its
 * left, a hash entry and index updates, undone by a three-way merge on
 * the free.  An identifier arena (VMC_IDENTIFIER) that neither imports nor
 * caches (vm_leafy) hands them out from *leaves* instead
 * (vmem/vmem_leaf.c): a leaf is one allocated segment of up to
 * BITS_PER_LONG quanta, owned by the leaf, whose quanta it gives to
 * clients and takes back in a bitmap (lf_free, a bit per free quantum).
 * The arena has at most VMEM_NLEAVES of them, in vm_leaf.
 *
 * Exactness.  The segment layer sees a leaf's quanta as allocated, so a
 * leaf changes nothing the segment layer answers; the free integers of
 * the arena are its free segments and the leaves' free bits.  A request
 * the leaves serve, one quantum by next fit or first fit in any window
 * (vmem_id_alloc(), vmem_id_allocff(), vmem_id_alloc_range(),
 * vmem_id_alloc_specific()), takes the lower of the segment layer's first
 * fit and the leaves' lowest free bit in the window, from the rotor up
 * then from the bottom for next fit: exactly what the segment layer alone
 * would answer with the leaves dissolved.  Any other request dissolves
 * every leaf first and is then searched as in an arena that never had
 * one: the fast paths, which do not see the leaves, stand aside, instant
 * fit's while there are any, the ordered one (vmem_alloc_ordered()) in
 * every arena that may have them, whose ordered requests the leaf code
 * serves (__vmem_leaf_lock_search()).  Dissolving a leaf gives each
 * client quantum an allocated segment of its own and each free run a free
 * segment, merged with its free neighbours: as if the segment layer had
 * handed out those quanta.
 *
 * Making leaves.  When the answer lies in a free segment, a new leaf is
 * carved there, from the answer up to BITS_PER_LONG quanta or the
 * segment's end, into a free slot or, all slots taken, the oldest leaf's
 * (vm_leaf_victim), which is dissolved.  The tags a dissolution takes (a
 * small one per piece, a big one per free run of an indexed arena) are
 * reserved before the lock, from the leaves as read without it
 * (vmem_leaf_tags()).  If the leaves changed meanwhile and the reserve
 * falls short, a new leaf is not made (the quantum comes from the segment
 * layer), and a request that must dissolve them all takes the lock again
 * with more tags (__vmem_leaf_lock_search()).  A free never dissolves: a
 * leaf whose quanta are all free stays, so that the next allocations near
 * it are cheap.
 *
 * The fast paths (vmem_leaf_alloc_fast(), vmem_leaf_free_fast()).  Next
 * fit starts at vm_rotor_addr.  First fit starts at vm_lowfree, a bound
 * below which nothing is free while vm_lowfree_seq equals vm_free_seq:
 * every free and added span moves vm_free_seq (vmem_note_room()), which
 * voids the bound at no cost to the segment layer; a leaf's own free
 * lowers the bound and keeps it; every lowest-free search sets it again.
 * When the start lies in a leaf with a free bit at or above it, that bit
 * is the answer: every quantum between is the leaf's and taken.  One
 * lock, one __ffs(), no tag and no tree; a free in a leaf is one lock and
 * one bit.  The rotor's marker stays behind the leaf while vm_rotor_addr
 * moves inside it; the list walk of an arena whose index is not ready
 * steps back over segments that reach past vm_rotor_addr anyway (section
 * 2).
 *
 * What clients see is unchanged.  nalloc, nfree and mem_inuse count a
 * leaf's client quanta one by one and the leaf itself not at all;
 * vmem_nlive() (live allocations) counts the quanta rather than the leaf;
 * vmem_walk() shows each client quantum as an allocated segment and the
 * free runs, merged with adjacent free segments, as free ranges; the leak
 * report names the quanta a leaf still holds.  vmem_xfree() of a leaf's
 * whole range, a free quantum of a leaf, or a client quantum of one with
 * another size, is a bad free.  debugfs's segments file shows a leaf as
 * type ``leaf``.  vmem_check() verifies each leaf's slot, width and
 * counts, and, while the bound holds, that nothing is free below
 * vm_lowfree.
 */

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/log2.h>
#include "vmem_impl.h"

static void vmem_destroy_internal(struct vmem *vm);

/*
 * Report a misuse of @vm: the first one of each arena as a WARN with a
 * backtrace, the rest with pr_info, and all of them with pr_info for an
 * arena that a test made quiet (VMC_QUIET_BADFREE).  Any context.
 */
void vmem_report(struct vmem *vm, const char *fmt, ...)
{
	char msg[128];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if ((vm->vm_flags & VMC_QUIET_BADFREE) ||
	    cmpxchg(&vm->vm_warned, 0, 1) != 0)
		pr_info_ratelimited("vmem %s: %s", vm->vm_name, msg);
	else
		WARN(1, "vmem %s: %s", vm->vm_name, msg);
}

/**
 * vmem_contains() - Does an arena hold a range?
 * @vm: the arena
 * @addr: start of the range
 * @size: its size; an empty range is in no arena
 *
 * Context: Any context.  Takes and releases the arena lock.  O(log spans).
 * Return: true iff [@addr, @addr + @size) lies inside one span.
 */
bool vmem_contains(struct vmem *vm, unsigned long addr, unsigned long size)
{
	struct vmem_seg *span;
	unsigned long flags;
	bool found = false;

	if (!size || addr + (size - 1) < addr)
		return false;
	spin_lock_irqsave(&vm->vm_lock, flags);
	vm->vm_kstat.ncontains++;
	span = vmem_span_lookup(vm, addr, &vm->vm_kstat.ncontains_search);
	found = span && addr + (size - 1) <= vmem_seg_last(span);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return found;
}
EXPORT_SYMBOL_GPL(vmem_contains);

/*
 * vmem_walk()'s position between segments: what to report, and a free
 * range not reported yet, which the next free segment or leaf run may
 * continue (a leaf's free runs and the free segments beside it make one
 * range).
 */
struct vmem_walk_state {
	vmem_walk_fn	func;
	void		*arg;
	unsigned int	typemask;
	unsigned long	fstart;
	unsigned long	fsize;		/* 0: no free range pending */
};

/*
 * Report [@start, +@size), allocated or @free, as the walk's type mask
 * asks; with vm_lock held, dropped around the call.
 */
static void vmem_walk_emit(struct vmem *vm, struct vmem_walk_state *w,
			   unsigned long start, unsigned long size, bool free,
			   unsigned long *flags)
	__must_hold(&vm->vm_lock)
{
	unsigned long pstart = w->fstart, psize = w->fsize;

	if (free && psize && pstart + psize == start) {
		w->fsize += size;
		return;
	}
	w->fsize = 0;
	if (free) {
		w->fstart = start;
		w->fsize = size;
	}
	if (!psize && free)
		return;
	spin_unlock_irqrestore(&vm->vm_lock, *flags);
	if (psize)
		w->func(w->arg, pstart, psize);
	if (!free && size)
		w->func(w->arg, start, size);
	spin_lock_irqsave(&vm->vm_lock, *flags);
}

/*
 * An identifier leaf: its clients' quanta one by one as allocated
 * segments, its free runs as free ones, as they were when the walk
 * reached it.
 */
static void vmem_walk_leaf(struct vmem *vm, struct vmem_walk_state *w,
			   struct vmem_seg *vs, unsigned long *flags)
	__must_hold(&vm->vm_lock)
{
	struct vmem_leaf *lf = vmem_leaf_of(vm, vs);
	unsigned long start = vs->vs_start, free, q = vm->vm_quantum;
	unsigned int i = 0, j, n;

	if (WARN_ON_ONCE(!lf))
		return;
	free = lf->lf_free;
	n = lf->lf_nq;
	for (; i < n; i = j) {
		bool isfree;

		j = vmem_leaf_piece(free, n, i, &isfree);
		if (w->typemask & (isfree ? VMEM_FREE : VMEM_ALLOC))
			vmem_walk_emit(vm, w, start + i * q, (j - i) * q,
				       isfree, flags);
	}
}

/**
 * vmem_walk() - Call a function for segments or spans of an arena.
 * @vm: the arena
 * @typemask: VMEM_ALLOC, VMEM_FREE, VMEM_SPAN or a combination
 * @func: called as func(arg, start, size), in address order
 * @arg: its first argument
 *
 * @func runs without the arena lock held and may allocate from and free
 * to the arena; a segment created or changed behind the walk's position
 * may or may not be visited.  A place holder on the segment list keeps the
 * position across the unlocked calls.  An identifier leaf shows as its
 * clients' identifiers, one allocated segment each, and its free runs;
 * free ranges side by side in a span are reported as one.
 *
 * Context: The context @func needs; the walk itself only takes the arena
 * lock.  O(segments) under the lock between calls.
 */
void vmem_walk(struct vmem *vm, unsigned int typemask, vmem_walk_fn func,
	       void *arg)
{
	struct vmem_walk_state w = {
		.func = func, .arg = arg, .typemask = typemask,
	};
	struct vmem_seg walker = { .vs_type = VMEM_SEG_WALKER };
	struct vmem_seg *vs;
	unsigned long flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	list_add(&walker.vs_seglist, &vm->vm_seg0.vs_seglist);
	for (;;) {
		vs = list_next_entry(&walker, vs_seglist);
		if (vs == &vm->vm_seg0)
			break;
		list_move(&walker.vs_seglist, &vs->vs_seglist);
		switch (vs->vs_type) {
		case VMEM_SEG_FREE:
			if (typemask & VMEM_FREE)
				vmem_walk_emit(vm, &w, vs->vs_start,
					       vs->vs_size, true, &flags);
			break;
		case VMEM_SEG_ALLOC:
			if (unlikely(vmem_seg_is_leaf(vs)))
				vmem_walk_leaf(vm, &w, vs, &flags);
			else if (typemask & VMEM_ALLOC)
				vmem_walk_emit(vm, &w, vs->vs_start,
					       vs->vs_size, false, &flags);
			break;
		case VMEM_SEG_SPAN:
			/* free ranges do not run from one span into the next */
			vmem_walk_emit(vm, &w, vs->vs_start,
				       typemask & VMEM_SPAN ? vs->vs_size : 0,
				       false, &flags);
			break;
		default:
			break;
		}
	}
	vmem_walk_emit(vm, &w, 0, 0, false, &flags);
	list_del(&walker.vs_seglist);
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}
EXPORT_SYMBOL_GPL(vmem_walk);

/*
 * The byte counters are sums of sizes modulo 2^BITS_PER_LONG.  None can
 * exceed the whole space, 2^BITS_PER_LONG integers, which wraps to 0: a
 * counter that reads 0 while what it counts is not empty holds that, and
 * is reported as ULONG_MAX.  So sizes are exact or, for a full 64-bit (or
 * 32-bit) space, saturated; never 0 for something that is there.
 */
static unsigned long vmem_sat(unsigned long v, bool nonempty)
{
	return !v && nonempty ? ULONG_MAX : v;
}

static unsigned long vmem_mem_inuse(const struct vmem *vm)
{
	return vmem_sat(vm->vm_inuse, vmem_nlive(vm));
}

static unsigned long vmem_mem_total(const struct vmem *vm)
{
	return vmem_sat(vm->vm_total, vm->vm_nspans);
}

static unsigned long vmem_mem_free(const struct vmem *vm)
{
	return vmem_sat(vm->vm_total - vm->vm_inuse,
			vmem_nfreesegs(vm) || vmem_leaf_anyfree(vm));
}

static unsigned long vmem_mem_import(const struct vmem *vm)
{
	return vmem_sat(vm->vm_imported,
			vm->vm_kstat.nimport != vm->vm_kstat.nrelease);
}

/*
 * What clients hold, and what is free to them: the allocated segments
 * less what the quantum caches hold (@cached quanta), and the free
 * segments with those.  Exact, or saturated as vmem_sat() does; with
 * nothing cached, vmem_mem_inuse() and vmem_mem_free().  A cached amount
 * above the allocated one only means that a cached allocation or free ran
 * while the two were read: then nothing is in use.  With something cached
 * the clients hold less than the whole space, so vm_inuse less the cached
 * bytes, modulo 2^BITS_PER_LONG, is exact even when vm_inuse wrapped.
 */
static void vmem_client_sizes(const struct vmem *vm, unsigned long cached,
			      unsigned long *inuse, unsigned long *free)
{
	unsigned long bytes = cached << vm->vm_qshift;
	bool wrapped = !vm->vm_inuse && vmem_nlive(vm);

	lockdep_assert_held(&vm->vm_lock);
	if (!cached) {
		*inuse = vmem_mem_inuse(vm);
		*free = vmem_mem_free(vm);
		return;
	}
	if (!wrapped && (cached > vm->vm_inuse >> vm->vm_qshift ||
			 bytes > vm->vm_inuse))
		bytes = vm->vm_inuse;
	*inuse = vm->vm_inuse - bytes;
	*free = vmem_sat(vm->vm_total - *inuse, true);
}

/**
 * vmem_arena_size() - How much of an arena is allocated, free, or there.
 * @vm: the arena
 * @typemask: VMEM_ALLOC, VMEM_FREE, VMEM_SPAN, or a combination: the sum
 *
 * Ranges that quantum caches hold count as free, not allocated: they are
 * the arena's to hand out.  That part is exact when no cached allocation
 * or free runs meanwhile.  Named so as not to clash with vmem_size(),
 * which OpenZFS's spl.ko exports.
 *
 * Context: Any context.  Takes and releases the arena lock, and for an
 * arena with quantum caches each of their locks in turn first.
 * Return: bytes (or IDs) allocated, free, in spans, or their sum; a
 * value of 2^BITS_PER_LONG (spans covering every integer) or more reads
 * ULONG_MAX.
 */
unsigned long vmem_arena_size(struct vmem *vm, unsigned int typemask)
{
	unsigned long cached = 0, flags, inuse, free, size = 0;

	if (typemask & (VMEM_ALLOC | VMEM_FREE))
		cached = vmem_qcache_cached(vm);
	spin_lock_irqsave(&vm->vm_lock, flags);
	/* what the caches hold counts as free; see vmem_qcache_cached() */
	vmem_client_sizes(vm, cached, &inuse, &free);
	if (typemask & VMEM_ALLOC)
		size = vmem_sat_add(size, inuse);
	if (typemask & VMEM_FREE)
		size = vmem_sat_add(size, free);
	if (typemask & VMEM_SPAN)
		size = vmem_sat_add(size, vmem_mem_total(vm));
	spin_unlock_irqrestore(&vm->vm_lock, flags);
	return size;
}
EXPORT_SYMBOL_GPL(vmem_arena_size);

/**
 * vmem_quantum() - An arena's quantum.
 * @vm: the arena
 *
 * Context: Any context.  Takes no lock.
 * Return: the quantum given to vmem_create().
 */
unsigned long vmem_quantum(struct vmem *vm)
{
	return vm->vm_quantum;
}
EXPORT_SYMBOL_GPL(vmem_quantum);

/**
 * vmem_name() - An arena's name.
 * @vm: the arena
 *
 * Context: Any context.  Takes no lock.
 * Return: the name given to vmem_create(), truncated to 31 characters.
 */
const char *vmem_name(struct vmem *vm)
{
	return vm->vm_name;
}
EXPORT_SYMBOL_GPL(vmem_name);

/*
 * vmem_get_stats(), and in @x (if not NULL) the rest of what debugfs
 * shows, from the same locked section.
 */
void vmem_get_stats_ext(struct vmem *vm, struct vmem_stats *st,
			struct vmem_stats_ext *x)
{
	unsigned long cached = vmem_qcache_cached(vm), flags;

	spin_lock_irqsave(&vm->vm_lock, flags);
	vmem_client_sizes(vm, cached, &st->mem_inuse, &st->mem_free);
	/* all of a 2^BITS_PER_LONG space cached: saturated */
	st->mem_cached = cached > ULONG_MAX >> vm->vm_qshift ? ULONG_MAX :
			 cached << vm->vm_qshift;
	st->mem_total = vmem_mem_total(vm);
	st->mem_import = vmem_mem_import(vm);
	st->nalloc = vm->vm_kstat.nalloc;
	st->nfree = vm->vm_kstat.nfree;
	st->nfail = vm->vm_kstat.nfail;
	st->nwait = vm->vm_kstat.nwait;
	st->nimport = vm->vm_kstat.nimport;
	st->nrelease = vm->vm_kstat.nrelease;
	st->nbadfree = vm->vm_kstat.nbadfree;
	st->nsegs = vm->vm_nsegs;
	st->nspans = vm->vm_nspans;
	st->hash_buckets = 1UL << vm->vm_hash_shift;
	st->hash_rescales = vm->vm_kstat.hash_rescales;
	st->tags_reserved = vm->vm_nreserve;
	st->nqcache = vm->vm_nqcache;
	st->nleaves = vm->vm_nleaves;
	if (x) {
		x->kstat = vm->vm_kstat;
		x->nbusy = vmem_nlive(vm);
		x->nfreesegs = vmem_nfreesegs(vm);
		x->nunindexed = vm->vm_nunindexed;
		x->nleafids = vm->vm_nleafids;
		x->nireserve = vm->vm_nireserve;
		x->hash_shift = vm->vm_hash_shift;
		x->indexed = vm->vm_indexed;
		x->sized = vm->vm_sized;
	}
	spin_unlock_irqrestore(&vm->vm_lock, flags);
}

/**
 * vmem_get_stats() - A consistent snapshot of an arena's counters.
 * @vm: the arena
 * @st: filled in
 *
 * Context: Any context.  Takes and releases the arena lock, and for an
 * arena with quantum caches each of their locks in turn first.
 */
void vmem_get_stats(struct vmem *vm, struct vmem_stats *st)
{
	vmem_get_stats_ext(vm, st, NULL);
}
EXPORT_SYMBOL_GPL(vmem_get_stats);

/* ---- creating and destroying arenas ---- */

static struct vmem *vmem_create_common(const char *name, unsigned long base,
				       unsigned long size,
				       unsigned long quantum,
				       vmem_import_fn import,
				       vmem_ximport_fn ximport,
				       vmem_release_fn release,
				       struct vmem *source,
				       unsigned long qcache_max,
				       unsigned int flags)
{
	bool imports = import || ximport;
	struct vmem *vm;
	unsigned int i;
	int err;

	might_sleep();
	if (!name || !quantum || !is_power_of_2(quantum) ||
	    (flags & ~VMC_USER_FLAGS) || ((base | size) & (quantum - 1)) ||
	    (size && base + (size - 1) < base) ||
	    (qcache_max & (quantum - 1)) || imports != !!release ||
	    (import == vmem_alloc && !source))
		return ERR_PTR(-EINVAL);

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&vm->vm_lock);
	strscpy(vm->vm_name, name, sizeof(vm->vm_name));
	vm->vm_quantum = quantum;
	vm->vm_qshift = ilog2(quantum);
	vm->vm_flags = flags;
	for (i = 0; i < VMEM_NFREELISTS; i++)
		INIT_LIST_HEAD(&vm->vm_freelist[i]);
	INIT_LIST_HEAD(&vm->vm_seg0.vs_seglist);
	vm->vm_seg0.vs_type = VMEM_SEG_HEAD;
	vm->vm_rotor.vs_type = VMEM_SEG_ROTOR;
	vm->vm_indexer.vs_type = VMEM_SEG_INDEXER;
	vm->vm_span_tree = RB_ROOT;
	vm->vm_addr_tree = RB_ROOT;
	vm->vm_size_tree = RB_ROOT;
	INIT_WORK(&vm->vm_index_work, vmem_index_work);
	vmem_hash_init(vm);
	init_waitqueue_head(&vm->vm_wq);
	vm->vm_source = source;
	vm->vm_import = import;
	vm->vm_ximport = ximport;
	vm->vm_release = release;
	err = vmem_qcache_init(vm, (flags & VMC_NO_QCACHE) ? 0 : qcache_max);
	if (err) {
		vmem_destroy_internal(vm);
		return ERR_PTR(err);
	}
	/* leaves neither pin imported spans nor stand behind caches */
	vm->vm_leafy = (flags & VMC_IDENTIFIER) && !imports && !vm->vm_nqcache;

	if (size) {
		err = vmem_add(vm, base, size, VMEM_SLEEP);
		if (err) {
			vmem_destroy_internal(vm);
			return ERR_PTR(err);
		}
	}

	vmem_debugfs_add(vm);
	return vm;
}

/**
 * vmem_create() - Create an arena.
 * @name: for messages and debugfs; copied, truncated to 31 characters
 * @base: start of the initial span
 * @size: size of the initial span, or 0 for none (an arena that imports,
 *	or that vmem_add() will fill)
 * @quantum: the arena's unit: a power of two; every start and size is a
 *	multiple of it
 * @import: gets a span from @source when the arena runs out, or NULL;
 *	vmem_alloc itself to import from a vmem arena
 * @release: gives an imported span back; vmem_free with vmem_alloc; NULL
 *	exactly when @import is
 * @source: the arena to import from, passed to @import and @release
 * @qcache_max: vmem_alloc() of sizes up to this many bytes (a multiple
 *	of the quantum; at most 16 quanta are cached, a larger value counts
 *	as 16 quanta) is served from per-CPU quantum caches, one cache per
 *	multiple of the quantum; 0 for none
 * @flags: 0, or VMC_IDENTIFIER and VMC_NO_QCACHE; no other bit
 *
 * Context: Process context; may sleep.  Takes the new arena's lock to add
 * the initial span, and the mutex of the registry of arenas.
 * Return: the arena; ERR_PTR(-EINVAL) for bad arguments (no @name; a
 * @quantum that is 0 or not a power of two; another flag; an unaligned
 * span, or one that runs past ULONG_MAX; a @qcache_max that is not a
 * multiple of the quantum; @import without @release or the reverse;
 * vmem_alloc as @import without a @source); ERR_PTR(-ENOMEM) when the
 * arena, its caches or the initial span's tags could not be allocated.
 */
struct vmem *vmem_create(const char *name, unsigned long base,
			 unsigned long size, unsigned long quantum,
			 vmem_import_fn import, vmem_release_fn release,
			 struct vmem *source, unsigned long qcache_max,
			 unsigned int flags)
{
	return vmem_create_common(name, base, size, quantum, import, NULL,
				  release, source, qcache_max, flags);
}
EXPORT_SYMBOL_GPL(vmem_create);

/**
 * vmem_xcreate() - Create an arena whose import may give more than asked.
 * @name: as vmem_create()
 * @base: as vmem_create()
 * @size: as vmem_create()
 * @quantum: as vmem_create()
 * @import: gets at least the bytes asked for, and says how many it got
 * @release: gives an imported span back, with the size @import returned
 * @source: as vmem_create()
 * @qcache_max: as vmem_create()
 * @flags: as vmem_create()
 *
 * @import is given the size wanted and says how much it imported, at
 * least as much (see vmem_ximport_fn); the whole range is one span,
 * released whole.
 *
 * Context: As vmem_create().
 * Return: as vmem_create().
 */
struct vmem *vmem_xcreate(const char *name, unsigned long base,
			  unsigned long size, unsigned long quantum,
			  vmem_ximport_fn import, vmem_release_fn release,
			  struct vmem *source, unsigned long qcache_max,
			  unsigned int flags)
{
	return vmem_create_common(name, base, size, quantum, NULL, import,
				  release, source, qcache_max, flags);
}
EXPORT_SYMBOL_GPL(vmem_xcreate);

/* Report what is still allocated when an arena is destroyed. */
static void vmem_report_leaks(struct vmem *vm)
{
	const char *unit = vm->vm_flags & VMC_IDENTIFIER ? "IDs" : "bytes";
	unsigned int shown = 0;
	struct vmem_seg *vs;

	pr_err("vmem_destroy(%s): leaked %lu %s in %lu allocations\n",
	       vm->vm_name, vmem_mem_inuse(vm), unit, vmem_nlive(vm));
	list_for_each_entry(vs, &vm->vm_seg0.vs_seglist, vs_seglist) {
		struct vmem_leaf *lf;

		if (vs->vs_type != VMEM_SEG_ALLOC)
			continue;
		lf = vmem_seg_is_leaf(vs) ? vmem_leaf_of(vm, vs) : NULL;
		if (lf && !vmem_leaf_live(lf))
			continue;
		if (shown++ == 8) {
			pr_err("vmem_destroy(%s):   ...\n", vm->vm_name);
			break;
		}
		if (lf)
			pr_err("vmem_destroy(%s):   %u of [%#lx, +%#lx) (a leaf: free %#lx)\n",
			       vm->vm_name, vmem_leaf_live(lf), vs->vs_start,
			       vs->vs_size, lf->lf_free);
		else
			pr_err("vmem_destroy(%s):   [%#lx, +%#lx)\n",
			       vm->vm_name, vs->vs_start, vs->vs_size);
	}
}

/*
 * Free everything an arena holds and give its imported spans back.  No
 * other user may be left, so vm_lock is not needed; the rescale work is
 * cancelled first.
 */
static void vmem_destroy_internal(struct vmem *vm)
{
	struct vmem_seg *vs, *tmp;

	vmem_qcache_fini(vm);	/* cached ranges are not leaks */
	vmem_hash_fini(vm);
	cancel_work_sync(&vm->vm_index_work);
	if (vmem_nlive(vm))
		vmem_report_leaks(vm);
	if (vm->vm_rotor_used)
		list_del(&vm->vm_rotor.vs_seglist);
	if (vm->vm_indexer_used)
		list_del(&vm->vm_indexer.vs_seglist);
	list_for_each_entry_safe(vs, tmp, &vm->vm_seg0.vs_seglist,
				 vs_seglist) {
		if (vs->vs_type == VMEM_SEG_SPAN && vs->vs_imported)
			vm->vm_release(vm->vm_source, vs->vs_start,
				       vs->vs_size);
		list_del(&vs->vs_seglist);
		vmem_tag_free(vs);
	}
	while (vm->vm_reserve) {
		vs = vm->vm_reserve;
		vm->vm_reserve = vs->vs_hnext;
		vmem_tag_free(vs);
	}
	while (vm->vm_ireserve) {
		vs = vm->vm_ireserve;
		vm->vm_ireserve = vs->vs_hnext;
		vmem_tag_free(vs);
	}
	kfree(vm);
}

/**
 * vmem_destroy() - Destroy an arena.
 * @vm: the arena, or NULL or an ERR_PTR (nothing is done)
 *
 * The quantum caches are flushed first.  Ranges still allocated by
 * clients are then reported (how much, and the first segments) and freed
 * with the arena; imported spans go back to the source.  No call on the
 * arena may be running or follow, and the arenas that import from it
 * must have been destroyed.
 *
 * Context: Process context; may sleep: waits for the arena's work items.
 * Takes the mutex of the registry of arenas, and the caches' and the
 * arena's locks to drain the caches; calls the release function with no
 * lock held.
 */
void vmem_destroy(struct vmem *vm)
{
	if (IS_ERR_OR_NULL(vm))
		return;
	might_sleep();
	vmem_debugfs_remove(vm);
	vmem_destroy_internal(vm);
}
EXPORT_SYMBOL_GPL(vmem_destroy);
