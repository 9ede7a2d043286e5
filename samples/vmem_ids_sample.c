// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_ids_sample: the identifier allocator of a toy device, "toydev".
 *
 * A client of vmem.ko written as a driver would write it.  Every open of
 * toydev takes two numbers:
 *
 *   a minor    from toydev_minor, the identifiers [0, TOY_NMINORS), lowest
 *              first (vmem_id_allocff()): minors stay dense, as device
 *              nodes like them;
 *   a handle   from toydev_handle, [1, TOY_HANDLE_END), next fit
 *              (vmem_id_alloc()): a closed handle is not handed out again
 *              before the space has gone round, so a stale handle is
 *              unlikely to name a new open.
 *
 * At load it checks, on the quiet spaces, that each call places identifiers
 * where its policy says (against a bitmap of what it holds), that a full
 * space says -ENOSPC and a taken identifier -EBUSY.  Then TOY_NTHREADS
 * threads open and close toydev at once, and every identifier handed out is
 * checked against a bitmap of the identifiers held: none may be handed out
 * twice, none may be lost.  TOY_NKEEP opens stay until unload so that
 * /sys/kernel/debug/vmem/toydev_minor/stats and toydev_handle/stats show
 * live identifiers.  A wrong answer is logged as "FAILED: ..." and fails the
 * load; at unload it is logged; scripts/guest-init.sh looks for both.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/vmem.h>
#include <linux/vmem_ns.h>

#define TOY_NMINORS	64UL
#define TOY_HANDLE_END	4096UL
#define TOY_NTHREADS	4
#define TOY_ROUNDS	400	/* steps of each thread */
#define TOY_MAXOPEN	8	/* opens a thread holds at most */
#define TOY_NKEEP	3	/* opens kept until unload */

/* The threads never run the minors out: every open they try must work. */
static_assert(TOY_NTHREADS * TOY_MAXOPEN + 2 * TOY_NKEEP <= TOY_NMINORS);

struct toy_open {
	unsigned long minor;
	unsigned long handle;
};

struct toy_thread {
	struct completion done;
	unsigned int id;
	unsigned long opens;
	unsigned long closes;
};

static struct vmem *toy_minors;
static struct vmem *toy_handles;

/* What the clients hold, by identifier; set on open, cleared on close. */
static DECLARE_BITMAP(toy_minor_held, TOY_NMINORS);
static DECLARE_BITMAP(toy_handle_held, TOY_HANDLE_END);

static struct toy_open toy_kept[TOY_NKEEP];
static unsigned int toy_nkept;
static unsigned long toy_last_handle;	/* of toy_check_order() */
static atomic_t toy_failures = ATOMIC_INIT(0);

#define toy_fail(fmt, ...) do {					\
	pr_err("FAILED: " fmt "\n", ##__VA_ARGS__);		\
	atomic_inc(&toy_failures);				\
} while (0)

/* Record an identifier as held; false if it is out of range or held. */
static bool toy_take(unsigned long *held, unsigned long lo, unsigned long hi,
		     const char *what, unsigned long id)
{
	if (id < lo || id >= hi) {
		toy_fail("%s %lu is outside [%lu, %lu)", what, id, lo, hi);
		return false;
	}
	if (test_and_set_bit(id, held)) {
		toy_fail("%s %lu handed out while held", what, id);
		return false;
	}
	return true;
}

/* Open toydev: a minor (lowest first) and a handle (next fit). */
static int toy_open(struct toy_open *o, unsigned int vmflags)
{
	int err;

	err = vmem_id_allocff(toy_minors, vmflags, &o->minor);
	if (err)
		return err;
	err = vmem_id_alloc(toy_handles, vmflags, &o->handle);
	if (err) {
		vmem_id_free(toy_minors, o->minor);
		return err;
	}
	if (!toy_take(toy_minor_held, 0, TOY_NMINORS, "minor", o->minor) ||
	    !toy_take(toy_handle_held, 1, TOY_HANDLE_END, "handle",
		      o->handle)) {
		/* do not free what someone else may hold */
		return -EINVAL;
	}
	return 0;
}

/* Close it: forget the numbers first, since vmem may hand them out again. */
static void toy_close(struct toy_open *o)
{
	clear_bit(o->minor, toy_minor_held);
	clear_bit(o->handle, toy_handle_held);
	vmem_id_free(toy_minors, o->minor);
	vmem_id_free(toy_handles, o->handle);
}

/*
 * Lowest first: with opens 0-4 made and 1 and 3 closed, the next opens get
 * minors 1, 3, 5.  Next fit: their handles are 6, 7, 8, not the freed 2
 * and 4.  Keeps three opens, for the rest of the load and for unload.
 */
static int toy_check_order(void)
{
	static const unsigned long want_minor[] = { 0, 1, 2, 3, 4, 1, 3, 5 };
	static const unsigned long want_handle[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct toy_open o[ARRAY_SIZE(want_minor)];
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(o); i++) {
		err = toy_open(&o[i], VMEM_SLEEP);
		if (err) {
			toy_fail("open %u: %d", i, err);
			return err;
		}
		if (o[i].minor != want_minor[i] ||
		    o[i].handle != want_handle[i])
			toy_fail("open %u got minor %lu, handle %lu; want %lu, %lu",
				 i, o[i].minor, o[i].handle, want_minor[i],
				 want_handle[i]);
		if (i == 4) {
			toy_close(&o[1]);
			toy_close(&o[3]);
		}
	}
	/* Keep 0, 2, 4 (minors 0, 2, 4; handles 1, 3, 5); close the rest. */
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		if (i == 0 || i == 2 || i == 4)
			toy_kept[toy_nkept++] = o[i];
		else if (i > 4)
			toy_close(&o[i]);
	}
	toy_last_handle = o[ARRAY_SIZE(o) - 1].handle;
	pr_info("lowest first: minors 0 1 2 3 4, then 1 3 5 after closing 1 and 3; next fit: handles 1-5, then 6 7 8\n");
	return 0;
}

/*
 * Next fit, all the way round: handles taken and given back one at a time
 * come in rising order from the rotor, skip the held ones, and wrap to the
 * lowest free handle past the top.  The expected handle comes from the
 * bitmap, not from vmem: the lowest free one at or above the rotor, else
 * the lowest free one.
 */
static int toy_check_nextfit(void)
{
	unsigned long rotor = toy_last_handle + 1;
	unsigned long h, want, wraps = 0;
	unsigned int i;
	int err;

	/* handle 0 is outside the space: mark it held for the search */
	set_bit(0, toy_handle_held);
	for (i = 0; i < 2 * TOY_HANDLE_END; i++) {
		want = find_next_zero_bit(toy_handle_held, TOY_HANDLE_END,
					  rotor);
		if (want >= TOY_HANDLE_END) {
			want = find_first_zero_bit(toy_handle_held,
						   TOY_HANDLE_END);
			wraps++;
		}
		err = vmem_id_alloc(toy_handles, VMEM_SLEEP, &h);
		if (err) {
			toy_fail("vmem_id_alloc, step %u: %d", i, err);
			break;
		}
		vmem_id_free(toy_handles, h);
		if (h != want) {
			toy_fail("vmem_id_alloc, step %u: handle %lu, want %lu",
				 i, h, want);
			break;
		}
		rotor = h + 1;
	}
	clear_bit(0, toy_handle_held);
	if (!atomic_read(&toy_failures))
		pr_info("next fit: %u handles in rotor order, %lu wraps past %lu\n",
			i, wraps, TOY_HANDLE_END - 1);
	return atomic_read(&toy_failures) ? -EINVAL : 0;
}

/* A full space says -ENOSPC at once without sleeping; a taken ID -EBUSY. */
static int toy_check_full(void)
{
	unsigned long ids[TOY_NMINORS], id = 0;
	unsigned int n = 0, i;
	int err = 0;

	while (n < TOY_NMINORS) {
		err = vmem_id_allocff(toy_minors, VMEM_NOSLEEP, &ids[n]);
		if (err)
			break;
		if (!toy_take(toy_minor_held, 0, TOY_NMINORS, "minor", ids[n]))
			return -EINVAL;
		n++;
	}
	if (n != TOY_NMINORS - toy_nkept || err != -ENOSPC)
		toy_fail("%u held: %u more minors, then %d; want %lu, then %d",
			 toy_nkept, n, err, TOY_NMINORS - toy_nkept, -ENOSPC);
	err = vmem_id_alloc_specific(toy_minors, toy_kept[0].minor,
				     VMEM_NOSLEEP);
	if (err != -EBUSY)
		toy_fail("vmem_id_alloc_specific(held minor %lu): %d, want %d",
			 toy_kept[0].minor, err, -EBUSY);
	if (!err)
		vmem_id_free(toy_minors, toy_kept[0].minor);
	for (i = 0; i < n; i++) {
		clear_bit(ids[i], toy_minor_held);
		vmem_id_free(toy_minors, ids[i]);
	}
	/* all back: the lowest free minor is the lowest not kept */
	err = vmem_id_allocff(toy_minors, VMEM_NOSLEEP, &id);
	if (err || id != 1)
		toy_fail("after emptying: minor %lu (%d), want 1", id, err);
	if (!err)
		vmem_id_free(toy_minors, id);
	if (!atomic_read(&toy_failures))
		pr_info("full: %u minors, then -ENOSPC; a held minor: -EBUSY\n",
			n);
	return atomic_read(&toy_failures) ? -EINVAL : 0;
}

/*
 * One opener: opens three times in four while it holds fewer than
 * TOY_MAXOPEN, closes otherwise, and closes everything at the end.
 */
static int toy_thread_fn(void *arg)
{
	struct toy_thread *t = arg;
	struct toy_open o[TOY_MAXOPEN];
	unsigned int n = 0, i;
	int err;

	for (i = 0; i < TOY_ROUNDS; i++) {
		if (n < TOY_MAXOPEN && (i % 4 != 3 || !n)) {
			err = toy_open(&o[n], VMEM_SLEEP);
			if (err) {
				toy_fail("thread %u, step %u: open: %d", t->id,
					 i, err);
				break;
			}
			n++;
			t->opens++;
		} else {
			unsigned int k = (i + t->id) % n;

			toy_close(&o[k]);
			o[k] = o[--n];
			t->closes++;
		}
		cond_resched();
	}
	while (n) {
		toy_close(&o[--n]);
		t->closes++;
	}
	kthread_complete_and_exit(&t->done, 0);
}

static int toy_check_threads(void)
{
	struct toy_thread t[TOY_NTHREADS];
	unsigned long opens = 0, closes = 0;
	unsigned int i, started = 0;
	struct task_struct *task;

	for (i = 0; i < TOY_NTHREADS; i++) {
		t[i] = (struct toy_thread){ .id = i };
		init_completion(&t[i].done);
		task = kthread_run(toy_thread_fn, &t[i], "toydev/%u", i);
		if (IS_ERR(task)) {
			toy_fail("kthread_run: %ld", PTR_ERR(task));
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		wait_for_completion(&t[i].done);
		opens += t[i].opens;
		closes += t[i].closes;
	}
	if (opens != closes)
		toy_fail("%lu opens but %lu closes", opens, closes);
	if (bitmap_weight(toy_minor_held, TOY_NMINORS) != toy_nkept ||
	    vmem_arena_size(toy_minors, VMEM_ALLOC) != toy_nkept ||
	    vmem_arena_size(toy_handles, VMEM_ALLOC) != toy_nkept)
		toy_fail("after the threads: %lu minors and %lu handles allocated, want %u",
			 vmem_arena_size(toy_minors, VMEM_ALLOC),
			 vmem_arena_size(toy_handles, VMEM_ALLOC), toy_nkept);
	if (!atomic_read(&toy_failures))
		pr_info("%u threads: %lu opens and %lu closes, no identifier held twice\n",
			started, opens, closes);
	return atomic_read(&toy_failures) ? -EINVAL : 0;
}

static void toy_destroy(void)
{
	while (toy_nkept)
		toy_close(&toy_kept[--toy_nkept]);
	if (!IS_ERR_OR_NULL(toy_minors) &&
	    vmem_arena_size(toy_minors, VMEM_ALLOC))
		toy_fail("%lu minors left allocated",
			 vmem_arena_size(toy_minors, VMEM_ALLOC));
	if (!IS_ERR_OR_NULL(toy_handles) &&
	    vmem_arena_size(toy_handles, VMEM_ALLOC))
		toy_fail("%lu handles left allocated",
			 vmem_arena_size(toy_handles, VMEM_ALLOC));
	vmem_idspace_destroy(toy_handles);
	vmem_idspace_destroy(toy_minors);
	toy_handles = NULL;
	toy_minors = NULL;
}

static int __init toy_init(void)
{
	int err;

	toy_minors = vmem_idspace_create("toydev_minor", 0, TOY_NMINORS);
	if (IS_ERR(toy_minors)) {
		err = PTR_ERR(toy_minors);
		pr_err("vmem_idspace_create(toydev_minor): %d\n", err);
		return err;
	}
	toy_handles = vmem_idspace_create("toydev_handle", 1, TOY_HANDLE_END);
	if (IS_ERR(toy_handles)) {
		err = PTR_ERR(toy_handles);
		pr_err("vmem_idspace_create(toydev_handle): %d\n", err);
		goto out;
	}
	err = toy_check_order();
	if (!err)
		err = toy_check_nextfit();
	if (!err)
		err = toy_check_full();
	if (!err)
		err = toy_check_threads();
	if (err)
		goto out;
	pr_info("keeping %u opens until unload\n", toy_nkept);
	return 0;

out:
	toy_destroy();
	return err;
}
module_init(toy_init);

static void __exit toy_exit(void)
{
	toy_destroy();
	if (!atomic_read(&toy_failures))
		pr_info("closed every open; both spaces destroyed\n");
}
module_exit(toy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem sample client: the identifier spaces of a toy device");
MODULE_AUTHOR("The vmem for Linux developers");
VMEM_IMPORT_NS();
