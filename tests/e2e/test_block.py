#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gotrace block on the blocker fixture, built with every Go toolchain here.

The fixture blocks, in loops, at known lines (MARK:<name>) for known times
(PERIOD:<name>=<ms>). For each site the test checks, against oracles that are
not gotrace's output:
  - the site is reported with its user frame at the MARK's file:line (from
    the fixture's source);
  - the wait reason equals the one the Go runtime itself prints for a
    goroutine parked at that line (GOTRACEBACK=system + SIGQUIT on the same
    process right after tracing), so version-dependent numbering is checked
    against the runtime, not against a table;
  - the mean wait (total/count) is within tolerance of the period;
  - every park's wake was seen (unmatched < 1%).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TRACE_SECONDS = "3"
NOT_PARKED = ("runnable", "running", "syscall", "dead", "idle")
TOLERANCE = 0.35  # a loaded 2-CPU VM delays timers; the periods are 20-50 ms


def periods():
    src = os.path.join(h.FIXTURE_SRC, "blocker", "main.go")
    with open(src) as fp:
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"PERIOD:(\w+)=(\d+)", fp.read())}


def runtime_reasons(tb_text, go_version, marks):
    """{mark: wait reason} from the runtime's own traceback: the status of a
    goroutine whose stack passes through the MARK line."""
    tb = h.parse_traceback(tb_text, go_version)
    out = {}
    for g in tb.goroutines:
        # A goroutine woken a moment before SIGQUIT still stands at the MARK
        # line but is "runnable" (or "running"): it shows no wait reason, so
        # it is no oracle for one.
        if g.status in NOT_PARKED:
            continue
        for f in g.frames:
            for name, (path, line) in marks.items():
                if f.line == line and os.path.basename(f.file or "") == os.path.basename(path):
                    out.setdefault(name, g.status)
    return out


def rows_by_mark(docs, marks):
    """{mark: block_site doc} matched by the user frame's file:line."""
    out = {}
    for d in docs:
        if d.get("type") != "block_site" or not d.get("user_frame"):
            continue
        uf = d["user_frame"]
        for name, (path, line) in marks.items():
            if uf["line"] == line and os.path.basename(uf["file"] or "") == os.path.basename(path):
                out.setdefault(name, d)
    return out


def check_fixture(f, marks, period_ms):
    w = f["id"]
    argv, ready = h.fixture_argv(f)
    with h.FixtureProcess(argv, ready=ready) as p:
        rc, out, err = h.run_gotrace(["block", "--pid", str(p.pid), "-d", TRACE_SECONDS,
                                      "--max-overhead", "0", "--json"], timeout=60)
        h.sane_exit(rc, out, err, w)
        if not h.eq(rc, 0, "%s: gotrace block exit code" % w, stderr=err[-2000:]):
            return
        docs = [h.json.loads(ln) for ln in out.splitlines() if ln.strip()]
        tb = p.take_traceback()
    reasons = runtime_reasons(tb, f["go_version"], marks)
    rows = rows_by_mark(docs, marks)
    summary = [d for d in docs if d.get("type") == "block_summary"][-1]
    for name, ms in sorted(period_ms.items()):
        row = rows.get(name)
        if not h.check(row is not None, "%s: no site reported at MARK:%s %s:%d" %
                       (w, name, os.path.basename(marks[name][0]), marks[name][1])):
            continue
        if name in reasons:
            h.eq(row["reason"], reasons[name], "%s: %s: wait reason vs the runtime's own" % (w, name))
        else:
            h.note("%s: %s: the runtime's traceback had no goroutine parked there at the "
                   "moment of SIGQUIT; reason not cross-checked" % (w, name))
        t = row["total"]
        mean_ms = t["total_ns"] / t["count"] / 1e6 if t["count"] else 0
        h.check(abs(mean_ms - ms) <= TOLERANCE * ms,
                "%s: %s: mean wait %.1f ms, the fixture's period is %d ms" % (w, name, mean_ms, ms))
        h.check(t["count"] >= 0.5 * float(TRACE_SECONDS) * 1000 / ms,
                "%s: %s: %d waits in %ss, expected about %.0f" %
                (w, name, t["count"], TRACE_SECONDS, float(TRACE_SECONDS) * 1000 / ms))
    h.check(summary["unmatched_pct"] < 1.0, "%s: %.2f%% of parks without a seen wake" %
            (w, summary["unmatched_pct"]), counters=summary["counters"])
    frames = [fr for d in docs if d.get("type") == "block_site" for fr in d["stack"]]
    unknown = [fr for fr in frames if fr["function"] == "?"]
    h.eq(len(unknown), 0, "%s: unsymbolized frames in the stacks" % w, sample=unknown[:3])


def main():
    h.require_root()
    marks = h.marks("blocker")
    period_ms = periods()
    h.eq(sorted(period_ms), sorted(marks), "oracle check: every MARK has a PERIOD")
    fx = h.fixtures(prog="blocker", origin="toolchain",
                    select_fn=lambda f: f["variant"] in ("exe", "pie-stripped"))
    if not fx:
        h.fatal("no blocker fixtures in the manifest")
    for f in fx:
        print("== %s" % f["id"], flush=True)
        check_fixture(f, marks, period_ms)
    h.done()


main()
