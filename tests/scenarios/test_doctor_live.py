#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every crash-loop scenario under `gotrace doctor --live`.

Doctor is what someone runs once a pod is reported crash-looping: the pod is
started first (restarting with back-off), then `doctor --pod UID --live 6
--json` runs its checks and a live window in which the next instance dies
in front of the tracers. Its #1 candidate must name the scenario's cause.

The oracle for each scenario is how the test built it (../shared
SCENARIOS.md): the words the cause must contain come from the failure the
test injected (the program's mode, the limit, the environment, the
capabilities), and each is confirmed against the program's own output in
the container log, where the program reports it.
"""
import json
import os
import subprocess
import uuid

import scenario as sc
import test_cpu_throttle as cpu_throttle
import test_oom_memcg as oom_memcg

WINDOW = "6"
# For development: run only the scenarios whose name contains this.
ONLY = os.environ.get("DOCTOR_LIVE_ONLY", "")


def doctor(s, uid):
    p = subprocess.run([sc.GOTRACE, "--host-root", s.host_root, "doctor", "--pod", uid,
                        "--live", WINDOW, "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        return None, p


def check(name, s, pod, words, log_words=()):
    pod.wait_exit(0, timeout=60)
    doc, p = doctor(s, pod.uid)
    if not sc.check(doc is not None, "%s: doctor printed one JSON document" % name,
                    stdout=p.stdout[-800:], stderr=p.stderr[-800:]):
        return
    sc.check(p.returncode in (4, 5), "%s: doctor's exit code says it found something" % name,
             rc=p.returncode)
    cands = doc.get("candidates") or []
    c = cands[0] if cands else {}
    text = sc.text_of(c)
    for w in words:
        sc.check(w in text, "%s: the #1 candidate names %r" % (name, w), top=text[:1500])
    log = pod.log(0) or ""
    for w in log_words:
        sc.check(w in log, "%s: the program itself reports %r (oracle)" % (name, w), log=log[-800:])


def scenario(name, words, log_words=(), **podspec):
    if ONLY and ONLY not in name:
        return
    with sc.Scenario("doctor-" + name) as s:
        pod = s.pod(restarts=3, backoff=1.5, **podspec)
        pod.wait_start(0)
        check(name, s, pod, words, log_words)


def main():
    sc.require()
    crashy = sc.fixture("crashy")
    scenario("go-panic", ["nil pointer dereference", "main.(*handler).serve"],
             ["panic: runtime error: invalid memory address"], binary=crashy, args=["panic"])
    scenario("go-stack-overflow", ["stack exceeds", "main.recurse"],
             ["goroutine stack exceeds"], binary=crashy, args=["overflow"])
    scenario("bind-privileged", ["80", "CAP_NET_BIND_SERVICE"], ["permission denied"],
             binary=crashy, args=["listen", ":80"], user=1000, caps="")
    scenario("oom-memcg", ["GOMEMLIMIT unset"], binary=sc.fixture("oomalloc"),
             args=oom_memcg.WORKLOAD, memory="%dM" % oom_memcg.LIMIT_MIB)
    scenario("oom-gogc-off", ["GOGC=off"], binary=sc.fixture("oomalloc"),
             args=["-mode", "garbage", "-rate-mib", "64"], memory="48M", env="GOGC=off")
    scenario("exec-libc", ["ld-linux-x86-64.so.2", "CGO_ENABLED=0"],
             binary=sc.fixture("crashy", toolchain="go1.19", variant="cgo"), args=["serve", ":8080"])
    if not ONLY or ONLY in "cpu-throttle":
        with sc.Scenario("doctor-cpu-throttle") as s:
            # Nothing dies: doctor runs while the service spins under its quota.
            pod = s.pod(**cpu_throttle.pod_spec())
            pod.wait_start(0)
            procs = cpu_throttle.runtime_gomaxprocs(pod)
            doc, p = doctor(s, pod.uid)
            if sc.check(doc is not None, "cpu-throttle: doctor printed one JSON document",
                        stderr=p.stderr[-800:]):
                sc.check(p.returncode in (4, 5), "cpu-throttle: doctor's exit code says it "
                         "found something", rc=p.returncode)
                c = (doc.get("candidates") or [{}])[0]
                for w in ("GOMAXPROCS=%s" % procs, "%.2f CPUs" % cpu_throttle.QUOTA,
                          "throttled in"):
                    sc.check(w in sc.text_of(c), "cpu-throttle: the #1 candidate names %r" % w,
                             top=sc.text_of(c)[:1500])
    with sc.Scenario("doctor-config-missing") as s:
        vol = s.path("config-volume")
        os.makedirs(vol)
        with open(os.path.join(vol, "config.yaml"), "w") as fp:
            fp.write("port: 8080\n")
        pod = s.pod(binary=crashy, args=["config"], restarts=3, backoff=1.5, cwd="/src",
                    env="APP_HOME=/app", mount="%s:/app/config:ro" % vol)
        pod.wait_start(0)
        check("config-missing", s, pod, ["config.yaml", "/app"],
              ["open config.yaml: no such file or directory"])
    with sc.Scenario("doctor-bind-in-use") as s:
        uid = str(uuid.uuid4())
        side = s.pod(uid=uid, container="sidecar", binary=crashy, args=["serve", ":8080"])
        holder = side.wait_start(0)
        pod = s.pod(uid=uid, binary=crashy, args=["listen", ":8080"], restarts=3, backoff=1.5)
        pod.wait_start(0)
        check("bind-in-use", s, pod, ["EADDRINUSE", str(holder["pid"])],
              ["address already in use"])
    sc.done()


main()
