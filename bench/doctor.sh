#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The doctor benchmark (bench/doctor.py): needs the fixtures (make fixtures) and root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
export BUILD_DIR
[ -f "$BUILD_DIR/fixtures/manifest.json" ] || make -C "$root" --no-print-directory fixtures >/dev/null
make -C "$root" --no-print-directory "$BUILD_DIR/gotrace" >/dev/null
exec /usr/bin/python3 "$root/bench/doctor.py"
