#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A tiny stand-in for the kubelet, for gotrace's scenarios, tests and demo.

It runs one container of one "pod" with runc, the way the kubelet would on a
node with the cgroupfs driver, and restarts it with back-off when it exits:

  cgroup      /kubepods/<qos>/pod<uid>/<container-id>   (linux.cgroupsPath;
              besteffort/burstable get their QoS level, guaranteed none)
  logs        <host-root>/var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log
              in the CRI format ("<RFC3339Nano> stdout F <line>"), n = restart
  links       <host-root>/var/log/containers/<pod>_<ns>_<container>-<id>.log
  netns       one per pod, kept across restarts (the pause container's job),
              so a previous instance's port is still held (bind-in-use)
  restarts    a new container id per attempt; back-off doubles from
              --backoff seconds (the kubelet: 10 s doubling to 5 min)

Each instance prints one JSON line on stdout when it starts and one when it
exits ({"event": "start"|"exit", ...}); `stop` (or SIGTERM) ends the pod.
Nothing here knows about gotrace: the tests use it as the workload.

  minikubelet.py run --host-root /tmp/node --pod api --binary ./server \\
      --memory 64M --env GOGC=off --restarts 3 -- --port 8080
"""

import argparse
import datetime
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

RUNC = shutil.which("runc") or "/usr/sbin/runc"
DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]


def parse_size(s):
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    s = s.strip().lower().rstrip("ib")
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def emit(event, **kw):
    kw["event"] = event
    kw["time"] = time.time()
    print(json.dumps(kw), flush=True)


class Pod:
    def __init__(self, a):
        self.a = a
        self.uid = a.uid or str(uuid.uuid4())
        self.qos = a.qos
        self.host_root = os.path.abspath(a.host_root)
        self.state_dir = tempfile.mkdtemp(prefix="minikubelet-")
        self.netns = None
        self.stopping = False
        self.current = None  # container id of the running instance

    # ------------------------------------------------------------------ layout
    def cgroups_path(self, cid):
        parts = ["/kubepods"]
        if self.qos != "guaranteed":
            parts.append(self.qos)
        parts += ["pod" + self.uid, cid]
        return "/".join(parts)

    def log_dir(self):
        return os.path.join(self.host_root, "var/log/pods",
                            "%s_%s_%s" % (self.a.namespace, self.a.pod, self.uid),
                            self.a.container)

    def link_log(self, cid, path):
        d = os.path.join(self.host_root, "var/log/containers")
        os.makedirs(d, exist_ok=True)
        link = os.path.join(d, "%s_%s_%s-%s.log" % (self.a.pod, self.a.namespace,
                                                    self.a.container, cid))
        try:
            os.symlink(path, link)
        except FileExistsError:
            pass

    def rootfs(self):
        """The image: --rootfs as given, else a folder holding --binary at /app/<name>."""
        if self.a.rootfs:
            return os.path.abspath(self.a.rootfs)
        root = os.path.join(self.state_dir, "rootfs")
        if not os.path.isdir(root):
            os.makedirs(os.path.join(root, "app"))
            for d in ("proc", "dev", "sys", "tmp", "etc"):
                os.makedirs(os.path.join(root, d), exist_ok=True)
            shutil.copy2(self.a.binary, os.path.join(root, "app", os.path.basename(self.a.binary)))
        return root

    def argv(self):
        if self.a.binary:
            return ["/app/" + os.path.basename(self.a.binary)] + self.a.args
        return self.a.args

    # ------------------------------------------------------------------ runc
    def setup_netns(self):
        if self.a.netns != "pod":
            return
        self.netns = "gotrace-pod-" + self.uid[:8]
        subprocess.run(["ip", "netns", "add", self.netns], check=False,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True)

    def config(self, cid):
        caps = DEFAULT_CAPS if self.a.caps is None else \
            ["CAP_" + c.upper().removeprefix("CAP_") for c in self.a.caps.split(",") if c]
        uid = self.a.user
        ns = [{"type": t} for t in ("pid", "ipc", "uts", "mount")]
        if self.netns:
            ns.append({"type": "network", "path": "/var/run/netns/" + self.netns})
        resources = {"devices": [{"allow": False, "access": "rwm"}]}
        if self.a.memory:
            resources["memory"] = {"limit": parse_size(self.a.memory)}
            if not self.a.swap:
                resources["memory"]["swap"] = parse_size(self.a.memory)
        if self.a.cpu_quota:
            resources["cpu"] = {"quota": int(float(self.a.cpu_quota) * 100000),
                                "period": 100000}
        return {
            "ociVersion": "1.0.2",
            "process": {
                "terminal": False, "user": {"uid": uid, "gid": uid if uid else 0},
                "args": self.argv(), "cwd": self.a.cwd,
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "HOSTNAME=" + self.a.pod] + self.a.env,
                "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
                "noNewPrivileges": True,
            },
            "root": {"path": self.rootfs(), "readonly": False},
            "hostname": self.a.pod,
            "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs",
                 "options": ["nosuid", "noexec", "nodev", "ro"]},
            ] + [self.mount(m) for m in self.a.mount],
            "linux": {"cgroupsPath": self.cgroups_path(cid), "resources": resources,
                      "namespaces": ns,
                      "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"]},
        }

    @staticmethod
    def mount(spec):
        parts = spec.split(":")
        opts = ["rbind", "ro" if len(parts) > 2 and parts[2] == "ro" else "rw"]
        return {"destination": parts[1], "type": "bind", "source": os.path.abspath(parts[0]),
                "options": opts}

    def run_once(self, restart):
        cid = secrets.token_hex(32)
        bundle = os.path.join(self.state_dir, cid)
        os.makedirs(bundle)
        with open(os.path.join(bundle, "config.json"), "w") as fp:
            json.dump(self.config(cid), fp)
        os.makedirs(self.log_dir(), exist_ok=True)
        logpath = os.path.join(self.log_dir(), "%d.log" % restart)
        self.link_log(cid, logpath)
        self.current = cid
        proc = subprocess.Popen([RUNC, "run", "--bundle", bundle, cid], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with open(logpath, "a") as log:
            lock = threading.Lock()
            pumps = [threading.Thread(target=self.pump, args=(s, n, log, lock))
                     for s, n in ((proc.stdout, "stdout"), (proc.stderr, "stderr"))]
            for t in pumps:
                t.start()
            emit("start", restart=restart, container_id=cid, pid=self.init_pid(cid, proc),
                 cgroup=self.cgroups_path(cid), log=logpath, pod_uid=self.uid)
            rc = proc.wait()
            for t in pumps:
                t.join()
        subprocess.run([RUNC, "delete", "--force", cid], stderr=subprocess.DEVNULL)
        shutil.rmtree(bundle, ignore_errors=True)
        self.current = None
        # runc run returns the container's exit status; 128+N for a signal.
        emit("exit", restart=restart, container_id=cid, exit_code=rc,
             signal=rc - 128 if rc > 128 else 0)
        return rc

    @staticmethod
    def pump(stream, name, log, lock):
        for line in iter(stream.readline, b""):
            text = line.decode(errors="replace").rstrip("\n")
            with lock:
                log.write("%s %s F %s\n" % (now_rfc3339(), name, text))
                log.flush()

    @staticmethod
    def init_pid(cid, proc, timeout=5.0):
        """The container's init pid; 0 when it is gone before runc could say."""
        end = time.time() + timeout
        while time.time() < end and proc.poll() is None:
            p = subprocess.run([RUNC, "state", cid], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            if p.returncode == 0:
                try:
                    pid = json.loads(p.stdout).get("pid", 0)
                    if pid:
                        return pid
                except ValueError:
                    pass
            time.sleep(0.02)
        return 0

    def kill_current(self, sig="KILL"):
        if self.current:
            subprocess.run([RUNC, "kill", "--all", self.current, sig], stderr=subprocess.DEVNULL)

    def run(self):
        self.setup_netns()
        restart, backoff = 0, self.a.backoff
        try:
            while not self.stopping:
                self.run_once(restart)
                restart += 1
                if self.stopping or restart > self.a.restarts:
                    break
                end = time.time() + backoff
                while time.time() < end and not self.stopping:
                    time.sleep(0.05)
                backoff = min(backoff * 2, self.a.max_backoff)
        finally:
            self.cleanup()

    def cleanup(self):
        self.kill_current()
        # runc removes the container's cgroups; the pod level is the kubelet's.
        rel = self.cgroups_path("x").rsplit("/", 1)[0].lstrip("/")
        for ctrl in os.listdir("/sys/fs/cgroup"):
            try:
                os.rmdir(os.path.join("/sys/fs/cgroup", ctrl, rel))
            except OSError:
                pass
        if self.netns:
            subprocess.run(["ip", "netns", "del", self.netns], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.state_dir, ignore_errors=True)
        emit("stopped", pod_uid=self.uid)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run one pod's container with restarts")
    r.add_argument("--host-root", required=True, help="the fake node's root (log layout)")
    r.add_argument("--namespace", default="default")
    r.add_argument("--pod", required=True)
    r.add_argument("--uid", help="pod UID (default: random)")
    r.add_argument("--container", default="app")
    r.add_argument("--qos", default="burstable", choices=("guaranteed", "burstable", "besteffort"))
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--binary", help="a static executable: the whole image, run as /app/<name>")
    g.add_argument("--rootfs", help="an image folder; the command is the args after --")
    r.add_argument("--env", action="append", default=[], help="KEY=VALUE")
    r.add_argument("--memory", help="memory limit (64M)")
    r.add_argument("--swap", action="store_true", help="allow swap beyond the limit")
    r.add_argument("--cpu-quota", help="CPUs (0.5 = 50 ms per 100 ms)")
    r.add_argument("--caps", help="comma-separated capabilities (default: the runtime's set)")
    r.add_argument("--user", type=int, default=0)
    r.add_argument("--cwd", default="/")
    r.add_argument("--mount", action="append", default=[], help="SRC:DST[:ro]")
    r.add_argument("--netns", default="pod", choices=("pod", "host"))
    r.add_argument("--restarts", type=int, default=0, help="restarts after the first run")
    r.add_argument("--backoff", type=float, default=0.5, help="first back-off in seconds")
    r.add_argument("--max-backoff", type=float, default=8.0)
    r.add_argument("args", nargs="*")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("minikubelet: runc needs root")
    pod = Pod(a)

    def on_term(signum, frame):
        pod.stopping = True
        pod.kill_current()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    pod.run()


if __name__ == "__main__":
    main()
