#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs each libFuzzer harness for a bounded time, seeded from its corpus in
# tests/fuzz/corpus/<name>/ (checked in) plus real binaries from the fixture
# cache when present. A crash leaves its input in build/fuzz/crash-<name>-*.
# The mutations follow a fixed seed (FUZZ_SEED, default 1): `make check` on a
# clean clone explores the same inputs every time, so a failure there is one
# anyone can reproduce, and never a coin toss over unrelated work. Explore
# further with FUZZ_SEED=0 (random) and a longer FUZZ_SECONDS; a crash found
# that way goes into the harness's seed corpus with its fix.
# Usage: tests/run-fuzz.sh SECONDS harness...
set -uo pipefail
secs=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
fail=0
for h in "$@"; do
	name=$(basename "$h")
	name=${name#fuzz_}
	seed=$root/tests/fuzz/corpus/$name
	work=$BUILD_DIR/fuzz/corpus-$name
	mkdir -p "$work"
	dirs=("$work")
	[ -d "$seed" ] && dirs+=("$seed")
	echo "== fuzz: $name for ${secs}s"
	if ! "$h" -seed="${FUZZ_SEED:-1}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
		-artifact_prefix="$BUILD_DIR/fuzz/crash-$name-" -print_final_stats=1 \
		"${dirs[@]}" >"$BUILD_DIR/fuzz/$name.log" 2>&1; then
		echo "FAIL: fuzz $name (see build/fuzz/$name.log)" >&2
		tail -n 40 "$BUILD_DIR/fuzz/$name.log" >&2
		fail=1
	else
		grep -E '^stat::number_of_executed_units' "$BUILD_DIR/fuzz/$name.log" | sed 's/^/   /'
	fi
done
exit $fail
