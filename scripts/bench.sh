#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make bench`: vmem against the kernel's own range allocators (gen_pool,
# the IDA, iova, slab), in Debian's own non-debug 6.12 kernel under QEMU.
#
#   1. build vmem.ko and bench/vmem_bench.ko (W=1, no warning allowed)
#      against linux-headers-6.12*-amd64; the image is Debian's own
#      (scripts/distro-kernel.sh);
#   2. boot it with -icount shift=0, one CPU: workloads 1-5, 7 and 8 in
#      guest instructions, exact, equal from boot to boot within a few;
#   3. boot it without icount, two CPUs: workload 6 (every CPU at once) in
#      wall-clock time, rounds on 1 and 2 CPUs alternated, with the host's
#      load during that boot measured;
#   4. scripts/bench-report.py writes results.json, table.md and the plots.
#
# Environment (make variables too):
#   BENCH_QUICK=1     N up to 10^4 (memory measured at 10^5): 1.5-3 minutes
#   BENCH_MODE=M      icount, wall or all (default: all)
#   BENCH_OUT=DIR     results (default: bench/results in the tree)
#   BENCH_ARGS=...    more vmem_bench.ko parameters for both boots
#   VMEM_TIMEOUT=S    hard timeout of each boot (default 3600 s)
#
# scripts/bench.sh --smoke is make check's bench tier: one tiny round of
# everything in one icount boot with two CPUs, results in build/bench, no
# plots; it proves that the harness builds, loads and reports.
#
# Logs: build/logs/bench-*.log, bench-*.console.log (the module's output).

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

smoke=0
if [[ ${1:-} == --smoke ]]; then
	smoke=1
	shift
fi
(($# == 0)) || die "usage: bench.sh [--smoke]"
quick=${BENCH_QUICK:-0}
mode=${BENCH_MODE:-all}
[[ $mode == all || $mode == icount || $mode == wall ]] ||
	die "BENCH_MODE must be icount, wall or all, not '$mode'"
extra=${BENCH_ARGS:-}
timeout=${VMEM_TIMEOUT:-3600}
work=$VMEM_BUILD/bench
if ((smoke)); then
	out=${BENCH_OUT:-$work/smoke}
else
	out=${BENCH_OUT:-$VMEM_ROOT/bench/results}
fi
start=$SECONDS

pkgs=("${VMEM_VM_PKGS[@]}" linux-headers-6.12-amd64)
((smoke)) || pkgs+=(python3-matplotlib)
need_pkgs "${pkgs[@]}"

rel=$(deb_headers_release linux-headers-6.12-amd64)
kdir=/usr/src/linux-headers-$rel
[[ -f $kdir/Makefile ]] || die "no kernel headers at $kdir"

# --- build ------------------------------------------------------------

src=$work/src
blog=$VMEM_LOGDIR/bench-build.log
mkdir -p "$VMEM_LOGDIR"
log "building vmem.ko and vmem_bench.ko against $rel (W=1)"
build_modules "$kdir" "$src" "$blog" W=1 ||
	die "vmem.ko did not build; see $blog"
cp -a "$VMEM_ROOT/bench" "$src/bench"
make -C "$kdir" M="$src/bench" KBUILD_EXTRA_SYMBOLS="$src/Module.symvers" \
	-j"$(nproc)" W=1 modules >>"$blog" 2>&1 ||
	die "vmem_bench.ko did not build; see $blog"
nwarn=$(count_warnings "$blog")
((nwarn == 0)) || die "$nwarn warnings building against $rel; see $blog"
kernel=$("$VMEM_SCRIPTS/distro-kernel.sh" "$rel")

# --- host facts -------------------------------------------------------

# Busy and total jiffies of all host CPUs.
host_jiffies() {
	awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9;
		print b, b + $5 + $6 }' /proc/stat
}

# CPU seconds used by this shell's finished children (the VM, with QEMU),
# from the output of the `times` builtin in file $1.  `times` itself must
# run in this shell: in a $(...) subshell it would see no children.
children_cpu() {
	tail -n 1 "$1" | awk '{ s = 0; for (i = 1; i <= 2; i++) {
		split($i, a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] }
		printf "%.2f\n", s }'
}

loadavg() {
	cut -d ' ' -f 1-3 /proc/loadavg
}

# boot NAME ARGS...: one VM with vmem.ko and vmem_bench.ko; fails unless
# the guest got to its end with every check passed.
boot() {
	local name=$1 glog

	shift
	"$VMEM_SCRIPTS/vm.sh" --name "$name" --kernel "$kernel" --mode bench \
		--vmem "$src/vmem.ko" --bench "$src/bench/vmem_bench.ko" \
		--timeout "$timeout" "$@" || true
	glog=$VMEM_LOGDIR/$name.guest.log
	if ! grep -q '^VMEM-GUEST-DONE' "$glog" ||
		grep -q '^VMEM-CHECK not ok' "$glog"; then
		sed 's/^/  guest: /' "$glog" >&2
		die "the $name boot failed; see $VMEM_LOGDIR/$name.console.log"
	fi
}

if ((smoke)); then
	icount_args="nmax=10 mem_n=100 pairs=20 random_steps=20 rounds=1 round_ms=5 run=sweep,random,mem,smp"
	wall_args=
	mem=1G
	smp=2
	mode=icount
elif ((quick)); then
	icount_args="nmax=10000 mem_n=100000"
	wall_args="mode=wall rounds=5 round_ms=200"
	mem=2G
	smp=1
else
	icount_args="nmax=1000000 mem_n=1000000"
	wall_args="mode=wall rounds=9 round_ms=300"
	mem=2G
	smp=1
fi
mkdir -p "$work"
host_cores=$(nproc)
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu_ver=$(qemu-system-x86_64 --version | head -n 1 |
	sed 's/^QEMU emulator version //')
# Debian's python3, which python3-matplotlib is installed for, even when
# another python3 (pyenv, a venv) comes first on PATH.
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
report=("$py" "$VMEM_SCRIPTS/bench-report.py" --out "$out")

if [[ $mode != wall ]]; then
	log "icount boot: instructions per pair ($icount_args $extra)"
	t0=$SECONDS
	la0=$(loadavg)
	boot bench-icount --icount --smp "$smp" --mem "$mem" \
		--bench-args "$icount_args $extra"
	log "icount boot took $((SECONDS - t0)) s (load average $la0 -> $(loadavg))"
	report+=(--icount "$VMEM_LOGDIR/bench-icount.console.log")
fi

wall_host='{}'
if [[ $mode != icount ]]; then
	log "wall-clock boot: every CPU at once ($wall_args $extra)"
	t0=$SECONDS
	la0=$(loadavg)
	read -r b0 j0 < <(host_jiffies)
	times >"$work/times0"
	c0=$(children_cpu "$work/times0")
	boot bench-wall --smp 2 --mem 1G --bench-args "$wall_args $extra"
	read -r b1 j1 < <(host_jiffies)
	times >"$work/times1"
	c1=$(children_cpu "$work/times1")
	la1=$(loadavg)
	hz=$(getconf CLK_TCK)
	# Cores kept busy by everything but the VM, on average.
	others=$(awk -v b="$((b1 - b0))" -v j="$((j1 - j0))" -v c0="$c0" \
		-v c1="$c1" -v hz="$hz" -v n="$host_cores" 'BEGIN {
		x = j ? (b / hz - (c1 - c0)) / (j / hz / n) : 0;
		printf "%.2f\n", x < 0 ? 0 : x }')
	wall_host=$(printf '{"cores": %s, "others_busy_cores": %s, "vm_cpu_s": %s, "loadavg_start": "%s", "loadavg_end": "%s"}' \
		"$host_cores" "$others" "$(awk -v a="$c0" -v b="$c1" \
		'BEGIN { printf "%.1f", b - a }')" "$la0" "$la1")
	log "wall-clock boot took $((SECONDS - t0)) s; other processes kept $others of $host_cores host cores busy"
	report+=(--wall "$VMEM_LOGDIR/bench-wall.console.log")
fi

# The tree measured: its commit, "+" when vmem's or the bench's sources
# differ from it.
tree=$(git -C "$VMEM_ROOT" rev-parse --short HEAD 2>/dev/null) || tree=unknown
if [[ $tree != unknown ]] &&
	[[ -n $(git -C "$VMEM_ROOT" status --porcelain -- vmem include bench \
		':!bench/results' 2>/dev/null) ]]; then
	tree=$tree+
fi
TREE=$tree ELAPSED=$((SECONDS - start)) \
HOST_CPU=$host_cpu HOST_CORES=$host_cores QEMU_VER=$qemu_ver MEM=$mem \
	QUICK=$quick SMOKE=$smoke WALL_HOST=$wall_host python3 -c '
import json, os, sys, time
e = os.environ
json.dump({"host_cpu": e["HOST_CPU"], "host_cores": int(e["HOST_CORES"]),
           "qemu": e["QEMU_VER"], "icount_mem": e["MEM"] + " guest memory",
           "date": time.strftime("%Y-%m-%d", time.gmtime()),
           "quick": int(e["QUICK"]), "smoke": int(e["SMOKE"]),
           "tree": e["TREE"], "elapsed_s": int(e["ELAPSED"]),
           "wall_host": json.loads(e["WALL_HOST"])}, sys.stdout, indent=1)
' >"$work/host.json"
report+=(--host "$work/host.json")
((smoke)) && report+=(--no-plots)
# A full run into the tree's own results refreshes the README's copy.
if ((!smoke && !quick)) && [[ $mode == all &&
	$(realpath -m "$out") == "$VMEM_ROOT/bench/results" ]]; then
	report+=(--readme "$VMEM_ROOT/README.md")
fi
rc=0
"${report[@]}" || rc=$?
if ((smoke)); then
	# The counts of a tiny round mean nothing; that every row ran does.
	nok=$(grep -c '"status":"ok"' "$VMEM_LOGDIR/bench-icount.console.log") ||
		nok=0
	echo "bench smoke: $nok rows and rounds timed; report in $out"
	exit "$rc"
fi
sed -n '/^## Contender by workload/,/^## 1\./p' "$out/table.md" | sed '$d'
log "make bench took $((SECONDS - start)) s; results in $out (table.md, results.json, *.png)"
exit "$rc"
