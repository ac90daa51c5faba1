#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for the kubelet's liveness probe, for the liveness-kill scenario.

  probe_killer.py --pid PID --url http://127.0.0.1:8080/healthz [--grace 1.0]

Run inside the pod's network namespace (ip netns exec). It probes URL once a
second with a one-second timeout; after --failures failed probes it does what
the kubelet does: SIGTERM to the container's process, then SIGKILL after the
grace period. It names itself "kubelet" (prctl PR_SET_NAME) and prints one
JSON line per action with its own pid, so a test can check who gotrace says
sent the signals.
"""

import argparse
import ctypes
import json
import os
import signal
import sys
import time
import urllib.request


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME


def say(action, **kw):
    kw.update(action=action, pid=os.getpid(), time=time.time())
    print(json.dumps(kw), flush=True)


def probe(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--grace", type=float, default=1.0)
    ap.add_argument("--failures", type=int, default=1)
    ap.add_argument("--period", type=float, default=0.5)
    a = ap.parse_args()
    set_comm("kubelet")
    failed = 0
    while failed < a.failures:
        ok = probe(a.url, 1.0)
        say("probe", ok=ok)
        failed = 0 if ok else failed + 1
        if failed < a.failures:
            time.sleep(a.period)
    say("kill", signal="SIGTERM", target=a.pid)
    os.kill(a.pid, signal.SIGTERM)
    end = time.time() + a.grace
    while time.time() < end:
        try:
            os.kill(a.pid, 0)
        except ProcessLookupError:
            say("exited")
            return
        time.sleep(0.05)
    say("kill", signal="SIGKILL", target=a.pid)
    try:
        os.kill(a.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
