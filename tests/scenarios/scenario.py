# SPDX-License-Identifier: GPL-2.0
"""The crash-loop scenario harness (../shared/SCENARIOS.md), for every command
that diagnoses them (crash today; watch and doctor later).

A scenario is a real failure: a workload in a runc container with the
kubelet's cgroup and log layout, restarted with back-off by
scripts/minikubelet.py, while gotrace runs. The test then checks gotrace's #1
candidate for the FIRST death against an independent oracle: the container's
own log (the Go runtime's panic output, runc's exec error), the kernel's
view (/proc, sysctls), readelf of the binary, the stand-in kubelet's own
record of what it did.

    import scenario as sc
    with sc.Scenario("go-panic") as s:
        g = s.gotrace()                       # starts `gotrace crash --json`
        pod = s.pod(binary=sc.fixture("crashy"), args=["panic"], restarts=1)
        first = pod.wait_start(0)
        v = g.wait_verdict(pod.subject(), first_only=True)
        top = sc.top(v)                       # the #1 candidate (a dict)
        ...
    sc.done()

The gotrace command line is a parameter: Scenario.gotrace(args=...) or, for a
whole run, GOTRACE_SCENARIO_ARGS (default "crash"); --host-root and --json
are always added. A command is ready when it prints {"status":{"ready":true}}
(or, for commands without that line, after GOTRACE_SCENARIO_SETTLE seconds).
Verdicts are its {"verdict": {...}} lines: subject, pid, time_ns, candidates.

Exit status follows tests/e2e/harness.py (which this imports): 0 pass,
77 skip with a reason, anything else fail.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import harness  # noqa: E402  (check, eq, fail, skip, done, manifest, parse_traceback)
from harness import check, eq, fail, note, skip, done, fatal  # noqa: E402,F401

ROOT = harness.ROOT
GOTRACE = harness.GOTRACE
BUILD_DIR = harness.BUILD_DIR
MINIKUBELET = os.path.join(ROOT, "scripts", "minikubelet.py")
PYTHON = "/usr/bin/python3"
DEFAULT_ARGS = os.environ.get("GOTRACE_SCENARIO_ARGS", "crash").split()
SETTLE = float(os.environ.get("GOTRACE_SCENARIO_SETTLE", "3"))


def require():
    harness.require_root()
    harness.require_gotrace()
    for tool in ("runc", "ip", "readelf"):
        if not shutil.which(tool):
            skip("%s is not installed (scripts/setup.sh installs it)" % tool)


# --------------------------------------------------------------------------
# Workloads

def fixture(prog, toolchain=None, variant="exe"):
    """A fixture binary from build/fixtures (tests/fixtures/build.sh): the
    newest toolchain's unless toolchain ("go1.19") is given."""
    cands = harness.fixtures(prog=prog, variant=variant, origin="toolchain")
    if toolchain:
        cands = [f for f in cands if f["toolchain"] == toolchain]
    if not cands:
        fatal("no %s fixture %s/%s: run `make fixtures`" % (prog, toolchain or "*", variant))
    cands.sort(key=lambda f: harness.go_version_tuple(f["go_version"]) or (0, 0, 0))
    return cands[-1]["path"]


def cross_build(prog, goarch):
    """The fixture built for another architecture with the newest toolchain
    (cached by source and toolchain under build/scenarios)."""
    goroot = harness.newest_goroot()
    out = os.path.join(BUILD_DIR, "scenarios", "%s-%s" % (prog, goarch))
    src = os.path.join(harness.FIXTURE_SRC, prog)
    newest = max(os.path.getmtime(os.path.join(src, n)) for n in os.listdir(src))
    if os.path.exists(out) and os.path.getmtime(out) >= newest:
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "GOROOT": goroot,
           "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOENV": "off",
           "GOARCH": goarch, "CGO_ENABLED": "0",
           "GOCACHE": os.path.join(tempfile.gettempdir(), "gotrace-scenario-gocache")}
    p = subprocess.run([os.path.join(goroot, "bin", "go"), "build", "-buildvcs=false", "-o",
                        out + ".tmp", "."], cwd=src, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode:
        fatal("cross build of %s for %s failed: %s" % (prog, goarch, p.stdout.decode()[-2000:]))
    os.replace(out + ".tmp", out)
    return out


# --------------------------------------------------------------------------
# Independent oracles

def readelf(args, path):
    p = subprocess.run(["readelf"] + args + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return p.stdout.decode(errors="replace")


def elf_interpreter(path):
    """PT_INTERP as readelf prints it ("Requesting program interpreter: X")."""
    m = re.search(r"Requesting program interpreter: ([^\]]+)\]", readelf(["-l", "-W"], path))
    return m.group(1) if m else None


def elf_machine(path):
    """readelf -h "Machine:" text, e.g. "AArch64", "Advanced Micro Devices X86-64"."""
    m = re.search(r"Machine:\s+(.+)", readelf(["-h"], path))
    return m.group(1).strip() if m else None


def netns_sysctl(netns, name):
    """A sysctl as the pod's network namespace sees it."""
    p = subprocess.run(["ip", "netns", "exec", netns, "cat",
                        "/proc/sys/" + name.replace(".", "/")],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout.decode().strip()


def cri_log_text(path):
    """The raw text of a CRI-format log ("<time> <stream> F <line>")."""
    out = []
    try:
        with open(path, errors="replace") as fp:
            for line in fp:
                parts = line.rstrip("\n").split(" ", 3)
                out.append(parts[3] if len(parts) == 4 else "")
    except OSError:
        return ""
    return "\n".join(out)


def first_user_frame(tb, gid=None):
    """(func, file, line) of the first non-runtime frame of goroutine gid
    (default: the first goroutine printed) in a parsed Go traceback."""
    gs = [g for g in tb.goroutines if gid is None or g.id == gid]
    for g in gs[:1]:
        for f in g.frames:
            # runtime.gopanic prints as "panic".
            if not f.func.startswith("runtime.") and f.func != "panic":
                return f.func, f.file, f.line
    return None


def frame_func(text):
    """"main.(*handler).serve (/src/main.go:36)" -> ("main.(*handler).serve", "/src/main.go", 36)."""
    m = re.match(r"(.+) \((.*):(\d+)\)$", text or "")
    return (m.group(1), m.group(2), int(m.group(3))) if m else (text, None, None)


# --------------------------------------------------------------------------
# gotrace

def _watch_verdict(doc, docs):
    """`gotrace watch --json` reports candidates, not deaths: its first candidate
    about a subject (the highest ranked of that update) is that subject's verdict;
    the death's exit code or signal come from the exit fact it names (--facts)."""
    if doc.get("type") != "candidate":
        return None
    c = doc["candidate"]
    v = {"subject": c["subject"], "display": c["display"], "time_ns": c["last_seen_ns"],
         "candidates": [c]}
    m = re.match(r"death:(\d+)$", c.get("merge_key") or "")
    if m:
        # About a death: a verdict once the death itself was seen (an early
        # warning about the same process, e.g. at its SIGTERM, is not one yet).
        # An OOM kill is the death: its candidate comes before the exit fact.
        v["pid"] = int(m.group(1))
        exits = [d for d in docs if d.get("kind") in ("exit", "oom_kill") and
                 (d.get("attrs") or {}).get("pid") == v["pid"]]
        if not exits:
            return None
        a = exits[-1]["attrs"]
        for k in ("signal", "exit_code"):
            if k in a:
                v[k] = a[k]
                break
    elif doc.get("event") != "new":
        return None
    return {"verdict": v, "_received": doc["_received"], "_from_watch": True}


class Gotrace:
    """A gotrace command running for the scenario, its JSON lines collected."""

    def __init__(self, host_root, args, timeout):
        self.argv = [GOTRACE, "--host-root", host_root] + list(args) + ["--json", "-d",
                                                                       str(timeout)]
        self.docs = []
        self.lock = threading.Condition()
        self.errf = tempfile.TemporaryFile(prefix="gotrace-scenario-stderr-")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self.errf,
                                     start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = {"unparsed": raw.decode(errors="replace")}
            doc["_received"] = time.time()
            with self.lock:
                verdict = _watch_verdict(doc, self.docs)
                self.docs.append(doc)
                if verdict:
                    self.docs.append(verdict)
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def wait_for(self, pred, timeout):
        """The first collected line for which pred(doc) holds, or None."""
        end = time.time() + timeout
        with self.lock:
            while True:
                for d in self.docs:
                    try:
                        if pred(d):
                            return d
                    except (KeyError, TypeError):
                        pass
                left = end - time.time()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.lock.wait(min(left, 0.2))

    def wait_ready(self):
        if self.wait_for(lambda d: d["status"]["ready"], 30) is None:
            if self.proc.poll() is not None:
                fatal("gotrace exited before it was ready: %s" % self.stderr()[-2000:])
            note("no ready line; waiting %.1f s" % SETTLE)
            time.sleep(SETTLE)

    def verdicts(self, subject=None):
        with self.lock:
            return [d["verdict"] for d in self.docs
                    if "verdict" in d and (subject is None or d["verdict"]["subject"] == subject)]

    def facts(self, kind=None, subject=None):
        with self.lock:
            return [d for d in self.docs if "kind" in d and (kind is None or d["kind"] == kind)
                    and (subject is None or d["subject"] == subject)]

    def wait_verdict(self, subject, timeout=30):
        """The first verdict about subject (the first death gotrace explained)."""
        d = self.wait_for(lambda d: d["verdict"]["subject"] == subject, timeout)
        return d["verdict"] if d else None

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(5)
        err = self.stderr()
        harness.sane_exit(self.proc.returncode, "", err, "gotrace " + " ".join(self.argv[3:]))
        return err


# --------------------------------------------------------------------------
# Pods

class Pod:
    """One container of a pod under scripts/minikubelet.py; its start/exit
    events (JSON lines) collected as they come."""

    def __init__(self, host_root, name, container, uid, binary=None, rootfs=None, args=(),
                 restarts=0, backoff=0.3, **opts):
        self.host_root, self.name, self.container, self.uid = host_root, name, container, uid
        self.events = []
        self.lock = threading.Condition()
        argv = [PYTHON, MINIKUBELET, "run", "--host-root", host_root, "--pod", name,
                "--uid", uid, "--container", container, "--restarts", str(restarts),
                "--backoff", str(backoff), "--max-backoff", "4"]
        argv += ["--binary", binary] if binary else ["--rootfs", rootfs]
        for k, v in opts.items():
            for item in v if isinstance(v, (list, tuple)) else [v]:
                argv += ["--" + k.replace("_", "-"), str(item)]
        argv += ["--"] + list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            try:
                ev = json.loads(raw)
            except ValueError:
                continue
            with self.lock:
                self.events.append(ev)
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def wait_event(self, kind, restart, timeout=30):
        end = time.time() + timeout
        with self.lock:
            while True:
                for ev in self.events:
                    if ev["event"] == kind and ev.get("restart") == restart:
                        return ev
                left = end - time.time()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.lock.wait(min(left, 0.2))

    def wait_start(self, restart=0, timeout=30):
        ev = self.wait_event("start", restart, timeout)
        if ev is None:
            fatal("pod %s: instance %d never started: %s" % (self.name, restart, self.err()))
        return ev

    def wait_exit(self, restart=0, timeout=30):
        return self.wait_event("exit", restart, timeout)

    def subject(self):
        """The subject key gotrace's identity gives this container (proc/identity.h)."""
        return "pod:%s/%s" % (self.uid, self.container)

    def netns(self):
        return "gotrace-pod-" + self.uid[:8]

    def log(self, restart=0):
        return cri_log_text(os.path.join(self.host_root, "var/log/pods",
                                         "default_%s_%s" % (self.name, self.uid),
                                         self.container, "%d.log" % restart))

    def err(self):
        return "" if self.proc.poll() is None else self.proc.stderr.read().decode()[-2000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(5)


# --------------------------------------------------------------------------
# The scenario

class Scenario:
    """A fake node (temporary host root with the kubelet's log layout), the
    gotrace command and the pods; everything is stopped and removed on exit."""

    def __init__(self, name, timeout=60):
        require()
        self.name = name
        self.timeout = timeout
        self.host_root = tempfile.mkdtemp(prefix="gotrace-scenario-%s-" % name)
        self.work = os.path.join(self.host_root, "work")
        os.makedirs(self.work)
        self.pods = []
        self.tracers = []
        self.started = time.time()
        self.failures_before = len(harness.failures())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in self.pods:
            p.stop()
        for g in self.tracers:
            g.stop()
        self._record()
        self._keep_on_failure()
        shutil.rmtree(self.host_root, ignore_errors=True)
        note("scenario %s: %.1f s" % (self.name, time.time() - self.started))

    def _record(self):
        """GOTRACE_SCENARIO_RECORD=DIR: the facts about this scenario's pods, one
        per line, as DIR/<name>.jsonl (rule unit tests replay them)."""
        out = os.environ.get("GOTRACE_SCENARIO_RECORD")
        if not out or not self.tracers:
            return
        subjects = {p.subject() for p in self.pods}
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, self.name + ".jsonl"), "w") as fp:
            for d in self.tracers[0].facts():
                if d["subject"] in subjects:
                    d = {k: v for k, v in d.items() if not k.startswith("_")}
                    fp.write(json.dumps(d, separators=(",", ":")) + "\n")

    def _keep_on_failure(self):
        """A failed scenario keeps what gotrace printed (JSON lines and stderr)
        as <log dir>/<name>.gotrace.jsonl / .stderr, for the next engineer."""
        out = os.environ.get("E2E_LOG_DIR")
        if not out or len(harness.failures()) == self.failures_before:
            return
        for i, g in enumerate(self.tracers):
            base = os.path.join(out, "%s%s.gotrace" % (self.name, ".%d" % i if i else ""))
            with g.lock, open(base + ".jsonl", "w") as fp:
                for d in g.docs:
                    fp.write(json.dumps(d, separators=(",", ":")) + "\n")
            with open(base + ".stderr", "w") as fp:
                fp.write(g.stderr())
        note("gotrace's output kept in %s" % out)

    def gotrace(self, args=None):
        g = Gotrace(self.host_root, args or DEFAULT_ARGS, self.timeout)
        self.tracers.append(g)
        g.wait_ready()
        return g

    def pod(self, name="api", container="app", uid=None, **kw):
        p = Pod(self.host_root, name, container, uid or str(uuid.uuid4()), **kw)
        self.pods.append(p)
        return p

    def path(self, *parts):
        return os.path.join(self.work, *parts)


def top(verdict):
    """The #1 candidate of a verdict, or {} (the check that follows fails)."""
    cands = (verdict or {}).get("candidates") or []
    return cands[0] if cands else {}


def text_of(cand):
    """Cause, evidence and fix of a candidate as one string, for containment checks."""
    return "\n".join([cand.get("cause", "")] + cand.get("evidence", []) + [cand.get("fix", "")])


def check_first_death(verdict, pod, what):
    """The verdict explains the FIRST death: it came before the second instance
    started (the scenario's bar: diagnosed within the first crash)."""
    if not check(verdict is not None, "%s: no verdict for %s" % (what, pod.subject())):
        return False
    second = pod.wait_event("start", 1, timeout=0)
    if second:
        check(verdict["time_ns"] / 1e9 < second["time"],
              "%s: the verdict is not about the first death" % what, verdict=verdict["display"])
    check("(restart 0)" in verdict.get("display", ""),
          "%s: the first verdict is not about instance 0" % what, display=verdict.get("display"))
    return True
