#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write an initramfs (a "newc" cpio archive) from a list of entries.

The list has one entry a line, in the spirit of the kernel's
usr/gen_init_cpio, so that no root privileges and no kernel tree are
needed (device nodes are described, not created):

    dir   PATH MODE
    file  PATH SOURCE MODE
    slink PATH TARGET
    nod   PATH MODE c|b MAJOR MINOR

MODE is octal; every entry is owned by root.  Blank lines and lines
starting with '#' are ignored.  The archive is written uncompressed: the
guests run under emulation, where decompressing costs more than reading.

Usage: mkinitramfs.py LIST OUTPUT
"""

import stat
import sys

NEWC_MAGIC = b'070701'


class Archive:
    def __init__(self, out):
        self.out = out
        self.ino = 1

    def _pad(self):
        pos = self.out.tell()
        self.out.write(b'\0' * (-pos % 4))

    def add(self, name, mode, data=b'', rmajor=0, rminor=0):
        name_b = name.encode() + b'\0'
        fields = [self.ino, mode, 0, 0, 1 if not stat.S_ISDIR(mode) else 2,
                  0, len(data), 0, 0, rmajor, rminor, len(name_b), 0]
        self.ino += 1
        self.out.write(NEWC_MAGIC)
        self.out.write(b''.join(b'%08X' % f for f in fields))
        self.out.write(name_b)
        self._pad()
        self.out.write(data)
        self._pad()

    def close(self):
        self.add('TRAILER!!!', 0)


def entry(arc, words, lineno):
    kind, path = words[0], words[1].lstrip('/')
    if not path:
        raise ValueError(f'line {lineno}: empty path')
    if kind == 'dir' and len(words) == 3:
        arc.add(path, stat.S_IFDIR | int(words[2], 8))
    elif kind == 'file' and len(words) == 4:
        with open(words[2], 'rb') as src:
            arc.add(path, stat.S_IFREG | int(words[3], 8), src.read())
    elif kind == 'slink' and len(words) == 3:
        arc.add(path, stat.S_IFLNK | 0o777, words[2].encode())
    elif kind == 'nod' and len(words) == 6 and words[3] in ('c', 'b'):
        ftype = stat.S_IFCHR if words[3] == 'c' else stat.S_IFBLK
        arc.add(path, ftype | int(words[2], 8), b'',
                int(words[4]), int(words[5]))
    else:
        raise ValueError(f'line {lineno}: cannot parse {" ".join(words)!r}')


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as lst, open(argv[2], 'wb') as out:
        arc = Archive(out)
        for lineno, line in enumerate(lst, 1):
            words = line.split()
            if not words or words[0].startswith('#'):
                continue
            entry(arc, words, lineno)
        arc.close()
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError) as e:
        sys.exit(f'mkinitramfs.py: {e}')
