#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cpu-throttle: GOMAXPROCS far above the CPU quota (../shared SCENARIOS.md).

A Go service with GOMAXPROCS=8 burns CPU on 8 goroutines in a pod limited
to half a CPU: it spends its 50 ms of each 100 ms CFS period in a few
milliseconds of wall time and the kernel stops the whole container for the
rest. Nothing dies; `gotrace watch` samples the throttling (cpu.stat) and
its #1 candidate about the pod must say so: the throttling, the GOMAXPROCS
in effect against the quota, the stall it causes, and GOMAXPROCS set to the
quota as the fix.

Oracles: the runtime's own "ready ... gomaxprocs=N" line (the value in
effect), the quota the test gave the pod, and the kernel's counters in the
container's cpu.stat, read by this test before and after: every count
gotrace reports must lie between the two readings.
"""
import math
import os
import re
import time

import scenario as sc

QUOTA = 0.5
PROCS = 8
ARGS = os.environ.get("GOTRACE_SCENARIO_CPU_ARGS", "watch --facts").split()
# The container's program and the pod spec: shared with test_doctor_live.py.
POD = dict(binary=None, args=["-spin", str(PROCS)], env="GOMAXPROCS=%d" % PROCS,
           cpu_quota=str(QUOTA))


def pod_spec():
    spec = dict(POD)
    spec["binary"] = sc.fixture("doctorapp")
    return spec


def cpu_stat(cgroup):
    """The kernel's counters for the container (cgroup v2, else v1's cpu controller)."""
    for base in ("/sys/fs/cgroup", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"):
        path = os.path.join(base + cgroup, "cpu.stat")
        if os.path.exists(path) and (base != "/sys/fs/cgroup" or
                                     os.path.exists(os.path.join(base + cgroup, "cpu.max"))):
            with open(path) as fp:
                return {k: int(v) for k, v in (line.split() for line in fp if line.strip())}
    return None


def runtime_gomaxprocs(pod):
    """The value the runtime itself reports in its ready line (the oracle)."""
    for _ in range(50):
        m = re.search(r"ready pid=\d+ gomaxprocs=(\d+)", pod.log(0) or "")
        if m:
            return int(m.group(1))
        time.sleep(0.1)
    return None


def seconds(num, unit):
    return float(num) * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def throttled_s(stat):
    """cgroup v2 counts throttled_usec, v1 throttled_time in ns."""
    if "throttled_usec" in stat:
        return stat["throttled_usec"] * 1e-6
    return stat["throttled_time"] * 1e-9


def check_stall(text, before, after):
    """The stall per throttled period on each CPU vs the kernel's counters:
    cpu.stat's throttled time is summed over the CPUs' run queues, so the
    wall-clock stall is (throttled time / throttled periods) / CPUs in use,
    and the CPUs in use are min(CPUs this machine lets us run on, GOMAXPROCS)."""
    m = re.search(r"a stall of ~([0-9.]+) (ns|us|ms|s) per throttled period on each of "
                  r"(\d+) CPUs", text)
    if not sc.check(m, "the evidence states the stall per throttled period", text=text):
        return
    cpus = min(len(os.sched_getaffinity(0)), PROCS)
    sc.eq(int(m.group(3)), cpus, "the CPUs in use vs the affinity mask and GOMAXPROCS")
    periods = after["nr_throttled"] - before["nr_throttled"]
    if periods <= 0:
        return
    oracle = (throttled_s(after) - throttled_s(before)) / periods / cpus
    got = seconds(m.group(1), m.group(2))
    sc.check(abs(got - oracle) <= 0.35 * oracle,
             "the stall per period is within 35%% of the kernel's (%.1f ms vs %.1f ms)" %
             (got * 1e3, oracle * 1e3))


def main():
    with sc.Scenario("cpu-throttle") as s:
        g = s.gotrace(ARGS)
        pod = s.pod(**pod_spec())
        start = pod.wait_start(0)
        procs = runtime_gomaxprocs(pod)
        sc.eq(procs, PROCS, "the runtime runs GOMAXPROCS from the environment (oracle)")
        before = cpu_stat(start["cgroup"])
        if not sc.check(before is not None, "the container's cpu.stat is readable",
                        cgroup=start["cgroup"]):
            return
        v = g.wait_verdict(pod.subject(), timeout=40)
        after = cpu_stat(start["cgroup"])
        sc.check(after and after["nr_throttled"] > before["nr_throttled"],
                 "the kernel throttled the container (oracle)", before=before, after=after)
        if not sc.check(v is not None, "a verdict about the pod while it runs"):
            return
        c = sc.top(v)
        sc.eq(c.get("rule"), "doctor.cpu_quota", "#1 is the CPU quota vs GOMAXPROCS")
        cause, text = c.get("cause", ""), sc.text_of(c)
        sc.check("GOMAXPROCS=%d" % procs in cause, "the cause names the GOMAXPROCS in effect",
                 cause=cause)
        sc.check("%.2f CPUs" % QUOTA in cause, "the cause names the quota", cause=cause)
        sc.check("GOMAXPROCS=%d" % math.ceil(QUOTA) in c.get("fix", ""),
                 "the fix sets GOMAXPROCS to the quota", fix=c.get("fix"))
        sc.check("throttled in" in text and "throttled period" in text,
                 "the evidence has the throttling and the stall per period", text=text)
        check_stall(text, before, after)
        facts = g.facts("cpu_throttling", pod.subject())
        if sc.check(facts, "a cpu_throttling fact about the pod"):
            a = facts[0]["attrs"]
            for k in ("nr_periods", "nr_throttled"):
                sc.check(before[k] <= a.get(k, -1) <= after[k],
                         "%s lies between the kernel's two readings" % k,
                         before=before[k], fact=a.get(k), after=after[k])
            sc.check(0 < a.get("sample_throttled", 0) <= a.get("sample_periods", 0),
                     "throttled periods in the sample, at most all of them", attrs=a)
        budget = g.facts("cpu_budget", pod.subject())
        if sc.check(budget, "a cpu_budget fact about the pod"):
            a = budget[0]["attrs"]
            sc.eq(a.get("gomaxprocs"), procs, "GOMAXPROCS vs the runtime's own line")
            sc.eq(a.get("quota_cpus"), QUOTA, "the quota vs the pod spec")
            sc.eq(a.get("pid"), start["pid"], "the process vs runc's pid")
        sc.note("verdict %.1f s after the start:\n%s" % (v["time_ns"] / 1e9 - start["time"], text))


if __name__ == "__main__":
    main()
    sc.done()
