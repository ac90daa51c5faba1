# SPDX-License-Identifier: GPL-2.0
"""`gotrace goroutines` on live targets that do not hold still, and on bad ones.

  no stall   the progress fixture (a ping-pong pair counting round trips, a
             1 ms ticker recording its largest gap) runs 2 s alone, then 3 s
             while gotrace samples it at 100 Hz: every 100 ms report must
             show progress and no ticker gap may exceed STALL_MS; gotrace
             must have taken most of its snapshots. The throughput ratio is
             printed (the benchmark measures it properly).
  churn      the same fixture with -churn (goroutines created and exiting all
             the time, stacks growing and moving, a GC every 20 ms) sampled at
             200 Hz by the ASan+UBSan build: a clean exit, snapshots taken,
             and every goroutine reported has a known state and frames that
             are all symbolized Go functions, or a stack state that says why
             not (never garbage), in the one-shot dumps and in the sampled
             groups (whose stacks may be reused from the snapshot before).
  exit       a target killed while gotrace samples it: gotrace ends by itself
             with "exited" in its message, no crash; one-shot dumps racing a
             kill never crash either.
  reuse      sampling keeps the walks of goroutines that have not run since the
             snapshot before (goroutines/memo.c): the parked fixture of the
             newest toolchain, with DWARF and stripped (offsets from the
             table), sampled 1 s at 100 Hz, then SIGQUIT with
             GOTRACEBACK=system. Every one of the fixture's own goroutines
             (main.* frames) must be in a sampled group with the runtime's
             frames for it, counted once per snapshot, and most stacks must
             have been reused, not read.
  not Go     `sleep` (a C program): refused with "is not a Go program".
  no pid     a pid that does not exist: "exited (or never existed)".
Each gotrace run is checked with harness.sane_exit (no signal, no sanitizer
report).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()
h.require_gotrace()

ASAN = os.path.join(h.BUILD_DIR, "gotrace-asan")
STALL_MS = 250  # a VM shared by other jobs jitters; a stall is far longer


def progress_fixture():
    fxs = h.fixtures(prog="progress")
    if not fxs:
        h.fatal("no progress fixture in the manifest (tests/fixtures/build.sh)")
    return fxs[-1]


class Progress:
    """Reads the fixture's "progress <ms> <trips> <gap_us>" lines in a thread."""

    def __init__(self, proc):
        self.lines = []
        self.proc = proc
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        fd = self.proc.proc.stdout
        for raw in iter(fd.readline, b""):
            parts = raw.decode(errors="replace").split()
            if len(parts) == 4 and parts[0] == "progress":
                self.lines.append((time.monotonic(), int(parts[2]), int(parts[3])))

    def window(self, t0, t1):
        return [ln for ln in self.lines if t0 <= ln[0] < t1]


def rate(win):
    if len(win) < 2:
        return 0.0
    return (win[-1][1] - win[0][1]) / (win[-1][0] - win[0][0])


def test_no_stall():
    fx = progress_fixture()
    with h.FixtureProcess([fx["path"], "-parked", "200"]) as p:
        prog = Progress(p)
        t0 = time.monotonic()
        time.sleep(2.0)
        t1 = time.monotonic()
        rc, out, err = h.run_gotrace(["goroutines", "--pid", str(p.pid), "--sample", "100",
                                      "-d", "3", "--json"], timeout=60)
        t2 = time.monotonic()
        time.sleep(0.3)
        h.sane_exit(rc, out, err, "sample 100 Hz")
        h.check(rc == 0, "sampling at 100 Hz failed", stderr=err[-800:])
        base, during = prog.window(t0 + 0.2, t1), prog.window(t1 + 0.1, t2)
        h.check(len(during) >= 20, "too few progress reports while sampled (%d)" % len(during))
        stalls = [ln for ln in during if ln[2] > STALL_MS * 1000]
        h.eq(stalls, [], "ticker gaps over %d ms while sampled at 100 Hz" % STALL_MS)
        flat = [b for a, b in zip(during, during[1:]) if b[1] <= a[1]]
        h.eq(flat, [], "100 ms windows without a single round trip while sampled")
        try:
            doc = json.loads(out)
        except ValueError:
            doc = {}
        h.check(doc.get("snapshots", 0) >= 200, "snapshots taken in 3 s at 100 Hz: %s"
                % doc.get("snapshots"))
        h.check(doc.get("goroutine_samples", 0) >= 200 * doc.get("snapshots", 1),
                "each snapshot must see the 200 parked goroutines")
        r0, r1 = rate(base), rate(during)
        h.note("round trips/s alone %.0f, sampled at 100 Hz %.0f (ratio %.3f); largest gap "
               "%d us alone, %d us sampled" % (r0, r1, r0 / r1 if r1 else 0,
                                               max([ln[2] for ln in base] or [0]),
                                               max([ln[2] for ln in during] or [0])))


def run_asan(args, timeout=120):
    """The ASan build when it exists (make e2e builds it), else the normal one."""
    if os.access(ASAN, os.X_OK):
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        return h.run([ASAN] + list(args), timeout=timeout, env=env)
    h.note("%s missing: hostile runs use the normal build" % ASAN)
    return h.run_gotrace(args, timeout=timeout)


KNOWN_STATUS = {"idle", "runnable", "running", "syscall", "waiting", "dead", "copystack",
                "preempted", "leaked", "waiting for cgo callback"}


def check_clean_goroutines(doc, what):
    """Every goroutine: a known status, and frames that are all Go functions."""
    bad = []
    for g in doc.get("goroutines", []):
        if g.get("status") not in KNOWN_STATUS or not g.get("state"):
            bad.append("goroutine %s: status %r state %r" % (g.get("goid"), g.get("status"),
                                                              g.get("state")))
        for f in g.get("frames", []):
            if not f.get("function") or not f.get("file") or f.get("line", 0) <= 0:
                bad.append("goroutine %s: frame %r" % (g.get("goid"), f))
                break
        if g.get("stack") == "ok" and (not g["frames"]
                                       or g["frames"][-1]["function"] != "runtime.goexit"):
            bad.append("goroutine %s: stack 'ok' not ending in runtime.goexit" % g.get("goid"))
    h.eq(bad[:10], [], "%s: goroutines that are not what a Go runtime can hold" % what)


def test_churn():
    fx = progress_fixture()
    with h.FixtureProcess([fx["path"], "-parked", "50", "-churn", "2"]) as p:
        rc, out, err = run_asan(["goroutines", "--pid", str(p.pid), "--sample", "200", "-d", "3",
                                 "--json"])
        h.sane_exit(rc, out, err, "churn sampling")
        h.check(rc == 0, "sampling a churning target failed", stderr=err[-1500:])
        doc = json.loads(out) if rc == 0 and out.strip() else {}
        h.check(doc.get("snapshots", 0) >= 100, "too few snapshots of a churning target: %s"
                % doc.get("snapshots"))
        # Sampled groups too: their stacks may come from the memo of the snapshot before.
        check_clean_goroutines({"goroutines": doc.get("groups", [])}, "churn sample groups")
        h.note("churn at 200 Hz: %s snapshots, %s failed, %s records dropped, %s read again "
               "and kept, %s stacks reused" % (doc.get("snapshots"), doc.get("snapshots_failed"),
                                               doc.get("dropped"), doc.get("retried"),
                                               doc.get("stacks_reused")))
        for i in range(20):
            rc, out, err = run_asan(["goroutines", "--pid", str(p.pid), "--stacks", "--json"])
            h.sane_exit(rc, out, err, "churn dump %d" % i)
            if h.check(rc == 0, "dump %d of a churning target failed" % i, stderr=err[-800:]):
                check_clean_goroutines(json.loads(out), "churn dump %d" % i)
        h.check(p.alive(), "the churning target died while read", stderr=p.stderr()[-800:])


def test_exit_mid_read():
    fx = progress_fixture()
    with h.FixtureProcess([fx["path"], "-parked", "500"]) as p:
        gt = subprocess.Popen([ASAN if os.access(ASAN, os.X_OK) else h.GOTRACE, "goroutines",
                               "--pid", str(p.pid), "--sample", "200", "-d", "20"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.0)
        os.kill(p.pid, signal.SIGKILL)
        try:
            out, err = gt.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            gt.kill()
            out, err = gt.communicate()
            h.fail("gotrace kept sampling a process that exited")
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
        h.sane_exit(gt.returncode, out, err, "sampling a process killed mid-run")
        h.check(gt.returncode != 0 and "exited" in err,
                "a target exiting mid-run must end gotrace with a message saying so",
                rc=gt.returncode, stderr=err[-800:])
    # One-shot dumps racing the exit: any of "listed", "exited" is fine; a crash is not.
    for i in range(10):
        with h.FixtureProcess([fx["path"], "-parked", "2000"]) as p:
            gt = subprocess.Popen([h.GOTRACE, "goroutines", "--pid", str(p.pid), "--stacks"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(0.001 * i)
            os.kill(p.pid, signal.SIGKILL)
            out, err = gt.communicate(timeout=30)
            h.sane_exit(gt.returncode, out.decode(errors="replace"),
                        err.decode(errors="replace"), "dump racing an exit (%d)" % i)


def test_reuse_matches_runtime():
    newest = [f for f in h.fixtures(prog="parked") if f["variant"] in ("exe", "exe-stripped")]
    if not newest:
        h.fatal("no parked fixture in the manifest (tests/fixtures/build.sh)")
    top = newest[-1]["toolchain"]
    for fx in [f for f in newest if f["toolchain"] == top]:
        argv, ready = h.fixture_argv(fx)
        with h.FixtureProcess(argv, ready=ready) as p:
            rc, doc, out, err = h.gotrace_json(["goroutines", "--pid", str(p.pid), "--sample",
                                                "100", "-d", "1", "--json"], what=fx["id"])
            tb = h.parse_traceback(p.take_traceback(), fx["go_version"])
        if not h.check(rc == 0 and doc, "%s: sampling failed" % fx["id"], stderr=err[-800:]):
            continue
        want = {}
        for tg in tb.goroutines:
            frames = tuple(h.traceback_frames(tg))
            if tg.trap or tg.unavailable or tg.elided is not None or \
                    not any(f[0].startswith("main.") for f in frames):
                continue
            want[(tg.status, frames)] = want.get((tg.status, frames), 0) + 1
        got = {}
        for grp in doc["groups"]:
            k = (grp["state"], tuple(h.gotrace_frames(grp["frames"])))
            got[k] = got.get(k, 0) + grp["samples"]
        snaps = doc["snapshots"]
        h.check(len(want) >= 5, "%s: only %d parked stacks in the traceback" % (fx["id"],
                                                                              len(want)))
        bad = ["%d x [%s] %s: sampled %d times in %d snapshots"
               % (n, k[0], k[1][-2][0] if len(k[1]) > 1 else k[1], got.get(k, 0), snaps)
               for k, n in want.items() if got.get(k, 0) != n * snaps]
        h.eq(bad[:5], [], "%s: sampled stacks that are not the runtime's, once per snapshot"
             % fx["id"])
        ours = sum(want.values())
        h.check(doc.get("stacks_reused", 0) >= (snaps - 1) * ours,
                "%s: %s stacks reused in %d snapshots of %d goroutines that never ran"
                % (fx["id"], doc.get("stacks_reused"), snaps, ours))
        h.note("%s: %d snapshots, %d of %d goroutine samples reused" % (
            fx["id"], snaps, doc.get("stacks_reused", 0), doc.get("goroutine_samples", 0)))


def test_bad_targets():
    with subprocess.Popen(["sleep", "60"]) as s:
        time.sleep(0.2)
        rc, out, err = run_asan(["goroutines", "--pid", str(s.pid)])
        s.kill()
    h.sane_exit(rc, out, err, "non-Go process")
    h.check(rc == 1 and "is not a Go program" in err, "a C program must be refused as not Go",
            rc=rc, stderr=err)
    pid = 4194304 - 7  # above any pid_max in use here
    rc, out, err = run_asan(["goroutines", "--pid", str(pid)])
    h.sane_exit(rc, out, err, "missing pid")
    h.check(rc != 0 and str(pid) in err, "a missing pid must be named in the error",
            rc=rc, stderr=err)
    rc, out, err = run_asan(["goroutines", "--pid", "1", "-d", "2"])
    h.check(rc == 2, "-d without --sample is a usage error", rc=rc, stderr=err)


test_no_stall()
test_churn()
test_exit_mid_read()
test_reuse_matches_runtime()
test_bad_targets()
h.done()
