#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""config-missing: the program opens config.yaml relative to its cwd (/src);
APP_HOME=/app, and the file is in a volume mounted at /app/config.

gotrace must name the failed open (path, errno), the cwd, the env var, the
volume, where the file really is, and the exit that followed. Oracles: the
program's own error in the container log, the pod spec we gave runc (cwd,
env, mount), the file on the host side of the volume.
"""
import os

import scenario as sc

with sc.Scenario("config-missing") as s:
    vol = s.path("config-volume")
    os.makedirs(vol)
    with open(os.path.join(vol, "config.yaml"), "w") as fp:
        fp.write("port: 8080\n")
    g = s.gotrace()
    pod = s.pod(binary=sc.fixture("crashy"), args=["config"], restarts=1, cwd="/src",
                env="APP_HOME=/app", mount="%s:/app/config:ro" % vol)
    exit0 = pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "config-missing"):
        c = sc.top(v)
        log = pod.log(0)
        sc.check("open config.yaml: no such file or directory" in log,
                 "the program reports the ENOENT (oracle)", log=log)
        sc.eq(c.get("rule", "").split(",")[0], "crash_open_fail", "#1 is the failed open")
        opens = [f for f in g.facts("open_fail", pod.subject())
                 if f["attrs"].get("path") == "config.yaml"]
        a = opens[0]["attrs"] if opens else {}
        sc.eq(a.get("errno_name"), "ENOENT", "openat's errno")
        sc.eq(a.get("cwd"), "/src", "cwd vs the pod spec")
        sc.eq(a.get("abs_path"), "/src/config.yaml", "the path the kernel resolved")
        sc.check("APP_HOME=/app" in a.get("path_env", ""), "APP_HOME vs the pod spec",
                 path_env=a.get("path_env"))
        sc.check("/app/config" in a.get("mounts", ""), "the volume vs the pod spec",
                 mounts=a.get("mounts"))
        sc.eq(a.get("found_path"), "/app/config/config.yaml",
              "where the file is (the volume holds it: oracle the host folder)")
        sc.eq(v.get("exit_code"), exit0 and exit0["exit_code"], "the exit that followed")
        for part in ("/src", "APP_HOME=/app", "/app/config"):
            sc.check(part in c.get("cause", ""), "the cause names %s" % part,
                     cause=c.get("cause"))
        sc.check("/app/config/config.yaml" in c.get("fix", ""), "the fix names the real path",
                 fix=c.get("fix"))
sc.done()
