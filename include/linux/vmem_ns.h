/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmem's symbol namespace, for the modules that use vmem.ko.
 *
 * vmem.ko exports every function into the symbol namespace VMEM (Kbuild
 * sets DEFAULT_SYMBOL_NAMESPACE for its objects).  A module that calls
 * them imports the namespace once, anywhere at file scope:
 *
 *	#include <linux/vmem.h>
 *	#include <linux/vmem_ns.h>
 *
 *	VMEM_IMPORT_NS();
 *
 * Without it modpost fails the build ("uses symbol vmem_create from
 * namespace VMEM, but does not import it"), and a module built past that
 * check is refused at load with -EINVAL.
 *
 * The macro exists because MODULE_IMPORT_NS() changed its argument in
 * Linux 6.13 from an identifier, which it stringified, to a string
 * literal: MODULE_IMPORT_NS(VMEM) before, MODULE_IMPORT_NS("VMEM") after.
 * This is the one place that knows.  (Stable kernels took the other half
 * of that change, a string DEFAULT_SYMBOL_NAMESPACE, earlier: 6.12.117
 * has it.  That half is vmem.ko's own business, settled in its Kbuild by
 * reading the kernel's export.h.)
 */
#ifndef _LINUX_VMEM_NS_H
#define _LINUX_VMEM_NS_H

#include <linux/module.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VMEM_IMPORT_NS()	MODULE_IMPORT_NS("VMEM")
#else
#define VMEM_IMPORT_NS()	MODULE_IMPORT_NS(VMEM)
#endif

#endif /* _LINUX_VMEM_NS_H */
