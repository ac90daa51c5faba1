#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark of `gotrace watch` itself: its own CPU and peak RSS.

  idle   the node as it is, 20 s
  busy   20 s while bench/crash_load runs the syscall-heavy loads of the crash
         benchmark (short processes, stderr writes, failed opens) -c / (the
         whole node in scope, so every event is gotrace's to handle)

CPU is gotrace's user+system time over wall time (from wait4), RSS its peak
(ru_maxrss). Goals (issue 7): <= 1% CPU idle, RSS <= 30 MB. No thresholds.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build"))
GOTRACE = os.path.join(BUILD, "gotrace")
LOAD = os.path.join(BUILD, "bench", "crash_load")
SECONDS = int(os.environ.get("WATCH_SECONDS", "20"))


def run_watch(args, load=None):
    t0 = time.time()
    p = subprocess.Popen([GOTRACE, "watch", "-d", str(SECONDS)] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loads = 0
    if load:
        time.sleep(3)
        end = t0 + SECONDS - 1
        while time.time() < end:
            for mode, n in (("spawn", "200"), ("write", "50000"), ("openfail", "50000")):
                subprocess.run([LOAD, mode, n], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                loads += 1
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - t0
    return (ru.ru_utime + ru.ru_stime) / wall * 100, ru.ru_maxrss / 1024.0, loads


def main():
    if os.geteuid() != 0:
        print("SKIP: bench/watch.py needs root (BPF)")
        return
    subprocess.run(["make", "-C", ROOT, "--no-print-directory", "build/gotrace",
                    "build/bench/crash_load"], stdout=subprocess.DEVNULL)
    print("== bench watch (%d s each; CPU = gotrace's user+sys / wall)" % SECONDS)
    cpu, rss, _ = run_watch([])
    print("  idle                 CPU %5.2f%%  peak RSS %5.1f MiB" % (cpu, rss))
    cpu, rss, n = run_watch(["-c", "/"], load=True)
    print("  busy (-c /, %3d runs) CPU %5.2f%%  peak RSS %5.1f MiB" % (n, cpu, rss))


main()
