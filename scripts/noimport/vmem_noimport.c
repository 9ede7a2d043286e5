// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmem_noimport: a client of vmem.ko without VMEM_IMPORT_NS().  It must
 * neither build (modpost: "uses symbol vmem_create from namespace VMEM, but
 * does not import it") nor, built past that check, load: see Kbuild.  If it
 * ever loads, it says so, and the VM test fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/vmem.h>

static int __init noimport_init(void)
{
	struct vmem *vm;

	vm = vmem_create("noimport", 0, 1, 1, NULL, NULL, NULL, 0, 0);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	pr_err("FAILED: loaded without importing namespace VMEM\n");
	vmem_destroy(vm);
	return 0;
}
module_init(noimport_init);

static void __exit noimport_exit(void)
{
}
module_exit(noimport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmem test fixture: a client that does not import namespace VMEM");
MODULE_AUTHOR("The vmem for Linux developers");
