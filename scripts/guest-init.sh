#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the test VMs (busybox sh).  scripts/vm.sh puts it into the
# initramfs with the modules and /etc/vmem.conf, which says what to do:
#
#   MODE        check: load everything, run the checks, scan for leaks
#               demo:  load vmem.ko and the samples, show the statistics
#               bench: load vmem.ko, then BENCH_KO, which runs make bench's
#                      workloads at load and logs its results
#   VMEM_KO     path of vmem.ko in the initramfs (empty: none)
#   VMEM_ARGS   its parameters
#   KUNIT_KOS   KUnit modules: their suites run while they load
#   KUNIT_ARGS  their parameters, e.g. "seed=1234"
#   SAMPLE_KOS  client modules, loaded after vmem.ko
#   BENCH_KO    the benchmark module (bench/), BENCH_ARGS its parameters
#   REFUSE_KOS  modules the kernel must refuse to load (a client that does
#               not import the VMEM namespace)
#   KMEMLEAK    1: clear kmemleak before and scan after the modules
#   WATCHDOG    seconds after which blocked tasks and CPU backtraces are
#               dumped to the kernel log (sysrq w, l): the VM is about to
#               be killed for a hang, and this says where it hangs
#
# The kernel log goes to the first serial port; this script writes to the
# second, so that the KTAP the kernel prints is not broken up by our lines.
# The host reads three kinds of lines from it:
#
#   VMEM-CHECK ok NAME                 a check passed
#   VMEM-CHECK not ok NAME # REASON    a check failed
#   VMEM-GUEST-DONE                    the script reached its end
#
# A run without VMEM-GUEST-DONE hung or crashed.  Markers written to
# /dev/kmsg ("vmem-guest: kunit begin/end") delimit each KUnit module's
# KTAP in the kernel log.

PATH=/bin:/sbin
export PATH

/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp

MODE=check
VMEM_KO=
VMEM_ARGS=
KUNIT_KOS=
KUNIT_ARGS=
SAMPLE_KOS=
BENCH_KO=
BENCH_ARGS=
REFUSE_KOS=
KMEMLEAK=0
WATCHDOG=0
# shellcheck source=/dev/null
. /etc/vmem.conf

if [ "$WATCHDOG" -gt 0 ] && [ -w /proc/sysrq-trigger ]; then
	(
		sleep "$WATCHDOG"
		echo "vmem-guest: watchdog: no end after ${WATCHDOG}s," \
			"dumping blocked tasks" >/dev/kmsg
		echo w >/proc/sysrq-trigger
		echo l >/proc/sysrq-trigger
		# A KUnit case runs in a kthread that may sleep interruptibly,
		# which sysrq w does not show: print its stack too.
		for c in /proc/[0-9]*/comm; do
			[ "$(cat "$c" 2>/dev/null)" = kunit_try_catch ] || continue
			d=${c%/comm}
			echo "vmem-guest: watchdog: stack of kunit_try_catch" \
				"(pid ${d#/proc/}):" >/dev/kmsg
			while read -r l; do
				echo "vmem-guest: watchdog:   $l" >/dev/kmsg
			done <"$d/stack"
		done
	) &
fi

DBG=/sys/kernel/debug
OUT=/tmp/out

ok() {
	echo "VMEM-CHECK ok $1"
}

not_ok() {
	echo "VMEM-CHECK not ok $1 # $2"
}

# check NAME COMMAND...: run COMMAND, report it as check NAME.  A failure
# carries the last lines of the command's output as the reason, and the
# output itself follows, indented.
check() {
	name=$1
	shift
	if "$@" >"$OUT" 2>&1; then
		ok "$name"
		return 0
	fi
	not_ok "$name" "$(tail -n 3 "$OUT" | tr '\n' ' ')"
	head -n 80 "$OUT" | sed 's/^/    | /'
	return 1
}

kmsg() {
	echo "vmem-guest: $*" >/dev/kmsg
}

modname() {
	name=${1##*/}
	echo "${name%.ko}"
}

arenas() {
	for d in "$DBG"/vmem/*/; do
		[ -f "$d/stats" ] && basename "$d"
	done
}

# A stats file is readable and made of "key: value" lines, among them the
# allocation counters.
stats_ok() {
	f=$DBG/vmem/$1/stats
	cat "$f" >"$OUT.stats" || return 1
	grep -q '^mem_inuse: [0-9][0-9]*$' "$OUT.stats" || {
		echo "no mem_inuse line in $f"
		return 1
	}
	grep -q '^alloc: [0-9][0-9]*$' "$OUT.stats" || {
		echo "no alloc line in $f"
		return 1
	}
	if grep -qv '^[a-z_]*: ' "$OUT.stats"; then
		echo "not a key: value line in $f:"
		grep -v '^[a-z_]*: ' "$OUT.stats" | head -n 2
		return 1
	fi
}

# An arena that a sample keeps allocations in shows them.
stats_live() {
	f=$DBG/vmem/$1/stats
	inuse=$(sed -n 's/^mem_inuse: //p' "$f")
	nalloc=$(sed -n 's/^alloc: //p' "$f")
	if [ "${inuse:-0}" -gt 0 ] && [ "${nalloc:-0}" -gt 0 ]; then
		return 0
	fi
	echo "$1: mem_inuse=$inuse alloc=$nalloc with live allocations"
	return 1
}

gone() {
	[ ! -e "$1" ] || {
		echo "$1 still exists"
		return 1
	}
}

no_leaks() {
	# kmemleak reports an object only when it was unreferenced in two
	# scans in a row with unchanged contents, and at least 5 s old at the
	# second: scan once, let the unloaded modules' objects age (with a
	# second to spare), scan again.
	echo scan >"$DBG/kmemleak" || return 1
	age=$(($(date +%s) - T_UNLOADED))
	[ "$age" -ge 6 ] || sleep $((6 - age))
	echo scan >"$DBG/kmemleak" || return 1
	cat "$DBG/kmemleak" >"$OUT.leaks"
	[ ! -s "$OUT.leaks" ] || {
		cat "$OUT.leaks"
		return 1
	}
}

show_stats() {
	for a in $(arenas); do
		echo "--- $DBG/vmem/$a/stats"
		cat "$DBG/vmem/$a/stats"
	done
	if [ -f "$DBG/vmem/arenas" ]; then
		echo "--- $DBG/vmem/arenas"
		cat "$DBG/vmem/arenas"
	fi
}

run_kunit() {
	for ko in $KUNIT_KOS; do
		m=$(modname "$ko")
		kmsg "kunit begin $m"
		# shellcheck disable=SC2086 # KUNIT_ARGS is a word list
		check "insmod $m" insmod "$ko" $KUNIT_ARGS
		kmsg "kunit end $m"
		if [ -r "/sys/module/$m/parameters/seed" ]; then
			echo "VMEM-SEED $(cat "/sys/module/$m/parameters/seed")"
		fi
		if grep -q "^$m " /proc/modules; then
			check "rmmod $m" rmmod "$m"
		fi
	done
}

# stat_of ARENA KEY: the value of KEY in the arena's stats file.
stat_of() {
	sed -n "s/^$2: //p" "$DBG/vmem/$1/stats"
}

# The last number a module printed after TEXT in the kernel log.
logged() {
	dmesg | sed -n "s/.*$1: $2 \([0-9][0-9]*\).*/\1/p" | tail -n 1
}

# A module's own lines in the kernel log that say something went wrong:
# the samples log every failed self-check as "FAILED: ...".
no_failures() {
	if dmesg | grep -E "(^|\] )$1: FAILED"; then
		return 1
	fi
	if dmesg | grep -E "vmem_destroy\(($2)\): leaked"; then
		return 1
	fi
}

# What a sample says it holds is what debugfs shows: checks particular to
# each sample, run while it is loaded.
check_vmem_ids_sample() {
	n=$(logged vmem_ids_sample keeping)
	[ -n "$n" ] || {
		echo "no \"keeping N opens\" line from vmem_ids_sample"
		return 1
	}
	for a in toydev_minor toydev_handle; do
		[ "$(stat_of "$a" unit)" = ids ] || {
			echo "$a: unit $(stat_of "$a" unit), not ids"
			return 1
		}
		[ "$(stat_of "$a" mem_inuse)" = "$n" ] || {
			echo "$a: mem_inuse $(stat_of "$a" mem_inuse), the sample keeps $n opens"
			return 1
		}
	done
	[ "$(stat_of toydev_minor mem_total)" = 64 ] || {
		echo "toydev_minor: mem_total $(stat_of toydev_minor mem_total), not 64"
		return 1
	}
}

check_vmem_iommu_sample() {
	rings=$(logged vmem_iommu_sample keeping)
	bufs=$(logged vmem_iommu_sample 'timer: [0-9]* rounds in softirq context,')
	if [ -z "$rings" ] || [ -z "$bufs" ]; then
		echo "no \"keeping N rings\" or timer line from vmem_iommu_sample"
		return 1
	fi
	[ "$(stat_of iommu_dev0 source)" = iommu_window ] || {
		echo "iommu_dev0: source $(stat_of iommu_dev0 source)"
		return 1
	}
	imp=$(stat_of iommu_dev0 mem_import)
	used=$(stat_of iommu_window mem_inuse)
	if [ "$imp" -eq 0 ] || [ "$imp" != "$used" ]; then
		echo "iommu_dev0 imported $imp, iommu_window has $used in use"
		return 1
	fi
	# The rings are live, each an allocated segment of its own; the
	# buffers come and go, and the quantum caches of iommu_dev0 serve
	# most of them without an arena allocation.
	if [ "$(stat_of iommu_dev0 import)" -lt 1 ] ||
		[ "$(stat_of iommu_dev0 alloc)" -lt "$rings" ] ||
		[ "$(stat_of iommu_dev0 mem_inuse)" -eq 0 ]; then
		echo "iommu_dev0: import $(stat_of iommu_dev0 import), alloc $(stat_of iommu_dev0 alloc); the sample made $rings rings and $bufs buffers"
		return 1
	fi
	grep -q '^iommu_dev0 ' "$DBG/vmem/arenas" || {
		echo "iommu_dev0 not in $DBG/vmem/arenas"
		return 1
	}
}

# The arenas that appeared since the list $1 was taken.
new_arenas() {
	added=
	for a in $(arenas); do
		case " $1 " in
		*" $a "*) ;;
		*) added="$added $a" ;;
		esac
	done
	echo "$added"
}

# load_sample KO: insmod it, check its arenas in debugfs; sets $m and
# $added, and adds the arenas to $ARENAS_OF_<module>.
load_sample() {
	m=$(modname "$1")
	before=$(arenas | tr '\n' ' ')
	check "insmod $m" insmod "$1" || return 1
	added=$(new_arenas "$before")
	if [ -z "$added" ]; then
		not_ok "$m creates arenas" "no new dir in $DBG/vmem"
	else
		ok "$m creates arenas:$added"
	fi
	eval "ARENAS_OF_$m=\"$added\""
	for a in $added; do
		check "$a stats readable" stats_ok "$a" &&
			check "$a stats show live ranges" stats_live "$a"
	done
	if command -v "check_$m" >/dev/null 2>&1; then
		check "$m: debugfs agrees with what it holds" "check_$m"
	fi
	if [ "$MODE" = demo ]; then
		echo "=== $m loaded; dmesg:"
		dmesg | grep -E "(^|\] )(vmem|$m): " | tail -n 12
		echo "=== arena statistics:"
		show_stats
	fi
}

# unload_sample MODULE: rmmod it; its arenas must be gone, and it must
# have found nothing wrong (its exit checks what vmem gave back).
unload_sample() {
	eval "added=\$ARENAS_OF_$1"
	check "rmmod $1" rmmod "$1" || return 1
	for a in $added; do
		check "$a removed with $1" gone "$DBG/vmem/$a"
		if grep -q "^$a " "$DBG/vmem/arenas" 2>/dev/null; then
			not_ok "$a leaves $DBG/vmem/arenas with $1" "still listed"
		fi
	done
	pat=
	for a in $added; do
		pat="${pat:+$pat|}$a"
	done
	check "$1 reported no failure" no_failures "$1" "${pat:-none}"
}

# A client that does not import the namespace VMEM is refused.
refused() {
	if insmod "$1"; then
		echo "insmod $1 succeeded"
		rmmod "$(modname "$1")"
		return 1
	fi
	dmesg | grep -q "$(modname "$1"): module uses symbol (vmem_[a-z_]*) from namespace VMEM, but does not import it" || {
		echo "no \"does not import it\" message in the kernel log"
		return 1
	}
}

# Every loaded client is listed as a holder of vmem, and vmem cannot be
# unloaded under them: rmmod fails and everything keeps working.
rmmod_refused() {
	for mm in $1; do
		[ -e "/sys/module/vmem/holders/$mm" ] || {
			echo "$mm is not in /sys/module/vmem/holders/"
			return 1
		}
	done
	if rmmod vmem; then
		echo "rmmod vmem succeeded with clients loaded"
		return 1
	fi
	grep -q '^vmem ' /proc/modules || {
		echo "vmem left /proc/modules"
		return 1
	}
	for a in $(arenas); do
		stats_ok "$a" || return 1
	done
}

run_samples() {
	loaded=
	for ko in $REFUSE_KOS; do
		check "$(modname "$ko") refused: no VMEM namespace import" \
			refused "$ko"
	done
	for ko in $SAMPLE_KOS; do
		load_sample "$ko" && loaded="$loaded $m"
	done
	[ "$MODE" = demo ] || [ -z "$loaded" ] ||
		check "rmmod vmem refused while$loaded hold it" \
			rmmod_refused "$loaded"
	for mm in $loaded; do
		unload_sample "$mm"
	done
	[ "$MODE" = demo ] && return
	# After a refused unload and its clients gone, vmem serves new ones.
	for ko in $SAMPLE_KOS; do
		load_sample "$ko" && unload_sample "$m"
	done
}

# The benchmark prints its results to the kernel log as it goes.
run_bench() {
	echo "VMEM-BENCH cpus=$(grep -c '^processor' /proc/cpuinfo)" \
		"model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
			head -n 1)" \
		"mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
	m=$(modname "$BENCH_KO")
	# shellcheck disable=SC2086 # BENCH_ARGS is a word list
	check "insmod $m" insmod "$BENCH_KO" $BENCH_ARGS &&
		check "rmmod $m" rmmod "$m"
}

main() {
	echo "VMEM-GUEST-BEGIN mode=$MODE kernel=$(uname -r)"
	check "debugfs mounted" grep -q " $DBG debugfs " /proc/mounts
	if [ "$KMEMLEAK" = 1 ]; then
		# Forget what boot left: only our modules' leaks count.
		check "kmemleak clear" sh -c "echo clear >$DBG/kmemleak"
	fi
	if [ -n "$VMEM_KO" ]; then
		# shellcheck disable=SC2086 # VMEM_ARGS is a word list
		check "insmod vmem" insmod "$VMEM_KO" $VMEM_ARGS
	fi
	run_kunit
	run_samples
	[ -z "$BENCH_KO" ] || run_bench
	if [ -n "$VMEM_KO" ] && grep -q '^vmem ' /proc/modules; then
		check "rmmod vmem" rmmod vmem
		check "vmem debugfs removed" gone "$DBG/vmem"
	fi
	T_UNLOADED=$(date +%s)
	if [ "$KMEMLEAK" = 1 ]; then
		check "kmemleak: no leaks" no_leaks
	fi
	echo VMEM-GUEST-DONE
}

# Closing the port at the end of main waits until its output has drained.
main >/dev/ttyS1 2>&1
reboot -f
