# SPDX-License-Identifier: GPL-2.0-only
#
# vmem for Linux: the user's entry point.  The module list lives in Kbuild;
# this file only drives kbuild and the test scripts.
#
#   make                  build vmem.ko, vmem_kunit.ko (when the kernel has
#                         KUnit) and samples/*.ko against KDIR
#   make KDIR=/path       build against another kernel tree or headers
#   make check            every test tier; ends with "N passed, N failed"
#   make demo             boot a VM, load vmem.ko and a sample, show stats
#   make bench            vmem against gen_pool, the IDA, iova and slab in
#                         Debian's 6.12 kernel under QEMU: bench/results/
#                         (BENCH_QUICK=1: N up to 10^4, 1.5 to 3 minutes)
#   make help             every target

KDIR ?= /lib/modules/$(shell uname -r)/build
INSTALL_MOD_DIR ?= extra

# Passed through to the test scripts (see README.md).
export VMEM_SEED
export VMEM_TIMEOUT
export VMEM_LOGDIR
export BENCH_QUICK
export BENCH_MODE
export BENCH_OUT
export BENCH_ARGS

SCRIPTS := $(CURDIR)/scripts

.PHONY: all modules modules_install install clean check demo selftest \
	testkernel checkpatch shellcheck help kdir-exists fuzz coverage \
	bench-user bench bench-smoke

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

modules: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		modules_install

# kbuild's clean needs a kernel tree; without one, remove what it would.
clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
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

# The userspace harness (tools/testing/vmem): libFuzzer for FUZZ_SECONDS,
# line and branch coverage of vmem/, and callgrind instruction counts.
USERSPACE := $(CURDIR)/tools/testing/vmem

fuzz coverage bench-user:
	$(MAKE) -C $(USERSPACE) $@

shellcheck:
	shellcheck -x $(SCRIPTS)/*.sh .ci/run

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
	@echo "Other targets: modules_install clean selftest testkernel"
	@echo "  checkpatch shellcheck fuzz coverage bench-user bench-smoke."
	@echo "  Variables: KDIR, VMEM_SEED,"
	@echo "  VMEM_TIMEOUT (seconds per VM boot), VMEM_LOGDIR,"
	@echo "  BENCH_QUICK, BENCH_MODE (icount|wall|all), BENCH_OUT, BENCH_ARGS."
