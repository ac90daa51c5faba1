#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every benchmark (make bench). Each prints its numbers and the ratios
# against its anchors measured side by side in the same run; none has a
# threshold: these machines are shared and noisy, so only ratios mean much.
# Run one: bench/<name>.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in symbolize goroutines block oom doctor; do
	[ -x "$here/$b.sh" ] || continue
	"$here/$b.sh" || { echo "bench $b failed" >&2; status=1; }
done
exit $status
