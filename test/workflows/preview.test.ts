/**
 * The preview workflows: preview.yml (which stacks a pull request reaches; the credentialed `pulumi preview` of a
 * branch of this repository; the credential-free render, diff and policy of a fork) and preview-comment.yml (the
 * fork path's sticky comment, posted without ever running the fork's code).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ROOT, comment, evaluate, globToRegExp, indexOf, preview, runs, stepUsing, stepsUsing } from "./helpers";

describe("workflows: preview triggers", () => {
    it("preview runs for stacks/, components/, policy/, Pulumi.yaml and package*.json, not for docs, the driver or tests", () => {
        const paths = (preview.on.pull_request as { paths: string[] }).paths;
        for (const file of ["stacks/Pulumi.ops-prod.yaml", "stacks/index.ts", "components/naming.ts", "policy/rules.ts", "Pulumi.yaml", "package.json", "package-lock.json"]) {
            assert.ok(paths.some((glob) => globToRegExp(glob).test(file)), `${file} triggers a preview`);
        }
        for (const file of ["README.md", "automation/cli.ts", "test/driver/upgrade.test.ts"]) {
            assert.ok(!paths.some((glob) => globToRegExp(glob).test(file)), `${file} does not trigger a preview`);
        }
    });

    it("preview-comment runs on workflow_run of the Preview workflow, completed", () => {
        const on = comment.on.workflow_run as { workflows: string[]; types: string[] };
        assert.deepEqual(on.workflows, [preview.name]);
        assert.deepEqual(on.types, ["completed"]);
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

    it("with credentials: assumes the env's preview role through OIDC in `<env>-preview`, read only end to end, then the official pulumi/actions preview per stack", () => {
        const aws = stepUsing(withCredentials, "aws-actions/configure-aws-credentials");
        assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.equal(withCredentials.environment, "${{ matrix.env }}-preview");
        assert.equal(withCredentials.env?.MITENE_ACCESS, "preview");
        assert.equal(stepsUsing(withCredentials, "actions/setup-node").length, 1);
        assert.ok(runs(withCredentials).includes("npm ci --ignore-scripts"), "no install scripts next to credentials");
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
