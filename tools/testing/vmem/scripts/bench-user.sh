#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Instructions per allocate+free pair on the segment path, counted by
# callgrind around the measured loop only (see vmem_bench.c), for each
# number N of one-quantum holes given on the command line.
#
# Environment: O (build directory holding vmem_bench), VALGRIND,
# BENCH_PAIRS (pairs per workload, default 1000).
set -euo pipefail

O=${O:?O must name the build directory}
VALGRIND=${VALGRIND:-valgrind}
PAIRS=${BENCH_PAIRS:-1000}
bench="$O/vmem_bench"
out="$O/bench"

if [ $# -eq 0 ]; then
	set -- 10 100 1000 10000 100000 1000000
fi
rm -rf "$out"
mkdir -p "$out"

declare -A ir
declare -a names=()
for n in "$@"; do
	echo "bench-user: N=$n ..." >&2
	if ! "$VALGRIND" --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$out/cg.$n" "$bench" "$n" "$PAIRS" \
		> "$out/pairs.$n" 2> "$out/valgrind.$n"; then
		echo "bench-user: vmem_bench $n failed; see $out/valgrind.$n" >&2
		exit 1
	fi
	# One dump per workload: "desc: Trigger: Client Request: <name>"
	# and "totals: <Ir>"; the pairs per workload are in pairs.$n.
	while IFS=$'\t' read -r name pairs; do
		file=$(grep -l -x "desc: Trigger: Client Request: $name" \
			"$out/cg.$n".* | head -n 1)
		total=$(sed -n 's/^totals: //p' "$file")
		ir["$name,$n"]=$(( (total + pairs / 2) / pairs ))
		if [ "$n" = "$1" ]; then
			names+=("$name")
		fi
	done < "$out/pairs.$n"
done

printf '\nInstructions per allocate+free pair (callgrind; quantum 4096;\n'
printf 'N holes, packed allocations or live IDs as each row says; lock\n'
printf 'included; see vmem_bench.c)\n\n'
printf '%-34s' "workload \\ N"
for n in "$@"; do
	printf '%12s' "$n"
done
printf '\n'
status=0
for name in "${names[@]}"; do
	printf '%-34s' "$name"
	for n in "$@"; do
		printf '%12s' "${ir[$name,$n]}"
	done
	first=${ir[$name,$1]}
	last=${ir[$name,${!#}]}
	case "$name" in
	instant-fit*|xalloc*|qcache*)
		# O(1): flat in N
		if [ "$last" -gt $(( 2 * first )) ]; then
			printf '  NOT FLAT'
			status=1
		fi ;;
	*)
		# searches of the index: O(log N), at most 2,000 (issue 7)
		if [ "$last" -gt 2000 ]; then
			printf '  OVER 2000'
			status=1
		fi ;;
	esac
	printf '\n'
done
if [ -n "${ir[instant-fit 1q,$1]:-}" ]; then
	worst=0
	for n in "$@"; do
		v=${ir[instant-fit 1q,$n]}
		if [ "$v" -gt "$worst" ]; then
			worst=$v
		fi
	done
	printf '\ninstant-fit 1q: at most %s per pair (target: 450, flat in N;\n' "$worst"
	printf 'illumos vmem measured the same way: 683)\n'
	if [ "$worst" -gt 450 ]; then
		status=1
	fi
fi
hit="qcache-size 1q (qcache_max=8q)"
if [ -n "${ir[$hit,$1]:-}" ]; then
	worst=0
	for n in "$@"; do
		v=${ir[$hit,$n]}
		if [ "$v" -gt "$worst" ]; then
			worst=$v
		fi
	done
	printf '\nquantum cache hit: at most %s per pair (target: 100;\n' "$worst"
	printf 'illumos libumem'"'"'s cached vmem pair measured the same way: 251)\n'
	if [ "$worst" -gt 100 ]; then
		status=1
	fi
fi
exit "$status"
