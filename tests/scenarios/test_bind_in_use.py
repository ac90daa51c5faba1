#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bind-in-use: the port is already held — here by a sidecar container of the
same pod (same network namespace), started first.

Oracles: the sidecar's pid as minikubelet started it (runc state), the
program's own "address already in use" in the container log. The fix names
the holder.
"""
import uuid

import scenario as sc

PORT = 8080

with sc.Scenario("bind-in-use") as s:
    g = s.gotrace()
    uid = str(uuid.uuid4())
    side = s.pod(uid=uid, container="sidecar", binary=sc.fixture("crashy"),
                 args=["serve", ":%d" % PORT])
    holder = side.wait_start(0)
    sc.check(holder["pid"] > 0, "the sidecar's pid is known (runc state)")
    g.wait_for(lambda d: d["kind"] == "exec" and d["attrs"]["pid"] == holder["pid"], 10)
    pod = s.pod(uid=uid, binary=sc.fixture("crashy"), args=["listen", ":%d" % PORT],
                restarts=1)
    pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "bind-in-use"):
        c = sc.top(v)
        log = pod.log(0)
        sc.check("address already in use" in log, "the program reports EADDRINUSE (oracle)",
                 log=log)
        sc.eq(c.get("rule", "").split(",")[0], "bind_in_use", "#1 is the port in use")
        binds = [b for b in g.facts("bind", pod.subject()) if not b["attrs"].get("ok")]
        a = binds[0]["attrs"] if binds else {}
        sc.eq(a.get("errno_name"), "EADDRINUSE", "bind's errno")
        sc.eq(a.get("port"), PORT, "the port")
        sc.eq(a.get("holder_pid"), holder["pid"], "the holder vs the sidecar's pid")
        sc.eq(a.get("holder_subject"), side.subject(), "the holder's container")
        sc.eq(a.get("holder_same_pod"), True, "the holder is in the same pod")
        sc.check(str(holder["pid"]) in c.get("cause", ""), "the cause names the holder's pid",
                 cause=c.get("cause"))
sc.done()
