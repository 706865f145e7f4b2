#!/usr/bin/env bash
# Builds the Pulumi CLI from its Go modules at the version of the @pulumi/pulumi SDK in package.json, for the
# local engine (`--engine local`, `npm run test:local`). Nothing is downloaded at run time: Go fetches the
# modules through its module proxy, and the binary is cached outside the work tree, keyed by version:
#
#   ${MITENE_TOOLS_CACHE:-~/.cache/mitene}/pulumi-cli/v<version>/pulumi
#
# Does nothing when that binary is already there and reports the right version. Go's own build cache
# (`go env GOCACHE`) makes a rebuild after a cache wipe fast. A cold build takes about 8 minutes on 2 cores.
# The Node.js language host and the provider plugins are this repository's own (tools/pulumi-plugins,
# fakecloud/providers); the local engine puts them on PATH itself.
#
# Usage: scripts/install-pulumi-cli.sh [--print-dir]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/tools/pulumi-cli"

sdk_version="$(node -p 'require(process.argv[1]).dependencies["@pulumi/pulumi"]' "$root/package.json")"
if ! [[ "$sdk_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "install-pulumi-cli: package.json pins @pulumi/pulumi to \"$sdk_version\", expected an exact version" >&2
    exit 2
fi
for go_module in pkg sdk; do
    pinned="$(awk -v m="github.com/pulumi/pulumi/$go_module/v3" '$1 == m || ($1 == "require" && $2 == m) { for (i = 1; i <= NF; i++) if ($i ~ /^v[0-9]/) { print substr($i, 2); exit } }' "$module/go.mod")"
    if [[ "$pinned" != "$sdk_version" ]]; then
        echo "install-pulumi-cli: tools/pulumi-cli/go.mod has $go_module/v3 at \"$pinned\" but package.json has @pulumi/pulumi $sdk_version;" >&2
        echo "  run: cd tools/pulumi-cli && go get github.com/pulumi/pulumi/pkg/v3@v$sdk_version github.com/pulumi/pulumi/sdk/v3@v$sdk_version && go mod tidy" >&2
        exit 2
    fi
done

cache="${MITENE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mitene}/pulumi-cli/v$sdk_version"
binary="$cache/pulumi"
if [[ "${1:-}" == "--print-dir" ]]; then
    echo "$cache"
    exit 0
fi

if [[ -x "$binary" ]] && [[ "$("$binary" version 2>/dev/null)" == "v$sdk_version" ]]; then
    echo "install-pulumi-cli: Pulumi CLI v$sdk_version already built at $binary" >&2
    exit 0
fi

if ! command -v go >/dev/null; then
    echo "install-pulumi-cli: Go is needed to build the Pulumi CLI (https://go.dev/dl/, 1.25 or later)" >&2
    exit 1
fi

mkdir -p "$cache"
# Built beside its final place and moved in at the end: an interrupted build never leaves a broken binary.
partial="$cache/.pulumi.partial.$$"
trap 'rm -f "$partial"' EXIT
echo "install-pulumi-cli: building Pulumi CLI v$sdk_version from Go modules into $cache (several minutes when cold)" >&2
start=$SECONDS
(
    cd "$module"
    GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$sdk_version" \
        -o "$partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
)
built="$("$partial" version)"
if [[ "$built" != "v$sdk_version" ]]; then
    echo "install-pulumi-cli: the binary reports $built, expected v$sdk_version" >&2
    exit 1
fi
mv -f "$partial" "$binary"
echo "install-pulumi-cli: built $binary in $((SECONDS - start))s" >&2
