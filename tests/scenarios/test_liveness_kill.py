#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""liveness-kill (the sender half): the health handler blocks on a mutex a
stuck goroutine holds; a stand-in for the kubelet (probe_killer.py, comm
"kubelet") probes it, times out, sends SIGTERM, then SIGKILL after a grace
period; the program's SIGTERM handler waits for the blocked handler.

gotrace must name SIGKILL from that sender after its SIGTERM and the grace
period. Oracles: probe_killer's own record (its pid, what it sent, when),
runc's exit status. Under watch also the blocked-handler half: the goroutines
dumped from memory at the SIGTERM (the fixture's MARK lines are the oracle).
"""
import json
import subprocess

import scenario as sc

GRACE = 1.0

with sc.Scenario("liveness-kill") as s:
    g = s.gotrace()
    pod = s.pod(binary=sc.fixture("crashy"), args=["liveness", ":8080"], restarts=1)
    first = pod.wait_start(0)
    g.wait_for(lambda d: d["kind"] == "exec" and d["attrs"]["pid"] == first["pid"], 10)
    p = subprocess.run(["ip", "netns", "exec", pod.netns(), sc.PYTHON,
                        sc.os.path.join(sc.HERE, "probe_killer.py"), "--pid", str(first["pid"]),
                        "--url", "http://127.0.0.1:8080/healthz", "--grace", str(GRACE)],
                       stdout=subprocess.PIPE, timeout=30)
    acts = [json.loads(l) for l in p.stdout.decode().split("\n") if l.strip()]
    kills = [a for a in acts if a["action"] == "kill"]
    sc.eq([k["signal"] for k in kills], ["SIGTERM", "SIGKILL"], "the stand-in sent both (oracle)")
    exit0 = pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "liveness-kill") and len(kills) == 2:
        c = sc.top(v)
        sender = kills[0]["pid"]
        sc.eq(exit0 and exit0["signal"], 9, "runc: killed by SIGKILL")
        sc.eq(v.get("signal"), 9, "the verdict's signal")
        sc.eq(c.get("rule"), "crash_killed", "#1 is the kill")
        sigs = {f["attrs"]["signal_name"]: f["attrs"] for f in g.facts("signal", pod.subject())}
        for name in ("SIGTERM", "SIGKILL"):
            a = sigs.get(name, {})
            sc.eq(a.get("sender_pid"), sender, "%s sender vs the stand-in's pid" % name)
            sc.eq(a.get("sender_comm"), "kubelet", "%s sender's comm" % name)
        sc.check(str(sender) in c.get("cause", ""), "the cause names the sender's pid",
                 cause=c.get("cause"))
        grace = kills[1]["time"] - kills[0]["time"]
        sc.check("%.1f s" % grace in c.get("cause", ""), "the grace period as the stand-in "
                 "measured it", grace=grace, cause=c.get("cause"))
        sc.check("SIGTERM" in c.get("fix", ""), "the fix is about the SIGTERM shutdown",
                 fix=c.get("fix"))
        if "watch" in sc.DEFAULT_ARGS:
            # The blocked-handler half: watch dumps a Go process's goroutines when it is
            # told to stop. The oracle is the fixture's source (MARK lines).
            _, blocked = sc.harness.marks("crashy")["blocked"]
            text = sc.text_of(c)
            sc.check("sync.Mutex.Lock" in text and "main.go:%d" % blocked in text,
                     "the verdict names the health handler blocked on the mutex at "
                     "MARK:blocked (main.go:%d)" % blocked, text=text)
            # The holder (the function with MARK:holder) is parked in its select{} after it.
            sc.check("main.stuck" in text, "the verdict points at the goroutine holding the "
                     "lock (main.stuck, MARK:holder)", text=text)
sc.done()
