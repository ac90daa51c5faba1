#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The block benchmark (bench/block.py): needs the fixtures (make fixtures) and root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
[ -f "$BUILD_DIR/fixtures/manifest.json" ] || make -C "$root" --no-print-directory fixtures >/dev/null
exec python3 "$root/bench/block.py"
