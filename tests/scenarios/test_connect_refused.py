#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""connect-refused: the program dials its dependency (DIAL_ADDR) at startup,
nothing listens there, and it exits 1. Go connects non-blocking: connect(2)
returns EINPROGRESS and the refusal comes back later through
getsockopt(SO_ERROR), which is what gotrace must catch.

Oracles: the program's own error in the container log ("dial tcp ADDR:
connect: connection refused", Go's text for the errno), the kernel's view of
the pod's network namespace (`ss` run inside it: nothing listens on the
port), the pod spec we gave runc (the address), the exit code minikubelet
saw.
"""
import errno
import os
import re
import subprocess

import scenario as sc

ADDR = "127.0.0.1:5432"

with sc.Scenario("connect-refused") as s:
    g = s.gotrace()
    pod = s.pod(binary=sc.fixture("crashy"), args=["dial"], restarts=1,
                env="DIAL_ADDR=%s" % ADDR)
    start0 = pod.wait_start(0)
    exit0 = pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "connect-refused"):
        c = sc.top(v)
        log = pod.log(0)
        m = re.search(r"dial tcp (\S+): connect: (.+)", log)
        sc.check(m is not None, "the program reports the failed dial (oracle)", log=log)
        logged_addr, logged_err = (m.group(1), m.group(2).strip()) if m else (None, None)
        sc.eq(logged_addr, ADDR, "the logged address is the pod spec's")
        sc.eq((logged_err or "").lower(), os.strerror(errno.ECONNREFUSED).lower(),
              "the program saw ECONNREFUSED (oracle: its log)")
        ss = subprocess.run(["ip", "netns", "exec", pod.netns(), "ss", "-Htln"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
        sc.check(":%s " % ADDR.rsplit(":", 1)[1] not in ss,
                 "nothing listens on the port in the pod's netns (ss)", ss=ss)
        sc.eq(c.get("rule", "").split(",")[0], "crash_connect_fail", "#1 is the refused connect")
        # The first instance's facts (runc may not name a pid that died this fast).
        pid = start0.get("pid") or v.get("pid")
        fails = [f for f in g.facts("connect_fail", pod.subject()) if f["attrs"].get("pid") == pid]
        a = fails[0]["attrs"] if fails else {}
        sc.eq(a.get("errno_name"), errno.errorcode[errno.ECONNREFUSED], "the errno")
        sc.eq(a.get("address"), logged_addr, "the address vs the program's log")
        sc.eq(a.get("nonblocking"), True, "seen through SO_ERROR after EINPROGRESS")
        sc.eq(v.get("exit_code"), exit0 and exit0["exit_code"], "the exit that followed")
        for part in (ADDR, "ECONNREFUSED"):
            sc.check(part in c.get("cause", ""), "the cause names %s" % part,
                     cause=c.get("cause"))
        sc.check(ADDR in c.get("fix", ""), "the fix names the address", fix=c.get("fix"))
sc.done()
