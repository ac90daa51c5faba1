# SPDX-License-Identifier: GPL-2.0
"""`gotrace info BINARY --json` against independent oracles, for every fixture.

  elf.type/machine/pie/static/stripped/interp/needed/libc
        readelf -hlSdW parsed here, `file`, and the manifest (how the
        fixture was built); libc is derived here from the interpreter and
        DT_NEEDED: ld-musl / libc.musl -> musl, ld-linux / libc.so.6 -> glibc
  go.version
        the manifest (the toolchain that built it / the npm release)
  go.version_source
        "buildinfo" iff the ELF has a .go.buildinfo section (readelf)
  go.main_module, go.deps, go.settings
        `go version -m` of the newest toolchain, parsed here (values
        unquoted like debug/buildinfo does)
  go.pclntab.format, functions
        the table's magic and nfunc header field, read here from the
        .gopclntab bytes; the format also from the Go version
  go.uprobe_support.supported
        Go >= 1.17 on x86_64 (register ABI: GO-RUNTIME.md 1.1)
  go.probes[].entry
        unstripped: the symbol address from `go tool nm`; stripped: the
        unstripped twin's (-s -w keeps the function layout); npm (stripped,
        no twin): the runtime's own traceback, entry = pc - "+0x" offset
  go.probes[].file_offset, probe_offset
        vaddr - p_vaddr + p_offset of the PT_LOAD from readelf -lW
  go.probes[].probe_placement
        objdump -d of the prologue: "after-stack-check" must name the JBE
        that follows `cmp 0x10(%r14),...`; "entry" must probe the entry.
        runtime.gopark, whose prologue is that check, must use it (DESIGN).
And for a few fixtures `info --pid`: pid, and root_check against the files
under /proc/PID/root.
"""

import json
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()
h.require_gotrace()

PCLNTAB_MAGIC = {0xfffffffb: "go1.2", 0xfffffffa: "go1.16", 0xfffffff0: "go1.18",
                 0xfffffff1: "go1.20"}


def format_for_version(v):
    t = h.go_version_tuple(v)
    if t < (1, 16, 0):
        return "go1.2"
    if t < (1, 18, 0):
        return "go1.16"
    if t < (1, 20, 0):
        return "go1.18"
    return "go1.20"


# ---------------------------------------------------------------- readelf

def readelf_facts(path):
    rc, out, err = h.readelf(["-hlSdW"], path)
    if not h.check(rc == 0, "readelf failed on %s" % path, stderr=err):
        return None
    f = {"type": None, "machine": None, "interp": None, "needed": [], "sections": {},
         "loads": [], "flags_1": ""}
    m = re.search(r"^\s*Type:\s+(\w+)", out, re.M)
    f["type"] = {"EXEC": "exec", "DYN": "dyn"}.get(m.group(1), m.group(1)) if m else None
    m = re.search(r"^\s*Machine:\s+(.*)$", out, re.M)
    mach = m.group(1).strip() if m else ""
    f["machine"] = {"Advanced Micro Devices X86-64": "x86_64", "AArch64": "aarch64"}.get(mach, mach)
    m = re.search(r"\[Requesting program interpreter: (.*)\]", out)
    f["interp"] = m.group(1) if m else None
    f["needed"] = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", out)
    m = re.search(r"\(FLAGS_1\)\s+Flags:(.*)$", out, re.M)
    f["flags_1"] = m.group(1) if m else ""
    for m in re.finditer(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)",
                         out, re.M):
        f["sections"][m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16),
                                     int(m.group(4), 16))
    for m in re.finditer(r"^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+"
                         r"(0x[0-9a-f]+)\s+(0x[0-9a-f]+)", out, re.M):
        f["loads"].append({"offset": int(m.group(1), 16), "vaddr": int(m.group(2), 16),
                           "filesz": int(m.group(3), 16), "memsz": int(m.group(4), 16)})
    f["has_dynamic"] = bool(re.search(r"^\s*DYNAMIC\s", out, re.M))
    return f


def libc_of(ef):
    names = [ef["interp"] or ""] + ef["needed"]
    if any("ld-musl" in n or n.startswith("libc.musl") for n in names):
        return "musl"
    if any("ld-linux" in n or n == "libc.so.6" for n in names):
        return "glibc"
    return None


def file_offset(vaddr, ef):
    for p in ef["loads"]:
        if p["vaddr"] <= vaddr < p["vaddr"] + p["filesz"]:
            return vaddr - p["vaddr"] + p["offset"]
    return None


def hexint(v):
    if isinstance(v, int):
        return v
    try:
        return int(v, 16)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- go tools

def go_version_m(path):
    """Parsed `go version -m`: {"version", "path", "mod", "deps", "settings"} or None."""
    rc, out, err = h.go_tool(["version", "-m", path])
    first = out.split("\n", 1)[0]
    if rc != 0 or not re.match(r"^.*: go1\.", first):
        return None
    info = {"version": first.rsplit(": ", 1)[1].strip(), "path": None, "mod": None,
            "deps": [], "settings": {}}
    last = None
    for line in out.splitlines()[1:]:
        parts = line.split("\t")[1:]
        if not parts:
            continue
        kind = parts[0]
        if kind == "path":
            info["path"] = parts[1]
        elif kind in ("mod", "dep"):
            m = {"path": parts[1], "version": parts[2] if len(parts) > 2 else "",
                 "sum": parts[3] if len(parts) > 3 else ""}
            if kind == "mod":
                info["mod"] = m
            else:
                info["deps"].append(m)
            last = m
        elif kind == "=>" and last is not None:
            last["replace_path"] = parts[1]
            last["replace_version"] = parts[2] if len(parts) > 2 else ""
        elif kind == "build":
            k, _, v = parts[1].partition("=")
            info["settings"][unquote(k)] = unquote(v)
    return info


def unquote(s):
    """debug/buildinfo unquotes keys and values written with strconv.Quote."""
    if s.startswith('"') and s.endswith('"') and len(s) >= 2:
        try:
            return json.loads(s)
        except ValueError:
            return s[1:-1]
    return s


_nm_cache = {}


def nm(path):
    if path not in _nm_cache:
        rc, out, err = h.go_tool(["tool", "nm", path])
        syms = {}
        if h.check(rc == 0, "go tool nm %s failed" % path, stderr=err[-500:]):
            for line in out.splitlines():
                p = line.split()
                if len(p) >= 3 and p[-2] in ("T", "t"):
                    syms.setdefault(p[-1], int(p[0], 16))
        _nm_cache[path] = syms
    return _nm_cache[path]


_tb_cache = {}


def traceback_entries(fx):
    """{func: entry} from the runtime's traceback of a running instance."""
    if fx["id"] not in _tb_cache:
        argv, ready = h.fixture_argv(fx)
        with h.FixtureProcess(argv, ready=ready) as p:
            tb = h.parse_traceback(p.take_traceback(), fx["go_version"])
        _tb_cache[fx["id"]] = {f.func: f.pc - f.entry_offset for g in tb.goroutines
                               for f in g.frames if f.pc is not None}
    return _tb_cache[fx["id"]]


def prologue(path, entry):
    """[(vaddr, mnemonic, operands)] of the first instructions at entry (objdump)."""
    rc, out, err = h.run(["objdump", "-d", "--no-show-raw-insn", "--start-address=%#x" % entry,
                          "--stop-address=%#x" % (entry + 48), path])
    insns = []
    for m in re.finditer(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$", out, re.M):
        insns.append((int(m.group(1), 16), m.group(2), m.group(3).split("#")[0].strip()))
    return insns


def stack_check_jbe(insns):
    """The JBE right after `cmp 0x10(%r14),REG` within the first 5 instructions."""
    for i, (addr, mn, ops) in enumerate(insns[:5]):
        if mn.startswith("cmp") and ops.startswith("0x10(%r14),") and i + 1 < len(insns):
            if insns[i + 1][1].startswith("jbe"):
                return insns[i + 1][0], i == 0
    return None, False


# ---------------------------------------------------------------- checks

def check_elf(fx, doc, ef, file_out):
    w = fx["id"]
    e = doc.get("elf") or {}
    h.eq(doc.get("path"), fx["path"], "%s: path" % w)
    h.eq(e.get("type"), ef["type"], "%s: elf.type vs readelf" % w)
    h.eq(e.get("machine"), ef["machine"], "%s: elf.machine vs readelf" % w)
    h.eq(e.get("pie"), fx["pie"], "%s: elf.pie vs the build" % w)
    h.eq(fx["pie"], "pie executable" in file_out, "%s: oracle check: file(1) agrees on PIE" % w,
         file=file_out)
    static = ef["interp"] is None and not ef["needed"]
    h.eq(e.get("static"), static, "%s: elf.static vs readelf (no INTERP, no NEEDED)" % w)
    h.eq(static, "statically linked" in file_out, "%s: oracle check: file(1) agrees on static"
         % w, file=file_out)
    stripped = ".symtab" not in ef["sections"]
    h.eq(e.get("stripped"), stripped, "%s: elf.stripped vs readelf (.symtab)" % w)
    h.eq(stripped, fx["stripped"], "%s: oracle check: the build agrees on stripped" % w)
    h.eq(e.get("interp"), ef["interp"], "%s: elf.interp vs readelf" % w)
    h.eq(e.get("needed"), ef["needed"], "%s: elf.needed vs readelf DT_NEEDED" % w)
    h.eq(e.get("libc"), libc_of(ef), "%s: elf.libc vs interp/NEEDED" % w)
    if fx["libc"]:
        h.eq(libc_of(ef), fx["libc"], "%s: oracle check: the build agrees on libc" % w)


def check_buildinfo(fx, go, ef):
    w = fx["id"]
    h.eq(go.get("version"), fx["go_version"], "%s: go.version vs the manifest" % w)
    want_src = "buildinfo" if ".go.buildinfo" in ef["sections"] else "buildversion"
    h.eq(go.get("version_source"), want_src, "%s: go.version_source vs .go.buildinfo" % w)
    vm = go_version_m(fx["path"])
    if vm is None:
        h.eq(want_src, "buildversion", "%s: go version -m reads no build info, yet the "
             "binary has .go.buildinfo" % w)
        h.check(isinstance(go.get("deps"), list), "%s: go.deps is a list" % w)
        return
    h.eq(vm["version"], fx["go_version"], "%s: oracle check: go version -m vs manifest" % w)
    mm = go.get("main_module") or {}
    h.eq((mm.get("path"), mm.get("version")), (vm["mod"]["path"], vm["mod"]["version"]),
         "%s: go.main_module vs go version -m" % w)
    got = []
    for d in go.get("deps") or []:
        got.append((d.get("path"), d.get("version"), d.get("sum") or ""))
    want = [(d["path"], d["version"], d["sum"]) for d in vm["deps"]]
    h.eq(got, want, "%s: go.deps (path, version, sum) vs go version -m" % w)
    for d, od in zip(go.get("deps") or [], vm["deps"]):
        if "replace_path" in d or "replace_path" in od:
            h.eq((d.get("replace_path"), d.get("replace_version") or ""),
                 (od.get("replace_path"), od.get("replace_version", "")),
                 "%s: dep %s replacement" % (w, od["path"]))
    h.eq(go.get("settings"), vm["settings"], "%s: go.settings vs go version -m build lines" % w)


def check_pclntab(fx, go, ef):
    w = fx["id"]
    pt = go.get("pclntab") or {}
    sec = ef["sections"].get(".gopclntab") or ef["sections"].get(".data.rel.ro.gopclntab")
    if not h.check(sec is not None, "%s: oracle: readelf finds no pclntab section" % w):
        return
    with open(fx["path"], "rb") as fp:
        fp.seek(sec[1])
        head = fp.read(16)
    magic = struct.unpack_from("<I", head, 0)[0]
    ptrsize = head[7]
    nfunc = struct.unpack_from("<Q" if ptrsize == 8 else "<I", head, 8)[0]
    h.eq(PCLNTAB_MAGIC.get(magic), format_for_version(fx["go_version"]),
         "%s: oracle check: pclntab magic vs Go version" % w)
    h.eq(pt.get("format"), PCLNTAB_MAGIC.get(magic), "%s: go.pclntab.format vs magic" % w)
    h.eq(pt.get("functions"), nfunc, "%s: go.pclntab.functions vs the header's nfunc" % w)


def expected_entries(fx):
    """(source, {func: entry}) from an oracle that is not gotrace."""
    if not fx["stripped"]:
        return "go tool nm", nm(fx["path"])
    if fx["unstripped_twin"]:
        return "go tool nm of the unstripped twin", nm(fx["unstripped_twin"])
    return "the runtime's traceback", traceback_entries(fx)


def check_probes(fx, go, ef):
    w = fx["id"]
    ver = h.go_version_tuple(fx["go_version"])
    us = go.get("uprobe_support") or {}
    supported = ver >= (1, 17, 0) and ef["machine"] == "x86_64"
    h.eq(us.get("supported"), supported, "%s: uprobe_support.supported (register ABI "
         "since go1.17 on amd64)" % w)
    h.check(isinstance(us.get("reason"), str) and us.get("reason"),
            "%s: uprobe_support.reason is a sentence" % w, got=us.get("reason"))
    probes = go.get("probes")
    if not h.check(isinstance(probes, list) and probes, "%s: go.probes is empty" % w):
        return 0
    names = [p.get("function") for p in probes]
    h.check("runtime.gopark" in names, "%s: runtime.gopark is among the probes" % w,
            got=names)
    src, entries = expected_entries(fx)
    checked = 0
    for p in probes:
        fn = p.get("function")
        if p.get("found") is False:
            h.check(fn not in entries or src == "the runtime's traceback",
                    "%s: %s not found by gotrace but %s has it" % (w, fn, src))
            continue
        entry = hexint(p.get("entry"))
        if fn in entries:
            h.eq(entry, entries[fn], "%s: %s entry vs %s" % (w, fn, src))
            checked += 1
        elif src != "the runtime's traceback":
            h.fail("%s: %s has no symbol in %s" % (w, fn, src))
        if entry is None:
            h.fail("%s: %s has no entry" % (w, fn), probe=repr(p))
            continue
        h.eq(hexint(p.get("file_offset")), file_offset(entry, ef),
             "%s: %s file_offset vs readelf PT_LOAD" % (w, fn))
        placement = p.get("probe_placement")
        jbe, first = stack_check_jbe(prologue(fx["path"], entry))
        if placement == "after-stack-check":
            h.check(jbe is not None, "%s: %s placed after a stack check objdump does not see"
                    % (w, fn))
            if jbe is not None:
                h.eq(hexint(p.get("probe_offset")), file_offset(jbe, ef),
                     "%s: %s probe_offset vs the JBE objdump shows" % (w, fn))
        elif placement == "entry":
            h.eq(hexint(p.get("probe_offset")), file_offset(entry, ef),
                 "%s: %s probe at entry: probe_offset == file_offset" % (w, fn))
        else:
            h.fail("%s: %s probe_placement %r" % (w, fn, placement))
        if fn == "runtime.gopark" and supported and jbe is not None and first:
            h.eq(placement, "after-stack-check", "%s: gopark opens with the stack check: "
                 "probe after it (DESIGN: 3.5x cheaper)" % w)
    h.check(checked > 0 or src == "the runtime's traceback",
            "%s: no probe entry could be checked against %s" % (w, src))
    return checked


def one_fixture(fx):
    ef = readelf_facts(fx["path"])
    if ef is None:
        return
    rc, doc, out, err = h.gotrace_json(["info", fx["path"], "--json"], what=fx["id"])
    if not h.check(rc == 0 and isinstance(doc, dict), "%s: info --json failed (rc %d)"
                   % (fx["id"], rc), stderr=err[-1500:]):
        return
    _, file_out, _ = h.run(["file", "-b", fx["path"]])
    check_elf(fx, doc, ef, file_out)
    go = doc.get("go")
    if not h.check(isinstance(go, dict), "%s: go is null for a Go binary" % fx["id"]):
        return
    check_buildinfo(fx, go, ef)
    check_pclntab(fx, go, ef)
    n = check_probes(fx, go, ef)
    print("  %-42s checked (%d probe entries against an oracle)" % (fx["id"], n), flush=True)


def check_pid(fx):
    """info --pid on a live instance: pid, root_check from /proc/PID/root."""
    argv, ready = h.fixture_argv(fx)
    with h.FixtureProcess(argv, ready=ready, traceback=None) as p:
        rc, doc, out, err = h.gotrace_json(["info", "--pid", str(p.pid), "--json"],
                                           what=fx["id"] + " --pid")
        if not h.check(rc == 0 and isinstance(doc, dict), "%s --pid: failed (rc %d)"
                       % (fx["id"], rc), stderr=err[-1500:]):
            return
        h.eq(doc.get("pid"), p.pid, "%s --pid: pid" % fx["id"])
        h.eq((doc.get("go") or {}).get("version"), fx["go_version"], "%s --pid: go.version"
             % fx["id"])
        ef = readelf_facts(fx["path"])
        rcheck = doc.get("root_check") or {}
        root = "/proc/%d/root" % p.pid
        if ef["interp"]:
            h.eq(rcheck.get("interp_present"), os.path.exists(root + ef["interp"]),
                 "%s --pid: root_check.interp_present" % fx["id"])
        h.eq(rcheck.get("missing_libraries"), [], "%s --pid: root_check.missing_libraries "
             "(the process runs, so nothing is missing)" % fx["id"])


def main():
    fxs = h.fixtures()
    h.check(len(fxs) > 0, "the manifest lists no fixtures")
    for fx in fxs:
        try:
            one_fixture(fx)
        except (RuntimeError, TimeoutError, OSError) as e:
            h.fail("%s: %s" % (fx["id"], e))
    for fx in h.oracle_fixtures(select_fn=lambda f: f["variant"] in ("cgo", "cgo-musl")
                                or f["id"] in ("go1.27/pie/parked", "go1.21/exe/httpd")):
        try:
            check_pid(fx)
        except (RuntimeError, TimeoutError, OSError) as e:
            h.fail("%s --pid: %s" % (fx["id"], e))
    h.done()


main()
