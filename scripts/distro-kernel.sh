#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the path of Debian's own kernel image for a kernel release, e.g.
#
#   distro-kernel.sh 6.1.0-56-amd64
#
# The image comes from the cache (~/.cache/vmem/distro/RELEASE/vmlinuz), or
# from /boot when the host has that exact release installed, or else the
# package is fetched with `apt-get download` into the cache and only
# vmlinuz is taken out of it: nothing is installed on the host.  No module
# of the image is needed, since the guest loads only our own modules.
# Debian keeps the kernel ABI stable within a release name, so any package
# build of RELEASE boots modules built against the RELEASE headers.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

rel=${1:?usage: distro-kernel.sh RELEASE}
dir=$VMEM_CACHE/distro/$rel
if [[ -f $dir/vmlinuz ]]; then
	printf '%s\n' "$dir/vmlinuz"
	exit 0
fi
if [[ -r /boot/vmlinuz-$rel ]]; then
	printf '%s\n' "/boot/vmlinuz-$rel"
	exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [[ -f $dir/vmlinuz ]]; then
	printf '%s\n' "$dir/vmlinuz"
	exit 0
fi

# The version of the headers we build against, when apt still has it.
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$rel" 2>/dev/null) ||
	ver=
tmp=$dir/download
rm -rf "$tmp"
mkdir -p "$tmp"
got=
for pkg in "linux-image-$rel-unsigned" "linux-image-$rel"; do
	for spec in ${ver:+"$pkg=$ver"} "$pkg"; do
		log "downloading $spec (Debian's kernel image, about 100 MB)"
		if (cd "$tmp" && apt-get download -q "$spec") \
				>"$dir/apt.log" 2>&1; then
			got=$pkg
			break 2
		fi
	done
done
if [[ -z $got ]]; then
	((EUID == 0)) || die "cannot download linux-image-$rel (see $dir/apt.log); as root, run apt-get update first"
	log "updating the package lists"
	apt-get update -q >&2
	(cd "$tmp" && apt-get download -q "linux-image-$rel-unsigned") \
		>"$dir/apt.log" 2>&1 ||
		die "cannot download linux-image-$rel-unsigned; see $dir/apt.log"
fi
deb=$(find "$tmp" -name 'linux-image-*.deb' -print -quit)
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$tmp" "./boot/vmlinuz-$rel"
mv "$tmp/boot/vmlinuz-$rel" "$dir/vmlinuz"
rm -rf "$tmp"
printf '%s\n' "$dir/vmlinuz"
