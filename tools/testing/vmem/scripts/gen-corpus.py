#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the deterministic part of the fuzzer's seed corpus.

Every byte string is a valid input of vmem_difftest_bytes(), so the seeds
are the bytes a splitmix64 stream gives (as vmem_difftest_run() decodes
them), of several lengths, plus two degenerate ones (all zero, all 0xff).
The rest of corpus/ is what `make fuzz` found and `vmem_fuzz -merge=1`
kept; see README.rst.

usage: gen-corpus.py <corpus directory>
"""
import os
import sys

MASK = (1 << 64) - 1


def splitmix64(state):
    """Yield the outputs of splitmix64 seeded with @state."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def stream(seed, length):
    """@length bytes of the stream, low byte of each output first."""
    out = bytearray()
    for z in splitmix64(seed):
        out += z.to_bytes(8, "little")
        if len(out) >= length:
            return bytes(out[:length])
    return b""


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    corpus = sys.argv[1]
    os.makedirs(corpus, exist_ok=True)
    seeds = {}
    for i in range(24):
        seeds["seed-%02d" % i] = stream(i + 1, 64 << (i % 5))
    seeds["seed-zero"] = bytes(512)
    seeds["seed-ones"] = b"\xff" * 512
    for name, data in seeds.items():
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
