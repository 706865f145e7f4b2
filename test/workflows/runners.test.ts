/**
 * The workflows against the runners the ops stack creates (components/ciRunner.ts CI_RUNNERS): every job on a
 * CodeBuild runner belongs to a workflow that runner's webhook accepts, and the runner's build timeout is at
 * least the job's timeout-minutes (a build cut short by CodeBuild kills the job mid-update). And deploy.yml,
 * the path of an ordinary merged change: previewed plans, applied as previewed.
 */
import { strict as assert } from "node:assert";
import { CI_RUNNERS, RunnerKind, runnerWebhookFilters } from "../../components/ciRunner";
import { Workflow, all, deploy, deployEnv, everyJob, evaluate, files, runs, stepUsing } from "./helpers";

const CODEBUILD = /^codebuild-mitene-\$\{\{ (?:inputs|matrix)\.env \}\}-(deploy|preview)-runner-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/;

/** The runner kind a runs-on names (the CodeBuild label inside an expression counts too). */
function runnerOf(runsOn: unknown): RunnerKind | undefined {
    const text = String(runsOn);
    if (CODEBUILD.test(text)) return text.match(CODEBUILD)![1] as RunnerKind;
    const inExpression = text.match(/codebuild-mitene-\{0\}-(deploy|preview)-runner-/);
    return inExpression ? (inExpression[1] as RunnerKind) : undefined;
}

/** The names a job's workflow_job events carry: its workflow's, or for a reusable workflow, every caller's. */
function workflowNames(file: string): string[] {
    const workflow: Workflow = all[file];
    if (!("workflow_call" in workflow.on)) return [workflow.name];
    const callers = everyJob().filter(({ job }) => job.uses === `./.github/workflows/${file}`).map(({ file: caller }) => caller);
    return [...new Set(callers.flatMap(workflowNames))];
}

describe("workflows on the CodeBuild runners", () => {
    const onRunners = everyJob().flatMap(({ file, id, job }) => {
        const kind = runnerOf(job["runs-on"]);
        return kind ? [{ file, id, job, kind }] : [];
    });

    it("finds the jobs that run on each runner", () => {
        assert.deepEqual(onRunners.map(({ file, id, kind }) => `${kind}: ${file} ${id}`).sort(), [
            "deploy: deploy-env.yml apply", "deploy: deploy-env.yml plan", "deploy: run-driver.yml run", "preview: preview.yml preview",
        ]);
    });

    for (const kind of Object.keys(CI_RUNNERS) as RunnerKind[]) {
        it(`the ${kind} runner's build timeout (${CI_RUNNERS[kind].buildTimeoutMinutes} min) covers every job it runs`, () => {
            for (const { file, id, job } of onRunners.filter((r) => r.kind === kind)) {
                assert.ok(Number(job["timeout-minutes"]) > 0, `${file} ${id} has a timeout`);
                assert.ok(CI_RUNNERS[kind].buildTimeoutMinutes >= Number(job["timeout-minutes"]), `${file} ${id}: ${job["timeout-minutes"]} min`);
            }
        });

        it(`the ${kind} runner's webhook accepts exactly the workflows whose jobs run on it`, () => {
            const expected = [...new Set(onRunners.filter((r) => r.kind === kind).flatMap(({ file }) => workflowNames(file)))].sort();
            assert.deepEqual([...CI_RUNNERS[kind].workflowNames].sort(), expected);
            const pattern = new RegExp(runnerWebhookFilters(CI_RUNNERS[kind].workflowNames)[1].pattern);
            for (const name of files.map((f) => all[f].name)) assert.equal(pattern.test(name), expected.includes(name), name);
        });
    }

    it("the two runners share no workflow", () => {
        assert.deepEqual(CI_RUNNERS.deploy.workflowNames.filter((n) => CI_RUNNERS.preview.workflowNames.includes(n)), []);
    });
});

describe("workflows: deploy (an ordinary merged change)", () => {
    const { plan, apply } = deployEnv.jobs;

    it("counts affected stacks from the last successful push-triggered deploy, with the shared script", () => {
        const script = runs(deploy.jobs.affected);
        assert.match(script, /gh run list .*--workflow deploy\.yml .*--event push --status success/);
        assert.match(script, /affected-stacks\.ts --base "\$BASE"/);
        assert.equal(stepUsing(deploy.jobs.affected, "actions/checkout").with?.["fetch-depth"], 0, "the base commit must be there");
    });

    it("applies staging first, prod only after staging applied or had nothing to apply", () => {
        assert.deepEqual(deploy.jobs.prod.needs, ["affected", "staging"]);
        const prodRuns = (staging: string, byEnv = '{"prod":["ops-prod"]}', event = "push") =>
            evaluate(deploy.jobs.prod.if!.replace(/always\(\) && /, "").replace(/fromJSON\(needs\.affected\.outputs\.by-env\)\.prod != null/, "HAS_PROD"), {
                "needs.affected.result": "success", "needs.staging.result": staging, "github.event_name": event, "inputs.env": "", HAS_PROD: JSON.parse(byEnv).prod ? "yes" : "",
            });
        assert.deepEqual(["success", "skipped", "failure", "cancelled"].map((r) => prodRuns(r)), [true, true, false, false]);
        assert.equal(prodRuns("success", '{"staging":["ops-staging"]}'), false);
        for (const env of ["staging", "prod"]) assert.equal(deploy.jobs[env].with?.stacks, `\${{ toJSON(fromJSON(needs.affected.outputs.by-env).${env}) }}`);
    });

    it("plans as the deploy role behind `<env>`, applies behind `<env>-approval`, on the deploy runner", () => {
        assert.equal(plan.environment, "${{ inputs.env }}");
        assert.equal(apply.environment, "${{ inputs.env }}-approval");
        assert.deepEqual(apply.needs, "plan");
        for (const job of [plan, apply]) {
            assert.equal(job.env?.MITENE_ACCESS, "deploy");
            assert.equal(stepUsing(job, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
            assert.ok(runs(job).includes("npm ci --ignore-scripts"), "no install scripts next to deploy credentials");
            assert.deepEqual(job.concurrency, { group: "upgrade-${{ inputs.env }}", "cancel-in-progress": false });
        }
    });

    it("applies exactly the previewed plans of the same commit", () => {
        assert.match(runs(plan), /pulumi preview --stack "\$stack" --diff --policy-pack policy --save-plan "plans\/\$stack\.json"/);
        assert.match(runs(plan), /git rev-parse HEAD > plans\/commit/);
        assert.match(runs(apply), /pulumi up --stack "\$stack" --plan "plans\/\$stack\.json"/);
        assert.match(runs(apply), /no reviewed plan for/);
        assert.match(runs(apply), /\[ "\$\(cat plans\/commit\)" = "\$\(git rev-parse HEAD\)" \]/);
        assert.equal(stepUsing(apply, "actions/download-artifact").with?.name, stepUsing(plan, "actions/upload-artifact").with?.name);
        assert.match(runs(plan), /set -o pipefail/, "a failed preview piped to the summary still fails the job");
    });

    it("refuses to plan while an upgrade pull request of the env is open", () => {
        assert.match(runs(plan), /startswith\(\\"upgrade\/\$ENV_NAME-\\"\) or startswith\(\\"ops-upgrade\/\$ENV_NAME-\\"\)/);
    });
});
