#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""exec-libc: a CGO_ENABLED=1 (glibc-linked) Go binary in an image with no libc.

execve fails with ENOENT although the binary is there: its ELF interpreter is
not. Oracles: readelf's PT_INTERP of the binary, the image folder (the
interpreter is absent, the binary present), runc's own error in the
container log. The fix must name CGO_ENABLED=0 (SCENARIOS.md).
"""
import os
import shutil

import scenario as sc

with sc.Scenario("exec-libc") as s:
    binary = sc.fixture("crashy", toolchain="go1.19", variant="cgo")
    interp = sc.elf_interpreter(binary)
    sc.check(interp, "the cgo fixture has a PT_INTERP (readelf)")
    rootfs = s.path("rootfs")
    for d in ("app", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(rootfs, d))
    shutil.copy2(binary, os.path.join(rootfs, "app", "server"))
    sc.check(not os.path.exists(os.path.join(rootfs, interp.lstrip("/"))),
             "the image lacks the interpreter (oracle: the image folder)")
    g = s.gotrace()
    pod = s.pod(rootfs=rootfs, args=["/app/server", "panic"], restarts=1)
    pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "exec-libc"):
        c = sc.top(v)
        log = pod.log(0)
        sc.check("no such file or directory" in log, "runc reports ENOENT (oracle)", log=log)
        sc.eq(c.get("rule"), "crash_exec_fail", "#1 is the failed exec")
        sc.check("/app/server" in c.get("cause", "") and interp in c.get("cause", ""),
                 "the cause names the binary and the missing interpreter",
                 cause=c.get("cause"), interpreter=interp)
        fails = g.facts("exec_fail", pod.subject())
        a = fails[0]["attrs"] if fails else {}
        sc.eq(a.get("errno_name"), "ENOENT", "execve's errno")
        sc.eq(a.get("interpreter"), interp, "interpreter vs readelf")
        sc.eq(a.get("interpreter_exists"), False, "interpreter absent from the root")
        sc.eq(a.get("file_exists"), True, "the binary itself is there")
        sc.check("CGO_ENABLED=0" in c.get("fix", ""), "the fix names CGO_ENABLED=0",
                 fix=c.get("fix"))
sc.done()
