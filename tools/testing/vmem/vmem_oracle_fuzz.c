// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: vmem held against the brute-force oracle, fed by the
 * fuzzer.
 *
 * vmem_oracle_bytes() (kunit/vmem_oracle.c) decodes the input into
 * arenas (flat, identifier spaces, a child importing from a source, in a
 * window at 0, in the middle or at the top of the space) and requests
 * (vmem_alloc() under each policy, vmem_xalloc() with alignment, phase,
 * nocross and windows, the vmem_id_*() calls, frees, vmem_add()), and
 * checks each answer against an oracle that tries every address of a
 * small window: success iff something fits (or the source holds a range
 * the request can use), the result fits, the policy's place, -ENOSPC and
 * -EINVAL exactly when the rules say.  About half of the arenas have
 * quantum caches, held to what those allow (see vmem_oracle.c).  Every
 * input is valid.
 * VMEM_ORACLE_FLAGS in the environment (VMEM_OR_NO_* bits, see
 * vmem_oracle.h) leaves out what a core being fixed is known to get wrong.
 *
 * Beyond a disagreement, an input fails (the target aborts, which
 * libFuzzer reports as a crash with the input saved) on any WARN, any
 * shim BUG report, an allocation under a spinlock, or a boundary tag or
 * kmalloc object left over after the arenas are gone.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/vmem.h>

#include "vmem_oracle.h"

#define FUZZ_NAME "vmem_oracle_fuzz"
#include "fuzz_target.h"

/* VMEM_OR_NO_* bits from VMEM_ORACLE_FLAGS in the environment; 0: none */
static unsigned int oracle_flags;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (getenv("VMEM_ORACLE_FLAGS"))
		oracle_flags = strtoul(getenv("VMEM_ORACLE_FLAGS"), NULL, 0);
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_counts before = fuzz_counts_now();
	/* A small window and live set: quick inputs, crowded arenas. */
	struct vmem_oracle_params p = {
		.nops = 0,		/* until the input is used up */
		.width = 256,
		.max_live = 32,
		.check_every = 16,
		.flags = oracle_flags,
		.qcache = VMEM_OR_QC_SOME,	/* half the arenas cache */
		.progress = fuzz_progress,
	};
	static char err[4096];
	int ret;

	shim_log_clear();
	ret = vmem_oracle_bytes(data, size, &p, err, sizeof(err));
	fuzz_check_after(&before, ret, err,
			 "the oracle run failed without a message");
	return 0;
}
