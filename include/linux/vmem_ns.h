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
 * Linux 6.13 changed the argument of MODULE_IMPORT_NS() from an identifier,
 * which it stringified, to a string literal: MODULE_IMPORT_NS(VMEM) before,
 * MODULE_IMPORT_NS("VMEM") after, and stable kernels took parts of that
 * change at different times (6.12.117's DEFAULT_SYMBOL_NAMESPACE is a
 * string while its MODULE_IMPORT_NS() still stringifies), so no version
 * number tells which spelling a kernel wants.  Both spellings have always
 * expanded to the same modinfo tag, import_ns=VMEM, which is all that
 * modpost and the module loader read.  This is the one place that knows:
 * it writes the tag itself, which every kernel since namespaces came
 * (5.4) reads the same.
 */
#ifndef _LINUX_VMEM_NS_H
#define _LINUX_VMEM_NS_H

#include <linux/module.h>

#define VMEM_IMPORT_NS()	MODULE_INFO(import_ns, "VMEM")

#endif /* _LINUX_VMEM_NS_H */
