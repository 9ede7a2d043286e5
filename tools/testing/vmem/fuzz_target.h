/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two libFuzzer targets (vmem_fuzz.c, vmem_oracle_fuzz.c) share:
 * their set-up, and the checks that fail an input beyond the run's own
 * verdict.  Each target includes <stdio.h> and <stdlib.h> before any
 * kernel header, then defines FUZZ_NAME and includes this.
 */
#ifndef VMEM_FUZZ_TARGET_H
#define VMEM_FUZZ_TARGET_H

#include <linux/kernel.h>
#include <shim.h>

/* kmalloc objects live after module init: what every input leaves. */
static long fuzz_kmalloc_base;

/* The runs' progress callback: run the work items they queued. */
static void fuzz_progress(void *arg, unsigned long done)
{
	shim_run_work();
}

/* Fail the input: libFuzzer reports the abort as a crash, input saved. */
static void __noreturn fuzz_fail(const char *what)
{
	fprintf(stderr, FUZZ_NAME ": %s\n", what);
	fprintf(stderr, FUZZ_NAME ": kernel log (last lines):\n");
	shim_log_dump(stderr);
	abort();
}

static void fuzz_init(void)
{
	shim_thread_init(FUZZ_NAME, 0);
	shim_console_loglevel = 0;
	shim_random_seed(1);
	if (shim_module_init && shim_module_init())
		fuzz_fail("module init failed");
	fuzz_kmalloc_base = shim_kmalloc_live();
}

/* The shim's report counters before an input, for fuzz_check_after(). */
struct fuzz_counts {
	unsigned long	warnings;
	unsigned long	bugs;
	unsigned long	atomic_allocs;
};

static struct fuzz_counts fuzz_counts_now(void)
{
	return (struct fuzz_counts) {
		.warnings = shim_nr_warnings,
		.bugs = shim_nr_bugs,
		.atomic_allocs = shim_nr_alloc_atomic,
	};
}

/*
 * After a run that returned @ret (its message in @err): any WARN, shim
 * BUG report, allocation under a spinlock, or boundary tag or kmalloc
 * object left over after the arenas are gone fails the input.
 */
static void fuzz_check_after(const struct fuzz_counts *before, int ret,
			     const char *err, const char *no_message)
{
	shim_run_work();
	if (ret)
		fuzz_fail(err[0] ? err : no_message);
	if (shim_nr_warnings != before->warnings)
		fuzz_fail("WARN fired");
	if (shim_nr_bugs != before->bugs)
		fuzz_fail("sleeping in atomic context");
	if (shim_nr_alloc_atomic != before->atomic_allocs)
		fuzz_fail("memory allocated under a spinlock");
	if (shim_slab_live("vmem_seg") != 0)
		fuzz_fail("boundary tags leaked");
	if (shim_kmalloc_live() != fuzz_kmalloc_base)
		fuzz_fail("kmalloc objects leaked");
}

#endif /* VMEM_FUZZ_TARGET_H */
