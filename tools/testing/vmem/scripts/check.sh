#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The fast tier of the userspace harness: the KUnit suites of kunit/ and
# the userspace-only suites (vmem_user.c, shim_selftest.c), run by the
# shim's runner under ASan+UBSan (64- and, where the compiler can,
# 32-bit; the randomized suites with three more seeds), under
# ThreadSanitizer and under valgrind memcheck; then the seed corpus
# replayed and the fuzzer run for a bounded time.  Every case of every run
# counts; the last line is "N passed, M failed", and the exit status is
# non-zero on any failure.
#
# Environment: O (build directory), SEED (empty: random), FUZZ_SECONDS,
# ORACLE_FUZZ_SECONDS, VALGRIND.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
O=${O:?O must name the build directory}
SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
ORACLE_FUZZ_SECONDS=${ORACLE_FUZZ_SECONDS:-10}
VALGRIND=${VALGRIND:-valgrind}
log="$O/check"
passed=0
failed=0

mkdir -p "$log"
rm -f "$log"/*.log

# Add the "N passed, M failed" of a run's output to the totals; a run
# that died before printing it counts as one failure.
count() {
	local name=$1 file=$2 status=$3 line p f

	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$file" | tail -n 1 || true)
	if [ -z "$line" ]; then
		echo "check: $name: no summary (exit status $status); see $file"
		grep -E '^ *not ok|FAILED|ERROR|BUG' "$file" | head -n 20 || true
		failed=$((failed + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ] || [ "$status" -ne 0 ]; then
		echo "check: $name: $line (exit status $status); see $file"
		grep -E '^ *not ok|FAILED' "$file" | head -n 20 || true
		if [ "$f" -eq 0 ]; then
			failed=$((failed + 1))
		fi
	else
		echo "check: $name: $line$(skips "$file")"
	fi
}

# ", K skipped" when a run skipped cases.
skips() {
	local k

	k=$(sed -n 's/^# skipped: \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	if [ -n "$k" ] && [ "$k" -ne 0 ]; then
		echo ", $k skipped"
	fi
}

echo "check: seed $SEED (rerun: make check SEED=$SEED)"

# The runs are independent: start them together (two at a time would be
# the machine's cores, but valgrind and TSan mostly wait on sleeps), then
# report them in order.
"$O/vmem_kunit-asan" -s "$SEED" > "$log/asan.log" 2>&1 &
pid_asan=$!
pid_asan32=
if [ -x "$O/vmem_kunit-asan32" ]; then
	"$O/vmem_kunit-asan32" -s "$SEED" > "$log/asan32.log" 2>&1 &
	pid_asan32=$!
fi
"$O/vmem_kunit-tsan" -s "$SEED" > "$log/tsan.log" 2>&1 &
pid_tsan=$!
"$VALGRIND" -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect \
	"$O/vmem_kunit-plain" -s "$SEED" > "$log/valgrind.log" 2>&1 &
pid_valgrind=$!

# 1. ASan+UBSan, then the randomized suites again with other seeds.
status=0
wait "$pid_asan" || status=$?
count "asan+ubsan" "$log/asan.log" "$status"
for i in 1 2 3; do
	status=0
	"$O/vmem_kunit-asan" -s $((SEED + i)) -g vmem_stress \
		> "$log/asan-seed$i.log" 2>&1 || status=$?
	count "asan+ubsan vmem_stress seed $((SEED + i))" \
		"$log/asan-seed$i.log" "$status"
done

# 1b. The same, built for 32 bits (when the compiler can).
if [ -n "$pid_asan32" ]; then
	status=0
	wait "$pid_asan32" || status=$?
	count "asan+ubsan 32-bit" "$log/asan32.log" "$status"
fi

# 1c. ThreadSanitizer: data races are reported at exit (status 66).
status=0
wait "$pid_tsan" || status=$?
count "tsan" "$log/tsan.log" "$status"
if grep -q 'WARNING: ThreadSanitizer' "$log/tsan.log"; then
	echo "check: tsan: $(grep -c 'WARNING: ThreadSanitizer' "$log/tsan.log") data race reports"
	grep -A 2 -E '^  (Write|Read|Atomic|Previous)' "$log/tsan.log" |
		grep -E '^ +#0' | sed 's/ (vmem_kunit-tsan.*//' | sort | uniq -c |
		head -n 10 || true
fi

# 2. valgrind memcheck.
status=0
wait "$pid_valgrind" || status=$?
count "valgrind memcheck" "$log/valgrind.log" "$status"
if [ "$status" -eq 99 ]; then
	echo "check: valgrind reported memory errors"
fi

# 3. The seed corpus, each input once, then bounded fuzzing.  New inputs
#    go to the build directory, never into the repository's corpus.
status=0
"$O/vmem_fuzz" -runs=0 -artifact_prefix="$log/" "$here/corpus" > "$log/corpus.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
	passed=$((passed + 1))
	echo "check: seed corpus: $(find "$here/corpus" -type f | wc -l) inputs replayed"
else
	failed=$((failed + 1))
	echo "check: seed corpus: failed (exit status $status); see $log/corpus.log"
	grep -E '^vmem_fuzz:|ERROR|SUMMARY' "$log/corpus.log" | head -n 20 || true
fi

mkdir -p "$O/corpus"
status=0
"$O/vmem_fuzz" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
	-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$log/" \
	"$O/corpus" "$here/corpus" > "$log/fuzz.log" 2>&1 || status=$?
stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log/fuzz.log" | tail -n 1 || true)
if [ "$status" -eq 0 ]; then
	passed=$((passed + 1))
	echo "check: fuzz ${FUZZ_SECONDS}s: ${stats:-done}"
else
	failed=$((failed + 1))
	echo "check: fuzz ${FUZZ_SECONDS}s: crashed (exit status $status); input saved in $log/, see $log/fuzz.log"
	grep -E '^vmem_fuzz:|ERROR|SUMMARY' "$log/fuzz.log" | head -n 20 || true
fi

# 4. The same for the oracle target (vmem_oracle_fuzz): its seed corpus,
#    then bounded fuzzing.
status=0
"$O/vmem_oracle_fuzz" -runs=0 -artifact_prefix="$log/oracle-" \
	"$here/corpus-oracle" > "$log/corpus-oracle.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
	passed=$((passed + 1))
	echo "check: oracle seed corpus: $(find "$here/corpus-oracle" -type f | wc -l) inputs replayed"
else
	failed=$((failed + 1))
	echo "check: oracle seed corpus: failed (exit status $status); see $log/corpus-oracle.log"
	grep -E '^vmem_oracle_fuzz:|ERROR|SUMMARY' "$log/corpus-oracle.log" | head -n 20 || true
fi

mkdir -p "$O/corpus-oracle"
status=0
"$O/vmem_oracle_fuzz" -max_total_time="$ORACLE_FUZZ_SECONDS" \
	-print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
	-artifact_prefix="$log/oracle-" "$O/corpus-oracle" \
	"$here/corpus-oracle" > "$log/fuzz-oracle.log" 2>&1 || status=$?
stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log/fuzz-oracle.log" | tail -n 1 || true)
if [ "$status" -eq 0 ]; then
	passed=$((passed + 1))
	echo "check: oracle fuzz ${ORACLE_FUZZ_SECONDS}s: ${stats:-done}"
else
	failed=$((failed + 1))
	echo "check: oracle fuzz ${ORACLE_FUZZ_SECONDS}s: crashed (exit status $status); input saved in $log/, see $log/fuzz-oracle.log"
	grep -E '^vmem_oracle_fuzz:|ERROR|SUMMARY' "$log/fuzz-oracle.log" | head -n 20 || true
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
