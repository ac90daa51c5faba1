#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gotrace watch's own CPU and RSS, idle and busy (bench/watch.py).
exec python3 "$(cd "$(dirname "$0")" && pwd)/watch.py"
