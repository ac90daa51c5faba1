#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes tests/fuzz/corpus/dwarf/: small DWARF sections holding runtime.g and
runtime.gobuf, in the layout fuzz_dwarf.c reads (u32 info length, .debug_info,
.debug_abbrev): DWARF 4 and 5, 32- and 64-bit, member offsets as udata,
data1 and DW_OP_plus_uconst expressions. Run from the repository root."""

import os
import struct


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def abbrevs(loc_form):
    a = bytearray()
    a += uleb(1) + uleb(0x11) + b"\x01" + uleb(0x03) + uleb(0x08) + b"\x00\x00"
    a += uleb(2) + uleb(0x13) + b"\x01" + uleb(0x03) + uleb(0x08) + uleb(0x0B) + uleb(0x0F) + b"\x00\x00"
    a += uleb(3) + uleb(0x0D) + b"\x00" + uleb(0x03) + uleb(0x08) + uleb(0x38) + uleb(loc_form) + b"\x00\x00"
    a += b"\x00"
    return bytes(a)


def loc(form, off):
    if form == 0x0F:
        return uleb(off)
    if form == 0x0B:
        return bytes([off & 0xFF])
    expr = b"\x23" + uleb(off)  # DW_OP_plus_uconst
    return uleb(len(expr)) + expr  # exprloc


def struct_die(name, size, members, form):
    d = uleb(2) + name.encode() + b"\x00" + uleb(size)
    for m, off in members:
        d += uleb(3) + m.encode() + b"\x00" + loc(form, off)
    return d + b"\x00"


def unit(version, dwarf64, form):
    body = uleb(1) + b"runtime\x00"
    body += struct_die("runtime.gobuf", 48, [("sp", 0), ("pc", 8), ("bp", 40)], form)
    body += struct_die("runtime.g", 456, [("stack", 0), ("m", 48), ("sched", 56),
                                          ("atomicstatus", 144), ("goid", 152)], form)
    body += b"\x00"
    off = struct.pack("<Q" if dwarf64 else "<I", 0)
    if version == 5:
        hdr = struct.pack("<HBB", 5, 1, 8) + off
    else:
        hdr = struct.pack("<H", version) + off + b"\x08"
    rest = hdr + body
    if dwarf64:
        return b"\xff\xff\xff\xff" + struct.pack("<Q", len(rest)) + rest
    return struct.pack("<I", len(rest)) + rest


def main():
    d = os.path.join("tests", "fuzz", "corpus", "dwarf")
    os.makedirs(d, exist_ok=True)
    for version, dwarf64, form, name in ((4, False, 0x0F, "v4-udata"), (5, False, 0x0B, "v5-data1"),
                                          (4, True, 0x18, "v4-64bit-expr"),
                                          (2, False, 0x0F, "v2-udata")):
        info = unit(version, dwarf64, form)
        with open(os.path.join(d, name), "wb") as fp:
            fp.write(struct.pack("<I", len(info)) + info + abbrevs(form))


main()
