#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Self-test of the test runner: does scripts/verdict.py fail the runs it
# must fail, and pass the one it must pass?
#
#   selftest.sh               judge the canned logs (no VM; seconds)
#   selftest.sh --live-only   boot the test kernel with a KUnit case that
#                             fails, and check that the run fails
#   selftest.sh --regenerate [CASE...]
#                             re-record the canned logs (all, or the named
#                             cases) from real boots, then judge them
#
# The canned runs live in scripts/testdata/runner/CASE/: console.log and
# guest.log, recorded from the test kernel with the fixture module
# scripts/selftest/vmem_runner_kunit.c, and an "expect" file:
#
#   suites=SUITE...   the suites the run was to report
#   verdict=pass|fail
#   reason=TEXT       (fail) text that must be in a FAILED line, so that
#                     the run fails for the right reason
#   logs=CASE         (optional) judge another case's logs
#
# Every case is one check in "TIER selftest: N passed, N failed" (the
# live boot: "TIER selftest-live: ...").

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

live=0
regen=0
tier=selftest
case ${1:-} in
--live-only) live=1; tier=selftest-live ;;
--regenerate) regen=1; shift ;;
"") ;;
*) die "usage: selftest.sh [--live-only|--regenerate [CASE...]]" ;;
esac
only=" $* "

DATA=$VMEM_SCRIPTS/testdata/runner
WORK=$VMEM_BUILD/selftest
mkdir -p "$WORK" "$VMEM_LOGDIR"

srcdir=$("$VMEM_SCRIPTS/testkernel.sh" --source)
KUNIT_PY=$srcdir/tools/testing/kunit/kunit.py
passed=0
failed=0

result() {
	if (($1)); then
		passed=$((passed + 1))
		echo "  ok      $2"
	else
		failed=$((failed + 1))
		echo "  FAILED  $2"
		[[ -z ${3:-} ]] || sed 's/^/          /' "$3"
	fi
}

# judge CASE CONSOLE GUEST SUITES VERDICT REASON
judge() {
	local name=$1 console=$2 guest=$3 suites=$4 want=$5 reason=$6
	local out=$WORK/$name.verdict rc=0 s
	local -a args=()

	for s in $suites; do
		args+=(--suites "$s")
	done
	python3 "$VMEM_SCRIPTS/verdict.py" --name "selftest-$name" \
		--console "$console" --guest "$guest" --kunit-py "$KUNIT_PY" \
		--outdir "$WORK/$name" "${args[@]}" >"$out" 2>&1 || rc=$?
	if [[ $want == pass ]]; then
		if ((rc == 0)); then
			result 1 "$name: judged a pass"
		else
			result 0 "$name: judged a pass (exit $rc)" "$out"
		fi
	elif ((rc != 1)); then
		result 0 "$name: judged a failure (exit $rc)" "$out"
	elif ! grep -A12 'FAILED' "$out" | grep -qF -- "$reason"; then
		result 0 "$name: judged a failure for \"$reason\"" "$out"
	else
		result 1 "$name: judged a failure for \"$reason\""
	fi
}

canned() {
	local dir name suites verdict reason logs

	for dir in "$DATA"/*/; do
		name=$(basename "$dir")
		suites='' verdict='' reason='' logs=$name
		while IFS='=' read -r k v; do
			case $k in
			suites) suites=$v ;;
			verdict) verdict=$v ;;
			reason) reason=$v ;;
			logs) logs=$v ;;
			esac
		done <"$dir/expect"
		judge "$name" "$DATA/$logs/console.log" "$DATA/$logs/guest.log" \
			"$suites" "$verdict" "$reason"
	done
}

# Build the fixture module against the test kernel; print its path.
build_runner_module() {
	local kdir=$1 dest=$WORK/module

	rm -rf "$dest"
	mkdir -p "$dest"
	cp -a "$VMEM_SCRIPTS/selftest/." "$dest/"
	make -C "$kdir" M="$dest" -j"$(nproc)" modules \
		>"$VMEM_LOGDIR/selftest-module-build.log" 2>&1 ||
		die "fixture module build failed; see $VMEM_LOGDIR/selftest-module-build.log"
	printf '%s\n' "$dest/vmem_runner_kunit.ko"
}

# boot NAME SUITE [vm.sh args...]: run one fixture suite in the test kernel.
boot() {
	local name=$1 suite=$2

	shift 2
	"$VMEM_SCRIPTS/vm.sh" --name "$name" --kernel "$kdir/arch/x86/boot/bzImage" \
		--kunit "$ko" --append "kunit.filter_glob=$suite" "$@" || true
}

if ((regen || live)); then
	need_pkgs "${VMEM_VM_PKGS[@]}"
	kdir=$("$VMEM_SCRIPTS/testkernel.sh")
	ko=$(build_runner_module "$kdir")
fi

if ((regen)); then
	# Keep the first lines (kernel version and command line) and what
	# follows /init: the boot in between is the same in every case.
	record() {
		local case=$1 suite=$2 expect=$3

		shift 3
		[[ $only == "  " || $only == *" $case "* ]] || return 0
		boot "selftest-$case" "$suite" "$@"
		mkdir -p "$DATA/$case"
		awk '/Run \/init as init process/ { on = 1 } NR <= 2 || on' \
			"$VMEM_LOGDIR/selftest-$case.console.log" \
			>"$DATA/$case/console.log"
		cp "$VMEM_LOGDIR/selftest-$case.guest.log" "$DATA/$case/guest.log"
		printf '%b' "$expect" >"$DATA/$case/expect"
	}
	record pass vmem_runner_pass 'suites=vmem_runner_pass\nverdict=pass\n' \
		--kmemleak
	record fail vmem_runner_fail 'suites=vmem_runner_fail\nverdict=fail\nreason=kunit vmem_runner_fail.runner_fails (FAIL)\n'
	record kasan vmem_runner_kasan 'suites=vmem_runner_kasan\nverdict=fail\nreason=KASAN report: \n'
	record lockdep vmem_runner_lockdep 'suites=vmem_runner_lockdep\nverdict=fail\nreason=lockdep report: \n'
	record sleep vmem_runner_sleep 'suites=vmem_runner_sleep\nverdict=fail\nreason=sleep in atomic context: \n'
	record leak vmem_runner_leak 'suites=vmem_runner_leak\nverdict=fail\nreason=kmemleak report: \n' \
		--kmemleak
	record oops vmem_runner_oops 'suites=vmem_runner_oops\nverdict=fail\nreason=Oops: \n'
	record hang vmem_runner_hang 'suites=vmem_runner_hang\nverdict=fail\nreason=the VM hit its timeout\n' \
		--timeout 30
	mkdir -p "$DATA/missing-suite"
	printf 'logs=pass\nsuites=vmem_runner_pass vmem_runner_absent\nverdict=fail\nreason=missing: vmem_runner_absent\n' \
		>"$DATA/missing-suite/expect"
	log "recorded $(find "$DATA" -name expect | wc -l) cases in $DATA"
fi

((live)) || canned

if ((live)); then
	# The expected suites of a run are read from the .ko: they must be the
	# fixture's, in order.
	want=$(sed -n 's/^RUNNER_SUITE(\(vmem_runner_[a-z]*\),.*/\1/p' \
		"$VMEM_SCRIPTS/selftest/vmem_runner_kunit.c" | tr '\n' ' ')
	got=$(python3 "$VMEM_SCRIPTS/kunit_suites.py" "$ko" | tr '\n' ' ')
	if [[ -n $want && $got == "$want" ]]; then
		result 1 "kunit_suites.py reads the fixture's suites: $got"
	else
		echo "want: $want" >"$WORK/suites.txt"
		echo "got:  $got" >>"$WORK/suites.txt"
		result 0 "kunit_suites.py reads the fixture's suites" \
			"$WORK/suites.txt"
	fi

	# The whole path, not canned: a real boot whose KUnit case fails must
	# fail, and for that case.
	boot selftest-live-fail vmem_runner_fail --timeout "${VMEM_TIMEOUT:-120}"
	judge live-fail "$VMEM_LOGDIR/selftest-live-fail.console.log" \
		"$VMEM_LOGDIR/selftest-live-fail.guest.log" vmem_runner_fail fail \
		'kunit vmem_runner_fail.runner_fails (FAIL)'
fi

tier_report "$tier" "$passed" "$failed"
((failed == 0))
