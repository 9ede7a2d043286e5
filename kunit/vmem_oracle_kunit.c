// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_oracle: vmem held against a brute-force oracle
 * (kunit/vmem_oracle.c) that tries every address of a small window and
 * shares no arithmetic with the core.
 *
 * First the oracle itself on states worked out by hand, then the
 * examples of the importing rule worked out by hand on real arenas, then
 * the randomized driver: flat arenas under each policy, constrained
 * requests, identifier spaces, importing pairs, windows at the top of the
 * space, and everything together; then the same with quantum caches in
 * front of the arenas; about 10^5 requests in all.  The seed
 * is printed first (see vkt_seed()).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "vmem_kunit.h"
#include "vmem_oracle.h"

#define ERRLEN	4096
#define TOP(n)	(ULONG_MAX - (n))	/* n below the last integer */

/* ---- the oracle on states worked out by hand ---- */

/*
 * A window of 64 integers ending at ULONG_MAX, T its first.  Spans
 * [T, T+16) and [T+16, T+32), adjacent, and [T+48, T+64), which ends at
 * ULONG_MAX; [T+4, T+6) and [T+20, T+22) allocated.  Free segments:
 * [T, T+4) 4, [T+6, T+16) 10, [T+16, T+20) 4, [T+22, T+32) 10,
 * [T+48, T+64) 16.
 */
static void vot_top_state(struct kunit *test, struct vmem_oracle *o)
{
	unsigned long t = TOP(63);

	KUNIT_ASSERT_EQ(test, vmem_oracle_init(o, t, 64), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_add_span(o, t, 16, false), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_add_span(o, t + 16, 16, false), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_add_span(o, t + 48, 16, false), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_mark(o, t + 4, 2, true), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_mark(o, t + 20, 2, true), 0);
}

static struct vmem_oracle_req vot_req(unsigned long size, unsigned long align,
				      unsigned long phase,
				      unsigned long nocross,
				      unsigned long minaddr,
				      unsigned long maxaddr,
				      unsigned long quantum)
{
	struct vmem_oracle_req r = {
		.size = size, .align = align, .phase = phase,
		.nocross = nocross, .minaddr = minaddr, .maxaddr = maxaddr,
		.quantum = quantum,
	};

	return r;
}

static void vmem_oracle_self_answers(struct kunit *test)
{
	unsigned long t = TOP(63), size = 0, p, first, last, start, len;
	struct vmem_oracle o, s;
	struct vmem_oracle_answer a;
	struct vmem_oracle_req r;
	bool imported;

	vot_top_state(test, &o);
	KUNIT_EXPECT_EQ(test, vmem_oracle_size(&o, VMEM_SPAN), 48UL);
	KUNIT_EXPECT_EQ(test, vmem_oracle_size(&o, VMEM_ALLOC), 4UL);
	KUNIT_EXPECT_EQ(test, vmem_oracle_size(&o, VMEM_FREE), 44UL);
	KUNIT_EXPECT_EQ(test, vmem_oracle_add_span(&o, t + 31, 2, false),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, vmem_oracle_add_span(&o, ULONG_MAX, 2, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vmem_oracle_mark(&o, t + 14, 4, true), -EINVAL);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_span_of(&o, t + 17, &start, &len,
						    &imported));
	KUNIT_EXPECT_EQ(test, start, t + 16);
	KUNIT_EXPECT_EQ(test, len, 16UL);
	KUNIT_EXPECT_FALSE(test, imported);

	/* size 4: one fit in each segment of 4, several in the others */
	r = vot_req(4, 0, 0, 0, 0, VMEM_ADDR_MAX, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, t + 7, &a));
	KUNIT_EXPECT_EQ(test, a.nfits, 1 + 7 + 1 + 7 + 13UL);
	KUNIT_EXPECT_EQ(test, a.lowest, t);
	KUNIT_EXPECT_EQ(test, a.highest, t + 60);
	KUNIT_EXPECT_EQ(test, a.next, t + 7);
	KUNIT_EXPECT_EQ(test, a.best_seg, 4UL);
	KUNIT_EXPECT_EQ(test, a.best, t);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_is_best(&o, &r, size, &a, t + 16));
	KUNIT_EXPECT_FALSE(test, vmem_oracle_is_best(&o, &r, size, &a, t + 6));
	KUNIT_EXPECT_FALSE(test, vmem_oracle_is_best(&o, &r, size, &a, t + 1));
	/* a rotor past every fit wraps to the lowest */
	vmem_oracle_solve(&o, &r, size, t + 61, &a);
	KUNIT_EXPECT_EQ(test, a.next, t);

	/* size 8: never across the boundary of the adjacent spans */
	r.size = 8;
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, 0, &a));
	KUNIT_EXPECT_EQ(test, a.nfits, 3 + 3 + 9UL);
	KUNIT_EXPECT_EQ(test, a.lowest, t + 6);
	KUNIT_EXPECT_EQ(test, a.highest, t + 56);
	KUNIT_EXPECT_EQ(test, a.best_seg, 10UL);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_is_best(&o, &r, size, &a, t + 22));
	KUNIT_EXPECT_FALSE(test, vmem_oracle_fits(&o, &r, size, t + 12));

	/* size 16: only the span that ends at ULONG_MAX */
	r.size = 16;
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, 0, &a));
	KUNIT_EXPECT_EQ(test, a.nfits, 1UL);
	KUNIT_EXPECT_EQ(test, a.lowest, TOP(15));

	/* align 8 phase 3: T is a multiple of 64 */
	r = vot_req(1, 8, 3, 0, 0, VMEM_ADDR_MAX, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, 0, &a));
	KUNIT_EXPECT_EQ(test, a.nfits, 6UL);
	KUNIT_EXPECT_EQ(test, a.lowest, t + 3);
	KUNIT_EXPECT_EQ(test, a.highest, t + 59);

	/* nocross 8: [T+6, T+10) and [T+7, T+11) cross T+8 */
	r = vot_req(4, 0, 0, 8, t + 5, VMEM_ADDR_MAX, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, 0, &a));
	KUNIT_EXPECT_EQ(test, a.lowest, t + 8);

	/* a window [T+5, T+13]: starts T+6 to T+10 */
	r = vot_req(4, 0, 0, 0, t + 5, t + 13, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_ASSERT_TRUE(test, vmem_oracle_solve(&o, &r, size, 0, &a));
	KUNIT_EXPECT_EQ(test, a.nfits, 5UL);
	KUNIT_EXPECT_EQ(test, a.lowest, t + 6);
	KUNIT_EXPECT_EQ(test, a.highest, t + 10);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_lowest_in(&o, &r, size, t + 9,
						      t + 15, &p));
	KUNIT_EXPECT_EQ(test, p, t + 9);

	/* a source of quantum 4 holding [T+32, T+48) free */
	KUNIT_ASSERT_EQ(test, vmem_oracle_init(&s, t, 64), 0);
	KUNIT_ASSERT_EQ(test, vmem_oracle_add_span(&s, t + 32, 16, false), 0);
	r = vot_req(2, 0, 0, 0, t + 33, t + 34, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_import_fit(&s, &r, size, 4, &p,
						       &first, &last));
	KUNIT_EXPECT_EQ(test, p, t + 33);
	KUNIT_EXPECT_EQ(test, first, t + 32);
	KUNIT_EXPECT_EQ(test, last, t + 35);
	/* [T+44, T+52) would be needed: T+48 is in no span of the source */
	r = vot_req(2, 0, 0, 0, t + 47, t + 48, 1);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_EXPECT_FALSE(test, vmem_oracle_import_fit(&s, &r, size, 4, &p,
							&first, &last));
	/* the same with the child's quantum 8: [T+40, T+56) */
	r = vot_req(8, 0, 0, 0, t + 40, t + 47, 8);
	KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
	KUNIT_EXPECT_TRUE(test, vmem_oracle_import_fit(&s, &r, size, 4, &p,
						       &first, &last));
	KUNIT_EXPECT_EQ(test, first, t + 40);
	KUNIT_EXPECT_EQ(test, last, t + 47);
	KUNIT_EXPECT_EQ(test, vmem_oracle_mark(&s, t + 40, 4, true), 0);
	KUNIT_EXPECT_FALSE(test, vmem_oracle_import_fit(&s, &r, size, 4, &p,
							&first, &last));
	KUNIT_EXPECT_EQ(test, vmem_oracle_remove_span(&s, t + 32, 16), -EBUSY);
	KUNIT_EXPECT_EQ(test, vmem_oracle_mark(&s, t + 40, 4, false), 0);
	KUNIT_EXPECT_EQ(test, vmem_oracle_remove_span(&s, t + 32, 16), 0);
	KUNIT_EXPECT_EQ(test, vmem_oracle_size(&s, VMEM_SPAN), 0UL);

	vmem_oracle_destroy(&s);
	vmem_oracle_destroy(&o);
}

/* vmem_oracle_req_check(): each -EINVAL rule, and the edges that pass. */
static void vmem_oracle_self_malformed(struct kunit *test)
{
	static const struct {
		struct vmem_oracle_req r;
		int ret;
		unsigned long size;
	} cases[] = {
		{ { 0, 0, 0, 0, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { ULONG_MAX, 0, 0, 0, 0, ULONG_MAX, 4 }, -EINVAL },
		{ { ULONG_MAX - 4, 0, 0, 0, 0, ULONG_MAX, 4 }, 0,
		  ULONG_MAX - 3 },
		{ { 5, 0, 0, 0, 0, ULONG_MAX, 4 }, 0, 8 },
		{ { 1, 3, 0, 0, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { 4, 2, 0, 0, 0, ULONG_MAX, 4 }, -EINVAL },
		{ { 4, 8, 8, 0, 0, ULONG_MAX, 4 }, -EINVAL },
		{ { 4, 8, 2, 0, 0, ULONG_MAX, 4 }, -EINVAL },
		{ { 4, 8, 4, 0, 0, ULONG_MAX, 4 }, 0, 4 },
		{ { 5, 0, 0, 4, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { 4, 0, 0, 6, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { 4, 8, 6, 8, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { 4, 16, 14, 8, 0, ULONG_MAX, 1 }, -EINVAL },
		{ { 4, 16, 12, 8, 0, ULONG_MAX, 1 }, 0, 4 },
		{ { 4, 16, 4, 8, 0, ULONG_MAX, 1 }, 0, 4 },
		{ { 1, 0, 0, 0, 5, 4, 1 }, -EINVAL },
		{ { 4, 0, 0, 0, 1, 6, 4 }, -EINVAL },
		{ { 4, 0, 0, 0, 1, 8, 4 }, 0, 4 },
		{ { 1, 0, 0, 0, 0, 0, 1 }, 0, 1 },
		{ { 1, 0, 0, 0, 0, 0, 2 }, -EINVAL },
		{ { 2, 0, 0, 0, 0, 1, 2 }, 0, 2 },
		{ { 1, 0, 0, 0, ULONG_MAX, ULONG_MAX, 1 }, 0, 1 },
		{ { 1, 0, 0, 0, ULONG_MAX, ULONG_MAX, 2 }, -EINVAL },
		{ { 2, 0, 0, 0, TOP(1), ULONG_MAX, 2 }, 0, 2 },
		{ { 3, 0, 0, 0, TOP(2), ULONG_MAX, 2 }, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long size = 0;
		int ret = vmem_oracle_req_check(&cases[i].r, &size);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "case %u", i);
		if (!ret && !cases[i].ret)
			KUNIT_EXPECT_EQ_MSG(test, size, cases[i].size,
					    "case %u", i);
	}
}

/* ---- importing, worked out by hand on real arenas ---- */

/*
 * A source of quantum qs with the one span [sbase, sbase + ssize), of
 * which [tbase, tbase + tsize) is allocated first; a child of quantum qc
 * importing from it with vmem_alloc/vmem_free; one vmem_xalloc() of the
 * child, and the answer the rule gives, worked out by hand.
 */
struct vot_import {
	unsigned long	qs, sbase, ssize, tbase, tsize, qc;
	unsigned long	size, align, phase, nocross, minaddr, maxaddr;
	int		ret;
	unsigned long	addr;
};

static const struct vot_import vot_imports[] = {
	/*
	 * Child quantum 1, source quantum 4, [0, 64) free: the examples of
	 * issue 11.  2 would do as well as 1 (and 0x22 as 0x21): the issue
	 * asks for the lowest, which is where a fresh span is cut.
	 */
	{ 4, 0, 64, 0, 0, 1, 2, 0, 0, 0, 1, 3, 0, 1 },
	{ 4, 0, 64, 0, 0, 1, 2, 0, 0, 0, 0x21, 0x23, 0, 0x21 },
	/* an exact window and a nocross: [4, 8) of the source */
	{ 4, 0, 64, 0, 0, 1, 3, 0, 0, 8, 5, 7, 0, 5 },
	/* phase 3 of 4 below 7: only 3 */
	{ 4, 0, 64, 0, 0, 1, 1, 4, 3, 0, 0, 6, 0, 3 },
	/* child quantum 2, source quantum 8: [0, 8) holds [6, 8) */
	{ 8, 0, 64, 0, 0, 2, 2, 0, 0, 0, 6, 7, 0, 6 },
	/* child quantum 8, source quantum 2: align 16 phase 8 in [0x18, 0x27] */
	{ 2, 0x10, 0x20, 0, 0, 8, 8, 16, 8, 0, 0x11, 0x27, 0, 0x18 },
	/* [4, 8) of the source taken: 3 needs [0, 8), 2 needs [0, 4) */
	{ 4, 0, 64, 4, 4, 1, 2, 0, 0, 0, 3, 4, -ENOSPC, 0 },
	{ 4, 0, 64, 4, 4, 1, 2, 0, 0, 0, 2, 3, 0, 2 },
	/* a window at the top of the space, unaligned */
	{ 4, TOP(63), 64, 0, 0, 1, 2, 0, 0, 0, TOP(2), TOP(1), 0, TOP(2) },
	/* equal quanta 4, a window that rounds inward to [8, 11] */
	{ 4, 0, 64, 0, 0, 4, 3, 0, 0, 0, 5, 12, 0, 8 },
	/* outside the source's span: nothing to import */
	{ 4, 0, 64, 0, 0, 1, 2, 0, 0, 0, 64, 100, -ENOSPC, 0 },
};

static void vmem_oracle_import_table(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vot_imports); i++) {
		const struct vot_import *c = &vot_imports[i];
		struct vmem_oracle_req r = {
			.size = c->size, .align = c->align, .phase = c->phase,
			.nocross = c->nocross, .minaddr = c->minaddr,
			.maxaddr = c->maxaddr, .quantum = c->qc,
		};
		unsigned long addr = 0, size = 0, p, first, last, got;
		struct vmem_oracle so;
		struct vmem *src, *child;
		bool feasible;
		int ret;

		/* the oracle agrees with the hand */
		KUNIT_ASSERT_EQ(test, vmem_oracle_init(&so, c->sbase, 64), 0);
		KUNIT_ASSERT_EQ(test, vmem_oracle_add_span(&so, c->sbase,
							   c->ssize, false), 0);
		if (c->tsize)
			KUNIT_ASSERT_EQ(test, vmem_oracle_mark(&so, c->tbase,
							       c->tsize, true),
					0);
		KUNIT_ASSERT_EQ(test, vmem_oracle_req_check(&r, &size), 0);
		feasible = vmem_oracle_import_fit(&so, &r, size, c->qs, &p,
						  &first, &last);
		vmem_oracle_destroy(&so);
		KUNIT_EXPECT_EQ_MSG(test, feasible, !c->ret, "case %u", i);

		src = vkt_create(test, "vot_src", c->sbase, c->ssize, c->qs, 0);
		if (c->tsize)
			KUNIT_ASSERT_EQ(test,
					vmem_xalloc(src, c->tsize, 0, 0, 0,
						    c->tbase,
						    c->tbase + c->tsize - 1,
						    VMEM_NOSLEEP, &got), 0);
		child = vkt_create_child(test, "vot_child", c->qc, src, 0);
		ret = vmem_xalloc(child, c->size, c->align, c->phase,
				  c->nocross, c->minaddr, c->maxaddr,
				  VMEM_NOSLEEP, &addr);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret,
				    "case %u: child q%lu from source q%lu: vmem_xalloc(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)",
				    i, c->qc, c->qs, c->size, c->align,
				    c->phase, c->nocross, c->minaddr,
				    c->maxaddr);
		if (!ret) {
			if (!c->ret)
				KUNIT_EXPECT_EQ_MSG(test, addr, c->addr,
						    "case %u", i);
			vmem_xfree(child, addr, c->size);
		}
		/* whatever happened, nothing stays imported */
		KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(src, VMEM_ALLOC),
				    c->tsize, "case %u", i);
		vkt_destroy_now(test, child);
		if (c->tsize)
			vmem_xfree(src, got, c->tsize);
		vkt_destroy_now(test, src);
	}
}

/*
 * What the edge cases below did allocate, whatever they were expected to
 * do: freed at the end of each part, so that a failing expectation never
 * turns into a bad free (and its WARN) as well.
 */
struct vot_held {
	struct vmem	*vm;
	unsigned long	addr[8];
	unsigned long	size[8];
	unsigned int	n;
};

/*
 * @ret of a call that allocated [*@addrp, +@size) if it is 0; @ret.
 * *@addrp is read here, after the call has stored it.
 */
static int vot_hold(struct vot_held *h, int ret, const unsigned long *addrp,
		    unsigned long size)
{
	if (!ret && h->n < ARRAY_SIZE(h->addr)) {
		h->addr[h->n] = *addrp;
		h->size[h->n++] = size;
	}
	return ret;
}

static void vot_release(struct vot_held *h)
{
	while (h->n) {
		h->n--;
		vmem_xfree(h->vm, h->addr[h->n], h->size[h->n]);
	}
}

/*
 * maxaddr 0 is the address 0; exact IDs import, 0 too; next fit after an
 * import starts at the rotor.  Addresses worked out by hand.
 */
static void vmem_oracle_edges_table(struct kunit *test)
{
	struct vot_held h = { };
	unsigned long addr = 0;
	struct vmem *src;

	/* [0, 0] holds one address; taken, nothing else will do */
	h.vm = vkt_create(test, "vot_flat", 0, 16, 1, 0);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_xalloc(h.vm, 1, 0, 0, 0, 0, 0,
						       VMEM_NOSLEEP, &addr),
				       &addr, 1), 0);
	KUNIT_EXPECT_EQ(test, addr, 0UL);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_xalloc(h.vm, 1, 0, 0, 0, 0, 0,
						       VMEM_NOSLEEP, &addr),
				       &addr, 1), -ENOSPC);
	/* [1, 0] is malformed; a full arena has no room */
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_xalloc(h.vm, 1, 0, 0, 0, 1, 0,
						       VMEM_NOSLEEP, &addr),
				       &addr, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_alloc(h.vm, 15, VMEM_NOSLEEP,
						      &addr), &addr, 15), 0);
	KUNIT_EXPECT_EQ(test, addr, 1UL);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_alloc(h.vm, 1, VMEM_NOSLEEP,
						      &addr), &addr, 1),
			-ENOSPC);
	vot_release(&h);

	/* an ID space importing from a source of quantum 4 over [0, 16) */
	src = vkt_create(test, "vot_idsrc", 0, 16, 4, 0);
	h.vm = vkt_create_child(test, "vot_ids", 1, src, VMC_IDENTIFIER);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_id_alloc_specific(h.vm, 0,
								  VMEM_NOSLEEP),
				       &(unsigned long){ 0 }, 1), 0);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_id_alloc_specific(h.vm, 0,
								  VMEM_NOSLEEP),
				       &(unsigned long){ 0 }, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_id_alloc_specific(h.vm, 6,
								  VMEM_NOSLEEP),
				       &(unsigned long){ 6 }, 1), 0);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_id_alloc_specific(h.vm, 16,
								  VMEM_NOSLEEP),
				       &(unsigned long){ 16 }, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC),
			vmem_arena_size(h.vm, VMEM_SPAN));
	vot_release(&h);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	vkt_destroy_now(test, h.vm);

	/*
	 * Next fit: the first import takes [0, 4) (the source is all free,
	 * its one segment starts at 0) and gives 0; freed, the span goes
	 * back; the next import takes [0, 4) again, and next fit must give
	 * the rotor, 1, not the integer just freed.
	 */
	h.vm = vkt_create_child(test, "vot_next", 1, src, 0);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_alloc(h.vm, 1, VMEM_NOSLEEP |
						      VMEM_NEXTFIT, &addr),
				       &addr, 1), 0);
	KUNIT_EXPECT_EQ(test, addr, 0UL);
	vot_release(&h);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(src, VMEM_ALLOC), 0UL);
	KUNIT_EXPECT_EQ(test, vot_hold(&h, vmem_alloc(h.vm, 1, VMEM_NOSLEEP |
						      VMEM_NEXTFIT, &addr),
				       &addr, 1), 0);
	KUNIT_EXPECT_EQ(test, addr, 1UL);
	vot_release(&h);
}

/* ---- the randomized driver ---- */

static void vot_run(struct kunit *test, struct vmem_oracle_params *p,
		    unsigned long salt)
{
	struct vmem_oracle_stats st = { };
	char *err = kunit_kzalloc(test, ERRLEN, GFP_KERNEL);
	unsigned int kinds = p->kinds ? p->kinds : VMEM_OR_ALL_KINDS;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, err);
	p->seed = vkt_seed(test, "vmem_oracle") ^ salt;
	p->progress = vkt_progress;
	p->stats = &st;
	ret = vmem_oracle_run(p, err, ERRLEN);
	kunit_info(test, "%lu ops, %lu arenas, %lu requests: %lu ok, %lu -ENOSPC, %lu -EINVAL, %lu -EBUSY, %lu placed, %lu imports, %lu releases, %lu frees, %lu adds, %lu checks\n",
		   st.nops, st.narenas, st.nreq, st.nok, st.nnospc,
		   st.neinval, st.nbusy, st.nplaced, st.nimport, st.nrelease,
		   st.nfree, st.nadd, st.ncheck);
	if (p->qcache)
		kunit_info(test, "quantum caches: %lu arenas, %lu cached allocations, %lu flushes, %lu placements not demanded\n",
			   st.ncaching, st.ncached, st.nflush, st.nloose);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s", err);
	/* the run did what it is for */
	KUNIT_EXPECT_EQ(test, st.nops, p->nops);
	KUNIT_EXPECT_GT(test, st.nreq, p->nops / 2);
	/* a floor well under what every seed gives (xalloc: ~25%) */
	KUNIT_EXPECT_GT(test, st.nok, st.nreq / 8);
	KUNIT_EXPECT_GT(test, st.nnospc, 0UL);
	KUNIT_EXPECT_GT(test, st.ncheck, 0UL);
	if (p->policies != VMEM_INSTANTFIT)
		KUNIT_EXPECT_GT(test, st.nplaced, st.nok / (p->qcache ? 16 : 8));
	if (p->qcache) {
		KUNIT_EXPECT_GT(test, st.ncaching, 0UL);
		KUNIT_EXPECT_GT(test, st.nflush, 0UL);
		if (!p->ops || (p->ops & (VMEM_OR_OP_ALLOC | VMEM_OR_OP_ID)))
			KUNIT_EXPECT_GT(test, st.ncached, 0UL);
	}
	if (kinds & VMEM_OR_IMPORT) {
		KUNIT_EXPECT_GT(test, st.nimport, 0UL);
		KUNIT_EXPECT_GT(test, st.nrelease, 0UL);
	}
}

#define VOT_FLAT_OPS	(VMEM_OR_OP_ALLOC | VMEM_OR_OP_XALLOC | \
			 VMEM_OR_OP_ADD | VMEM_OR_OP_BADFLAGS)

static void vot_flat(struct kunit *test, unsigned int policy)
{
	struct vmem_oracle_params p = {
		.nops = 12000, .width = 256, .kinds = VMEM_OR_FLAT,
		.ops = VOT_FLAT_OPS, .policies = policy,
	};

	vot_run(test, &p, policy);
}

static void vmem_oracle_flat_instantfit(struct kunit *test)
{
	vot_flat(test, VMEM_INSTANTFIT);
}

static void vmem_oracle_flat_bestfit(struct kunit *test)
{
	vot_flat(test, VMEM_BESTFIT);
}

static void vmem_oracle_flat_firstfit(struct kunit *test)
{
	vot_flat(test, VMEM_FIRSTFIT);
}

static void vmem_oracle_flat_nextfit(struct kunit *test)
{
	vot_flat(test, VMEM_NEXTFIT);
}

static void vmem_oracle_flat_topdown(struct kunit *test)
{
	vot_flat(test, VMEM_TOPDOWN);
}

/* Constrained requests only: alignment, phase, nocross, windows. */
static void vmem_oracle_xalloc(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 20000, .width = 256,
		.kinds = VMEM_OR_FLAT | VMEM_OR_IDS,
		.ops = VMEM_OR_OP_XALLOC | VMEM_OR_OP_ADD,
	};

	vot_run(test, &p, 0x11);
}

static void vmem_oracle_idspace(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 15000, .width = 256, .kinds = VMEM_OR_IDS,
		.ops = VMEM_OR_OP_ID | VMEM_OR_OP_ALLOC | VMEM_OR_OP_ADD |
		       VMEM_OR_OP_BADFLAGS,
	};

	vot_run(test, &p, 0x1d);
}

/* Child and source quanta 1 to 8 in every order, windows unaligned. */
static void vmem_oracle_import(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 25000, .width = 512, .kinds = VMEM_OR_IMPORT,
	};

	vot_run(test, &p, 0x1b);
}

/* Every kind of arena in a window that ends at ULONG_MAX. */
static void vmem_oracle_top(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 15000, .width = 512, .where = VMEM_OR_AT_TOP,
	};

	vot_run(test, &p, 0x70);
}

/* Everything together, in larger windows. */
static void vmem_oracle_mixed(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 14000, .width = 1024, .max_live = 128,
	};

	vot_run(test, &p, 0x3d);
}

/*
 * Quantum caches in front of every arena: cached sizes served from
 * magazines, the rest placed exactly after a flush, under each policy.
 */
static void vmem_oracle_qcache(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 12000, .width = 256, .kinds = VMEM_OR_FLAT,
		.ops = VOT_FLAT_OPS, .qcache = VMEM_OR_QC_ALL,
	};

	vot_run(test, &p, 0x9c);
}

/* Identifier spaces that cache a few IDs: vmem_id_*() through magazines. */
static void vmem_oracle_qcache_idspace(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 8000, .width = 256, .kinds = VMEM_OR_IDS,
		.ops = VMEM_OR_OP_ID | VMEM_OR_OP_ALLOC | VMEM_OR_OP_ADD |
		       VMEM_OR_OP_BADFLAGS,
		.qcache = VMEM_OR_QC_ALL,
	};

	vot_run(test, &p, 0x9d);
}

/* Importing pairs whose source caches, and everything else, mixed. */
static void vmem_oracle_qcache_mixed(struct kunit *test)
{
	struct vmem_oracle_params p = {
		.nops = 10000, .width = 512, .qcache = VMEM_OR_QC_SOME,
	};

	vot_run(test, &p, 0x9e);
}

static struct kunit_case vmem_oracle_cases[] = {
	KUNIT_CASE(vmem_oracle_self_answers),
	KUNIT_CASE(vmem_oracle_self_malformed),
	KUNIT_CASE(vmem_oracle_import_table),
	KUNIT_CASE(vmem_oracle_edges_table),
	KUNIT_CASE_SLOW(vmem_oracle_flat_instantfit),
	KUNIT_CASE_SLOW(vmem_oracle_flat_bestfit),
	KUNIT_CASE_SLOW(vmem_oracle_flat_firstfit),
	KUNIT_CASE_SLOW(vmem_oracle_flat_nextfit),
	KUNIT_CASE_SLOW(vmem_oracle_flat_topdown),
	KUNIT_CASE_SLOW(vmem_oracle_xalloc),
	KUNIT_CASE_SLOW(vmem_oracle_idspace),
	KUNIT_CASE_SLOW(vmem_oracle_import),
	KUNIT_CASE_SLOW(vmem_oracle_top),
	KUNIT_CASE_SLOW(vmem_oracle_mixed),
	KUNIT_CASE_SLOW(vmem_oracle_qcache),
	KUNIT_CASE_SLOW(vmem_oracle_qcache_idspace),
	KUNIT_CASE_SLOW(vmem_oracle_qcache_mixed),
	{}
};

static struct kunit_suite vmem_oracle_suite = {
	.name = "vmem_oracle",
	.test_cases = vmem_oracle_cases,
};

kunit_test_suites(&vmem_oracle_suite);
