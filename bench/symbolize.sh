#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the benchmarks in bench/ and prints their numbers (no thresholds).
#
# bench_symbolize: gotrace's Go symbolizer against `go tool addr2line` on the
# same pcs in the same run (the method is in bench/bench_symbolize.c).
#  - The binary is $BENCH_BINARY (or the argument), else buf 1.75.0, a 46 MB
#    Go 1.27 program (17.5 MiB pclntab, 58519 functions), fetched once with
#    `npm pack @bufbuild/buf-linux-x64@1.75.0` into $GOTRACE_CACHE/npm/, so a
#    fresh machine measures the same bytes.
#  - The anchors are addr2line builds of the cached Go toolchains
#    (scripts/fetch-go.sh): the newest one that reads the binary, and the
#    newest one shipped prebuilt in pkg/tool as a second anchor. go1.26+
#    ship no addr2line in pkg/tool: `go tool -n addr2line` builds it into
#    the Go build cache (offline, from GOROOT/src) and prints its path, so
#    it runs without the go command in front of it.
# Knobs: BENCH_NPCS (10^6), BENCH_HOT (1000), BENCH_VERIFY (100000), BENCH_REPS (3).
# Usage: bench/symbolize.sh [BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
# make's targets are relative to the tree: an absolute path would match no rule.
case $BUILD_DIR in
/*) rel=${BUILD_DIR#"$root"/} ;;
*) rel=$BUILD_DIR BUILD_DIR=$root/$BUILD_DIR ;;
esac
cache=${GOTRACE_CACHE:-$HOME/.cache/gotrace}
BUF_SPEC=@bufbuild/buf-linux-x64@1.75.0
BUF_NAME=bufbuild-buf-linux-x64-1.75.0

make -C "$root" --no-print-directory "$rel/bench/bench_symbolize" >/dev/null

# The default binary: npm's tarball, unpacked next to it like the fixtures'.
fetch_buf() {
	local dir=$cache/npm/$BUF_NAME tgz=$cache/npm/$BUF_NAME.tgz
	if [ ! -s "$tgz" ]; then
		mkdir -p "$cache/npm"
		(cd "$cache/npm" && npm pack --loglevel=error "$BUF_SPEC" >/dev/null) ||
			{ echo "bench: npm pack $BUF_SPEC failed" >&2; return 1; }
	fi
	if [ ! -x "$dir/package/bin/buf" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xzf "$tgz" -C "$dir"
	fi
	echo "$dir/package/bin/buf"
}

# addr2line of the toolchain at GOROOT $1, built on demand (go1.26+); empty if none.
addr2line_of() {
	local goroot=$1 pre=$1/pkg/tool/linux_amd64/addr2line
	if [ -x "$pre" ]; then
		echo "$pre"
		return
	fi
	(cd / && GOROOT=$goroot GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off \
		"$goroot/bin/go" tool -n addr2line 2>/dev/null) || true
}

# Whether addr2line $1 symbolizes the binary's entry point (it reads its pclntab).
reads_binary() {
	local entry
	entry=$(readelf -h "$bin" | awk '/Entry point/ {print $4}')
	[ -n "$entry" ] || return 1
	echo "$entry" | "$1" "$bin" 2>/dev/null | head -n1 | grep -qv '^?$'
}

bin=${1:-${BENCH_BINARY:-}}
[ -n "$bin" ] || bin=$(fetch_buf)

anchors=()
newest="" prebuilt=""
for goroot in $(for d in "$cache"/go/1.*/usr/lib/go-1.*; do
	[ -d "$d" ] && echo "${d##*/go-1.} $d"
done | sort -k1,1nr | cut -d' ' -f2); do
	v=go${goroot##*/go-}
	a=$(addr2line_of "$goroot")
	[ -n "$a" ] && [ -x "$a" ] && reads_binary "$a" || continue
	if [ -z "$newest" ]; then
		newest=$v
		anchors+=("$v-addr2line=$a")
	fi
	if [ -z "$prebuilt" ] && [ "$a" = "$goroot/pkg/tool/linux_amd64/addr2line" ]; then
		prebuilt=$v
		[ "$v" = "$newest" ] || anchors+=("$v-addr2line=$a")
	fi
	[ -n "$prebuilt" ] && break
done
if [ ${#anchors[@]} -eq 0 ]; then
	echo "SKIP: bench_symbolize: no cached Go toolchain's addr2line reads $bin (run scripts/fetch-go.sh)" >&2
	exit 0
fi

echo "== bench_symbolize"
"$BUILD_DIR/bench/bench_symbolize" -n "${BENCH_NPCS:-1000000}" -k "${BENCH_HOT:-1000}" \
	-v "${BENCH_VERIFY:-100000}" -r "${BENCH_REPS:-3}" "$bin" "${anchors[@]}"
