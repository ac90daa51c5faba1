# SPDX-License-Identifier: GPL-2.0
"""`gotrace goroutines` against the Go runtime's own goroutine dump.

For every fixture of the manifest (parked and httpd built with every
toolchain, exe / exe-stripped / pie / pie-stripped, go1.19 cgo (glibc and
musl, externally linked), and the npm esbuilds
serving on 127.0.0.1:0, else reading a held stdin):

  1. start it with GOTRACEBACK=system;
  2. `gotrace goroutines --pid P --stacks --json` twice: a goroutine whose
     id, state and pcs are the same in both is "parked" for this test;
  3. SIGQUIT: the runtime prints every goroutine and exits; parse it
     (harness.parse_traceback);
  4. for every goroutine parked in gotrace's dumps and not running in the
     traceback, compare the id, the state in brackets (wait reason or
     status), every frame (function as printFuncName prints it, file, line,
     inlined or not) and the creator (function, file, line, parent id);
  5. the ids must match both ways: every goroutine of the traceback (but
     the one that took the signal) is in gotrace's dump, and for the parked
     fixture, whose goroutines never change, every one of gotrace's is in
     the traceback.

Binaries whose Go version has no offsets table row and no DWARF (the
go1.15 and go1.16 esbuilds) must be refused with a sentence that says so,
and exit non-zero without a crash.

Also: the hidden --procmem path (/proc/PID/mem instead of process_vm_readv)
must give the same dump on one fixture per toolchain.

Contract: {"goroutine_count", "exited", "dropped", "goroutines": [{"goid",
"state", "status", "wait_reason", "stack", "frames": [{"pc", "function",
"file", "line", "inlined"}], "created_by": {"function", "file", "line",
"goid"} | null}]}.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()
h.require_gotrace()

MAX_LISTED = 10
SERVEDIR = tempfile.mkdtemp(prefix="gotrace-e2e-serve-")


def dump(pid, what, extra=()):
    rc, doc, out, err = h.gotrace_json(["goroutines", "--pid", str(pid), "--stacks", "--json"]
                                       + list(extra), what=what)
    if not h.check(rc == 0 and doc is not None, "%s: gotrace goroutines failed (rc %d)"
                   % (what, rc), stderr=err[-1500:]):
        return None
    return doc


def key(g):
    return (g["state"], tuple(f["pc"] for f in g["frames"]))


def stable(d1, d2):
    """Goroutines with the same state and pcs in both dumps, by id."""
    a = {g["goid"]: g for g in d1["goroutines"]}
    out = {}
    for g in d2["goroutines"]:
        o = a.get(g["goid"])
        if o is not None and key(o) == key(g) and g["stack"] == "ok":
            out[g["goid"]] = g
    return out


def want_frames(tg):
    return h.traceback_frames(tg)


def got_frames(g):
    return h.gotrace_frames(g["frames"])


def compare_one(fx, g, tg, listed):
    """Returns True when gotrace's goroutine equals the runtime's."""
    problems = []
    if g["state"] != tg.status:
        problems.append("state %r, runtime %r" % (g["state"], tg.status))
    if tg.elided is None and got_frames(g) != want_frames(tg):
        problems.append("frames differ")
    cb = g.get("created_by")
    want_cb = tg.created_by
    if want_cb is not None:
        got_cb = None if cb is None else (h.print_func_name(cb["function"]), cb["file"],
                                          cb["line"], cb.get("goid"))
        w = (want_cb["func"], want_cb["file"], want_cb["line"], want_cb.get("goid"))
        if got_cb != w:
            problems.append("created by %r, runtime %r" % (got_cb, w))
    if problems and listed[0] < MAX_LISTED:
        listed[0] += 1
        h.fail("%s: goroutine %d differs from the runtime's: %s" % (fx["id"], g["goid"],
                                                                     "; ".join(problems)),
               gotrace="\n".join("%s %s:%s%s" % (f[0], f[1], f[2], " (inlined)" if f[3] else "")
                                 for f in got_frames(g)),
               runtime="\n".join("%s %s:%s%s" % (f[0], f[1], f[2], " (inlined)" if f[3] else "")
                                 for f in want_frames(tg)))
    return not problems


def start(fx):
    """A FixtureProcess for fx (entered); esbuild serves when it can."""
    if fx["prog"] == "esbuild":
        p = h.FixtureProcess([fx["path"], "--serve=127.0.0.1:0", "--servedir=" + SERVEDIR],
                             ready=1.5)
        try:
            return p.__enter__()
        except RuntimeError:
            pass  # no --serve or no port 0 in this release: stdin-held
    argv, ready = h.fixture_argv(fx)
    return h.FixtureProcess(argv, ready=ready).__enter__()


def refused(fx):
    """Versions outside the offsets table, without DWARF: a clear refusal."""
    ver = h.go_version_tuple(fx["go_version"])
    return fx["stripped"] and ver is not None and ver < (1, 17, 0)


def check_refusal(fx, p):
    rc, out, err = h.run_gotrace(["goroutines", "--pid", str(p.pid)])
    h.sane_exit(rc, out, err, fx["id"])
    h.check(rc != 0 and "will not guess" in err,
            "%s: %s without DWARF must be refused, not guessed" % (fx["id"], fx["go_version"]),
            rc=rc, stderr=err[-800:], stdout=out[:500])
    h.check(p.alive(), "%s: the target died" % fx["id"])


def one_fixture(fx, procmem_done):
    row = {"id": fx["id"], "compared": 0, "bad": 0, "gotrace": 0, "runtime": 0}
    p = start(fx)
    try:
        if refused(fx):
            check_refusal(fx, p)
            row["note"] = "refused (no offsets for %s)" % fx["go_version"]
            return row
        d1 = dump(p.pid, fx["id"])
        d2 = dump(p.pid, fx["id"])
        if fx["toolchain"] not in procmem_done and d2 is not None:
            d3 = dump(p.pid, fx["id"] + " --procmem", ["--procmem"])
            if d3 is not None:
                procmem_done.add(fx["toolchain"])
                h.eq(sorted(key(g) for g in d3["goroutines"] if g["stack"] == "ok"),
                     sorted(key(g) for g in d2["goroutines"] if g["stack"] == "ok"),
                     "%s: /proc/PID/mem and process_vm_readv read different goroutines"
                     % fx["id"])
        h.check(p.alive(), "%s: the target died while read" % fx["id"], stderr=p.stderr()[-800:])
        tb = h.parse_traceback(p.take_traceback(), fx["go_version"])
    finally:
        p.stop()
    if d1 is None or d2 is None:
        return row
    h.eq(d2["goroutine_count"], len(d2["goroutines"]), "%s: goroutine_count" % fx["id"])
    parked = stable(d1, d2)
    row["gotrace"], row["runtime"] = len(d2["goroutines"]), len(tb.goroutines)
    ours = {g["goid"] for g in d2["goroutines"]}
    listed = [0]
    for tg in tb.goroutines:
        if tg.id == 0 or tg.trap or tg.status == "running" or tg.unavailable:
            continue
        h.check(tg.id in ours or tg.id not in {g["goid"] for g in d1["goroutines"]},
                "%s: goroutine %d [%s] of the traceback is missing from gotrace's dump"
                % (fx["id"], tg.id, tg.status))
        g = parked.get(tg.id)
        if g is None:
            continue
        row["compared"] += 1
        if not compare_one(fx, g, tg, listed):
            row["bad"] += 1
    if fx["prog"] == "parked":
        theirs = {tg.id for tg in tb.goroutines}
        h.eq(sorted(ours - theirs), [], "%s: goroutines gotrace lists that the runtime does not"
             % fx["id"])
        h.check(row["compared"] >= 10, "%s: only %d goroutines compared" % (fx["id"],
                                                                            row["compared"]))
    else:
        h.check(row["compared"] >= 3, "%s: only %d goroutines compared" % (fx["id"],
                                                                           row["compared"]))
    return row


def main():
    # progress is a workload whose goroutines never stay parked: not an oracle fixture.
    fxs = h.oracle_fixtures()
    h.check(len(fxs) > 0, "the manifest lists no fixtures")
    rows, procmem_done = [], set()
    for fx in fxs:
        try:
            rows.append(one_fixture(fx, procmem_done))
        except (RuntimeError, TimeoutError, OSError) as e:
            h.fail("%s: could not run the fixture: %s" % (fx["id"], e))
    print("\n  %-44s %8s %8s %9s %5s" % ("fixture", "gotrace", "runtime", "compared", "bad"))
    for r in rows:
        print("  %-44s %8d %8d %9d %5d  %s" % (r["id"], r["gotrace"], r["runtime"],
                                              r["compared"], r["bad"], r.get("note", "")))
    print("  %-44s %8s %8s %9d %5d" % ("total", "", "", sum(r["compared"] for r in rows),
                                      sum(r["bad"] for r in rows)))
    h.done()


main()
