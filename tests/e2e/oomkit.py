# SPDX-License-Identifier: GPL-2.0
"""Shared by the `gotrace oom` tests and bench/oom.sh: real OOM kills in
minikubelet pods, the kernel's own account of them from /dev/kmsg, and a
`gotrace oom --json` running alongside.

  Kmsg         the kernel log from now on; kill_line(pid) parses
               "Memory cgroup out of memory: Killed process <pid> (<comm>)
               total-vm:..kB, anon-rss:..kB, file-rss:..kB, shmem-rss:..kB,
               UID:.. pgtables:..kB oom_score_adj:.." plus the "oom-kill:"
               line (oom_memcg=, task_memcg=) and "memory: usage ..kB, limit
               ..kB" of the same kill
  Gotrace      `gotrace oom --json ...` in the background, its lines with the
               monotonic time each arrived
  Pod          scripts/minikubelet.py running one container; its start and
               exit events; the container's cgroup files read while it runs
  static_c_allocator()  a static C program that allocates until killed

The oracles are the kernel (kmsg, cgroup files), minikubelet (the identity
it created) and the fixture (what the Go runtime says about its knobs).
"""

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time

from harness import GOTRACE, ROOT

MINIKUBELET = os.path.join(ROOT, "scripts", "minikubelet.py")
MEM_MOUNT = "/sys/fs/cgroup/memory"

KILL_RE = re.compile(r"(Memory cgroup out of memory|Out of memory): Killed process (\d+) \((.*?)\) "
                     r"total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB, "
                     r"UID:(\d+) pgtables:(\d+)kB oom_score_adj:(-?\d+)")
OOMKILL_RE = re.compile(r"oom-kill:constraint=(\w+),.*?oom_memcg=([^,]*),task_memcg=([^,]*),"
                        r"task=(.*),pid=(\d+),uid=(\d+)")
USAGE_RE = re.compile(r"^memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)")


class Kmsg:
    """The kernel log from the moment it is opened (records: "prio,seq,us,flags;text")."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)
        self.records = []  # (kernel us, monotonic s when read, text)

    def poll(self, timeout=0.0):
        r, _, _ = select.select([self.fd], [], [], timeout)
        while r:
            try:
                raw = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except OSError:  # EPIPE: records overwritten while we slept; go on
                continue
            head, _, text = raw.decode(errors="replace").partition(";")
            fields = head.split(",")
            self.records.append((int(fields[2]), time.monotonic(), text.split("\n")[0]))
            r, _, _ = select.select([self.fd], [], [], 0)

    def kill_line(self, pid, timeout=10.0):
        """The kernel's account of the kill of pid: a dict, or None."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll(0.05)
            for i, (us, seen, text) in enumerate(self.records):
                m = KILL_RE.search(text)
                if m and int(m.group(2)) == pid:
                    return self._describe(i, m)
            if time.monotonic() > deadline:
                return None

    def _describe(self, i, m):
        k = {"kind": "memcg" if m.group(1).startswith("Memory cgroup") else "node",
             "pid": int(m.group(2)), "comm": m.group(3), "total_vm_kib": int(m.group(4)),
             "anon_rss_kib": int(m.group(5)), "file_rss_kib": int(m.group(6)),
             "shmem_rss_kib": int(m.group(7)), "uid": int(m.group(8)),
             "pgtables_kib": int(m.group(9)), "oom_score_adj": int(m.group(10)),
             "kernel_us": self.records[i][0], "seen_mono": self.records[i][1]}
        # The lines before it, of the same kill: the domain's usage and the oom-kill summary.
        for us, seen, text in reversed(self.records[max(0, i - 200):i]):
            o = OOMKILL_RE.search(text)
            if o and int(o.group(5)) == k["pid"] and "oom_memcg" not in k:
                k.update(constraint=o.group(1), oom_memcg=o.group(2), task_memcg=o.group(3))
            u = USAGE_RE.search(text)
            if u and "limit_kib" not in k:
                k.update(usage_kib=int(u.group(1)), limit_kib=int(u.group(2)))
        return k

    def close(self):
        os.close(self.fd)


class Gotrace:
    """`gotrace [global] oom --json [args]` in the background."""

    def __init__(self, args, host_root=None, global_args=()):
        argv = [GOTRACE] + list(global_args)
        if host_root:
            argv += ["--host-root", host_root]
        self.argv = argv + ["oom", "--json"] + list(args)
        self.errf = tempfile.TemporaryFile(prefix="gotrace-oom-err-")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self.errf)
        self.lines = []  # (monotonic s when read, parsed JSON or the raw text)
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            text = raw.decode(errors="replace").rstrip("\n")
            try:
                doc = json.loads(text)
            except ValueError:
                doc = text
            with self.lock:
                self.lines.append((time.monotonic(), doc))

    def events(self, kind):
        with self.lock:
            return [(t, d) for t, d in self.lines if isinstance(d, dict) and d.get("event") == kind]

    def wait_event(self, kind, timeout=20.0, pred=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, d in self.events(kind):
                if pred is None or pred(d):
                    return t, d
            if self.proc.poll() is not None and not self.events(kind):
                break
            time.sleep(0.02)
        return None, None

    def wait_started(self, timeout=30.0):
        t, d = self.wait_event("start", timeout)
        if d is None:
            raise RuntimeError("gotrace oom did not start: rc=%s stderr=%s"
                               % (self.proc.poll(), self.stderr()[-2000:]))
        return d

    def kill_of(self, pid, timeout=20.0):
        return self.wait_event("oom_kill", timeout, lambda d: d["victim"]["pid"] == pid)

    def stop(self, timeout=20.0):
        """SIGINT (a Ctrl-C): returns (rc, summary event or None)."""
        if self.proc.poll() is None:
            self.proc.send_signal(2)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.reader.join(timeout=5)
        s = self.events("summary")
        return rc, (s[-1][1] if s else None)

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode(errors="replace")


class Pod:
    """One minikubelet pod (a runc container with the kubelet's layout)."""

    def __init__(self, host_root, binary=None, args=(), env=(), memory="64M", pod="api",
                 namespace="shop", container="app", uid=None, rootfs=None, swap=False):
        self.host_root, self.pod, self.namespace, self.container = host_root, pod, namespace, \
            container
        argv = ["python3", MINIKUBELET, "run", "--host-root", host_root, "--pod", pod,
                "--namespace", namespace, "--container", container, "--memory", memory]
        if uid:
            argv += ["--uid", uid]
        argv += ["--binary", binary] if binary else ["--rootfs", rootfs]
        for e in env:
            argv += ["--env", e]
        if swap:
            argv.append("--swap")
        argv += ["--"] + list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.events = []
        self.start = self._next("start")
        self.pid = self.start["pid"]
        self.cid = self.start["container_id"]
        self.uid = self.start["pod_uid"]
        self.cgroup = self.start["cgroup"]

    def _next(self, kind, timeout=30.0):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        buf = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if not r:
                continue
            ch = os.read(fd, 4096)
            if not ch:
                break
            buf += ch
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                ev = json.loads(line)
                self.events.append(ev)
                if ev["event"] == kind:
                    return ev
        raise RuntimeError("minikubelet: no %s event (stderr: %s)"
                           % (kind, self.proc.stderr.read1(4000) if self.proc.poll() is not None
                              else "running"))

    def memfile(self, name):
        with open(os.path.join(MEM_MOUNT + self.cgroup, name)) as fp:
            return fp.read()

    def procs(self):
        try:
            return [int(x) for x in self.memfile("cgroup.procs").split()]
        except OSError:
            return []

    def log(self):
        d = os.path.join(self.host_root, "var/log/pods",
                         "%s_%s_%s" % (self.namespace, self.pod, self.uid), self.container)
        try:
            with open(os.path.join(d, "0.log")) as fp:
                return fp.read()
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log())
            if m:
                return m
            time.sleep(0.05)
        return None

    def wait_exit(self, timeout=60.0):
        return self._next("exit", timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


C_ALLOCATOR = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* Allocates 1 MiB every 1/rate s, every page written, until killed. */
int main(int argc, char **argv)
{
	int rate = argc > 1 ? atoi(argv[1]) : 8;
	printf("ready pid=%d mode=c\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		char *p = malloc(1 << 20);
		if (!p)
			return 1;
		for (int i = 0; i < (1 << 20); i += 4096)
			p[i] = (char)i;
		usleep(1000000 / rate);
	}
}
"""


def static_c_allocator(workdir):
    """A static C allocator (gcc -static, or musl-gcc -static); None if neither links."""
    src = os.path.join(workdir, "calloc.c")
    out = os.path.join(workdir, "calloc")
    with open(src, "w") as fp:
        fp.write(C_ALLOCATOR)
    for cc in ("gcc", "musl-gcc"):
        if shutil.which(cc) and subprocess.call([cc, "-static", "-O1", "-o", out, src],
                                                stderr=subprocess.DEVNULL) == 0:
            return out
    return None
