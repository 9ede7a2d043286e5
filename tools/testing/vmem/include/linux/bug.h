/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: BUG and WARN.
 *
 * BUG() prints and aborts, as a kernel oops would end a test VM.  WARN*()
 * prints a "WARNING:" line and counts it in shim_nr_warnings; it does not
 * stop the program, as in the kernel, but the test harness fails any test
 * that ends with more warnings than it expected (the VM runner likewise
 * fails a run whose log has a splat).  The *_ONCE variants warn once per
 * call site for the life of the process, as in the kernel.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/printk.h>

void shim_warn(const char *file, int line, const char *func,
	       const char *fmt, ...) __printf(4, 5);
void __noreturn shim_bug(const char *file, int line, const char *func);

#define BUG()	shim_bug(__FILE__, __LINE__, __func__)
#define BUG_ON(cond) do {						\
	if (unlikely(cond))						\
		BUG();							\
} while (0)

#define WARN(cond, fmt, ...) ({						\
	int __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		shim_warn(__FILE__, __LINE__, __func__,			\
			  fmt, ##__VA_ARGS__);				\
	unlikely(__ret_warn);						\
})

#define WARN_ON(cond) ({						\
	int __ret_warn_on = !!(cond);					\
	if (unlikely(__ret_warn_on))					\
		shim_warn(__FILE__, __LINE__, __func__,			\
			  "WARN_ON(%s)", #cond);			\
	unlikely(__ret_warn_on);					\
})

#define WARN_ONCE(cond, fmt, ...) ({					\
	static bool __warned;						\
	int __ret_warn_once = !!(cond);					\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = true;					\
		shim_warn(__FILE__, __LINE__, __func__,			\
			  fmt, ##__VA_ARGS__);				\
	}								\
	unlikely(__ret_warn_once);					\
})

#define WARN_ON_ONCE(cond) ({						\
	static bool __warned;						\
	int __ret_warn_once = !!(cond);					\
	if (unlikely(__ret_warn_once && !__warned)) {			\
		__warned = true;					\
		shim_warn(__FILE__, __LINE__, __func__,			\
			  "WARN_ON_ONCE(%s)", #cond);			\
	}								\
	unlikely(__ret_warn_once);					\
})

#define VM_BUG_ON(cond)		BUG_ON(cond)
#define VM_WARN_ON(cond)	((void)WARN_ON(cond))
#define VM_WARN_ON_ONCE(cond)	((void)WARN_ON_ONCE(cond))

#endif /* _SHIM_LINUX_BUG_H */
