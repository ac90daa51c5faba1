#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark of `gotrace block`: what tracing costs the traced program.

Workloads (tests/fixtures/benchload, the newest Go toolchain): unbuffered
channel ping-pong, mutex contention, and net/http hello-world under wrk over
loopback. Each runs once per column, in the same run:

  untraced      the anchor
  default       gotrace block (overhead governor, --max-overhead 2)
  exact         gotrace block --max-overhead 0 (every park and wake)
  blockprofile  Go's own runtime.SetBlockProfileRate(1), in the program
  trace         Go's runtime/trace, in the program
  bpftrace      a bpftrace script doing the equivalent uprobe work
                (gopark + casgstatus, park->wake histogram per goroutine)

and prints the slowdown (untraced rate / rate) of each, plus gotrace's probe
hits/s, unmatched parks %, and its own CPU time and peak RSS. No thresholds:
the machine is shared and noisy; read the ratios.

BENCH_REPS=N (default 1) measures every column N times, interleaved (each
round runs every column once, its untraced anchor included), and prints the
median ratio with each round's ratio beside it: single runs on these VMs
move by +-0.1, more than some of the effects worth measuring.
BENCH_LOADS=http,chan picks workloads (default chan,mutex,http).
BENCH_COLUMNS=default,exact picks tracers (the untraced anchor always runs).
BENCH_WINDOW=SEC (default 5) is each measurement's length. The governor's
cycle is 10 s and its first, shortest on phases come when load arrives: a 5 s
window holds that start and no steady phase, a longer one more of the steady
state (aimed at 3/4 of the budget).

The mutex row is not a cost comparison: how often 8 goroutines on one
sync.Mutex park depends on how long each park takes (the runtime spins
first), so a tracer changes the workload itself. The parks/s printed for
each tracer show it: under bpftrace's single-stepped gopark probe the
fixture parks several times less often, and runs faster than untraced.
"""
import statistics
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build"))
GOTRACE = os.path.join(BUILD, "gotrace")
WAIT, WINDOW = 3.0, float(os.environ.get("BENCH_WINDOW") or 5.0)
REPS = max(1, int(os.environ.get("BENCH_REPS") or 1))
LOADS = (os.environ.get("BENCH_LOADS") or "chan,mutex,http").split(",")
COLUMNS = os.environ.get("BENCH_COLUMNS")

BPFTRACE = r"""
uprobe:%(bin)s:runtime.gopark /pid == %(pid)d/ { @park[reg("r14")] = nsecs; @parks = count(); }
uprobe:%(bin)s:runtime.casgstatus /pid == %(pid)d && reg("bx") == 4 && reg("cx") == 1/ {
	$t = @park[reg("ax")];
	if ($t) { @block = hist(nsecs - $t); delete(@park[reg("ax")]); }
}
"""


def benchload():
    with open(os.path.join(BUILD, "fixtures", "manifest.json")) as fp:
        fx = [f for f in json.load(fp)["fixtures"]
              if f["prog"] == "benchload" and f["variant"] == "exe"]
    fx.sort(key=lambda f: [int(x) for x in re.findall(r"\d+", f["toolchain"])])
    return fx[-1]


def start_load(path, mode, extra):
    p = subprocess.Popen([path, "-wait", "%.1fs" % WAIT, "-d", "%.1fs" % WINDOW] + extra + [mode],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ready = p.stdout.readline().split()
    return p, int(ready[1]), ready[2]


def wait_child(proc):
    """Waits for a child; returns (rc, user+sys seconds, max RSS KiB) of it alone."""
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def measure(path, mode, column):
    extra, tracer, tmp = [], None, None
    if column == "blockprofile":
        extra = ["-blockprofile"]
    elif column == "trace":
        tmp = tempfile.NamedTemporaryFile(suffix=".trace", delete=False)
        extra = ["-trace", tmp.name]
    load, pid, addr = start_load(path, mode, extra)
    if column in ("default", "exact"):
        args = [GOTRACE, "block", "--pid", str(pid), "-d", str(int(WAIT + WINDOW + 1)), "--json"]
        if column == "exact":
            args += ["--max-overhead", "0"]
        tracer = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    elif column == "bpftrace":
        tracer = subprocess.Popen(["bpftrace", "-e", BPFTRACE % {"bin": path, "pid": pid}],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started = time.monotonic()
    if mode == "http":
        time.sleep(WAIT)
        wrk = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % WINDOW, "http://%s/" % addr],
                             stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r"Requests/sec:\s+([\d.]+)", wrk)
        rate = float(m.group(1)) if m else 0.0
        load.kill()
    else:
        out = load.communicate()[0]
        m = re.search(r"rate (\d+)", out)
        rate = float(m.group(1)) if m else 0.0
    load.wait()
    info = {}
    if tracer is not None:
        if column == "bpftrace":
            tracer.terminate()
        out = tracer.stdout.read() if tracer.stdout else ""
        rc, cpu, rss = wait_child(tracer)
        info = {"cpu_s": cpu, "rss_mib": rss / 1024.0}
        for ln in out.splitlines():
            m = re.match(r"@parks: (\d+)", ln)
            if m:  # over bpftrace's whole run, as gotrace's counters are over its own
                info["parks_per_s"] = int(m.group(1)) / (time.monotonic() - started)
            if '"block_summary"' in ln:
                s = json.loads(ln)
                c = s["counters"]
                info["hits_per_s"] = (c["parks"] + c["sched_probe_hits"]) / (s["elapsed_ns"] / 1e9)
                info["parks_per_s"] = c["parks"] / (s["elapsed_ns"] / 1e9)
                info["unmatched_pct"] = s["unmatched_pct"]
                info["sampled"] = s["overhead"]["sampled_fraction"]
    if tmp:
        os.unlink(tmp.name)
    return rate, info


def main():
    if os.geteuid() != 0:
        sys.exit("bench/block.py: needs root")
    f = benchload()
    columns = ["untraced", "default", "exact", "blockprofile", "trace"]
    if shutil.which("bpftrace"):
        columns.append("bpftrace")
    if COLUMNS:
        columns = ["untraced"] + [c for c in columns[1:] if c in COLUMNS.split(",")]
    print("== bench block (%s, %s; window %.0f s each; slowdown = untraced rate / rate)" %
          (f["go_version"], os.path.basename(f["path"]), WINDOW))
    print("%-6s %14s" % ("load", "untraced/s") + "".join("%13s" % c for c in columns[1:]))
    details = []
    rounds = []
    for mode in LOADS:
        ratios = {c: [] for c in columns[1:]}
        bases = []
        for _ in range(REPS):
            res = {c: measure(f["path"], mode, c) for c in columns}
            base = res["untraced"][0]
            bases.append(base)
            for c in columns[1:]:
                rate = res[c][0]
                ratios[c].append(base / rate if rate > 0 else None)
        row = "%-6s %14.0f" % (mode, statistics.median(bases))
        for c in columns[1:]:
            ok = [r for r in ratios[c] if r is not None]
            row += "%12.2fx" % statistics.median(ok) if len(ok) == REPS else "%13s" % "failed"
        print(row, flush=True)
        if REPS > 1:
            rounds.append((mode, ratios))
        for c in ("default", "exact", "bpftrace"):
            if c in res and res[c][1]:
                details.append((mode, c, res[c][1]))
    if rounds:
        print("\neach round's ratio (the table shows their median):")
        for mode, ratios in rounds:
            for c, v in ratios.items():
                print("  %-6s %-12s %s" % (mode, c, " ".join("%.2f" % r if r else "failed" for r in v)))
    print("\ngotrace and bpftrace themselves%s:" % (" (last round)" if REPS > 1 else ""))
    for mode, c, i in details:
        extra = ", %.0f parks/s" % i["parks_per_s"] if "parks_per_s" in i else ""
        if "hits_per_s" in i:
            extra += ", %.0f probe hits/s, %.3f%% unmatched, probes attached %.0f%% of the time" % (
                i["hits_per_s"], i["unmatched_pct"], 100 * i["sampled"])
        print("  %-6s %-9s CPU %.2f s, peak RSS %.1f MiB%s" % (mode, c, i["cpu_s"], i["rss_mib"], extra))


main()
