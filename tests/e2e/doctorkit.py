# SPDX-License-Identifier: GPL-2.0
"""Shared by the `gotrace doctor` tests and bench/doctor.sh: a misconfigured
Go service (tests/fixtures/doctorapp) in a minikubelet pod, and doctor run
against it.

  Pod        scripts/minikubelet.py with every knob doctor checks (memory and
             CPU limits, user, capabilities, env, mounts, rootfs, restarts);
             its start/exit events, the container's cgroup files, its log
  doctor()   `gotrace --host-root H doctor ... --json`: rc and the document
  check()    one check's result in a document; fact() the facts of a kind

The oracles are the cgroup files and /proc read here, the runtime's own
"ready" line (doctorapp prints gomaxprocs, gc_percent, memory_limit as the
Go runtime reports them), readelf, the kernel log and the pod's log file.
"""

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time

from harness import GOTRACE, ROOT, fixtures, run, skip

MINIKUBELET = os.path.join(ROOT, "scripts", "minikubelet.py")
CG = "/sys/fs/cgroup"


def doctorapp(toolchain=None):
    """The doctorapp fixture built by the newest (or the given) toolchain."""
    fs = fixtures(prog="doctorapp", variant="exe")
    if toolchain:
        fs = [f for f in fs if f["toolchain"] == toolchain] or fs
    if not fs:
        skip("no doctorapp fixture in the manifest (make fixtures)")
    return sorted(fs, key=lambda f: f["toolchain"])[-1]


class Pod:
    """One minikubelet pod; stop() (or the test's end) tears it down."""

    def __init__(self, binary=None, rootfs=None, args=(), env=(), memory=None, cpu=None,
                 user=None, caps=None, mounts=(), cwd="/", restarts=0, backoff=0.5,
                 max_backoff=8.0, pod="api", namespace="shop", container="app"):
        self.host_root = tempfile.mkdtemp(prefix="gotrace-doctor-node-")
        self.pod, self.namespace, self.container = pod, namespace, container
        argv = ["python3", MINIKUBELET, "run", "--host-root", self.host_root, "--pod", pod,
                "--namespace", namespace, "--container", container, "--cwd", cwd,
                "--restarts", str(restarts), "--backoff", str(backoff),
                "--max-backoff", str(max_backoff)]
        argv += ["--binary", binary] if binary else ["--rootfs", rootfs]
        for k, v in (("--memory", memory), ("--cpu-quota", cpu), ("--user", user),
                     ("--caps", caps)):
            if v is not None:
                argv += [k, str(v)]
        for e in env:
            argv += ["--env", e]
        for m in mounts:
            argv += ["--mount", m]
        argv += ["--"] + list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.events = []
        self._buf = b""
        self.start = self.next_event("start")
        self.uid = self.start["pod_uid"]
        self.pid = self.start["pid"]
        self.cid = self.start["container_id"]
        self.cgroup = self.start["cgroup"]

    def next_event(self, kind, timeout=30.0):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                ev = json.loads(line)
                self.events.append(ev)
                if ev["event"] == kind:
                    return ev
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                ch = os.read(fd, 4096)
                if not ch:
                    break
                self._buf += ch
        raise RuntimeError("minikubelet: no %s event (rc %s)" % (kind, self.proc.poll()))

    def log_dir(self):
        return os.path.join(self.host_root, "var/log/pods",
                            "%s_%s_%s" % (self.namespace, self.pod, self.uid), self.container)

    def log(self, restart=0):
        try:
            with open(os.path.join(self.log_dir(), "%d.log" % restart)) as fp:
                return fp.read()
        except OSError:
            return ""

    def wait_log(self, pattern, restart=0, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log(restart))
            if m:
                return m
            time.sleep(0.05)
        return None

    def ready(self, restart=0):
        """doctorapp's ready line: the runtime's own gomaxprocs, gc_percent, memory_limit."""
        m = self.wait_log(r"ready pid=\d+ gomaxprocs=(\d+) gc_percent=(-?\d+) "
                          r"memory_limit=(\S+)", restart)
        if not m:
            return None
        return {"gomaxprocs": int(m.group(1)), "gc_percent": int(m.group(2)),
                "memory_limit": m.group(3)}

    def cgfile(self, ctrl, name):
        with open(os.path.join(CG, ctrl) + self.cgroup + "/" + name) as fp:
            return fp.read()

    def netns(self):
        return "gotrace-pod-" + self.uid[:8]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.host_root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def doctor(target_args, host_root, extra=(), timeout=60):
    """`gotrace --host-root H doctor TARGET --json [extra]`: (rc, doc or None, stderr)."""
    argv = [GOTRACE, "--host-root", host_root, "doctor"] + list(target_args) + ["--json"]
    argv += list(extra)
    rc, out, err = run(argv, timeout=timeout)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    try:
        doc = json.loads(lines[0]) if len(lines) == 1 else None
    except ValueError:
        doc = None
    return rc, doc, err


def check(doc, cid):
    for c in doc["checks"]:
        if c["id"] == cid:
            return c
    return None


def facts(doc, kind):
    return [f for f in doc["facts"] if f["kind"] == kind]


def fact(doc, kind):
    fs = facts(doc, kind)
    return fs[-1]["attrs"] if fs else {}


def readelf_interp(path):
    rc, out, _ = run(["readelf", "-lW", path])
    m = re.search(r"program interpreter: ([^\]]+)\]", out)
    return m.group(1) if m else None


def which(cmd):
    return shutil.which(cmd)
