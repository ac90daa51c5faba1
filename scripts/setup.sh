#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs everything gotrace's build, tests, benchmarks and demo need on a
# fresh Debian 12 (bookworm) machine. Idempotent: re-running only installs
# what is missing. Extra Go toolchains and the npm fixtures are fetched into
# a cache (GOTRACE_CACHE, default ~/.cache/gotrace) by scripts/fetch-fixtures.sh.
set -euo pipefail

PKGS=(
	make clang llvm gcc pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev libcapstone-dev
	libcmocka-dev libclang-rt-14-dev libfuzzer-14-dev
	golang-go musl-tools runc bpftrace wrk
	binutils file procps iproute2 util-linux python3 tmux
	ca-certificates xz-utils
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: system packages ready" >&2

# npm fetches real Go programs built by others (esbuild) for the tests. The
# machine's Node.js (nodesource) ships npm itself; Debian's npm conflicts with
# it, so install Debian's nodejs+npm only when no npm exists at all.
if ! command -v npm >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
