# SPDX-License-Identifier: GPL-2.0
"""Records the "oom_kill" facts the rule unit tests replay
(tests/unit/facts/oom_<name>.jsonl), from real memcg OOM kills of the
oomalloc fixture in minikubelet pods with `gotrace oom --json` watching.

  sudo python3 tests/e2e/capture_oom_facts.py [NAME...]

Each file holds one fact line (the "fact" member of gotrace's oom_kill
line), preceded by a comment saying how it was made. Run after `make
fixtures`; needs root (runc, BPF).
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, fixtures  # noqa: E402
from oomkit import Gotrace, Pod, static_c_allocator  # noqa: E402

OUT = os.path.join(ROOT, "tests", "unit", "facts")

# name: (toolchain or "c", fixture args, env[, options: variant, gotrace args])
CASES = {
    "leak_unset": ("go1.22", ["-mode=leak", "-base-mib=12", "-rate-mib=8"], []),
    "jump_above": ("go1.27", ["-mode=jump", "-base-mib=12", "-jump-mib=80", "-delay=3s"],
                   ["GOMEMLIMIT=128MiB"]),
    "leak_close": ("go1.23", ["-mode=leak", "-base-mib=12", "-rate-mib=16"],
                   ["GOMEMLIMIT=63MiB"]),
    "leak_below": ("go1.24", ["-mode=leak", "-base-mib=12", "-rate-mib=16"],
                   ["GOMEMLIMIT=40MiB", "GOGC=50"]),
    "gogc_off": ("go1.19", ["-mode=garbage", "-base-mib=8", "-rate-mib=16"], ["GOGC=off"]),
    "trigger": ("go1.26", ["-mode=trigger", "-base-mib=40", "-child-rate-mib=8"], []),
    "c_victim": ("c", ["16"], []),
    # With the Go heap state read at the death (rule oom_go_heap).
    "heap_pacing": ("go1.19", ["-mode=garbage", "-base-mib=12", "-rate-mib=32"], ["GOGC=800"]),
    "heap_gogc_off_code": ("go1.19", ["-mode=leak", "-base-mib=12", "-rate-mib=16",
                                      "-set-gogc=-1"], [], {"variant": "exe-stripped"}),
    "heap_live_code": ("go1.27", ["-mode=leak", "-base-mib=12", "-rate-mib=16",
                                  "-set-memlimit-mib=40"], [], {"variant": "exe-stripped"}),
    "heap_trigger": ("go1.27", ["-mode=trigger", "-base-mib=40", "-child-rate-mib=8"], []),
    "heap_unavailable": ("go1.27", ["-mode=leak", "-base-mib=12", "-rate-mib=16"], [],
                         {"gotrace": ["--no-read-ahead"]}),
}


def capture(name, toolchain, args, env, work, opts):
    node = os.path.join(work, name)
    os.makedirs(node)
    variant = opts.get("variant", "exe")
    if toolchain == "c":
        binary = static_c_allocator(work)
    else:
        binary = [f for f in fixtures(prog="oomalloc", variant=variant)
                  if f["toolchain"] == toolchain][0]["path"]
    gt = Gotrace(["-n", "1", "-d", "90"] + opts.get("gotrace", []), host_root=node)
    gt.wait_started()
    pod = Pod(node, binary=binary, args=args, env=env)
    pod.wait_exit(60)
    t, k = gt.kill_of(pod.pid, 20)
    pod.stop()
    gt.stop()
    if not k:
        sys.exit("%s: no kill reported: %s" % (name, gt.stderr()[-1000:]))
    with open(os.path.join(OUT, "oom_%s.jsonl" % name), "w") as fp:
        fp.write("# gotrace oom --json, fact of a real kill: %s%s %s %s (64M limit, minikubelet)"
                 "%s\n" % (toolchain, "" if variant == "exe" else " " + variant, " ".join(env),
                          " ".join(args), "; gotrace " + " ".join(opts["gotrace"])
                          if opts.get("gotrace") else ""))
        fp.write(json.dumps(k["fact"], separators=(",", ":")) + "\n")
    print("%s: %s" % (name, k["candidates"][0]["cause"] if k["candidates"] else "-"))


def main():
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="gotrace-oom-capture-")
    try:
        for name, case in CASES.items():
            if len(sys.argv) > 1 and name not in sys.argv[1:]:
                continue
            capture(name, case[0], case[1], case[2], work, case[3] if len(case) > 3 else {})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
