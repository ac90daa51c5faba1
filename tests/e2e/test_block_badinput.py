#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gotrace block on bad input: each case ends with a clear message and the
documented exit code (0 ok, 1 runtime error, 2 usage, 3 missing privilege),
never a crash, a hang or garbage.

  - not a Go process (/bin/sleep); Go older than 1.17 (esbuild 0.11.23, go1.16:
    no register ABI); a pid that does not exist; no --pid;
  - the target exits mid-trace: the final summary is printed, exit 0;
  - pid reuse: the target dies and its pid is handed to a new process
    (forced through /proc/sys/kernel/ns_last_pid): gotrace must notice and
    stop, not report on the stranger;
  - no permission: run as nobody.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def expect(args, rc_want, words, what, user=None):
    rc, out, err = h.run_gotrace(args, timeout=60, user=user)
    h.sane_exit(rc, out, err, what)
    h.eq(rc, rc_want, "%s: exit code" % what, stderr=err[-800:])
    for w in words:
        h.check(w.lower() in err.lower(), "%s: message mentions %r" % (what, w), stderr=err[-800:])


def parked_fixture():
    fx = h.fixtures(prog="parked", origin="toolchain", select_fn=lambda f: f["variant"] == "exe")
    return sorted(fx, key=lambda f: h.go_version_tuple(f["toolchain"]))[-1]


def main():
    h.require_root()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        expect(["block", "--pid", str(sleeper.pid), "-d", "1"], 1, ["not a Go program"],
               "not Go")
        expect(["block", "--pid", str(sleeper.pid), "-d", "1"], 3, ["permission"], "as nobody",
               user="nobody")
    finally:
        sleeper.kill()
        sleeper.wait()
    expect(["block", "--pid", str(sleeper.pid), "-d", "1"], 1, ["no such process"], "gone pid")
    expect(["block", "-d", "1"], 2, ["--pid"], "no --pid")
    expect(["block", "--pid", "1", "--min-block", "soon"], 2, ["soon"], "bad duration")

    old = [f for f in h.fixtures(prog="esbuild", origin="npm") if f["go_version"].startswith("go1.16")]
    if h.check(old, "no go1.16 esbuild in the manifest"):
        with h.FixtureProcess([old[0]["path"]], ready=1.0) as p:
            expect(["block", "--pid", str(p.pid), "-d", "1"], 1, ["1.17", "register ABI"],
                   "go1.16")

    f = parked_fixture()
    # The target exits mid-trace: a final summary, exit 0.
    with h.FixtureProcess([f["path"]]) as p:
        proc = subprocess.Popen([h.GOTRACE, "block", "--pid", str(p.pid), "-d", "20", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        p.stop()
        t0 = time.time()
        out, err = proc.communicate(timeout=30)
        h.sane_exit(proc.returncode, out, err, "exit mid-trace")
        h.eq(proc.returncode, 0, "exit mid-trace: exit code", stderr=err[-800:])
        h.check(time.time() - t0 < 5, "exit mid-trace: gotrace noticed within 5 s")
        summ = [h.json.loads(ln) for ln in out.splitlines() if '"block_summary"' in ln]
        h.check(summ and summ[-1]["final"] and summ[-1]["target_exited"],
                "exit mid-trace: a final summary that says the target exited", out=out[-600:])

    # pid reuse: the next fork gets the dead target's pid.
    with h.FixtureProcess([f["path"]]) as p:
        pid = p.pid
        proc = subprocess.Popen([h.GOTRACE, "block", "--pid", str(pid), "-d", "20"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        p.stop()
        with open("/proc/sys/kernel/ns_last_pid", "w") as fp:
            fp.write(str(pid - 1))
        stranger = subprocess.Popen(["sleep", "30"])
        try:
            if stranger.pid != pid:
                h.note("pid reuse: the kernel gave %d, not %d (another fork won the race): "
                       "only the exit of the target is checked" % (stranger.pid, pid))
            out, err = proc.communicate(timeout=30)
            h.eq(proc.returncode, 0, "pid reuse: exit code", stderr=err[-800:])
            h.check("the target exited" in out, "pid reuse: gotrace says the target exited",
                    out=out[-600:])
        finally:
            stranger.kill()
            stranger.wait()
    h.done()


main()
