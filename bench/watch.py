#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark of `gotrace watch` itself: its own CPU and peak RSS.

  idle   the node as it is, 20 s
  busy   20 s while bench/crash_load runs the syscall-heavy loads of the crash
         benchmark (short processes, stderr writes, failed opens) -c / (the
         whole node in scope, so every event is gotrace's to handle)

CPU is gotrace's user+system time over wall time (from wait4), RSS its peak
(ru_maxrss), and in the steady state (from 5 s after the start to 1 s before
the end: /proc/PID/stat, VmRSS). Goals (issue 7): <= 1% CPU idle, RSS <= 30 MB.
No thresholds.
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


def cpu_ticks(pid):
    """utime+stime of pid in seconds (/proc/PID/stat), or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as fp:
            f = fp.read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def vm_rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def run_watch(args, load=None):
    """Whole run (CPU over wall from wait4, peak RSS) and steady state: CPU
    between 5 s after the start and 1 s before the end (loading the BPF
    objects and parsing the kernel's BTF are a one-time cost), RSS then."""
    t0 = time.time()
    p = subprocess.Popen([GOTRACE, "watch", "-d", str(SECONDS)] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loads = 0
    steady = {}
    end = t0 + SECONDS - 1
    time.sleep(5)
    steady["t0"], steady["c0"] = time.time(), cpu_ticks(p.pid)
    while time.time() < end:
        if load:
            for mode, n in (("spawn", "200"), ("write", "50000"), ("openfail", "50000")):
                subprocess.run([LOAD, mode, n], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                loads += 1
        else:
            time.sleep(min(0.5, max(0.0, end - time.time())))
    steady["t1"], steady["c1"], steady["rss"] = time.time(), cpu_ticks(p.pid), vm_rss_mib(p.pid)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - t0
    cpu_steady = None
    if steady["c0"] is not None and steady["c1"] is not None:
        cpu_steady = (steady["c1"] - steady["c0"]) / (steady["t1"] - steady["t0"]) * 100
    return dict(cpu=(ru.ru_utime + ru.ru_stime) / wall * 100, peak=ru.ru_maxrss / 1024.0,
                cpu_steady=cpu_steady, rss_steady=steady["rss"], loads=loads)


def show(label, r):
    fmt = lambda v, f: (f % v) if v is not None else "?"  # noqa: E731
    print("  %-22s CPU %5.2f%% (steady %s)  RSS peak %5.1f MiB, steady %s MiB" %
          (label, r["cpu"], fmt(r["cpu_steady"], "%.2f%%"), r["peak"],
           fmt(r["rss_steady"], "%.1f")))


def main():
    if os.geteuid() != 0:
        print("SKIP: bench/watch.py needs root (BPF)")
        return
    subprocess.run(["make", "-C", ROOT, "--no-print-directory", "build/gotrace",
                    "build/bench/crash_load"], stdout=subprocess.DEVNULL)
    print("== bench watch (%d s each; CPU = gotrace's user+sys / wall)" % SECONDS)
    show("idle", run_watch([]))
    r = run_watch(["-c", "/"], load=True)
    show("busy (-c /, %d runs)" % r["loads"], r)


main()
