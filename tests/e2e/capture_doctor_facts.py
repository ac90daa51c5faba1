# SPDX-License-Identifier: GPL-2.0
"""Records the facts the doctor rule unit tests replay
(tests/unit/facts/doctor_<name>.jsonl), from `gotrace doctor --json` on real
misconfigured pods (tests/fixtures/doctorapp, httpd's cgo build) in
minikubelet.

  sudo python3 tests/e2e/capture_doctor_facts.py [NAME...]

Each file holds the document's "facts", one per line, after a comment
saying how the pod was made: the unit tests take their expectations from
that (the limit, the port, the layout), never from doctor's output. Run
after `make fixtures`; needs root (runc).
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, fixtures  # noqa: E402
from doctorkit import Pod, doctor, doctorapp  # noqa: E402

OUT = os.path.join(ROOT, "tests", "unit", "facts")


def image(binary, name):
    root = tempfile.mkdtemp(prefix="gotrace-capture-image-")
    for d in ("app", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy2(binary, os.path.join(root, "app", name))
    return root


def config_volume():
    vol = tempfile.mkdtemp(prefix="gotrace-capture-vol-")
    with open(os.path.join(vol, "config.yaml"), "w") as fp:
        fp.write("port: 8080\n")
    return vol


# name: (how, Pod kwargs, wait: "ready" | "exit" | "exit2" | regex, doctor extra args)
def cases(app, cgo):
    vol = config_volume()
    return {
        "memlimit_unset": ("64M limit, GOMEMLIMIT unset, running",
                           dict(binary=app, memory="64M", args=["-hold-mib", "4"]), "ready", []),
        "memlimit_above": ("64M limit, GOMEMLIMIT=100MiB, running",
                           dict(binary=app, memory="64M", env=("GOMEMLIMIT=100MiB",),
                                args=["-hold-mib", "4"]), "ready", []),
        "gogc_off": ("64M limit, GOGC=off, GOMEMLIMIT unset, running",
                     dict(binary=app, memory="64M", env=("GOGC=off",), args=["-hold-mib", "4"]),
                     "ready", []),
        "cpu_quota": ("quota 0.5 CPU, GOMAXPROCS=8, 2 goroutines spinning",
                      dict(binary=app, cpu="0.5", env=("GOMAXPROCS=8",), args=["-spin", "2"]),
                      "ready", []),
        "bind": ("uid 1000, no capabilities, -listen :80 retried every second",
                 dict(binary=app, user=1000, caps="", args=["-listen", ":80", "-retry", "1s"]),
                 r"bind: permission denied", []),
        "exec_libc": ("httpd built with CGO_ENABLED=1 (glibc) in an image of only /app/httpd, "
                      "between restarts, --rootfs the image",
                      dict(rootfs=image(cgo, "httpd"), args=["/app/httpd"], restarts=30,
                           backoff=2), "exit", ["--rootfs"]),
        "exec_log": ("the same without --rootfs: the log alone",
                     dict(rootfs=image(cgo, "httpd"), args=["/app/httpd"], restarts=30,
                          backoff=2), "exit", []),
        "config": ("-config config.yaml from cwd /, the file on a volume at /etc/app, "
                   "APP_HOME=/srv/app, retried every second",
                   dict(binary=app, mounts=[vol + ":/etc/app:ro"], env=("APP_HOME=/srv/app",),
                        args=["-config", "config.yaml", "-retry", "1s"]),
                   r"open config.yaml", []),
        "config_loop": ("-config config.yaml from cwd /, exits; between restarts",
                        dict(binary=app, mounts=[vol + ":/etc/app:ro"],
                             args=["-config", "config.yaml"], restarts=30, backoff=2),
                        "exit", []),
        "oom_loop": ("64M limit, 100 MiB held at start: OOM-killed every start; two kills, "
                     "between restarts",
                     dict(binary=app, memory="64M", args=["-hold-mib", "100"], restarts=30,
                          backoff=2, max_backoff=4), "exit2", []),
        "panic": ("a nil map write after the ready line (exit 2), between restarts",
                  dict(binary=app, args=["-panic"], restarts=30, backoff=2), "exit2", []),
        "healthy": ("256M limit, GOMEMLIMIT=200MiB, listening on 127.0.0.1:8080 as root",
                    dict(binary=app, memory="256M", env=("GOMEMLIMIT=200MiB",),
                         args=["-listen", "127.0.0.1:8080"]), r"listening", []),
    }


def wait(pod, how):
    if how == "ready":
        pod.ready()
    elif how == "exit":
        pod.next_event("exit", 60)
    elif how == "exit2":
        pod.next_event("exit", 60)
        pod.next_event("start", 60)
        pod.next_event("exit", 60)
    else:
        pod.wait_log(how)


def capture(name, how, kw, until, extra):
    with Pod(**kw) as pod:
        wait(pod, until)
        args = ["--pod", pod.uid, "--live", "0"]
        if extra == ["--rootfs"]:
            args += ["--rootfs", kw["rootfs"]]
        rc, doc, err = doctor(args, pod.host_root)
        if doc is None:
            sys.exit("%s: doctor failed: %s" % (name, err[-1000:]))
    path = os.path.join(OUT, "doctor_%s.jsonl" % name)
    with open(path, "w") as fp:
        fp.write("# gotrace doctor --json facts (minikubelet pod): %s\n" % how)
        for f in doc["facts"]:
            fp.write(json.dumps(f, separators=(",", ":")) + "\n")
    print("%s: %d facts -> %s" % (name, len(doc["facts"]), path))


def main():
    app = doctorapp()["path"]
    cgo = fixtures(prog="httpd", variant="cgo")
    if not cgo:
        sys.exit("no cgo httpd fixture: make fixtures")
    all_cases = cases(app, cgo[0]["path"])
    for name in sys.argv[1:] or all_cases:
        how, kw, until, extra = all_cases[name]
        capture(name, how, kw, until, extra)


if __name__ == "__main__":
    main()
