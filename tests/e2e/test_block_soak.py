#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Safety soak: gotrace block must never harm the process it traces.

The soak fixture combines GC pressure, deep recursion (stack growth and
copying), thousands of goroutines parking and waking, and preemption; its
output is a checksum per round that depends only on the work. It runs once
untraced (the reference), then again while `gotrace block` attaches and
detaches over and over for 60 s (exact mode, and the default governed mode).
The oracle is the program itself: the traced run must print exactly the
reference's output and exit the same way.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TRACED_SECONDS = 60
ROUNDS = 200  # ~0.15 s each untraced; traced, it lasts about the 60 s of tracing


def run_soak(path, traced):
    proc = subprocess.Popen([path, str(ROUNDS)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    cycles, failures = 0, []
    if traced:
        end = time.time() + TRACED_SECONDS
        while time.time() < end and proc.poll() is None:
            mode = ["--max-overhead", "0"] if cycles % 2 == 0 else []
            rc, out, err = h.run_gotrace(["block", "--pid", str(proc.pid), "-d", "3"] + mode,
                                         timeout=60)
            h.sane_exit(rc, out, err, "soak cycle %d" % cycles)
            if rc != 0 and proc.poll() is None:
                failures.append((rc, err[-500:]))
            cycles += 1
            time.sleep(0.3)
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err, first, cycles, failures


def main():
    h.require_root()
    fx = h.fixtures(prog="soak", origin="toolchain", select_fn=lambda f: f["variant"] == "exe")
    if not fx:
        h.fatal("no soak fixture in the manifest")
    versions = sorted({f["toolchain"] for f in fx}, key=h.go_version_tuple)
    for f in fx:
        if f["toolchain"] != versions[-1]:  # one toolchain: the soak is the slowest test
            continue
        w = f["id"]
        print("== %s" % w, flush=True)
        ref = run_soak(f["path"], traced=False)
        got = run_soak(f["path"], traced=True)
        h.eq(got[0], ref[0], "%s: exit status traced vs untraced" % w, stderr=got[2][-1500:])
        h.eq(got[1], ref[1], "%s: output traced vs untraced" % w)
        h.check("fatal error" not in got[2] and "unexpected" not in got[2],
                "%s: the runtime complained while traced" % w, stderr=got[2][-2000:])
        h.check(got[4] >= 5, "%s: only %d attach/detach cycles" % (w, got[4]))
        h.eq(got[5], [], "%s: gotrace failed while the target was alive" % w)
        h.note("%s: %d attach/detach cycles over %d s, %d rounds identical" %
               (w, got[4], TRACED_SECONDS, ROUNDS))
    h.done()


main()
