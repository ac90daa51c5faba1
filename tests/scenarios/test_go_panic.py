#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""go-panic: a nil pointer dereference in a handler at startup.

gotrace must name, within the first crash: exit code 2, the panic message and
the panicking goroutine's top user frame, as the Go runtime itself printed
them to the container's log (the oracle: its own traceback), and a fix that
names that function.
"""
import scenario as sc

with sc.Scenario("go-panic") as s:
    g = s.gotrace()
    # GOTRACEBACK=system: the runtime prints pcs too, which the harness parser wants.
    pod = s.pod(binary=sc.fixture("crashy"), args=["panic"], restarts=1,
                env="GOTRACEBACK=system")
    pod.wait_start(0)
    exit0 = pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "go-panic"):
        log = pod.log(0)
        tb = sc.harness.parse_traceback(log)
        want = sc.first_user_frame(tb)
        panic_line = next((l for l in log.split("\n") if l.startswith("panic: ")), "")
        c = sc.top(v)
        sc.check(want is not None, "the runtime printed no traceback", log=log[-2000:])
        sc.eq(exit0 and exit0["exit_code"], 2, "the runtime exits 2 after a panic (oracle)")
        sc.eq(v.get("exit_code"), exit0 and exit0["exit_code"], "exit code vs runc's")
        sc.check(c.get("rule", "").startswith("crash_go_fatal"), "#1 is the Go fatal error",
                 candidate=c)
        msg = panic_line[len("panic: "):].split(" [")[0]
        sc.check(msg and msg in c.get("cause", ""), "the panic message as the runtime printed it",
                 runtime=msg, cause=c.get("cause"))
        fatal = g.facts("go_fatal", pod.subject())
        top_frame = fatal[0]["attrs"].get("top_frame") if fatal else None
        func, path, line = sc.frame_func(top_frame)
        if want:
            sc.eq(func, want[0], "top user frame: function (runtime's traceback)")
            sc.eq(line, want[2], "top user frame: line (runtime's traceback)")
            sc.eq(path, want[1], "top user frame: file (runtime's traceback)")
            sc.check(want[0] in c.get("fix", ""), "the fix names the panicking function",
                     fix=c.get("fix"))
sc.done()
