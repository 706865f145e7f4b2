#!/usr/bin/env bash
# Where a rollback or a discard of an env starts from, for rollback.yml and discard.yml:
#
#   .github/scripts/stack-files-branch.sh <env> <fallback branch>
#
# The stack files say what is deployed. While an upgrade's pull request (`upgrade/<env>-<minor>`) is open, its
# branch holds them, not the default branch: the run checks out that branch's stacks/ and commits its own
# changes to the same pull request. Otherwise it starts from the default branch and opens <fallback branch>.
# Prints `stacks-ref=<branch or empty>` and `pr-branch=<branch>` (to $GITHUB_OUTPUT when set). Reads the open
# pull requests with `gh` (GH_TOKEN, GITHUB_REPOSITORY).
set -euo pipefail

env="${1:-}"
fallback="${2:-}"
[[ "$env" =~ ^(staging|prod)$ ]] || { echo "usage: stack-files-branch.sh <staging|prod> <fallback branch>" >&2; exit 2; }
[[ "$fallback" =~ ^[a-z-]+/[a-z0-9.-]+$ ]] || { echo "fallback branch '$fallback' is not <kind>/<name>" >&2; exit 2; }

# Newest first; an upgrade refuses to start while one is open, so more than one means someone must look.
# (node, not jq: it is on every runner and wherever the tests run.)
# shellcheck disable=SC2016 # the script is JavaScript
branches="$(gh pr list --repo "$GITHUB_REPOSITORY" --state open --limit 200 --json headRefName,updatedAt |
    ENV_NAME="$env" node -e '
        const pulls = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const mine = new RegExp(`^upgrade/${process.env.ENV_NAME}-[0-9]+\\.[0-9]+$`);
        const heads = pulls.filter((p) => mine.test(p.headRefName)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
        for (const p of heads) console.log(p.headRefName);')"
count="$(grep -c . <<< "$branches" || true)"
if [ "$count" -gt 1 ]; then
    echo "::warning::$count upgrade pull requests of $env are open ($(paste -sd' ' <<< "$branches")): starting from the newest"
fi
ref="$(head -n 1 <<< "$branches")"
if [ -n "$ref" ]; then
    echo "starting from the stack files of the open upgrade pull request $ref" >&2
fi
out="stacks-ref=$ref
pr-branch=${ref:-$fallback}"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$out" >> "$GITHUB_OUTPUT"; else echo "$out"; fi
