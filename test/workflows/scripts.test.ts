/**
 * The workflows' scripts (.github/scripts): which stacks a pull request reaches, the Markdown report of a driver
 * run, and where a rollback or a discard takes its stack files from.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Change, affectedStacks, githubOutputs, parseNameStatus, reachesEveryStack, stackOfPath, stacksByEnv, summary } from "../../.github/scripts/affected-stacks";
import { EXIT_CODES, MAX_BODY, MAX_DETAILS, cell, closingNote, fenced, parseResult, report, resultWord, title } from "../../.github/scripts/upgrade-report";
import { parseStackName } from "../../components/naming";
import { listStacks } from "../../stacks/stackFiles";
import { ROOT, globToRegExp, preview } from "./helpers";

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

    it("a stack whose name has no env is listed, but neither previewed, rendered nor deployed: it has no account", () => {
        const result = affectedStacks([change("stacks/Pulumi.scratch.yaml")], [...HEAD, "scratch"]);
        assert.deepEqual(result.stacks, [{ stack: "scratch", env: "" }]);
        assert.deepEqual(result.envs, []);
        assert.match(githubOutputs(result), /^matrix=\{"include":\[\]\}$/m);
        assert.match(githubOutputs(result), /^any=false$/m);
        assert.match(summary(result), /scratch.*no account/);
    });

    it("orders each env's stacks as they are first deployed: ops, regions, clusters", () => {
        const result = affectedStacks([change("components/x.ts")], listStacks());
        const byEnv = stacksByEnv(result);
        assert.deepEqual(Object.keys(byEnv), ["prod", "staging"]);
        assert.deepEqual(byEnv.prod, ["ops-prod", "region-prod-ap-northeast-1", "region-prod-us-west-2", "mitene-prod-ap-northeast-1-blue", "mitene-prod-us-west-2-blue"]);
        assert.deepEqual(stacksByEnv(affectedStacks([change("stacks/Pulumi.region-prod-us-west-2.yaml")], listStacks())), { prod: ["region-prod-us-west-2"] });
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
        assert.deepEqual(lines.map((l) => l.split("=")[0]), ["matrix", "envs", "any", "removed", "by-env"]);
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
            assert.equal(readFileSync(outputs, "utf8"), 'matrix={"include":[{"stack":"ops-prod","env":"prod"}]}\nenvs=["prod"]\nany=true\nremoved=[]\nby-env={"prod":["ops-prod"]}\n');
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

    it("an error document (the driver stopped before a result) titles the run `error` and says what stopped it", () => {
        const body = report(JSON.stringify({ error: 'unknown region "mars-1" for env prod', exitCode: 2 }), { ...context, exitCode: 2 });
        assert.match(body, /^## .*: \*\*error\*\*/);
        assert.match(body, /The driver stopped: unknown region "mars-1" for env prod/);
        assert.doesNotMatch(body, /printed no JSON result/);
    });

    it("every exit code of the contract is explained; 2, 3 and 4 changed nothing", () => {
        assert.deepEqual(Object.keys(EXIT_CODES).map(Number), [0, 1, 2, 3, 4, 130, 143]);
        for (const code of [2, 3, 4]) assert.match(closingNote("no-result", code), /Nothing was changed/);
        assert.match(closingNote("completed", 0), /merge it/);
    });

    it("stays under GitHub's size limit, and never breaks out of its tables or code fences", () => {
        const long = { ...result, timeline: Array.from({ length: 5000 }, (_, i) => ({ atMinutes: i, region: "us-west-2", event: "x".repeat(40) })) };
        assert.ok(report(JSON.stringify(long), context).length <= MAX_BODY + 100);
        assert.equal(cell("a|b\nc<d>"), "a\\|b c&lt;d&gt;");
        assert.equal(fenced("a ``` b", "json"), "````json\na ``` b\n````");
    });

    it("names each command in its title; rollback and discard have no target version", () => {
        assert.equal(title({ ...context, kind: "rollback", to: undefined }), "Rollback in `prod`");
        assert.equal(title({ ...context, kind: "discard", to: undefined }), "Discard of a kept cluster in `prod`");
        assert.equal(title({ ...context, kind: "ops-upgrade" }), "In-place upgrade of the Ops cluster of `prod` to Kubernetes 1.35");
        assert.equal(title({ ...context, kind: "halt", to: undefined }), "Stop the line in `prod`");
        assert.equal(title({ ...context, kind: "resume", to: undefined }), "Resume the line in `prod`");
    });

    it("halt and resume say what the switch now says, and that no stack file changed", () => {
        const halted = report(JSON.stringify({ result: "halted", halt: { by: "alice", at: "2026-12-04T10:00:00Z", reason: "why" } }), { ...context, kind: "halt", to: undefined, exitCode: 0 });
        assert.match(halted, /^## Stop the line in `prod`: \*\*halted\*\*/);
        assert.match(halted, /The line is stopped\..*resume/);
        assert.match(report(JSON.stringify({ result: "resumed" }), { ...context, kind: "resume", to: undefined, exitCode: 0 }), /running again/);
        assert.match(report("", { ...context, kind: "halt", to: undefined, exitCode: 2 }), /switch was not changed/);
    });

    it("a paused run says it waits for approval; a completed rollback asks for the merge", () => {
        assert.match(closingNote("paused", 0), /Paused for approval.*-approval/s);
        assert.match(closingNote("rolled_back", 0), /merge it/);
        assert.match(closingNote("rolled_back", 1), /did not complete/);
    });

    it("puts the run's own report (mitene report) in place of the timeline table, unless it is too long", () => {
        const details = "## Run report\n\n```mermaid\ngantt\n```";
        const body = report(JSON.stringify(result), { ...context, details });
        assert.ok(body.includes(details));
        assert.ok(!body.includes("<summary>Timeline</summary>"), "the report's chart replaces the table");
        assert.ok(body.indexOf(details) < body.indexOf("JSON result"));
        const long = "x".repeat(MAX_DETAILS + 1);
        const cut = report(JSON.stringify(result), { ...context, details: long });
        assert.ok(!cut.includes(long));
        assert.match(cut, /too long for this description: it is in the job summary/);
    });

    it("runs as a command: the report to --out, the word to $GITHUB_OUTPUT, the summary with the whole run report", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "report-"));
        try {
            const file = (name: string) => path.join(dir, name);
            writeFileSync(file("result.json"), JSON.stringify({ ...result, result: "paused" }));
            writeFileSync(file("report.md"), "y".repeat(MAX_DETAILS + 10));
            const script = path.join(ROOT, ".github/scripts/upgrade-report.ts");
            const args = ["--kind", "upgrade", "--env", "prod", "--to", "1.35", "--result", file("result.json"), "--exit-code", "0", "--details", file("report.md"), "--out", file("body.md")];
            execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), script, ...args], { env: { ...process.env, GITHUB_OUTPUT: file("out"), GITHUB_STEP_SUMMARY: file("summary") }, stdio: "pipe" });
            assert.equal(readFileSync(file("out"), "utf8"), "result=paused\n");
            assert.match(readFileSync(file("body.md"), "utf8"), /^## Blue\/green upgrade of `prod` to Kubernetes 1\.35: \*\*paused\*\*/);
            assert.ok(readFileSync(file("summary"), "utf8").includes("y".repeat(MAX_DETAILS + 10)), "the summary has room for the long report");
            const rollback = ["--kind", "rollback", "--env", "prod", "--to", "", "--result", file("missing.json"), "--exit-code", "3", "--details", file("missing.md"), "--out", file("rollback.md")];
            execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), script, ...rollback], { env: { ...process.env, GITHUB_OUTPUT: file("out2") }, stdio: "pipe" });
            assert.match(readFileSync(file("rollback.md"), "utf8"), /^## Rollback in `prod`: \*\*no-result\*\*/);
            assert.throws(() => execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), script, ...args.map((a) => (a === "upgrade" ? "destroy" : a))], { stdio: "pipe" }), /--kind must be one of/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe(".github/scripts/stack-files-branch.sh", () => {
    const SCRIPT = path.join(ROOT, ".github/scripts/stack-files-branch.sh");

    /** Runs the script against a fake `gh` that lists the given open pull requests. */
    function branch(env: string, fallback: string, pulls: { headRefName: string; updatedAt: string }[]): Record<string, string> | undefined {
        const dir = mkdtempSync(path.join(tmpdir(), "branch-"));
        try {
            mkdirSync(path.join(dir, "bin"));
            writeFileSync(path.join(dir, "pulls.json"), JSON.stringify(pulls));
            writeFileSync(path.join(dir, "bin/gh"), `#!/bin/sh\ncat "${path.join(dir, "pulls.json")}"\n`);
            chmodSync(path.join(dir, "bin/gh"), 0o755);
            const out = execFileSync(SCRIPT, [env, fallback], { env: { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, GITHUB_REPOSITORY: "mitene/platform" }, encoding: "utf8", stdio: "pipe" });
            return Object.fromEntries(out.trim().split("\n").filter((l) => /^[a-z-]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
        } catch {
            return undefined;
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }
    const pr = (headRefName: string, day: number) => ({ headRefName, updatedAt: `2026-11-${String(day).padStart(2, "0")}T00:00:00Z` });

    it("with no upgrade pull request of the env open: the default branch's files, a pull request of its own", () => {
        assert.deepEqual(branch("prod", "rollback/prod-42", [pr("upgrade/staging-1.35", 1), pr("feature/upgrade/prod-1.35", 2), pr("ops-upgrade/prod-1.35", 3)]), { "stacks-ref": "", "pr-branch": "rollback/prod-42" });
    });

    it("with one open: its branch's files, and its pull request; with several, the newest", () => {
        assert.deepEqual(branch("prod", "rollback/prod-42", [pr("upgrade/prod-1.35", 1)]), { "stacks-ref": "upgrade/prod-1.35", "pr-branch": "upgrade/prod-1.35" });
        assert.deepEqual(branch("prod", "discard/prod-us-west-2", [pr("upgrade/prod-1.35", 1), pr("upgrade/prod-1.36", 5), pr("upgrade/prod-1.34", 3)]), { "stacks-ref": "upgrade/prod-1.36", "pr-branch": "upgrade/prod-1.36" });
    });

    it("refuses an env or a fallback branch it was not made for", () => {
        assert.equal(branch("dev", "rollback/dev-1", []), undefined);
        assert.equal(branch("prod", "rollback/prod 1; id", []), undefined);
    });
});
