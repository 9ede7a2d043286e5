#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print the names of the KUnit suites a kernel module contains.

kunit_test_suites() puts one pointer per suite into the module's
.kunit_test_suites section (.kunit_init_test_suites for init-section
suites).  In the .ko those pointers are relocations against the suite
structures, and struct kunit_suite starts with its name (char[256]).  So
the suites a module will run are read from the module itself: the list the
runner expects can never go stale, and a suite that does not run fails the
run.

Usage: kunit_suites.py MODULE.ko...   (one name a line, in section order)
"""

import struct
import sys

SUITE_SECTIONS = ('.kunit_test_suites', '.kunit_init_test_suites')
SHT_SYMTAB, SHT_RELA, SHT_NOBITS = 2, 4, 8
R_X86_64_64 = 1
NAME_MAX = 256


class Elf:
    def __init__(self, path):
        with open(path, 'rb') as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b'\x7fELF' or d[4] != 2 or d[5] != 1:
            raise ValueError(f'{path}: not a 64-bit little-endian ELF file')
        (shoff,) = struct.unpack_from('<Q', d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
        self.sections = []
        for i in range(shnum):
            (name, stype, _flags, _addr, off, size, link, info, _align,
             entsize) = struct.unpack_from('<IIQQQQIIQQ', d,
                                           shoff + i * shentsize)
            self.sections.append(dict(name=name, type=stype, off=off,
                                      size=size, link=link, info=info,
                                      entsize=entsize))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s['name'] = self.cstr(strtab['off'] + s['name'])

    def cstr(self, off, limit=4096):
        end = self.data.find(b'\0', off, off + limit)
        if end < 0:
            raise ValueError(f'unterminated string at {off:#x}')
        return self.data[off:end].decode('utf-8', 'replace')

    def symbol(self, symtab, index):
        s = self.sections[symtab]
        _name, _info, _other, shndx, value, _size = struct.unpack_from(
            '<IBBHQQ', self.data, s['off'] + index * s['entsize'])
        return shndx, value

    def suites(self):
        names = []
        for want in SUITE_SECTIONS:
            idx = [i for i, s in enumerate(self.sections)
                   if s['name'] == want]
            if not idx:
                continue
            relocs = [s for s in self.sections
                      if s['type'] == SHT_RELA and s['info'] == idx[0]]
            entries = {}
            for rel in relocs:
                for off in range(rel['off'], rel['off'] + rel['size'], 24):
                    r_off, r_info, r_addend = struct.unpack_from(
                        '<QQq', self.data, off)
                    if r_info & 0xffffffff != R_X86_64_64:
                        raise ValueError(f'unexpected relocation type in '
                                         f'{want}: {r_info & 0xffffffff}')
                    shndx, value = self.symbol(rel['link'], r_info >> 32)
                    target = self.sections[shndx]
                    if target['type'] == SHT_NOBITS:
                        raise ValueError('a suite in a NOBITS section')
                    entries[r_off] = self.cstr(target['off'] + value +
                                               r_addend, NAME_MAX)
            names += [entries[k] for k in sorted(entries)]
        return names


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    for path in argv[1:]:
        for name in Elf(path).suites():
            print(name)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, struct.error) as e:
        sys.exit(f'kunit_suites.py: {e}')
