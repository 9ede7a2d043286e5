#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The `clients` tier of make check: vmem.ko's exports live in the symbol
# namespace VMEM, its clients import it, and a client that does not is
# refused.  For each build given (made by build_modules in scripts/lib.sh):
#
#   - every export in its Module.symvers is in namespace VMEM;
#   - every client (vmem_kunit.ko, samples/*.ko) says import_ns=VMEM and
#     depends on vmem;
#   - scripts/noimport, a client without VMEM_IMPORT_NS(), fails modpost
#     with "... from namespace VMEM, but does not import it";
#   - built past modpost (CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y
#     on the make command line), it leaves DIR/noimport/vmem_noimport.ko,
#     which the VM tiers must see the kernel refuse (scripts/guest-init.sh).
#
#   check-clients.sh KDIR:DIR [KDIR:DIR...]
#
# Prints "ok"/"FAILED" lines and "TIER clients: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# exports_namespaced DIR: every export of vmem.ko is in namespace VMEM.
exports_namespaced() {
	local symvers=$1/Module.symvers n bad

	[[ -s $symvers ]] || {
		echo "          no $symvers"
		return 1
	}
	n=$(awk -F '\t' '$3 ~ /(^|\/)vmem$/' "$symvers" | grep -c . || true)
	bad=$(awk -F '\t' '$3 ~ /(^|\/)vmem$/ && $5 != "VMEM" { print $2 }' \
		"$symvers")
	if ((n == 0)) || [[ -n $bad ]]; then
		echo "          $n exports; outside namespace VMEM: ${bad:-none}"
		return 1
	fi
	NEXPORTS=$n
}

# clients_import DIR: each client module imports VMEM and depends on vmem.
clients_import() {
	local ko ns dep rc=0

	NCLIENTS=0
	for ko in "$1"/vmem_kunit.ko "$1"/samples/*.ko; do
		[[ -f $ko ]] || continue
		ns=$(modinfo -F import_ns "$ko")
		dep=$(modinfo -F depends "$ko")
		if [[ $'\n'$ns$'\n' != *$'\n'VMEM$'\n'* ||
			,$dep, != *,vmem,* ]]; then
			echo "          ${ko#"$1"/}: import_ns '$ns', depends '$dep'"
			rc=1
		fi
		NCLIENTS=$((NCLIENTS + 1))
	done
	((NCLIENTS > 0)) || {
		echo "          no client module in $1"
		rc=1
	}
	return "$rc"
}

# noimport KDIR DIR NAME: modpost refuses the client without the import;
# forced past modpost, it builds.
noimport() {
	local kdir=$1 dir=$2 name=$3 nd=$2/noimport
	local blog=$VMEM_LOGDIR/build-$3-noimport.log

	rm -rf "$nd"
	cp -a "$VMEM_SCRIPTS/noimport" "$nd"
	if make -C "$kdir" M="$nd" VMEM_DIR="$dir" modules >"$blog" 2>&1; then
		result 1 "$name: a client without VMEM_IMPORT_NS() built; see $blog"
	elif grep -q 'vmem_noimport uses symbol vmem_[a-z_]* from namespace VMEM, but does not import it' "$blog"; then
		result 0 "$name: modpost refuses a client without VMEM_IMPORT_NS()"
	else
		result 1 "$name: the client without the import failed for another reason; see $blog"
	fi
	make -C "$kdir" M="$nd" VMEM_DIR="$dir" \
		CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y modules \
		>>"$blog" 2>&1 || true
	[[ -f $nd/vmem_noimport.ko ]] ||
		result 1 "$name: vmem_noimport.ko not built past modpost; see $blog"
}

mkdir -p "$VMEM_LOGDIR"
for arg in "$@"; do
	kdir=${arg%%:*}
	dir=${arg#*:}
	name=$(basename "$dir")
	if [[ ! -f $dir/vmem.ko ]]; then
		result 1 "$name: no vmem.ko in $dir"
		continue
	fi
	NEXPORTS=0
	rc=0
	exports_namespaced "$dir" || rc=1
	result "$rc" "$name: $NEXPORTS exports, all in namespace VMEM"
	rc=0
	clients_import "$dir" || rc=1
	result "$rc" "$name: $NCLIENTS clients import VMEM and depend on vmem"
	noimport "$kdir" "$dir" "$name"
done
tier_report clients "$passed" "$failed"
((failed == 0))
