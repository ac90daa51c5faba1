#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gotrace watch on a real terminal (tmux), fed a hostile process name.

A crash-looping pod whose binary is named with terminal escape sequences
(an OSC that would set the terminal's title to "pwned", and a clear-screen
CSI) runs while watch draws on a tmux pane. Checked against tmux itself,
the terminal the escapes would have reached:
  - the screen shows the ranked verdict (the Go panic) under watch's header,
    redrawn in place (the header is on the first line);
  - the escapes were neutralized: the pane's title is not "pwned", and the
    name shows as printable text (\\x1b...) instead.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

HOSTILE = "\x1b]0;pwned\x07\x1b[2Jx"
SESSION = "gotrace-tty-%d" % os.getpid()


def tmux(*args):
    return subprocess.run(["tmux"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def crashy():
    fx = h.fixtures(prog="crashy", origin="toolchain", select_fn=lambda f: f["variant"] == "exe")
    fx.sort(key=lambda f: h.go_version_tuple(f["go_version"]))
    return fx[-1]["path"]


def main():
    h.require_root()
    if not shutil.which("tmux"):
        h.fatal("tmux is missing: scripts/setup.sh installs it")
    work = tempfile.mkdtemp(prefix="gotrace-tty-")
    node = os.path.join(work, "node")
    binary = os.path.join(work, HOSTILE)
    shutil.copy(crashy(), binary)
    tmux("kill-session", "-t", SESSION)
    cmd = "%s --host-root %s watch -c / -d 90" % (h.GOTRACE, node)
    r = tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "48", cmd)
    h.eq(r.returncode, 0, "tmux started", stderr=r.stderr)
    # Keep the pane (and what watch printed last) after watch exits on
    # Ctrl-C; without it the pane closes and the capture races the exit.
    tmux("set-option", "-w", "-t", SESSION, "remain-on-exit", "on")
    time.sleep(4)
    pod = subprocess.Popen([sys.executable, os.path.join(h.ROOT, "scripts", "minikubelet.py"),
                            "run", "--host-root", node, "--pod", "api", "--namespace", "shop",
                            "--uid", str(uuid.uuid4()), "--container", "api", "--binary", binary,
                            "--restarts", "1", "--backoff", "0.5", "--", "panic"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pod.wait(timeout=60)
    # The same binary outside any pod: its display is "pid N (comm)", the hostile name.
    subprocess.run([binary, "panic"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    screen, title = "", ""
    for _ in range(20):
        time.sleep(0.5)
        screen = tmux("capture-pane", "-p", "-t", SESSION).stdout
        title = tmux("display-message", "-p", "-t", SESSION, "#{pane_title}").stdout.strip()
        if screen.count("Go panic") >= 2:
            break
    lines = screen.split("\n")
    h.check(lines and lines[0].startswith("gotrace watch"), "the header is on the first line "
            "(redrawn in place)", screen=screen)
    h.check("Go panic" in screen and "nil pointer dereference" in screen,
            "the verdict is on the screen", screen=screen)
    h.check("pod shop/api" in screen, "the pod is named", screen=screen)
    h.check(title != "pwned", "the OSC in the process name did not reach the terminal",
            title=title)
    tmux("send-keys", "-t", SESSION, "C-c")
    time.sleep(1.5)
    after = tmux("capture-pane", "-p", "-S", "-", "-t", SESSION).stdout
    h.check("summary" in after, "Ctrl-C prints the summary", screen=after)
    # The summary lists every evidence line, the death's "pid N (comm)" among them.
    h.check("\\x1b]0;pwned\\x07" in after, "the hostile name shows as text (sanitized)",
            screen=after[-3000:])
    h.check(tmux("display-message", "-p", "-t", SESSION, "#{pane_title}").stdout.strip() != "pwned",
            "the summary did not let the OSC through either")
    tmux("kill-session", "-t", SESSION)
    shutil.rmtree(work, ignore_errors=True)
    h.done()


main()
