# SPDX-License-Identifier: GPL-2.0
"""`gotrace doctor` on live misconfigured Go services in minikubelet pods.

Each pod runs tests/fixtures/doctorapp with one of the scenarios' mistakes,
and each check's status and evidence is compared with an independent source:
  - memory: the container's memory.limit_in_bytes read here; the Go runtime's
    own gc_percent / memory_limit / gomaxprocs from the fixture's ready line
  - CPU: cpu.cfs_quota_us / cfs_period_us and cpu.stat read here, before and
    after doctor
  - bind: /proc/PID/status (Uid, CapEff) read here, the pod netns's
    ip_unprivileged_port_start through `ip netns exec ... sysctl`, and the
    "bind: permission denied" line in the pod's log
  - the report: one JSON document, exit code 5 for a FAIL, 0 for a healthy
    pod; --markdown and the table carry no raw control characters from a
    container's strings; --checks runs a user check in the target's
    namespaces; --live runs the block tracer on the process
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GOTRACE, check, done, eq, note, require_gotrace, require_root,  # noqa: E402
                     run)
from doctorkit import Pod, check as chk, doctor, doctorapp, fact, facts  # noqa: E402

MIB = 1 << 20


def cg_int(pod, ctrl, name):
    return int(pod.cgfile(ctrl, name).split()[0])


def cpu_stat(pod):
    return {k: int(v) for k, v in (ln.split() for ln in pod.cgfile("cpu", "cpu.stat").splitlines())}


def status_fields(pid):
    with open("/proc/%d/status" % pid) as fp:
        text = fp.read()
    uid = int(re.search(r"^Uid:\s+\d+\s+(\d+)", text, re.M).group(1))
    capeff = int(re.search(r"^CapEff:\s+([0-9a-f]+)", text, re.M).group(1), 16)
    return uid, capeff


def memory_scenarios(binary):
    """GOMEMLIMIT unset, then above the limit: memory.limit against the cgroup file."""
    for env, want, tag in (((), "warn", "unset"), (("GOMEMLIMIT=100MiB",), "fail", "above")):
        with Pod(binary=binary, memory="64M", env=env, args=["-hold-mib", "4"]) as pod:
            ready = pod.ready()
            if not check(ready is not None, "%s: doctorapp printed its ready line" % tag,
                         log=pod.log()):
                continue
            limit = cg_int(pod, "memory", "memory.limit_in_bytes")
            rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
            if not check(doc is not None, "%s: doctor printed one JSON document" % tag,
                         stderr=err[-1500:]):
                continue
            c = chk(doc, "memory.limit")
            eq(c["status"], want, "%s: memory.limit status" % tag, summary=c["summary"])
            eq(fact(doc, "mem_limit").get("limit_bytes"), limit,
               "%s: limit = memory.limit_in_bytes" % tag)
            rt = fact(doc, "go_runtime")
            want_ml = None if ready["memory_limit"] == "none" else int(ready["memory_limit"])
            eq(rt.get("memory_limit_bytes"), want_ml,
               "%s: memoryLimit in effect = the runtime's own (ready line)" % tag)
            eq(rt.get("gc_percent"), ready["gc_percent"],
               "%s: gcPercent in effect = the runtime's own" % tag)
            eq(rt.get("gomaxprocs"), ready["gomaxprocs"],
               "%s: gomaxprocs in effect = the runtime's own" % tag)
            eq(doc["target"]["pid"], pod.pid, "%s: the pod's process was checked" % tag)
            eq(rc, 5 if want == "fail" else 4, "%s: exit code of the worst finding" % tag)
            top = doc["candidates"][0] if doc["candidates"] else {}
            eq(top.get("rule"), "doctor.go_memlimit", "%s: #1 candidate" % tag,
               candidates=[c.get("cause") for c in doc["candidates"]])
            check(str(limit * 9 // 10 // MIB) + "MiB" in top.get("fix", ""),
                  "%s: the fix names 90%% of the limit in MiB" % tag, fix=top.get("fix"))


def cpu_scenario(binary):
    """GOMAXPROCS=8 under a 0.5 CPU quota, two goroutines spinning: quota and throttling."""
    with Pod(binary=binary, cpu="0.5", env=("GOMAXPROCS=8",), args=["-spin", "2"]) as pod:
        ready = pod.ready()
        if not check(ready is not None, "cpu: ready line", log=pod.log()):
            return
        time.sleep(1.5)
        quota = cg_int(pod, "cpu", "cpu.cfs_quota_us") / cg_int(pod, "cpu", "cpu.cfs_period_us")
        before = cpu_stat(pod)
        rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
        after = cpu_stat(pod)
        if not check(doc is not None, "cpu: doctor JSON", stderr=err[-1500:]):
            return
        eq(chk(doc, "cpu.quota")["status"], "warn", "cpu: cpu.quota warns")
        b = fact(doc, "cpu_budget")
        eq(b.get("quota_cpus"), quota, "cpu: quota = cfs_quota_us / cfs_period_us")
        eq(b.get("gomaxprocs"), ready["gomaxprocs"], "cpu: GOMAXPROCS = the runtime's own")
        t = fact(doc, "cpu_throttling")
        check(before["nr_periods"] <= t.get("nr_periods", -1) <= after["nr_periods"],
              "cpu: nr_periods between the reads before and after doctor", got=t,
              before=before, after=after)
        check(before["nr_throttled"] <= t.get("nr_throttled", -1) <= after["nr_throttled"],
              "cpu: nr_throttled between the reads before and after doctor")
        ratio = after["nr_throttled"] / max(1, after["nr_periods"])
        if ratio >= 0.25:
            eq(chk(doc, "cpu.throttling")["status"], "fail",
               "cpu: cpu.throttling fails at %.0f%% throttled (cpu.stat)" % (100 * ratio))
        rules = [c["rule"] for c in doc["candidates"]]
        check("doctor.cpu_quota" in rules, "cpu: a doctor.cpu_quota candidate", rules=rules)


def bind_scenario(binary):
    """uid 1000, no capabilities, -listen :80 retried every second."""
    with Pod(binary=binary, user=1000, caps="", args=["-listen", ":80", "-retry", "1s"]) as pod:
        m = pod.wait_log(r"listen tcp :80: bind: permission denied")
        if not check(m is not None, "bind: the log has the bind error", log=pod.log()):
            return
        uid, capeff = status_fields(pod.pid)
        rc, out, _ = run(["ip", "netns", "exec", pod.netns(), "sysctl", "-n",
                          "net.ipv4.ip_unprivileged_port_start"])
        start = int(out.strip()) if rc == 0 else 1024
        rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
        if not check(doc is not None, "bind: doctor JSON", stderr=err[-1500:]):
            return
        eq(chk(doc, "net.bind")["status"], "fail", "bind: net.bind fails")
        nb = fact(doc, "net_bind")
        eq(nb.get("uid"), uid, "bind: uid = /proc/PID/status")
        eq(nb.get("cap_net_bind_service"), bool(capeff >> 10 & 1),
           "bind: CAP_NET_BIND_SERVICE = CapEff bit 10")
        eq(nb.get("unprivileged_port_start"), start,
           "bind: ip_unprivileged_port_start = the pod netns's sysctl")
        check("80" in nb.get("wanted_ports", "").split(","), "bind: wants port 80", nb=nb)
        eq(nb.get("denied_port"), 80, "bind: the log's denied port")
        top = doc["candidates"][0] if doc["candidates"] else {}
        eq(top.get("rule"), "doctor.bind_denied", "bind: #1 candidate",
           candidates=[c.get("cause") for c in doc["candidates"]])
        eq(rc, 5, "bind: exit code 5")


def healthy_and_views(binary):
    """A pod with nothing wrong: exit 0; then the views, user checks and the live window."""
    with Pod(binary=binary, memory="256M", env=("GOMEMLIMIT=200MiB",),
             args=["-listen", "127.0.0.1:8080"]) as pod:
        if not check(pod.wait_log("listening") is not None, "healthy: listening",
                     log=pod.log()):
            return
        rc, doc, err = doctor(["--pod", pod.uid, "--live", "0"], pod.host_root)
        if check(doc is not None, "healthy: doctor JSON", stderr=err[-1500:]):
            bad = [(c["id"], c["status"], c["summary"]) for c in doc["checks"]
                   if c["status"] not in ("pass", "skip")]
            eq(bad, [], "healthy: every check passes or is skipped")
            eq(rc, 0, "healthy: exit code 0")
            check("8080" in fact(doc, "net_bind").get("listening_ports", ""),
                  "healthy: its listening socket is found", nb=fact(doc, "net_bind"))
        procfs(pod, doc)
        targets(pod)
        views(pod)
        user_checks(pod)
        live(pod)


def procfs(pod, doc):
    """proc.status, proc.maps, cgroup.version and psi against the files read here."""
    if doc is None:
        return
    with open("/proc/%d/status" % pod.pid) as fp:
        st = dict(ln.split(":", 1) for ln in fp.read().splitlines() if ":" in ln)
    ps = fact(doc, "proc_status")
    eq(ps.get("state"), st["State"].split()[0], "procfs: state = /proc/PID/status")
    check(abs(ps.get("threads", -99) - int(st["Threads"])) <= 2,
          "procfs: threads = /proc/PID/status (+-2: the runtime may start one)",
          got=ps.get("threads"), want=st["Threads"])
    eq(ps.get("uid"), int(st["Uid"].split()[1]), "procfs: euid = /proc/PID/status")
    with open("/proc/%d/maps" % pod.pid) as fp:
        nmaps = len(fp.read().splitlines())
    check(abs(fact(doc, "proc_maps").get("maps_count", -99) - nmaps) <= 4,
          "procfs: mappings = lines of /proc/PID/maps (+-4)", got=fact(doc, "proc_maps"),
          want=nmaps)
    with open("/proc/sys/vm/max_map_count") as fp:
        eq(fact(doc, "proc_maps").get("max_map_count"), int(fp.read()),
           "procfs: vm.max_map_count")
    eq(fact(doc, "cgroup_layout").get("memory_dir"), "/sys/fs/cgroup/memory" + pod.cgroup,
       "procfs: the memory cgroup is the one minikubelet made")
    psi = {f["attrs"]["resource"]: f["attrs"] for f in facts(doc, "psi")}
    with open("/sys/fs/cgroup/unified" + pod.cgroup + "/memory.pressure") as fp:
        total = int(re.search(r"some .*total=(\d+)", fp.read()).group(1))
    check(psi.get("memory", {}).get("some_total_us", -1) <= total,
          "procfs: memory PSI total <= the file's, read after", got=psi.get("memory"),
          file_total=total)


def targets(pod):
    """--container and -c name the same process as --pod."""
    for args, what in ((["--container", pod.cid[:12]], "--container prefix"),
                       (["-c", pod.cgroup], "-c path"), (["--pid", str(pod.pid)], "--pid")):
        rc, doc, err = doctor(args + ["--live", "0", "--only", "proc.status"], pod.host_root)
        if check(doc is not None, "targets: %s: doctor JSON" % what, stderr=err[-800:]):
            eq(doc["target"]["pid"], pod.pid, "targets: %s finds the container's process" % what)
            eq(doc["target"]["pod_uid"], pod.uid, "targets: %s: the pod UID" % what)
            eq(doc["target"].get("container"), pod.container,
               "targets: %s: the container's name from the kubelet layout" % what)


def views(pod):
    rc, out, err = run([GOTRACE, "--host-root", pod.host_root, "doctor", "--pod", pod.uid,
                        "--live", "0", "--markdown"])
    check(out.startswith("### gotrace doctor:"), "markdown: a report heading", out=out[:300])
    check("| Status | Check | Finding | Fix |" in out, "markdown: the checklist table")
    check("\x1b" not in out, "markdown: no escape character")
    rc, out, err = run([GOTRACE, "--host-root", pod.host_root, "doctor", "--pod", pod.uid,
                        "--live", "0"])
    check(re.search(r"^PASS +memory\.limit", out, re.M) is not None, "table: a PASS row",
          out=out[:1500])
    rc, out, err = run([GOTRACE, "doctor", "--pod", pod.uid, "--json", "--markdown"])
    eq(rc, 2, "--json with --markdown is a usage error")
    rc, out, err = run([GOTRACE, "doctor", "--live", "0"])
    eq(rc, 2, "no target is a usage error")


def user_checks(pod):
    # app.image starts a new Go process: a node-wide tracer that hooks new Go processes
    # (another gotrace, say) can hold its start for seconds, hence the long timeout.
    path = os.path.join(pod.host_root, "runbook.json")
    with open(path, "w") as fp:
        fp.write('{"checks": ['
                 '{"id": "app.listens", "description": "8080 listens in the pod (0x1F90)",'
                 ' "command": ["cat", "/proc/net/tcp"], "in": "net", "expect": ":1F90 "},'
                 '{"id": "app.image", "description": "the image runs its binary",'
                 ' "command": ["/app/doctorapp", "-no-such-flag"], "in": "target", "expect_exit": 2,'
                 ' "timeout_ms": 30000},'
                 '{"id": "app.port", "description": "port 8080 answers", "command":'
                 ' ["nsenter", "-t", "{pid}", "-n", "--", "bash", "-c",'
                 ' "exec 3<>/dev/tcp/127.0.0.1/8080"], "timeout_ms": 3000}]}')
    rc, doc, err = doctor(["--pod", pod.uid, "--live", "0", "--checks", path], pod.host_root)
    if not check(doc is not None, "checks: doctor JSON", stderr=err[-1500:]):
        return
    for cid in ("app.listens", "app.image", "app.port"):
        c = chk(doc, cid)
        check(c is not None and c["status"] == "pass" and c["user_defined"],
              "checks: %s passes in the target's namespaces" % cid, check=c)


def live(pod):
    rc, doc, err = doctor(["--pid", str(pod.pid), "--live", "3", "--only", "go.env"],
                          pod.host_root, timeout=90)
    if not check(doc is not None, "live: doctor JSON", stderr=err[-1500:]):
        return
    comps = {c["name"]: c for c in doc["live"]["components"]}
    blk = comps.get("block", {})
    eq(blk.get("state"), "ran", "live: the block component ran", component=blk)
    kinds = {f["kind"] for f in doc["facts"]}
    check({"sched_latency", "cpu_budget"} <= kinds, "live: block's facts joined", kinds=kinds)
    subjects = {f["subject"] for f in facts(doc, "sched_latency") + facts(doc, "go_env")}
    eq(len(subjects), 1, "live: the tracer's facts and the checks' share the subject",
       subjects=subjects)


def hostile(binary):
    """An ANSI escape in an environment path must not reach the terminal."""
    with Pod(binary=binary, env=("APP_HOME=/srv/\x1b[31mred",), args=["-hold-mib", "1"]) as pod:
        pod.ready()
        rc, out, err = run([GOTRACE, "--host-root", pod.host_root, "doctor", "--pod", pod.uid,
                            "--live", "0", "-v"])
        check("\x1b" not in out, "hostile: no raw ESC in the table", out=out[-800:])
        check("\\x1b" in out, "hostile: the ESC is shown escaped")


def main():
    require_root()
    require_gotrace()
    f = doctorapp()
    note("doctorapp %s (%s)" % (f["go_version"], f["path"]))
    memory_scenarios(f["path"])
    cpu_scenario(f["path"])
    bind_scenario(f["path"])
    healthy_and_views(f["path"])
    hostile(f["path"])
    done()


if __name__ == "__main__":
    main()
