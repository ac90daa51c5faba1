#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `gotrace oom`'s cost and speed, measured side by side in one run (root):
#
#  1. Overhead: an allocation-heavy workload (mmap 256 MiB, write every page,
#     munmap; 8 times) in a memory cgroup, timed with and without `gotrace
#     oom` running, alternating, BENCH_OOM_ROUNDS pairs; medians and ratio
#     (no threshold). Twice: with a 1 GiB limit (usage peaks at 25%: the
#     normal case) and a 320 MiB limit (80%: gotrace arms its per-fault
#     memcg:count_memcg_events counters above 75%, so this is the price of
#     that hook on every page fault of the node).
#  2. Latency: BENCH_OOM_KILLS real memcg OOM kills (a C allocator in a
#     64 MiB cgroup). For each, from the kernel's kill to gotrace's line:
#       - gotrace's own print_latency_ns (BPF ktime at mark_victim → print)
#       - independently: the kernel's timestamp of its "Killed process" line
#         (/dev/kmsg, printk's clock mapped to CLOCK_MONOTONIC through a
#         marker written to /dev/kmsg just before) → when this script read
#         gotrace's line from its stdout.
# Environment: BUILD_DIR, BENCH_OOM_ROUNDS (7), BENCH_OOM_KILLS (5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/oom.sh: needs root (BPF, cgroups)" >&2
	exit 0
fi
if [ ! -d /sys/fs/cgroup/memory ]; then
	echo "SKIP: bench/oom.sh: no cgroup v1 memory hierarchy" >&2
	exit 0
fi
make -C "$root" --no-print-directory "$BUILD_DIR/gotrace" >/dev/null
work=$(mktemp -d /tmp/gotrace-bench-oom-XXXXXX)
trap 'rm -rf "$work"' EXIT

cat >"$work/fault.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
/*
 * fault MIB ROUNDS: map, write every page, unmap; prints the CPU seconds it
 * took (user + system: the BPF programs run in the faulting task, and other
 * load on the machine does not count) and the wall seconds.
 */
int main(int argc, char **argv)
{
	size_t len = (size_t)atoi(argv[1]) << 20;
	int rounds = atoi(argv[2]);
	struct timespec a, b, ca, cb;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	for (int r = 0; r < rounds; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
		munmap(p, len);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.6f %.6f\n", (cb.tv_sec - ca.tv_sec) + (cb.tv_nsec - ca.tv_nsec) / 1e9,
	       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
EOF
cat >"$work/hog.c" <<'EOF'
#include <stdlib.h>
#include <unistd.h>
/* Allocates and writes 1 MiB every 10 ms until the OOM killer ends it. */
int main(void)
{
	for (;;) {
		char *p = malloc(1 << 20);
		for (int i = 0; p && i < (1 << 20); i += 4096)
			p[i] = 1;
		usleep(10000);
	}
}
EOF
gcc -O2 -o "$work/fault" "$work/fault.c"
gcc -O2 -o "$work/hog" "$work/hog.c"

echo "== oom (gotrace oom: overhead on an allocation-heavy workload, kill -> print latency)"
WORK=$work GOTRACE="$BUILD_DIR/gotrace" PYTHONPATH="$root/tests/e2e" python3 - <<'PY'
import os, statistics, subprocess, time
from oomkit import Gotrace, Kmsg

work = os.environ["WORK"]
rounds = int(os.environ.get("BENCH_OOM_ROUNDS", "7"))
kills = int(os.environ.get("BENCH_OOM_KILLS", "5"))
mem = "/sys/fs/cgroup/memory"


def cgroup(name, limit):
    d = os.path.join(mem, name)
    os.makedirs(d, exist_ok=True)
    for f in ("memory.limit_in_bytes",):
        with open(os.path.join(d, f), "w") as fp:
            fp.write(str(limit))
    return d


def in_cgroup(d, argv):
    return subprocess.run(["sh", "-c", 'echo $$ > "%s/cgroup.procs"; exec "$@"' % d, "sh"] + argv,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def workload(d):
    """(cpu seconds, wall seconds) of one run."""
    p = in_cgroup(d, [os.path.join(work, "fault"), "256", "8"])
    cpu, wall = p.stdout.split()
    return float(cpu), float(wall)


def overhead(limit_mib, what):
    d = cgroup("gotrace-bench-oom-%d" % os.getpid(), limit_mib << 20)
    armed = 0
    try:
        workload(d)  # warm up
        base, traced = [], []
        for r in range(rounds):
            base.append(workload(d))
            g = Gotrace(["-d", "300"])
            g.wait_started()
            workload(d)  # the first run arms the counters when the limit is near
            traced.append(workload(d))
            rc, summary = g.stop()
            armed += (summary or {}).get("charge_counters_armed", 0)
        cb, ct = (statistics.median(x[0] for x in v) for v in (base, traced))
        wb, wt = (statistics.median(x[1] for x in v) for v in (base, traced))
        print("  overhead, %s: 8 x 256 MiB faulted in a %d MiB memcg, medians of %d "
              "alternating pairs: CPU %.3f s without, %.3f s with gotrace oom: ratio %.3fx "
              "(wall %.3f / %.3f s: %.3fx); counters armed in %d of %d runs"
              % (what, limit_mib, rounds, cb, ct, ct / cb, wb, wt, wt / wb, armed, rounds))
        print("    CPU without: %s" % " ".join("%.3f" % x[0] for x in base))
        print("    CPU with:    %s" % " ".join("%.3f" % x[0] for x in traced))
    finally:
        os.rmdir(d)


overhead(1024, "far from the limit")
overhead(320, "near the limit (counters armed)")

d = cgroup("gotrace-bench-oomkill-%d" % os.getpid(), 64 << 20)
own, indep = [], []
try:
    kmsg = Kmsg()
    g = Gotrace(["-d", "600"])
    g.wait_started()
    for i in range(kills):
        # printk's clock against CLOCK_MONOTONIC: a marker, written now, read back.
        marker = "gotrace-bench-oom-marker-%d-%d" % (os.getpid(), i)
        t0 = time.monotonic()
        with open("/dev/kmsg", "w") as fp:
            fp.write(marker + "\n")
        t1 = time.monotonic()
        kmsg.poll(0.5)
        mk = [us for us, seen, text in kmsg.records if marker in text]
        p = in_cgroup(d, [os.path.join(work, "hog")])
        pid = None
        deadline = time.monotonic() + 20
        while pid is None and time.monotonic() < deadline:
            kmsg.poll(0.1)
            for us, seen, text in kmsg.records:
                if "Killed process" in text and "(hog)" in text and us > (mk[0] if mk else 0):
                    pid = int(text.split("Killed process ")[1].split()[0])
        if pid is None or not mk:
            print("  kill %d: no kernel record" % i)
            continue
        kern = kmsg.kill_line(pid)
        t, k = g.kill_of(pid, 10)
        if not k:
            print("  kill %d: gotrace did not report pid %d" % (i, pid))
            continue
        offset = mk[0] / 1e6 - (t0 + t1) / 2  # kernel seconds - monotonic seconds
        kill_mono = kern["kernel_us"] / 1e6 - offset
        own.append(k["print_latency_ns"] / 1e6)
        indep.append((t - kill_mono) * 1e3)
        kmsg.records.clear()
        time.sleep(0.3)
    g.stop()
    kmsg.close()
finally:
    os.rmdir(d)
if own:
    print("  kill -> print: gotrace's own (BPF ktime -> print) median %.1f ms, max %.1f ms; "
          "kernel log -> line read here median %.1f ms, max %.1f ms (%d kills)"
          % (statistics.median(own), max(own), statistics.median(indep), max(indep), len(own)))
    print("    own:         %s ms" % " ".join("%.1f" % x for x in own))
    print("    independent: %s ms" % " ".join("%.1f" % x for x in indep))
PY
