#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Add the guest kernel's VMCOREINFO to a kdump file that QEMU wrote.

    kdump-vmcoreinfo.py KDUMP GUEST.log

drgn (through libkdumpfile) needs a kernel crash dump's VMCOREINFO: the
kernel's release, page size, symbol addresses.  QEMU puts it in its dumps
only when the guest handed it over through fw_cfg, which takes a working
ACPI interpreter that the test kernel lacks.  So the guest copies the head
of /proc/kcore (whose ELF notes include VMCOREINFO) to its log in hex,
between VMEM-KCORE-BEGIN and VMEM-KCORE-END (scripts/guest-init.sh, mode
dump), and this script appends the note's text to KDUMP and points the
kdump sub-header's offset_vmcoreinfo and size_vmcoreinfo at it, as
makedumpfile does; appends QEMU's notes with a VMCOREINFO note after
them, and points offset_note and size_note there; and fills the header's
utsname, of which QEMU writes only the machine, as makedumpfile would
(libkdumpfile takes the architecture from a utsname that looks real).

The layouts are QEMU's (include/sysemu/dump.h), as QEMU 7.2 writes them:
the DiskDumpHeader64's block_size at byte 428 (read back from a dump),
and in the next block the KdumpSubHeader64's offset_vmcoreinfo at byte
32 and size_vmcoreinfo at byte 40.
"""

import re
import struct
import sys

UTSNAME_OFF = 12
BLOCK_SIZE_OFF = 428
SUB_VMCOREINFO_OFF = 32


def kcore_head(log):
    data = bytearray()
    inside = False
    with open(log, errors='replace') as f:
        for ln in f:
            ln = ln.strip()
            if ln == 'VMEM-KCORE-BEGIN':
                inside = True
            elif ln == 'VMEM-KCORE-END':
                return bytes(data)
            elif inside and re.fullmatch(r'[0-9a-f ]+', ln):
                data += bytes.fromhex(ln)
    raise ValueError(f'{log}: no VMEM-KCORE-BEGIN ... VMEM-KCORE-END')


def vmcoreinfo(elf):
    if elf[:4] != b'\x7fELF' or elf[4] != 2:
        raise ValueError('/proc/kcore: not a 64-bit ELF file')
    phoff, = struct.unpack_from('<Q', elf, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(
            '<IIQQQQ', elf, phoff + i * phentsize)
        if p_type != 4:             # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        if end > len(elf):
            raise ValueError('/proc/kcore notes beyond what was copied')
        while off + 12 <= end:
            namesz, descsz, _ = struct.unpack_from('<III', elf, off)
            name = elf[off + 12:off + 12 + namesz].rstrip(b'\0')
            desc = off + 12 + (namesz + 3) // 4 * 4
            if name == b'VMCOREINFO':
                return elf[desc:desc + descsz]
            off = desc + (descsz + 3) // 4 * 4
    raise ValueError('/proc/kcore has no VMCOREINFO note')


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    kdump, log = argv
    info = vmcoreinfo(kcore_head(log))
    with open(kdump, 'r+b') as f:
        head = f.read(BLOCK_SIZE_OFF + 4)
        if head[:8] != b'KDUMP   ':
            sys.exit(f'{kdump}: not a kdump file')
        block_size, = struct.unpack_from('<I', head, BLOCK_SIZE_OFF)
        if block_size not in (4096, 8192, 16384, 65536):
            sys.exit(f'{kdump}: block size {block_size}: not QEMU\'s layout')
        # QEMU leaves all of utsname but the machine empty, and
        # libkdumpfile takes the architecture from a plausible one
        m = re.search(rb'^OSRELEASE=(.*)$', info, re.M)
        uts = [b'Linux', b'vmem-guest', m.group(1) if m else b'', b'#1',
               head[UTSNAME_OFF + 4 * 65:UTSNAME_OFF + 5 * 65].rstrip(b'\0'),
               b'(none)']
        f.seek(UTSNAME_OFF)
        f.write(b''.join(x[:64].ljust(65, b'\0') for x in uts))
        f.seek(block_size + SUB_VMCOREINFO_OFF)
        _, _, note_off, note_size = struct.unpack('<QQQQ', f.read(32))
        f.seek(note_off)
        notes = f.read(note_size)
        # the text, and QEMU's notes (the CPUs') with a VMCOREINFO note
        name = b'VMCOREINFO\0'
        notes += struct.pack('<III', len(name), len(info), 0)
        notes += name.ljust((len(name) + 3) // 4 * 4, b'\0')
        notes += info.ljust((len(info) + 3) // 4 * 4, b'\0')
        f.seek(0, 2)
        info_at = f.tell()
        f.write(info)
        notes_at = f.tell()
        f.write(notes)
        f.seek(block_size + SUB_VMCOREINFO_OFF)
        f.write(struct.pack('<QQQQ', info_at, len(info), notes_at,
                            len(notes)))
    print(f'{kdump}: VMCOREINFO ({len(info)} bytes) added')


if __name__ == '__main__':
    main(sys.argv[1:])
