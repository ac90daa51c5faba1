#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`gotrace bind` on the bind-privileged and bind-in-use workloads: every
bind/listen with its outcome (the sidecar's successful listen too), and for
the failure the candidate with the holder or the missing capability.

Oracles: the sidecar's pid (runc state), the programs' own errors in their
container logs, the pod netns's net.ipv4.ip_unprivileged_port_start.
(This also runs the harness with another gotrace command line.)
"""
import uuid

import scenario as sc

with sc.Scenario("bind-command") as s:
    g = s.gotrace(args=["bind"])
    uid = str(uuid.uuid4())
    side = s.pod(uid=uid, container="sidecar", binary=sc.fixture("crashy"),
                 args=["serve", ":8080"])
    holder = side.wait_start(0)
    ok = g.wait_for(lambda d: d["kind"] == "bind" and d["attrs"]["pid"] == holder["pid"]
                    and d["attrs"]["syscall"] == "listen", 10)
    sc.check(ok and ok["attrs"]["ok"], "the sidecar's successful listen is reported", doc=ok)
    if ok:
        sc.eq(ok["attrs"].get("port"), 8080, "the listen's port (the socket's own address)")
    inuse = s.pod(uid=uid, binary=sc.fixture("crashy"), args=["listen", ":8080"])
    inuse.wait_exit(0)
    # restarts=1: the pod (and its netns, read below) outlives the first death.
    priv = s.pod(binary=sc.fixture("crashy"), args=["listen", ":80"], user=1000, caps="",
                 restarts=1)
    priv.wait_exit(0)
    for pod, errno_name, want in ((inuse, "EADDRINUSE", str(holder["pid"])),
                                  (priv, "EACCES", None)):
        v = g.wait_verdict(pod.subject())
        if not sc.check(v, "a verdict for the %s failure" % errno_name):
            continue
        sc.eq(v.get("kind"), "bind", "the verdict is about a bind")
        c = sc.top(v)
        log = pod.log(0)
        sc.check(("address already in use" if errno_name == "EADDRINUSE" else
                  "permission denied") in log, "the program's own error (oracle)", log=log)
        fails = [f["attrs"] for f in g.facts("bind", pod.subject()) if not f["attrs"]["ok"]]
        sc.eq(fails[0].get("errno_name") if fails else None, errno_name, "the errno")
        if want:
            sc.check(want in c.get("cause", ""), "the cause names the holder's pid",
                     cause=c.get("cause"))
        else:
            start = sc.netns_sysctl(pod.netns(), "net.ipv4.ip_unprivileged_port_start")
            sc.check(start and start in c.get("cause", ""),
                     "the cause names the pod netns's ip_unprivileged_port_start", cause=c)
sc.done()
