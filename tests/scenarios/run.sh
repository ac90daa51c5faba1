#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the crash-loop scenarios (tests/scenarios/test_*.py, ../shared
# SCENARIOS.md) with the e2e runner: each is a workload in a runc pod under
# scripts/minikubelet.py while gotrace runs, checked against the container's
# own log, the kernel and readelf. Root; a few minutes at most.
#
# Usage: tests/scenarios/run.sh [NAME-SUBSTRING...]
# Environment: as tests/e2e/run.sh, plus GOTRACE_SCENARIO_ARGS (the gotrace
# command under test, default "crash"; e.g. "watch" once it exists).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
E2E_DIR=$here E2E_TIMEOUT=${E2E_TIMEOUT:-300} exec "$here/../e2e/run.sh" "$@"
