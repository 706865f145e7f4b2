# shellcheck shell=bash
# The validators over every env's render, which .ci/run runs in the background alongside `npm test` (they need
# node_modules and the tools of .ci/tools.sh, nothing the tests make): render each env and turn its Kubernetes
# resources into manifests, actionlint (with shellcheck) over the workflows, checkov over the manifests and the
# workflows, and the project's deprecated-API table against pluto's. A finding is fixed, or waived with its
# reason in .ci/waivers.yaml. Each step's time goes to $OUT/validators.timings for .ci/run's summary.
# Sourced, with .ci/tools.sh, by .ci/run's background job.

# validator_step NAME COMMAND...: runs it, recording its time (a failure ends the job, named in the timings).
validator_step() {
    local name="$1" start code=0
    shift
    start="$(date +%s.%N)"
    echo
    echo "==> $name"
    "$@" || code=$?
    printf '%-40s %7ss  %s\n' "$name" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" \
        "$([ "$code" -eq 0 ] && echo "ok (alongside npm test)" || echo "FAILED (exit $code)")" >> "$OUT/validators.timings"
    return "$code"
}

render_envs() {
    local env
    for env in "${ENVS[@]}"; do
        node bin/mitene.js render --env "$env" --out "$OUT/render/$env" > "$OUT/logs/render-$env.log" 2>&1 || {
            cat "$OUT/logs/render-$env.log"
            return 1
        }
        echo "rendered $env: $(find "$OUT/render/$env" -name '*.json' | wc -l) stacks"
        node --import tsx .ci/validators/manifests.ts --render "$OUT/render/$env" --out "$OUT/manifests/$env"
    done
}

validate_workflows() {
    local bin
    bin="$(install_checkov)"
    # actionlint reads .github/actionlint.yaml (the self-hosted runner labels); shellcheck checks each run:.
    "$(install_actionlint)" -color=false -shellcheck="$bin/shellcheck" -pyflakes=
    echo "actionlint: no findings in .github/workflows"
    "$bin/shellcheck" .ci/run .ci/tools.sh .ci/validate.sh .github/scripts/*.sh scripts/*.sh
    echo "shellcheck: no findings in .ci/, .github/scripts/*.sh, scripts/*.sh"
}

run_checkov() {
    local scans=() env
    for env in "${ENVS[@]}"; do scans+=(--scan "kubernetes=$OUT/manifests/$env"); done
    node --import tsx .ci/validators/checkov.ts --checkov "$(install_checkov)/checkov" --waivers .ci/waivers.yaml \
        "${scans[@]}" --scan github_actions=.github/workflows
}

compare_apis() {
    local pluto renders=() env
    pluto="$(install_pluto)"
    "$pluto" version
    "$pluto" list-versions -o json > "$OUT/pluto-versions.json"
    for env in "${ENVS[@]}"; do renders+=(--render "$OUT/render/$env"); done
    node --import tsx .ci/validators/apiVersions.ts --pluto "$OUT/pluto-versions.json" --waivers .ci/waivers.yaml "${renders[@]}"
}

# run_validators: every step above in order; the installs it calls wait for .ci/run's background ones (a lock).
run_validators() {
    local file env
    # One log, in order: .ci/run shows it when the job is awaited.
    exec 1>&2
    ENVS=()
    for file in stacks/Pulumi.ops-*.yaml; do
        env="${file#stacks/Pulumi.ops-}"
        ENVS+=("${env%.yaml}")
    done
    : > "$OUT/validators.timings"
    validator_step "render and manifests (${ENVS[*]})" render_envs
    validator_step "actionlint, shellcheck" validate_workflows
    validator_step "checkov (manifests, workflows)" run_checkov
    validator_step "deprecated APIs vs pluto" compare_apis
}
