#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The drgn tier: scripts/vmem-drgn.py on a crash dump of the test VM.
#
#   check-drgn.sh MODULES_DIR
#
# MODULES_DIR holds vmem.ko and samples/*.ko built against the test
# kernel (which builds them with debug info: the kernel has
# CONFIG_DEBUG_INFO_DWARF4).  The test VM boots in mode dump with a QMP
# socket: it loads vmem.ko and the samples, copies vmem's debugfs files and
# the head of /proc/kcore to its log and says VMEM-DUMP-READY; QEMU's
# dump-guest-memory then writes a kdump-compressed vmcore, QEMU quits, and
# scripts/kdump-vmcoreinfo.py adds the kernel's VMCOREINFO (from
# /proc/kcore's notes) to the vmcore.  drgn (Debian's
# python3-drgn) reads the vmcore with the test kernel's vmlinux and
# vmem.ko, and scripts/check-drgn.py compares what vmem-drgn.py finds in
# it with the files.  Prints "TIER drgn: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

mods=${1:?usage: check-drgn.sh MODULES_DIR}
name=drgn
work=$VMEM_BUILD/vm/$name-host
finish() {
	tier_report drgn "$passed" "$failed"
	((failed == 0))
	exit
}

need_pkgs python3-drgn "${VMEM_VM_PKGS[@]}"
tk=$("$VMEM_SCRIPTS/testkernel.sh") || {
	result 1 "no test kernel"
	finish
}
if [[ ! -f $tk/vmlinux ]]; then
	result 1 "the test kernel keeps no vmlinux (debug info): $tk"
	finish
fi
[[ -f $mods/vmem.ko ]] || {
	result 1 "no vmem.ko in $mods"
	finish
}

rm -rf "$work"
mkdir -p "$work" "$VMEM_LOGDIR"
sock=$work/qmp.sock
core=$work/vmcore
guest=$VMEM_LOGDIR/$name.guest.log
rm -f "$guest"		# not the last run's VMEM-DUMP-READY
args=(--vmem "$mods/vmem.ko")
for s in "$mods"/samples/*.ko; do
	[[ -f $s ]] && args+=(--sample "$s")
done

"$VMEM_SCRIPTS/vm.sh" --name "$name" --mode dump --mem 512M --qmp "$sock" \
	--kernel "$tk/arch/x86/boot/bzImage" --timeout "${VMEM_TIMEOUT:-900}" \
	"${args[@]}" &
vm=$!

# The guest says when its arenas are loaded and quiet.
ready=0
while kill -0 "$vm" 2>/dev/null; do
	if grep -q '^VMEM-DUMP-READY' "$guest" 2>/dev/null; then
		ready=1
		break
	fi
	sleep 1
done
result $((!ready)) "the dump VM loaded vmem.ko and the samples"
if ((ready)); then
	t0=$SECONDS
	rc=0
	python3 "$VMEM_SCRIPTS/qmp.py" "$sock" dump "$core" \
		>"$work/qmp.log" 2>&1 || rc=$?
	result "$rc" "dump-guest-memory wrote a vmcore ($(du -h "$core" \
		2>/dev/null | cut -f1), $((SECONDS - t0)) s)"
	((rc == 0)) || sed 's/^/          /' "$work/qmp.log"
	if ((rc == 0)); then
		rc=0
		python3 "$VMEM_SCRIPTS/kdump-vmcoreinfo.py" "$core" "$guest" \
			>>"$work/qmp.log" 2>&1 || rc=$?
		result "$rc" "the guest's VMCOREINFO added to the vmcore"
		((rc == 0)) || tail -n 3 "$work/qmp.log" | sed 's/^/          /'
	fi
	python3 "$VMEM_SCRIPTS/qmp.py" "$sock" quit >>"$work/qmp.log" 2>&1 ||
		true
fi
wait "$vm" || true
grep -q '^VMEM-CHECK not ok' "$guest" && result 1 "the dump VM's checks: $(
	grep -m 1 '^VMEM-CHECK not ok' "$guest")"

if [[ -s $core ]]; then
	t0=$SECONDS
	if drgn -q -c "$core" -s "$tk/vmlinux" -s "$mods/vmem.ko" \
		"$VMEM_SCRIPTS/vmem-drgn.py" all >"$work/drgn.out" \
		2>"$work/drgn.err"; then
		result 0 "drgn read the vmcore ($((SECONDS - t0)) s)"
		out=$(python3 "$VMEM_SCRIPTS/check-drgn.py" "$guest" \
			"$work/drgn.out") || true
		echo "$out" | grep -v '^TIER '
		read -r p f < <(echo "$out" |
			sed -n 's/^TIER drgn: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-1}))
	else
		result 1 "drgn on the vmcore; see $work/drgn.err"
		sed 's/^/          /' "$work/drgn.err" | head -n 20
	fi
	# An arena that is not there is an error, named.
	if drgn -q -c "$core" -s "$tk/vmlinux" -s "$mods/vmem.ko" \
		"$VMEM_SCRIPTS/vmem-drgn.py" stats no_such_arena \
		>"$work/drgn-none.out" 2>&1; then
		result 1 "vmem-drgn.py stats no_such_arena fails"
	elif grep -q 'no arena no_such_arena' "$work/drgn-none.out"; then
		result 0 "vmem-drgn.py stats no_such_arena fails and says so"
	else
		result 1 "vmem-drgn.py stats no_such_arena says why it fails"
	fi
fi
rm -f "$core"
finish
