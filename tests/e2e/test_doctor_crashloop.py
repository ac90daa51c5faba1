# SPDX-License-Identifier: GPL-2.0
"""`gotrace doctor` on crash-looping pods, usually with no process to look at.

  exec-libc       a CGO_ENABLED=1 (glibc) build in a root without libc: exec
                  fails before Go runs. doctor --pod (no pid) names the
                  missing ELF interpreter; oracle: readelf -l of the binary,
                  the image directory the test made, runc's line in the log
  config-missing  the config file is opened relative to the working
                  directory while the volume holding it is mounted elsewhere
                  and APP_HOME points at neither; oracle: the layout the test
                  made and the fixture's own error line
  oom             the heap outgrows a 64 MiB limit at start, every restart;
                  oracle: the kernel's "Killed process" lines (/dev/kmsg)
"""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, done, eq, fixtures, note, require_gotrace, require_root  # noqa: E402
from doctorkit import Pod, check as chk, doctor, doctorapp, fact, facts, readelf_interp  # noqa: E402
from oomkit import Kmsg  # noqa: E402


def image_with(binary, name):
    """A root holding only /app/<name> (and the mount points runc needs)."""
    root = tempfile.mkdtemp(prefix="gotrace-doctor-image-")
    for d in ("app", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy2(binary, os.path.join(root, "app", name))
    return root


def top(doc):
    return doc["candidates"][0] if doc and doc["candidates"] else {}


def exec_libc():
    cgo = fixtures(prog="httpd", variant="cgo")
    if not cgo:
        note("exec-libc: no cgo httpd fixture (the system Go builds it): skipped")
        return
    binary = cgo[0]["path"]
    interp = readelf_interp(binary)
    if not check(interp is not None, "exec-libc: readelf names the fixture's interpreter"):
        return
    root = image_with(binary, "httpd")
    try:
        with Pod(rootfs=root, args=["/app/httpd"], restarts=30, backoff=1.5) as pod:
            pod.next_event("exit")
            line = pod.wait_log(r"exec /app/httpd: no such file or directory")
            if not check(line is not None, "exec-libc: runc's exec error is in the log",
                         log=pod.log()):
                return
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0", "--rootfs", root],
                                  pod.host_root)
            if not check(doc is not None, "exec-libc: doctor JSON", stderr=err[-1500:]):
                return
            b = fact(doc, "binary")
            eq(chk(doc, "go.build")["status"], "fail", "exec-libc: go.build fails",
               check=chk(doc, "go.build"))
            eq(b.get("path"), "/app/httpd", "exec-libc: the binary is the one the log names")
            eq(b.get("interp"), interp, "exec-libc: interpreter = readelf -l")
            eq(b.get("interp_present"), False, "exec-libc: not in the image")
            eq(b.get("root_libc"), "none", "exec-libc: the image has no libc")
            eq(b.get("cgo_enabled"), "1", "exec-libc: CGO_ENABLED=1 from the build info")
            eq(top(doc).get("rule"), "doctor.exec_fail", "exec-libc: #1 candidate",
               candidates=[c["cause"] for c in doc["candidates"]])
            check(interp in top(doc).get("cause", ""), "exec-libc: the cause names it",
                  cause=top(doc).get("cause"))
            ev = chk(doc, "pod.restarts")["evidence"]
            check(any("exec /app/httpd: no such file or directory" in e for e in ev),
                  "exec-libc: the last instance's line is evidence", evidence=ev)
            eq(rc, 5, "exec-libc: exit code 5")
            # Without the image: the log alone still points at the interpreter.
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
            if check(doc is not None, "exec-libc: doctor JSON without --rootfs"):
                eq(chk(doc, "go.build")["status"], "skip", "exec-libc: go.build needs a root")
                eq(top(doc).get("rule"), "doctor.exec_fail",
                   "exec-libc: #1 candidate from the log alone")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def config_missing(binary):
    vol = tempfile.mkdtemp(prefix="gotrace-doctor-vol-")
    with open(os.path.join(vol, "config.yaml"), "w") as fp:
        fp.write("port: 8080\n")
    try:
        with Pod(binary=binary, mounts=[vol + ":/etc/app:ro"], env=("APP_HOME=/srv/app",),
                 args=["-config", "config.yaml", "-retry", "1s"]) as pod:
            if not check(pod.wait_log(r"open config.yaml: no such file or directory"),
                         "config: the fixture's open error is in the log", log=pod.log()):
                return
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
            if not check(doc is not None, "config: doctor JSON", stderr=err[-1500:]):
                return
            eq(chk(doc, "fs.paths")["status"], "fail", "config: fs.paths fails")
            by_path = {f["attrs"]["path"]: f["attrs"] for f in facts(doc, "path_check")}
            c = by_path.get("config.yaml", {})
            eq(c.get("resolved"), "/config.yaml", "config: resolved against cwd /")
            eq(c.get("exists"), False, "config: not there")
            eq(c.get("found_at"), "/etc/app/config.yaml", "config: found on the volume")
            eq(by_path.get("/srv/app", {}).get("exists"), False, "config: APP_HOME is missing")
            eq(top(doc).get("rule"), "doctor.config_path", "config: #1 candidate",
               candidates=[x["cause"] for x in doc["candidates"]])
            eq(rc, 5, "config: exit code 5")
        # The same without -retry: it exits, and between restarts only the log is left.
        with Pod(binary=binary, mounts=[vol + ":/etc/app:ro"], args=["-config", "config.yaml"],
                 restarts=30, backoff=2) as pod:
            pod.next_event("exit")
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
            if check(doc is not None, "config loop: doctor JSON", stderr=err[-1500:]):
                rules = [x["rule"] for x in doc["candidates"][:2]]
                check("doctor.config_path" in rules, "config loop: the failed open is ranked",
                      candidates=[x["cause"] for x in doc["candidates"]])
    finally:
        shutil.rmtree(vol, ignore_errors=True)


def oom(binary):
    kmsg = Kmsg()
    try:
        with Pod(binary=binary, memory="64M", args=["-hold-mib", "100"], restarts=30,
                 backoff=2, max_backoff=4) as pod:
            pids = [pod.pid]
            ex = pod.next_event("exit", 60)
            eq(ex["exit_code"], 137, "oom: the first instance was SIGKILLed")
            pids.append(pod.next_event("start", 60)["pid"])
            pod.next_event("exit", 60)
            kills = {p: kmsg.kill_line(p, 10) for p in pids}
            if not check(all(kills.values()), "oom: the kernel logged every kill",
                         kills=kills):
                return
            time.sleep(0.2)
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
            if not check(doc is not None, "oom: doctor JSON", stderr=err[-1500:]):
                return
            eq(chk(doc, "kernel.oom_log")["status"], "fail", "oom: kernel.oom_log fails")
            k = fact(doc, "oom_kill_log")
            check(k.get("kills", 0) >= len(pids), "oom: every kill of the pod counted",
                  got=k.get("kills"), want_at_least=len(pids))
            last = kills.get(k.get("last_pid"))
            if check(last is not None, "oom: the last kill is one of the pod's pids",
                     got=k.get("last_pid"), pids=pids):
                eq(k.get("last_anon_rss_kib"), last["anon_rss_kib"],
                   "oom: anon-rss = the kernel's Killed process line")
                if "limit_kib" in last:
                    eq(k.get("limit_bytes"), last["limit_kib"] * 1024,
                       "oom: limit = the kernel's memory: line")
            eq(top(doc).get("rule"), "doctor.oom_killed", "oom: #1 candidate",
               candidates=[x["cause"] for x in doc["candidates"]])
            eq(rc, 5, "oom: exit code 5")
    finally:
        kmsg.close()


def main():
    require_root()
    require_gotrace()
    f = doctorapp()
    exec_libc()
    config_missing(f["path"])
    oom(f["path"])
    done()


if __name__ == "__main__":
    main()
