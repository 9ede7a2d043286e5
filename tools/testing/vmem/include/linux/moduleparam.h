/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: module parameters.  Each module_param() registers
 * itself before main() runs; the harness sets them from its command line
 * ("test_seed=42", as insmod would take it) with shim_module_param_set().
 * The type is checked against the variable as the kernel does.
 */
#ifndef _SHIM_LINUX_MODULEPARAM_H
#define _SHIM_LINUX_MODULEPARAM_H

#include <linux/types.h>

struct shim_param {
	const char		*name;
	void			*arg;
	int			(*set)(const char *val, void *arg);
	struct shim_param	*next;
};

void shim_param_register(struct shim_param *p);

int shim_param_set_int(const char *val, void *arg);
int shim_param_set_uint(const char *val, void *arg);
int shim_param_set_long(const char *val, void *arg);
int shim_param_set_ulong(const char *val, void *arg);
int shim_param_set_ullong(const char *val, void *arg);
int shim_param_set_bool(const char *val, void *arg);
int shim_param_set_charp(const char *val, void *arg);

typedef int		shim_param_type_int;
typedef unsigned int	shim_param_type_uint;
typedef long		shim_param_type_long;
typedef unsigned long	shim_param_type_ulong;
typedef unsigned long long shim_param_type_ullong;
typedef bool		shim_param_type_bool;
typedef char		*shim_param_type_charp;

#define module_param_named(name, value, type, perm)			\
	_Static_assert(__builtin_types_compatible_p(__typeof__(value),	\
					shim_param_type_##type),	\
		       "module_param type mismatch: " #value);		\
	static struct shim_param __shim_param_##name = {		\
		#name, &(value), shim_param_set_##type, NULL		\
	};								\
	static void __attribute__((__constructor__))			\
	__shim_param_register_##name(void)				\
	{								\
		shim_param_register(&__shim_param_##name);		\
	}								\
	extern int __shim_param_unused_##name

#define module_param(name, type, perm)	module_param_named(name, name, type, perm)
#define MODULE_PARM_DESC(name, desc)	extern int __shim_param_unused_##name

#endif /* _SHIM_LINUX_MODULEPARAM_H */
