# SPDX-License-Identifier: GPL-2.0
"""`gotrace oom`: the Go heap state read at the victim's death, against the
victim's own account of it.

The oomalloc fixture runs in a 64 MiB minikubelet pod (the PIE build in an
image holding only it and the dynamic loader) and prints, every 100 ms until
the kernel kills it, what its runtime says (runtime.ReadMemStats: HeapAlloc,
NextGC, NumGC, HeapSys, HeapReleased, Sys; runtime/metrics' live heap on
go1.21+), and with GODEBUG=gctrace=1 the runtime prints each GC's marked heap
("A->B->C MB": C is the heap live after that GC, MiB). gotrace's reading at
the kill must agree with the last of those lines: exactly for what only a GC
or the code changes (GC percent, memory limit, cycles, marked heap), within
what the fixture can allocate between its last line and its death (its rate
times the time between the line's log timestamp and the kill, plus 2 MiB:
one allocation in flight) for what grows. The knobs come from the fixture's
ready line (the runtime's own SetGCPercent/SetMemoryLimit answers), which
differ from the environment when the fixture sets them in code.

Oldest (go1.19) and newest (go1.27) toolchain, with symbols and DWARF and
stripped (-s -w: version table and globals decoded from code), and a
stripped PIE (load bias). The verdicts of rule oom_go_heap: a pacing kill
(next GC due above the limit), GC off set in code, a live heap at the limit
(memory limit from the environment and set in code), one allocation, a
victim killed by its child (read at its SIGKILL's delivery, not its heap),
the tracefs fallback, and a victim gotrace had not read ahead (the reason,
no numbers).
"""

import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (check, done, eq, fail, fixtures, note, require_gotrace,  # noqa: E402
                     require_root, skip)
from oomkit import MEM_MOUNT, Gotrace, Kmsg, Pod  # noqa: E402

MIB = 1 << 20
STATS = "-stats=100ms"
LOADER = "/lib64/ld-linux-x86-64.so.2"

MEMSTATS_RE = re.compile(r"^(\S+) stdout F memstats (.*)$", re.M)
GCTRACE_RE = re.compile(r"gc (\d+) @[\d.]+s \d+%: .*? (\d+)->(\d+)->(\d+) MB, (\d+) MB goal")
READY_RE = re.compile(r"ready pid=\d+ gc_percent=(-?\d+) memory_limit=(\S+)")


def fixture(toolchain, variant):
    f = fixtures(prog="oomalloc", variant=variant,
                 select_fn=lambda f: f["toolchain"] == toolchain)
    if not f:
        skip("no %s %s oomalloc fixture in the manifest (make fixtures)" % (toolchain, variant))
    return f[0]


def log_time(stamp):
    """A CRI log line's timestamp (RFC 3339, UTC) as Unix seconds."""
    return datetime.datetime.strptime(stamp[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def parse_log(log):
    stats = []
    for stamp, rest in MEMSTATS_RE.findall(log):
        d = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}
        d["t"] = log_time(stamp)
        stats.append(d)
    gcs = [dict(n=int(m[0]), marked_mib=int(m[3]), goal_mib=int(m[4]))
           for m in GCTRACE_RE.findall(log)]
    ready = READY_RE.search(log)
    return stats, gcs, ready


def start_pod(node, fx, args, env, uid, work):
    if fx["pie"]:
        # The PIE needs its interpreter (nothing else: no DT_NEEDED), the image has no libc.
        root = os.path.join(work, "rootfs")
        os.makedirs(os.path.join(root, "app"))
        os.makedirs(os.path.join(root, os.path.dirname(LOADER).lstrip("/")))
        shutil.copy(fx["path"], os.path.join(root, "app", "oomalloc"))
        shutil.copy(LOADER, os.path.join(root, LOADER.lstrip("/")))
        return Pod(node, rootfs=root, args=["/app/oomalloc"] + args, env=env, uid=uid)
    return Pod(node, binary=fx["path"], args=args, env=env, uid=uid)


def check_numbers(tag, k, log, rate_mib, extra):
    """The heap state gotrace read against the fixture's last statistics line."""
    h = k["go_heap"]
    stats, gcs, ready = parse_log(log)
    if not check(stats and ready, "%s: the fixture printed its statistics" % tag, log=log[-800:]):
        return
    last = stats[-1]
    dt = max(k["time_ns"] / 1e9 - last["t"], 0.1) + 0.05
    grow = int(rate_mib * MIB * dt) + 2 * MIB + extra
    eq(h["gc_percent"], int(ready.group(1)), "%s: GC percent = the runtime's own" % tag)
    lim = ready.group(2)
    eq(h["memory_limit_bytes"], None if lim == "none" else int(lim),
       "%s: memory limit = the runtime's own" % tag)
    cycles = h["gc_cycles"]
    check(cycles >= last["num_gc"], "%s: GC cycles %d >= NumGC %d of the last line"
          % (tag, cycles, last["num_gc"]))
    if gcs:
        g = gcs[-1]
        check(cycles in (g["n"], g["n"] + 1), "%s: GC cycles %d = the last gctrace GC %d (or "
              "one that ended unprinted)" % (tag, cycles, g["n"]))
        if cycles == g["n"]:
            eq(h["marked_bytes"] >> 20, g["marked_mib"],
               "%s: marked heap = gctrace's live heap after GC %d (MiB)" % (tag, g["n"]))
    same = cycles == last["num_gc"]  # no GC ended since the last line
    if same and last["live_heap"] >= 0:
        eq(h["marked_bytes"], last["live_heap"], "%s: marked heap = /gc/heap/live:bytes" % tag)
    # Small objects count in totalAlloc/HeapAlloc when their span is flushed, a MiB at most.
    low = (last["heap_alloc"] if same else h["marked_bytes"]) - MIB
    for key in ("live_bytes", "alloc_bytes"):
        check(low <= h[key] <= last["heap_alloc"] + grow,
              "%s: %s %d within [%d, HeapAlloc %d + %d]" % (tag, key, h[key], low,
                                                             last["heap_alloc"], grow))
    if last["next_gc"] >= 1 << 60:
        eq(h["goal_bytes"], None, "%s: no heap goal (NextGC is %d)" % (tag, last["next_gc"]))
    elif same and check(h["goal_bytes"] is not None, "%s: a heap goal" % tag):
        check(abs(h["goal_bytes"] - last["next_gc"]) <= grow,
              "%s: heap goal %d = NextGC %d within %d" % (tag, h["goal_bytes"],
                                                          last["next_gc"], grow))
    check(abs(h["heap_sys_bytes"] - last["heap_sys"]) <= grow + 4 * MIB,
          "%s: heap sys %d = HeapSys %d within %d" % (tag, h["heap_sys_bytes"],
                                                      last["heap_sys"], grow + 4 * MIB))
    ready_mem = last["sys"] - last["heap_released"]
    check(abs(h["runtime_mapped_bytes"] - ready_mem) <= grow + 4 * MIB,
          "%s: runtime total %d = Sys - HeapReleased %d within %d"
          % (tag, h["runtime_mapped_bytes"], ready_mem, grow + 4 * MIB))
    note("%s: live %.1f MiB (HeapAlloc %.1f at %.0f ms before), marked %.1f MiB, goal %s, "
         "GC #%d (last line #%d, gctrace #%s), read at %s"
         % (tag, h["live_bytes"] / MIB, last["heap_alloc"] / MIB, dt * 1000,
            h["marked_bytes"] / MIB, h["goal_bytes"], cycles, last["num_gc"],
            gcs[-1]["n"] if gcs else "-", h["read_at"]))


def check_fact(tag, k):
    """The fact carries what the JSON says (the rules read the fact)."""
    a, h = k["fact"]["attrs"], k["go_heap"]
    for key, attr in (("live_bytes", "go_heap_live_bytes"), ("marked_bytes",
                      "go_heap_marked_bytes"), ("gc_percent", "go_gc_percent_effective"),
                      ("gc_cycles", "go_gc_cycles"), ("goal_bytes", "go_heap_goal_bytes"),
                      ("memory_limit_bytes", "go_memory_limit_effective_bytes")):
        eq(a.get(attr), h[key], "%s: fact %s = go_heap.%s" % (tag, attr, key))


def top(k):
    c = k["candidates"][0] if k["candidates"] else {}
    rules = [c.get("rule")] + (c.get("merged_rules", "").split(",") if c.get("merged_rules")
                               else [])
    return c, rules


def run(tag, tc, variant, args, env, rate_mib, extra=0, source=None, cause=(), named=None,
        gotrace_args=(), global_args=(), read_at=None, unavailable=None):
    fx = fixture(tc, variant)
    work = tempfile.mkdtemp(prefix="gotrace-oomheap-")
    node = os.path.join(work, "node")
    os.makedirs(node)
    uid = str(uuid.uuid4())
    kmsg, gt, pod = Kmsg(), None, None
    try:
        gt = Gotrace(["--pod", uid, "-n", "1", "-d", "90"] + list(gotrace_args), host_root=node,
                     global_args=global_args)
        gt.wait_started()
        pod = start_pod(node, fx, args, env, uid, work)
        pod.wait_exit(60)
        t, k = gt.kill_of(pod.pid, 20)
        kern = kmsg.kill_line(pod.pid)
        if not check(k is not None and kern is not None, "%s: a kill reported by gotrace and "
                     "the kernel" % tag, stderr=gt.stderr()[-2000:], log=pod.log()[-1500:]):
            return None
        h = k.get("go_heap")
        if unavailable and k.get("go") is None:
            # Gone before gotrace could read it at all: not even known to be Go.
            eq(h, None, "%s: no Go facts, no heap claim" % tag)
            return k
        if unavailable:
            check(h and h["status"] == "unavailable" and unavailable in h["why"],
                  "%s: heap state unavailable, saying why (%s)" % (tag, unavailable), heap=h)
            check("go_heap_unavailable" in k["fact"]["attrs"], "%s: the fact says why" % tag)
            return k
        if not check(h and h["status"] == "read", "%s: heap state read" % tag, heap=h):
            return None
        if source:
            eq(h["source"], source, "%s: where the layout came from" % tag)
        if read_at:
            eq(h["read_at"], read_at, "%s: read at" % tag)
        check_numbers(tag, k, pod.log(), rate_mib, extra)
        check_fact(tag, k)
        c, rules = top(k)
        check("oom_go_heap" in rules, "%s: the heap rule explains the death" % tag,
              candidate=str(c)[:1500])
        for word in cause:
            check(word in c.get("cause", ""), "%s: the cause says '%s'" % (tag, word),
                  cause=c.get("cause"))
        if named:
            text = c.get("cause", "") + " ".join(c.get("evidence", []))
            check(named in text, "%s: the knob set in code is named (%s)" % (tag, named),
                  candidate=str(c)[:1500])
        note("%s: %s | fix: %s" % (tag, c.get("cause"), c.get("fix")))
        return k
    finally:
        if pod:
            pod.stop()
        if gt:
            rc, _ = gt.stop()
            eq(rc, 0, "%s: gotrace exits 0" % tag, stderr=gt.stderr()[-1500:])
        kmsg.close()
        shutil.rmtree(work, ignore_errors=True)


LEAK = ["-mode=leak", "-base-mib=12", "-rate-mib=16", STATS]
# 12 MiB live, 32 MiB/s of garbage, GOGC=800: the next GC is due near 9 x 12 MiB.
GARBAGE = ["-mode=garbage", "-base-mib=12", "-rate-mib=32", STATS]
GCTRACE = ["GODEBUG=gctrace=1"]
# 28 MiB live, 64 MiB/s of garbage, default GOGC: the heap goal (56 MiB) is
# past a 48 MiB limit and the kill comes ~0.4 s after the exec, sooner than
# gotrace's next 1 s round (doctor's oom-memcg workload).
FAST = ["-mode=garbage", "-base-mib=28", "-rate-mib=64"]


def scenario_pacing():
    """go1.19 exe: garbage with GOGC=800, no limit: the next GC was due above the limit."""
    k = run("pacing-go1.19", "go1.19", "exe", GARBAGE, GCTRACE + ["GOGC=800"], 32,
            source="DWARF offsets, symbol globals", cause=("next Go GC was due at",))
    if k:
        check(k["go_heap"]["marked_bytes"] < 24 * MIB, "pacing: the live heap is the 12 MiB "
              "held, not the garbage (%d)" % k["go_heap"]["marked_bytes"])


def scenario_gogc_off_in_code():
    """go1.19 -s -w: debug.SetGCPercent(-1) in code, nothing in the environment."""
    k = run("gogc-off-code-go1.19-s", "go1.19", "exe-stripped", LEAK + ["-set-gogc=-1"],
            GCTRACE, 16, source="table (go1.19) offsets, code globals",
            cause=("GC never ran",), named="set in code by debug.SetGCPercent(-1)")
    if k:
        eq(k["go_heap"]["gc_percent_set_in_code"], True, "gogc-off-code: set in code")
        eq(k["go"]["gc_percent"], 100, "gogc-off-code: the environment says 100")


def scenario_live_env():
    """go1.27 exe: GOMEMLIMIT=40MiB, the leak outgrows it: the live heap fills the limit."""
    k = run("live-env-go1.27", "go1.27", "exe", LEAK, GCTRACE + ["GOMEMLIMIT=40MiB"], 16,
            source="DWARF offsets, symbol globals", cause=("live Go heap was",))
    if k:
        eq(k["go_heap"]["goal_by"], "memory_limit", "live-env: the memory limit set the goal")
        eq(k["go_heap"]["memory_limit_set_in_code"], False, "live-env: from the environment")


def scenario_live_code():
    """go1.27 -s -w: debug.SetMemoryLimit(40 MiB) in code, the leak outgrows it."""
    k = run("live-code-go1.27-s", "go1.27", "exe-stripped", LEAK + ["-set-memlimit-mib=40"],
            GCTRACE, 16, source="table (go1.27) offsets, code globals",
            cause=("live Go heap was",), named="set in code by debug.SetMemoryLimit")
    if k:
        eq(k["go_heap"]["memory_limit_set_in_code"], True, "live-code: set in code")
        eq(k["go"]["memory_limit_bytes"], None, "live-code: the environment has no limit")


def scenario_jump_pie():
    """go1.27 stripped PIE: one 80 MiB allocation (load bias applied to every address)."""
    k = run("jump-go1.27-pie-s", "go1.27", "pie-stripped",
            ["-mode=jump", "-base-mib=8", "-jump-mib=80", "-delay=3s", STATS], GCTRACE, 0,
            extra=80 * MIB, source="table (go1.27) offsets, code globals")
    if k:
        check(k["go_heap"]["live_bytes"] >= 80 * MIB,
              "jump: the 80 MiB allocation is in the heap in use (%d)"
              % k["go_heap"]["live_bytes"])


def scenario_trigger():
    """go1.27: the child's growth kills the parent: read at the parent's SIGKILL delivery."""
    k = run("trigger-go1.27", "go1.27", "exe",
            ["-mode=trigger", "-base-mib=40", "-child-rate-mib=8", "-delay=2s", STATS], [], 0,
            read_at="sigkill", cause=("was not its Go heap",))
    if k:
        check(not k["trigger"]["is_victim"], "trigger: another process triggered the kill")


def scenario_tracefs():
    """go1.27 -s -w through the tracefs tracepoints (kill and SIGKILL delivery)."""
    k = run("tracefs-go1.27-s", "go1.27", "exe-stripped", GARBAGE, GCTRACE + ["GOGC=800"], 32,
            source="table (go1.27) offsets, code globals", cause=("next Go GC was due at",),
            global_args=["--no-feature=tp_btf,raw_tp"])
    if k:
        check(k["mechanism"].startswith("tracepoint"), "tracefs: the kill came through the "
              "tracefs tracepoint (%s)" % k["mechanism"])


def scenario_not_read_ahead():
    """A victim gotrace did not read before the kill: the reason, never numbers."""
    run("no-read-ahead", "go1.27", "exe", LEAK, [], 16, gotrace_args=["--no-read-ahead"],
        unavailable="had not read the process")


def scenario_late_limit():
    """A cgroup first read without a limit, limited later, then a Go program execs in it."""
    # runc's order: it creates the container's cgroup and moves its init into
    # it, writes the limits, and the entrypoint execs last; a full round
    # between the first two read the cgroup as unlimited. The test makes that
    # order deterministic without runc: the cgroup exists (no limit) while
    # gotrace's rounds read it, then gets the limit, then the exec. Seen in
    # doctor's oom-memcg scenario: a victim found only at its kill.
    fx = fixture("go1.27", "exe")
    work = tempfile.mkdtemp(prefix="gotrace-oomheap-")
    node = os.path.join(work, "node")
    os.makedirs(node)
    uid = str(uuid.uuid4())
    pod_cg = MEM_MOUNT + "/kubepods/burstable/pod" + uid
    cg = pod_cg + "/" + uuid.uuid4().hex * 2
    limit = 48 * MIB
    kmsg, gt, proc = Kmsg(), None, None
    try:
        os.makedirs(cg)
        gt = Gotrace(["--pod", uid, "-n", "1", "-d", "90"], host_root=node)
        gt.wait_started()
        time.sleep(2.5)  # setup, not a measurement: two of gotrace's 1 s rounds read it unlimited
        with open(os.path.join(cg, "memory.limit_in_bytes"), "w") as fp:
            fp.write(str(limit))
        proc = subprocess.Popen(["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg,
                                 fx["path"]] + FAST, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        proc.wait(60)
        t, k = gt.kill_of(proc.pid, 20)
        if not check(k is not None and kmsg.kill_line(proc.pid) is not None,
                     "late-limit: a kill reported by gotrace and the kernel",
                     stderr=gt.stderr()[-2000:]):
            return
        eq(k["oom"]["limit_bytes"], limit, "late-limit: the limit written after the first "
           "rounds")
        h = k.get("go_heap")
        check(h and h["status"] == "read", "late-limit: heap state read (the process was read "
              "at its exec)", heap=h)
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        if gt:
            rc, _ = gt.stop()
            eq(rc, 0, "late-limit: gotrace exits 0", stderr=gt.stderr()[-1500:])
        kmsg.close()
        for d in (cg, pod_cg):
            try:
                os.rmdir(d)
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)


def main():
    require_root()
    require_gotrace()
    if not os.path.isdir("/sys/fs/cgroup/memory"):
        skip("no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (minikubelet's layout)")
    if not shutil.which("runc") and not os.path.exists("/usr/sbin/runc"):
        skip("runc is missing (scripts/setup.sh installs it)")
    only = os.environ.get("OOM_SCENARIOS")
    for fn in (scenario_pacing, scenario_gogc_off_in_code, scenario_live_env,
               scenario_live_code, scenario_jump_pie, scenario_trigger, scenario_tracefs,
               scenario_not_read_ahead, scenario_late_limit):
        if only and not any(s in fn.__name__ for s in only.split(",")):
            continue
        print("-- %s" % fn.__doc__.strip().split("\n")[0], flush=True)
        try:
            fn()
        except Exception as e:  # a scenario's crash must not hide the others
            fail("%s raised %r" % (fn.__name__, e))
    done()


if __name__ == "__main__":
    main()
