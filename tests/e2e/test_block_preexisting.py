#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gotrace block and goroutines blocked since before it attached.

The parked fixture parks every goroutine at a MARK line and never wakes
them: uprobes see nothing new, so only the goroutine dumps read from memory
at attach and at the end can report them. Each MARK site must be reported as
blocked the whole window, with the wait reason the Go runtime itself prints
for it (GOTRACEBACK=system + SIGQUIT on the same process afterwards).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

# The lines where the fixture's goroutines stay parked (the others are call sites).
PARKED = ("chanrecv", "chansend", "select", "mutex", "sleep", "cond", "waitgroup", "accept",
          "inlinedleaf")


def check(f, marks):
    w = f["id"]
    with h.FixtureProcess([f["path"]]) as p:
        rc, doc_lines, err = h.run_gotrace(["block", "--pid", str(p.pid), "-d", "2", "--json"])
        h.sane_exit(rc, doc_lines, err, w)
        h.eq(rc, 0, "%s: exit code" % w, stderr=err[-800:])
        tb = h.parse_traceback(p.take_traceback(), f["go_version"])
    docs = [h.json.loads(ln) for ln in doc_lines.splitlines() if ln.strip()]
    pre = [d for d in docs if d.get("type") == "block_stuck" and d.get("before_attach")]
    for name in PARKED:
        path, line = marks[name]
        base = os.path.basename(path)
        want = [g.status for g in tb.goroutines
                if any(fr.line == line and os.path.basename(fr.file or "") == base
                       for fr in g.frames)]
        got = [d for d in pre if any(fr["line"] == line and os.path.basename(fr["file"] or "") == base
                                     for fr in d["stack"])]
        if not h.check(want, "%s: oracle: the runtime shows no goroutine at MARK:%s" % (w, name)):
            continue
        if h.check(got, "%s: MARK:%s (%s:%d) not reported as blocked since before attach" %
                   (w, name, base, line)):
            h.eq(got[0]["reason"], want[0], "%s: MARK:%s reason vs the runtime's" % (w, name))
            h.check(got[0]["oldest_ns"] >= 1.5e9, "%s: MARK:%s blocked at least the window" % (w, name))


def main():
    h.require_root()
    marks = h.marks("parked")
    fx = h.fixtures(prog="parked", origin="toolchain",
                    select_fn=lambda f: f["variant"] in ("exe", "pie-stripped"))
    for f in fx:
        print("== %s" % f["id"], flush=True)
        check(f, marks)
    h.done()


main()
