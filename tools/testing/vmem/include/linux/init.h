/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H

#include <linux/compiler.h>

/* Userspace has no init sections to discard. */
#define __init
#define __exit
#define __initdata
#define __initconst
#define __exitdata
#define __ro_after_init

#endif /* _SHIM_LINUX_INIT_H */
