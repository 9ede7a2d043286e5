// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace events of vmem.ko, defined once here; the events themselves
 * are declared in include/trace/events/vmem.h, and the calls sit in the
 * files of vmem/ next to the counters they match.
 */
#include <linux/build_bug.h>
#include "vmem_impl.h"

#define CREATE_TRACE_POINTS
#include <trace/events/vmem.h>

static_assert(VMEM_TRACE_NAMELEN == VMEM_NAMELEN);
