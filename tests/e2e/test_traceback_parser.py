# SPDX-License-Identifier: GPL-2.0
"""Self-test of harness.parse_traceback, the oracle of the symbolizer tests.

1. Live dumps, captured now (never checked in): the parked fixture built by
   every toolchain (exe, and pie for the newest) and the oldest esbuilds
   (go1.15, go1.16) are stopped with SIGQUIT under GOTRACEBACK=system. The
   parse is checked against facts that do not come from the parser:
   - counts from naive line scans of the same text (goroutine headers,
     "pc=0x" frame lines, "created by" lines);
   - the fixture's source: the MARK:<name> comments give the file:line each
     worker parks on, the inlined frames of deepCaller, the recursion depth;
   - the toolchain's own runtime2.go: every status is one of its wait
     reasons or goroutine states, and the expected wait reason per MARK;
   - `go tool nm` of the unstripped exe: entry = pc - "+0x" offset of main.*
     frames equals the symbol's address;
   - the signal PC line: one goroutine is traced from the signal context.
2. Hand-written samples for the rare shapes a parked process never shows
   (elided frames, running on another thread, labels, sigpanic and
   asyncPreempt callers, cgo frames), written from runtime/traceback.go.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()


def runtime_states(goroot):
    """Wait reason strings and goroutine state names from runtime2.go."""
    out = set()
    for name in ("runtime2.go", "traceback.go"):
        with open(os.path.join(goroot, "src", "runtime", name)) as fp:
            src = fp.read()
        # waitReasonStrings entries (`waitReasonSleep: "sleep",`) and
        # gStatusStrings entries (`_Gidle: "idle",`, in traceback.go).
        for m in re.finditer(r'^\s*(?:waitReason\w+|_G\w+)\s*:\s*"([^"]*)"', src, re.M):
            out.add(m.group(1))
    return out


def expected_reason(states, mark):
    """The wait reason a MARK parks with, in this runtime's vocabulary."""
    table = {
        "chanrecv": ["chan receive"],
        "chansend": ["chan send"],
        "select": ["select"],
        "mutex": ["sync.Mutex.Lock", "semacquire"],     # named reasons: go1.20+
        "sleep": ["sleep"],
        "cond": ["sync.Cond.Wait"],
        "waitgroup": ["sync.WaitGroup.Wait", "semacquire"],  # go1.25+
        "accept": ["IO wait"],
        "deepcall": ["chan receive"],
        "mainselect": ["select (no cases)"],
    }
    for r in table[mark]:
        if r in states:
            return r
    return None


def nm_symbols(path):
    rc, out, err = h.go_tool(["tool", "nm", path])
    if not h.check(rc == 0, "go tool nm %s failed" % path, stderr=err):
        return {}
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-2] in ("T", "t"):
            syms.setdefault(parts[-1], int(parts[0], 16))
    return syms


def check_common(fx, text, tb):
    """Checks every dump: parse vs naive counts of the same text."""
    what = fx["id"]
    headers = len(re.findall(r"^goroutine \d+ .*\]:$", text, re.M))
    h.eq(len(tb.goroutines), headers, "%s: goroutines parsed vs header lines" % what)
    pcs = len(re.findall(r"^\t.* pc=0x[0-9a-f]+$", text, re.M))
    got = sum(1 for g in tb.goroutines for f in g.frames if f.pc is not None)
    h.eq(got, pcs, "%s: physical frames parsed vs 'pc=0x' lines" % what)
    inl = len(re.findall(r"^\S.*\(\.\.\.\)\n\t[^\n]*:\d+\n", text, re.M))
    got = sum(1 for g in tb.goroutines for f in g.frames if f.inlined)
    h.eq(got, inl, "%s: inlined frames parsed vs '(...)' frames without +0x" % what)
    created = len(re.findall(r"^created by ", text, re.M))
    h.eq(sum(1 for g in tb.goroutines if g.created_by), created,
         "%s: created-by parsed vs lines" % what)
    h.check(tb.signal is not None and tb.signal.startswith("SIGQUIT"),
            "%s: signal line" % what, signal=tb.signal)
    h.check(tb.signal_pc is not None, "%s: no signal PC parsed" % what)
    traps = [g for g in tb.goroutines if g.trap]
    h.eq(len(traps), 1, "%s: goroutines traced from the signal context" % what)
    for g in tb.goroutines:
        h.eq(g.unparsed, [], "%s: goroutine %d has unparsed lines" % (what, g.id))
        for f in g.frames:
            h.check(f.func and f.file and f.line, "%s: incomplete frame" % what, frame=repr(f))
            h.check(f.lookup_pc is not None, "%s: frame without lookup pc" % what, frame=repr(f))
            if not f.inlined and not f.trap and f.entry_offset:
                h.eq(f.lookup_pc, f.pc - 1, "%s: caller frame looks up pc-1" % what)
        for phys, group in g.physical_groups():
            for f in group:
                h.eq(f.lookup_pc, phys.lookup_pc, "%s: inlined frames share the pc" % what)
    ver = h.go_version_tuple(fx["go_version"])
    for g in tb.goroutines:
        if g.created_by and g.id != 1:
            if ver >= (1, 21, 0):
                h.check(g.created_by["goid"] is not None,
                        "%s: go1.21+ prints 'in goroutine N'" % what, header=g.header)
            else:
                h.eq(g.created_by["goid"], None, "%s: before go1.21 no creator goid" % what)
    if ver >= (1, 22, 0):
        h.check(all("gp" in g.attrs and "m" in g.attrs for g in tb.goroutines),
                "%s: go1.22+ system headers carry gp= m=" % what)


def check_parked(fx, tb):
    what = fx["id"]
    marks = h.marks("parked")
    states = runtime_states(fx["goroot"])
    for g in tb.goroutines:
        h.check(g.status in states, "%s: status not in runtime2.go" % what,
                status=g.status, header=g.header)
    for mark in ("chanrecv", "chansend", "select", "mutex", "sleep", "cond", "waitgroup",
                 "accept", "deepcall", "mainselect"):
        file, line = marks[mark]
        found = [g for g in tb.goroutines
                 if any(f.file == file and f.line == line for f in g.frames)]
        if not h.eq(len(found), 1, "%s: goroutines parked at MARK:%s" % (what, mark)):
            continue
        want = expected_reason(states, mark)
        h.eq(found[0].status, want, "%s: wait reason at MARK:%s" % (what, mark))
        if mark != "mainselect":
            cb = found[0].created_by or {}
            h.eq(cb.get("func"), "main.main", "%s: MARK:%s goroutine creator" % (what, mark))
            if h.go_version_tuple(fx["go_version"]) >= (1, 21, 0):
                h.eq(cb.get("goid"), 1, "%s: MARK:%s creator goroutine" % (what, mark))
    # deepCaller(5): the leaf call is inlined twice, then 5 recursive frames.
    file, dl = marks["deepcall"]
    _, leaf = marks["inlinedleaf"]
    _, middle = marks["inlinedmiddle"]
    _, rec = marks["recurse"]
    g = [g for g in tb.goroutines if any(f.line == dl and f.file == file for f in g.frames)]
    if g:
        names = [(f.func, f.line, f.inlined) for f in g[0].frames if f.file == file]
        want = ([("main.inlinedLeaf", leaf, True), ("main.inlinedMiddle", middle, True),
                 ("main.deepCaller", dl, False)] + [("main.deepCaller", rec, False)] * 5)
        h.eq(names[:8], want, "%s: deepCaller frames (func, line, inlined)" % what)
        groups = [grp for phys, grp in g[0].physical_groups() if phys.line == dl]
        h.check(len(groups) == 1 and len(groups[0]) == 3,
                "%s: the two inlined frames group with deepCaller" % what)
    # entry = pc - offset, against the linker's symbol table.
    if fx["variant"] == "exe":
        syms = nm_symbols(fx["path"])
        n = 0
        for g in tb.goroutines:
            for f in g.frames:
                if f.pc is not None and f.func.startswith("main.") and f.func in syms:
                    h.eq(f.pc - f.entry_offset, syms[f.func],
                         "%s: %s entry from the traceback vs go tool nm" % (what, f.func))
                    n += 1
        h.check(n >= 10, "%s: too few main.* frames checked against nm (%d)" % (what, n))


def live():
    fxs = [f for f in h.fixtures(prog="parked", origin="toolchain")
           if f["variant"] == "exe" or (f["variant"] == "pie" and f["toolchain"] == "go1.27")]
    fxs += [f for f in h.fixtures(prog="esbuild")
            if h.go_version_tuple(f["go_version"]) < (1, 17, 0)]
    h.check(len(fxs) >= 7, "too few fixtures for the parser self-test (%d)" % len(fxs))
    for fx in fxs:
        argv, ready = h.fixture_argv(fx)
        with h.FixtureProcess(argv, ready=ready) as p:
            text = p.take_traceback()
            h.eq(p.exited_rc, 2, "%s: exit status after SIGQUIT" % fx["id"])
        tb = h.parse_traceback(text, fx["go_version"])
        print("  %-40s %3d goroutines %4d frames" % (
            fx["id"], len(tb.goroutines), sum(len(g.frames) for g in tb.goroutines)))
        nfail = len(h.failures())
        check_common(fx, text, tb)
        if fx["prog"] == "parked":
            check_parked(fx, tb)
        if len(h.failures()) > nfail:
            print("  --- the dump of %s ---\n%s" % (fx["id"], text[:6000]))


SAMPLE_NEW = """\
SIGQUIT: quit
PC=0x401234 m=3 sigcode=0 addr=0x0

goroutine 7 gp=0xc000007a40 m=3 mp=0xc000100008 [running]:
main.spin(...)
\t/src/main.go:10
main.loop(0x1)
\t/src/main.go:20 +0x14 fp=0xc00004ff80 sp=0xc00004ff60 pc=0x401234
runtime.asyncPreempt()
\t/go/src/runtime/preempt_amd64.s:47 +0xdb fp=0xc00004ff60 sp=0xc00004fe00 pc=0x402000
main.work()
\t/src/main.go:30 +0x20 fp=0xc00004ffa0 sp=0xc00004ff80 pc=0x401320
main.caller()
\t/src/main.go:35 fp=0xc00004ffc0 sp=0xc00004ffa0 pc=0x401400
runtime.sigpanic()
\t/go/src/runtime/signal_unix.go:914 +0x3c5 fp=0xc00004ffd0 sp=0xc00004ffc0 pc=0x403000
main.crasher()
\t/src/main.go:40 +0x8 fp=0xc00004ffe0 sp=0xc00004ffd0 pc=0x401508
created by main.main in goroutine 1
\t/src/main.go:50 +0x25

goroutine 1 gp=0xc000002380 m=nil [chan receive, 12 minutes, locked to thread] {req: 42}:
main.Sum[...](...)
\t/src/main.go:60
...3 frames elided...
main.main()
\t/src/main.go:70 +0x30 fp=0xc000050f80 sp=0xc000050f00 pc=0x401700

goroutine 9 gp=0xc000008000 m=4 mp=0xc000200008 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main in goroutine 1
\t/src/main.go:51 +0x40

goroutine 10 gp=0xc000008200 m=nil [GC worker (idle) (scan)]:
non-Go function at pc=0x7f0000001000
runtime.cgocall(0x401000, 0xc000051f00)
\t/go/src/runtime/cgocall.go:167 +0x4b fp=0xc000051ee0 sp=0xc000051ea8 pc=0x404000

rax    0x0
rip    0x401234
"""

SAMPLE_OLD = """\
SIGQUIT: quit
PC=0x45d2e1 m=0 sigcode=0

goroutine 0 [idle]:
runtime.futex(0x5a8a30, 0x80, 0x0, 0x0, 0x0, 0x7ffc00000000, 0x439e53, 0xc000064000, 0x7ffc1b26b0b8, 0x40b5df, ...)
\t/usr/local/go/src/runtime/sys_linux_amd64.s:587 +0x21 fp=0x7ffc1b26b080 sp=0x7ffc1b26b078 pc=0x45d2e1
runtime.mstart()
\t/usr/local/go/src/runtime/proc.go:1116 fp=0x7ffc1b26b1a8 sp=0x7ffc1b26b1a0 pc=0x432e40

goroutine 5 [select]:
main.a(0x1)
\t/src/a.go:5 +0x10 fp=0xc000040f00 sp=0xc000040e00 pc=0x401010
runtime.asyncPreempt()
\t/go/src/runtime/preempt_amd64.s:47 +0xdb fp=0xc000040f00 sp=0xc000040e00 pc=0x402000
main.b()
\t/src/a.go:9 +0x20 fp=0xc000040f80 sp=0xc000040f00 pc=0x401120
...additional frames elided...
created by main.main
\t/src/a.go:20 +0x35

[originating from goroutine 1]:
main.main(...)
\t/src/a.go:19 +0x35
"""


def samples():
    tb = h.parse_traceback(SAMPLE_NEW, "go1.22.0")
    h.eq(tb.signal_pc, 0x401234, "sample: signal PC")
    h.eq([g.id for g in tb.goroutines], [7, 1, 9, 10], "sample: goroutine ids")
    g7, g1, g9, g10 = tb.goroutines
    h.check(g7.trap and not g1.trap, "sample: the goroutine after PC= is the trap one")
    h.eq(g7.attrs, {"gp": "0xc000007a40", "m": "3", "mp": "0xc000100008"}, "sample: attrs")
    h.eq([f.func for f in g7.frames],
         ["main.spin", "main.loop", "runtime.asyncPreempt", "main.work", "main.caller",
          "runtime.sigpanic", "main.crasher"], "sample: frame names")
    f = {fr.func: fr for fr in g7.frames}
    h.check(f["main.spin"].inlined and not f["main.loop"].inlined, "sample: inlined flags")
    h.eq(f["main.loop"].lookup_pc, 0x401234, "sample: trap frame looks up pc itself")
    h.eq(f["main.spin"].lookup_pc, 0x401234, "sample: inlined in trap frame: same pc")
    h.eq(f["runtime.asyncPreempt"].lookup_pc, 0x402000 - 1, "sample: caller of trap frame: pc-1")
    h.eq(f["main.work"].lookup_pc, 0x401320, "sample: go1.21+: caller of asyncPreempt: pc")
    h.eq(f["main.caller"].lookup_pc, 0x401400, "sample: pc == entry (no +0x): pc")
    h.eq(f["main.caller"].entry_offset, 0, "sample: no +0x means offset 0")
    h.eq(f["main.crasher"].lookup_pc, 0x401508, "sample: caller of sigpanic: pc")
    h.eq(g7.created_by, {"func": "main.main", "goid": 1, "file": "/src/main.go", "line": 50,
                         "entry_offset": 0x25}, "sample: created by (go1.21+)")
    h.eq((g1.status, g1.wait_minutes, g1.locked_to_thread, g1.labels),
         ("chan receive", 12, True, "req: 42"), "sample: header fields")
    h.eq(g1.elided, 3, "sample: counted elision")
    h.eq([fr.func for fr in g1.frames], ["main.Sum[...]", "main.main"], "sample: generic name")
    h.check(g9.unavailable and not g9.frames, "sample: running on another thread")
    h.eq(g9.created_by["line"], 51, "sample: created by after unavailable stack")
    h.eq((g10.status, g10.flags), ("GC worker (idle)", ["scan"]), "sample: (scan) flag")
    h.eq(g10.cgo_frames, [0x7f0000001000], "sample: non-Go frame")
    h.eq(tb.registers, {"rax": 0, "rip": 0x401234}, "sample: register dump")

    tb = h.parse_traceback(SAMPLE_OLD, "go1.15")
    g0, g5 = tb.goroutines
    h.check(g0.trap and g0.attrs == {}, "old sample: goroutine 0 traced from the signal")
    h.eq(g0.frames[0].lookup_pc, 0x45d2e1, "old sample: trap frame: pc itself")
    h.eq(g0.frames[1].lookup_pc, 0x432e40, "old sample: mstart at entry: pc itself")
    h.eq(g5.frames[2].lookup_pc, 0x401120 - 1, "old sample: before go1.21 asyncPreempt's "
         "caller looks up pc-1")
    h.eq(g5.elided, True, "old sample: uncounted elision")
    h.eq(g5.created_by, {"func": "main.main", "goid": None, "file": "/src/a.go", "line": 20,
                         "entry_offset": 0x35}, "old sample: created by (no goroutine)")
    h.eq(len(g5.frames), 3, "old sample: ancestor frames are not the goroutine's")
    h.eq(h.print_func_name("main.Sum[go.shape.int]"), "main.Sum[...]", "printFuncName: generic")
    h.eq(h.print_func_name("main.(*Box[go.shape.string]).Get"), "main.(*Box[...]).Get",
         "printFuncName: generic method")
    h.eq(h.print_func_name("runtime.gopanic"), "panic", "printFuncName: gopanic")


samples()
live()
h.done()
