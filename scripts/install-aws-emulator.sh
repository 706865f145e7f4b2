#!/usr/bin/env bash
# Installs the AWS API emulator of the local engine (moto's server, pinned with everything it pulls in by
# tools/aws-emulator/requirements.txt) into a Python venv outside the work tree, keyed by that file's content:
#
#   ${MITENE_TOOLS_CACHE:-~/.cache/mitene}/aws-emulator/<hash>/
#
# Does nothing when that venv is complete. Needs Python 3.9+ with venv and PyPI (or a mirror pip knows).
# The local engine and `npm run test:local` start the emulator themselves, on loopback, one per state.
#
# Usage: scripts/install-aws-emulator.sh [--print-python]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/tools/aws-emulator/requirements.txt"
key="$(sha256sum "$requirements" | cut -c1-12)"
venv="${MITENE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mitene}/aws-emulator/$key"

if [[ "${1:-}" == "--print-python" ]]; then
    echo "$venv/bin/python"
    exit 0
fi
if [[ -f "$venv/.installed" ]]; then
    echo "install-aws-emulator: moto already installed in $venv" >&2
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    echo "install-aws-emulator: needs Python 3.9 or later with the venv module ($python)" >&2
    exit 1
fi
# A venv cannot be moved once made: an interrupted install is removed and made again, and `.installed`,
# written last, is what says it is complete.
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
start=$SECONDS
echo "install-aws-emulator: installing moto into $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-virtualenv -r "$requirements"
"$venv/bin/python" -c 'import moto.server'
touch "$venv/.installed"
echo "install-aws-emulator: done in $((SECONDS - start))s" >&2
