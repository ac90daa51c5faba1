#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerates vmlinux/<arch>/vmlinux.h from the running kernel's BTF.
# CO-RE relocates every field access at load time, so one committed header
# builds programs that run on any kernel with BTF; regenerate only to reach
# types or fields the committed header lacks.
set -euo pipefail
arch=${1:-$(uname -m)}
case $arch in x86_64) arch=x86 ;; aarch64) arch=arm64 ;; esac
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "gen-vmlinux: $btf not readable (kernel without CONFIG_DEBUG_INFO_BTF?)" >&2; exit 3; }
out=$(dirname "$0")/../vmlinux/$arch/vmlinux.h
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -l <"$out") lines)"
