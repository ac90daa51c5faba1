#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""output-writev: a static musl C program prints through stdio and exits 1.
musl's stdio writes with writev(2) (the buffer and the new data as two
iovecs), never write(2): the last-output evidence must still hold what it
printed.

Oracles: the container log (what the program printed, as the runtime
captured it), strace of the same binary on the host (it does use writev and
no write), the exit code minikubelet saw.
"""
import shutil
import subprocess

import scenario as sc

SRC = r"""
#include <stdio.h>
int main(void)
{
	printf("worker %d: loading rules from %s\n", 7, "/etc/worker/rules.d");
	fflush(stdout);
	fprintf(stderr, "fatal: rule %s line %d: unknown action\n", "50-deny.rule", 12);
	return 1;
}
"""

if not shutil.which("musl-gcc"):
    sc.skip("musl-gcc is not installed (scripts/setup.sh installs musl-tools)")

with sc.Scenario("output-writev") as s:
    src, exe = s.path("worker.c"), s.path("worker")
    with open(src, "w") as fp:
        fp.write(SRC)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", exe, src], check=True)
    st = subprocess.run(["strace", "-f", "-qq", "-e", "trace=write,writev", exe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    calls = st.stderr.decode(errors="replace")
    sc.check("writev(" in calls and "write(" not in calls.replace("writev(", ""),
             "the program writes with writev only (strace)", strace=calls)
    g = s.gotrace()
    pod = s.pod(binary=exe, restarts=1)
    exit0 = pod.wait_exit(0)
    v = g.wait_verdict(pod.subject())
    if sc.check_first_death(v, pod, "output-writev"):
        c = sc.top(v)
        lines = [ln for ln in pod.log(0).splitlines() if ln.strip()]
        sc.eq(len(lines), 2, "the container log holds both lines (oracle)", log=lines)
        sc.eq(v.get("exit_code"), exit0 and exit0["exit_code"], "the exit code")
        outs = g.facts("output", pod.subject())
        tail = outs[0]["attrs"].get("tail", "") if outs else ""
        for ln in lines:
            sc.check(ln in tail, "the captured output holds a line of the log", line=ln,
                     tail=tail)
        text = sc.text_of(c)
        sc.check(lines and lines[-1] in text, "the #1 candidate shows the last line",
                 candidate=text)
sc.done()
