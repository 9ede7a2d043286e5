/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the vmem KUnit suites (kunit/vmem_*_kunit.c), in the
 * style of drm_mm's: arenas that are destroyed when the case ends, and
 * assertions about an arena's segments that name the caller's line.
 */
#ifndef _VMEM_KUNIT_H
#define _VMEM_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/vmem.h>

#include "../vmem/vmem_impl.h"
#include "vmem_model.h"

/* A span or segment, for the expected results of vmem_walk(). */
struct vkt_seg {
	unsigned long	start;
	unsigned long	size;
};

/*
 * Report misuse of @vm with pr_info(), not a WARN: for a case that makes
 * bad frees on purpose.  vmem_create() refuses the internal flag this
 * sets; call it on a fresh arena, before any other use.  vkt_create() and
 * vkt_create_child() call it when given VMC_QUIET_BADFREE.
 */
void vkt_quiet(struct vmem *vm);

/* An arena destroyed at the end of the case (even when it fails). */
struct vmem *vkt_create(struct kunit *test, const char *name,
			unsigned long base, unsigned long size,
			unsigned long quantum, unsigned int flags);
/* An arena importing from @source with vmem_alloc/vmem_free. */
struct vmem *vkt_create_child(struct kunit *test, const char *name,
			      unsigned long quantum, struct vmem *source,
			      unsigned int flags);
/* Destroy @vm at the end of the case; for arenas created otherwise. */
void vkt_defer_destroy(struct kunit *test, struct vmem *vm);
/* Destroy an arena of vkt_create() now rather than at the end. */
void vkt_destroy_now(struct kunit *test, struct vmem *vm);

/* vmem_walk() into @out; returns the number of entries (may exceed @max). */
unsigned int vkt_walk(struct vmem *vm, unsigned int typemask,
		      struct vkt_seg *out, unsigned int max);

void vkt_expect_segs(struct kunit *test, struct vmem *vm,
		     unsigned int typemask, const struct vkt_seg *want,
		     unsigned int n, int line);

/* The segments vmem_walk(@mask) reports are exactly the ones listed. */
#define VKT_EXPECT_SEGS(test, vm, mask, ...)				\
	do {								\
		const struct vkt_seg __vkt_want[] = { __VA_ARGS__ };	\
		vkt_expect_segs(test, vm, mask, __vkt_want,		\
				ARRAY_SIZE(__vkt_want), __LINE__);	\
	} while (0)

#define VKT_EXPECT_NO_SEGS(test, vm, mask)				\
	vkt_expect_segs(test, vm, mask, NULL, 0, __LINE__)

void vkt_expect_check(struct kunit *test, struct vmem *vm, int line);

/* vmem_check() finds the arena consistent. */
#define VKT_EXPECT_CHECK(test, vm)	vkt_expect_check(test, vm, __LINE__)

/* Allocate, or fail (and end) the case; returns the address. */
unsigned long vkt_alloc(struct kunit *test, struct vmem *vm,
			unsigned long size, unsigned int vmflags);
unsigned long vkt_xalloc(struct kunit *test, struct vmem *vm,
			 unsigned long size, unsigned long align,
			 unsigned long phase, unsigned long nocross,
			 unsigned long minaddr, unsigned long maxaddr,
			 unsigned int vmflags);

void vkt_expect_sizes(struct kunit *test, struct vmem *vm,
		      unsigned long alloc, unsigned long free, int line);

/* vmem_arena_size() of allocated, free and span integers, in one go. */
#define VKT_EXPECT_SIZES(test, vm, alloc, free)				\
	vkt_expect_sizes(test, vm, alloc, free, __LINE__)

/*
 * A kernel thread running @fn(@arg) that tests wait for.  The thread ends
 * with kthread_complete_and_exit(), so it never returns into this module's
 * text after signalling; a thread that did not finish in time is leaked
 * rather than freed under it.
 */
struct vkt_thread {
	struct task_struct	*task;
	struct completion	done;
	int			(*fn)(void *arg);
	void			*arg;
	int			ret;
	bool			finished;	/* a wait saw it end */
};

struct vkt_thread *vkt_thread_start(struct kunit *test,
				    int (*fn)(void *arg), void *arg,
				    int cpu, const char *name);
/* Wait up to @ms; true and the thread's result in ->ret if it finished. */
bool vkt_thread_wait(struct vkt_thread *t, unsigned int ms);
/* Free a finished thread; a thread that did not finish is leaked. */
void vkt_thread_put(struct vkt_thread *t);

/* The seed of the randomized suites, logged so that a run can be redone. */
u64 vkt_seed(struct kunit *test, const char *suite);

/* cond_resched() for vmem_difftest_params.progress. */
void vkt_progress(void *arg, unsigned long done);

/*
 * The corruptions of vmem_check_kunit.c, shared with tools/testing/vmem,
 * which checks that each is logged with @msg (a KUnit case cannot read
 * the kernel log).
 */
struct vkt_corruption {
	const char	*name;
	const char	*msg;		/* in what vmem_check() logs */
	int		(*apply)(struct vmem *vm, bool undo);
};

extern const struct vkt_corruption vkt_corruptions[];
extern const unsigned int vkt_ncorruptions;

/* An arena with the layout the corruptions expect, destroyed at the end. */
struct vmem *vkt_corruptible(struct kunit *test);
/* Apply (or undo) @c under the arena lock; -ENOENT if the layout differs. */
int vkt_corrupt(struct vmem *vm, const struct vkt_corruption *c, bool undo);

#endif /* _VMEM_KUNIT_H */
