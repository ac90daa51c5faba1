#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""go-stack-overflow: unbounded recursion until the goroutine stack limit.

gotrace must name "goroutine stack exceeds <N>-byte limit" and the recursing
function. Oracles: the runtime's own output in the container log (the limit
line and the failing goroutine's first frame) and the fixture's source
(MARK:overflow-line).
"""
import re

import scenario as sc

with sc.Scenario("go-stack-overflow", timeout=90) as s:
    g = s.gotrace()
    pod = s.pod(binary=sc.fixture("crashy"), args=["overflow"], restarts=1,
                env="GOTRACEBACK=system")
    exit0 = pod.wait_exit(0, timeout=60)
    v = g.wait_verdict(pod.subject(), timeout=60)
    if sc.check_first_death(v, pod, "go-stack-overflow"):
        c = sc.top(v)
        log = pod.log(0)
        m = re.search(r"goroutine stack exceeds (\d+)-byte limit", log)
        sc.check(m, "the runtime printed the limit (oracle)", log=log[:2000])
        sc.eq(exit0 and exit0["exit_code"], 2, "exit code 2 (runc)")
        gid = re.search(r"\ngoroutine (\d+) .*\[running\]", log)
        tb = sc.harness.parse_traceback(log[log.find("\ngoroutine "):] if gid else log)
        want = sc.first_user_frame(tb, int(gid.group(1)) if gid else None)
        sc.eq(c.get("rule"), "crash_go_fatal", "#1 is the Go fatal error")
        if m:
            sc.check("%s-byte limit" % m.group(1) in c.get("cause", ""),
                     "the cause names the limit the runtime printed", cause=c.get("cause"))
        if sc.check(want, "the runtime printed the failing goroutine", log=log[:3000]):
            sc.check(want[0] in c.get("cause", ""), "the cause names the recursing function",
                     want=want[0], cause=c.get("cause"))
            sc.check(want[0] in c.get("fix", ""), "the fix names the recursing function",
                     fix=c.get("fix"))
sc.done()
