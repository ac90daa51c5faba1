# SPDX-License-Identifier: GPL-2.0
"""`gotrace oom` on bad input and in bad conditions, and its kernel-hook
fallbacks:
  - invalid filters are usage errors (exit 2) with a message, JSON under --json
  - a pid that does not exist: exit 1 naming it
  - the kill hook's fentry and kprobe variants: they must load where the
    kernel lets them (the verifier accepts the real programs, --load-only),
    and where the kernel refuses them the refusal is reported at its stage
    (load refused / attach failed) with the errno, exit 3. The oracle for
    "refuses" is the kernel itself: the kprobe PMU, and a raw BPF_PROG_LOAD
    of an fentry program (test_kernel.py's loader)
  - a watched cgroup that disappears (the container exits normally and runc
    deletes it) while gotrace runs scoped to it: no error, a clean summary
  - a non-TTY, -d: it ends by itself with exit 0 and a summary
"""

import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (check, done, eq, fixtures, note, require_gotrace, require_root,  # noqa: E402
                     run_gotrace, sane_exit)
from oomkit import Gotrace, Pod  # noqa: E402


def usage_errors():
    cases = [
        (["--pod", "../etc"], "pod"),
        (["--pod", ""], "pod"),
        (["--container", "xyz!"], "container"),
        (["--container", "a" * 65], "container"),
        (["-c", "/does/not/exist"], "does not exist"),
        (["-c", "/kubepods/../etc"], ".."),
        (["-c", "999999999999"], "no cgroup has id"),
        (["--pod", "abc", "--container", "abcd"], "at most one"),
        (["--count", "0"], "count"),
        (["--count", "x"], "count"),
        (["--force-kill-hook", "uprobe"], "unknown mechanism"),
        (["extra"], "unexpected argument"),
        (["-d", "-1"], "bad value"),
    ]
    for args, word in cases:
        rc, out, err = run_gotrace(["oom"] + args, timeout=30)
        what = "oom %s" % " ".join(args)
        sane_exit(rc, out, err, what)
        eq(rc, 2, "%s: usage error" % what, stderr=err)
        check(word in err, "%s: the message says what is wrong (%r)" % (what, word), stderr=err)
        rc, out, err = run_gotrace(["--json", "oom"] + args, timeout=30)
        try:
            doc = json.loads(err.strip().splitlines()[-1])
            check(doc.get("exit_code") == 2 and word in doc.get("error", ""),
                  "%s --json: the error as JSON" % what, stderr=err)
        except (ValueError, IndexError):
            check(False, "%s --json: stderr is a JSON error" % what, stderr=err)


def missing_pid():
    pid = 4194303  # above any pid_max default: never a live process
    while os.path.exists("/proc/%d" % pid):
        pid -= 1
    rc, out, err = run_gotrace(["oom", "--pid", str(pid), "-d", "1"], timeout=30)
    eq(rc, 1, "oom --pid <absent>: runtime error")
    check(str(pid) in err, "oom --pid <absent>: the message names the pid", stderr=err)


def kprobes_work():
    return os.path.exists("/sys/bus/event_source/devices/kprobe")


def fentry_loads():
    """The kernel's own answer (test_kernel.py's raw loader), or None if unknown."""
    try:
        import test_kernel
        return test_kernel.raw_tracing_load(
            test_kernel.BPF_TRACE_FENTRY, test_kernel.btf_id("FUNC", "oom_kill_process") or 0) == 0
    except Exception as e:  # the oracle is optional: say so
        note("no raw fentry oracle (%r)" % e)
        return None


def mechanisms():
    for mech in ("kprobe", "tp_btf", "raw_tp", "tracepoint"):
        rc, out, err = run_gotrace(["oom", "--force-kill-hook", mech, "--load-only"], timeout=60)
        eq(rc, 0, "%s: the real oom programs pass the verifier (--load-only)" % mech, stderr=err)
        check(mech in out, "%s: it says what it loaded" % mech, stdout=out)
    rc, out, err = run_gotrace(["oom", "--force-kill-hook", "kprobe", "-d", "1"], timeout=60)
    if kprobes_work():
        eq(rc, 0, "kprobe: attaches where the kernel has kprobes", stderr=err)
    else:
        eq(rc, 3, "kprobe: no kprobes here: missing-feature exit", stderr=err)
        check("attach failed" in err and "kprobe oom_kill_process" in err,
              "kprobe: refused at attach, named", stderr=err)
    loads = fentry_loads()
    rc, out, err = run_gotrace(["oom", "--force-kill-hook", "fentry", "--load-only"], timeout=60)
    if loads:
        eq(rc, 0, "fentry: loads where the kernel loads fentry programs", stderr=err)
    elif loads is False:
        eq(rc, 3, "fentry: refused here: missing-feature exit", stderr=err)
        check("program load refused" in err and
              any(e in err for e in ("EPERM", "EACCES", "EINVAL", "ENOTSUPP", "EOPNOTSUPP")),
              "fentry: refused at load, with the errno", stderr=err)
    check("libbpf:" not in err, "forced mechanism: no libbpf noise, one message", stderr=err)
    # Without forcing: the chain falls back by itself and says which it took.
    g = Gotrace(["-d", "2"])
    start = g.wait_started()
    g.stop()
    kill = [h for h in start["hooks"] if h["hook"] == "oom_kill"][0]
    check(kill.get("mechanism") in ("fentry", "kprobe", "tp_btf", "raw_tp", "tracepoint"),
          "default: a kill mechanism was chosen (%s)" % kill)
    if not kprobes_work() and loads is False:
        check(kill["mechanism"] in ("tp_btf", "raw_tp", "tracepoint"),
              "default: falls back to a tracepoint flavour here")
    rc, out, err = run_gotrace(["--no-feature=tp_btf,raw_tp,tracepoint,fentry,kprobe", "oom",
                                "-d", "1"], timeout=60)
    eq(rc, 3, "every mechanism disabled: missing-feature exit", stderr=err)
    check("oom_kill" in err, "every mechanism disabled: names the hook", stderr=err)


def disappearing_cgroup():
    """Scoped to a container's cgroup that runc deletes while gotrace watches it."""
    fx = fixtures(prog="parked", variant="exe")
    if not fx:
        note("no parked fixture: disappearing cgroup not run")
        return
    node = tempfile.mkdtemp(prefix="gotrace-oom-node-")
    pod = Pod(node, binary=fx[0]["path"], memory="64M", pod="short")
    g = Gotrace(["-c", pod.cgroup, "-d", "6"], host_root=node)
    try:
        start = g.wait_started()
        eq(start.get("watched_cgroups"), 1, "the container's cgroup is watched")
        time.sleep(1.5)
        pod.stop()  # SIGTERM: minikubelet kills the container, runc deletes its cgroup
        time.sleep(0.5)
        check(not os.path.exists("/sys/fs/cgroup/memory" + pod.cgroup), "the cgroup is gone")
        rc, summary = g.stop(timeout=30)
        eq(rc, 0, "gotrace carries on and exits 0 after its cgroup vanished",
           stderr=g.stderr()[-1500:])
        check(summary is not None and summary["kills"] == 0, "a clean summary", summary=summary)
        check("gone" not in g.stderr() or "error" not in g.stderr().lower(),
              "no error about the cgroup", stderr=g.stderr()[-1500:])
    finally:
        pod.stop()
        g.stop()
        shutil.rmtree(node, ignore_errors=True)


def duration_text():
    rc, out, err = run_gotrace(["oom", "-d", "1"], timeout=60)
    sane_exit(rc, out, err, "oom -d 1")
    eq(rc, 0, "oom -d 1 ends by itself")
    check("kill" in err and "lost records: 0" in err, "a summary on stderr", stderr=err)


def main():
    require_root()
    require_gotrace()
    usage_errors()
    missing_pid()
    mechanisms()
    duration_text()
    disappearing_cgroup()
    done()


if __name__ == "__main__":
    main()
