# SPDX-License-Identifier: GPL-2.0-only
#
# vmem for Linux: the user's entry point.  The module list lives in Kbuild;
# this file only drives kbuild and the test scripts.
#
#   make                  build vmem.ko, vmem_kunit.ko (when the kernel has
#                         KUnit) and then, as clients, samples/*.ko
#   make KDIR=/path       build against another kernel tree or headers
#   make install          install vmem.ko, its headers, vmem.mk and its
#                         Module.symvers for client builds; make uninstall
#   make check            every test tier; ends with "N passed, N failed"
#   make demo             boot a VM, load vmem.ko and the samples, show stats
#   make bench            vmem against gen_pool, the IDA, iova and slab in
#                         Debian's 6.12 kernel under QEMU: bench/results/
#                         (BENCH_QUICK=1: N up to 10^4, 1.5 to 3 minutes)
#   make help             every target

KDIR ?= /lib/modules/$(shell uname -r)/build
INSTALL_MOD_DIR ?= extra

# make install: the modules go to $(INSTALL_MOD_PATH)/lib/modules/<release>/
# $(INSTALL_MOD_DIR) (kbuild's modules_install); what clients build
# against goes to $(VMEM_DEVDIR):
#   include/linux/vmem.h, include/linux/vmem_ns.h   the public headers
#   vmem.mk                                         the line clients include
#   <release>/Module.symvers                        vmem.ko's exports
# DESTDIR stages all of it under another root.
DESTDIR ?=
PREFIX ?= /usr
INSTALL_MOD_PATH ?= $(DESTDIR)
VMEM_DEVDIR = $(DESTDIR)$(PREFIX)/src/vmem
# The release modules are installed for: UTS_RELEASE, which is what kbuild's
# modules_install and vermagic use (Debian's 6.1 headers say "6.1.192" in
# include/config/kernel.release but install for 6.1.0-57-amd64).
KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
VMEM_HEADERS := vmem.h vmem_ns.h

# Passed through to the test scripts (see README.md).
export VMEM_SEED
export VMEM_TIMEOUT
export VMEM_LOGDIR
export BENCH_QUICK
export BENCH_MODE
export BENCH_OUT
export BENCH_ARGS

SCRIPTS := $(CURDIR)/scripts

.PHONY: all modules vmem samples modules_install install uninstall clean \
	check demo selftest testkernel checkpatch sparse kernel-doc shellcheck \
	help kdir-exists fuzz coverage bench-user bench \
	bench-smoke

all: modules

kdir-exists:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "  install the headers of the running kernel:" >&2; \
		echo "    apt-get install linux-headers-$$(uname -r)" >&2; \
		echo "  or point KDIR at a built kernel tree, e.g." >&2; \
		for d in /lib/modules/*/build; do \
			[ -f "$$d/Makefile" ] && echo "    make KDIR=$$d" >&2; \
		done; \
		exit 1; \
	fi

modules: vmem samples

vmem: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The samples are clients: a kbuild run of their own against vmem.ko's
# Module.symvers (samples/Kbuild includes vmem.mk).
samples: vmem
	$(MAKE) -C $(KDIR) M=$(CURDIR)/samples modules

modules_install: vmem
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install

# kbuild runs depmod only when KDIR has a System.map, which distributions'
# header packages lack; run it for the real system.
install: modules_install
	@[ -n "$(KRELEASE)" ] || { echo "error: no kernel release in $(KDIR)" >&2; exit 1; }
	install -d $(VMEM_DEVDIR)/include/linux $(VMEM_DEVDIR)/$(KRELEASE)
	install -m 0644 $(addprefix include/linux/,$(VMEM_HEADERS)) \
		$(VMEM_DEVDIR)/include/linux/
	install -m 0644 vmem.mk $(VMEM_DEVDIR)/vmem.mk
	install -m 0644 Module.symvers $(VMEM_DEVDIR)/$(KRELEASE)/Module.symvers
	@if [ -z "$(INSTALL_MOD_PATH)" ]; then depmod -a $(KRELEASE); fi

# Undo install for the kernel release of KDIR; the headers and vmem.mk go
# with the last release.
uninstall:
	@[ -n "$(KRELEASE)" ] || { echo "error: no kernel release in $(KDIR)" >&2; exit 1; }
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR)/vmem.ko* \
		$(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR)/vmem_kunit.ko*
	-rmdir $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR) 2>/dev/null
	rm -f $(VMEM_DEVDIR)/$(KRELEASE)/Module.symvers
	-rmdir $(VMEM_DEVDIR)/$(KRELEASE) 2>/dev/null
	@if [ -z "$$(find $(VMEM_DEVDIR) -mindepth 2 -name Module.symvers 2>/dev/null)" ]; then \
		rm -f $(addprefix $(VMEM_DEVDIR)/include/linux/,$(VMEM_HEADERS)) $(VMEM_DEVDIR)/vmem.mk; \
		rmdir $(VMEM_DEVDIR)/include/linux $(VMEM_DEVDIR)/include $(VMEM_DEVDIR) 2>/dev/null || true; \
	fi
	@if [ -z "$(INSTALL_MOD_PATH)" ]; then depmod -a $(KRELEASE); fi

# kbuild's clean needs a kernel tree; without one, remove what it would.
clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/samples clean; \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; \
	else \
		find . -path ./build -prune -o -path ./.git -prune -o \
			\( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
			-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' \
			-o -name 'modules.order' -o -name 'Module.symvers' \) \
			-type f -print0 | xargs -0r rm -f; \
	fi
	rm -rf build

check:
	@$(SCRIPTS)/check.sh

demo:
	@$(SCRIPTS)/demo.sh

# See scripts/bench.sh and bench/README.md.  bench-smoke: one tiny round
# in one boot, to see that the harness builds, loads and reports.
bench:
	@$(SCRIPTS)/bench.sh

bench-smoke:
	@$(SCRIPTS)/bench.sh --smoke

# The runner's self-test alone: canned logs, no VM, a few seconds.
selftest:
	@$(SCRIPTS)/selftest.sh

# Build (or find in the cache) the test kernel and print its build dir.
testkernel:
	@$(SCRIPTS)/testkernel.sh

checkpatch:
	@$(SCRIPTS)/checkpatch.sh

# Static checks alone: sparse (make C=2) against the test kernel, and
# kernel-doc -Wall of the headers and vmem/.
sparse:
	@$(SCRIPTS)/check-sparse.sh

kernel-doc:
	@$(SCRIPTS)/check-kerneldoc.sh

# The userspace harness (tools/testing/vmem): libFuzzer for FUZZ_SECONDS,
# line and branch coverage of vmem/, and callgrind instruction counts.
USERSPACE := $(CURDIR)/tools/testing/vmem

fuzz coverage bench-user:
	$(MAKE) -C $(USERSPACE) $@

shellcheck:
	shellcheck -x $(SCRIPTS)/*.sh .ci/run

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
	@echo "Other targets: vmem samples modules_install clean selftest"
	@echo "  testkernel checkpatch sparse kernel-doc shellcheck fuzz coverage"
	@echo "  bench-user bench-smoke."
	@echo "  Variables: KDIR, VMEM_SEED, DESTDIR, PREFIX, INSTALL_MOD_PATH,"
	@echo "  VMEM_TIMEOUT (seconds per VM boot), VMEM_LOGDIR,"
	@echo "  BENCH_QUICK, BENCH_MODE (icount|wall|all), BENCH_OUT, BENCH_ARGS."
