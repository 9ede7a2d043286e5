// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the vmem KUnit suites, and the module's identity: every
 * file of kunit/ is linked into vmem_kunit.ko, and this is the one that says
 * what the module is.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/vmem_ns.h>

#include "vmem_kunit.h"

static void vkt_destroy_action(void *vm)
{
	vmem_destroy(vm);
}

void vkt_defer_destroy(struct kunit *test, struct vmem *vm)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							vkt_destroy_action,
							vm), 0);
}

void vkt_destroy_now(struct kunit *test, struct vmem *vm)
{
	kunit_release_action(test, vkt_destroy_action, vm);
}

void vkt_quiet(struct vmem *vm)
{
	vm->vm_flags |= VMC_QUIET_BADFREE;
}

struct vmem *vkt_create(struct kunit *test, const char *name,
			unsigned long base, unsigned long size,
			unsigned long quantum, unsigned int flags)
{
	struct vmem *vm = vmem_create(name, base, size, quantum, NULL, NULL,
				      NULL, 0, flags & ~VMC_QUIET_BADFREE);

	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, vm,
					 "vmem_create(%s, %#lx, %#lx, %#lx)",
					 name, base, size, quantum);
	vkt_defer_destroy(test, vm);
	if (flags & VMC_QUIET_BADFREE)
		vkt_quiet(vm);
	return vm;
}

struct vmem *vkt_create_child(struct kunit *test, const char *name,
			      unsigned long quantum, struct vmem *source,
			      unsigned int flags)
{
	struct vmem *vm = vmem_create(name, 0, 0, quantum, vmem_alloc,
				      vmem_free, source, 0,
				      flags & ~VMC_QUIET_BADFREE);

	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, vm, "vmem_create(%s) importing",
					 name);
	vkt_defer_destroy(test, vm);
	if (flags & VMC_QUIET_BADFREE)
		vkt_quiet(vm);
	return vm;
}

unsigned long vkt_alloc(struct kunit *test, struct vmem *vm,
			unsigned long size, unsigned int vmflags)
{
	unsigned long addr = 0;

	KUNIT_ASSERT_EQ_MSG(test, vmem_alloc(vm, size, vmflags, &addr), 0,
			    "vmem_alloc(%s, %#lx, %#x)", vmem_name(vm), size,
			    vmflags);
	return addr;
}

unsigned long vkt_xalloc(struct kunit *test, struct vmem *vm,
			 unsigned long size, unsigned long align,
			 unsigned long phase, unsigned long nocross,
			 unsigned long minaddr, unsigned long maxaddr,
			 unsigned int vmflags)
{
	unsigned long addr = 0;

	KUNIT_ASSERT_EQ_MSG(test, vmem_xalloc(vm, size, align, phase, nocross,
					      minaddr, maxaddr, vmflags,
					      &addr), 0,
			    "vmem_xalloc(%s, %#lx, align %#lx, phase %#lx, nocross %#lx, min %#lx, max %#lx, %#x)",
			    vmem_name(vm), size, align, phase, nocross,
			    minaddr, maxaddr, vmflags);
	return addr;
}

struct vkt_walk {
	struct vkt_seg	*out;
	unsigned int	n;
	unsigned int	max;
};

static void vkt_walk_cb(void *arg, unsigned long addr, unsigned long size)
{
	struct vkt_walk *w = arg;

	if (w->n < w->max) {
		w->out[w->n].start = addr;
		w->out[w->n].size = size;
	}
	w->n++;
}

unsigned int vkt_walk(struct vmem *vm, unsigned int typemask,
		      struct vkt_seg *out, unsigned int max)
{
	struct vkt_walk w = { .out = out, .max = max };

	vmem_walk(vm, typemask, vkt_walk_cb, &w);
	return w.n;
}

void vkt_expect_segs(struct kunit *test, struct vmem *vm,
		     unsigned int typemask, const struct vkt_seg *want,
		     unsigned int n, int line)
{
	unsigned int max = n + 8, got, i;
	struct vkt_seg *segs;

	segs = kunit_kcalloc(test, max, sizeof(*segs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, segs);
	got = vkt_walk(vm, typemask, segs, max);
	KUNIT_EXPECT_EQ_MSG(test, got, n,
			    "line %d: vmem_walk(%s, %#x) reported %u entries, expected %u",
			    line, vmem_name(vm), typemask, got, n);
	for (i = 0; i < min(got, n); i++) {
		KUNIT_EXPECT_EQ_MSG(test, segs[i].start, want[i].start,
				    "line %d: vmem_walk(%s, %#x) entry %u: [%#lx, +%#lx), expected [%#lx, +%#lx)",
				    line, vmem_name(vm), typemask, i,
				    segs[i].start, segs[i].size,
				    want[i].start, want[i].size);
		KUNIT_EXPECT_EQ_MSG(test, segs[i].size, want[i].size,
				    "line %d: vmem_walk(%s, %#x) entry %u: [%#lx, +%#lx), expected [%#lx, +%#lx)",
				    line, vmem_name(vm), typemask, i,
				    segs[i].start, segs[i].size,
				    want[i].start, want[i].size);
	}
	kunit_kfree(test, segs);
}

void vkt_expect_check(struct kunit *test, struct vmem *vm, int line)
{
	KUNIT_EXPECT_EQ_MSG(test, vmem_check(vm), 0,
			    "line %d: vmem_check(%s) found an inconsistency",
			    line, vmem_name(vm));
}

void vkt_expect_sizes(struct kunit *test, struct vmem *vm,
		      unsigned long alloc, unsigned long free, int line)
{
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(vm, VMEM_ALLOC), alloc,
			    "line %d: %s allocated", line, vmem_name(vm));
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(vm, VMEM_FREE), free,
			    "line %d: %s free", line, vmem_name(vm));
	/* 2^BITS_PER_LONG integers in spans read ULONG_MAX */
	KUNIT_EXPECT_EQ_MSG(test, vmem_arena_size(vm, VMEM_SPAN),
			    alloc > ULONG_MAX - free ? ULONG_MAX : alloc + free,
			    "line %d: %s in spans", line, vmem_name(vm));
}

static int vkt_thread_fn(void *data)
{
	struct vkt_thread *t = data;

	t->ret = t->fn(t->arg);
	kthread_complete_and_exit(&t->done, 0);
}

struct vkt_thread *vkt_thread_start(struct kunit *test,
				    int (*fn)(void *arg), void *arg,
				    int cpu, const char *name)
{
	struct vkt_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, t);
	init_completion(&t->done);
	t->fn = fn;
	t->arg = arg;
	task = kthread_create(vkt_thread_fn, t, "%s", name);
	if (IS_ERR(task)) {
		kfree(t);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	}
	if (cpu >= 0)
		kthread_bind(task, cpu);
	get_task_struct(task);
	t->task = task;
	wake_up_process(task);
	return t;
}

bool vkt_thread_wait(struct vkt_thread *t, unsigned int ms)
{
	if (!t->finished)
		t->finished = wait_for_completion_timeout(&t->done,
							  msecs_to_jiffies(ms));
	return t->finished;
}

void vkt_thread_put(struct vkt_thread *t)
{
	if (!t->finished)
		return;		/* still running: leaking beats a crash */
	put_task_struct(t->task);
	kfree(t);
}

/*
 * The seed of the randomized suites: a parameter of this module, which
 * KUnit (6.12) has parsed by the time it runs the module's suites, at
 * MODULE_STATE_LIVE.  0, the default, picks one at the first use; every
 * suite of the run then shares it.
 */
static unsigned long seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "Seed of the randomized suites (0: pick one)");

u64 vkt_seed(struct kunit *test, const char *suite)
{
	while (!seed)
		seed = get_random_long();
	kunit_info(test, "%s: seed=%lu (rerun: insmod vmem_kunit.ko seed=%lu)\n",
		   suite, seed, seed);
	return seed;
}

void vkt_progress(void *arg, unsigned long done)
{
	cond_resched();
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of vmem, with a reference model and a differential test");
MODULE_AUTHOR("The vmem for Linux developers");
VMEM_IMPORT_NS();
