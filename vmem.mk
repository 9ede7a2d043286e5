# SPDX-License-Identifier: GPL-2.0-only
#
# vmem.mk: what a module that uses vmem.ko adds to its kbuild Makefile.
# One line, before or after the module's own:
#
#	include /usr/src/vmem/vmem.mk
#	obj-m := mydrv.o
#
# then build it as any external module:
#
#	make -C /lib/modules/$(uname -r)/build M=$PWD
#
# It puts vmem's public headers (<linux/vmem.h>, <linux/vmem_ns.h>) on the
# include path and hands modpost the Module.symvers of vmem.ko for the
# kernel being built against, so that the client's undefined vmem_*
# symbols resolve, get their CRCs checked, and make the client depend on
# vmem.
#
# `make install` puts this file in $(PREFIX)/src/vmem/ beside include/ and
# one <kernel release>/Module.symvers per kernel it was installed for.  In
# the source tree (samples/Kbuild includes it from there) the Module.symvers
# is the one the vmem.ko build left beside this file.

vmem_dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ccflags-y += -I$(vmem_dir)/include
KBUILD_EXTRA_SYMBOLS += $(firstword \
	$(wildcard $(vmem_dir)/$(KERNELRELEASE)/Module.symvers) \
	$(vmem_dir)/Module.symvers)
