#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's run command (make demo): sets up, builds, starts a bundled
# crash-looping Go service in a runc "pod" (the kubelet's cgroup layout, a
# fake /var/log/pods tree, restarts with back-off, by scripts/minikubelet.py)
# and runs `gotrace watch` on it until the verdict is on the screen, then
# cleans everything up. Root (or sudo): BPF and runc need it.
#
#   make demo                          # default: oom-memcg
#   make demo SCENARIO=go-panic        # or any of the names below
#
# Scenarios (../shared/SCENARIOS.md): oom-memcg, oom-gogc-off, go-panic,
# go-stack-overflow, config-missing, bind-privileged, exec-libc, cpu-throttle.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO=${SCENARIO:-${1:-oom-memcg}}
SECONDS_TO_WATCH=${DEMO_SECONDS:-20}

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo scripts/setup.sh
make -j"$(nproc)" >/dev/null

work=$(mktemp -d /tmp/gotrace-demo.XXXXXX)
node=$work/node
pod_pid=
cleanup() {
	[ -n "$pod_pid" ] && $sudo kill "$pod_pid" 2>/dev/null && wait "$pod_pid" 2>/dev/null
	$sudo rm -rf "$work"
}
trap cleanup EXIT

# The workloads are the test fixtures, built with the system's Go.
build() { # prog [env...]
	local prog=$1
	shift
	(cd "tests/fixtures/$prog" && env GOFLAGS=-mod=mod "$@" go build -o "$work/$prog" .)
}

pod_args=(--host-root "$node" --namespace shop --pod api-7f9c --container api
	--restarts 2 --backoff 1)
what="the pod starts in 2 s and restarts twice"
case $SCENARIO in
oom-memcg)
	build oomalloc CGO_ENABLED=0
	# 28 MiB live, garbage at 64 MiB/s: the next GC is due above the limit.
	pod_args+=(--binary "$work/oomalloc" --memory 48M -- -mode garbage -base-mib 28 -rate-mib 64) ;;
oom-gogc-off)
	build oomalloc CGO_ENABLED=0
	pod_args+=(--binary "$work/oomalloc" --memory 48M --env GOGC=off -- -mode garbage -rate-mib 64) ;;
go-panic)
	build crashy CGO_ENABLED=0
	pod_args+=(--binary "$work/crashy" -- panic) ;;
go-stack-overflow)
	build crashy CGO_ENABLED=0
	pod_args+=(--binary "$work/crashy" -- overflow) ;;
config-missing)
	build crashy CGO_ENABLED=0
	pod_args+=(--binary "$work/crashy" --cwd /app --env APP_HOME=/app -- config) ;;
bind-privileged)
	build crashy CGO_ENABLED=0
	pod_args+=(--binary "$work/crashy" --user 1000 --caps "" -- listen :80) ;;
cpu-throttle)
	# Nothing dies: 8 Ps burning CPU under half a CPU; watch samples cpu.stat every 5 s.
	what="the pod starts in 2 s, runs throttled and never dies"
	build doctorapp CGO_ENABLED=0
	pod_args+=(--binary "$work/doctorapp" --cpu-quota 0.5 --env GOMAXPROCS=8 -- -spin 8) ;;
exec-libc)
	# glibc-linked (cgo) binary in an image that has no libc at all.
	build crashy CGO_ENABLED=1
	pod_args+=(--binary "$work/crashy" -- serve :8080) ;;
*)
	echo "demo: unknown scenario '$SCENARIO' (see the header of $0)" >&2
	exit 2 ;;
esac

echo "== gotrace demo: $SCENARIO ($what; watch runs ${SECONDS_TO_WATCH} s)"
# The pod starts once watch is attached: gotrace explains the first crash.
(sleep 2 && exec $sudo python3 scripts/minikubelet.py run "${pod_args[@]}") >"$work/pod.log" 2>&1 &
pod_pid=$!
$sudo build/gotrace --host-root "$node" watch -d "$SECONDS_TO_WATCH"
