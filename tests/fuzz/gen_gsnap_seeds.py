#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes tests/fuzz/corpus/gsnap/: memory images for fuzz_gsnap.c, with its
marker words (0xfd.. a pointer into the image, 0xfe.. an address in a
synthetic function) and go1.27's g layout: allgs at the image start, gs
parked with a two-frame chain ending in the stand-in runtime.goexit, one
running, one dead, one in a syscall. Run from the repository root."""

import os
import struct

G = {"stack_lo": 0, "stack_hi": 8, "m": 48, "sched_sp": 56, "sched_pc": 64, "sched_bp": 96,
     "syscallsp": 104, "syscallpc": 112, "syscallbp": 120, "atomicstatus": 144, "goid": 152,
     "waitreason": 176, "gopc": 288}


def ptr(off):
    return 0xFD00000000000000 | off


def code(fn, off):
    return 0xFE00000000000000 | (off << 8) | fn


def put(img, at, fmt, *v):
    struct.pack_into(fmt, img, at, *v)


def g(img, at, goid, status, stack_at, sp_off, chain, reason=14, syscall=False):
    put(img, at + G["stack_lo"], "<Q", ptr(stack_at))
    put(img, at + G["stack_hi"], "<Q", ptr(stack_at + 0x1000))
    put(img, at + G["atomicstatus"], "<I", status)
    put(img, at + G["goid"], "<Q", goid)
    put(img, at + G["waitreason"], "<B", reason)
    put(img, at + G["gopc"], "<Q", code(0, 3))
    sp, bp = stack_at + sp_off, stack_at + sp_off + 0x40
    pre = "syscall" if syscall else "sched_"
    put(img, at + G[pre + "sp" if syscall else "sched_sp"], "<Q", ptr(sp))
    put(img, at + G[pre + "pc" if syscall else "sched_pc"], "<Q", code(0, 0x10))
    put(img, at + G[pre + "bp" if syscall else "sched_bp"], "<Q", ptr(bp))
    for i, (fn, off) in enumerate(chain):
        nxt = bp + 0x40 if i + 1 < len(chain) else None
        put(img, bp, "<Q", ptr(nxt) if nxt else 0)
        put(img, bp + 8, "<Q", code(fn, off))
        bp = nxt or bp


def image(gs):
    img = bytearray(0x8000)
    put(img, 0, "<QQQ", ptr(0x100), len(gs), len(gs))
    for i, spec in enumerate(gs):
        at = 0x1000 + i * 0x200
        put(img, 0x100 + 8 * i, "<Q", ptr(at))
        spec(img, at)
    return bytes(img)


def main():
    d = os.path.join("tests", "fuzz", "corpus", "gsnap")
    os.makedirs(d, exist_ok=True)
    seeds = {
        "parked": [lambda m, a: g(m, a, 7, 4, 0x3000, 0xe00, [(0, 0x20), (1, 1)])],
        "mixed": [lambda m, a: g(m, a, 1, 4, 0x3000, 0xe00, [(0, 0x20), (0, 0x18), (1, 1)]),
                  lambda m, a: g(m, a, 2, 2, 0x4000, 0xe00, []),
                  lambda m, a: g(m, a, 3, 6, 0x5000, 0xe00, []),
                  lambda m, a: g(m, a, 4, 3, 0x6000, 0xe00, [(1, 1)], syscall=True)],
    }
    for name, gs in seeds.items():
        with open(os.path.join(d, name), "wb") as fp:
            fp.write(image(gs))


main()
