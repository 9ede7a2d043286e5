#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Talk to a QEMU that scripts/vm.sh started with --qmp SOCKET.

    qmp.py SOCKET dump PATH      dump-guest-memory to PATH as a kdump
                                 compressed (zlib) crash dump, which drgn
                                 reads; waits until it is written
    qmp.py SOCKET quit           end QEMU

QMP is QEMU's JSON monitor protocol: a greeting, qmp_capabilities, then
one command and its reply at a time; asynchronous events may come in
between and are skipped.
"""

import json
import os
import socket
import struct
import sys
import time


class Qmp:
    def __init__(self, path, timeout=600):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile('rwb')
        self.read()                     # the greeting
        self.command('qmp_capabilities')

    def read(self):
        ln = self.file.readline()
        if not ln:
            raise EOFError('QEMU closed the QMP connection')
        return json.loads(ln)

    def command(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.file.write(json.dumps(msg).encode() + b'\n')
        self.file.flush()
        while True:
            reply = self.read()
            if 'return' in reply:
                return reply['return']
            if 'error' in reply:
                raise RuntimeError(f'{name}: {reply["error"]}')
            # an event: skip it


def reassemble(path):
    """Turn makedumpfile's flattened format into a plain kdump file.

    QEMU before 8.2 writes its kdump formats flattened, as makedumpfile
    -F does for a pipe: a 4 KiB header starting "makedumpfile", then
    records of (offset, size) as big-endian 64-bit integers followed by
    size bytes that belong at offset, until an offset of -1.  libkdumpfile
    (and so drgn) reads the plain file that "makedumpfile -R" would write.
    """
    with open(path, 'rb') as f:
        if f.read(12) != b'makedumpfile':
            return
        f.seek(4096)
        with open(path + '.tmp', 'wb') as out:
            while True:
                hdr = f.read(16)
                if len(hdr) < 16:
                    raise ValueError(f'{path}: truncated flattened dump')
                off, size = struct.unpack('>qq', hdr)
                if off == -1:
                    break
                out.seek(off)
                while size:
                    chunk = f.read(min(size, 1 << 20))
                    if not chunk:
                        raise ValueError(f'{path}: truncated record')
                    out.write(chunk)
                    size -= len(chunk)
    os.replace(path + '.tmp', path)


def main(argv):
    if len(argv) < 2 or argv[1] not in ('dump', 'quit') or \
            (argv[1] == 'dump') != (len(argv) == 3):
        sys.exit(__doc__)
    q = Qmp(argv[0])
    if argv[1] == 'dump':
        q.command('dump-guest-memory', paging=False,
                  protocol='file:' + argv[2], format='kdump-zlib')
        reassemble(argv[2])
    else:
        try:
            q.command('quit')
        except EOFError:
            pass


if __name__ == '__main__':
    main(sys.argv[1:])
