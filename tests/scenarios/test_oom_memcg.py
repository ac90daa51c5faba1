#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""oom-memcg: the Go heap grows past the container's memory limit, GOMEMLIMIT
unset. Run under `watch` (crash alone cannot see why the kernel killed it;
GOTRACE_SCENARIO_ARGS can name another command that can, e.g. "oom").

Within the first death: a memcg OOM kill of the container, the victim pid as
the kernel's own "Killed process <pid>" line names it, the limit the pod was
given, GOMEMLIMIT unset as the cause and GOMEMLIMIT as the fix.
"""
import os
import re
import subprocess

import scenario as sc

LIMIT_MIB = 48
# 28 MiB live and garbage at 64 MiB/s: GOGC=100 puts the next GC at twice the
# live heap, 56 MiB, above the 48 MiB limit, so the garbage fills the cgroup
# first; GOMEMLIMIT under the limit would make the GC run in time. (A pure
# leak is the other diagnosis, "the live heap needs the memory", which no GC
# knob fixes; at 24 MiB/s which one a death gets depends on when the last GC
# ran, so it is not this scenario.)
WORKLOAD = ["-mode", "garbage", "-base-mib", "28", "-rate-mib", "64"]
ARGS = os.environ.get("GOTRACE_SCENARIO_OOM_ARGS", "watch --facts").split()


def killed_pids():
    """pids in the kernel's "Killed process" lines (the log is a ring: no offsets)."""
    out = subprocess.run(["dmesg"], stdout=subprocess.PIPE, text=True).stdout
    return [int(p) for p in re.findall(r"Killed process (\d+)", out)]


def run(name, env, mode_args, cause_words, fix_words):
    with sc.Scenario(name) as s:
        g = s.gotrace(ARGS)
        pod = s.pod(binary=sc.fixture("oomalloc"), args=mode_args, restarts=1,
                    memory="%dM" % LIMIT_MIB, env=env)
        first = pod.wait_start(0)
        exit0 = pod.wait_exit(0, timeout=60)
        v = g.wait_verdict(pod.subject(), timeout=30)
        if not sc.check_first_death(v, pod, name):
            return
        c = sc.top(v)
        sc.eq(exit0 and exit0["signal"], 9, "runc: the container was SIGKILLed (oracle)")
        kernel = killed_pids()
        sc.check(first["pid"] in kernel, "the kernel's dmesg names the first instance as the "
                 "victim (oracle)", kernel=kernel, pid=first["pid"])
        kill = [f for f in g.facts("oom_kill", pod.subject())]
        if sc.check(kill, "an oom_kill fact about the pod"):
            a = kill[0]["attrs"]
            sc.eq(a.get("victim_pid"), first["pid"], "victim pid vs the kernel's line")
            sc.eq(a.get("limit_bytes"), LIMIT_MIB << 20, "the limit vs the pod spec")
        sc.check(c.get("rule", "").startswith("oom"), "#1 is the OOM kill", candidate=c)
        text = sc.text_of(c)
        for w in cause_words:
            sc.check(w in c.get("cause", ""), "cause names %r" % w, cause=c.get("cause"))
        for w in fix_words:
            sc.check(w in c.get("fix", ""), "fix names %r" % w, fix=c.get("fix"))
        sc.check("%d" % LIMIT_MIB in text, "the limit appears in the evidence", text=text)


if __name__ == "__main__":
    run("oom-memcg", ["GOTRACEBACK=system"], WORKLOAD, ["GOMEMLIMIT unset"], ["GOMEMLIMIT"])
    sc.done()
