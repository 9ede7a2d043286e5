// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the shared differential test, fed by the fuzzer.
 *
 * vmem_difftest_bytes() (kunit/vmem_model.c) decodes the input into
 * operations: create an arena (random quantum from 1 to 2^63, spans at
 * 0, at the top of the space or anywhere, identifier or not), alloc and
 * xalloc with random sizes, policies and constraints, free with the
 * matching call, bad frees, add, walk, contains, check, destroy (with or
 * without leaks).  Each result is checked against the reference model,
 * and vmem_check() runs every few operations; every input is valid.
 * Arenas are created without quantum caches: a cache keeps freed ranges
 * allocated, so the model could not predict failures.
 *
 * Beyond a disagreement, an input fails (the target aborts, which
 * libFuzzer reports as a crash with the input saved) on any WARN, any
 * shim BUG report, an allocation under a spinlock, or a boundary tag or
 * kmalloc object left over after the arenas are gone.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/vmem.h>

#include "vmem_impl.h"
#include "vmem_model.h"

#define FUZZ_NAME "vmem_fuzz"
#include "fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

/* The harness's vkt_quiet(): see vmem_difftest_params.quiet. */
static void fuzz_quiet(struct vmem *vm)
{
	vm->vm_flags |= VMC_QUIET_BADFREE;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_counts before = fuzz_counts_now();
	struct vmem_difftest_params p = {
		.nops = 0,		/* until the input is used up */
		.check_every = 16,
		.max_live = 64,
		.max_spans = 8,
		.flags = VMEM_DT_ALL,
		.progress = fuzz_progress,
		.quiet = fuzz_quiet,
	};
	static char err[4096];
	int ret;

	shim_log_clear();
	ret = vmem_difftest_bytes(data, size, &p, err, sizeof(err));
	fuzz_check_after(&before, ret, err,
			 "the difftest failed without a message");
	return 0;
}
