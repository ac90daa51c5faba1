#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the end-to-end tests: every tests/e2e/test_*.py (Debian's python3) and
# test_*.sh. A test exits 0 (pass), 77 (skip: it must print a line
# "SKIP: reason"; a skip without a reason counts as a failure),
# or anything else (fail). Prints each test's output when it did not pass, a
# summary table, and exits non-zero when any test failed.
#
# Usage: tests/e2e/run.sh [NAME-SUBSTRING...]   (default: every test)
# Environment: BUILD_DIR (default build), E2E_TIMEOUT seconds per test
# (default 1800), E2E_VERBOSE=1 prints every test's output, GOTRACE=path
# tests another gotrace binary, E2E_FIXTURES=id,id (substrings of manifest
# ids, e.g. go1.27/pie) limits the fixtures for a quick local run,
# E2E_DIR=dir runs that folder's tests instead (tests/scenarios/run.sh).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
export BUILD_DIR
PYTHON=/usr/bin/python3
timeout_s=${E2E_TIMEOUT:-1800}
tests_dir=${E2E_DIR:-$here}
suite=$(basename "$tests_dir")
logdir=$BUILD_DIR/$suite
mkdir -p "$logdir"

if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: the end-to-end tests must run as root (real BPF, ptrace, other users' processes): sudo make e2e" >&2
	exit 1
fi
[ -x "$PYTHON" ] || { echo "e2e: $PYTHON is missing (apt-get install python3)" >&2; exit 1; }

tests=()
for t in "$tests_dir"/test_*.py "$tests_dir"/test_*.sh; do
	[ -e "$t" ] || continue
	if [ $# -gt 0 ]; then
		match=0
		for pat in "$@"; do [[ $(basename "$t") == *"$pat"* ]] && match=1; done
		[ $match = 1 ] || continue
	fi
	tests+=("$t")
done
if [ ${#tests[@]} -eq 0 ]; then
	echo "$suite: no tests to run" >&2
	exit 1
fi

names=() results=() times=() reasons=()
failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t")
	log=$logdir/${name%.*}.log
	echo "== $suite: $name"
	start=$EPOCHREALTIME
	case $t in
	*.py) cmd=("$PYTHON" -u "$t") ;;
	*) cmd=(bash "$t") ;;
	esac
	# Own process group per test so a timeout kills its fixtures too.
	export E2E_LOG_DIR=$logdir
	(cd "$root" && exec timeout --kill-after=10 "$timeout_s" setsid "${cmd[@]}") >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	reason=
	case $rc in
	0) res=PASS ;;
	77)
		# "SKIP: reason" (harness.skip) or "SKIP  reason".
		reason=$(sed -n -E 's/^SKIP:? +//p' "$log" | head -n1)
		if [ -n "$reason" ]; then
			res=SKIPPED
		else
			res=FAIL
			reason="exit 77 without a 'SKIP: reason' line"
		fi
		;;
	124 | 137) res=FAIL reason="timed out after ${timeout_s}s" ;;
	*) res=FAIL reason="exit $rc" ;;
	esac
	if [ "$res" != PASS ] || [ "${E2E_VERBOSE:-0}" = 1 ]; then
		sed 's/^/   | /' "$log"
	fi
	[ "$res" = FAIL ] && failed=$((failed + 1))
	echo "   $res ($secs s)${reason:+: $reason}"
	names+=("$name") results+=("$res") times+=("$secs") reasons+=("$reason")
done

echo
echo "$suite summary (logs in $logdir)"
printf '  %-36s %-8s %8s  %s\n' TEST RESULT SECONDS NOTE
pass=0 skip=0
for i in "${!names[@]}"; do
	printf '  %-36s %-8s %8s  %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}" "${reasons[$i]}"
	case ${results[$i]} in PASS) pass=$((pass + 1)) ;; SKIPPED) skip=$((skip + 1)) ;; esac
done
echo "  passed $pass, skipped $skip, failed $failed (of ${#names[@]})"
if [ $skip -gt 0 ]; then
	echo "  SKIPPED tests did not run their checks: they are not passes."
fi
[ $failed -eq 0 ]
