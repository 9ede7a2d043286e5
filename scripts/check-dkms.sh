#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The `dkms` tier of make check: DKMS, reading dkms.conf, builds vmem.ko
# for each kernel release given (its headers installed under
# /usr/src/linux-headers-RELEASE), as it would after a kernel upgrade.
#
#   check-dkms.sh RELEASE...
#
# Everything DKMS writes stays in build/dkms: its tree, source tree and
# install tree are passed on the command line (--dkmstree, --sourcetree,
# --installtree), only `dkms add` and `dkms build` run (never install),
# signing is off (sign_file names no file, so no MOK key is made in
# /var/lib/dkms), and build/dkms is removed at the end.  Each build must
# leave a vmem.ko whose vermagic is the release's.
#
# Prints "ok"/"FAILED" lines and "TIER dkms: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_pkgs dkms
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VMEM_ROOT/dkms.conf")
[[ -n $ver ]] || die "no PACKAGE_VERSION in dkms.conf"
top=$VMEM_BUILD/dkms
log=$VMEM_LOGDIR/dkms.log
mkdir -p "$VMEM_LOGDIR"
rm -rf "$top"
mkdir -p "$top/tree" "$top/install" "$top/tmp"
stage_sources "$top/source/vmem-$ver"
dk=(--dkmstree "$top/tree" --sourcetree "$top/source"
	--installtree "$top/install")
export sign_file=$top/no-sign-file tmp_location=$top/tmp

rc=0
dkms add -m vmem -v "$ver" "${dk[@]}" >"$log" 2>&1 || rc=1
result "$rc" "dkms add vmem/$ver (a tree of its own in $top)"
for rel in "$@"; do
	rc=0
	dkms build -m vmem -v "$ver" -k "$rel" "${dk[@]}" \
		--kernelsourcedir "/usr/src/linux-headers-$rel" >>"$log" 2>&1 ||
		rc=1
	ko=$(compgen -G "$top/tree/vmem/$ver/$rel/*/module/vmem.ko*" |
		head -n 1) || ko=
	if ((rc == 0)) && [[ -z $ko ]]; then
		echo "          no vmem.ko from dkms build"
		rc=1
	elif ((rc == 0)); then
		magic=$(modinfo -F vermagic "$ko")
		[[ $magic == "$rel "* ]] || {
			echo "          vermagic '$magic'"
			rc=1
		}
	fi
	((rc == 0)) || tail -n 20 "$log" | sed 's/^/          /'
	result "$rc" "dkms build vmem/$ver for $rel"
done
rm -rf "$top"
tier_report dkms "$passed" "$failed"
((failed == 0))
