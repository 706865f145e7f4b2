import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CATALOG_FILES } from "../../automation/plan/write";
import { all, bashOutputs, bashSucceeds, dispatchInputs, evaluate, interpolate, step, stepUsing, stepsUsing, triggers } from "./helpers";

const plan = all["plan.yml"];
const planJob = plan.jobs.plan;
const prJob = plan.jobs["pull-request"];
const named = (job: typeof planJob, name: string) => step(job, (s) => s.name === name);

describe("workflows: plan (the next version as a pull request)", () => {
    it("runs weekly and on dispatch, for staging unless told otherwise, to the version the ledger chooses unless told", () => {
        assert.deepEqual(triggers(plan), ["schedule", "workflow_dispatch"]);
        assert.match(String((plan.on.schedule as Array<{ cron: string }>)[0].cron), /^\d+ \d+ \* \* [0-6]$/);
        const inputs = dispatchInputs(plan);
        assert.deepEqual(inputs.env.options, ["staging", "prod"]);
        assert.equal(inputs.env.default, "staging");
        assert.equal(inputs.version.default, "");
        // A scheduled run has no inputs: every use of the env falls back to staging.
        for (const [inputs, env] of [[{ "inputs.env": "" }, "staging"], [{ "inputs.env": "prod" }, "prod"]] as const) {
            assert.equal(interpolate(planJob.environment, inputs), `${env}-preview`);
            assert.equal(interpolate(planJob.env!.ENV_NAME, inputs), env);
        }
    });

    it("a dispatch runs on the default branch only; a scheduled run, whose event names no repository, always does", () => {
        const refuses = (context: Record<string, string>) => evaluate(named(planJob, "Dispatched on the default branch").if!, context);
        const dispatch = { "github.event_name": "workflow_dispatch", "github.event.repository.default_branch": "main" };
        assert.equal(refuses({ ...dispatch, "github.ref": "refs/heads/main" }), false);
        assert.equal(refuses({ ...dispatch, "github.ref": "refs/heads/topic" }), true);
        assert.equal(refuses({ "github.event_name": "schedule", "github.ref": "refs/heads/main", "github.event.repository.default_branch": "" }), false);
    });

    it("plans with the env's read-only preview role, end to end, and holds no token that writes to the repository", () => {
        assert.deepEqual(planJob.permissions, { contents: "read", "id-token": "write" });
        assert.equal(planJob.env!.MITENE_ACCESS, "preview");
        assert.equal(stepUsing(planJob, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.equal(stepsUsing(planJob, "peter-evans/create-pull-request").length, 0);
        for (const token of stepsUsing(planJob, "actions/create-github-app-token")) {
            assert.deepEqual(Object.keys(token.with!).filter((k) => k.startsWith("permission-")), ["permission-contents"]);
            assert.equal(token.with!["permission-contents"], "read");
        }
        assert.match(named(planJob, "Install").run!, /--ignore-scripts/);
    });

    it("refuses inputs and variables a shell or a path could misread", () => {
        const script = named(planJob, "Check the inputs").run!;
        const dir = mkdtempSync(path.join(tmpdir(), "plan-inputs-"));
        const ok = (vars: Record<string, string>) => bashSucceeds(script, { ENV_NAME: "staging", VERSION: "", GITOPS_REPOSITORY: "", GITOPS_PATH: ".", GITHUB_OUTPUT: path.join(dir, "out"), ...vars });
        try {
            assert.ok(ok({}));
            assert.ok(ok({ ENV_NAME: "prod", VERSION: "1.35", GITOPS_REPOSITORY: "photos/gitops", GITOPS_PATH: "apps/prod" }));
            for (const bad of <Array<Record<string, string>>>[{ ENV_NAME: "dev" }, { VERSION: "1.35; true" }, { VERSION: "v1.35" }, { GITOPS_REPOSITORY: "photos" }, { GITOPS_REPOSITORY: "a/b/c" }, { GITOPS_PATH: "../elsewhere" }, { GITOPS_PATH: "apps/../../x" }, { GITOPS_PATH: "a b" }]) {
                assert.ok(!ok(bad), JSON.stringify(bad));
            }
            assert.deepEqual(bashOutputs(script, { ENV_NAME: "staging", VERSION: "", GITOPS_REPOSITORY: "photos/gitops", GITOPS_PATH: "." }, path.join(dir, "outputs")), { "gitops-owner": "photos", "gitops-name": "gitops" });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("the plan step, over a fake `mitene plan`", () => {
        let repo: string;
        let temp: string;
        let bin: string;
        const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
        beforeEach(() => {
            const root = mkdtempSync(path.join(tmpdir(), "plan-step-"));
            repo = path.join(root, "repo");
            temp = path.join(root, "temp");
            bin = path.join(root, "bin");
            for (const dir of [repo, temp, bin, path.join(repo, "components/upstream"), path.join(repo, "stacks")]) mkdirSync(dir, { recursive: true });
            for (const file of [...Object.values(CATALOG_FILES), "stacks/Pulumi.ops-staging.yaml"]) writeFileSync(path.join(repo, file), "pinned: 1\n");
            git("init", "-q");
            git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "base");
            git("add", ".");
            git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "files");
            // `npx --no-install mitene plan ...`: edits a catalog file and, to be refused by the patch, a stack file;
            // prints the plan; exits FAKE_CODE. It records its arguments.
            writeFileSync(
                path.join(bin, "npx"),
                `#!/usr/bin/env bash\necho "$*" > "${root}/args"\necho "pinned: 2" > components/upstream/charts.ts\necho "changed" > stacks/Pulumi.ops-staging.yaml\necho '{"to":"1.36","written":{"bumps":[{"upstream":"x"}],"diff":""}}'\nexit "$FAKE_CODE"\n`,
            );
            chmodSync(path.join(bin, "npx"), 0o755);
        });
        afterEach(() => rmSync(path.dirname(repo), { recursive: true, force: true }));
        const run = (code: number, vars: Record<string, string> = {}) =>
            bashOutputs(`cd "${repo}"\n${named(planJob, "mitene plan --write").run!}`, { PATH: `${bin}:${process.env.PATH}`, FAKE_CODE: String(code), RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: path.join(temp, "summary"), ENV_NAME: "staging", VERSION: "", GITOPS_REPOSITORY: "", GITOPS_PATH: ".", ...vars }, path.join(temp, "outputs"));

        for (const code of [0, 1]) {
            it(`exit ${code}: names the version and the bumps, and patches the catalog files only`, () => {
                writeFileSync(path.join(temp, "ledger.md"), "### Readiness ledger\n");
                assert.deepEqual(run(code), { version: "1.36", bumps: "1" });
                const patch = readFileSync(path.join(temp, "bump.patch"), "utf8");
                assert.match(patch, /components\/upstream\/charts\.ts/);
                assert.doesNotMatch(patch, /stacks\//);
                assert.match(readFileSync(path.join(temp, "summary"), "utf8"), /Readiness ledger/);
            });
        }

        it("exits 2, 3 and 4 fail the job", () => {
            for (const code of [2, 3, 4]) assert.throws(() => run(code), Error, String(code));
        });

        it("passes the version, and the GitOps manifests when a repository is set, as arguments", () => {
            writeFileSync(path.join(temp, "ledger.md"), "");
            run(0, { VERSION: "1.35", GITOPS_REPOSITORY: "photos/gitops", GITOPS_PATH: "apps" });
            const args = readFileSync(path.join(path.dirname(repo), "args"), "utf8").trim();
            assert.equal(args, `--no-install mitene plan --env staging --engine pulumi --json --write --markdown ${temp}/ledger.md --to 1.35 --manifests .gitops/apps`);
        });
    });

    it("opens a pull request only when the plan moved a pin", () => {
        const when = (bumps: string) => evaluate(prJob.if!, { "needs.plan.outputs.bumps": bumps });
        assert.deepEqual(["", "0", "1", "3"].map(when), [false, false, true, true]);
    });

    it("the pull request job holds no AWS credentials, applies only a patch of the catalog files, and commits only those", () => {
        assert.deepEqual(prJob.permissions, { contents: "write", "pull-requests": "write" });
        assert.equal(stepsUsing(prJob, "aws-actions/configure-aws-credentials").length, 0);
        const pr = stepUsing(prJob, "peter-evans/create-pull-request");
        assert.deepEqual(String(pr.with!["add-paths"]).trim().split("\n").sort(), Object.values(CATALOG_FILES).sort());
        assert.equal(pr.with!["body-path"], "${{ runner.temp }}/plan/ledger.md");
        assert.match(String(pr.with!.branch), /^plan\//);
        assert.equal(pr.with!.token, "${{ steps.app-token.outputs.token || github.token }}");
    });

    describe("applying the patch", () => {
        let repo: string;
        const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
        const patchOf = (file: string) => {
            writeFileSync(path.join(repo, file), "pinned: 2\n");
            const patch = git("diff", "--binary");
            git("checkout", "--", ".");
            writeFileSync(path.join(repo, "..", "plan", "bump.patch"), patch);
        };
        beforeEach(() => {
            repo = path.join(mkdtempSync(path.join(tmpdir(), "plan-apply-")), "repo");
            for (const dir of [path.join(repo, "components/upstream"), path.join(repo, "stacks"), path.join(repo, "..", "plan")]) mkdirSync(dir, { recursive: true });
            for (const file of [...Object.values(CATALOG_FILES), "stacks/Pulumi.ops-prod.yaml"]) writeFileSync(path.join(repo, file), "pinned: 1\n");
            git("init", "-q");
            git("add", ".");
            git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "files");
        });
        afterEach(() => rmSync(path.dirname(repo), { recursive: true, force: true }));
        const apply = () => bashSucceeds(`cd "${repo}"\n${named(prJob, "Apply the bump (the catalog files only)").run!}`, { RUNNER_TEMP: path.dirname(repo) });

        it("applies a bump of the catalog files", () => {
            patchOf(CATALOG_FILES.catalog);
            assert.ok(apply());
            assert.equal(readFileSync(path.join(repo, CATALOG_FILES.catalog), "utf8"), "pinned: 2\n");
        });

        it("refuses, and leaves untouched, a patch that reaches any other file", () => {
            patchOf("stacks/Pulumi.ops-prod.yaml");
            assert.ok(!apply());
            assert.equal(readFileSync(path.join(repo, "stacks/Pulumi.ops-prod.yaml"), "utf8"), "pinned: 1\n");
        });
    });
});
