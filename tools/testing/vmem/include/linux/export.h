/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim: everything links into one program, so an export only
 * checks that the symbol is declared.  Namespaces are accepted bare or
 * quoted (both kernel conventions).
 */
#ifndef _SHIM_LINUX_EXPORT_H
#define _SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym)		extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns)	extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern __typeof__(sym) sym
#define EXPORT_SYMBOL_IF_KUNIT(sym)	extern __typeof__(sym) sym

#endif /* _SHIM_LINUX_EXPORT_H */
