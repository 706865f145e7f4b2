/**
 * The GitHub Actions workflows (.github/workflows), checked as files: the set, triggers, least-privilege
 * permissions, pinned actions, where each job runs, and the ci workflow. The preview workflows are in
 * preview.test.ts, the ones that change an env in operations.test.ts, the scripts in scripts.test.ts.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    ROOT,
    Workflow,
    all,
    ci,
    comment,
    evaluate,
    evaluateValue,
    everyJob,
    files,
    indexOf,
    interpolate,
    packageJson,
    preview,
    runs,
    stepUsing,
    stepsUsing,
    text,
    triggers,
} from "./helpers";

const CALLED = "run-driver.yml";
const REUSABLE = ["deploy-env.yml", CALLED];
const DISPATCHED = ["discard.yml", "ops-upgrade.yml", "rollback.yml", "stop-the-line.yml", "upgrade.yml"];

describe("workflows: the set", () => {
    it("has ci, preview, preview-comment, deploy, plan, upgrade, ops-upgrade, rollback, discard, stop-the-line and the reusable deploy-env and run-driver", () => {
        assert.deepEqual(files, ["ci.yml", "deploy-env.yml", "deploy.yml", "discard.yml", "ops-upgrade.yml", "plan.yml", "preview-comment.yml", "preview.yml", "rollback.yml", "run-driver.yml", "stop-the-line.yml", "upgrade.yml"]);
    });

    it("every job either runs steps somewhere or calls a reusable workflow of this repository", () => {
        for (const { file, id, job } of everyJob()) {
            if (job.uses) {
                assert.ok(REUSABLE.some((w) => job.uses === `./.github/workflows/${w}`), `${file} ${id}: ${job.uses}`);
                assert.equal(job.steps.length, 0, `${file} ${id}`);
            } else {
                assert.ok(job.steps.length > 0 && job["runs-on"], `${file} ${id} has steps and runs-on`);
            }
        }
    });
});

describe("workflows: triggers", () => {
    it("ci runs on push and pull_request; preview on pull_request; preview-comment on workflow_run", () => {
        assert.deepEqual(triggers(ci), ["pull_request", "push"]);
        assert.deepEqual(triggers(preview), ["pull_request"]);
        assert.deepEqual(triggers(comment), ["workflow_run"]);
    });

    it("the workflows that change an env are dispatched by hand only, deploy also on a push of the default branch; the reusable ones are only called", () => {
        for (const f of DISPATCHED) assert.deepEqual(triggers(all[f]), ["workflow_dispatch"], f);
        assert.deepEqual(triggers(all["deploy.yml"]), ["push", "workflow_dispatch"]);
        assert.deepEqual((all["deploy.yml"].on.push as { branches: string[] }).branches, ["main"]);
        for (const f of REUSABLE) assert.deepEqual(triggers(all[f]), ["workflow_call"], f);
    });

    it("no workflow uses pull_request_target", () => {
        for (const f of files) {
            assert.ok(!("pull_request_target" in all[f].on), f);
            assert.ok(!/pull_request_target\s*:/.test(text(f)), f);
        }
    });
});

describe("workflows: permissions", () => {
    it("top-level permissions are empty or read-only", () => {
        for (const f of files) {
            const top = all[f].permissions;
            assert.ok(top !== undefined && typeof top === "object", `${f} declares top-level permissions`);
            for (const [scope, level] of Object.entries(top)) assert.equal(level, "read", `${f}: top-level ${scope} is ${level}`);
        }
    });

    it("every job declares exactly the permissions it needs", () => {
        const change = { contents: "write", "pull-requests": "write", "id-token": "write" };
        const expected: Record<string, Record<string, string>> = {
            "ci.yml/test": { contents: "read" },
            "ci.yml/rehearse": { contents: "read" },
            "ci.yml/properties": { contents: "read" },
            "preview.yml/affected": { contents: "read" },
            "preview.yml/preview": { contents: "read", "id-token": "write", "pull-requests": "write" },
            "preview.yml/render": { contents: "read" },
            "preview-comment.yml/comment": { actions: "read", "pull-requests": "write" },
            "upgrade.yml/check": { "pull-requests": "read" },
            "upgrade.yml/upgrade": change,
            "upgrade.yml/approve-and-finish": change,
            "ops-upgrade.yml/check": { "pull-requests": "read" },
            "ops-upgrade.yml/ops-upgrade": change,
            "rollback.yml/check": { contents: "read", "pull-requests": "read" },
            "rollback.yml/rollback": change,
            "discard.yml/check": { contents: "read", "pull-requests": "read" },
            "discard.yml/discard": change,
            "stop-the-line.yml/check": {},
            "stop-the-line.yml/switch": change,
            "run-driver.yml/run": change,
            "deploy.yml/affected": { contents: "read", actions: "read" },
            "deploy.yml/staging": { contents: "read", "pull-requests": "read", "id-token": "write" },
            "deploy.yml/prod": { contents: "read", "pull-requests": "read", "id-token": "write" },
            "deploy-env.yml/plan": { contents: "read", "pull-requests": "read", "id-token": "write" },
            "deploy-env.yml/apply": { contents: "read", "id-token": "write" },
            "plan.yml/plan": { contents: "read", "id-token": "write" },
            "plan.yml/pull-request": { contents: "write", "pull-requests": "write" },
        };
        const actual = Object.fromEntries(everyJob().map(({ file, id, job }) => [`${file}/${id}`, job.permissions]));
        assert.deepEqual(actual, expected);
    });

    it("id-token: write only where a job assumes an AWS role (itself or through run-driver), and every such job has it", () => {
        for (const { file, id, job } of everyJob()) {
            const assumes = stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0 || job.uses !== undefined;
            assert.equal(job.permissions?.["id-token"] === "write", assumes, `${file} ${id}`);
        }
        assert.equal(stepsUsing(all[CALLED].jobs.run, "aws-actions/configure-aws-credentials").length, 1);
    });

    it("pull-requests: write only on jobs that comment or open pull requests; contents: write only to push a PR branch", () => {
        for (const { file, id, job } of everyJob()) {
            const pulumiComments = stepsUsing(job, "pulumi/actions").some((s) => String(s.with?.["comment-on-pr"]) === "true");
            const scriptComments = stepsUsing(job, "actions/github-script").some((s) => /createComment|updateComment/.test(String(s.with?.script)));
            const opensPr = stepsUsing(job, "peter-evans/create-pull-request").length > 0 || job.uses === `./.github/workflows/${CALLED}`;
            assert.equal(job.permissions?.["pull-requests"] === "write", pulumiComments || scriptComments || opensPr, `${file} ${id} pull-requests`);
            assert.equal(job.permissions?.contents === "write", opensPr, `${file} ${id} contents`);
        }
    });

    it("secrets reach the reusable workflows by name, exactly those each declares (never `inherit`), and no personal token", () => {
        for (const { file, id, job } of everyJob().filter(({ job }) => job.uses)) {
            const called = job.uses!.split("/").pop()!;
            const declared = Object.keys((all[called].on.workflow_call as { secrets: Record<string, unknown> }).secrets).sort();
            assert.ok(typeof job.secrets === "object", `${file} ${id} passes secrets explicitly`);
            assert.deepEqual(job.secrets, Object.fromEntries(declared.map((name) => [name, `\${{ secrets.${name} }}`])), `${file} ${id}`);
        }
        assert.deepEqual(Object.keys((all[CALLED].on.workflow_call as { secrets: Record<string, unknown> }).secrets).sort(), ["MITENE_APP_PRIVATE_KEY", "PULUMI_CONFIG_PASSPHRASE"]);
        for (const f of files) assert.doesNotMatch(text(f), /MITENE_PR_TOKEN/, f);
    });
});

describe("workflows: pinned actions", () => {
    const SHA = /^[0-9a-f]{40}$/;
    const EXACT_TAG = /^v\d+\.\d+\.\d+$/;
    const uses = () => everyJob().flatMap(({ file, id, job }) => job.steps.map((s) => s.uses).filter((u): u is string => !!u).map((u) => ({ file, id, uses: u })));

    it("every action is pinned to a full commit SHA or an exact vX.Y.Z tag, never a branch or a bare major", () => {
        assert.ok(uses().length > 10);
        for (const { file, id, uses: ref } of uses()) {
            const [action, version] = ref.split("@");
            assert.ok(action && version, `${file} ${id}: ${ref} names a version`);
            assert.ok(SHA.test(version) || EXACT_TAG.test(version), `${file} ${id}: ${ref} is not pinned`);
        }
    });

    it("a SHA pin names its release in a comment, and one action has one pin everywhere", () => {
        const pins = new Map<string, string>();
        for (const f of files) {
            for (const line of text(f).split("\n")) {
                const match = line.match(/uses:\s*([^@\s]+)@(\S+)(.*)$/);
                if (!match) continue;
                const [, action, version, rest] = match;
                if (SHA.test(version)) assert.match(rest, /#\s*v\d+\.\d+\.\d+\s*$/, `${f}: ${line.trim()}`);
                const key = `${action}@${version}`;
                assert.equal(pins.get(action) ?? key, key, `${action} is pinned differently in ${f}`);
                pins.set(action, key);
            }
        }
        assert.ok(pins.size >= 10, "checkout, setup-node, setup-go, setup-python, cache, upload/download-artifact, github-script, AWS credentials, pulumi, create-pull-request");
    });

    it("checkouts never persist the token; Node is 24 (as .ci/run's, above package.json's floor) with the npm cache, set up before it is used", () => {
        const pinned = readFileSync(path.join(ROOT, "scripts/install-node.sh"), "utf8").match(/^NODE_VERSION=(\d+)\./m)![1];
        const floor = Number(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node.match(/^>=(\d+)$/)[1]);
        assert.equal(pinned, "24");
        assert.ok(floor >= 22 && floor <= Number(pinned), "Node 22 at least: 20 is out of support");
        for (const { file, id, job } of everyJob()) {
            for (const step of stepsUsing(job, "actions/checkout")) assert.equal(step.with?.["persist-credentials"], false, `${file} ${id}`);
            for (const step of stepsUsing(job, "actions/setup-node")) {
                assert.equal(String(step.with?.["node-version"]), pinned, `${file} ${id}`);
                assert.equal(step.with?.cache, "npm", `${file} ${id}`);
            }
            if (/\bnpm\b|\bnpx\b|\bnode\b/.test(runs(job))) {
                const setup = indexOf(job, (s) => s.uses?.startsWith("actions/setup-node@") ?? false);
                const firstNode = indexOf(job, (s) => /\bnpm\b|\bnpx\b|\bnode\b|\.ci\/run/.test(s.run ?? ""));
                assert.ok(setup >= 0 && setup < firstNode, `${file} ${id} sets Node up before using it`);
            }
        }
    });

    it("the Pulumi CLI is the version of the SDK in package.json", () => {
        const sdk = packageJson.dependencies["@pulumi/pulumi"];
        const steps = everyJob().flatMap(({ job }) => stepsUsing(job, "pulumi/actions"));
        assert.ok(steps.length >= 3);
        for (const step of steps) assert.equal(String(step.with?.["pulumi-version"]), sdk);
    });

    it("no run: script splices an expression (inputs and event data reach shells as env vars)", () => {
        for (const { file, id, job } of everyJob()) {
            for (const step of job.steps) assert.ok(!(step.run ?? "").includes("${{"), `${file} ${id} ${step.name ?? ""}`);
        }
    });
});

describe("workflows: runners", () => {
    const actionlint = parse(readFileSync(path.join(ROOT, ".github/actionlint.yaml"), "utf8")) as { "self-hosted-runner": { labels: string[] }; "config-variables": string[] };
    const codebuild = (env: string, kind: "deploy" | "preview") => `codebuild-mitene-${env}-${kind}-runner-4711-2`;
    const context = { "github.run_id": "4711", "github.run_attempt": "2" };
    const label = (runsOn: unknown, values: Record<string, string>) => interpolate(runsOn, { ...context, ...values });

    it("the jobs that change an env run on the env's deploy runner, and nowhere else", () => {
        for (const [file, id] of [[CALLED, "run"], ["deploy-env.yml", "plan"], ["deploy-env.yml", "apply"]]) {
            for (const env of ["staging", "prod"]) assert.equal(label(all[file].jobs[id]["runs-on"], { "inputs.env": env }), codebuild(env, "deploy"), `${file} ${id}`);
        }
        assert.ok(Number(all[CALLED].jobs.run["timeout-minutes"]) > 360, "self-hosted: longer than GitHub's 6-hour cap");
    });

    it("previews of ops and cluster stacks run on the env's preview runner, never the deploy runner; region stacks on GitHub's", () => {
        const runsOn = String(preview.jobs.preview["runs-on"]);
        const on = (stack: string, env: string) => evaluateValue(runsOn, { ...context, "matrix.stack": stack, "matrix.env": env });
        assert.equal(on("ops-prod", "prod"), codebuild("prod", "preview"));
        assert.equal(on("mitene-staging-ap-northeast-1-blue", "staging"), codebuild("staging", "preview"));
        assert.equal(on("region-prod-us-west-2", "prod"), "ubuntu-latest");
    });

    it("every other job, the fork path and every check job among them, runs on GitHub's runners", () => {
        for (const { file, id, job } of everyJob()) {
            if (job.uses || String(job["runs-on"]).startsWith("codebuild-") || (file === "preview.yml" && id === "preview")) continue;
            assert.equal(job["runs-on"], "ubuntu-latest", `${file} ${id}`);
        }
    });

    it("actionlint knows the CodeBuild labels, and every variable the workflows read", () => {
        const patterns = actionlint["self-hosted-runner"].labels.map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`));
        for (const env of ["staging", "prod"]) for (const kind of ["deploy", "preview"] as const) assert.ok(patterns.some((p) => p.test(codebuild(env, kind))), `${env} ${kind}`);
        const used = new Set(files.flatMap((f) => [...text(f).matchAll(/\bvars\.([A-Z_]+)/g)].map((m) => m[1])));
        assert.deepEqual([...used].sort(), [...actionlint["config-variables"]].sort());
    });
});

describe("workflows: ci", () => {
    const test = ci.jobs.test;

    it("runs .ci/run with Go and the cached validators, and uploads the screenshot and the logs", () => {
        assert.ok(runs(test).split("\n").some((line) => line.trim() === ".ci/run"));
        const run = indexOf(test, (s) => s.run === ".ci/run");
        const go = stepUsing(test, "actions/setup-go");
        assert.equal(String(go.with?.["go-version"]), "1.26", "the Go the validators are built with here");
        assert.equal(String(stepUsing(test, "actions/setup-python").with?.["python-version"]), "3.11");
        const [tools, node] = stepsUsing(test, "actions/cache");
        // Keyed by every file that pins what is cached: the validators, the Pulumi CLI's module, moto's requirements.
        assert.deepEqual(String(tools.with?.path).trim().split("\n"), ["checkov", "go-tools", "pulumi-cli", "aws-emulator"].map((dir) => `~/.cache/mitene/${dir}`));
        assert.match(String(tools.with?.key), /hashFiles\('\.ci\/tools\.sh', 'tools\/pulumi-cli\/go\.sum', 'tools\/aws-emulator\/requirements\.txt'\)/);
        // Node and node_modules: per lockfile and per the Node pinned, apart from the tools (which change rarely).
        assert.deepEqual(String(node.with?.path).trim().split("\n"), ["~/.cache/mitene/node", "~/.cache/mitene/node-modules"]);
        assert.match(String(node.with?.key), /hashFiles\('package-lock\.json', 'scripts\/install-node\.sh', '\.ci\/tools\.sh'\)/);
        assert.ok(test.steps.indexOf(go) < run && test.steps.indexOf(tools) < run && test.steps.indexOf(node) < run);
        const uploads = stepsUsing(test, "actions/upload-artifact");
        assert.deepEqual(uploads.map((u) => u.with?.path), ["out/report-screenshot.png", "out/ci/"]);
        for (const upload of uploads) {
            assert.equal(upload.if, "always()");
            assert.ok(test.steps.indexOf(upload) > run);
        }
    });

    it("runs the exhaustive driver properties in a job of their own, beside .ci/run", () => {
        const job = ci.jobs.properties;
        assert.ok(runs(job).split("\n").some((line) => line.trim() === "npm run test:properties"));
        assert.ok(indexOf(job, (s) => s.run === "npm ci --no-audit --no-fund") < indexOf(job, (s) => s.run === "npm run test:properties"));
    });

    it("rehearses a prod upgrade with --json, checks it completed and always uploads its journal and state", () => {
        const job = ci.jobs.rehearse;
        const rehearse = job.steps.find((s) => /npm run (--silent )?rehearse -- --json/.test(s.run ?? ""));
        assert.ok(rehearse, "npm run rehearse -- --json");
        const state = rehearse.run!.match(/--state "?\$RUNNER_TEMP\/([\w-]+)"?/)?.[1];
        assert.ok(state, "the rehearsal keeps its state in a known directory");
        assert.ok(runs(job).includes('.result == "completed"'), "the result is checked");
        const uploads = stepsUsing(job, "actions/upload-artifact");
        const journal = uploads.find((u) => u.with?.path === `\${{ runner.temp }}/${state}/journal/`);
        assert.ok(journal, "the journal (<state>/journal) is its own artifact");
        assert.match(String(journal.with?.name), /^rehearsal-journal-/);
        for (const upload of uploads) {
            assert.equal(upload.if, "always()");
            assert.ok(job.steps.indexOf(upload) > job.steps.indexOf(rehearse));
        }
    });

    it("has a concurrency group per branch or pull request, and never cancels a run of the default branch", () => {
        const w: Workflow = ci;
        assert.equal(w.concurrency!.group, "ci-${{ github.event.pull_request.number || github.ref }}");
        const cancel = String(w.concurrency!["cancel-in-progress"]);
        const on = (ref: string) => evaluate(cancel.replace("format('refs/heads/{0}', github.event.repository.default_branch)", "'refs/heads/main'"), { "github.ref": ref });
        assert.equal(on("refs/heads/main"), false);
        assert.equal(on("refs/heads/feature"), true);
        assert.equal(on("refs/pull/7/merge"), true);
    });
});
