#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Benchmark of `gotrace doctor` without a live window (--live 0): wall time
(goal: 2 s), and where it goes.

Targets, each a minikubelet pod of tests/fixtures/doctorapp (newest Go):
  running     a healthy process (256M limit, CPU quota, listening)
  crashloop   OOM-killed at every start, measured between restarts (no
              process: cgroups, kernel log and logs only)
Columns, measured alternately in the same run, BENCH_DOCTOR_ROUNDS each:
  doctor          gotrace doctor --pod UID --live 0 --json
  doctor-nosample the same without cpu.throttling (its 500 ms sample of
                  cpu.stat is the longest single check by design)
  script          the anchor: the same reads done by hand as a runbook shell
                  script would (cat of the cgroup files and /proc files,
                  readelf, dmesg | grep, tail of the log): what doctor replaces
Prints min / median / max wall time of each, the ratio doctor / script, and
the three slowest checks (their elapsed_ns from doctor's JSON). No
thresholds: the machine is shared; read the numbers.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from doctorkit import Pod, doctorapp  # noqa: E402
from harness import GOTRACE  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_DOCTOR_ROUNDS", "7"))

SCRIPT = r"""
cg=$1 pid=$2 logdir=$3
for f in memory/$cg/memory.limit_in_bytes memory/$cg/memory.usage_in_bytes \
	memory/$cg/memory.oom_control memory/$cg/memory.failcnt cpu/$cg/cpu.cfs_quota_us \
	cpu/$cg/cpu.cfs_period_us cpu/$cg/cpu.stat unified/$cg/cpu.pressure \
	unified/$cg/memory.pressure unified/$cg/io.pressure; do
	cat /sys/fs/cgroup/$f 2>/dev/null
done >/dev/null
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
	cat /proc/$pid/status /proc/$pid/net/tcp /proc/$pid/net/tcp6 /proc/$pid/mountinfo >/dev/null
	wc -l /proc/$pid/maps >/dev/null
	tr '\0' '\n' </proc/$pid/environ | grep -E '^GO(GC|MEMLIMIT|MAXPROCS|DEBUG)=' >/dev/null
	tr '\0' ' ' </proc/$pid/cmdline >/dev/null
	readelf -lW /proc/$pid/exe | grep -i interpreter >/dev/null
	ls -l /proc/$pid/fd >/dev/null 2>&1
	readlink /proc/$pid/cwd >/dev/null
	nsenter -t $pid -n sysctl -n net.ipv4.ip_unprivileged_port_start >/dev/null
fi
dmesg | grep -E 'oom-kill|Killed process' >/dev/null
ls "$logdir" >/dev/null
tail -n 10 "$logdir"/*.log >/dev/null 2>&1
true
"""


def timed(argv):
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0, p.stdout


def slowest(out):
    try:
        doc = json.loads(out)
    except ValueError:
        return []
    checks = sorted(doc["checks"], key=lambda c: -c["elapsed_ns"])
    return ["%s %.0f ms" % (c["id"], c["elapsed_ns"] / 1e6) for c in checks[:3]]


def measure(name, pod, pid):
    base = [GOTRACE, "--host-root", pod.host_root, "doctor", "--pod", pod.uid, "--live", "0",
            "--json"]
    ids = [ln.split()[0] for ln in subprocess.run([GOTRACE, "doctor", "--list-checks"],
                                                  stdout=subprocess.PIPE, text=True)
           .stdout.splitlines() if ln and not ln.startswith("live:")]
    only = ",".join(i for i in ids if i != "cpu.throttling")
    cols = {
        "doctor": base,
        "doctor-nosample": base + ["--only", only],
        "script": ["bash", "-c", SCRIPT, "script", pod.cgroup, str(pid or 0), pod.log_dir()],
    }
    times = {k: [] for k in cols}
    last = b""
    for _ in range(ROUNDS):
        for k, argv in cols.items():
            dt, out = timed(argv)
            times[k].append(dt)
            if k == "doctor":
                last = out
    print("doctor wall time, %s target (%d rounds):" % (name, ROUNDS))
    for k, v in times.items():
        print("  %-16s min %6.3f s  median %6.3f s  max %6.3f s" %
              (k, min(v), statistics.median(v), max(v)))
    print("  ratio doctor / script (medians): %.2f; doctor-nosample / script: %.2f" %
          (statistics.median(times["doctor"]) / statistics.median(times["script"]),
           statistics.median(times["doctor-nosample"]) / statistics.median(times["script"])))
    print("  slowest checks: %s" % ", ".join(slowest(last)))


def main():
    if os.geteuid() != 0:
        print("SKIP: bench/doctor: needs root (runc)")
        return
    app = doctorapp()["path"]
    with Pod(binary=app, memory="256M", cpu="1.5", env=("GOMEMLIMIT=200MiB",),
             args=["-listen", "127.0.0.1:8080", "-hold-mib", "16"]) as pod:
        pod.wait_log("listening")
        measure("running", pod, pod.pid)
    with Pod(binary=app, memory="64M", args=["-hold-mib", "100"], restarts=1000, backoff=30,
             max_backoff=30) as pod:
        pod.next_event("exit", 60)
        measure("crashloop (no process)", pod, 0)


if __name__ == "__main__":
    main()
