#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every unit test binary (cmocka, built with ASan+UBSan); no root needed.
set -uo pipefail
fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "$@"; do
	echo "== unit: $(basename "$t")"
	if ! "$t"; then
		echo "FAIL: $t" >&2
		fail=1
	fi
done
exit $fail
