#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""exec-arch: a GOARCH=arm64 binary on an amd64 node: execve fails with ENOEXEC.

Oracles: readelf -h's Machine of the binary and of the node's own
executables (uname), runc's error in the container log.
"""
import os

import scenario as sc

if os.uname().machine != "x86_64":
    sc.skip("the exec-arch scenario runs an arm64 binary on an x86-64 node")
if os.path.exists("/proc/sys/fs/binfmt_misc/qemu-aarch64"):
    sc.skip("binfmt_misc runs arm64 binaries here (qemu-user): no ENOEXEC")

with sc.Scenario("exec-arch") as s:
    binary = sc.cross_build("crashy", "arm64")
    machine = sc.elf_machine(binary)
    sc.check(machine and "AArch64" in machine, "readelf: the binary is AArch64", machine=machine)
    g = s.gotrace()
    pod = s.pod(binary=binary, args=["panic"], restarts=1)
    pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "exec-arch"):
        c = sc.top(v)
        log = pod.log(0)
        sc.check("exec format error" in log, "runc reports ENOEXEC (oracle)", log=log)
        sc.eq(c.get("rule"), "crash_exec_fail", "#1 is the failed exec")
        fails = g.facts("exec_fail", pod.subject())
        a = fails[0]["attrs"] if fails else {}
        sc.eq(a.get("errno_name"), "ENOEXEC", "execve's errno")
        sc.check(a.get("elf_machine", "").lower() in machine.lower(),
                 "the binary's machine vs readelf", gotrace=a.get("elf_machine"), readelf=machine)
        sc.eq(a.get("host_machine"), os.uname().machine, "the node's machine vs uname")
        sc.check(a.get("elf_machine", "?") in c.get("cause", ""), "the cause names the architecture",
                 cause=c.get("cause"))
        sc.check("GOARCH=amd64" in c.get("fix", ""), "the fix names the node's GOARCH",
                 fix=c.get("fix"))
sc.done()
