// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite vmem_faultinject: boundary tag allocations fail at every
 * step of a fixed script of VMEM_NOSLEEP calls.
 *
 * With CONFIG_FAILSLAB, current->fail_nth = N makes the Nth slab
 * allocation of this task fail (failslab ignores allocations that may
 * reclaim, hence NOSLEEP: vmem then asks for GFP_NOWAIT tags).  For N = 1,
 * 2, 3, ... a fresh arena and an arena importing from it run the script;
 * the run ends when a script completes before its Nth allocation.  After
 * every call: a failure with -ENOMEM is only allowed when the injected
 * failure happened during that call, -ENOSPC only when the model says
 * nothing fits, and a failed call leaves the arena exactly as it was (segment for segment,
 * against the model).  After every script: both arenas pass vmem_check(),
 * their sizes match what succeeded, and freeing everything returns every
 * imported span.  A second case runs it all with quantum caches in front
 * of the parent arena: refills and frees then allocate magazines too, and
 * the arena is compared after vmem_qcache_flush().
 */
#include <kunit/test.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "vmem_kunit.h"

#define K		0x1000UL
#define B		0x100000UL
#define NCHILD		8
#define MAX_N		4000

struct fi_run {
	struct kunit		*test;
	struct vmem		*vm;
	struct vmem		*child;
	struct vmem_model	m;
	struct vkt_seg		segs[64];	/* walk buffers */
	struct vkt_seg		cspans[NCHILD];
	unsigned long		child_addr[NCHILD];
	unsigned int		nchild;
	unsigned int		ncalls;
	unsigned int		nfired;		/* calls the injection hit */
	unsigned int		nfailed;	/* ... that failed because of it */
	bool			broken;		/* stop: already reported */
};

#ifdef CONFIG_FAULT_INJECTION
static unsigned int fail_nth_get(void)
{
	return READ_ONCE(current->fail_nth);
}

static void fail_nth_set(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}
#else
static unsigned int fail_nth_get(void) { return 0; }
static void fail_nth_set(unsigned int n) { }
#endif

/*
 * After a call that failed: vm's allocated segments must be exactly the
 * model's allocations plus the child's imported spans (which are
 * allocations of vm), and its spans the model's.  With vmem_check()
 * passing, that fixes the free segments too.
 */
static void fi_expect_model(struct fi_run *r, const char *after)
{
	const struct vmem_model *m = &r->m;
	unsigned int n, nc, i = 0, j = 0, k;
	struct vkt_seg want;
	bool same;

	vmem_qcache_flush(r->vm);	/* cached ranges are allocated segments */
	n = vkt_walk(r->vm, VMEM_ALLOC, r->segs, ARRAY_SIZE(r->segs));
	nc = vkt_walk(r->child, VMEM_SPAN, r->cspans, ARRAY_SIZE(r->cspans));
	same = n <= ARRAY_SIZE(r->segs) && nc <= ARRAY_SIZE(r->cspans) &&
	       n == m->nallocs + nc;
	for (k = 0; same && k < n; k++) {
		if (i < m->nallocs &&
		    (j == nc || m->allocs[i].start < r->cspans[j].start)) {
			want.start = m->allocs[i].start;
			want.size = m->allocs[i++].size;
		} else {
			want = r->cspans[j++];
		}
		same = r->segs[k].start == want.start &&
		       r->segs[k].size == want.size;
	}
	KUNIT_EXPECT_TRUE_MSG(r->test, same,
			      "%s failed but changed the allocated segments",
			      after);
	n = vkt_walk(r->vm, VMEM_SPAN, r->segs, ARRAY_SIZE(r->segs));
	same = n == m->nspans;
	for (k = 0; same && k < n; k++)
		same = r->segs[k].start == m->spans[k].start &&
		       r->segs[k].size == m->spans[k].size;
	KUNIT_EXPECT_TRUE_MSG(r->test, same, "%s failed but changed the spans",
			      after);
	VKT_EXPECT_CHECK(r->test, r->vm);
	VKT_EXPECT_CHECK(r->test, r->child);
}

/*
 * Run one call: note whether the injected failure hit it, and check its
 * result.  @model_req: the model's view of an allocation from vm (NULL
 * for other calls).
 */
static int fi_call(struct fi_run *r, int ret, unsigned int before,
		   const char *what, const struct vmem_model_req *req)
{
	bool fired = before && !fail_nth_get();

	r->ncalls++;
	if (fired)
		r->nfired++;
	if (!ret)
		return 0;
	if (ret == -ENOSPC) {
		/* no room is no room, whether or not a failure was injected */
		if (req && !vmem_model_feasible(&r->m, req, VMEM_FIRSTFIT,
						NULL))
			return ret;
		KUNIT_FAIL(r->test, "call %u (%s): -ENOSPC with room",
			   r->ncalls, what);
		r->broken = true;
		return ret;
	}
	if (ret != -ENOMEM) {
		KUNIT_FAIL(r->test, "call %u (%s): %d", r->ncalls, what, ret);
		r->broken = true;
		return ret;
	}
	if (fired) {
		r->nfailed++;
		fi_expect_model(r, what);
		return ret;
	}
	KUNIT_FAIL(r->test, "call %u (%s): -ENOMEM and no injected failure",
		   r->ncalls, what);
	r->broken = true;
	return ret;
}

static void fi_alloc(struct fi_run *r, unsigned long size, unsigned long align,
		     unsigned long phase, unsigned int flags)
{
	struct vmem_model_req req = { .size = size, .align = align,
				      .phase = phase,
				      .maxaddr = VMEM_ADDR_MAX };
	unsigned int before = fail_nth_get();
	unsigned long addr = 0;
	int ret;

	if (align)
		ret = vmem_xalloc(r->vm, size, align, phase, 0, 0, VMEM_ADDR_MAX,
				  VMEM_NOSLEEP | flags, &addr);
	else
		ret = vmem_alloc(r->vm, size, VMEM_NOSLEEP | flags, &addr);
	if (fi_call(r, ret, before, align ? "xalloc" : "alloc", &req) || ret)
		return;
	KUNIT_EXPECT_TRUE(r->test, vmem_model_req_satisfied(&r->m, &req, addr));
	/* The tag says which call frees it. */
	if (vmem_model_insert(&r->m, addr, size, align ? 2 : 1)) {
		KUNIT_FAIL(r->test, "[%#lx, +%#lx) overlaps or leaves the spans",
			   addr, size);
		r->broken = true;
	}
}

static void fi_free(struct fi_run *r, unsigned int i)
{
	struct vmem_model_range a = r->m.allocs[i];

	if (a.tag == 2)
		vmem_xfree(r->vm, a.start, a.size);
	else
		vmem_free(r->vm, a.start, a.size);
	vmem_model_remove(&r->m, a.start, a.size, NULL);
}

static void fi_add(struct fi_run *r, unsigned long addr, unsigned long size)
{
	unsigned int before = fail_nth_get();
	int ret = vmem_add(r->vm, addr, size, VMEM_NOSLEEP);

	if (!fi_call(r, ret, before, "add", NULL) && !ret)
		KUNIT_EXPECT_EQ(r->test, vmem_model_add_span(&r->m, addr, size),
				0);
}

static void fi_child_alloc(struct fi_run *r)
{
	unsigned int before = fail_nth_get();
	unsigned long addr;
	int ret = vmem_alloc(r->child, K, VMEM_NOSLEEP, &addr);

	if (!fi_call(r, ret, before, "child alloc", NULL) && !ret)
		r->child_addr[r->nchild++] = addr;
}

/* The script: fragment, carve from middles, add spans, import. */
static void fi_script(struct fi_run *r)
{
	static const unsigned int policies[] = {
		VMEM_FIRSTFIT, VMEM_BESTFIT, VMEM_TOPDOWN, VMEM_NEXTFIT,
	};
	unsigned int i;

	for (i = 0; i < 24 && !r->broken; i++)
		fi_alloc(r, (i % 3 + 1) * K, 0, 0, policies[i % 4]);
	/* Free every third: holes, without allocating a tag. */
	for (i = r->m.nallocs; i-- > 0; )
		if (i % 3 == 1)
			fi_free(r, i);
	for (i = 0; i < 8 && !r->broken; i++)
		fi_alloc(r, 2 * K, 4 * K, K, 0);
	fi_add(r, 2 * B, 16 * K);
	fi_add(r, 3 * B, 16 * K);
	for (i = 0; i < NCHILD && !r->broken; i++)
		fi_child_alloc(r);
	for (i = 0; i < r->nchild; i += 2)
		vmem_free(r->child, r->child_addr[i], K);
	for (i = 0; i < 8 && !r->broken; i++)
		fi_alloc(r, K, 0, 0, VMEM_TOPDOWN);
}

/* One fresh pair of arenas, the script with the Nth allocation failing. */
static bool fi_run_once(struct kunit *test, unsigned int n,
			unsigned long qcache_max, unsigned int *nfailed)
{
	struct fi_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long child_live = 0;
	unsigned int left, i;
	bool more;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->test = test;
	r->vm = vmem_create("fi", B, 64 * K, K, NULL, NULL, NULL, qcache_max, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r->vm);
	vkt_defer_destroy(test, r->vm);
	r->child = vkt_create_child(test, "fi_child", K, r->vm, 0);
	KUNIT_ASSERT_EQ(test, vmem_model_init(&r->m, K, 4, 64), 0);
	KUNIT_ASSERT_EQ(test, vmem_model_add_span(&r->m, B, 64 * K), 0);

	fail_nth_set(n);
	fi_script(r);
	left = fail_nth_get();
	fail_nth_set(0);

	VKT_EXPECT_CHECK(test, r->vm);
	VKT_EXPECT_CHECK(test, r->child);
	for (i = 1; i < r->nchild; i += 2)
		child_live += K;
	KUNIT_EXPECT_EQ(test, vmem_arena_size(r->child, VMEM_ALLOC),
			child_live);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(r->vm, VMEM_ALLOC),
			r->m.inuse + vmem_arena_size(r->child, VMEM_SPAN));
	KUNIT_EXPECT_EQ(test, vmem_arena_size(r->vm, VMEM_SPAN), r->m.total);

	/* Nothing lost: free it all and both arenas are whole again. */
	for (i = 1; i < r->nchild; i += 2)
		vmem_free(r->child, r->child_addr[i], K);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(r->child, VMEM_SPAN), 0UL);
	while (r->m.nallocs)
		fi_free(r, r->m.nallocs - 1);
	KUNIT_EXPECT_EQ(test, vmem_arena_size(r->vm, VMEM_ALLOC), 0UL);
	VKT_EXPECT_CHECK(test, r->vm);
	VKT_EXPECT_CHECK(test, r->child);
	vmem_model_destroy(&r->m);
	vkt_destroy_now(test, r->child);
	vkt_destroy_now(test, r->vm);

	*nfailed += r->nfailed;
	/* Go on while the Nth allocation fell inside the script. */
	more = !r->broken && left == 0 && r->nfired;
	kunit_kfree(test, r);
	return more;
}

static void fi_run_all(struct kunit *test, unsigned long qcache_max)
{
	unsigned int n, nfailed = 0;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB (current->fail_nth)");
	for (n = 1; n < MAX_N; n++)
		if (!fi_run_once(test, n, qcache_max, &nfailed))
			break;
	kunit_info(test, "%u runs, %u calls failed by injection\n", n,
		   nfailed);
	KUNIT_EXPECT_LT(test, n, (unsigned int)MAX_N);
	/* Refills happened all along the script, and were seen to fail. */
	KUNIT_EXPECT_GT(test, n, 10U);
	KUNIT_EXPECT_GT(test, nfailed, 5U);
}

static void vmem_faultinject_tags(struct kunit *test)
{
	fi_run_all(test, 0);
}

/* The same with quantum caches for sizes of 1 to 4 quanta. */
static void vmem_faultinject_qcache(struct kunit *test)
{
	fi_run_all(test, 4 * K);
}

/* ---- three arenas, each call held to snapshots ---- */

#define SNAP_MAX	256

/* The spans and segments of an arena, in address order, and its counters. */
struct fi_snap {
	struct vkt_seg		segs[SNAP_MAX];
	unsigned int		n;
	struct vmem_stats	st;
};

struct fi3 {
	struct kunit	*test;
	struct vmem	*vm[3];		/* parent, importer, identifiers */
	struct fi_snap	before[3];	/* valid where fresh */
	bool		fresh[3];
	struct fi_snap	after;
	bool		armed;		/* the injection may hit this call */
	unsigned long	live[64][2];	/* address | arena, size */
	unsigned int	nlive;
	unsigned long	ids[16];
	unsigned int	nids;
	unsigned int	nenomem;
	unsigned int	n;		/* fail_nth of the run */
	bool		broken;		/* reported: stop checking */
};

static void fi3_snap(struct fi3 *f, unsigned int i, struct fi_snap *sn)
{
	sn->n = vkt_walk(f->vm[i], VMEM_SPAN | VMEM_ALLOC | VMEM_FREE,
			 sn->segs, SNAP_MAX);
	if (sn->n > SNAP_MAX && !f->broken) {
		KUNIT_FAIL(f->test, "arena %u: over %u segments", i, SNAP_MAX);
		f->broken = true;
	}
	vmem_get_stats(f->vm[i], &sn->st);
}

/* Arena @i is @a or a source of it: a call on @a may change it. */
static bool fi3_reaches(unsigned int a, unsigned int i)
{
	return i == a || (a == 1 && i == 0);
}

/*
 * Before a call that the injection may still hit: the state of every
 * arena.  Only what a call (or a free) on an arena that reaches it changed
 * is taken again.  Once the injection has fired, no call may fail.
 */
static void fi3_before(struct fi3 *f)
{
	unsigned int i;

	f->armed = fail_nth_get() != 0;
	for (i = 0; i < ARRAY_SIZE(f->vm) && f->armed; i++) {
		if (!f->fresh[i])
			fi3_snap(f, i, &f->before[i]);
		f->fresh[i] = true;
	}
}

/* A successful call or a free on arena @a changed what it reaches. */
static void fi3_changed(struct fi3 *f, unsigned int a)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f->vm); i++)
		if (fi3_reaches(a, i))
			f->fresh[i] = false;
}

/*
 * The same spans, segments and sizes; with @counted, the same numbers of
 * allocations, frees, imports and releases too.  (A source may serve an
 * import and take it back within a call that fails: its layout is
 * restored, its counters are not.)
 */
static bool fi3_same(const struct fi_snap *a, const struct fi_snap *b,
		     bool counted)
{
	const struct vmem_stats *x = &a->st, *y = &b->st;
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < min(a->n, SNAP_MAX); i++)
		if (a->segs[i].start != b->segs[i].start ||
		    a->segs[i].size != b->segs[i].size)
			return false;
	if (x->mem_inuse != y->mem_inuse || x->mem_free != y->mem_free ||
	    x->mem_total != y->mem_total || x->mem_import != y->mem_import ||
	    x->nsegs != y->nsegs || x->nspans != y->nspans)
		return false;
	return !counted ||
	       (x->nalloc == y->nalloc && x->nfree == y->nfree &&
		x->nimport == y->nimport && x->nrelease == y->nrelease);
}

/*
 * After a call on arena @a: it returned 0, or -ENOMEM while the injection
 * was armed (no call of the script lacks room); after -ENOMEM every arena
 * passes vmem_check() and is as it was (and @a's counters too); after a
 * call the injection hit but that succeeded all the same, the arenas it
 * reaches pass vmem_check().  Every arena is checked at the end of the run.
 */
static int fi3_after(struct fi3 *f, int ret, const char *what, unsigned int a)
{
	bool hit = f->armed && !fail_nth_get();
	unsigned int i;

	if (ret == -ENOMEM)
		f->nenomem++;
	if (f->broken)
		return ret;
	if (ret && (ret != -ENOMEM || !f->armed)) {
		KUNIT_FAIL(f->test, "fail_nth %u: %s on arena %u returned %d%s",
			   f->n, what, a, ret,
			   f->armed ? "" : " after the injection");
		f->broken = true;
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(f->vm) && !f->broken; i++) {
		if ((ret || (hit && fi3_reaches(a, i))) &&
		    vmem_check(f->vm[i])) {
			KUNIT_FAIL(f->test, "fail_nth %u: %s on arena %u: arena %u broken",
				   f->n, what, a, i);
			f->broken = true;
		}
	}
	if (!ret)
		fi3_changed(f, a);
	if (ret != -ENOMEM || f->broken)
		return ret;
	for (i = 0; i < ARRAY_SIZE(f->vm) && !f->broken; i++) {
		fi3_snap(f, i, &f->after);
		if (!fi3_same(&f->before[i], &f->after, i == a)) {
			KUNIT_FAIL(f->test, "fail_nth %u: %s on arena %u failed, changed arena %u",
				   f->n, what, a, i);
			f->broken = true;
		}
	}
	return ret;
}

static void fi3_alloc(struct fi3 *f, unsigned int a, unsigned long size,
		      unsigned long align, unsigned long nocross,
		      unsigned int policy)
{
	struct vmem *vm = f->vm[a];
	unsigned long addr;
	int ret;

	fi3_before(f);
	if (align || nocross)
		ret = vmem_xalloc(vm, size, align, 0, nocross, 0, VMEM_ADDR_MAX,
				  VMEM_NOSLEEP | policy, &addr);
	else
		ret = vmem_alloc(vm, size, VMEM_NOSLEEP | policy, &addr);
	fi3_after(f, ret, "alloc", a);
	if (!ret && f->nlive < ARRAY_SIZE(f->live)) {
		f->live[f->nlive][0] = addr | a;	/* the arena in low bits */
		f->live[f->nlive][1] = size;
		f->nlive++;
	}
}

static void fi3_free(struct fi3 *f, unsigned int i)
{
	unsigned long addr = f->live[i][0] & ~3UL;
	unsigned int a = f->live[i][0] & 3;

	vmem_free(f->vm[a], addr, f->live[i][1]);
	f->live[i][1] = 0;
	fi3_changed(f, a);
}

/*
 * A fixed script of NOSLEEP calls on a parent of quantum 4 K, an arena
 * importing from it, and an identifier space: adds, carves with every
 * policy and constraint, frees that leave holes, identifiers next-fit and
 * exact; tags are refilled whenever the reserve runs low, and imports
 * allocate in both arenas.
 */
static void fi3_script(struct fi3 *f)
{
	static const unsigned int policies[] = {
		0, VMEM_BESTFIT, VMEM_FIRSTFIT, VMEM_TOPDOWN, VMEM_NEXTFIT,
	};
	unsigned long id;
	unsigned int i;
	int ret;

	fi3_before(f);
	ret = vmem_add(f->vm[0], 0x10000000, 64 * K, VMEM_NOSLEEP);
	fi3_after(f, ret, "add", 0);
	for (i = 0; i < 24; i++)
		fi3_alloc(f, i % 3 == 1, (1 + i % 5) * K,
			  i % 4 == 3 ? 4 * K : 0, i % 7 == 6 ? 16 * K : 0,
			  policies[i % ARRAY_SIZE(policies)]);
	/* Holes everywhere: frees give tags back, later carves take them. */
	for (i = 0; i < f->nlive; i += 3)
		fi3_free(f, i);
	for (i = 0; i < 16; i++)
		fi3_alloc(f, i & 1, K, i % 5 == 4 ? 2 * K : 0, 0,
			  policies[(i + 1) % ARRAY_SIZE(policies)]);
	for (i = 0; i < 8; i++) {
		fi3_before(f);
		ret = vmem_id_alloc(f->vm[2], VMEM_NOSLEEP, &id);
		if (!fi3_after(f, ret, "id_alloc", 2))
			f->ids[f->nids++] = id;
		fi3_before(f);
		ret = vmem_id_alloc_specific(f->vm[2], 40 + i, VMEM_NOSLEEP);
		if (!fi3_after(f, ret, "id_alloc_specific", 2))
			f->ids[f->nids++] = 40 + i;
	}
	for (i = 0; i < f->nlive; i++)
		if (f->live[i][1])
			fi3_free(f, i);
	for (i = 0; i < f->nids; i++)
		vmem_id_free(f->vm[2], f->ids[i]);
	for (i = 0; i < ARRAY_SIZE(f->vm) && !f->broken; i++) {
		if (vmem_check(f->vm[i])) {
			KUNIT_FAIL(f->test, "fail_nth %u: arena %u broken at the end",
				   f->n, i);
			f->broken = true;
		}
	}
}

/*
 * For N = 1, 2, ...: fresh arenas, and the Nth non-blocking allocation of
 * the script fails, until a script runs without reaching N.  Every call
 * that fails must leave every arena as it was.  Where nothing but vmem
 * counts towards fail_nth, an injected failure must make some call fail:
 * with kmemleak, its own allocation after each of vmem's counts too, and
 * a failure there is absorbed by kmemleak.
 */
static void vmem_faultinject_three_arenas(struct kunit *test)
{
	unsigned int n, left, nbroken = 0, nenomem = 0;
	struct fi3 *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB (current->fail_nth)");
	for (n = 1; n < MAX_N && nbroken < 3; n++) {
		memset(f, 0, sizeof(*f));
		f->test = test;
		f->n = n;
		f->vm[0] = vkt_create(test, "fi3_parent", B, 256 * K, K, 0);
		f->vm[1] = vkt_create_child(test, "fi3_child", K, f->vm[0], 0);
		f->vm[2] = vmem_idspace_create("fi3_ids", 0, 64);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f->vm[2]);
		vkt_defer_destroy(test, f->vm[2]);

		fail_nth_set(n);
		fi3_script(f);
		left = fail_nth_get();
		fail_nth_set(0);

		vkt_destroy_now(test, f->vm[2]);
		vkt_destroy_now(test, f->vm[1]);
		vkt_destroy_now(test, f->vm[0]);
		nbroken += f->broken;
		nenomem += f->nenomem;
		if (left)
			break;		/* the script did not reach N */
		/*
		 * An injection need not fail a call: it may hit a big tag
		 * for the index, which vmem does without, or (in the
		 * kernel) kmemleak's own allocation; every result and every
		 * arena was checked all the same.
		 */
	}
	kunit_info(test, "%u runs, %u calls failed with -ENOMEM\n", n,
		   nenomem);
	if (nbroken)
		return;		/* reported; the rest of the runs are moot */
	KUNIT_EXPECT_GT(test, n, 4U);
	KUNIT_EXPECT_LT(test, n, (unsigned int)MAX_N);
	/* kmemleak takes half of the injections in the test kernel */
	KUNIT_EXPECT_GE(test, nenomem,
			IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) ? n / 4 : n / 2);
}

/* ---- a refill that fails after an import ---- */

static struct vmem *drain_vm;
static unsigned long drain_next_add;
static unsigned int drain_released;

/*
 * The import adds a span to the importing arena itself, which takes two
 * tags from its reserve, and arms fail_nth so that the refill of the
 * reserve, which adding the imported span needs, fails.
 */
static int drain_import_fn(struct vmem *src, unsigned long size,
			   unsigned int vmflags, unsigned long *addrp)
{
	if (vmem_add(drain_vm, drain_next_add, K, VMEM_NOSLEEP))
		return -ENOMEM;
	drain_next_add += 0x100000;
	fail_nth_set(1);
	*addrp = 0x40000000;
	return 0;
}

static void drain_release_fn(struct vmem *src, unsigned long addr,
			     unsigned long size)
{
	drain_released++;
}

/* The imported span goes back when its boundary tags cannot be had. */
static void vmem_faultinject_refill_after_import(struct kunit *test)
{
	struct vmem_stats st;
	unsigned long addr;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB (current->fail_nth)");
	drain_released = 0;
	drain_next_add = 0x1000000;
	drain_vm = vmem_create("drain", B, K, K, drain_import_fn,
			       drain_release_fn, NULL, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drain_vm);
	vkt_defer_destroy(test, drain_vm);
	KUNIT_EXPECT_EQ(test, vmem_alloc(drain_vm, 8 * K, VMEM_NOSLEEP, &addr),
			-ENOMEM);
	KUNIT_EXPECT_EQ_MSG(test, fail_nth_get(), 0U, "the refill never ran");
	fail_nth_set(0);
	KUNIT_EXPECT_EQ_MSG(test, drain_released, 1U,
			    "the imported span was not given back");
	vmem_get_stats(drain_vm, &st);
	KUNIT_EXPECT_EQ(test, st.mem_import, 0UL);
	KUNIT_EXPECT_EQ(test, st.nspans, 2UL);
	VKT_EXPECT_CHECK(test, drain_vm);
}

static struct kunit_case vmem_faultinject_cases[] = {
	KUNIT_CASE_SLOW(vmem_faultinject_tags),
	KUNIT_CASE_SLOW(vmem_faultinject_qcache),
	KUNIT_CASE_SLOW(vmem_faultinject_three_arenas),
	KUNIT_CASE(vmem_faultinject_refill_after_import),
	{}
};

static struct kunit_suite vmem_faultinject_suite = {
	.name = "vmem_faultinject",
	.test_cases = vmem_faultinject_cases,
};

kunit_test_suites(&vmem_faultinject_suite);
