/**
 * The GitHub Actions workflows (.github/workflows) and their scripts (.github/scripts), checked as files:
 * triggers, least-privilege permissions, pinned actions, the commands each runs, the fork path's isolation
 * from credentials, and the scripts' logic.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { Change, affectedStacks, githubOutputs, parseNameStatus, reachesEveryStack, stackOfPath, summary } from "../../.github/scripts/affected-stacks";
import { EXIT_CODES, MAX_BODY, cell, closingNote, fenced, parseResult, report, resultWord } from "../../.github/scripts/upgrade-report";
import { parseStackName } from "../../components/naming";
import { listStacks } from "../../stacks/stackFiles";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");

type Json = Record<string, unknown>;

interface Step {
    name?: string;
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    "runs-on"?: string;
    "timeout-minutes"?: number;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    strategy?: { matrix?: unknown };
    env?: Record<string, string>;
    outputs?: Record<string, string>;
    steps: Step[];
    uses?: string;
}

interface Workflow {
    name: string;
    on: Json;
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean | string };
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    return parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (file: string) => readFileSync(path.join(WORKFLOWS, file), "utf8");
const all = Object.fromEntries(files.map((f) => [f, load(f)])) as Record<string, Workflow>;
const ci = all["ci.yml"];
const preview = all["preview.yml"];
const comment = all["preview-comment.yml"];
const upgrade = all["upgrade.yml"];
const opsUpgrade = all["ops-upgrade.yml"];
const packageJson = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

const triggers = (w: Workflow) => Object.keys(w.on).sort();
const jobsOf = (w: Workflow) => Object.entries(w.jobs);
const stepsUsing = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
const stepUsing = (job: Job, action: string): Step => {
    const found = stepsUsing(job, action);
    assert.equal(found.length > 0, true, `a step uses ${action}`);
    return found[found.length - 1];
};
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
const indexOf = (job: Job, predicate: (s: Step) => boolean) => job.steps.findIndex(predicate);
const everyJob = () => files.flatMap((f) => jobsOf(all[f]).map(([id, job]) => ({ file: f, id, job })));

// ---------------------------------------------------------------------------------------------------------
// A small evaluator for the `if:` expressions the workflows use (contexts, '...' strings, == != && || ! ()),
// so the split between the credentialed and the credential-free preview is tested by evaluating it.

type Token = { kind: "id" | "str" | "op"; value: string };

function tokenize(expression: string): Token[] {
    const tokens: Token[] = [];
    const pattern = /\s*(?:(==|!=|&&|\|\||!|\(|\))|'((?:[^']|'')*)'|([A-Za-z_][\w.-]*(?:\[[^\]]*\])?(?:\.[\w-]+)*))/y;
    let match: RegExpExecArray | null;
    let position = 0;
    while (position < expression.length && (match = pattern.exec(expression)) !== null) {
        if (match[1] !== undefined) tokens.push({ kind: "op", value: match[1] });
        else if (match[2] !== undefined) tokens.push({ kind: "str", value: match[2].replace(/''/g, "'") });
        else tokens.push({ kind: "id", value: match[3] });
        position = pattern.lastIndex;
        if (/^\s*$/.test(expression.slice(position))) break;
    }
    if (!/^\s*$/.test(expression.slice(position))) throw new Error(`cannot parse expression at: ${expression.slice(position)}`);
    return tokens;
}

function evaluate(expression: string, context: Record<string, string>): boolean {
    const tokens = tokenize(expression.replace(/^\$\{\{|\}\}$/g, ""));
    let i = 0;
    const peek = () => tokens[i];
    const value = (): string | boolean => {
        const token = tokens[i++];
        if (token.kind === "str") return token.value;
        if (token.kind === "id") {
            if (token.value === "true" || token.value === "false") return token.value === "true";
            if (!(token.value in context)) throw new Error(`no value for ${token.value} in the test context`);
            return context[token.value];
        }
        if (token.value === "(") {
            const inner = or();
            assert.equal(tokens[i++]?.value, ")");
            return inner;
        }
        if (token.value === "!") return !truthy(value());
        throw new Error(`unexpected ${token.value}`);
    };
    const truthy = (v: string | boolean) => v !== "" && v !== false;
    const comparison = (): string | boolean => {
        const left = value();
        const op = peek();
        if (op?.kind === "op" && (op.value === "==" || op.value === "!=")) {
            i++;
            const right = value();
            return op.value === "==" ? left === right : left !== right;
        }
        return left;
    };
    const and = (): string | boolean => {
        let left = comparison();
        while (peek()?.value === "&&") {
            i++;
            const right = comparison();
            left = truthy(left) && truthy(right);
        }
        return left;
    };
    const or = (): string | boolean => {
        let left = and();
        while (peek()?.value === "||") {
            i++;
            const right = and();
            left = truthy(left) || truthy(right);
        }
        return left;
    };
    const result = or();
    assert.equal(i, tokens.length, `the whole expression was read: ${expression}`);
    return truthy(result);
}

/** GitHub's path-filter globs: `**` crosses directories, `*` does not. */
function globToRegExp(glob: string): RegExp {
    const source = glob
        .split("**")
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
        .join(".*");
    return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------------------------

describe("workflows: the set", () => {
    it("has ci, preview, preview-comment, upgrade and ops-upgrade, and every file parses to jobs with steps", () => {
        assert.deepEqual(files, ["ci.yml", "ops-upgrade.yml", "preview-comment.yml", "preview.yml", "upgrade.yml"]);
        for (const f of files) {
            assert.equal(typeof all[f].name, "string", `${f} has a name`);
            assert.ok(Object.keys(all[f].jobs).length > 0, `${f} has jobs`);
            for (const [id, job] of jobsOf(all[f])) {
                assert.ok(Array.isArray(job.steps) && job.steps.length > 0, `${f} ${id} has steps`);
                assert.ok(job["runs-on"], `${f} ${id} has runs-on`);
            }
        }
    });
});

describe("workflows: triggers", () => {
    it("ci runs on push and pull_request", () => {
        assert.deepEqual(triggers(ci), ["pull_request", "push"]);
    });

    it("preview runs on pull_request only, for stacks/, components/, policy/, Pulumi.yaml and package*.json", () => {
        assert.deepEqual(triggers(preview), ["pull_request"]);
        const paths = (preview.on.pull_request as { paths: string[] }).paths;
        for (const file of ["stacks/Pulumi.ops-prod.yaml", "stacks/index.ts", "components/naming.ts", "policy/rules.ts", "Pulumi.yaml", "package.json", "package-lock.json"]) {
            assert.ok(paths.some((glob) => globToRegExp(glob).test(file)), `${file} triggers a preview`);
        }
        for (const file of ["README.md", "automation/cli.ts", "test/driver/upgrade.test.ts"]) {
            assert.ok(!paths.some((glob) => globToRegExp(glob).test(file)), `${file} does not trigger a preview`);
        }
    });

    it("preview-comment runs on workflow_run of the Preview workflow, completed", () => {
        assert.deepEqual(triggers(comment), ["workflow_run"]);
        const on = comment.on.workflow_run as { workflows: string[]; types: string[] };
        assert.deepEqual(on.workflows, [preview.name]);
        assert.deepEqual(on.types, ["completed"]);
    });

    it("upgrade and ops-upgrade are dispatched by hand only: never on push or pull_request", () => {
        for (const w of [upgrade, opsUpgrade]) assert.deepEqual(triggers(w), ["workflow_dispatch"], w.name);
    });

    it("no workflow uses pull_request_target", () => {
        for (const f of files) {
            assert.ok(!("pull_request_target" in all[f].on), f);
            assert.ok(!/pull_request_target\s*:/.test(text(f)), f);
        }
    });

    it("upgrade takes env (staging|prod), version, and optional regions, steps, bake and recover", () => {
        const inputs = (upgrade.on.workflow_dispatch as { inputs: Record<string, { type: string; required?: boolean; options?: string[] }> }).inputs;
        assert.deepEqual(Object.keys(inputs).sort(), ["bake", "env", "recover", "regions", "steps", "version"]);
        assert.equal(inputs.env.type, "choice");
        assert.deepEqual(inputs.env.options, ["staging", "prod"]);
        assert.equal(inputs.env.required, true);
        assert.equal(inputs.version.type, "string");
        assert.equal(inputs.version.required, true);
        for (const optional of ["regions", "steps", "bake", "recover"]) assert.notEqual(inputs[optional].required, true, optional);
        assert.equal(inputs.recover.type, "boolean");
    });

    it("ops-upgrade takes env (staging|prod), version and recover", () => {
        const inputs = (opsUpgrade.on.workflow_dispatch as { inputs: Record<string, { type: string; required?: boolean; options?: string[] }> }).inputs;
        assert.deepEqual(Object.keys(inputs).sort(), ["env", "recover", "version"]);
        assert.deepEqual(inputs.env.options, ["staging", "prod"]);
        assert.equal(inputs.version.required, true);
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
        const expected: Record<string, Record<string, string>> = {
            "ci.yml/test": { contents: "read" },
            "ci.yml/rehearse": { contents: "read" },
            "preview.yml/affected": { contents: "read" },
            "preview.yml/preview": { contents: "read", "id-token": "write", "pull-requests": "write" },
            "preview.yml/render": { contents: "read" },
            "preview-comment.yml/comment": { actions: "read", "pull-requests": "write" },
            "upgrade.yml/upgrade": { contents: "write", "pull-requests": "write", "id-token": "write" },
            "ops-upgrade.yml/ops-upgrade": { contents: "write", "pull-requests": "write", "id-token": "write" },
        };
        const actual = Object.fromEntries(everyJob().map(({ file, id, job }) => [`${file}/${id}`, job.permissions]));
        assert.deepEqual(actual, expected);
    });

    it("id-token: write only where a job assumes an AWS role, and every such job has it", () => {
        for (const { file, id, job } of everyJob()) {
            const assumes = stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0;
            assert.equal(job.permissions?.["id-token"] === "write", assumes, `${file} ${id}`);
        }
        const withIdToken = everyJob().filter(({ job }) => job.permissions?.["id-token"] === "write").map(({ file, id }) => `${file}/${id}`);
        assert.deepEqual(withIdToken.sort(), ["ops-upgrade.yml/ops-upgrade", "preview.yml/preview", "upgrade.yml/upgrade"]);
    });

    it("pull-requests: write only on jobs that comment or open pull requests; contents: write only to push a PR branch", () => {
        for (const { file, id, job } of everyJob()) {
            const pulumiComments = stepsUsing(job, "pulumi/actions").some((s) => String(s.with?.["comment-on-pr"]) === "true");
            const scriptComments = stepsUsing(job, "actions/github-script").some((s) => /createComment|updateComment/.test(String(s.with?.script)));
            const opensPr = stepsUsing(job, "peter-evans/create-pull-request").length > 0;
            assert.equal(job.permissions?.["pull-requests"] === "write", pulumiComments || scriptComments || opensPr, `${file} ${id} pull-requests`);
            assert.equal(job.permissions?.contents === "write", opensPr, `${file} ${id} contents`);
        }
    });
});

describe("workflows: pinned actions", () => {
    const SHA = /^[0-9a-f]{40}$/;
    const EXACT_TAG = /^v\d+\.\d+\.\d+$/;
    const uses = () => everyJob().flatMap(({ file, id, job }) => [job.uses, ...job.steps.map((s) => s.uses)].filter((u): u is string => !!u).map((u) => ({ file, id, uses: u })));

    it("every uses: is pinned to a full commit SHA or an exact vX.Y.Z tag, never a branch or a bare major", () => {
        assert.ok(uses().length > 10);
        for (const { file, id, uses: ref } of uses()) {
            if (ref.startsWith("./")) continue;
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
        assert.ok(pins.size >= 7, "checkout, setup-node, upload/download-artifact, github-script, AWS credentials, pulumi, create-pull-request");
    });

    it("checkouts never persist the token; Node is 20 with the npm cache", () => {
        for (const { file, id, job } of everyJob()) {
            for (const step of stepsUsing(job, "actions/checkout")) assert.equal(step.with?.["persist-credentials"], false, `${file} ${id}`);
            for (const step of stepsUsing(job, "actions/setup-node")) {
                assert.equal(String(step.with?.["node-version"]), "20", `${file} ${id}`);
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

describe("workflows: ci", () => {
    it("runs .ci/run (install, type-check, lint, tests)", () => {
        assert.ok(runs(ci.jobs.test).split("\n").some((line) => line.trim() === ".ci/run"));
        assert.ok(stepsUsing(ci.jobs.test, "actions/checkout").length === 1);
    });

    it("rehearses a prod upgrade with --json, checks it completed and always uploads its state", () => {
        const job = ci.jobs.rehearse;
        const rehearse = job.steps.find((s) => /npm run (--silent )?rehearse -- --json/.test(s.run ?? ""));
        assert.ok(rehearse, "npm run rehearse -- --json");
        const state = rehearse.run!.match(/--state "?\$RUNNER_TEMP\/([\w-]+)"?/)?.[1];
        assert.ok(state, "the rehearsal keeps its state in a known directory");
        assert.ok(runs(job).includes('.result == "completed"'), "the result is checked");
        const upload = stepUsing(job, "actions/upload-artifact");
        assert.equal(upload.if, "always()");
        assert.ok(String(upload.with?.path).includes(`\${{ runner.temp }}/${state}`), "the uploaded path is the state directory");
        assert.ok(indexOf(job, (s) => s === rehearse) < job.steps.indexOf(upload));
    });

    it("has a concurrency group per branch or pull request, and never cancels a run of the default branch", () => {
        assert.equal(ci.concurrency!.group, "ci-${{ github.event.pull_request.number || github.ref }}");
        const cancel = String(ci.concurrency!["cancel-in-progress"]);
        const on = (ref: string) => evaluate(cancel.replace("format('refs/heads/{0}', github.event.repository.default_branch)", "'refs/heads/main'"), { "github.ref": ref });
        assert.equal(on("refs/heads/main"), false);
        assert.equal(on("refs/heads/feature"), true);
        assert.equal(on("refs/pull/7/merge"), true);
    });
});

describe("workflows: preview", () => {
    const { affected, preview: withCredentials, render } = preview.jobs;
    const cases = [
        { name: "same-repository branch", head: "mitene/platform", actor: "alice", credentials: true },
        { name: "fork", head: "mallory/platform", actor: "mallory", credentials: false },
        { name: "Dependabot (no secrets)", head: "mitene/platform", actor: "dependabot[bot]", credentials: false },
        { name: "fork, re-run by a maintainer", head: "mallory/platform", actor: "alice", credentials: false },
    ];
    const contextFor = (c: (typeof cases)[number], any = "true") => ({
        "needs.affected.outputs.any": any,
        "github.event.pull_request.head.repo.full_name": c.head,
        "github.repository": "mitene/platform",
        "github.actor": c.actor,
    });

    it("exactly one of the two paths runs for every kind of pull request, and neither when nothing is affected", () => {
        for (const c of cases) {
            assert.equal(evaluate(withCredentials.if!, contextFor(c)), c.credentials, `${c.name}: credentialed preview`);
            assert.equal(evaluate(render.if!, contextFor(c)), !c.credentials, `${c.name}: credential-free render`);
            assert.equal(evaluate(withCredentials.if!, contextFor(c, "false")) || evaluate(render.if!, contextFor(c, "false")), false, c.name);
        }
    });

    it("works out the affected stacks with the script against the merge commit's base", () => {
        assert.equal(stepUsing(affected, "actions/checkout").with?.["fetch-depth"], 2);
        assert.ok(runs(affected).includes(".github/scripts/affected-stacks.ts --base HEAD^1"));
        for (const output of ["matrix", "envs", "any"]) assert.match(affected.outputs![output], new RegExp(`steps\\.affected\\.outputs\\.${output}`));
        assert.deepEqual(withCredentials.needs, "affected");
        assert.equal(withCredentials.strategy?.matrix, "${{ fromJSON(needs.affected.outputs.matrix) }}");
    });

    it("with credentials: assumes the preview role through OIDC, then the official pulumi/actions preview per stack", () => {
        const aws = stepUsing(withCredentials, "aws-actions/configure-aws-credentials");
        assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        const run = stepsUsing(withCredentials, "pulumi/actions").find((s) => s.with?.command === "preview");
        assert.ok(run, "a pulumi/actions step runs preview");
        assert.deepEqual(
            {
                "stack-name": run.with?.["stack-name"],
                "work-dir": run.with?.["work-dir"],
                diff: run.with?.diff,
                "comment-on-pr": run.with?.["comment-on-pr"],
                "edit-pr-comment": run.with?.["edit-pr-comment"],
                policyPacks: run.with?.policyPacks,
                "cloud-url": run.with?.["cloud-url"],
            },
            {
                "stack-name": "${{ matrix.stack }}",
                "work-dir": ".",
                diff: true,
                "comment-on-pr": true,
                "edit-pr-comment": true,
                policyPacks: "policy",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
            },
        );
        assert.ok(withCredentials.steps.indexOf(aws) < withCredentials.steps.indexOf(run));
        assert.ok(indexOf(withCredentials, (s) => /npm ci/.test(s.run ?? "")) < withCredentials.steps.indexOf(run), "dependencies before the program runs");
    });

    it("the policy pack it names exists", () => {
        assert.ok(readFileSync(path.join(ROOT, "policy/PulumiPolicy.yaml"), "utf8").includes("runtime: nodejs"));
    });

    it("without credentials: never an id-token, a secret, a variable or a role, and only a read token", () => {
        assert.deepEqual(render.permissions, { contents: "read" });
        const serialized = JSON.stringify(render);
        for (const forbidden of ["secrets.", "vars.", "id-token", "configure-aws-credentials", "pulumi/actions", "github.token"]) {
            assert.ok(!serialized.includes(forbidden), `the fork path mentions ${forbidden}`);
        }
        assert.ok(!JSON.stringify(preview.env ?? {}).includes("secrets."), "no workflow-level secrets either");
    });

    it("without credentials: renders base (a worktree) and head, diffs them, runs the policy, uploads the Markdown", () => {
        const script = runs(render);
        assert.match(script, /git worktree add --detach "\$RUNNER_TEMP\/base" HEAD\^1/);
        assert.match(script, /cd "\$RUNNER_TEMP\/base" && npm ci/);
        assert.match(script, /node bin\/mitene\.js render --env "\$env" --out "\$head"/);
        assert.match(script, /cd "\$RUNNER_TEMP\/base" && node bin\/mitene\.js render --env "\$env" --out "\$base"/);
        assert.match(script, /node bin\/mitene\.js diff "\$base" "\$head"/);
        assert.match(script, /node bin\/mitene\.js policy "\$head"/);
        const upload = stepUsing(render, "actions/upload-artifact");
        assert.equal(upload.with?.name, "render-preview");
        assert.match(String(upload.with?.path), /comment\.md$/);
        assert.ok(render.steps.some((s) => s.if === "steps.render.outputs.status != '0'" && /exit 1/.test(s.run ?? "")), "a policy violation fails the check");
    });

    it("cancels superseded previews of the same pull request", () => {
        assert.equal(preview.concurrency?.group, "preview-${{ github.event.pull_request.number }}");
        assert.equal(preview.concurrency?.["cancel-in-progress"], true);
    });
});

describe("workflows: preview-comment (the fork path's comment)", () => {
    const job = comment.jobs.comment;
    const scripts = stepsUsing(job, "actions/github-script").map((s) => String(s.with?.script));

    it("checks out and runs nothing: only github-script and download-artifact", () => {
        assert.deepEqual([...new Set(job.steps.map((s) => s.uses?.split("@")[0]))].sort(), ["actions/download-artifact", "actions/github-script"]);
        assert.ok(job.steps.every((s) => s.run === undefined));
    });

    it("downloads the artifact preview.yml uploads, from the run that triggered it", () => {
        const download = stepUsing(job, "actions/download-artifact");
        assert.equal(download.with?.name, stepUsing(preview.jobs.render, "actions/upload-artifact").with?.name);
        assert.equal(download.with?.["run-id"], "${{ github.event.workflow_run.id }}");
    });

    it("takes the pull request from GitHub's record of the run (head SHA), never from the artifact", () => {
        assert.match(scripts[0], /pulls\.list/);
        assert.match(scripts[0], /head\.sha === run\.head_sha/);
        assert.equal(stepUsing(job, "actions/github-script").env?.PR_NUMBER, "${{ steps.find.outputs.pr }}");
        assert.ok(!/pr_number|prNumber|pull_request_number/i.test(readFileSync(path.join(ROOT, ".github/workflows/preview.yml"), "utf8")), "preview.yml does not ship a PR number");
    });

    it("keeps ONE sticky comment: finds its marker and edits it, else creates it", () => {
        const post = scripts[scripts.length - 1];
        const marker = post.match(/MARKER = "(<!-- [\w-]+ -->)"/)?.[1];
        assert.ok(marker, "a marker");
        assert.match(post, /\.split\(MARKER\)\.join\(""\)/, "the fork cannot plant the marker");
        assert.match(post, /updateComment/);
        assert.match(post, /createComment/);
        assert.ok(post.indexOf("updateComment") < post.indexOf("createComment"), "edit first");
        assert.match(post, /LIMIT/);
    });

    it("only for pull_request runs that were not cancelled", () => {
        assert.match(job.if!, /github\.event\.workflow_run\.event == 'pull_request'/);
        assert.match(job.if!, /conclusion != 'cancelled'/);
    });
});

describe("workflows: upgrade and ops-upgrade", () => {
    const cases = [
        { w: upgrade, job: upgrade.jobs.upgrade, command: "upgrade", branch: "upgrade/${{ inputs.env }}-${{ inputs.version }}" },
        { w: opsUpgrade, job: opsUpgrade.jobs["ops-upgrade"], command: "ops-upgrade", branch: "ops-upgrade/${{ inputs.env }}-${{ inputs.version }}" },
    ];

    for (const { w, job, command, branch } of cases) {
        describe(w.name, () => {
            it("one run per env at a time, never cancelled by the next dispatch; the env's GitHub environment", () => {
                assert.deepEqual(w.concurrency, { group: "upgrade-${{ inputs.env }}", "cancel-in-progress": false });
                assert.equal(job.environment, "${{ inputs.env }}");
                assert.ok(job["timeout-minutes"]! > 0 && job["timeout-minutes"]! <= 360, "GitHub-hosted jobs stop at 6 hours");
            });

            it(`runs \`mitene ${command}\` with the pulumi engine, --json, and the inputs as env vars`, () => {
                const step = job.steps.find((s) => s.id === "upgrade")!;
                assert.match(step.run!, new RegExp(`npx --no-install mitene ${command} --env "\\$ENV_NAME" --to "\\$VERSION" --engine pulumi --json`));
                assert.equal(job.env?.ENV_NAME, "${{ inputs.env }}");
                assert.equal(job.env?.VERSION, "${{ inputs.version }}");
                assert.equal(job.env?.RECOVER, "${{ inputs.recover }}");
                assert.match(step.run!, /--recover/);
                if (command === "upgrade") {
                    assert.equal(job.env?.REGIONS, "${{ inputs.regions }}");
                    assert.match(step.run!, /extra\+=\(--region "\$region"\)/);
                    assert.match(step.run!, /--steps "\$STEPS"/);
                    assert.match(step.run!, /--bake "\$BAKE"/);
                }
                assert.match(step.run!, /echo "exit-code=\$code" >> "\$GITHUB_OUTPUT"/);
            });

            it("checks out, installs, assumes the upgrade role and installs the CLI before the driver runs", () => {
                const at = (p: (s: Step) => boolean) => indexOf(job, p);
                const driver = at((s) => s.id === "upgrade");
                const aws = stepUsing(job, "aws-actions/configure-aws-credentials");
                assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_UPGRADE_ROLE_ARN }}");
                assert.ok(Number(aws.with?.["role-duration-seconds"]) >= 6 * 3600, "credentials outlive a long upgrade");
                for (const before of [
                    at((s) => s.uses?.startsWith("actions/checkout@") ?? false),
                    at((s) => /npm ci/.test(s.run ?? "")),
                    job.steps.indexOf(aws),
                    at((s) => (s.uses?.startsWith("pulumi/actions@") ?? false) && s.with?.command === undefined),
                    at((s) => /gh pr list/.test(s.run ?? "")),
                    at((s) => /fail "version must/.test(s.run ?? "")),
                ]) {
                    assert.ok(before >= 0 && before < driver, `step ${before} comes before the driver (${driver})`);
                }
            });

            it("refuses branches other than the default one", () => {
                const guard = job.steps[0];
                assert.equal(guard.if, "github.ref != format('refs/heads/{0}', github.event.repository.default_branch)");
                assert.match(guard.run!, /exit 1/);
            });

            it("always uploads the journal (.mitene/)", () => {
                const upload = stepsUsing(job, "actions/upload-artifact").find((s) => String(s.with?.path).trim() === ".mitene/");
                assert.ok(upload, "an upload of .mitene/");
                assert.equal(upload.if, "always()");
                assert.equal(upload.with?.["include-hidden-files"], true, ".mitene is a hidden directory");
            });

            it("opens a pull request with the changed stack files, unless the driver changed nothing (exit 2, 3, 4)", () => {
                const pr = stepUsing(job, "peter-evans/create-pull-request");
                assert.equal(pr.with?.branch, branch);
                assert.equal(pr.with?.["add-paths"], "stacks/");
                assert.match(String(pr.with?.title), /\$\{\{ inputs\.env \}\}.*\$\{\{ inputs\.version \}\}/);
                assert.equal(pr.with?.["body-path"], "${{ runner.temp }}/pr-body.md");
                assert.equal(pr.with?.["delete-branch"], undefined, "a no-change run must not close an earlier pull request");
                const report = job.steps.find((s) => s.id === "report")!;
                assert.match(report.run!, new RegExp(`upgrade-report\\.ts --kind ${command} `));
                assert.match(report.run!, /--out "\$RUNNER_TEMP\/pr-body\.md"/);
                const exits = (code: string) => evaluate(pr.if!.replace(/^always\(\) && /, "").replace(/!contains\(fromJSON\('\["2","3","4"\]'\), steps\.upgrade\.outputs\.exit-code\)/, "NOT_NOCHANGE"), {
                    "steps.upgrade.outputs.exit-code": code,
                    NOT_NOCHANGE: ["2", "3", "4"].includes(code) ? "" : "yes",
                });
                assert.match(pr.if!, /^always\(\) && /);
                assert.deepEqual(["0", "1", "137", "2", "3", "4", ""].map(exits), [true, true, true, false, false, false, false]);
            });
        });
    }

    it("ops-upgrade and upgrade share the env's concurrency group (one lease per env)", () => {
        assert.equal(upgrade.concurrency?.group, opsUpgrade.concurrency?.group);
    });

    it("the input checks accept what the driver accepts and reject what could break a branch name or a shell", () => {
        const check = upgrade.jobs.upgrade.steps.find((s) => /fail "version must/.test(s.run ?? ""))!.run!;
        const run = (env: Record<string, string>) => {
            try {
                execFileSync("bash", ["-e", "-c", check], { env: { PATH: process.env.PATH, VERSION: "1.35", REGIONS: "", STEPS: "", BAKE: "", ...env }, stdio: "pipe" });
                return true;
            } catch {
                return false;
            }
        };
        assert.equal(run({}), true);
        assert.equal(run({ REGIONS: "us-west-2, ap-northeast-1", STEPS: "5,25,50,100", BAKE: "10m" }), true);
        assert.equal(run({ VERSION: "1.35; rm -rf /" }), false);
        assert.equal(run({ VERSION: "v1.35" }), false);
        assert.equal(run({ REGIONS: "us-west-2;echo" }), false);
        assert.equal(run({ STEPS: "5,25,x" }), false);
        assert.equal(run({ BAKE: "10 minutes" }), false);
    });
});

describe(".github/scripts/affected-stacks", () => {
    const HEAD = ["mitene-prod-us-west-2-blue", "ops-prod", "ops-staging", "region-prod-us-west-2", "region-staging-ap-northeast-1"];
    const change = (p: string, status = "M"): Change => ({ status, path: p });

    it("a changed stack file affects that stack only, with its env", () => {
        const result = affectedStacks([change("stacks/Pulumi.region-prod-us-west-2.yaml"), change("README.md")], HEAD);
        assert.deepEqual(result.stacks, [{ stack: "region-prod-us-west-2", env: "prod" }]);
        assert.deepEqual(result.envs, ["prod"]);
        assert.equal(result.all, false);
    });

    it("components/, policy/, the stack programs, Pulumi.yaml and the dependencies affect every stack", () => {
        for (const file of ["components/weights.ts", "policy/rules.ts", "stacks/index.ts", "stacks/config/schema.ts", "Pulumi.yaml", "package-lock.json", "package.json"]) {
            const result = affectedStacks([change("stacks/Pulumi.ops-prod.yaml"), change(file)], HEAD);
            assert.deepEqual(result.stacks.map((s) => s.stack), [...HEAD].sort(), file);
            assert.equal(result.all, true, file);
            assert.match(result.reason, new RegExp(file.replace(/[.]/g, "\\.")));
            assert.deepEqual(result.envs, ["prod", "staging"]);
        }
    });

    it("docs, the driver and tests affect nothing", () => {
        const result = affectedStacks([change("README.md"), change("automation/cli.ts"), change("test/x.test.ts"), change("stacksfoo/Pulumi.ops-prod.yaml")], HEAD);
        assert.deepEqual(result.stacks, []);
        assert.match(githubOutputs(result), /^any=false$/m);
        assert.match(githubOutputs(result), /^matrix=\{"include":\[\]\}$/m);
    });

    it("a deleted stack file is reported, never previewed; an added one is previewed", () => {
        const result = affectedStacks([change("stacks/Pulumi.mitene-prod-us-west-2-green.yaml", "D"), change("stacks/Pulumi.mitene-prod-us-west-2-blue.yaml", "A")], HEAD);
        assert.deepEqual(result.stacks, [{ stack: "mitene-prod-us-west-2-blue", env: "prod" }]);
        assert.deepEqual(result.removed, ["mitene-prod-us-west-2-green"]);
        const everything = affectedStacks([change("stacks/Pulumi.mitene-prod-us-west-2-green.yaml", "D"), change("components/x.ts")], HEAD);
        assert.ok(!everything.stacks.some((s) => s.stack === "mitene-prod-us-west-2-green"));
        assert.match(summary(result), /removed.*mitene-prod-us-west-2-green/);
    });

    it("a stack whose name has no env is previewed but not rendered", () => {
        const result = affectedStacks([change("stacks/Pulumi.scratch.yaml")], [...HEAD, "scratch"]);
        assert.deepEqual(result.stacks, [{ stack: "scratch", env: "" }]);
        assert.deepEqual(result.envs, []);
    });

    it("parses `git diff --name-status -z` and refuses anything else", () => {
        assert.deepEqual(parseNameStatus("M\0stacks/Pulumi.ops-prod.yaml\0A\0odd name\twith tab.md\0"), [
            { status: "M", path: "stacks/Pulumi.ops-prod.yaml" },
            { status: "A", path: "odd name\twith tab.md" },
        ]);
        assert.deepEqual(parseNameStatus(""), []);
        assert.throws(() => parseNameStatus("M\tstacks/x\n"), /unexpected git diff/);
        assert.throws(() => parseNameStatus("R100\0a\0"), /unexpected git diff entry/);
    });

    it("stack files are stacks/Pulumi.<stack>.yaml, as Pulumi.yaml's stackConfigDir says", () => {
        assert.match(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"), /^stackConfigDir: stacks$/m);
        assert.equal(stackOfPath("stacks/Pulumi.ops-prod.yaml"), "ops-prod");
        assert.equal(stackOfPath("stacks/config/Pulumi.ops-prod.yaml"), undefined);
        assert.equal(stackOfPath("Pulumi.yaml"), undefined);
        assert.equal(reachesEveryStack("stacks/Pulumi.ops-prod.yaml"), false);
    });

    it("every path that reaches a stack triggers the preview workflow", () => {
        const globs = (preview.on.pull_request as { paths: string[] }).paths.map(globToRegExp);
        for (const file of ["stacks/Pulumi.ops-prod.yaml", "stacks/programs.ts", "components/a/b.ts", "policy/index.ts", "Pulumi.yaml", "package.json", "package-lock.json"]) {
            assert.ok(reachesEveryStack(file) || stackOfPath(file) !== undefined, `${file} reaches a stack`);
            assert.ok(globs.some((g) => g.test(file)), `${file} triggers preview.yml`);
        }
    });

    it("outputs are one line each, and the matrix is the stacks as JSON", () => {
        const result = affectedStacks([change("components/x.ts")], listStacks());
        const lines = githubOutputs(result).trimEnd().split("\n");
        assert.deepEqual(lines.map((l) => l.split("=")[0]), ["matrix", "envs", "any", "removed"]);
        const matrix = JSON.parse(lines[0].slice("matrix=".length)) as { include: { stack: string; env: string }[] };
        assert.deepEqual(matrix.include.map((s) => s.stack), listStacks());
        for (const { stack, env } of matrix.include) assert.equal(env, parseStackName(stack)?.env);
    });

    it("runs as a command against git: reads the diff, writes the outputs and the summary", () => {
        const repo = mkdtempSync(path.join(tmpdir(), "affected-"));
        try {
            const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });
            git("init", "-q");
            writeFileSync(path.join(repo, "README.md"), "a\n");
            git("add", ".");
            git("commit", "-q", "-m", "base");
            mkdirSync(path.join(repo, "stacks"));
            writeFileSync(path.join(repo, "stacks/Pulumi.ops-prod.yaml"), "config: {}\n");
            writeFileSync(path.join(repo, "README.md"), "b\n");
            git("add", ".");
            git("commit", "-q", "-m", "head");
            const outputs = path.join(repo, "outputs");
            const stepSummary = path.join(repo, "summary.md");
            execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, ".github/scripts/affected-stacks.ts"), "--base", "HEAD^1"], {
                cwd: repo,
                env: { ...process.env, GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: stepSummary },
                stdio: "pipe",
            });
            // The stack list is the project's own (stacks/ beside the script); the diff is the repository's.
            assert.equal(readFileSync(outputs, "utf8"), 'matrix={"include":[{"stack":"ops-prod","env":"prod"}]}\nenvs=["prod"]\nany=true\nremoved=[]\n');
            assert.match(readFileSync(stepSummary, "utf8"), /changed stack files\n\n- `ops-prod`/);
            assert.throws(() => execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, ".github/scripts/affected-stacks.ts")], { cwd: repo, stdio: "pipe" }), /usage/);
        } finally {
            rmSync(repo, { recursive: true, force: true });
        }
    });
});

describe(".github/scripts/upgrade-report", () => {
    const result = {
        env: "prod",
        to: "1.35",
        result: "rolled_back",
        regions: [
            { region: "ap-northeast-1", from: "blue", to: "green", result: "completed", reason: null, steps: [{ weight: 5, gate: "pass" }, { weight: 100, gate: "pass" }] },
            { region: "us-west-2", from: "blue", to: "green", result: "rolled_back", reason: "error rate 8% | above 1%", steps: [{ weight: 25, gate: "fail" }] },
        ],
        durationMinutes: 71,
        timeline: [{ atMinutes: 0, region: null, event: "upgrade prod to Kubernetes 1.35" }],
    };
    const context = { kind: "upgrade" as const, env: "prod", to: "1.35", exitCode: 1, runUrl: "https://github.com/mitene/platform/actions/runs/1" };

    it("summarises the result: title word, exit code, one row per region with its gates, the timeline, the JSON", () => {
        const body = report(JSON.stringify(result), context);
        assert.match(body, /^## Blue\/green upgrade of `prod` to Kubernetes 1\.35: \*\*rolled_back\*\*/);
        assert.match(body, /exit code 1 \(ran and did not succeed/);
        assert.match(body, /\| ap-northeast-1 \| blue → green \| completed \| 5% pass, 100% pass \|/);
        assert.match(body, /\| us-west-2 \| blue → green \| rolled_back \| 25% fail \| error rate 8% \\\| above 1% \|/);
        assert.match(body, /The run did not complete/);
        assert.match(body, /<summary>Timeline<\/summary>/);
        assert.match(body, /```json\n\{\n {2}"env": "prod"/);
        assert.match(body, /\[workflow run\]\(https:\/\/github\.com\/mitene\/platform\/actions\/runs\/1\)/);
        assert.equal(resultWord(parseResult(JSON.stringify(result))), "rolled_back");
    });

    it("reports the Ops upgrade's stages", () => {
        const body = report(JSON.stringify({ result: "completed", stages: [{ stage: "control plane", result: "done", detail: "1.34 -> 1.35" }] }), { ...context, kind: "ops-upgrade", exitCode: 0 });
        assert.match(body, /^## In-place upgrade of the Ops cluster of `prod`/);
        assert.match(body, /\| control plane \| done \| 1\.34 -&gt; 1\.35 \|/);
        assert.match(body, /merge it so the repository says what runs/);
    });

    it("no JSON on stdout (bad input, a crash) is said plainly", () => {
        for (const output of ["", "not json", "[1,2]"]) {
            const body = report(output, { ...context, exitCode: 2 });
            assert.match(body, /\*\*no-result\*\*/);
            assert.match(body, /printed no JSON result/);
            assert.match(body, /Nothing was changed/);
        }
        assert.equal(resultWord(parseResult('{"result":"x; rm -rf"}')), "no-result", "only a plain word reaches titles and outputs");
    });

    it("every exit code of the contract is explained; 2, 3 and 4 changed nothing", () => {
        assert.deepEqual(Object.keys(EXIT_CODES).map(Number), [0, 1, 2, 3, 4]);
        for (const code of [2, 3, 4]) assert.match(closingNote("no-result", code), /Nothing was changed/);
        assert.match(closingNote("completed", 0), /merge it/);
    });

    it("stays under GitHub's size limit, and never breaks out of its tables or code fences", () => {
        const long = { ...result, timeline: Array.from({ length: 5000 }, (_, i) => ({ atMinutes: i, region: "us-west-2", event: "x".repeat(40) })) };
        assert.ok(report(JSON.stringify(long), context).length <= MAX_BODY + 100);
        assert.equal(cell("a|b\nc<d>"), "a\\|b c&lt;d&gt;");
        assert.equal(fenced("a ``` b", "json"), "````json\na ``` b\n````");
    });
});
