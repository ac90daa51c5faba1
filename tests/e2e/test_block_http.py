#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gotrace block on real HTTP servers under load.

1. The httpd fixture (oldest and newest toolchain) under wrk over loopback:
   every park's wake must be caught (network-poller wakes included: the
   issue's target is < 1% unmatched), and while it runs, three concurrent
   /lock?ms=1500 requests make handlers wait on a mutex: the #1 candidate must
   name that handler line (MARK:handlerlock in the fixture's source).
2. esbuild --serve from npm (Go 1.20, and the stripped Go 1.26 build without
   build info), a Go program nobody here wrote: its stacks must symbolize
   with no unknown Go frames.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def trace(pid, seconds, extra=()):
    return subprocess.Popen([h.GOTRACE, "block", "--pid", str(pid), "-d", str(seconds),
                             "--max-overhead", "0", "--json"] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, what):
    out, err = proc.communicate(timeout=120)
    h.sane_exit(proc.returncode, out, err, what)
    h.eq(proc.returncode, 0, "%s: gotrace block exit code" % what, stderr=err[-1500:])
    return [h.json.loads(ln) for ln in out.splitlines() if ln.strip()]


def get(url, results):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            results.append(r.status)
    except OSError as e:
        results.append(str(e))


def check_httpd(f):
    w = f["id"]
    mark_file, mark_line = h.marks("httpd")["handlerlock"]
    argv, ready = h.fixture_argv(f)
    with h.FixtureProcess(argv, ready=ready) as p:
        addr = p.ready_line.split()[2]
        proc = trace(p.pid, 7)
        time.sleep(1.5)  # attach
        results = []
        lockers = [threading.Thread(target=get, args=("http://%s/lock?ms=1500" % addr, results))
                   for _ in range(3)]
        for t in lockers:
            t.start()
        wrk = subprocess.run(["wrk", "-t2", "-c32", "-d3s", "http://%s/" % addr],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for t in lockers:
            t.join()
        docs = finish(proc, w)
        h.check(wrk.returncode == 0 and "Requests/sec" in wrk.stdout, "%s: wrk ran" % w,
                output=wrk.stdout[-500:])
        h.eq(results, [200, 200, 200], "%s: the /lock requests were answered" % w)
    if not docs:
        return
    summary = [d for d in docs if d.get("type") == "block_summary"][-1]
    c = summary["counters"]
    h.check(c["parks_confirmed"] > 1000, "%s: %d parks under load" % (w, c["parks_confirmed"]))
    h.check(summary["unmatched_pct"] < 1.0, "%s: %.3f%% unmatched parks (target < 1%%)" %
            (w, summary["unmatched_pct"]), counters=c)
    h.note("%s: %d parks, %.3f%% unmatched" % (w, c["parks_confirmed"], summary["unmatched_pct"]))
    frames = [fr for d in docs if d.get("type") == "block_site" for fr in d["stack"]]
    h.eq([fr for fr in frames if fr["function"] == "?"][:3], [],
         "%s: unsymbolized frames" % w)
    cands = [d for d in docs if d.get("type") == "candidates"][-1]["candidates"]
    if h.check(cands, "%s: no candidates" % w):
        top = cands[0]
        where = "%s:%d" % (os.path.basename(mark_file), mark_line)
        h.check(top["rule"] in ("block.handler_blocked", "block.lock_contention") and
                where in top["cause"], "%s: #1 candidate names the handler's lock at %s" %
                (w, where), top=top)


def check_esbuild(f):
    w = f["id"]
    d = tempfile.mkdtemp(prefix="gotrace-esbuild-")
    with open(os.path.join(d, "index.html"), "w") as fp:
        fp.write("<p>hello</p>\n")
    port = h.free_port()
    argv = [f["path"], "--serve=127.0.0.1:%d" % port, "--servedir=" + d]
    try:
        with h.FixtureProcess(argv, ready=1.5) as p:
            proc = trace(p.pid, 4)
            time.sleep(1.5)
            results = []
            for _ in range(40):
                get("http://127.0.0.1:%d/index.html" % port, results)
            docs = finish(proc, w)
            h.check(results.count(200) == 40, "%s: esbuild answered while traced" % w,
                    results=results[:5])
            h.check(p.alive(), "%s: esbuild died while traced" % w, stderr=p.stderr()[-1000:])
    finally:
        shutil.rmtree(d, ignore_errors=True)
    sites = [x for x in docs if x.get("type") == "block_site"]
    h.check(sites, "%s: no blocking sites reported" % w)
    frames = [fr for s in sites for fr in s["stack"]]
    h.eq([fr for fr in frames if fr["function"] == "?"][:3], [], "%s: unknown Go frames" % w)
    h.check(any(fr["function"].startswith("github.com/evanw/esbuild") for fr in frames),
            "%s: esbuild's own frames appear in the stacks" % w)


def main():
    h.require_root()
    if not shutil.which("wrk"):
        h.fatal("wrk is missing: scripts/setup.sh installs it")
    tc = h.fixtures(prog="httpd", origin="toolchain")
    versions = sorted({f["toolchain"] for f in tc}, key=h.go_version_tuple)
    for f in tc:
        if (f["toolchain"], f["variant"]) in ((versions[0], "exe"), (versions[-1], "pie-stripped")):
            print("== %s" % f["id"], flush=True)
            check_httpd(f)
    for f in h.fixtures(prog="esbuild", origin="npm"):
        if f["go_version"].startswith(("go1.20", "go1.26")):
            print("== %s" % f["id"], flush=True)
            check_esbuild(f)
    h.done()


main()
