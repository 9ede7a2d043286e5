#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The `sparse` tier of make check (`make sparse` alone): the kernel's
# C=2 build runs sparse (Debian package sparse) on every source of
# vmem.ko, the KUnit module and the samples, against the test kernel, and
# must print no warning.  Lock context counts in: the calls that return
# with vm_lock held on success carry the annotations that tell sparse so
# (vmem_cond_locked() in vmem/vmem_impl.h).
#
# Prints "ok"/"FAILED" lines and "TIER sparse: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_pkgs sparse
kdir=$("$VMEM_SCRIPTS/testkernel.sh")
out=$VMEM_LOGDIR/sparse.log
mkdir -p "$VMEM_LOGDIR"

# make check's build tier has just built the modules for the test kernel
# with W=1: C=2 with the same flags checks every file again without
# compiling anything.  Alone, build them first.
rc=0
dest=$VMEM_BUILD/modules/testkernel
if [[ -f $dest/vmem.ko && -f $dest/Kbuild ]]; then
	: >"$out"
	for m in "$dest" "$dest/samples"; do
		make -C "$kdir" M="$m" -j"$(nproc)" W=1 C=2 modules \
			>>"$out" 2>&1 || rc=1
	done
else
	dest=$VMEM_BUILD/sparse
	build_modules "$kdir" "$dest" "$out" W=1 C=2 || rc=1
fi
nchecked=$(grep -c '^  CHECK ' "$out" || true)
nwarn=$(count_warnings "$out")
if ((rc)); then
	echo "  FAILED  the C=2 build failed; see $out"
	grep -E 'error' "$out" | head -n 10 | sed 's/^/          /'
elif ((nchecked == 0)); then
	echo "  FAILED  sparse checked no file; see $out"
	rc=1
elif ((nwarn)); then
	echo "  FAILED  sparse: $nwarn warnings in $nchecked files; see $out"
	grep -iE '(^|[^a-z])warning:' "$out" | head -n 20 | sed 's/^/          /'
	rc=1
else
	echo "  ok      sparse (make C=2): no warning in $nchecked files"
fi
rm -rf "$VMEM_BUILD/sparse"
if ((rc)); then
	tier_report sparse 0 1
else
	tier_report sparse 1 0
fi
((rc == 0))
