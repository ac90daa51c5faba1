#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""info --pid PID --probe-check: real uprobes, attached at the offsets gotrace
computed (after the stack-bound check where the prologue allows), on the
httpd fixture of every Go toolchain (plain and stripped PIE), while the test
drives a known number of HTTP connections through it.

Oracles (none of them gotrace's own output):
  - the test's own count of connections: net/http starts one goroutine per
    accepted connection (`go c.serve(ctx)`), so runtime.newproc1 must fire
    at least once per connection the test opened while the probes were on;
  - /sleep?ms=1 requests park in time.Sleep and are woken by the timer:
    runtime.gopark and runtime.ready must fire;
  - the fixture itself: it must still be alive and answering afterwards
    (a probe in the middle of an instruction would corrupt it), and the
    fatal-path functions (throw, fatal, fatalpanic) must not have fired;
  - R14 holds g (or g0) at every probe point in Go code: every hit must see
    a pointer there.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CONNECTIONS = 40


def get(addr, path):
    host, port = addr.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def check_fixture(f):
    w = f["id"]
    argv, ready = h.fixture_argv(f)
    with h.FixtureProcess(argv, ready=ready) as p:
        addr = p.ready_line.split()[2]
        proc = subprocess.Popen([h.GOTRACE, "info", "--pid", str(p.pid), "--probe-check",
                                 "-d", "4", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        facts_line = proc.stdout.readline()
        # The probes attach right after the facts are printed: give it time.
        time.sleep(1.0)
        ok = 0
        for i in range(CONNECTIONS):
            try:
                ok += get(addr, "/sleep?ms=1" if i % 2 else "/") == 200
            except OSError as e:
                h.fail("%s: request %d failed while probed: %s" % (w, i, e))
                break
        out, err = proc.communicate(timeout=30)
        h.sane_exit(proc.returncode, out, err, w)
        if not h.eq(proc.returncode, 0, "%s: probe-check exit code" % w, stderr=err[-1500:]):
            return
        h.eq(ok, CONNECTIONS, "%s: every request answered while probed" % w)
        facts = json.loads(facts_line)
        check = json.loads(out.strip().splitlines()[-1])
        hits = {c["function"]: c for c in check["probe_check"]}
        placed = {pr["function"]: pr for pr in facts["go"]["probes"] if pr["found"]}
        h.eq(sorted(hits), sorted(placed), "%s: one counter per placed probe" % w)
        n = hits.get("runtime.newproc1", {}).get("hits", 0)
        h.check(n >= ok, "%s: newproc1 fired %d times for %d connections" % (w, n, ok))
        for fn in ("runtime.gopark", "runtime.ready", "runtime.execute", "runtime.casgstatus"):
            h.check(hits.get(fn, {}).get("hits", 0) > 0, "%s: %s never fired" % (w, fn))
        for fn in ("runtime.throw", "runtime.fatal", "runtime.fatalpanic"):
            if fn in hits:
                h.eq(hits[fn]["hits"], 0, "%s: %s fired in a healthy server" % (w, fn))
        for fn, c in hits.items():
            h.eq(c["hits_with_g"], c["hits"], "%s: %s: R14 holds g at every hit" % (w, fn))
        h.eq(placed["runtime.gopark"]["probe_placement"], "after-stack-check",
             "%s: gopark probed after its stack check" % w)
        h.check(p.alive(), "%s: the fixture died while probed" % w, stderr=p.stderr()[-1500:])
        try:
            status = get(addr, "/")
        except OSError as e:
            status = str(e)
        h.eq(status, 200, "%s: the fixture still answers after the probes are gone" % w)


def main():
    h.require_root()
    fx = h.fixtures(prog="httpd", origin="toolchain",
                    select_fn=lambda f: f["variant"] in ("exe", "pie-stripped"))
    if not fx:
        h.fatal("no httpd fixtures in the manifest")
    for f in fx:
        print("== %s" % f["id"], flush=True)
        check_fixture(f)
    h.done()


main()
