#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bind-privileged: a non-root process without CAP_NET_BIND_SERVICE listens on :80.

Oracles: the Go program's own error in the container log (permission
denied), the pod network namespace's net.ipv4.ip_unprivileged_port_start
read through ip netns exec, the capabilities we gave runc (none) and the
uid. The fix must name NET_BIND_SERVICE and a port above the sysctl.
"""
import scenario as sc

PORT = 80
UID = 1000

with sc.Scenario("bind-privileged") as s:
    g = s.gotrace()
    pod = s.pod(binary=sc.fixture("crashy"), args=["listen", ":%d" % PORT], restarts=1,
                user=UID, caps="")
    pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "bind-privileged"):
        c = sc.top(v)
        log = pod.log(0)
        start = int(sc.netns_sysctl(pod.netns(), "net.ipv4.ip_unprivileged_port_start") or -1)
        sc.check("permission denied" in log, "the program reports EACCES (oracle)", log=log)
        sc.check(0 < PORT < start, "port %d is privileged in the pod's netns" % PORT, start=start)
        sc.eq(c.get("rule", "").split(",")[0], "bind_privileged", "#1 is the privileged bind")
        binds = [b for b in g.facts("bind", pod.subject()) if not b["attrs"].get("ok")]
        a = binds[0]["attrs"] if binds else {}
        sc.eq(a.get("errno_name"), "EACCES", "bind's errno")
        sc.eq(a.get("port"), PORT, "the port")
        sc.eq(a.get("ip_unprivileged_port_start"), start, "the sysctl vs the pod's netns")
        sc.eq(a.get("uid"), UID, "the uid vs runc's config")
        sc.eq(int(a.get("caps_effective", "-1"), 16), 0, "effective capabilities vs runc's config")
        sc.eq(a.get("cap_net_bind_service"), False, "no CAP_NET_BIND_SERVICE")
        fix = c.get("fix", "")
        sc.check("NET_BIND_SERVICE" in fix and str(start) in fix,
                 "the fix names the capability and the sysctl's port", fix=fix)
sc.done()
