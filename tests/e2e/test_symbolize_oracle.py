# SPDX-License-Identifier: GPL-2.0
"""The symbolizer against the Go runtime's own traceback, on every fixture.

For each fixture of the manifest (every Go version x variant, and the npm
esbuilds, go1.15 to go1.26):

  1. start two instances, A and B, with GOTRACEBACK=system; read both
     /proc/PID/maps;
  2. SIGQUIT A: the runtime prints every goroutine; parse it
     (harness.parse_traceback). Each physical frame with the inlined frames
     printed just above it (same pc) is one expected answer, innermost first;
     the address to look up is the frame's symbolic pc (pc-1 for a return
     address; pc itself for the signal-time frame, a frame after sigpanic /
     asyncPreempt, or pc == entry: runtime/traceback.go symPC);
  3. convert A's runtime pcs to link-time addresses with A's maps and the
     ELF's PT_LOAD headers (our own reader): identical for non-PIE;
  4. `gotrace info BINARY --addr - --json` with every link-time address on
     stdin;
  5. the same addresses moved into B's address space (B's maps: B's load
     bias for PIE), `gotrace info --pid B --addr - --json` while B is alive;
  6. compare function (as the runtime prints it: printFuncName), file, line
     and the inlined flags of every frame. Any difference fails.

Contract: {"symbolize": [{"addr": "0x..", "frames": [{"function", "file",
"line", "inlined"}, ...innermost first], "source": ..., "error"?}, ...]}.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()
h.require_gotrace()

MAX_LISTED = 25  # mismatches printed per fixture and query path


def expectations(fx, tb, maps, loads):
    """{link_addr: [(func, file, line), ...innermost first]} from a traceback."""
    exp, outside = {}, 0
    for g in tb.goroutines:
        for phys, group in g.physical_groups():
            link = h.runtime_to_link(phys.lookup_pc, maps, fx["path"], loads)
            if link is None:
                outside += 1  # e.g. a pc in the VDSO or libc: not this binary's
                continue
            frames = [(f.func, f.file, f.line) for f in group]
            if link in exp and exp[link] != frames:
                h.fail("%s: the runtime printed two answers for one pc" % fx["id"],
                       pc=hex(link), first=repr(exp[link]), second=repr(frames))
            exp[link] = frames
    return exp, outside


def query(fx, args, addrs, what):
    """Runs gotrace info ... --addr - --json; returns {addr: result} or None."""
    stdin = "\n".join("%#x" % a for a in addrs) + "\n"
    rc, doc, out, err = h.gotrace_json(["info"] + args + ["--addr", "-", "--json"],
                                       input=stdin, what="%s %s" % (fx["id"], what))
    if not h.check(rc == 0 and doc is not None,
                   "%s %s: gotrace info --addr failed (rc %d)" % (fx["id"], what, rc),
                   stderr=err[-1500:], stdout=out[:500]):
        return None
    results = doc.get("symbolize") if isinstance(doc, dict) else None
    if not h.check(isinstance(results, list), "%s %s: no symbolize list" % (fx["id"], what),
                   stdout=out[:500]):
        return None
    by_addr = {}
    for r in results:
        try:
            by_addr[int(r["addr"], 16)] = r
        except (KeyError, TypeError, ValueError):
            h.fail("%s %s: result without a hex addr" % (fx["id"], what), result=repr(r))
    h.eq(len(results), len(addrs), "%s %s: one result per address" % (fx["id"], what))
    # Every queried pc is Go code: the answer must come from the pclntab.
    other = sorted({str(r.get("source")) for r in results if r.get("source") != "gopclntab"})
    h.eq(other, [], "%s %s: results whose source is not gopclntab" % (fx["id"], what))
    h.eq(sorted(by_addr), sorted(addrs), "%s %s: result addresses" % (fx["id"], what))
    return by_addr


def compare(fx, what, exp, results, to_query):
    """Counts and lists mismatches; returns (frames compared, mismatched)."""
    compared = bad = listed = 0
    for link in sorted(exp):
        want = exp[link]
        qaddr = to_query(link)
        r = results.get(qaddr) or {}
        frames = r.get("frames") or []
        got = []
        for f in frames:
            got.append((h.print_func_name(str(f.get("function"))), f.get("file"), f.get("line")))
        flags = [f.get("inlined") for f in frames]
        want_flags = [True] * (len(want) - 1) + [False]
        compared += len(want)
        if got == want and flags == want_flags:
            continue
        nbad = sum(1 for i, w in enumerate(want) if i >= len(got) or got[i] != w)
        nbad = max(nbad, 1)
        bad += nbad
        listed += 1
        if listed <= MAX_LISTED:
            h.fail("%s %s: pc %#x (query %#x) differs from the runtime's traceback"
                   % (fx["id"], what, link, qaddr),
                   expected="\n".join("%s %s:%s%s" % (w + (" (inlined)" if i < len(want) - 1
                                                          else "",))
                                      for i, w in enumerate(want)),
                   got="\n".join("%s %s:%s inlined=%s" % (g + (fl,))
                                 for g, fl in zip(got, flags)) or "(no frames) error=%r"
                   % r.get("error"))
    if listed > MAX_LISTED:
        h.fail("%s %s: %d more differing pcs not listed" % (fx["id"], what, listed - MAX_LISTED))
    return compared, bad


def one_fixture(fx):
    argv, ready = h.fixture_argv(fx)
    loads = h.load_segments(fx["path"])
    with h.FixtureProcess(argv, ready=ready) as a, h.FixtureProcess(argv, ready=ready) as b:
        maps_a, maps_b = a.maps(), b.maps()
        text = a.take_traceback()
        tb = h.parse_traceback(text, fx["go_version"])
        exp, outside = expectations(fx, tb, maps_a, loads)
        row = {"id": fx["id"], "pcs": len(exp), "outside": outside}
        if not h.check(len(exp) >= 10, "%s: too few pcs in the traceback (%d)"
                       % (fx["id"], len(exp)), traceback=text[:3000]):
            return row
        if fx["pie"]:
            bias_a = {m["start"] - m["offset"] for m in h.exe_mappings(maps_a, fx["path"])}
            bias_b = {m["start"] - m["offset"] for m in h.exe_mappings(maps_b, fx["path"])}
            h.check(bias_a != bias_b, "%s: both PIE instances loaded at the same address "
                    "(ASLR off?): the --pid path is not exercised" % fx["id"])
        addrs = sorted(exp)
        res = query(fx, [fx["path"]], addrs, "binary")
        if res is not None:
            row["bin"] = compare(fx, "binary", exp, res, lambda x: x)
        to_b = {x: h.link_to_runtime(x, maps_b, fx["path"], loads) for x in addrs}
        missing = [x for x in addrs if to_b[x] is None]
        h.eq(missing, [], "%s: link-time pcs outside instance B's mappings" % fx["id"])
        h.check(b.alive(), "%s: instance B died before the --pid query" % fx["id"],
                stderr=b.stderr()[-1000:])
        qb = [to_b[x] for x in addrs if to_b[x] is not None]
        res = query(fx, ["--pid", str(b.pid)], qb, "--pid")
        if res is not None:
            row["pid"] = compare(fx, "--pid", exp, res, lambda x: to_b[x])
    return row


def main():
    fxs = h.oracle_fixtures()
    h.check(len(fxs) > 0, "the manifest lists no fixtures")
    rows = []
    for fx in fxs:
        try:
            rows.append(one_fixture(fx))
        except (RuntimeError, TimeoutError, OSError) as e:
            h.fail("%s: could not run the fixture: %s" % (fx["id"], e))
            rows.append({"id": fx["id"], "pcs": 0, "outside": 0})
    print("\n  %-42s %5s %14s %14s" % ("fixture", "pcs", "binary cmp/bad", "--pid cmp/bad"))
    tot = [0, 0, 0, 0]
    for r in rows:
        cells = []
        for i, k in enumerate(("bin", "pid")):
            if k in r:
                cells.append("%6d/%-6d" % r[k])
                tot[2 * i] += r[k][0]
                tot[2 * i + 1] += r[k][1]
            else:
                cells.append("%14s" % "not run")
        print("  %-42s %5d %14s %14s%s" % (r["id"], r["pcs"], cells[0], cells[1],
                                             "  (%d pcs outside the binary)" % r["outside"]
                                             if r["outside"] else ""))
    print("  %-42s %5s %6d/%-6d %6d/%-6d" % ("total", "", tot[0], tot[1], tot[2], tot[3]))
    h.done()


main()
