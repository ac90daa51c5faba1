#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/crash.sh: what `gotrace crash` costs a node and how fast it answers.
#
# 1. Overhead. bench/crash_load.c's syscall-heavy loads (many short
#    processes; stderr writes in a loop; open/close in a loop; failing
#    opens; a syscall gotrace does not watch, the floor any syscall
#    tracepoint adds), each timed with no gotrace, with `gotrace crash` in its default
#    scope (containers: this load is outside it, so only the in-kernel
#    filters run) and with `gotrace crash -c /` (every process in scope: the
#    load's writes are captured, its failures reported). Rounds alternate
#    the three so drift hits all alike; the median per mode is reported and
#    the ratio to the untraced median. No thresholds. BASELINE=PATH (another
#    gotrace build, e.g. the previous commit's) adds its default-scope run to
#    every round, for a before/after measured side by side.
# 2. Latency: a process dies (writes a line, exits 3) while `gotrace crash
#    -c / --json` runs; the time from its exit (its parent's wait returns) to
#    the verdict line being read, and gotrace's own death_to_verdict_ns.
#
# Usage: bench/crash.sh   (root)   Env: ROUNDS (5), N_SPAWN, N_WRITE, N_OPEN, DEATHS (20),
#        BASELINE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
ROUNDS=${ROUNDS:-5}
gotrace=$BUILD_DIR/gotrace
load=$BUILD_DIR/bench/crash_load

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/crash.sh needs root (BPF)" >&2
	exit 0
fi
# The Makefile's targets are relative to the tree (build/...).
make -C "$root" --no-print-directory "${gotrace#"$root"/}" "${load#"$root"/}" >/dev/null

declare -A N=([spawn]=${N_SPAWN:-1500} [write]=${N_WRITE:-200000} [writepipe]=${N_WRITE:-200000}
	[open]=${N_OPEN:-200000} [openfail]=${N_OPEN:-200000} [other]=${N_WRITE:-200000})
modes=(spawn write writepipe open openfail other)
BASELINE=${BASELINE:-}
tmp=$(mktemp -d)
gpid=
cleanup() {
	[ -n "$gpid" ] && kill -INT "$gpid" 2>/dev/null && wait "$gpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

start_gotrace() { # binary args...; waits for the ready line
	local bin=$1
	shift
	"$bin" crash --json "$@" >"$tmp/g.out" 2>"$tmp/g.err" &
	gpid=$!
	for _ in $(seq 100); do
		grep -q '"ready":true' "$tmp/g.out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "gotrace did not become ready: $(cat "$tmp/g.err")" >&2
	exit 1
}
stop_gotrace() {
	kill -INT "$gpid"
	wait "$gpid" || true
	gpid=
}

run_modes() { # label
	for m in "${modes[@]}"; do
		"$load" "$m" "${N[$m]}" 2>/dev/null >>"$tmp/$1.$m"
	done
}

echo "== bench/crash: overhead ($ROUNDS rounds; CPU ns per operation, median)"
for r in $(seq "$ROUNDS"); do
	run_modes none
	start_gotrace "$gotrace"
	run_modes default
	stop_gotrace
	start_gotrace "$gotrace" -c /
	run_modes all
	stop_gotrace
	if [ -n "$BASELINE" ]; then
		start_gotrace "$BASELINE"
		run_modes baseline
		stop_gotrace
	fi
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN{printf "%.3fx", x/y}'; }
hdr=$(printf '  %-9s %12s %14s %8s %14s %8s' load untraced "crash default" ratio "crash -c /" ratio)
[ -n "$BASELINE" ] && hdr+=$(printf ' %14s %8s' "BASELINE dflt" ratio)
echo "$hdr"
for m in "${modes[@]}"; do
	b=$(median "$tmp/none.$m") d=$(median "$tmp/default.$m") a=$(median "$tmp/all.$m")
	line=$(printf '  %-9s %12s %14s %8s %14s %8s' "$m" "$b" "$d" "$(ratio "$d" "$b")" "$a" \
		"$(ratio "$a" "$b")")
	if [ -n "$BASELINE" ]; then
		o=$(median "$tmp/baseline.$m")
		line+=$(printf ' %14s %8s' "$o" "$(ratio "$o" "$b")")
	fi
	echo "$line"
done

echo "== bench/crash: time from death to printed verdict (${DEATHS:-20} deaths)"
/usr/bin/python3 - "$gotrace" "${DEATHS:-20}" <<'PY'
import json, os, select, subprocess, sys, time
gotrace, deaths = sys.argv[1], int(sys.argv[2])
g = subprocess.Popen([gotrace, "crash", "-c", "/", "--json"], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, bufsize=0)
pending = b""
def lines(timeout):
    """(line, time read) as they come, unbuffered: select on the raw fd."""
    global pending
    fd = g.stdout.fileno()
    end = time.time() + timeout
    while True:
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield line, time.time()
        left = end - time.time()
        if left <= 0:
            return
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            pending += chunk
while True:
    got = next(lines(30), None)
    if got is None or b'"ready":true' in got[0]:
        break
ext, own = [], []
for i in range(deaths):
    p = subprocess.Popen(["sh", "-c", "echo dying >&2; exit 3"], stderr=subprocess.DEVNULL)
    p.wait()
    t_exit = time.time()
    for line, t in lines(10):
        try:
            v = json.loads(line).get("verdict")
        except ValueError:
            continue
        if v and v["pid"] == p.pid:
            ext.append((t - t_exit) * 1e3)
            own.append(v["death_to_verdict_ns"] / 1e6)
            break
    time.sleep(0.05)
g.send_signal(2)
g.wait()
def stats(v):
    v = sorted(v)
    return "median %.2f ms, p90 %.2f ms, max %.2f ms" % (v[len(v) // 2], v[int(len(v) * .9)], v[-1])
print("  %d/%d deaths got a verdict" % (len(ext), deaths))
if ext:
    print("  exit -> verdict line read (external): " + stats(ext))
    print("  death -> verdict printed (gotrace's own clock): " + stats(own))
PY
