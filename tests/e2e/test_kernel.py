#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""e2e: `gotrace info --kernel` against independent oracles (root, real BPF).

What gotrace reports is checked against what the test finds out itself:
/proc/self/mountinfo, /proc/pressure, /proc/self/status, the kernel config,
/sys/bus/event_source, bpftool's BTF dump and feature probe, a raw bpf(2)
program load done here with ctypes, tracefs, and the syscall numbers in
the kernel headers. Exit 0 pass, 1 fail, 77 skip (the reason printed).
Python 3 standard library only.
"""
import ctypes
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOTRACE = os.environ.get("GOTRACE") or str(Path(os.environ.get("BUILD_DIR", ROOT / "build")) / "gotrace")
TRACEFS = "/sys/kernel/tracing"
EXIT_NOFEATURE = 3
SELFTEST_RUNS = 5  # the self-test's contract: five execs of /bin/true

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)
    return cond


def skip(reason):
    print("SKIP  " + reason)
    sys.exit(77)


def run(args, timeout=120, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


def gotrace(*args, prefix=()):
    return run([*prefix, GOTRACE, *args])


def report(*global_args, extra=(), prefix=()):
    """`[global_args] info --kernel --json [extra]`; (parsed stdout or None, process)."""
    p = gotrace(*global_args, "info", "--kernel", "--json", *extra, prefix=prefix)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        return None, p


def hook(doc, name):
    return next(h for h in doc["hooks"] if h["name"] == name)


# ---- oracles -------------------------------------------------------------

def mountinfo():
    """[(mount_point, fstype, super_options)] of this process, escapes decoded."""
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        mnt = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), left.split()[4])
        fstype, _source, opts = right.split()[:3]
        out.append((mnt, fstype, opts.split(",")))
    return out


def tracefs_mounted():
    return any(m == TRACEFS and t == "tracefs" for m, t, _ in mountinfo())


def kconfig(name):
    """'y', 'm', 'n' (is not set), a value, or None when no config is readable."""
    rel = os.uname().release
    for path, opener in (("/proc/config.gz", gzip.open), ("/boot/config-" + rel, open)):
        try:
            with opener(path, "rt") as f:
                text = f.read()
        except OSError:
            continue
        m = re.search(r"^%s=(.*)$" % name, text, re.M)
        if m:
            return m.group(1)
        return "n" if re.search(r"^# %s is not set$" % name, text, re.M) else None
    return None


_btf_dump = None


def btf_id(kind, name):
    global _btf_dump
    if _btf_dump is None:
        _btf_dump = run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux"]).stdout
    m = re.search(r"^\[(\d+)\] %s '%s'" % (kind, re.escape(name)), _btf_dump, re.M)
    return int(m.group(1)) if m else None


BPF_PROG_LOAD, BPF_PROG_TYPE_TRACING = 5, 26
BPF_TRACE_RAW_TP, BPF_TRACE_FENTRY = 23, 24
SYS_bpf = {"x86_64": 321, "aarch64": 280}.get(os.uname().machine)


def raw_tracing_load(attach_type, attach_btf_id):
    """bpf(BPF_PROG_LOAD) of `r0 = 0; exit` as a tracing program: 0 or -errno."""
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(bytes([0xB7] + [0] * 7 + [0x95] + [0] * 7), 16)
    lic = ctypes.create_string_buffer(b"GPL")
    attr = ctypes.create_string_buffer(128)  # union bpf_attr, PROG_LOAD part
    struct.pack_into("=IIQQ", attr, 0, BPF_PROG_TYPE_TRACING, 2, ctypes.addressof(insns),
                     ctypes.addressof(lic))
    struct.pack_into("=I", attr, 68, attach_type)     # expected_attach_type
    struct.pack_into("=I", attr, 108, attach_btf_id)  # attach_btf_id
    fd = libc.syscall(SYS_bpf, BPF_PROG_LOAD, attr, len(attr))
    if fd < 0:
        return -ctypes.get_errno()
    os.close(fd)
    return 0


def syscall_nr(name):
    for hdr in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h",
                "/usr/include/asm-generic/unistd.h"):
        try:
            m = re.search(r"#define __NR_%s\s+(\d+)" % name, Path(hdr).read_text())
        except OSError:
            continue
        if m:
            return int(m.group(1))
    return None


def cap_eff(status_text):
    return int(re.search(r"^CapEff:\s*([0-9a-f]+)", status_text, re.M).group(1), 16)


# ---- tests ---------------------------------------------------------------

def test_mechanisms(doc):
    """oom_kill's chain against what the kernel itself says about fentry and kprobes."""
    kprobes_absent = (not os.path.exists("/sys/bus/event_source/devices/kprobe")
                      or kconfig("CONFIG_KPROBES") == "n")
    fentry_err = raw_tracing_load(BPF_TRACE_FENTRY, btf_id("FUNC", "oom_kill_process") or 0)
    # Positive control: the same raw loader succeeds for tp_btf, so a failure above is the kernel's.
    control = raw_tracing_load(BPF_TRACE_RAW_TP, btf_id("TYPEDEF", "btf_trace_mark_victim") or 0)
    check(control == 0, "oracle control: a raw tp_btf load works here (%d)" % control)
    h = hook(doc, "oom_kill")
    cands = {c["mechanism"]: c for c in h["candidates"]}
    if fentry_err:
        name = os.strerror(-fentry_err)
        check(cands["fentry"]["tried"] and not cands["fentry"]["ok"],
              "fentry rejected (the kernel refused a raw fentry load: %s)" % name)
        check(name in cands["fentry"]["reason"],
              "fentry reason carries the kernel's errno (%r in %r)" % (name, cands["fentry"]["reason"]))
        check(doc["fentry"]["state"] == "missing", "feature fentry: missing")
    else:
        check(h["chosen"]["mechanism"] == "fentry", "fentry loads here, so oom_kill uses it")
    if kprobes_absent:
        check(cands["kprobe"]["tried"] and not cands["kprobe"]["ok"],
              "kprobe rejected (no kprobe PMU / CONFIG_KPROBES off)")
        check(doc["kprobe"]["state"] == "missing", "feature kprobe: missing")
    if fentry_err and kprobes_absent:
        check(h["chosen"] and h["chosen"]["mechanism"] in ("tp_btf", "raw_tp", "tracepoint"),
              "oom_kill uses a tracepoint flavour: %s" % (h["chosen"],))


def test_targets_exist(doc):
    """Every chosen target exists in the kernel's BTF or tracefs, seen independently."""
    for h in doc["hooks"]:
        c = h["chosen"]
        if not c:
            continue
        m, t = c["mechanism"], c["target"]
        if m in ("tp_btf", "raw_tp"):
            ok = btf_id("TYPEDEF", "btf_trace_" + t) is not None
        elif m == "tracepoint":
            ok = os.path.exists("%s/events/%s/id" % (TRACEFS, t.replace(":", "/")))
        else:
            ok = btf_id("FUNC", t) is not None
        check(ok, "hook %s: %s %s exists in this kernel" % (h["name"], m, t))


def exec_storm():
    """Execs /bin/true in a loop from outside gotrace's process tree."""
    return subprocess.Popen(["sh", "-c", "while :; do /bin/true; done"])


def test_selftest(no_feature, mech):
    """The self-test counts exactly its own execs, with other execs going on meanwhile."""
    storm = exec_storm()
    try:
        time.sleep(0.2)
        args = ["--no-feature=" + no_feature] if no_feature else []
        doc, p = report(*args, extra=("--selftest",))
    finally:
        storm.kill()
        storm.wait()
    label = no_feature or "defaults"
    if not check(p.returncode == 0 and doc, "selftest (%s) ran: rc %d %s" % (label, p.returncode, p.stderr.strip())):
        return
    st = doc["selftest"]
    check(st["hook"] == "process_exec" and st["mechanism"] == hook(doc, "process_exec")["chosen"]["mechanism"],
          "selftest (%s) used process_exec's chosen mechanism (%s)" % (label, st["mechanism"]))
    if mech:
        check(st["mechanism"] == mech, "selftest (%s) went through %s" % (label, mech))
    check(st["counted"] == SELFTEST_RUNS, "selftest (%s) counted %d of %d execs, despite other execs"
          % (label, st["counted"], SELFTEST_RUNS))


def test_nothing_left():
    nf = "--no-feature=tracepoint,tp_btf,raw_tp"
    doc, p = report(nf)
    check(p.returncode == 0 and doc, "info --kernel still reports with no mechanism left (rc %d)" % p.returncode)
    if doc:
        h = hook(doc, "process_exec")
        check(h["chosen"] is None and all(c["tried"] and not c["ok"] for c in h["candidates"]),
              "process_exec unavailable, every candidate rejected")
        check(all("--no-feature" in c["reason"] for c in h["candidates"]),
              "each rejection names --no-feature")
    p = gotrace(nf, "info", "--kernel", "--selftest")
    check(p.returncode == EXIT_NOFEATURE, "selftest without a mechanism exits %d (got %d)" % (EXIT_NOFEATURE, p.returncode))
    check("process_exec" in p.stderr and "unavailable" in p.stderr,
          "the error names the unavailable hook: %r" % p.stderr.strip()[:160])
    p = gotrace(nf, "--json", "info", "--kernel", "--selftest")
    try:
        err = json.loads(p.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        err = {}
    check(err.get("exit_code") == EXIT_NOFEATURE and p.returncode == EXIT_NOFEATURE,
          "under --json the error is JSON with exit_code %d" % EXIT_NOFEATURE)


def test_syscall_generic():
    """Without tracefs the syscall hooks fall back to sys_enter/sys_exit filtered on the right id."""
    doc, p = report("--no-feature=tracepoint")
    if not check(doc is not None, "report with --no-feature=tracepoint"):
        return
    for h in doc["hooks"]:
        m = re.fullmatch(r"sys_(enter|exit)_(\w+)", h["name"])
        if not m:
            continue
        c, nr = h["chosen"], syscall_nr(m.group(2))
        check(c and c["target"] == "sys_" + m.group(1) and c.get("syscall_filter") == nr,
              "%s → %s filtered on __NR_%s = %s" % (h["name"], c, m.group(2), nr))


def test_cgroup_psi_system(doc):
    mounts = mountinfo()
    v1 = [(m, o) for m, t, o in mounts if t == "cgroup"]
    v2 = [m for m, t, _ in mounts if t == "cgroup2"]
    layout = "hybrid" if v1 and v2 else "v1" if v1 else "v2" if v2 else "none"
    mem_v1 = [m for m, o in v1 if "memory" in o]
    cg = doc["cgroup"]
    check(cg["layout"] == layout, "cgroup layout %s (mountinfo: %s)" % (cg["layout"], layout))
    check(cg["unified_mount"] == (v2[0] if v2 else None), "cgroup2 mount %s" % cg["unified_mount"])
    if mem_v1:
        check(cg["memory_controller"] == "v1" and cg["memory_mount"] == mem_v1[0],
              "memory controller v1 at %s" % mem_v1[0])
    elif v2:
        ctrls = Path(v2[0], "cgroup.controllers").read_text().split()
        want = "v2" if "memory" in ctrls else "none"
        check(cg["memory_controller"] == want, "memory controller %s" % want)
    for res in ("cpu", "memory", "io"):
        try:
            readable = bool(Path("/proc/pressure", res).read_text())
        except OSError:
            readable = False
        check(doc["psi"][res] == readable, "psi %s: %s" % (res, readable))
    check(doc["kernel_release"] == os.uname().release, "kernel release")
    check((doc["btf"]["state"] == "ok") == os.path.exists("/sys/kernel/btf/vmlinux"), "btf state")
    check((doc["uprobe"]["state"] == "ok") == os.path.exists("/sys/bus/event_source/devices/uprobe"),
          "uprobe state")
    # uprobe_multi links exist where the kernel has their attach function (6.6+).
    multi = re.search(r" bpf_uprobe_multi_link_attach$", Path("/proc/kallsyms").read_text(), re.M)
    check((doc["uprobe_multi"]["state"] == "ok") == bool(multi),
          "uprobe_multi state agrees with kallsyms (%s)" % bool(multi))


def test_vs_bpftool(doc):
    probe = run(["bpftool", "feature", "probe", "kernel"]).stdout
    ringbuf = re.search(r"map_type ringbuf is available", probe) is not None
    check((doc["ring_buffer"]["state"] == "ok") == ringbuf, "ring buffer agrees with bpftool (%s)" % ringbuf)
    sect = re.search(r"helpers supported for program type kprobe:\n((?:\t- .*\n)*)", probe)
    if sect:
        cookie = "bpf_get_attach_cookie" in sect.group(1)
        check((doc["bpf_cookie"]["state"] == "ok") == cookie, "bpf_cookie agrees with bpftool (%s)" % cookie)


def test_privileges(doc):
    status = Path("/proc/self/status").read_text()
    eff = cap_eff(status)
    pr = doc["privileges"]
    check(pr["euid"] == os.geteuid(), "euid %d" % os.geteuid())
    for key, bit in (("cap_bpf", 39), ("cap_perfmon", 38), ("cap_sys_admin", 21)):
        check(pr[key] == bool(eff >> bit & 1), "%s matches CapEff" % key)
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
            "--no-new-privs"]
    probe = run(drop + ["cat", "/proc/self/status"])
    if probe.returncode != 0:
        print("note  setpriv unusable here, unprivileged case not tested: " + probe.stderr.strip())
        return
    nobody_eff = cap_eff(probe.stdout)
    doc2, p = report(prefix=drop)
    if not check(doc2 is not None, "unprivileged report (rc %d %s)" % (p.returncode, p.stderr.strip()[:120])):
        return
    pr2 = doc2["privileges"]
    want_ok = bool(nobody_eff >> 21 & 1) or (bool(nobody_eff >> 39 & 1) and bool(nobody_eff >> 38 & 1))
    check((pr2["state"] == "ok") == want_ok and pr2["euid"] == 65534,
          "unprivileged: state %s (CapEff %#x)" % (pr2["state"], nobody_eff))
    if not want_ok:
        check("CAP_BPF" in pr2["reason"] and "root" in pr2["reason"],
              "the privilege message names the fix: %r" % pr2["reason"])
        check(hook(doc2, "process_exec")["chosen"] is None, "unprivileged: no hook is usable")
        p = gotrace("info", "--kernel", "--selftest", prefix=drop)
        check(p.returncode == EXIT_NOFEATURE, "unprivileged selftest exits %d (got %d)" % (EXIT_NOFEATURE, p.returncode))


def test_quiet_and_verbose():
    p = gotrace("info", "--kernel")
    check(p.returncode == 0 and p.stderr == "", "expected probe failures stay off stderr: %r" % p.stderr[:200])
    p = gotrace("-vv", "info", "--kernel")
    check("libbpf:" in p.stderr, "-vv shows libbpf's debug output")


def set_tracefs(mounted):
    if mounted == tracefs_mounted():
        return True
    args = ["mount", "-t", "tracefs", "nodev", TRACEFS] if mounted else ["umount", TRACEFS]
    return run(args).returncode == 0


def test_tracefs_mount():
    """gotrace mounts tracefs when absent and says so; not when tracepoints are disabled."""
    was = tracefs_mounted()
    if not set_tracefs(False):
        print("note  tracefs is busy (in use by another process): mount test not run")
        return
    try:
        doc, _ = report("--no-feature=tracepoint")
        check(doc and doc["tracefs"]["state"] == "disabled" and not doc["tracefs"]["mounted_by_gotrace"]
              and not tracefs_mounted(), "--no-feature=tracepoint: tracefs left unmounted")
        doc, _ = report()
        check(doc and doc["tracefs"]["mounted_by_gotrace"] and tracefs_mounted(),
              "tracefs absent: gotrace mounted it (mountinfo agrees)")
        doc, _ = report()
        check(doc and not doc["tracefs"]["mounted_by_gotrace"] and doc["tracefs"]["state"] == "ok",
              "tracefs present: mounted_by_gotrace false")
    finally:
        if not set_tracefs(was):
            check(False, "restore tracefs to %s" % ("mounted" if was else "unmounted"))


def main():
    if os.geteuid() != 0:
        skip("needs root (real BPF)")
    if not os.access(GOTRACE, os.X_OK):
        skip("no %s: run make first" % GOTRACE)
    if not shutil.which("bpftool"):
        skip("bpftool (the BTF and feature oracle) is not installed: scripts/setup.sh")
    if SYS_bpf is None:
        skip("no bpf(2) number for %s in this test" % os.uname().machine)
    doc, p = report()
    if not check(doc is not None and p.returncode == 0, "info --kernel --json (rc %d %s)" % (p.returncode, p.stderr.strip())):
        return 1
    test_mechanisms(doc)
    test_targets_exist(doc)
    test_cgroup_psi_system(doc)
    test_vs_bpftool(doc)
    test_privileges(doc)
    test_selftest(None, None)
    test_selftest("tp_btf,raw_tp", "tracepoint")
    test_selftest("tp_btf", "raw_tp")
    test_nothing_left()
    test_syscall_generic()
    test_quiet_and_verbose()
    test_tracefs_mount()
    print("%s: %d failure(s)" % ("FAIL" if failures else "PASS", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
