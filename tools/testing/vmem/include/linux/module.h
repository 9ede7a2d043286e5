/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: a "module" is linked into the test program.  Its init
 * and exit functions become shim_module_init()/shim_module_exit(), which
 * the harness calls around the tests, as insmod and rmmod would.  One
 * module_init() per program.
 *
 * The kernel's linux/module.h reaches linux/mutex.h, linux/list.h and
 * linux/wait.h through its own includes; code that relies on that still
 * compiles here.
 */
#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H

#include <linux/types.h>
#include <linux/init.h>
#include <linux/export.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>

#define THIS_MODULE		((struct module *)0)
#define KBUILD_MODNAME		"vmem"

#define module_init(fn)							\
	int shim_module_init(void) { return fn(); }			\
	extern int __shim_module_init_unused
#define module_exit(fn)							\
	void shim_module_exit(void) { fn(); }				\
	extern int __shim_module_exit_unused

#define MODULE_LICENSE(x)	extern int __shim_modinfo_unused
#define MODULE_AUTHOR(x)	extern int __shim_modinfo_unused
#define MODULE_DESCRIPTION(x)	extern int __shim_modinfo_unused
#define MODULE_VERSION(x)	extern int __shim_modinfo_unused
#define MODULE_IMPORT_NS(ns)	extern int __shim_modinfo_unused
#define MODULE_INFO(tag, info)	extern int __shim_modinfo_unused

#endif /* _SHIM_LINUX_MODULE_H */
