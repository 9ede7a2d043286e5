#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: every test tier, then one line "N passed, N failed".
#
# Tiers, in order:
#   selftest    the runner's self-test on canned logs (no VM)
#   build       W=1 builds, warning-free, against the test kernel and
#               Debian's 6.1 and 6.12 kernel headers (vmem.ko, then the
#               samples as clients against its Module.symvers); exported
#               names checked against OpenZFS's and the kernels'
#               (scripts/check-exports.sh)
#   clients     exports in namespace VMEM, clients import it, a client
#               that does not fails modpost (scripts/check-clients.sh)
#   install     make install and uninstall into a staging root; a client
#               builds on what was installed (scripts/check-install.sh)
#   dkms        dkms build (dkms.conf) against Debian's 6.1 and 6.12
#               headers, in a DKMS tree of its own (scripts/check-dkms.sh)
#   sparse      make C=2 against the test kernel: no warning
#               (scripts/check-sparse.sh)
#   kernel-doc  kernel-doc -none -Wall clean; every export and every
#               constant of vmem.h documented (scripts/check-kerneldoc.sh)
#   kunit       the test kernel (KUnit, KASAN, lockdep, kmemleak, ...) in
#               QEMU: vmem.ko, vmem_kunit.ko's suites, the samples; then
#               the quantum caches' stress alone in a second boot with 4
#               virtual CPUs, more than the host has cores (kunit-smp4)
#   distro-*    Debian's own 6.1 and 6.12 kernels in QEMU: vmem.ko and the
#               sample load, work, show debugfs stats, unload cleanly
#   vmemstat    scripts/vmemstat on the debugfs files the kunit and
#               distro VMs copied out (scripts/check-vmemstat.py)
#   drgn        scripts/vmem-drgn.py on a crash dump of the test VM,
#               against its debugfs files (scripts/check-drgn.sh)
#   selftest-live  a real boot with a failing KUnit case must fail
#   userspace   `make -C tools/testing/vmem check`, when it exists
#   checkpatch  scripts/checkpatch.sh (--strict) on our C sources;
#               VMEM_CHECKPATCH=0 leaves it out
#
# Each tier prints "TIER NAME: N passed, N failed"; this script adds them
# up.  A tier that ends in error without reporting counts as one failure.
# Environment: VMEM_SEED (seed of the randomized suites), VMEM_TIMEOUT
# (hard timeout of each VM boot, seconds), VMEM_LOGDIR (default
# build/logs), KDIR is not used: the tiers name their kernels.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS
mkdir -p "$VMEM_LOGDIR"
summary=$VMEM_LOGDIR/check-summary.txt
: >"$summary"
MODS=$VMEM_BUILD/modules
seed=${VMEM_SEED:-}
if [[ -n $seed && ! $seed =~ ^[0-9]+$ ]]; then
	echo "error: VMEM_SEED must be a number, not '$seed'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# run_tier NAME COMMAND...: run a tier, keep its output in
# $VMEM_LOGDIR/check-NAME.log, collect its TIER lines.
run_tier() {
	local name=$1 tlog=$VMEM_LOGDIR/check-$1.log rc t0=$SECONDS nfail

	shift
	echo "--- tier $name"
	set +e
	"$@" 2>&1 | tee "$tlog"
	rc=${PIPESTATUS[0]}
	set -e
	grep -E '^TIER [^:]+: [0-9]+ passed, [0-9]+ failed$' "$tlog" \
		>>"$summary" || true
	nfail=$(awk '/^TIER / { f += $(NF - 1) } END { print f + 0 }' "$tlog")
	if ((rc != 0 && nfail == 0)); then
		echo "TIER $name: 0 passed, 1 failed" | tee -a "$summary"
		echo "  (tier $name ended with status $rc; see $tlog)"
	fi
	echo "    ($((SECONDS - t0)) s)"
}

# --- prerequisites ----------------------------------------------------

# Without them nothing runs: one failure, and need_pkgs has said what to
# install.
if ! (need_pkgs "${VMEM_VM_PKGS[@]}" "$VMEM_SRC_PKG" linux-headers-amd64 \
	linux-headers-6.12-amd64 flex bison bc libelf-dev libssl-dev cpio \
	xz-utils dwarves); then
	echo "0 passed, 1 failed"
	exit 1
fi

rel61=$(deb_headers_release linux-headers-amd64)
rel612=$(deb_headers_release linux-headers-6.12-amd64)
tk=
tk_err=
if ! tk=$("$VMEM_SCRIPTS/testkernel.sh"); then
	tk=
	tk_err="the test kernel could not be built"
fi

# --- tiers ------------------------------------------------------------

tier_build() {
	local passed=0 failed=0 name kdir blog nwarn

	for name in testkernel "debian-$rel61" "debian-$rel612"; do
		case $name in
		testkernel) kdir=$tk ;;
		debian-*) kdir=/usr/src/linux-headers-${name#debian-} ;;
		esac
		blog=$VMEM_LOGDIR/build-$name.log
		if [[ -z $kdir || ! -f $kdir/Makefile ]]; then
			echo "  FAILED  W=1 build against $name: no kernel tree"
			failed=$((failed + 1))
			continue
		fi
		if ! build_modules "$kdir" "$MODS/$name" "$blog" W=1; then
			echo "  FAILED  W=1 build against $name; see $blog"
			grep -E 'error|warning' "$blog" | head -n 20 |
				sed 's/^/          /'
			failed=$((failed + 1))
			# One broken KUnit file stops modpost for every module:
			# build the rest alone, so that the VM tiers still test
			# vmem.ko and the samples.
			if [[ $name == testkernel ]] &&
				build_modules "$kdir" "$MODS/$name" \
					"$blog.without-kunit" CONFIG_KUNIT=; then
				echo "          (vmem.ko and the samples built without kunit/)"
			fi
			continue
		fi
		nwarn=$(count_warnings "$blog")
		if ((nwarn)); then
			echo "  FAILED  W=1 build against $name: $nwarn warnings; see $blog"
			grep -iE '(^|[^a-z])warning:' "$blog" | head -n 20 |
				sed 's/^/          /'
			failed=$((failed + 1))
		else
			echo "  ok      W=1 build against $name, no warnings"
			passed=$((passed + 1))
		fi
	done
	# Exported names must not clash with OpenZFS's (spl.ko, zfs.ko) or the kernels'
	# (the lead's scripts/check-exports.sh): such a module cannot load.
	if [[ -x $VMEM_SCRIPTS/check-exports.sh ]]; then
		local symvers=$MODS/debian-$rel612/Module.symvers
		if "$VMEM_SCRIPTS/check-exports.sh" "$symvers" \
			>"$VMEM_LOGDIR/check-exports.log" 2>&1; then
			echo "  ok      $(tail -n 1 "$VMEM_LOGDIR/check-exports.log")"
			passed=$((passed + 1))
		else
			echo "  FAILED  check-exports.sh $symvers"
			sed 's/^/          /' "$VMEM_LOGDIR/check-exports.log"
			failed=$((failed + 1))
		fi
	fi
	tier_report build "$passed" "$failed"
	((failed == 0))
}

tier_kunit() {
	local dir=$MODS/testkernel rc=0 nokunit=0 s
	local -a vmargs=() vargs=()

	if [[ -z $tk ]]; then
		echo "  FAILED  $tk_err; see $VMEM_LOGDIR/testkernel-build.log"
		tier_report kunit 0 1
		return 1
	fi
	[[ -f $dir/vmem.ko ]] || {
		echo "  FAILED  no vmem.ko built for the test kernel"
		tier_report kunit 0 1
		return 1
	}
	vmargs+=(--vmem "$dir/vmem.ko")
	[[ -z $seed ]] || vmargs+=(--kunit-args "seed=$seed")
	# A missing KUnit module is counted, not hidden: the project needs
	# its suites.  The rest of the tier still runs.
	if ! compgen -G "$VMEM_ROOT/kunit/*.c" >/dev/null; then
		echo "  FAILED  no KUnit suites: kunit/ has no .c files"
		nokunit=1
	elif [[ ! -f $dir/vmem_kunit.ko ]]; then
		echo "  FAILED  kunit/*.c did not build into vmem_kunit.ko"
		nokunit=1
	else
		vmargs+=(--kunit "$dir/vmem_kunit.ko")
		vargs+=(--suites-from "$dir/vmem_kunit.ko")
	fi
	for s in "$dir"/samples/*.ko; do
		[[ -f $s ]] && vmargs+=(--sample "$s")
	done
	[[ -f $dir/noimport/vmem_noimport.ko ]] &&
		vmargs+=(--refuse "$dir/noimport/vmem_noimport.ko")
	# Every suite under KASAN and kmemleak in TCG: minutes on a busy
	# machine.
	"$VMEM_SCRIPTS/vm.sh" --name kunit \
		--kernel "$tk/arch/x86/boot/bzImage" --kmemleak \
		--timeout "${VMEM_TIMEOUT:-900}" "${vmargs[@]}" || true
	s=$(sed -n 's/^VMEM-SEED \([0-9]*\).*/\1/p' \
		"$VMEM_LOGDIR/kunit.guest.log" 2>/dev/null | head -n 1)
	[[ -z $s ]] || echo "  seed $s (rerun with: make check VMEM_SEED=$s)"
	python3 "$VMEM_SCRIPTS/verdict.py" --name kunit --quiet \
		--console "$VMEM_LOGDIR/kunit.console.log" \
		--guest "$VMEM_LOGDIR/kunit.guest.log" \
		--kunit-py "$srcdir/tools/testing/kunit/kunit.py" \
		"${vargs[@]}" || rc=1
	if ((nokunit)); then
		tier_report kunit-suites 0 1
		rc=1
	else
		tier_kunit_smp4 "$dir" || rc=1
	fi
	return "$rc"
}

# The per-CPU stress of the quantum caches, alone, on 4 virtual CPUs:
# vCPUs that the host preempts while they hold per-CPU state.
tier_kunit_smp4() {
	local dir=$1
	local -a vmargs=(--vmem "$dir/vmem.ko" --kunit "$dir/vmem_kunit.ko")

	[[ -z $seed ]] || vmargs+=(--kunit-args "seed=$seed")
	"$VMEM_SCRIPTS/vm.sh" --name kunit-smp4 --smp 4 \
		--kernel "$tk/arch/x86/boot/bzImage" "${vmargs[@]}" \
		--append "kunit.filter_glob=vmem_qcache.vmem_qcache_stress" ||
		true
	python3 "$VMEM_SCRIPTS/verdict.py" --name kunit-smp4 --quiet \
		--console "$VMEM_LOGDIR/kunit-smp4.console.log" \
		--guest "$VMEM_LOGDIR/kunit-smp4.guest.log" \
		--kunit-py "$srcdir/tools/testing/kunit/kunit.py" \
		--suites vmem_qcache
}

# tier_distro RELEASE: Debian's own kernel RELEASE, our modules built
# against its headers.
tier_distro() {
	local rel=$1 dir=$MODS/debian-$1 name=distro-$1 kernel s
	local -a vmargs=()

	[[ -f $dir/vmem.ko ]] || {
		echo "  FAILED  no vmem.ko built for $rel"
		tier_report "$name" 0 1
		return 1
	}
	if ! kernel=$("$VMEM_SCRIPTS/distro-kernel.sh" "$rel"); then
		echo "  FAILED  no kernel image for $rel"
		tier_report "$name" 0 1
		return 1
	fi
	vmargs+=(--vmem "$dir/vmem.ko")
	for s in "$dir"/samples/*.ko; do
		[[ -f $s ]] && vmargs+=(--sample "$s")
	done
	[[ -f $dir/noimport/vmem_noimport.ko ]] &&
		vmargs+=(--refuse "$dir/noimport/vmem_noimport.ko")
	# The million-segment fixture needs a kernel without KASAN's pace.
	rm -rf "$dir/bigarena"
	cp -a "$VMEM_SCRIPTS/bigarena" "$dir/bigarena"
	if make -C "/usr/src/linux-headers-$rel" M="$dir/bigarena" \
		VMEM_DIR="$dir" modules >"$VMEM_LOGDIR/build-$name-bigarena.log" \
		2>&1; then
		vmargs+=(--fixture "$dir/bigarena/vmem_bigarena.ko")
	else
		echo "  FAILED  build of scripts/bigarena for $rel; see $VMEM_LOGDIR/build-$name-bigarena.log"
		tier_report "$name-bigarena" 0 1
	fi
	"$VMEM_SCRIPTS/vm.sh" --name "$name" --kernel "$kernel" \
		--timeout "${VMEM_TIMEOUT:-120}" "${vmargs[@]}" || true
	python3 "$VMEM_SCRIPTS/verdict.py" --name "$name" --quiet \
		--console "$VMEM_LOGDIR/$name.console.log" \
		--guest "$VMEM_LOGDIR/$name.guest.log"
}

tier_userspace() {
	local out=$VMEM_LOGDIR/userspace.log line p f

	if ! make -j2 -C "$VMEM_ROOT/tools/testing/vmem" check >"$out" 2>&1; then
		echo "  FAILED  make -C tools/testing/vmem check; see $out"
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1) ||
		line=
	if [[ -z $line ]]; then
		echo "  FAILED  no \"N passed, N failed\" line in $out"
		tail -n 15 "$out" | sed 's/^/          /'
		tier_report userspace 0 1
		return 1
	fi
	read -r p _ f _ <<<"$line"
	tier_report userspace "$p" "$f"
	((f == 0))
}

srcdir=$("$VMEM_SCRIPTS/testkernel.sh" --source) || srcdir=

run_tier selftest "$VMEM_SCRIPTS/selftest.sh"
run_tier build tier_build
run_tier clients "$VMEM_SCRIPTS/check-clients.sh" "$tk:$MODS/testkernel" \
	"/usr/src/linux-headers-$rel61:$MODS/debian-$rel61" \
	"/usr/src/linux-headers-$rel612:$MODS/debian-$rel612"
run_tier install "$VMEM_SCRIPTS/check-install.sh" \
	"/usr/src/linux-headers-$rel61:$MODS/debian-$rel61" \
	"/usr/src/linux-headers-$rel612:$MODS/debian-$rel612"
run_tier dkms "$VMEM_SCRIPTS/check-dkms.sh" "$rel61" "$rel612"
run_tier sparse "$VMEM_SCRIPTS/check-sparse.sh"
run_tier kernel-doc "$VMEM_SCRIPTS/check-kerneldoc.sh"
run_tier kunit tier_kunit
run_tier "distro-$rel61" tier_distro "$rel61"
run_tier "distro-$rel612" tier_distro "$rel612"
run_tier vmemstat python3 "$VMEM_SCRIPTS/check-vmemstat.py" \
	"$VMEM_LOGDIR/kunit.guest.log" "$VMEM_LOGDIR/distro-$rel61.guest.log" \
	"$VMEM_LOGDIR/distro-$rel612.guest.log"
run_tier drgn "$VMEM_SCRIPTS/check-drgn.sh" "$MODS/testkernel"
if [[ -n $tk ]]; then
	run_tier selftest-live "$VMEM_SCRIPTS/selftest.sh" --live-only
else
	echo "TIER selftest-live: 0 passed, 1 failed" >>"$summary"
fi
if [[ -f $VMEM_ROOT/tools/testing/vmem/Makefile ]]; then
	run_tier userspace tier_userspace
fi
if [[ ${VMEM_CHECKPATCH:-1} == 1 ]]; then
	run_tier checkpatch "$VMEM_SCRIPTS/checkpatch.sh"
fi

# --- summary ----------------------------------------------------------

echo "--- summary ($((SECONDS - start)) s; logs in $VMEM_LOGDIR)"
sed 's/^/  /' "$summary"
read -r passed failed < <(awk '{ p += $(NF - 3); f += $(NF - 1) }
	END { print p + 0, f + 0 }' "$summary")
echo "$passed passed, $failed failed"
((failed == 0))
