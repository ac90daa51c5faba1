#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetches extra Go toolchains from Debian's own archive without touching the
# system's apt sources: a private apt configuration lists bookworm-backports
# (1.21-1.23), trixie (1.24) and sid (1.26, 1.27); `apt-get download` brings
# golang-1.NN-go and golang-1.NN-src, `dpkg -x` unpacks them into the cache.
# Prints nothing on success; each toolchain ends up at
#   $GOTRACE_CACHE/go/1.NN/usr/lib/go-1.NN   (use as GOROOT)
# Usage: scripts/fetch-go.sh [1.21 1.22 ...]   (default: every version)
set -euo pipefail

CACHE=${GOTRACE_CACHE:-$HOME/.cache/gotrace}
VERSIONS=("$@")
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(1.21 1.22 1.23 1.24 1.26 1.27)

# Same archive host as the system's own sources.
host=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
host=${host:-http://deb.debian.org/debian}

apt_dir=$CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$CACHE/go"
key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/sources.list" <<SRC
deb [signed-by=$key] $host bookworm-backports main
deb [signed-by=$key] $host trixie main
deb [signed-by=$key] $host sid main
SRC
APT_OPTS=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=-
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

need_update=1
for v in "${VERSIONS[@]}"; do
	root=$CACHE/go/$v/usr/lib/go-$v
	[ -x "$root/bin/go" ] && [ -d "$root/src/runtime" ] && continue
	if [ $need_update = 1 ]; then
		apt-get "${APT_OPTS[@]}" update -qq >/dev/null
		need_update=0
	fi
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get "${APT_OPTS[@]}" download -qq "golang-$v-go" "golang-$v-src" >/dev/null)
	for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$CACHE/go/$v"; done
	rm -rf "$tmp"
	# The -go package links GOROOT/src to /usr/share/go-1.NN/src: repoint it
	# inside the cache.
	if [ -L "$root/src" ] || [ ! -e "$root/src" ]; then
		rm -f "$root/src"
		ln -s "../../share/go-$v/src" "$root/src"
	fi
	[ -x "$root/bin/go" ] || { echo "fetch-go: go $v did not unpack" >&2; exit 1; }
done
