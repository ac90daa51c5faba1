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
The newest fixture runs again: to check, from the kernel's own fdinfo of
gotrace's descriptors, that the probes are uprobe_multi links where the
kernel has them (bpf_uprobe_multi_link_attach in kallsyms); with
--no-feature=uprobe_multi (classic perf-event uprobes, same checks); and with
parks recorded at gopark (GOTRACE_PARKS_AT_GOPARK=1), the fallback for a
runtime whose park_m call site is not found, same checks.
"""
import os
import re
import subprocess
import sys
import time

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


def check_fixture(f, marks, period_ms, extra=(), env=None):
    w = f["id"] + "".join(" " + a for a in extra) + "".join(" " + k for k in (env or {}))
    argv, ready = h.fixture_argv(f)
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        check_fixture_traced(f, w, argv, ready, marks, period_ms, extra)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def check_fixture_traced(f, w, argv, ready, marks, period_ms, extra):
    with h.FixtureProcess(argv, ready=ready) as p:
        rc, out, err = h.run_gotrace(list(extra) + ["block", "--pid", str(p.pid), "-d", TRACE_SECONDS,
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


def kernel_has_uprobe_multi():
    with open("/proc/kallsyms") as fp:
        return any(ln.rstrip().endswith(" bpf_uprobe_multi_link_attach") for ln in fp)


def attach_kinds(pid):
    """{"uprobe_multi": n, "perf_event": n, ...}: the kernel's view of a process's BPF links
    (fdinfo link_type) and perf event descriptors."""
    kinds = {}
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
            if target == "anon_inode:[perf_event]":
                kind = "perf_event"
            elif target == "anon_inode:bpf_link":
                with open("/proc/%d/fdinfo/%s" % (pid, fd)) as fp:
                    m = re.search(r"^link_type:\s*(\S+)", fp.read(), re.M)
                kind = m.group(1) if m else "?"
            else:
                continue
        except OSError:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def check_mechanism(f, extra, want_multi):
    w = f["id"] + "".join(" " + a for a in extra)
    argv, ready = h.fixture_argv(f)
    with h.FixtureProcess(argv, ready=ready) as p:
        tracer = subprocess.Popen([h.GOTRACE] + list(extra) + ["block", "--pid", str(p.pid), "-d", "3",
                                   "--max-overhead", "0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        kinds = {}
        for _ in range(40):  # attached after symbolization and the first dump
            time.sleep(0.1)
            kinds = attach_kinds(tracer.pid)
            if kinds.get("uprobe_multi") or kinds.get("perf_event", 0) > 1:
                break
        err = tracer.communicate(timeout=60)[1]
    h.eq(tracer.returncode, 0, "%s: gotrace block exit code" % w, stderr=err[-2000:])
    if want_multi:
        # One link per program with probes: the casgstatus sites, and gopark where parks
        # are not read at park_m.
        h.check(kinds.get("uprobe_multi") in (1, 2) and not kinds.get("perf_event"),
                "%s: uprobe_multi links, no perf-event uprobes" % w, kinds=kinds)
    else:
        h.check(not kinds.get("uprobe_multi") and kinds.get("perf_event", 0) > 2,
                "%s: classic uprobes, one perf event each" % w, kinds=kinds)


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
    newest = fx[-1]
    fallback = ["--no-feature=uprobe_multi"]
    print("== %s, how the probes attach" % newest["id"], flush=True)
    multi = kernel_has_uprobe_multi()
    if not multi:
        h.note("this kernel has no uprobe_multi links: only the classic path is exercised")
    check_mechanism(newest, [], multi)
    check_mechanism(newest, fallback, False)
    print("== %s %s" % (newest["id"], fallback[0]), flush=True)
    check_fixture(newest, marks, period_ms, fallback)
    print("== %s, parks at gopark" % newest["id"], flush=True)
    check_fixture(newest, marks, period_ms, env={"GOTRACE_PARKS_AT_GOPARK": "1"})
    h.done()


main()
