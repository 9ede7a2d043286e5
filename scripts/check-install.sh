#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The `install` tier of make check: `make install` and `make uninstall`
# into a staging root (DESTDIR), never the real system.  For each build
# given (made by build_modules in scripts/lib.sh):
#
#   - make install puts vmem.ko under lib/modules/<release>/extra, the
#     public headers and vmem.mk under usr/src/vmem, and vmem.ko's
#     Module.symvers under usr/src/vmem/<release>;
#   - a client whose Makefile is the documented two lines (include the
#     installed vmem.mk; obj-m) builds against the staged install alone:
#     it compiles with the installed headers and modpost resolves vmem's
#     symbols from the installed Module.symvers;
#   - make uninstall leaves no file behind.
#
#   check-install.sh KDIR:DIR [KDIR:DIR...]
#
# Prints "ok"/"FAILED" lines and "TIER install: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# installed STAGE RELEASE: what make install must have put there.
installed() {
	local f absent=

	for f in "lib/modules/$2/extra/vmem.ko" \
		usr/src/vmem/include/linux/vmem.h \
		usr/src/vmem/include/linux/vmem_ns.h usr/src/vmem/vmem.mk \
		"usr/src/vmem/$2/Module.symvers"; do
		compgen -G "$1/$f*" >/dev/null || absent="$absent $f"
	done
	[[ -z $absent ]] || {
		echo "          missing:$absent"
		return 1
	}
}

# client KDIR STAGE CLIENTDIR: the two-line client Makefile builds.
client() {
	local kdir=$1 stage=$2 cdir=$3 cmd

	rm -rf "$cdir"
	mkdir -p "$cdir"
	cp "$VMEM_ROOT/samples/vmem_ids_sample.c" "$cdir/"
	printf 'include %s\nobj-m := vmem_ids_sample.o\n' \
		"$stage/usr/src/vmem/vmem.mk" >"$cdir/Makefile"
	make -C "$kdir" M="$cdir" modules || return 1
	cmd=$cdir/.vmem_ids_sample.o.cmd
	grep -q -- "-I$stage/usr/src/vmem/include" "$cmd" || {
		echo "          the client did not compile against $stage/usr/src/vmem/include"
		return 1
	}
	[[ $(modinfo -F depends "$cdir/vmem_ids_sample.ko") == vmem ]] || {
		echo "          the client does not depend on vmem"
		return 1
	}
}

mkdir -p "$VMEM_LOGDIR"
for arg in "$@"; do
	kdir=${arg%%:*}
	dir=${arg#*:}
	name=$(basename "$dir")
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null) || rel=
	stage=$VMEM_BUILD/install/$name/root
	log=
	if [[ ! -f $dir/vmem.ko || -z $rel ]]; then
		result 1 "$name: no vmem.ko in $dir or no release in $kdir"
		continue
	fi
	log=$VMEM_LOGDIR/install-$name.log
	rm -rf "$stage"
	# W=1 as the build was made: kbuild rebuilds nothing.
	rc=0
	make -C "$dir" KDIR="$kdir" W=1 DESTDIR="$stage" install \
		>"$log" 2>&1 || rc=1
	((rc)) || installed "$stage" "$rel" || rc=1
	result "$rc" "$name: make install DESTDIR=$stage" "$log"
	rc=0
	client "$kdir" "$stage" "$VMEM_BUILD/install/$name/client" \
		>>"$log" 2>&1 || rc=1
	result "$rc" \
		"$name: a client built on the installed vmem.mk, headers and Module.symvers" \
		"$log"
	rc=0
	make -C "$dir" KDIR="$kdir" DESTDIR="$stage" uninstall >>"$log" 2>&1 ||
		rc=1
	left=$(find "$stage" -type f)
	if [[ -n $left ]]; then
		echo "          left behind: $left"
		rc=1
	fi
	result "$rc" "$name: make uninstall leaves no file" "$log"
done
tier_report install "$passed" "$failed"
((failed == 0))
