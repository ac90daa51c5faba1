#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's test command: sets up a fresh Debian 12 machine, builds, and
# runs every test (make check). Needs root for the e2e tests (real BPF).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
make -j"$(nproc)"
make check
