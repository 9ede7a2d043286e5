#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a kernel in QEMU with an initramfs holding busybox, our modules and
# scripts/guest-init.sh, and keep both serial ports' output as log files.
#
#   vm.sh --name NAME --kernel BZIMAGE [--mode check|demo|bench] [--vmem KO]
#         [--vmem-args ARGS] [--kunit KO]... [--kunit-args ARGS]
#         [--sample KO]... [--refuse KO]... [--kmemleak]
#         [--bench KO] [--bench-args ARGS] [--smp N] [--mem SIZE] [--icount]
#         [--timeout SECONDS] [--append KERNEL_ARGS]
#
# --icount runs QEMU with -icount shift=0: the guest clock then counts one
# nanosecond per guest instruction (make bench).  --smp and --mem set the
# guest's CPUs (default 2) and memory (default 1G).
#
# Writes $VMEM_LOGDIR/NAME.console.log (the kernel's log, first serial
# port) and $VMEM_LOGDIR/NAME.guest.log (the guest script's output, second
# port).  Exit status: QEMU's, or 124 when the hard timeout killed it.  The
# verdict is scripts/verdict.py's business, not this script's.
#
# --smp sets the number of virtual CPUs (default 2); more than the host's
# cores is allowed, and is how the per-CPU code is tested with CPUs that
# the host preempts.
#
# QEMU runs under TCG: KVM hangs before the first kernel message on these
# machines.  VMEM_ACCEL=kvm tries it anyway where it works.  The firmware
# is qboot, which brings up every CPU without ACPI and boots faster than
# SeaBIOS; without ACPI the guest ends with `reboot -f`, which QEMU's
# -no-reboot turns into an exit.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

name=
kernel=
mode=check
vmem=
vmem_args=
kunit_args=
kunit=()
samples=()
refuse=()
kmemleak=0
timeout=${VMEM_TIMEOUT:-900}
append=
bench=
bench_args=
smp=2
mem=1G
icount=0

while (($#)); do
	case $1 in
	--name) name=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--mode) mode=$2; shift ;;
	--vmem) vmem=$2; shift ;;
	--vmem-args) vmem_args=$2; shift ;;
	--kunit) kunit+=("$2"); shift ;;
	--kunit-args) kunit_args=$2; shift ;;
	--sample) samples+=("$2"); shift ;;
	--refuse) refuse+=("$2"); shift ;;
	--kmemleak) kmemleak=1 ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	--bench) bench=$2; shift ;;
	--bench-args) bench_args=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--icount) icount=1 ;;
	*) die "vm.sh: unknown argument $1" ;;
	esac
	shift
done
[[ -n $name && -f $kernel ]] || die "vm.sh: need --name and an existing --kernel"
[[ $mode == check || $mode == demo || $mode == bench ]] ||
	die "vm.sh: bad --mode $mode"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "vm.sh: bad --smp $smp"

# Package busybox-static: a static /bin/busybox, nothing else to copy.
busybox=/bin/busybox
[[ -x $busybox ]] || die "no $busybox (package busybox-static)"
qboot=/usr/share/qemu/qboot.rom
[[ -f $qboot ]] || die "no $qboot (package qemu-system-data)"

work=$VMEM_BUILD/vm/$name
rm -rf "$work"
mkdir -p "$work" "$VMEM_LOGDIR"
console=$VMEM_LOGDIR/$name.console.log
guest=$VMEM_LOGDIR/$name.guest.log
rm -f "$console" "$guest"

# In-guest paths of the modules, in load order.
guest_path() {
	printf '/lib/modules/%s\n' "$(basename "$1")"
}

{
	echo "MODE=$mode"
	echo "KMEMLEAK=$kmemleak"
	# The guest dumps its blocked tasks this long after boot, before the
	# hard timeout ends it without a word.
	echo "WATCHDOG=$((timeout > 40 ? timeout - 20 : timeout / 2))"
	[[ -n $vmem ]] && echo "VMEM_KO=$(guest_path "$vmem")"
	echo "VMEM_ARGS='$vmem_args'"
	[[ -n $bench ]] && echo "BENCH_KO=$(guest_path "$bench")"
	echo "BENCH_ARGS='$bench_args'"
	echo "KUNIT_ARGS='$kunit_args'"
	printf 'KUNIT_KOS="'
	for m in "${kunit[@]}"; do printf '%s ' "$(guest_path "$m")"; done
	printf '"\nSAMPLE_KOS="'
	for m in "${samples[@]}"; do printf '%s ' "$(guest_path "$m")"; done
	printf '"\nREFUSE_KOS="'
	for m in "${refuse[@]}"; do printf '%s ' "$(guest_path "$m")"; done
	printf '"\n'
} >"$work/vmem.conf"

{
	echo "dir /dev 0755"
	echo "nod /dev/console 0600 c 5 1"
	for d in /bin /sbin /etc /proc /sys /tmp /lib /lib/modules; do
		echo "dir $d 0755"
	done
	echo "file /bin/busybox $busybox 0755"
	echo "slink /bin/sh busybox"
	echo "file /init $VMEM_SCRIPTS/guest-init.sh 0755"
	echo "file /etc/vmem.conf $work/vmem.conf 0644"
	for m in ${vmem:+"$vmem"} "${kunit[@]}" "${samples[@]}" "${refuse[@]}" \
		${bench:+"$bench"}; do
		[[ -f $m ]] || die "vm.sh: no module $m"
		echo "file $(guest_path "$m") $m 0644"
	done
} >"$work/initramfs.list"
python3 "$VMEM_SCRIPTS/mkinitramfs.py" "$work/initramfs.list" \
	"$work/initramfs.cpio"

accel=${VMEM_ACCEL:-tcg}
cmdline="console=ttyS0 panic=-1 oops=panic $append"
qemu=(qemu-system-x86_64 -accel "$accel" -smp "$smp" -m "$mem" -bios "$qboot"
	-kernel "$kernel" -initrd "$work/initramfs.cpio" -append "$cmdline"
	-nographic -no-reboot -monitor none
	-serial "file:$console" -serial "file:$guest")
((icount)) && qemu+=(-icount shift=0)
printf '%q ' "${qemu[@]}" >"$work/qemu.cmd"
echo >>"$work/qemu.cmd"

start=$SECONDS
rc=0
timeout --kill-after=10 "$timeout" "${qemu[@]}" </dev/null \
	>"$work/qemu.out" 2>&1 || rc=$?
if ((rc == 124 || rc == 137)); then
	rc=124
	echo "vm.sh: killed after the ${timeout}s timeout" >>"$guest"
fi
log "$name: VM ran $((SECONDS - start)) s (exit $rc); logs: $console $guest"
if [[ -s $work/qemu.out ]]; then
	sed 's/^/qemu: /' "$work/qemu.out" >&2
fi
exit "$rc"
