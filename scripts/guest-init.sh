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
#   VMEM_ARGS   its parameters, e.g. "test_seed=1234"
#   KUNIT_KOS   KUnit modules: their suites run while they load
#   SAMPLE_KOS  client modules, loaded after vmem.ko
#   BENCH_KO    the benchmark module (bench/), BENCH_ARGS its parameters
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
SAMPLE_KOS=
BENCH_KO=
BENCH_ARGS=
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
		check "insmod $m" insmod "$ko"
		kmsg "kunit end $m"
		if grep -q "^$m " /proc/modules; then
			check "rmmod $m" rmmod "$m"
		fi
	done
}

run_samples() {
	before=$(arenas | tr '\n' ' ')
	for ko in $SAMPLE_KOS; do
		m=$(modname "$ko")
		check "insmod $m" insmod "$ko" || continue
		added=
		for a in $(arenas); do
			case " $before " in
			*" $a "*) ;;
			*) added="$added $a" ;;
			esac
		done
		if [ -z "$added" ]; then
			not_ok "$m creates arenas" "no new dir in $DBG/vmem"
		else
			ok "$m creates arenas:$added"
		fi
		for a in $added; do
			check "$a stats readable" stats_ok "$a" &&
				check "$a stats show live ranges" stats_live "$a"
		done
		if [ "$MODE" = demo ]; then
			echo "=== $m loaded; dmesg:"
			dmesg | grep -E "(^|\] )(vmem|$m): " | tail -n 8
			echo "=== arena statistics:"
			show_stats
		fi
		check "rmmod $m" rmmod "$m"
		for a in $added; do
			check "$a removed with $m" gone "$DBG/vmem/$a"
		done
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
		if [ -r /sys/module/vmem/parameters/test_seed ]; then
			echo "VMEM-SEED $(cat /sys/module/vmem/parameters/test_seed)"
		fi
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
