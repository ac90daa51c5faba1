# SPDX-License-Identifier: GPL-2.0
"""`gotrace info` on bad, odd and hostile input: a clear message on stderr
and the documented exit code (0 ok, 1 runtime error, 2 usage error, 3
missing privilege/feature), never a crash, a sanitizer report or garbage.

Positive facts are compared with independent sources: the Go version with
the manifest, ELF facts with readelf parsed here, process state with /proc.
"""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_root()
h.require_gotrace()

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, EXIT_NOFEAT = 0, 1, 2, 3
TMP = tempfile.mkdtemp(prefix="gotrace-e2e-bad-")


def expect_error(args, code, what, mention=None, user=None):
    """gotrace ARGS (text mode, then --json) exits with code and explains on
    stderr; mention: a regex the message must match."""
    for mode in ("text", "json"):
        a = list(args) + (["--json"] if mode == "json" else [])
        rc, out, err = h.run_gotrace(a, user=user)
        h.sane_exit(rc, out, err, "%s (%s)" % (what, mode))
        h.eq(rc, code, "%s (%s): exit code" % (what, mode), stderr=err[-800:], stdout=out[:300])
        msg = err.strip()
        if mode == "json" and not msg:
            msg = out.strip()  # STYLE 5: under --json errors may be JSON
        h.check(msg, "%s (%s): no message" % (what, mode))
        if mention and msg:
            h.check(re.search(mention, msg, re.I), "%s (%s): message does not mention /%s/"
                    % (what, mode, mention), message=msg[:800])
        if mode == "text":
            h.eq(out.strip()[:300], "", "%s: nothing on stdout on failure" % what)


def info_json(args, what):
    rc, doc, out, err = h.gotrace_json(["info"] + list(args) + ["--json"], what=what)
    return rc, doc, err


def free_pid():
    """A pid with no process (checked against /proc right before use)."""
    with open("/proc/sys/kernel/pid_max") as fp:
        pid_max = int(fp.read())
    for pid in range(pid_max - 1, 1, -1):
        if not os.path.exists("/proc/%d" % pid):
            return pid
    h.fatal("no free pid")


def readelf_interp(path):
    rc, out, _ = h.readelf(["-lhW"], path)
    m = re.search(r"\[Requesting program interpreter: (.*)\]", out)
    t = re.search(r"^\s*Type:\s+(\w+)", out, re.M)
    return (m.group(1) if m else None), t.group(1) if t else None


# ------------------------------------------------------------------ cases

def usage_errors():
    fx = h.fixtures(prog="parked", variant="exe")[0]["path"]
    expect_error(["info"], EXIT_USAGE, "info without a subject")
    expect_error(["info", fx, "--pid", "1"], EXIT_USAGE, "binary and --pid together")
    expect_error(["info", "--pid", "abc"], EXIT_USAGE, "--pid abc", mention="abc|pid")
    expect_error(["info", "--pid", "-5"], EXIT_USAGE, "--pid -5")
    expect_error(["info", "--pid", "99999999999999999999"], EXIT_USAGE, "--pid overflow")
    expect_error(["info", fx, "--addr", "0xzz"], EXIT_USAGE, "--addr junk", mention="zz|addr")


def nonexistent_pid():
    pid = free_pid()
    expect_error(["info", "--pid", str(pid)], EXIT_RUNTIME, "nonexistent pid %d" % pid,
                 mention=r"\b%d\b" % pid)


def zombie_pid():
    """An exited, unreaped process: /proc/PID exists, its exe does not."""
    p = subprocess.Popen(["/bin/true"])
    deadline = time.monotonic() + 10
    state = None
    while time.monotonic() < deadline:
        with open("/proc/%d/stat" % p.pid) as fp:
            state = fp.read().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            break
        time.sleep(0.01)
    if h.check(state == "Z", "the zombie oracle: /proc/%d/stat state %s" % (p.pid, state)):
        expect_error(["info", "--pid", str(p.pid)], EXIT_RUNTIME, "zombie pid",
                     mention=r"\b%d\b" % p.pid)
    p.wait()


def exiting_pid(rounds=150):
    """Processes that exit while gotrace inspects them: every answer is a
    clean report (rc 0, JSON for /bin/sleep: "go": null) or a clean error
    (rc 1 naming the process); the sleep lengths straddle gotrace's own
    run time so the exit lands before, during and after the inspection."""
    t0 = time.monotonic()
    with subprocess.Popen(["sleep", "5"]) as s:
        h.run_gotrace(["info", "--pid", str(s.pid), "--json"])
        s.kill()
    one = max(time.monotonic() - t0, 0.002)
    rnd = random.Random(1234)
    outcomes = {"report": 0, "error": 0}
    for i in range(rounds):
        d = rnd.uniform(0, 2 * one)
        s = subprocess.Popen(["sleep", "%.4f" % d])
        # Inspect only once the child is sleep itself (before the exec it
        # is a copy of python), and reap it the moment it exits so the
        # pid disappears instead of lingering as a zombie.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                if os.readlink("/proc/%d/exe" % s.pid).endswith("/sleep"):
                    break
            except OSError:
                break
        reaper = threading.Thread(target=s.wait)
        reaper.start()
        rc, out, err = h.run_gotrace(["info", "--pid", str(s.pid), "--json"])
        reaper.join()
        what = "exiting pid (sleep %.4f, round %d)" % (d, i)
        h.sane_exit(rc, out, err, what)
        if rc == 0:
            outcomes["report"] += 1
            try:
                doc = json.loads(out)
                h.check(doc.get("pid") == s.pid and doc.get("go") is None,
                        "%s: report is not /bin/sleep's" % what, stdout=out[:500])
            except ValueError:
                h.fail("%s: rc 0 but stdout is not JSON" % what, stdout=out[:500])
        else:
            outcomes["error"] += 1
            h.eq(rc, EXIT_RUNTIME, "%s: exit code" % what, stderr=err[-500:])
            msg = (err or out).strip()
            h.check(re.search(r"\b%d\b" % s.pid, msg) and len(msg) < 2000,
                    "%s: the error does not name the process" % what, message=msg[:500])
    print("  exiting pid: %d rounds (gotrace takes %.1f ms): %s"
          % (rounds, one * 1000, outcomes), flush=True)
    if not (outcomes["report"] and outcomes["error"]):
        h.note("the race hit only one side: %s" % outcomes)


def not_elf():
    p = os.path.join(TMP, "notes.txt")
    with open(p, "w") as fp:
        fp.write("this is a text file, not an ELF binary\n" * 20)
    expect_error(["info", p], EXIT_RUNTIME, "text file", mention="ELF")
    expect_error(["info", os.path.join(TMP, "does-not-exist")], EXIT_RUNTIME,
                 "missing file", mention="does-not-exist")
    expect_error(["info", TMP], EXIT_RUNTIME, "directory")
    empty = os.path.join(TMP, "empty")
    open(empty, "w").close()
    expect_error(["info", empty], EXIT_RUNTIME, "empty file")


def not_go():
    path = os.path.realpath("/bin/true")
    rc, doc, err = info_json([path], "/bin/true")
    if not h.check(rc == EXIT_OK and isinstance(doc, dict), "/bin/true: rc %d" % rc,
                   stderr=err[-800:]):
        return
    h.check("go" in doc and doc["go"] is None, "/bin/true: \"go\" must be null",
            got=repr(doc.get("go"))[:300])
    interp, etype = readelf_interp(path)
    e = doc.get("elf") or {}
    h.eq(e.get("interp"), interp, "/bin/true: elf.interp vs readelf")
    h.eq(e.get("type"), {"DYN": "dyn", "EXEC": "exec"}.get(etype), "/bin/true: elf.type")
    rc, out, err = h.run_gotrace(["info", path])
    h.sane_exit(rc, out, err, "/bin/true text")
    h.eq(rc, EXIT_OK, "/bin/true text: exit code")
    h.check(re.search(r"not (a )?Go", out + err, re.I),
            "/bin/true text: does not say it is not a Go program", stdout=out[:800])


def old_go():
    for fx in h.fixtures(prog="esbuild"):
        if h.go_version_tuple(fx["go_version"]) >= (1, 17, 0):
            continue
        rc, doc, err = info_json([fx["path"]], fx["id"])
        if not h.check(rc == EXIT_OK and isinstance(doc, dict), "%s: rc %d" % (fx["id"], rc),
                       stderr=err[-800:]):
            continue
        go = doc.get("go") or {}
        h.eq(go.get("version"), fx["go_version"], "%s: go.version vs manifest" % fx["id"])
        us = go.get("uprobe_support") or {}
        h.eq(us.get("supported"), False, "%s: uprobe_support.supported" % fx["id"])
        h.check(re.search(r"1\.17|register", str(us.get("reason")), re.I),
                "%s: the reason names the register ABI / go1.17" % fx["id"],
                reason=str(us.get("reason")))


def stripped():
    fxs = h.fixtures(select_fn=lambda f: f["stripped"] and (f["origin"] != "toolchain"
                     or f["toolchain"] in ("go1.19", "go1.27")))
    for fx in fxs:
        rc, doc, err = info_json([fx["path"]], fx["id"])
        if not h.check(rc == EXIT_OK and isinstance(doc, dict), "%s: rc %d" % (fx["id"], rc),
                       stderr=err[-800:]):
            continue
        go = doc.get("go") or {}
        h.eq(go.get("version"), fx["go_version"], "%s: go.version vs manifest" % fx["id"])
        h.check(((go.get("pclntab") or {}).get("functions") or 0) > 1000,
                "%s: pclntab functions" % fx["id"], pclntab=repr(go.get("pclntab")))
        gp = [p for p in go.get("probes") or [] if p.get("function") == "runtime.gopark"]
        h.check(gp and gp[0].get("probe_offset") and gp[0].get("file_offset"),
                "%s: runtime.gopark probe offsets" % fx["id"], probes=repr(gp)[:500])


def truncated():
    """A fixture cut at lengths inside every part of the file."""
    fx = [f for f in h.fixtures(prog="parked", variant="exe") if f["toolchain"] == "go1.22"]
    fx = (fx or h.fixtures(prog="parked", variant="exe"))[0]
    data = open(fx["path"], "rb").read()
    hd = h.elf_header(fx["path"])
    ph_end = hd["phoff"] + hd["phentsize"] * hd["phnum"]
    cuts = {1, 4, 16, 63, 64, hd["phoff"] + 10, ph_end - 1, ph_end + 1, 4096, 4097,
            len(data) // 4, len(data) // 2, 3 * len(data) // 4, len(data) - 4096,
            hd["shoff"], hd["shoff"] + 100, len(data) - 1}
    rc, out, _ = h.readelf(["-SW"], fx["path"])
    for m in re.finditer(r"\]\s+(\.gopclntab|\.go\.buildinfo|\.noptrdata|\.text)\s+\S+\s+"
                         r"[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", out):
        off, size = int(m.group(2), 16), int(m.group(3), 16)
        cuts.update({off + 8, off + size // 2, off + size - 1})
    for n in sorted(c for c in cuts if 0 < c < len(data)):
        p = os.path.join(TMP, "cut-%d" % n)
        with open(p, "wb") as fp:
            fp.write(data[:n])
        expect_error(["info", p], EXIT_RUNTIME, "%s cut at %d of %d bytes"
                     % (fx["id"], n, len(data)))
        os.unlink(p)


def not_root():
    fx = h.fixtures(prog="parked", variant="exe")[-1]
    # The unprivileged user must be able to run the binary itself.
    exe = os.path.join(TMP, "gotrace")
    shutil.copy(h.GOTRACE, exe)
    os.chmod(TMP, 0o755)
    os.chmod(exe, 0o755)
    with h.FixtureProcess([fx["path"]], traceback=None) as p:
        for mode in ("text", "json"):
            args = ["info", "--pid", str(p.pid)] + (["--json"] if mode == "json" else [])
            rc, out, err = h.run([exe] + args, user="nobody")
            h.sane_exit(rc, out, err, "not root (%s)" % mode)
            h.eq(rc, EXIT_NOFEAT, "not root (%s): exit code" % mode, stderr=err[-800:])
            msg = err.strip() or out.strip()
            h.check(re.search(r"root|CAP_SYS_PTRACE", msg),
                    "not root (%s): the message says what is needed" % mode, message=msg[:800])


def unknown_addr():
    fx = h.fixtures(prog="parked", variant="exe")[-1]
    rc, doc, err = info_json([fx["path"], "--addr", "0x10,0xffffffffffff0000"], "unknown addr")
    if not h.check(rc == EXIT_OK and isinstance(doc, dict), "unknown addr: rc %d" % rc,
                   stderr=err[-800:]):
        return
    res = doc.get("symbolize") or []
    h.eq(len(res), 2, "unknown addr: one result per address")
    for r in res:
        h.eq(r.get("frames"), [], "unknown addr %s: no frames" % r.get("addr"))
        h.check(isinstance(r.get("error"), str) and r.get("error"),
                "unknown addr %s: an error string" % r.get("addr"))


try:
    for case in (usage_errors, nonexistent_pid, zombie_pid, exiting_pid, not_elf, not_go,
                 old_go, stripped, truncated, not_root, unknown_addr):
        print("== %s" % case.__name__, flush=True)
        n = len(h.failures())
        case()
        print("   %s" % ("ok" if len(h.failures()) == n else "%d failures"
                         % (len(h.failures()) - n)), flush=True)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
h.done()
