#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's run command: sets up, builds, and runs gotrace's main job on a
# built-in default. Until `watch` exists that is `info` on a bundled Go
# program: the fixture server is built with the system's Go, started, and
# inspected through its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
make -j"$(nproc)"
demo=build/demo
mkdir -p "$demo"
(cd tests/fixtures/parked && CGO_ENABLED=0 go build -o "../../../$demo/parked" .)
"$demo/parked" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 0.5
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo build/gotrace info --pid "$pid"
