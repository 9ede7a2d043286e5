/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: the kernel's config helpers.  The configuration is the
 * one the Makefile passes as -DCONFIG_...=1 (a "debug" set for the test
 * builds, a "production" set for the benchmark); there is no .config.
 * CONFIG_DEBUG_FS is never set here, so debugfs/ is not compiled and the
 * vmem_debugfs_*() stubs of vmem_impl.h are used.
 */
#ifndef _SHIM_LINUX_KCONFIG_H
#define _SHIM_LINUX_KCONFIG_H

#if defined(__LP64__) && !defined(CONFIG_64BIT)
#define CONFIG_64BIT 1
#endif
#ifndef CONFIG_SMP
#define CONFIG_SMP 1
#endif
#ifndef CONFIG_NR_CPUS
#define CONFIG_NR_CPUS 16
#endif

/*
 * IS_ENABLED(CONFIG_FOO) is 1 iff CONFIG_FOO is defined to 1 (or to
 * nothing is not supported: the Makefile always defines to 1).  Same
 * placeholder trick as the kernel, written out here.
 */
#define __SHIM_ARG_PLACEHOLDER_1		0,
#define __shim_take_second_arg(ignored, val, ...) val
#define __shim_is_defined(x)			___shim_is_defined(x)
#define ___shim_is_defined(val)		\
	____shim_is_defined(__SHIM_ARG_PLACEHOLDER_##val)
#define ____shim_is_defined(arg1_or_junk)	\
	__shim_take_second_arg(arg1_or_junk 1, 0)

#define IS_BUILTIN(option)	__shim_is_defined(option)
#define IS_MODULE(option)	0
#define IS_ENABLED(option)	IS_BUILTIN(option)
#define IS_REACHABLE(option)	IS_BUILTIN(option)

#endif /* _SHIM_LINUX_KCONFIG_H */
