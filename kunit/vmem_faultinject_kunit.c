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
 * failure happened during that call or the model says nothing fits, and
 * a failed call leaves the arena exactly as it was (segment for segment,
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
	if (req && !vmem_model_feasible(&r->m, req, VMEM_FIRSTFIT, NULL))
		return ret;
	KUNIT_FAIL(r->test, "call %u (%s): -ENOMEM with room and no injected failure",
		   r->ncalls, what);
	r->broken = true;
	return ret;
}

static void fi_alloc(struct fi_run *r, unsigned long size, unsigned long align,
		     unsigned long phase, unsigned int flags)
{
	struct vmem_model_req req = { .size = size, .align = align,
				      .phase = phase };
	unsigned int before = fail_nth_get();
	unsigned long addr = 0;
	int ret;

	if (align)
		ret = vmem_xalloc(r->vm, size, align, phase, 0, 0, 0,
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

static struct kunit_case vmem_faultinject_cases[] = {
	KUNIT_CASE_SLOW(vmem_faultinject_tags),
	KUNIT_CASE_SLOW(vmem_faultinject_qcache),
	{}
};

static struct kunit_suite vmem_faultinject_suite = {
	.name = "vmem_faultinject",
	.test_cases = vmem_faultinject_cases,
};

kunit_test_suites(&vmem_faultinject_suite);
