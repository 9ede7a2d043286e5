#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the test VMs (busybox sh).  scripts/vm.sh puts it into the
# initramfs with the modules and /etc/vmem.conf, which says what to do:
#
#   MODE        check: load everything, run the checks, scan for leaks
#               demo:  load vmem.ko and the samples, show the statistics
#               dump:  load vmem.ko and the samples, copy the debugfs
#                      files and the head of /proc/kcore out (between
#                      VMEM-KCORE-BEGIN/END, in hex), say VMEM-DUMP-READY
#                      and wait for the host to take a crash dump
#                      (scripts/check-drgn.sh)
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
#   FIXTURE_KOS test fixtures: vmem_bigarena.ko, an arena of a million
#               segments (scripts/bigarena)
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
# and, between "VMEM-FILE-BEGIN PATH" and "VMEM-FILE-END", copies of the
# debugfs files of vmem (PATH relative to /sys/kernel/debug), taken with
# the samples loaded, for scripts/check-vmemstat.sh.
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
FIXTURE_KOS=
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
TRACEFS=/sys/kernel/tracing
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
	awk '$1 == "iommu_dev0" { found = 1 } END { exit !found }' \
		"$DBG/vmem/arenas" || {
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
	fi
}

# Mode demo: vmem's trace events on while the samples load.
demo_trace_on() {
	mount -t tracefs nodev "$TRACEFS" 2>/dev/null || return 0
	[ -d "$TRACEFS/events/vmem" ] || return 0
	echo >"$TRACEFS/trace"
	echo 1 >"$TRACEFS/events/vmem/enable"
}

# Mode demo: the tree of arenas, one arena's statistics, its caches, its
# segments, the trace events.
demo_show() {
	echo "=== cat $DBG/vmem/arenas   (an importer under its source)"
	cat "$DBG/vmem/arenas"
	a=iommu_dev0
	[ -d "$DBG/vmem/$a" ] || a=$(arenas | head -n 1)
	[ -n "$a" ] || return 0
	echo "=== cat $DBG/vmem/$a/stats"
	cat "$DBG/vmem/$a/stats"
	echo "=== cat $DBG/vmem/$a/qcache   (its quantum caches)"
	cat "$DBG/vmem/$a/qcache"
	echo "=== head $DBG/vmem/$a/segments"
	head -n 8 "$DBG/vmem/$a/segments"
	echo "=== cat $DBG/vmem/$a/freelists"
	cat "$DBG/vmem/$a/freelists"
	if [ -d "$TRACEFS/events/vmem" ]; then
		echo 0 >"$TRACEFS/events/vmem/enable"
		echo "=== trace events (echo 1 >$TRACEFS/events/vmem/enable):"
		grep -E ' vmem_(import|release|fail): ' "$TRACEFS/trace" |
			head -n 4
		grep -E ' vmem_(alloc|xalloc|free): ' "$TRACEFS/trace" |
			tail -n 6
		echo "... $(grep -c ' vmem_' "$TRACEFS/trace") events in all"
	fi
}

# unload_sample MODULE: rmmod it; its arenas must be gone, and it must
# have found nothing wrong (its exit checks what vmem gave back).
unload_sample() {
	eval "added=\$ARENAS_OF_$1"
	check "rmmod $1" rmmod "$1" || return 1
	for a in $added; do
		check "$a removed with $1" gone "$DBG/vmem/$a"
		if awk -v a="$a" '$1 == a { f = 1 } END { exit !f }' \
			"$DBG/vmem/arenas" 2>/dev/null; then
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

# --- the debugfs tables ----------------------------------------------

# "arenas": the version line, the header, a row of 12 fields per arena; an
# importer right under its source, indented two more.
arenas_table_ok() {
	f=$DBG/vmem/arenas
	head -n 1 "$f" | grep -qx 'vmem arenas - version: 1' || {
		echo "first line of $f: $(head -n 1 "$f")"
		return 1
	}
	sed -n 2p "$f" | grep -q '^# name  *quantum  *inuse  *total  *imported  *alloc  *free  *wait  *fail  *live  *freesegs  *cache_hit$' || {
		echo "header of $f: $(sed -n 2p "$f")"
		return 1
	}
	if tail -n +3 "$f" | awk 'NF != 12 { bad = 1 } END { exit !bad }'; then
		echo "a row of $f without 12 fields:"
		tail -n +3 "$f" | awk 'NF != 12' | head -n 2
		return 1
	fi
	for a in $(arenas); do
		src=$(stat_of "$a" source)
		[ "$src" = - ] && continue
		# the source's row, then (maybe after other importers) ours
		awk -v a="$a" -v s="$src" '
			{ match($0, /^ */); ind = RLENGTH; n = $1 }
			n == s { si = ind; seen = 1; next }
			n == a { ok = seen && ind == si + 2; exit }
			seen && ind <= si { seen = 0 }
			END { exit !ok }' "$f" || {
			echo "$a is not indented under its source $src in $f:"
			cat "$f"
			return 1
		}
	done
}

# An arena's row in "arenas" says what its stats say.
arenas_row_ok() {
	row=$(awk -v a="$1" '$1 == a' "$DBG/vmem/arenas")
	# shellcheck disable=SC2086 # the row's fields
	set -- $row
	[ "$2" = "$(stat_of "$1" quantum)" ] &&
		[ "$3" = "$(stat_of "$1" mem_inuse)" ] &&
		[ "$4" = "$(stat_of "$1" mem_total)" ] &&
		[ "$5" = "$(stat_of "$1" mem_import)" ] &&
		[ "$6" = "$(stat_of "$1" alloc)" ] &&
		[ "$7" = "$(stat_of "$1" free)" ] &&
		[ "$8" = "$(stat_of "$1" wait)" ] &&
		[ "$9" = "$(stat_of "$1" fail)" ] &&
		[ "${10}" = "$(stat_of "$1" live)" ] &&
		[ "${11}" = "$(stat_of "$1" free_segments)" ] && return 0
	echo "row: $row"
	cat "$DBG/vmem/$1/stats"
	return 1
}

# "segments" tiles each span, "freelists" counts the free ones, "hash"
# counts the live ones, "qcache" has its header.
arena_files_ok() {
	d=$DBG/vmem/$1
	# (busybox awk reads 0x... as numbers; exact below 2^53)
	awk '
		/^#/ { next }
		NF != 4 { print "bad line: " $0; bad = 1; exit }
		{ s = $1 + 0; e = $2 + 0 }
		$4 == "span" || $4 == "import" { want = s; next }
		s != want || e - s + 1 != $3 {
			print "not tiled at: " $0; bad = 1; exit
		}
		{ want = e + 1 }
		$4 == "free" { free++ }
		$4 == "alloc" { live++ }
		$4 == "leaf" { leaves++ }
		END {
			if (!bad)
				print free + 0, live + 0, leaves + 0 \
					>"/tmp/segcount"
			exit bad
		}' "$d/segments" || return 1
	read -r nfree nalloc nleaves </tmp/segcount
	[ "$nfree" = "$(stat_of "$1" free_segments)" ] || {
		echo "$nfree free segments in segments, stats says $(stat_of "$1" free_segments)"
		return 1
	}
	# a leaf is an allocated segment; its identifiers count as live
	[ "$nleaves" = "$(stat_of "$1" leaves)" ] || {
		echo "$nleaves leaves in segments, stats says $(stat_of "$1" leaves)"
		return 1
	}
	[ $((nalloc + $(stat_of "$1" leaf_ids))) = "$(stat_of "$1" live)" ] || {
		echo "$nalloc allocated segments and $(stat_of "$1" leaf_ids) IDs in leaves, stats says $(stat_of "$1" live) live"
		return 1
	}
	nlive=$((nalloc + nleaves))
	[ "$(awk '$1 == "all" { print $3 }' "$d/freelists")" = "$nfree" ] || {
		echo "freelists does not count $nfree:"
		cat "$d/freelists"
		return 1
	}
	[ "$(sed -n 's/^entries: //p' "$d/hash")" = "$nlive" ] || {
		echo "hash does not count $nlive:"
		cat "$d/hash"
		return 1
	}
	head -n 1 "$d/qcache" | grep -qx 'vmem qcache - version: 1' || {
		echo "first line of qcache: $(head -n 1 "$d/qcache")"
		return 1
	}
}

# Copy every vmem file of debugfs to our output, for the host.
dump_tree() {
	for f in "$DBG/vmem/arenas" "$DBG"/vmem/*/*; do
		[ -f "$f" ] || continue
		echo "VMEM-FILE-BEGIN ${f#"$DBG"/}"
		cat "$f"
		echo "VMEM-FILE-END"
	done
}

# --- trace events ---------------------------------------------------

VMEM_EVENTS="vmem_alloc vmem_xalloc vmem_free vmem_import vmem_release vmem_fail vmem_wait vmem_qcache_refill vmem_qcache_drain vmem_qcache_flush"

trace_events_there() {
	for e in $VMEM_EVENTS; do
		[ -r "$TRACEFS/events/vmem/$e/format" ] || {
			echo "no $TRACEFS/events/vmem/$e/format"
			ls "$TRACEFS/events/vmem" 2>&1
			return 1
		}
	done
	for field in 'const void \* arena' 'char name\[32\]' \
		'unsigned long addr' 'unsigned long size' \
		'unsigned int vmflags'; do
		grep -q "field:$field;" "$TRACEFS/events/vmem/vmem_alloc/format" || {
			echo "vmem_alloc has no field $field:"
			cat "$TRACEFS/events/vmem/vmem_alloc/format"
			return 1
		}
	done
}

# count_events EVENT ARENA: events of that kind and arena in the buffer.
count_events() {
	grep -c " $1: arena=$2 " "$OUT.trace"
}

# sum_rounds EVENT ARENA: the rounds of a quantum-cache event, summed.
sum_rounds() {
	awk -v pat=" $1: arena=$2 " 'index($0, pat) {
		sub(/.* rounds=/, ""); n += $1 } END { print n + 0 }' \
		"$OUT.trace"
}

# The counters the events account for, of every arena, on one line each.
traced_stats() {
	for a in $(arenas); do
		printf '%s ' "$a"
		grep -E '^(alloc|free|fail|import|release|wait): ' \
			"$DBG/vmem/$a/stats" | tr '\n' ' '
		echo
	done
}

# Every allocation, free, failure, import and release an arena counted
# while tracing was on is an event in the buffer, with its fields.  The
# segments a quantum cache's refill carved and its drains freed are the
# rounds of vmem_qcache_refill and vmem_qcache_drain events.  Tracing
# stays on: the counters are read before and after the buffer, and the
# buffer is taken again until they did not move meanwhile (a cache's
# periodic trim may drain at any time), so that it holds exactly the
# operations they count.
trace_matches_stats() {
	tries=0
	while :; do
		traced_stats >"$OUT.before"
		cat "$TRACEFS/trace" >"$OUT.trace"
		traced_stats >"$OUT.after"
		[ "$(cat "$OUT.before")" = "$(cat "$OUT.after")" ] && break
		tries=$((tries + 1))
		[ "$tries" -lt 10 ] || {
			echo "the counters kept moving while the trace was read"
			return 1
		}
		sleep 1
	done
	grep -q '^# entries-in-buffer/entries-written: \([0-9]*\)/\1 ' \
		"$OUT.trace" || {
		echo "events were lost:"
		grep '^# entries-in-buffer' "$OUT.trace"
		return 1
	}
	for a in $(arenas); do
		allocs=$(($(count_events vmem_alloc "$a") + $(count_events vmem_xalloc "$a") + $(sum_rounds vmem_qcache_refill "$a")))
		frees=$(($(count_events vmem_free "$a") + $(sum_rounds vmem_qcache_drain "$a")))
		for pair in "alloc $allocs" "free $frees" \
			"fail $(count_events vmem_fail "$a")" \
			"import $(count_events vmem_import "$a")" \
			"release $(count_events vmem_release "$a")" \
			"wait $(count_events vmem_wait "$a")"; do
			# shellcheck disable=SC2086 # key and count
			set -- $pair
			[ "$2" = "$(stat_of "$a" "$1")" ] || {
				echo "$a: $2 $1 events, stats says $1: $(stat_of "$a" "$1")"
				return 1
			}
		done
	done
	# the fields, as TP_printk writes them
	grep -q ' vmem_alloc: arena=[^ ]* addr=0x[0-9a-f]* size=0x[0-9a-f]* flags=[A-Z|]*$' "$OUT.trace" || {
		echo "no vmem_alloc event with its fields:"
		grep -m 3 vmem_alloc "$OUT.trace"
		return 1
	}
	grep -q ' vmem_import: arena=[^ ]* addr=0x[0-9a-f]* size=0x[0-9a-f]*$' "$OUT.trace" || {
		echo "no vmem_import event with its fields"
		return 1
	}
	grep -q ' vmem_qcache_refill: arena=[^ ]* size=0x[0-9a-f]* rounds=[0-9]*$' "$OUT.trace" || {
		echo "no vmem_qcache_refill event with its fields"
		return 1
	}
}

# With vmem's events on, the samples' operations are all in the trace.
run_trace() {
	[ -n "$SAMPLE_KOS" ] || return 0
	if ! mount -t tracefs nodev "$TRACEFS" 2>"$OUT"; then
		not_ok "tracefs mounted" "$(cat "$OUT")"
		return
	fi
	check "vmem trace events in $TRACEFS" trace_events_there || return
	echo 16384 >"$TRACEFS/buffer_size_kb"
	echo >"$TRACEFS/trace"
	echo 1 >"$TRACEFS/events/vmem/enable"
	echo 1 >"$TRACEFS/tracing_on"
	loaded_t=
	for ko in $SAMPLE_KOS; do
		insmod "$ko" && loaded_t="$loaded_t $(modname "$ko")"
	done
	check "trace events match the arenas' counters" trace_matches_stats
	echo 0 >"$TRACEFS/tracing_on"
	echo 0 >"$TRACEFS/events/vmem/enable"
	echo >"$TRACEFS/trace"
	echo 1408 >"$TRACEFS/buffer_size_kb"
	for mm in $loaded_t; do
		rmmod "$mm"
	done
}

# A file held open while its arena is destroyed: reads fail with EIO (or
# find the end), the close is clean.  KASAN would see a use after free.
open_across_destroy() {
	d=$DBG/vmem/$1
	exec 3<"$d/segments" 4<"$d/stats" 5<"$d/hash"
	read -r _ <&3
	rmmod "$2" || return 1
	for fd in 3 4 5; do
		if out=$(cat <&$fd 2>&1); then
			[ -z "$out" ] || {
				echo "fd $fd still reads after rmmod $2: $out"
				exec 3<&- 4<&- 5<&-
				return 1
			}
		else
			case $out in
			*"Input/output error"*) ;;
			*) echo "fd $fd: $out"; exec 3<&- 4<&- 5<&-; return 1 ;;
			esac
		fi
	done
	exec 3<&- 4<&- 5<&-
	[ ! -e "$d" ] || {
		echo "$d still there"
		return 1
	}
}

# vmem_bigarena: "segments" of an arena of 2^20 segments and a span reads
# whole, every line, while the fixture's thread keeps allocating and
# freeing in it: the reader holds the arena's lock a batch at a time.
big_arena_ok() {
	insmod "$1" || return 1
	d=$DBG/vmem/vmem_big
	par=/sys/module/vmem_bigarena/parameters/pairs
	p0=$(cat "$par")
	t0=$(date +%s)
	n=$(wc -l <"$d/segments")
	t1=$(date +%s)
	p1=$(cat "$par")
	nfree=$(awk '$1 == "all" { print $3 }' "$d/freelists")
	rmmod vmem_bigarena || return 1
	echo "segments: $n lines in $((t1 - t0)) s; meanwhile the thread" \
		"made $((p1 - p0)) allocate+free pairs"
	# the header, the span, 2^20 segments
	[ "$n" = 1048578 ] || {
		echo "$n lines, not 1048578"
		return 1
	}
	[ $((p1 - p0)) -gt 0 ] || {
		echo "the thread made no allocation while segments was read"
		return 1
	}
	# the thread may hold one of the 2^19 free pages
	[ "$nfree" = 524288 ] || [ "$nfree" = 524287 ] || {
		echo "freelists counts $nfree free segments"
		return 1
	}
}

run_fixtures() {
	for ko in $FIXTURE_KOS; do
		case $(modname "$ko") in
		vmem_bigarena)
			check "a million segments read in batches under load" \
				big_arena_ok "$ko"
			head -n 1 "$OUT"
			;;
		esac
	done
}

run_samples() {
	loaded=
	for ko in $REFUSE_KOS; do
		check "$(modname "$ko") refused: no VMEM namespace import" \
			refused "$ko"
	done
	[ "$MODE" = demo ] && demo_trace_on
	for ko in $SAMPLE_KOS; do
		load_sample "$ko" && loaded="$loaded $m"
	done
	[ "$MODE" = demo ] && demo_show
	if [ "$MODE" != demo ] && [ -n "$loaded" ]; then
		check "debugfs arenas table" arenas_table_ok
		for a in $(arenas); do
			check "$a: arenas row agrees with stats" arenas_row_ok "$a"
			check "$a: segments, freelists, hash agree" \
				arena_files_ok "$a"
		done
		dump_tree
	fi
	[ "$MODE" = demo ] || [ -z "$loaded" ] ||
		check "rmmod vmem refused while$loaded hold it" \
			rmmod_refused "$loaded"
	for mm in $loaded; do
		unload_sample "$mm"
	done
	[ "$MODE" = demo ] && return
	# After a refused unload and its clients gone, vmem serves new ones;
	# the last time, with debugfs files open across the unload.
	for ko in $SAMPLE_KOS; do
		load_sample "$ko" && unload_sample "$m"
	done
	for ko in $SAMPLE_KOS; do
		m=$(modname "$ko")
		before=$(arenas | tr '\n' ' ')
		insmod "$ko" || continue
		a=$(new_arenas "$before")
		a=${a# }
		a=${a%% *}
		[ -n "$a" ] || continue
		check "$m: $a's files open across rmmod: EIO, no use after free" \
			open_across_destroy "$a" "$m"
	done
	run_trace
}

# True when no quantum cache's depot holds a magazine: the periodic
# update has trimmed them all and stopped, so that nothing in the arenas
# changes until the next allocation or free (the CPUs' own magazines are
# never trimmed).  Columns 15 and 16 of "qcache" are depot_full and
# depot_empty.
depots_idle() {
	for f in "$DBG"/vmem/*/qcache; do
		[ -f "$f" ] || continue
		awk '!/^(#|vmem )/ && ($15 != 0 || $16 != 0) { bad = 1 }
			END { exit bad }' "$f" || return 1
	done
}

# Mode dump: the arenas loaded and quiet, their files copied out, then
# wait for the host's dump-guest-memory (and its quit).
run_dump() {
	check "insmod vmem" insmod "$VMEM_KO" || return
	for ko in $SAMPLE_KOS; do
		check "insmod $(modname "$ko")" insmod "$ko"
	done
	# at most 3 intervals of the update (5 s) and some
	n=0
	until depots_idle || [ "$n" -ge 30 ]; do
		sleep 1
		n=$((n + 1))
	done
	check "quantum caches' depots idle before the dump" depots_idle
	dump_tree
	# The kernel's VMCOREINFO, for the host to add to QEMU's dump: in
	# the notes at the head of /proc/kcore.
	echo VMEM-KCORE-BEGIN
	od -An -v -tx1 -N 65536 /proc/kcore
	echo VMEM-KCORE-END
	echo VMEM-DUMP-READY
	while :; do
		sleep 60
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
	if [ "$MODE" = dump ]; then
		run_dump
		return
	fi
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
	run_fixtures
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
