# SPDX-License-Identifier: GPL-2.0
"""`gotrace oom` against real memcg OOM kills in minikubelet pods.

Each scenario runs the oomalloc fixture (or a C allocator) in a runc
container with a 64 MiB limit and the kubelet's cgroup and log layout, with
`gotrace oom --json` watching, and checks the report against:
  - the kernel: its "Killed process" line (pid, comm, anon/file/shmem RSS,
    oom_score_adj), the "oom-kill:" line (oom_memcg) and "memory: usage,
    limit" line of the same kill, read from /dev/kmsg
  - the cgroup file memory.limit_in_bytes, read while the container runs
  - minikubelet: the pod UID, container id, namespace/pod/container names
  - the fixture: the Go runtime's own gc_percent and memory limit, printed
    at start, and the environment the test gave it; the manifest's Go version
  - how the fixture allocates (the trajectory kind)
Scenarios: a slow leak with GOMEMLIMIT unset; one huge allocation with
GOMEMLIMIT above the limit; GOGC=off garbage; a child process that
triggers the kill of its parent; a C allocator (no Go facts); the raw_tp and
tracefs fallbacks; a victim gone before gotrace reads it; scope filters.
"""

import os
import re
import shutil
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (check, done, eq, fail, fixtures, note, require_gotrace,  # noqa: E402
                     require_root, skip)
from oomkit import Gotrace, Kmsg, Pod, static_c_allocator  # noqa: E402

LIMIT = 64 << 20


def fixture(toolchain, variant="exe"):
    f = fixtures(prog="oomalloc", variant=variant,
                 select_fn=lambda f: f["toolchain"] == toolchain)
    if not f:
        f = fixtures(prog="oomalloc", variant=variant)
    if not f:
        skip("no oomalloc fixture in the manifest (make fixtures)")
    return f[0]


def ready_line(pod, pid_in_container=1):
    m = pod.wait_log(r"ready pid=%d gc_percent=(-?\d+) memory_limit=(\S+)" % pid_in_container)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def check_kernel(tag, k, kern, pod_limit):
    """The report's kernel facts against the kernel's own lines."""
    v = k["victim"]
    eq(v["pid"], kern["pid"], "%s: victim pid = the kernel's Killed process pid" % tag)
    eq(v["comm"], kern["comm"], "%s: victim comm = the kernel's" % tag)
    for key in ("anon_rss_kib", "file_rss_kib", "shmem_rss_kib"):
        eq(v.get(key), kern[key], "%s: %s = the kernel's Killed process line" % (tag, key))
    eq(v.get("oom_score_adj"), kern["oom_score_adj"], "%s: oom_score_adj = the kernel's" % tag)
    eq(k["oom"]["kind"], kern["kind"], "%s: memcg OOM, as the kernel says" % tag)
    eq(k["oom"]["limit_bytes"], pod_limit, "%s: limit = memory.limit_in_bytes" % tag)
    if "limit_kib" in kern:
        eq(k["oom"]["limit_bytes"], kern["limit_kib"] * 1024,
           "%s: limit = the kernel's 'memory: ... limit' line" % tag)
    if "oom_memcg" in kern:
        eq(k["oom"]["cgroup"], kern["oom_memcg"], "%s: OOM domain = the kernel's oom_memcg" % tag)
    cf = k.get("cgroup_files")
    if check(cf is not None, "%s: the domain's cgroup files were read before the kill" % tag):
        eq(cf["limit_bytes"], pod_limit, "%s: cgroup files: limit = memory.limit_in_bytes" % tag)


def check_identity(tag, k, pod):
    fa = k["fact"]["attrs"]
    eq(fa.get("pod_uid"), pod.uid, "%s: pod UID = minikubelet's" % tag)
    eq(fa.get("container_id"), pod.cid, "%s: container id = minikubelet's" % tag)
    eq((fa.get("namespace"), fa.get("pod"), fa.get("container"), fa.get("restart")),
       (pod.namespace, pod.pod, pod.container, 0), "%s: names and restart from the log layout"
       % tag)
    eq(k["subject"], "pod:%s/%s" % (pod.uid, pod.container), "%s: subject names the pod" % tag)


def check_go(tag, k, f, env, ready):
    g = k.get("go")
    if not check(g is not None, "%s: Go facts reported" % tag, report=str(k)[:1500]):
        return
    eq(g["version"], f["go_version"], "%s: Go version = the manifest's" % tag)
    envd = dict(e.split("=", 1) for e in env)
    eq(g.get("gogc"), envd.get("GOGC"), "%s: GOGC as the test set it" % tag)
    eq(g.get("gomemlimit"), envd.get("GOMEMLIMIT"), "%s: GOMEMLIMIT as the test set it" % tag)
    gcp, lim = ready
    eq(g.get("gc_percent"), gcp, "%s: gc percent = the runtime's own" % tag)
    if lim not in (None, "unknown"):
        eq(g.get("memory_limit_bytes"), None if lim == "none" else int(lim),
           "%s: memory limit = the runtime's own" % tag)


def rules_of(k):
    c = k["candidates"][0] if k["candidates"] else {}
    return [c.get("rule")] + (c.get("merged_rules", "").split(",") if c.get("merged_rules")
                              else []), c


def run_go(tag, fx, args, env, want_traj, want_rule, global_args=(), fix_word="GOMEMLIMIT"):
    node = tempfile.mkdtemp(prefix="gotrace-oom-node-")
    kmsg, gt, pod = Kmsg(), None, None
    try:
        uid = str(uuid.uuid4())  # scoped: other kills on the node do not count
        gt = Gotrace(["--pod", uid, "-n", "1", "-d", "90"], host_root=node,
                     global_args=global_args)
        gt.wait_started()
        pod = Pod(node, binary=fx["path"], args=args, env=env, uid=uid)
        limit = int(pod.memfile("memory.limit_in_bytes"))
        ready = ready_line(pod)
        pod.wait_exit(60)
        t, k = gt.kill_of(pod.pid, 20)
        kern = kmsg.kill_line(pod.pid)
        if not check(k is not None and kern is not None, "%s: a kill reported by gotrace and the "
                     "kernel" % tag, stderr=gt.stderr()[-2000:]):
            return None
        check_kernel(tag, k, kern, limit)
        check_identity(tag, k, pod)
        check_go(tag, k, fx, env, ready)
        eq(k["trajectory"]["kind"], want_traj, "%s: trajectory kind" % tag,
           summary=k["trajectory"]["summary"])
        rules, top = rules_of(k)
        check(want_rule in rules, "%s: the top candidate comes from %s" % (tag, want_rule),
              candidate=str(top)[:1500])
        check(fix_word in top.get("fix", ""), "%s: the fix names %s" % (tag, fix_word),
              fix=top.get("fix"))
        eq(k["fact"]["kind"], "oom_kill", "%s: one oom_kill fact" % tag)
        note("%s: %s; printed %.1f ms after the kill" % (tag, k["trajectory"]["summary"],
                                                         k["print_latency_ns"] / 1e6))
        return k
    finally:
        if pod:
            pod.stop()
        if gt:
            rc, summary = gt.stop()
            eq(rc, 0, "%s: gotrace exits 0" % tag, stderr=gt.stderr()[-1500:])
            # A steady rise spends seconds above 75% of the limit: the per-fault counters
            # get armed (a jump may pass between two samples).
            if want_traj == "growth":
                check(summary and summary.get("charge_counters_armed", 0) >= 1,
                      "%s: charge-path counters armed near the limit" % tag, summary=summary)
        kmsg.close()
        shutil.rmtree(node, ignore_errors=True)


def scenario_leak():
    """A slow leak, GOMEMLIMIT unset: steady growth; the GOMEMLIMIT-unset rule."""
    fx = fixture("go1.22")
    k = run_go("leak", fx, ["-mode=leak", "-base-mib=12", "-rate-mib=8"], [], "growth",
               "oom_go_memlimit_unset")
    if k:
        rate = k["trajectory"]["rate_bytes_per_s"] / (1 << 20)
        check(4 <= rate <= 12, "leak: growth rate near the fixture's 8 MiB/s (%.1f)" % rate)
        check(k["victim"]["source"] in ("live", "read_ahead"),
              "leak: the victim's facts were read (live or ahead): %s" % k["victim"]["source"])
        check(k["trigger"]["is_victim"], "leak: the victim triggered its own kill")


def scenario_jump():
    """One huge allocation, GOMEMLIMIT above the limit: a jump; the GOMEMLIMIT-above rule."""
    fx = fixture("go1.27")  # static: PIE builds need an interpreter the image lacks
    k = run_go("jump", fx, ["-mode=jump", "-base-mib=12", "-jump-mib=80", "-delay=3s"],
               ["GOMEMLIMIT=128MiB"], "jump", "oom_go_memlimit_above")
    if k:
        check(k["trajectory"]["jump_bytes"] >= 32 << 20,
              "jump: most of the limit in one jump (%d bytes)" % k["trajectory"]["jump_bytes"])


def scenario_gogc_off():
    """GOGC=off, no GOMEMLIMIT, garbage only: the GOGC=off rule."""
    fx = fixture("go1.19")
    run_go("gogc-off", fx, ["-mode=garbage", "-base-mib=8", "-rate-mib=16"], ["GOGC=off"],
           "growth", "oom_go_gogc_off", fix_word="GOGC")


def scenario_fallbacks():
    """The same leak through raw_tp and the tracefs tracepoint."""
    fx = fixture("go1.24", "exe-stripped")
    run_go("raw_tp", fx, ["-mode=leak", "-base-mib=12", "-rate-mib=16"], [], "growth",
           "oom_go_memlimit_unset", global_args=["--no-feature=tp_btf"])
    run_go("tracefs", fx, ["-mode=leak", "-base-mib=12", "-rate-mib=16"], ["GOMEMLIMIT=off"],
           "growth", "oom_go_memlimit_unset", global_args=["--no-feature=tp_btf,raw_tp"])


def scenario_trigger(no_read_ahead=False):
    """A child grows, the parent (bigger) is killed: trigger != victim."""
    tag = "trigger" + ("-gone" if no_read_ahead else "")
    fx = fixture("go1.23")
    node = tempfile.mkdtemp(prefix="gotrace-oom-node-")
    kmsg, gt, pod = Kmsg(), None, None
    try:
        uid = str(uuid.uuid4())
        gt = Gotrace(["--pod", uid, "-n", "1", "-d", "90"] +
                     (["--no-read-ahead"] if no_read_ahead else []), host_root=node)
        gt.wait_started()
        pod = Pod(node, binary=fx["path"], uid=uid, args=["-mode=trigger", "-base-mib=40",
                                                           "-child-rate-mib=8", "-delay=2s"])
        limit = int(pod.memfile("memory.limit_in_bytes"))
        check(pod.wait_log(r"child pid=\d+") is not None, "%s: the child started" % tag)
        procs = [p for p in pod.procs() if p != pod.pid]
        pod.wait_exit(60)
        t, k = gt.kill_of(pod.pid, 20)
        kern = kmsg.kill_line(pod.pid)
        if not check(k is not None and kern is not None, "%s: kill reported" % tag,
                     stderr=gt.stderr()[-2000:]):
            return
        check_kernel(tag, k, kern, limit)
        check_identity(tag, k, pod)
        check(not k["trigger"]["is_victim"], "%s: trigger is not the victim" % tag)
        check(k["trigger"]["pid"] in procs, "%s: the trigger is the child (%d in %s)"
              % (tag, k["trigger"]["pid"], procs))
        if no_read_ahead:
            # Not read ahead; a sleeping victim dies at once: what the kernel captured.
            check(k["victim"]["source"] in ("kernel", "live"), "%s: source %s"
                  % (tag, k["victim"]["source"]))
            if k["victim"]["source"] == "kernel":
                eq(k["go"], None, "%s: no Go facts without the process" % tag)
        else:
            check(k["go"] is not None and k["go"]["version"] == fx["go_version"],
                  "%s: Go facts of the victim (read ahead or live)" % tag, go=k["go"])
        note("%s: victim %d (facts: %s), trigger %d; printed %.1f ms after the kill"
             % (tag, k["victim"]["pid"], k["victim"]["source"], k["trigger"]["pid"],
                k["print_latency_ns"] / 1e6))
        cand = k["candidates"][0] if k["candidates"] else {}
        check(any("not the victim" in e for e in cand.get("evidence", [])),
              "%s: the evidence says the trigger was another process" % tag)
    finally:
        if pod:
            pod.stop()
        if gt:
            gt.stop()
        kmsg.close()
        shutil.rmtree(node, ignore_errors=True)


def scenario_c_victim():
    """A non-Go victim: reported, no Go facts, no Go rules, no crash."""
    work = tempfile.mkdtemp(prefix="gotrace-oom-c-")
    node = os.path.join(work, "node")
    os.makedirs(node)
    binary = static_c_allocator(work)
    if not binary:
        note("no static C toolchain: C victim scenario not run")
        shutil.rmtree(work, ignore_errors=True)
        return
    kmsg, gt, pod = Kmsg(), None, None
    try:
        uid = str(uuid.uuid4())
        gt = Gotrace(["--pod", uid, "-n", "1", "-d", "60"], host_root=node)
        gt.wait_started()
        pod = Pod(node, binary=binary, args=["16"], pod="cworker", uid=uid)
        limit = int(pod.memfile("memory.limit_in_bytes"))
        pod.wait_exit(60)
        t, k = gt.kill_of(pod.pid, 20)
        kern = kmsg.kill_line(pod.pid)
        if not check(k is not None and kern is not None, "c: kill reported",
                     stderr=gt.stderr()[-2000:]):
            return
        check_kernel("c", k, kern, limit)
        check_identity("c", k, pod)
        eq(k["go"], None, "c: no Go facts")
        eq(k["fact"]["attrs"].get("is_go"), False, "c: is_go false (its binary was read)")
        rules, top = rules_of(k)
        eq(rules, ["oom_memcg"], "c: only the generic memcg rule")
    finally:
        if pod:
            pod.stop()
        if gt:
            gt.stop()
        kmsg.close()
        shutil.rmtree(work, ignore_errors=True)


def scenario_scope():
    """--pod/--container in scope report the kill; another pod's filter does not."""
    fx = fixture("go1.22")
    node = tempfile.mkdtemp(prefix="gotrace-oom-node-")
    uid = "0a0b0c0d-1111-2222-3333-444455556666"
    kmsg, pod = Kmsg(), None
    mine = Gotrace(["--pod", uid, "-d", "60", "-n", "1"], host_root=node)
    other = Gotrace(["--pod", "ffffffff-1111-2222-3333-444455556666", "-d", "60"],
                    host_root=node)
    try:
        mine.wait_started()
        other.wait_started()
        pod = Pod(node, binary=fx["path"], uid=uid, args=["-mode=leak", "-base-mib=12",
                                                          "-rate-mib=24"])
        pod.wait_exit(60)
        t, k = mine.kill_of(pod.pid, 20)
        check(k is not None, "scope: --pod %s reports the kill of its pod" % uid)
        check(kmsg.kill_line(pod.pid) is not None, "scope: the kernel killed it")
    finally:
        if pod:
            pod.stop()
        mine.stop()
        rc, summary = other.stop()
        eq(rc, 0, "scope: the other pod's gotrace exits 0")
        check(summary is not None and summary["kills"] == 0 and
              summary["kills_out_of_scope"] >= 1,
              "scope: another pod's filter reports nothing, counts it out of scope",
              summary=summary)
        check(not other.events("oom_kill"), "scope: no oom_kill printed for another pod")
        kmsg.close()
        shutil.rmtree(node, ignore_errors=True)


def main():
    require_root()
    require_gotrace()
    if not os.path.isdir("/sys/fs/cgroup/memory"):
        skip("no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (minikubelet's layout)")
    if not shutil.which("runc") and not os.path.exists("/usr/sbin/runc"):
        skip("runc is missing (scripts/setup.sh installs it)")
    only = os.environ.get("OOM_SCENARIOS")
    for fn in (scenario_leak, scenario_jump, scenario_gogc_off, scenario_trigger,
               lambda: scenario_trigger(no_read_ahead=True), scenario_c_victim,
               scenario_fallbacks, scenario_scope):
        name = getattr(fn, "__name__", "")
        if only and not any(s in (fn.__doc__ or name) or s in name for s in only.split(",")):
            continue
        print("-- %s" % (fn.__doc__ or "trigger, victim gone before read").strip().split("\n")[0],
              flush=True)
        try:
            fn()
        except Exception as e:  # a scenario's crash must not hide the others
            fail("%s raised %r" % (name or "scenario", e))
    done()


if __name__ == "__main__":
    main()
