#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: boot a VM, load vmem.ko and the sample clients, and print
# the arenas' statistics from debugfs.
#
# By default the VM runs Debian's own 6.12 kernel (the image is fetched
# into the cache, nothing is installed): it needs no kernel build and boots
# in seconds.  VMEM_DEMO_KERNEL=test uses the test kernel instead (built
# on first use, about 5 minutes), with its KASAN and lockdep.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$VMEM_LOGDIR"
case ${VMEM_DEMO_KERNEL:-debian} in
debian)
	need_pkgs "${VMEM_VM_PKGS[@]}" linux-headers-6.12-amd64 dwarves
	rel=$(deb_headers_release linux-headers-6.12-amd64)
	kdir=/usr/src/linux-headers-$rel
	kernel=$("$VMEM_SCRIPTS/distro-kernel.sh" "$rel")
	;;
test)
	need_pkgs "${VMEM_VM_PKGS[@]}"
	kdir=$("$VMEM_SCRIPTS/testkernel.sh")
	kernel=$kdir/arch/x86/boot/bzImage
	;;
*)
	die "VMEM_DEMO_KERNEL is debian or test"
	;;
esac

mods=$VMEM_BUILD/modules/demo
blog=$VMEM_LOGDIR/build-demo.log
log "building vmem.ko and the samples against $kdir"
build_modules "$kdir" "$mods" "$blog" || die "build failed; see $blog"

args=(--vmem "$mods/vmem.ko")
for s in "$mods"/samples/*.ko; do
	[[ -f $s ]] && args+=(--sample "$s")
done
log "booting $(basename "$kernel") in QEMU (TCG, 2 CPUs)"
"$VMEM_SCRIPTS/vm.sh" --name demo --mode demo --kernel "$kernel" \
	--timeout "${VMEM_TIMEOUT:-180}" "${args[@]}" || true

echo
tr -d '\r' <"$VMEM_LOGDIR/demo.guest.log" |
	grep -v -e '^VMEM-GUEST-' -e '^VMEM-SEED ' |
	sed -e 's/^VMEM-CHECK ok /  ok: /' -e 's/^VMEM-CHECK not ok /  FAILED: /'
echo
python3 "$VMEM_SCRIPTS/verdict.py" --name demo --quiet \
	--console "$VMEM_LOGDIR/demo.console.log" \
	--guest "$VMEM_LOGDIR/demo.guest.log"
