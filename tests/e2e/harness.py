# SPDX-License-Identifier: GPL-2.0
"""Shared helpers for gotrace's end-to-end tests (python3 standard library only).

Every tests/e2e/test_*.py is a script: it imports this module, checks what it
checks, and ends with done(). Exit status: 0 pass, 77 skip (with a reason on
stdout), anything else fail. tests/e2e/run.sh runs them all.

What is here:
  paths          ROOT, BUILD_DIR, GOTRACE, MANIFEST; manifest(), fixtures()
  running        run(), run_gotrace(), gotrace_json(), go_tool()
  results        check(), eq(), fail(), note(), skip(), done(), require_root()
  processes      FixtureProcess: start a fixture, wait for "ready <pid>",
                 always clean up; take_traceback() sends SIGQUIT
  tracebacks     parse_traceback(): the Go runtime's GOTRACEBACK=system dump
                 (go1.15 to go1.27) as goroutines and frames
  ELF and maps   elf_header(), program_headers(), read_maps(),
                 runtime_to_link(), link_to_runtime()

The oracles of these tests are the Go runtime, the Go toolchain, readelf and
/proc: nothing here knows what gotrace prints beyond the documented contract.
"""

import atexit
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

# --------------------------------------------------------------------------
# Paths

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.path.abspath(os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build"))
GOTRACE = os.environ.get("GOTRACE") or os.path.join(BUILD_DIR, "gotrace")
FIXTURES_DIR = os.path.join(BUILD_DIR, "fixtures")
MANIFEST = os.path.join(FIXTURES_DIR, "manifest.json")
FIXTURE_SRC = os.path.join(ROOT, "tests", "fixtures")

_manifest = None


def manifest():
    """The fixture manifest written by tests/fixtures/build.sh (a dict)."""
    global _manifest
    if _manifest is None:
        if not os.path.exists(MANIFEST):
            fatal("no fixture manifest at %s: run `make fixtures` first" % MANIFEST)
        with open(MANIFEST) as fp:
            _manifest = json.load(fp)
        if not _manifest.get("complete"):
            note("the manifest was built for toolchains %s only (FIXTURE_TOOLCHAINS)"
                 % " ".join(_manifest.get("toolchains", [])))
    return _manifest


def fixtures(prog=None, variant=None, origin=None, select_fn=None):
    """Manifest entries, optionally filtered. origin: "toolchain" or "npm"."""
    out = []
    for f in manifest()["fixtures"]:
        if prog is not None and f["prog"] != prog:
            continue
        if variant is not None and f["variant"] != variant:
            continue
        if origin is not None and not f["origin"].startswith(origin):
            continue
        if select_fn is not None and not select_fn(f):
            continue
        out.append(f)
    only = os.environ.get("E2E_FIXTURES")  # substring filter for local runs
    if only:
        out = [f for f in out if any(s in f["id"] for s in only.split(","))]
    return out


# The fixtures whose goroutines park and stay parked until SIGQUIT: the ones
# the runtime-traceback oracles run (the others crash, leak or exit on purpose).
ORACLE_PROGS = ("parked", "httpd", "esbuild")


def oracle_fixtures(select_fn=None):
    return fixtures(select_fn=lambda f: f["prog"] in ORACLE_PROGS and
                    (select_fn is None or select_fn(f)))


def newest_goroot():
    return manifest()["newest_goroot"]


def go_version_tuple(v):
    """'go1.21.13' -> (1, 21, 13); 'go1.15' -> (1, 15, 0); None if unparsable."""
    m = re.match(r"go(\d+)\.(\d+)(?:\.(\d+))?", v or "")
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


# --------------------------------------------------------------------------
# Results: failures are recorded with context and the test goes on.

_failures = []
_checks = 0
_test_name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "test"


def note(msg):
    print("  note: " + msg, flush=True)


def fail(msg, **context):
    """Records a failure (with key=value context) and carries on."""
    _failures.append(msg)
    print("  FAIL: " + msg, flush=True)
    for k, v in context.items():
        text = v if isinstance(v, str) else repr(v)
        lines = text.splitlines() or [""]
        if len(lines) > 40:
            lines = lines[:40] + ["... (%d more lines)" % (len(lines) - 40)]
        print("        %s: %s" % (k, lines[0]), flush=True)
        for ln in lines[1:]:
            print("        %s  %s" % (" " * len(k), ln), flush=True)


def check(cond, msg, **context):
    """Records a failure unless cond holds; returns cond."""
    global _checks
    _checks += 1
    if not cond:
        fail(msg, **context)
    return bool(cond)


def eq(got, want, msg, **context):
    """check(got == want) with both values in the failure report."""
    return check(got == want, msg, got=got, want=want, **context)


def failures():
    return list(_failures)


def skip(reason):
    """Ends the test as skipped: reported as SKIPPED with the reason."""
    print("SKIP: " + reason, flush=True)
    _cleanup()
    sys.exit(77)


def fatal(msg):
    """Ends the test as failed right away (the test cannot go on)."""
    print("FATAL: " + msg, flush=True)
    _cleanup()
    sys.exit(1)


def done():
    """Ends the test: exit 0 when every check held, 1 otherwise."""
    _cleanup()
    if _failures:
        print("%s: %d of %d checks failed" % (_test_name, len(_failures), _checks), flush=True)
        sys.exit(1)
    print("%s: all %d checks passed" % (_test_name, _checks), flush=True)
    sys.exit(0)


def require_root():
    if os.geteuid() != 0:
        fatal("the e2e tests must run as root (real BPF, ptrace, other users' "
              "processes): run `sudo make e2e`")


def require_gotrace():
    if not os.access(GOTRACE, os.X_OK):
        fatal("%s is missing: run `make` first" % GOTRACE)


# --------------------------------------------------------------------------
# Running programs

def run(argv, input=None, timeout=120, env=None, user=None):
    """Runs argv; returns (rc, stdout, stderr) as text (undecodable bytes
    replaced). user="nobody" drops every privilege through setpriv. rc is
    negative when a signal killed the program; a timeout is a failure."""
    if user is not None:
        argv = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--"] + list(argv)
    data = input.encode() if isinstance(input, str) else input
    try:
        p = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        fail("timed out after %ds: %s" % (timeout, " ".join(argv)))
        return (-999, (e.stdout or b"").decode(errors="replace"),
                (e.stderr or b"").decode(errors="replace"))
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def run_gotrace(args, input=None, timeout=120, user=None):
    """Runs build/gotrace with args; returns (rc, stdout, stderr)."""
    require_gotrace()
    return run([GOTRACE] + list(args), input=input, timeout=timeout, user=user)


CRASH_MARKERS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
                 "LeakSanitizer", "Segmentation fault", "core dumped", "stack smashing")


def sane_exit(rc, out, err, what):
    """Checks that a gotrace run ended by itself (no signal, no sanitizer
    report, no timeout) and wrote only text: the minimum for any input."""
    ok = check(rc >= 0, "%s: gotrace died from signal %d" % (what, -rc), stderr=err[-2000:])
    ok &= check(not any(m in err for m in CRASH_MARKERS),
                "%s: gotrace stderr has a crash report" % what, stderr=err[-2000:])
    ok &= check("\ufffd" not in out and "\x00" not in out,
                "%s: gotrace stdout is not clean text" % what, stdout=out[:500])
    return ok


def gotrace_json(args, input=None, timeout=120, user=None, what=None):
    """Runs gotrace with --json; returns (rc, doc or None, stdout, stderr).
    The contract is one JSON document on one line; doc is None (and a failure
    is recorded) when stdout is anything else."""
    what = what or "gotrace " + " ".join(args)
    rc, out, err = run_gotrace(list(args), input=input, timeout=timeout, user=user)
    sane_exit(rc, out, err, what)
    lines = [ln for ln in out.split("\n") if ln.strip()]
    if rc != 0 and not lines:
        return rc, None, out, err
    if not check(len(lines) == 1, "%s: stdout is not one JSON line" % what, stdout=out[:2000],
                 stderr=err[-1000:]):
        return rc, None, out, err
    try:
        return rc, json.loads(lines[0]), out, err
    except ValueError as e:
        fail("%s: stdout is not JSON (%s)" % (what, e), stdout=out[:2000])
        return rc, None, out, err


def go_tool(args, goroot=None, timeout=300):
    """Runs the newest (or the given) Go toolchain: go_tool(["tool", "nm", path])."""
    goroot = goroot or newest_goroot()
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "GOROOT": goroot, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod",
           "GOPROXY": "off", "GOENV": "off",
           "GOCACHE": os.path.join(tempfile.gettempdir(), "gotrace-e2e-gocache")}
    return run([os.path.join(goroot, "bin", "go")] + list(args), env=env, timeout=timeout)


# --------------------------------------------------------------------------
# Fixture processes

_live = {}


def _cleanup():
    for p in list(_live.values()):
        p.stop()


atexit.register(_cleanup)


def _on_term(signum, frame):
    _cleanup()
    sys.exit(1)


signal.signal(signal.SIGTERM, _on_term)


class FixtureProcess:
    """A running fixture. Use as a context manager; it is always killed and
    reaped on exit, and every live one is killed at interpreter exit.

    ready:   "line" (wait for a stdout line "ready <pid> ..."; the pid must be
             the child's own), or a number of seconds to let it settle
             (programs that print nothing, e.g. esbuild reading stdin).
    settle:  seconds to wait after the ready line: the goroutine that printed
             it is still in its write syscall, about to park.
    stdin:   kept open as a pipe (like `sleep 600 | prog`).
    stderr:  collected in a temporary file (the Go traceback goes there).
    """

    def __init__(self, argv, env=None, ready="line", timeout=20, traceback="system",
                 cwd=None, user=None, settle=0.3):
        self.argv = list(argv)
        self.ready_mode = ready
        self.settle = settle
        self.timeout = timeout
        self.ready_line = None
        self.stdout_lines = []
        penv = dict(os.environ if env is None else env)
        if traceback is not None:
            penv["GOTRACEBACK"] = traceback
        self._errf = tempfile.TemporaryFile(prefix="gotrace-e2e-stderr-")
        pre = []
        if user is not None:
            pre = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups", "--"]
        self.proc = subprocess.Popen(pre + self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._errf,
                                     env=penv, cwd=cwd, start_new_session=True)
        self.pid = self.proc.pid
        _live[id(self)] = self
        self.exited_rc = None

    def __enter__(self):
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _readline(self, deadline):
        buf = b""
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            ch = os.read(fd, 1)
            if not ch:
                return None if not buf else buf.decode(errors="replace")
            if ch == b"\n":
                return buf.decode(errors="replace")
            buf += ch
        raise TimeoutError("no complete stdout line from %s within %ss (got %r)"
                           % (self.argv[0], self.timeout, buf))

    def wait_ready(self):
        deadline = time.monotonic() + self.timeout
        if self.ready_mode == "line":
            while True:
                line = self._readline(deadline)
                if line is None:
                    raise RuntimeError("%s exited before printing ready (rc %s): %s"
                                       % (self.argv[0], self.proc.wait(), self.stderr()[-2000:]))
                self.stdout_lines.append(line)
                m = re.match(r"ready (\d+)\b", line)
                if m:
                    if int(m.group(1)) != self.pid:
                        raise RuntimeError("ready line names pid %s, the child is %d"
                                           % (m.group(1), self.pid))
                    self.ready_line = line
                    break
            time.sleep(self.settle)
        else:
            time.sleep(float(self.ready_mode))
        if self.proc.poll() is not None:
            raise RuntimeError("%s exited during start-up (rc %s): %s"
                               % (self.argv[0], self.proc.returncode, self.stderr()[-2000:]))

    def alive(self):
        return self.proc.poll() is None

    def stderr(self):
        self._errf.seek(0)
        return self._errf.read().decode(errors="replace")

    def maps(self):
        return read_maps(self.pid)

    def take_traceback(self, timeout=20):
        """SIGQUIT: with GOTRACEBACK=system the runtime prints every goroutine
        and exits (status 2). Returns the stderr text."""
        os.kill(self.pid, signal.SIGQUIT)
        try:
            self.exited_rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError("%s did not exit after SIGQUIT" % self.argv[0])
        return self.stderr()

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        _live.pop(id(self), None)


def fixture_argv(f):
    """How to run a manifest fixture so its goroutines park and stay parked,
    and how to know it is ready: (argv, ready)."""
    if f["prog"] == "esbuild":
        # With no arguments esbuild reads its input from stdin: the pipe the
        # harness keeps open, like `sleep 600 | esbuild`. It prints nothing,
        # so give it time to start its goroutines.
        return [f["path"]], 1.0
    if f["prog"] == "httpd":
        return [f["path"], "127.0.0.1:0"], "line"
    return [f["path"]], "line"


# --------------------------------------------------------------------------
# Go tracebacks (GOTRACEBACK=system, SIGQUIT)
#
# Format, from runtime/traceback.go of go1.15 .. go1.27:
#   SIGQUIT: quit
#   PC=0x463ac0 m=0 sigcode=0                 (the signal PC)
#
#   goroutine 0 [idle]:                       (go1.15-1.21)
#   goroutine 0 gp=0x.. m=0 mp=0x.. [idle]:   (go1.22+: gp/m/mp at level system)
#   goroutine 7 [chan receive, 5 minutes, locked to thread]:
#   goroutine 7 gp=0x.. m=nil [select] {label: value}:     (go1.26+ labels)
#   pkg.func(0x1, 0x2?, {...})                physical frame: args
#   	/path/file.go:12 +0x2f fp=0x.. sp=0x.. pc=0x..
#   pkg.inlined(...)                          inlined frame: (...) args,
#   	/path/file.go:40                       no +0x, no pc; shares the pc of
#                                             the physical frame printed below
#   ...additional frames elided...            (up to go1.20)
#   ...12 frames elided...                    (go1.21+)
#   created by pkg.f in goroutine 1           (" in goroutine N": go1.21+)
#   	/path/file.go:120 +0x198
#   	goroutine running on other thread; stack unavailable
#   non-Go function at pc=0x..                (cgo frames without symbolizer)
#   rax    0x...                              (register dump at the end)
#
# The line printed for a physical frame is the one of its "symbolic pc": pc
# itself when the pc came from the signal (the first frame of the goroutine
# traced by tracebacktrap, when the pc is the signal PC: traceback1 replaces
# it with syscallpc/vdsoPC, return addresses, for goroutines in a syscall or
# the VDSO), when the callee was runtime.sigpanic (every version) or
# runtime.asyncPreempt / runtime.debugCallV2 (go1.21+ unwinder.next), or when
# pc == the function entry; pc-1 (inside the CALL) otherwise.

_HEADER = re.compile(r"^goroutine (\d+)((?: [a-z]+=\S+)*) \[(.*?)\]( \{.*\})?:$")
_FILELINE = re.compile(r"^\t(.*):(\d+)(?: \+(0x[0-9a-f]+))?"
                       r"(?: fp=(0x[0-9a-f]+) sp=(0x[0-9a-f]+) pc=(0x[0-9a-f]+))?$")
_FUNC = re.compile(r"^(\S.*)\(([^()]*)\)$")
_ELIDED = re.compile(r"^\.\.\.(?:(\d+) frames elided|additional frames elided)\.\.\.$")
_SIGPC = re.compile(r"^PC=(0x[0-9a-f]+) m=(\d+) sigcode=")
_REG = re.compile(r"^[a-z0-9]{2,6} +0x[0-9a-f]+$")

# Callees after which the caller's pc is the interrupted pc, not a return address.
_INJECTED_ALWAYS = ("runtime.sigpanic",)
_INJECTED_121 = ("runtime.asyncPreempt", "runtime.debugCallV2")


class Frame:
    __slots__ = ("func", "args", "file", "line", "entry_offset", "pc", "fp", "sp",
                 "inlined", "trap", "lookup_pc")

    def __init__(self, func, args):
        self.func, self.args = func, args
        self.file = self.line = self.entry_offset = self.pc = self.fp = self.sp = None
        self.inlined = False
        self.trap = False
        self.lookup_pc = None

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self):
        pc = "pc=%#x" % self.pc if self.pc is not None else "inlined"
        return "%s %s:%s %s" % (self.func, self.file, self.line, pc)


class Goroutine:
    def __init__(self, gid, header):
        self.id = gid
        self.header = header
        self.status = None        # status or wait reason, e.g. "chan receive"
        self.flags = []           # "scan", "leaked" (added by goroutineheader)
        self.wait_minutes = 0
        self.locked_to_thread = False
        self.attrs = {}           # gp=, m=, mp= (go1.22+ at level system)
        self.labels = None
        self.frames = []
        self.created_by = None    # {"func", "goid", "file", "line", "entry_offset"}
        self.elided = None        # number of frames, True when not counted
        self.unavailable = False  # running on another thread
        self.cgo_frames = []      # pcs of "non-Go function at pc=" lines
        self.trap = False         # traced from the signal context
        self.unparsed = []

    def physical_groups(self):
        """[(physical frame, [frames innermost first])]: each physical frame
        with the inlined frames printed just above it (same pc)."""
        out, pending = [], []
        for f in self.frames:
            if f.inlined:
                pending.append(f)
            else:
                out.append((f, pending + [f]))
                pending = []
        return out

    def __repr__(self):
        return "goroutine %d [%s] %d frames" % (self.id, self.status, len(self.frames))


class Traceback:
    def __init__(self):
        self.signal = None        # e.g. "SIGQUIT: quit"
        self.signal_pc = None
        self.signal_m = None
        self.goroutines = []
        self.registers = {}

    def goroutine(self, gid):
        for g in self.goroutines:
            if g.id == gid:
                return g
        return None


def _parse_header(g, status_text):
    parts = status_text.split(", ")
    status = parts[0]
    for suffix, flag in ((" (scan)", "scan"), (" (leaked)", "leaked")):
        if status.endswith(suffix):
            status = status[: -len(suffix)]
            g.flags.append(flag)
    g.status = status
    for p in parts[1:]:
        m = re.match(r"^(\d+) minutes$", p)
        if m:
            g.wait_minutes = int(m.group(1))
        elif p == "locked to thread":
            g.locked_to_thread = True
        else:
            g.flags.append(p)


def parse_traceback(text, go_version=None):
    """Parses a GOTRACEBACK=system dump. go_version ("go1.20.3") selects the
    injected-call rule (asyncPreempt: go1.21+); unknown means go1.21+."""
    tb = Traceback()
    g = None
    pending = None        # Frame waiting for its file line
    created = None        # created_by waiting for its file line
    trap_next = False
    in_ancestors = False
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        m = _HEADER.match(line)
        if m:
            g = Goroutine(int(m.group(1)), line)
            for kv in m.group(2).split():
                k, _, v = kv.partition("=")
                g.attrs[k] = v
            _parse_header(g, m.group(3))
            g.labels = m.group(4)[2:-1] if m.group(4) else None
            g.trap = trap_next
            trap_next = False
            tb.goroutines.append(g)
            pending = created = None
            in_ancestors = False
            continue
        if g is None:
            m = _SIGPC.match(line)
            if m:
                tb.signal_pc, tb.signal_m = int(m.group(1), 16), int(m.group(2))
                trap_next = True
            elif line.startswith("SIG"):
                tb.signal = line
            elif _REG.match(line):
                k, v = line.split()
                tb.registers[k] = int(v, 16)
            continue
        if line == "":
            g = None
            continue
        if in_ancestors:
            continue
        if line.startswith("\t"):
            fl = _FILELINE.match(line)
            if created is not None and fl:
                created.update(file=fl.group(1), line=int(fl.group(2)),
                               entry_offset=int(fl.group(3), 16) if fl.group(3) else 0)
                g.created_by = created
                created = None
            elif pending is not None and fl:
                f = pending
                f.file, f.line = fl.group(1), int(fl.group(2))
                if fl.group(3):
                    f.entry_offset = int(fl.group(3), 16)
                if fl.group(6):
                    f.pc, f.fp, f.sp = (int(fl.group(6), 16), int(fl.group(4), 16),
                                        int(fl.group(5), 16))
                f.inlined = f.pc is None and f.entry_offset is None
                if not f.inlined and f.entry_offset is None:
                    f.entry_offset = 0  # pc == entry: no "+0x" printed
                g.frames.append(f)
                pending = None
            elif "goroutine running on other thread" in line:
                g.unavailable = True
            else:
                g.unparsed.append(line)
            continue
        pending = None
        m = _ELIDED.match(line)
        if m:
            g.elided = int(m.group(1)) if m.group(1) else True
            continue
        if line.startswith("created by "):
            rest = line[len("created by "):]
            cm = re.match(r"^(.*) in goroutine (\d+)$", rest)
            created = {"func": cm.group(1) if cm else rest,
                       "goid": int(cm.group(2)) if cm else None}
            continue
        if line.startswith("[originating from goroutine"):
            in_ancestors = True
            continue
        if line.startswith("non-Go function at pc="):
            g.cgo_frames.append(int(line.split("=", 1)[1], 16))
            continue
        if line.startswith("runtime: "):
            g.unparsed.append(line)
            continue
        fm = _FUNC.match(line)
        pending = Frame(fm.group(1), fm.group(2)) if fm else Frame(line, None)
    _assign_lookup_pcs(tb, go_version)
    return tb


def _assign_lookup_pcs(tb, go_version):
    ver = go_version_tuple(go_version) if go_version else None
    injected = _INJECTED_ALWAYS + (_INJECTED_121 if ver is None or ver >= (1, 21, 0) else ())
    for g in tb.goroutines:
        callee = None
        first = True
        for phys, group in g.physical_groups():
            trap = False
            if first and g.trap and phys.pc == tb.signal_pc:
                trap = True
            elif callee in injected:
                trap = True
            phys.trap = trap
            if trap or phys.entry_offset == 0:
                phys.lookup_pc = phys.pc
            else:
                phys.lookup_pc = phys.pc - 1
            for f in group[:-1]:
                f.lookup_pc = phys.lookup_pc
                f.trap = trap
            callee = phys.func
            first = False


def print_func_name(name):
    """The runtime's printFuncName (go1.21+; same effect in older ones): the
    name as a traceback shows it: generic shapes become [...], and
    runtime.gopanic prints as "panic"."""
    if name == "runtime.gopanic":
        return "panic"
    i = name.find("[")
    if i < 0:
        return name
    j = name.rfind("]")
    if j <= i:
        return name
    return name[:i] + "[...]" + name[j + 1:]



def traceback_frames(tg):
    """A traceback goroutine's frames as (function, file, line, inlined)."""
    return [(f.func, f.file, f.line, f.inlined) for f in tg.frames]


def gotrace_frames(frames):
    """gotrace's JSON frames in the same form, functions named as the runtime prints them."""
    return [(print_func_name(str(f["function"])), f["file"], f["line"], bool(f["inlined"]))
            for f in frames]

# --------------------------------------------------------------------------
# ELF program headers (a reader of our own: the tests must not trust gotrace's)

PT_LOAD, PT_INTERP, PT_DYNAMIC = 1, 3, 2
ET_EXEC, ET_DYN = 2, 3


def elf_header(path):
    """{"class", "type", "machine", "phoff", "phentsize", "phnum", ...} of a
    little-endian ELF64 file; raises ValueError otherwise."""
    with open(path, "rb") as fp:
        ident = fp.read(64)
    if len(ident) < 64 or ident[:4] != b"\x7fELF":
        raise ValueError("%s: not an ELF file" % path)
    if ident[4] != 2 or ident[5] != 1:
        raise ValueError("%s: not little-endian ELF64" % path)
    (e_type, e_machine, _ver, e_entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize,
     e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", ident, 16)
    return {"type": e_type, "machine": e_machine, "entry": e_entry, "phoff": e_phoff,
            "phentsize": e_phentsize, "phnum": e_phnum, "shoff": e_shoff,
            "shentsize": e_shentsize, "shnum": e_shnum, "shstrndx": e_shstrndx}


def program_headers(path):
    """The program headers: [{"type", "flags", "offset", "vaddr", "filesz", "memsz", "align"}]."""
    h = elf_header(path)
    out = []
    with open(path, "rb") as fp:
        fp.seek(h["phoff"])
        data = fp.read(h["phentsize"] * h["phnum"])
    for i in range(h["phnum"]):
        (p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz, p_memsz,
         p_align) = struct.unpack_from("<IIQQQQQQ", data, i * h["phentsize"])
        out.append({"type": p_type, "flags": p_flags, "offset": p_offset, "vaddr": p_vaddr,
                    "filesz": p_filesz, "memsz": p_memsz, "align": p_align})
    return out


def load_segments(path):
    return [p for p in program_headers(path) if p["type"] == PT_LOAD]


def vaddr_to_offset(vaddr, loads):
    """file offset = vaddr - p_vaddr + p_offset of the PT_LOAD holding vaddr."""
    for p in loads:
        if p["vaddr"] <= vaddr < p["vaddr"] + p["filesz"]:
            return vaddr - p["vaddr"] + p["offset"]
    return None


# --------------------------------------------------------------------------
# /proc/PID/maps and the load bias

def read_maps(pid):
    """[{"start", "end", "perms", "offset", "dev", "inode", "path"}]."""
    out = []
    with open("/proc/%d/maps" % pid) as fp:
        for line in fp:
            parts = line.split(None, 5)
            start, end = (int(x, 16) for x in parts[0].split("-"))
            out.append({"start": start, "end": end, "perms": parts[1],
                        "offset": int(parts[2], 16), "dev": parts[3], "inode": int(parts[4]),
                        "path": parts[5].strip() if len(parts) > 5 else ""})
    return out


def exe_mappings(maps, path):
    """The mappings of the file at path (its inode number and real path)."""
    ino = os.stat(path).st_ino
    real = os.path.realpath(path)
    return [m for m in maps if m["inode"] == ino and m["path"] in (real, real + " (deleted)")]


def runtime_to_link(pc, maps, path, loads=None):
    """A runtime address in a process → link-time vaddr in the ELF file at path:
    file_off = pc - map.start + map.offset; vaddr = file_off - p_offset + p_vaddr.
    None when pc is not in a file-backed mapping of path."""
    loads = loads or load_segments(path)
    for m in exe_mappings(maps, path):
        if m["start"] <= pc < m["end"]:
            off = pc - m["start"] + m["offset"]
            for p in loads:
                if p["offset"] <= off < p["offset"] + p["filesz"]:
                    return off - p["offset"] + p["vaddr"]
    return None


def link_to_runtime(vaddr, maps, path, loads=None):
    """The inverse of runtime_to_link, for a process that mapped path."""
    loads = loads or load_segments(path)
    off = vaddr_to_offset(vaddr, loads)
    if off is None:
        return None
    for m in exe_mappings(maps, path):
        if m["offset"] <= off < m["offset"] + (m["end"] - m["start"]):
            return m["start"] + off - m["offset"]
    return None


# --------------------------------------------------------------------------
# Small parsers for the independent tools

def readelf(args, path):
    rc, out, err = run(["readelf", "-W"] + list(args) + [path])
    return rc, out, err


def marks(prog):
    """{"name": (abs file, line)} for the MARK:<name> comments of a fixture's source."""
    out = {}
    d = os.path.join(FIXTURE_SRC, prog)
    for dirpath, _dirs, files in os.walk(d):
        for fn in files:
            if fn.endswith(".go"):
                p = os.path.join(dirpath, fn)
                with open(p) as fp:
                    for n, line in enumerate(fp, 1):
                        for m in re.finditer(r"MARK:(\w+)", line):
                            out[m.group(1)] = (p, n)
    return out


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
