#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `gotrace goroutines --sample`: what sampling costs the target and gotrace.
#
# Two workloads, each measured in one run with windows alternating between
# unsampled and sampled (10 Hz, then 100 Hz), so both sides share the
# machine's state:
#   chan  tests/fixtures/progress: a ping-pong pair over unbuffered channels
#         (round trips/s) plus 1000 parked goroutines for the reader to walk;
#   http  tests/fixtures/httpd under wrk (-c 64 keep-alive connections,
#         requests/s).
# Prints the target's slowdown (unsampled rate / sampled rate; goal <= 1.01)
# and gotrace's own CPU (user+system, getrusage) per snapshot per 1,000
# goroutines. Absolute numbers on these VMs mean little (ENVIRONMENT.md);
# ratios side by side do. Unsampled windows alone differ by a few percent, so
# BENCH_REPS rounds (default 3) each measure both rates and the median
# slowdown is printed with every round's. A sampled window measures the
# target while gotrace samples: gotrace starts BENCH_LEAD seconds before the
# window and stops as long after it: its start (reading the binary's
# tables; one snapshot of httpd takes 10-20 ms of CPU in all) and its exit
# happen once, not at every tick, and stay out of the measured window.
# Usage: bench/goroutines.sh   (BUILD_DIR, BENCH_WINDOW seconds per window, default 3,
#        BENCH_REPS rounds, default 3, BENCH_LEAD seconds, default 1)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
WINDOW=${BENCH_WINDOW:-3}
REPS=${BENCH_REPS:-3}
LEAD=${BENCH_LEAD:-1}
GOTRACE=$BUILD_DIR/gotrace
manifest=$BUILD_DIR/fixtures/manifest.json
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -f "$manifest" ] || { echo "SKIP: goroutines bench: no fixtures (make fixtures)" >&2; exit 0; }
fixture() { # newest toolchain's exe build of a fixture program
	python3 -c 'import json,sys; f=[x for x in json.load(open(sys.argv[1]))["fixtures"] if x["prog"]==sys.argv[2] and x["variant"]=="exe"]; print(f[-1]["path"] if f else "")' "$manifest" "$1"
}

# sample HZ PID OUT: gotrace sampling for a window and the lead on both
# sides, JSON into OUT; in the background (the caller waits).
sample() {
	"$GOTRACE" goroutines --pid "$2" --sample "$1" -d "$(awk -v w="$WINDOW" -v l="$LEAD" 'BEGIN { print w + 2 * l }')" \
		--json >"$3" &
	sleep "$LEAD"
}

# cost FILE: "CPU per snapshot per 1000 goroutines" from a sampling document.
cost() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=max(d["snapshots"],1); g=d["goroutine_samples"]/s
print("%.0f goroutines, %d snapshots, %.1f us CPU per snapshot, %.1f us per snapshot per 1000 goroutines" % (g, d["snapshots"], d["cpu_ns"]/s/1e3, d["cpu_ns"]/s/1e3/max(g/1000,1e-9)))' "$1"
}

# chan: round trips from the fixture's own "progress <ms> <trips> <gap>" lines
# (every 100 ms), over the fixture's own clock.
trips_at() { tail -n 1 "$1" | awk '{print $2, $3}'; }
chan_window() { # chan_window LOG HZ|0 PID -> round trips/s over one window
	local a b
	[ "$2" = 0 ] || sample "$2" "$3" "$tmp/chan-$2.json"
	a=$(trips_at "$1")
	sleep "$WINDOW"
	b=$(trips_at "$1")
	wait
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); printf "%.0f", (y[2] - x[2]) * 1000 / (y[1] - x[1]) }'
}

bench_chan() {
	local bin pid
	bin=$(fixture progress)
	[ -n "$bin" ] || { echo "SKIP: chan workload: no progress fixture" >&2; return; }
	"$bin" -parked 1000 >"$tmp/chan.log" &
	pid=$!
	pids+=("$pid")
	sleep 1
	for _ in $(seq "$REPS"); do
		echo "$(chan_window "$tmp/chan.log" 0 "$pid") $(chan_window "$tmp/chan.log" 10 "$pid")" \
			"$(chan_window "$tmp/chan.log" 0 "$pid") $(chan_window "$tmp/chan.log" 100 "$pid")" \
			"$(chan_window "$tmp/chan.log" 0 "$pid")" >>"$tmp/chan.rounds"
	done
	kill "$pid"
	report chan "round trips/s"
}

# http: wrk's requests/s; the sampled windows run gotrace alongside wrk.
http_window() { # http_window URL HZ|0 PID
	[ "$2" = 0 ] || sample "$2" "$3" "$tmp/http-$2.json"
	wrk -t1 -c64 -d"${WINDOW}s" "$1" 2>/dev/null | awk '/^Requests\/sec/ {printf "%.0f", $2}'
	wait
}

bench_http() {
	local bin pid url
	bin=$(fixture httpd)
	command -v wrk >/dev/null || { echo "SKIP: http workload: wrk missing (scripts/setup.sh)" >&2; return; }
	[ -n "$bin" ] || { echo "SKIP: http workload: no httpd fixture" >&2; return; }
	"$bin" 127.0.0.1:0 >"$tmp/http.log" &
	pid=$!
	pids+=("$pid")
	sleep 0.5
	url=http://$(awk '/^ready/ {print $3; exit}' "$tmp/http.log")/
	for _ in $(seq "$REPS"); do
		echo "$(http_window "$url" 0 "$pid") $(http_window "$url" 10 "$pid")" \
			"$(http_window "$url" 0 "$pid") $(http_window "$url" 100 "$pid")" \
			"$(http_window "$url" 0 "$pid")" >>"$tmp/http.rounds"
	done
	kill "$pid"
	report http "requests/s"
}

# report NAME UNIT: each round's sampled windows against the mean of the
# unsampled windows around them ($tmp/NAME.rounds: base s10 base s100 base per
# line), the median over the rounds first.
report() {
	awk -v n="$1" -v u="$2" '
	function median(a, k,   i, j, t) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
	{ k++; base += ($1 + $3 + $5) / 3; r10[k] = ($1 + $3) / 2 / $2; r100[k] = ($3 + $5) / 2 / $4
	  l10 = l10 sprintf(" %.3f", r10[k]); l100 = l100 sprintf(" %.3f", r100[k]) }
	END {
		printf "  %-5s unsampled %s %d (mean of %d rounds)\n", n, u, base / k, k
		printf "  %-5s  10 Hz: slowdown median %.3fx (rounds:%s)\n", n, median(r10, k), l10
		printf "  %-5s 100 Hz: slowdown median %.3fx (rounds:%s)\n", n, median(r100, k), l100 }' \
		"$tmp/$1.rounds"
	for hz in 10 100; do
		[ -s "$tmp/$1-$hz.json" ] && printf '  %-5s %3s Hz gotrace: %s\n' "$1" "$hz" "$(cost "$tmp/$1-$hz.json")"
	done
}

echo "== goroutines sampling ($REPS rounds of ${WINDOW}s windows; slowdown = unsampled / sampled rate, goal <= 1.01x)"
bench_chan
bench_http
