#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the benchmarks in bench/ and prints their numbers (no thresholds).
# bench/crash.sh: see its header.
#
# bench_symbolize: pclntab open time, symbolize cost per pc vs
# `go tool addr2line`, peak RSS. The binary is $BENCH_BINARY, else the
# largest Go binary among the candidates below that exists here (the bigger
# the better: a 30+ MB one when the machine has it). `go tool addr2line`
# comes from the newest Go found (cached toolchains, then PATH).
# Usage: bench/run.sh [BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
cache=${GOTRACE_CACHE:-$HOME/.cache/gotrace}
npmt=${GOTRACE_NPMT:-/tmp/npmt}

make -C "$root" --no-print-directory "$BUILD_DIR/bench/bench_symbolize" >/dev/null
"$root/bench/crash.sh" # gotrace crash: overhead ratios and death-to-verdict time

go=""
for g in $(ls -d "$cache"/go/1.*/usr/lib/go-1.*/bin/go 2>/dev/null | sort -t. -k2,2n -r); do
	go=$g
	export GOROOT=${g%/bin/go} GOTOOLCHAIN=local
	break
done
[ -z "$go" ] && go=$(command -v go || true)
if [ -z "$go" ]; then
	echo "SKIP: bench_symbolize: no Go toolchain for go tool addr2line" >&2
	exit 0
fi

bin=${1:-${BENCH_BINARY:-}}
if [ -z "$bin" ]; then
	best=0
	for c in "$npmt"/*/package/bin/esbuild \
		"$cache"/go/1.*/usr/lib/go-1.*/pkg/tool/linux_amd64/compile \
		"$(dirname "$go")"/go \
		/usr/lib/google-cloud-sdk/bin/* /usr/local/bin/* /usr/bin/*; do
		[ -f "$c" ] && [ -x "$c" ] || continue
		size=$(stat -L -c %s "$c")
		[ "$size" -gt "$best" ] || continue
		"$go" version "$c" >/dev/null 2>&1 || continue
		best=$size
		bin=$c
	done
fi
if [ -z "$bin" ]; then
	echo "SKIP: bench_symbolize: no Go binary to symbolize" >&2
	exit 0
fi
echo "== bench_symbolize ($("$go" version | awk '{print $3}') addr2line)"
"$BUILD_DIR/bench/bench_symbolize" "$bin" "$go" "${BENCH_NPCS:-1000000}" "${BENCH_SAMPLE:-20000}"
