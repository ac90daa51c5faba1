#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""go-panic, in a process that was already running when gotrace started:
its binary gets the fatal-path uprobes from the start-up scan (no exec to
hold), so its panic is still captured with the message and the stack.
Oracle: the runtime's own traceback in the container log.
"""
import scenario as sc

with sc.Scenario("go-panic-running") as s:
    pod = s.pod(binary=sc.fixture("crashy"), args=["panic-later", "4000"],
                env="GOTRACEBACK=system")
    pod.wait_start(0)
    g = s.gotrace()  # after the process started
    pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check(v, "a verdict for the running process's death"):
        tb = sc.harness.parse_traceback(pod.log(0))
        want = sc.first_user_frame(tb)
        fatal = g.facts("go_fatal", pod.subject())
        sc.check(fatal, "the panic was captured by the uprobes attached at start-up")
        if fatal and want:
            func, path, line = sc.frame_func(fatal[0]["attrs"].get("top_frame"))
            sc.eq((func, line), (want[0], want[2]), "top user frame vs the runtime's traceback")
        sc.eq(sc.top(v).get("rule"), "crash_go_fatal", "#1 is the Go panic")
sc.done()
