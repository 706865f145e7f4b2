/**
 * The workflows that change an env: upgrade.yml (with the human approval between two jobs), ops-upgrade.yml,
 * rollback.yml, discard.yml, and run-driver.yml, the one reusable job that runs the driver. Their input checks
 * and the driver step are executed with bash, not only read.
 */
import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Workflow, all, bashOutputs, bashSucceeds, callers, discard, dispatchInputs, evaluate, files, opsUpgrade, possibleValues, rollback, runDriver, step, stopTheLine, text, upgrade } from "./helpers";

const run = runDriver.jobs.run;
const checkStep = (w: Workflow) => step(w.jobs.check, (s) => s.id === "inputs");

/** Runs a check job's input step; its outputs (args as parsed JSON), or undefined when it refuses. */
function checkArgs(w: Workflow, env: Record<string, string>): Record<string, string[]> | undefined {
    const dir = mkdtempSync(path.join(tmpdir(), "check-"));
    try {
        const outputs = bashOutputs(checkStep(w).run!, env, path.join(dir, "out"));
        return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, JSON.parse(v) as string[]]));
    } catch {
        return undefined;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("workflows: the env's concurrency", () => {
    const group = (w: Workflow, env: string) => w.concurrency!.group.replace("${{ inputs.env }}", env);

    it("upgrade, ops-upgrade and discard share `upgrade-<env>` and never cancel a running one", () => {
        for (const w of [upgrade, opsUpgrade, discard]) assert.deepEqual(w.concurrency, { group: "upgrade-${{ inputs.env }}", "cancel-in-progress": false }, w.name);
    });

    it("stop-the-line holds no concurrency group either: a halt is never queued behind, cancelled or dropped by one", () => {
        assert.equal(stopTheLine.concurrency, undefined);
        for (const job of Object.values(stopTheLine.jobs)) assert.equal(job.concurrency, undefined);
    });

    it("rollback holds no concurrency group anywhere: a dispatch is never queued behind, cancelled or dropped by one", () => {
        // A group keeps one pending run and cancels the older pending one (GitHub docs, "Control the concurrency").
        assert.equal(rollback.concurrency, undefined);
        for (const job of Object.values(rollback.jobs)) assert.equal(job.concurrency, undefined);
        assert.equal(runDriver.concurrency, undefined, "nor the called workflow");
        for (const job of Object.values(runDriver.jobs)) assert.equal(job.concurrency, undefined);
        for (const env of ["staging", "prod"]) assert.equal(group(upgrade, env), `upgrade-${env}`);
    });

    it("a workflow's comments say another has its own group only where it has one", () => {
        const hasGroup = (w: Workflow) => w.concurrency !== undefined || Object.values(w.jobs).some((job) => job.concurrency !== undefined);
        for (const file of files) {
            // The comments as one text: a claim may wrap across lines.
            const comments = text(file)
                .split("\n")
                .filter((line) => /^\s*#/.test(line))
                .map((line) => line.replace(/^\s*#\s?/, ""))
                .join(" ");
            for (const [, named] of comments.matchAll(/([\w-]+\.ya?ml) has its own (?:concurrency )?group/g)) {
                assert.ok(all[named] && hasGroup(all[named]), `${file} says ${named} has its own group; it has none`);
            }
        }
    });

    it("rollback sets the listener rules directly first unless told otherwise", () => {
        assert.equal(dispatchInputs(rollback)["fast-rollback"].default, true);
    });
});

describe("workflows: the checks before a run", () => {
    for (const w of [upgrade, opsUpgrade, rollback, discard, stopTheLine]) {
        it(`${w.name}: default branch only, inputs only through env vars, on a GitHub-hosted runner`, () => {
            const check = w.jobs.check;
            assert.equal(check.steps[0].if, "github.ref != format('refs/heads/{0}', github.event.repository.default_branch)");
            assert.match(check.steps[0].run!, /exit 1/);
            for (const name of Object.keys(dispatchInputs(w))) {
                const variable = name.toUpperCase().replace(/-/g, "_");
                assert.equal(check.env?.[variable === "ENV" ? "ENV_NAME" : variable], `\${{ inputs.${name} }}`, `${w.name}: input ${name}`);
            }
            for (const id of Object.keys(w.jobs).filter((id) => id !== "check")) {
                assert.ok(([] as string[]).concat(w.jobs[id].needs ?? []).includes("check"), `${w.name} ${id} waits for the check`);
            }
        });
    }

    it("upgrade: every driver option is an input; booleans are booleans", () => {
        const inputs = dispatchInputs(upgrade);
        assert.deepEqual(Object.keys(inputs).sort(), ["bake", "break-lease", "env", "fast-rollback", "hold", "no-destroy", "recover", "regions", "retry", "skip-order-check", "steps", "stop-at", "version"]);
        assert.deepEqual(inputs.env.options, ["staging", "prod"]);
        for (const required of ["env", "version"]) assert.equal(inputs[required].required, true);
        for (const flag of ["no-destroy", "fast-rollback", "retry", "recover", "break-lease"]) assert.deepEqual([inputs[flag].type, inputs[flag].default], ["boolean", false], flag);
    });

    const base = { ENV_NAME: "prod", VERSION: "1.35", REGIONS: "", STEPS: "", BAKE: "", HOLD: "", STOP_AT: "", NO_DESTROY: "false", FAST_ROLLBACK: "false", RETRY: "false", RECOVER: "false", BREAK_LEASE: "false", SKIP_ORDER_CHECK: "" };

    it("upgrade: the inputs become arguments; the approval job repeats only those that continue the same upgrade", () => {
        assert.deepEqual(checkArgs(upgrade, base), { args: ["--to", "1.35"], "finish-args": ["--to", "1.35"] });
        const everything = { ...base, REGIONS: "us-west-2, ap-northeast-1", STEPS: "5,50,100", BAKE: "10m", HOLD: "1h", STOP_AT: "025", NO_DESTROY: "true", FAST_ROLLBACK: "true", RETRY: "true", RECOVER: "true", BREAK_LEASE: "true" };
        const common = ["--to", "1.35", "--region", "us-west-2", "--region", "ap-northeast-1", "--steps", "5,50,100", "--bake", "10m", "--hold", "1h", "--no-destroy", "--fast-rollback"];
        assert.deepEqual(checkArgs(upgrade, everything), { args: [...common, "--stop-at", "25", "--retry", "--recover", "--break-lease"], "finish-args": common });
    });

    it("upgrade: refuses what the driver would refuse or a shell could misread, before any runner starts", () => {
        for (const bad of [{ VERSION: "1.35; rm -rf /" }, { VERSION: "v1.35" }, { ENV_NAME: "dev" }, { REGIONS: "us-west-2;echo" }, { STEPS: "5,25,x" }, { BAKE: "10 minutes" }, { HOLD: "30" }, { STOP_AT: "0" }, { STOP_AT: "101" }, { STOP_AT: "1e1" }, { STOP_AT: "25 --retry" }]) {
            assert.equal(checkArgs(upgrade, { ...base, ...bad }), undefined, JSON.stringify(bad));
        }
        assert.deepEqual(checkArgs(upgrade, { ...base, STOP_AT: "100" })?.args, ["--to", "1.35", "--stop-at", "100"], "100 is a share too");
    });

    it("upgrade: an order override is a reason both jobs repeat (the approval's preflight checks the order again); a quote or a flag in it is refused", () => {
        const reason = "staging rebuilt: soaked on 1.35 before (INC-42)";
        assert.deepEqual(checkArgs(upgrade, { ...base, SKIP_ORDER_CHECK: reason }), { args: ["--to", "1.35", "--skip-order-check", reason], "finish-args": ["--to", "1.35", "--skip-order-check", reason] });
        for (const bad of ['ok" --break-lease', "x", "a\nb", "$(id)"]) assert.equal(checkArgs(upgrade, { ...base, SKIP_ORDER_CHECK: bad }), undefined, bad);
    });

    it("ops-upgrade: version, recover and break-lease", () => {
        assert.deepEqual(Object.keys(dispatchInputs(opsUpgrade)).sort(), ["break-lease", "env", "recover", "version"]);
        assert.deepEqual(checkArgs(opsUpgrade, { ENV_NAME: "staging", VERSION: "1.35", RECOVER: "true", BREAK_LEASE: "false" }), { args: ["--to", "1.35", "--recover"] });
        assert.equal(checkArgs(opsUpgrade, { ENV_NAME: "staging", VERSION: "1.35.0", RECOVER: "false", BREAK_LEASE: "false" }), undefined);
    });

    it("rollback: regions (comma list) or all, fast-rollback, recover", () => {
        assert.deepEqual(Object.keys(dispatchInputs(rollback)).sort(), ["env", "fast-rollback", "recover", "regions"]);
        const args = (REGIONS: string, FAST_ROLLBACK = "false") => checkArgs(rollback, { ENV_NAME: "prod", REGIONS, FAST_ROLLBACK, RECOVER: "false" })?.args;
        assert.deepEqual(args("all"), ["--all"]);
        assert.deepEqual(args("us-west-2, ap-northeast-1", "true"), ["--region", "us-west-2", "--region", "ap-northeast-1", "--fast-rollback"]);
        for (const bad of ["", "all,us-west-2", "us-west-2;id", "$(id)"]) assert.equal(args(bad), undefined, bad);
    });

    it("discard: one region", () => {
        assert.deepEqual(Object.keys(dispatchInputs(discard)).sort(), ["env", "region"]);
        assert.deepEqual(checkArgs(discard, { ENV_NAME: "prod", REGION: "us-west-2" }), { args: ["--region", "us-west-2", "--yes"] }, "the dispatch is the confirmation: discard asks otherwise, and CI has no terminal");
        assert.equal(checkArgs(discard, { ENV_NAME: "prod", REGION: "us-west-2,ap-northeast-1" }), undefined);
    });

    it("stop-the-line: halt with a one-line reason, resume without one", () => {
        assert.deepEqual(Object.keys(dispatchInputs(stopTheLine)).sort(), ["action", "env", "reason"]);
        const args = (ACTION: string, REASON: string) => checkArgs(stopTheLine, { ENV_NAME: "prod", ACTION, REASON })?.args;
        assert.deepEqual(args("halt", "payments errors in eu-west-1 (INC-42), 50% of checkouts"), ["--reason", "payments errors in eu-west-1 (INC-42), 50% of checkouts"]);
        assert.deepEqual(args("resume", ""), []);
        for (const [action, reason] of [["halt", ""], ["halt", 'say "hi"'], ["halt", "a\\b"], ["halt", "line\nline"], ["halt", "$(id)"], ["halt", "x".repeat(501)], ["resume", "why"], ["pause", "x"]]) {
            assert.equal(args(action, reason), undefined, `${action} ${reason}`);
        }
    });

    it("upgrade and ops-upgrade refuse to start while an upgrade pull request of the env is open", () => {
        for (const w of [upgrade, opsUpgrade]) {
            const script = step(w.jobs.check, (s) => /gh pr list/.test(s.run ?? "")).run!;
            assert.match(script, /startswith\(\\"upgrade\/\$ENV_NAME-\\"\) or startswith\(\\"ops-upgrade\/\$ENV_NAME-\\"\)/);
            assert.match(script, /exit 1/);
        }
    });

    it("rollback and discard start from an open upgrade pull request's stack files (.github/scripts/stack-files-branch.sh)", () => {
        for (const [w, fallback] of [[rollback, '"rollback/$ENV_NAME-$RUN_ID"'], [discard, '"discard/$ENV_NAME-$REGION"']] as const) {
            const branch = step(w.jobs.check, (s) => s.id === "branch");
            assert.equal(branch.run, `.github/scripts/stack-files-branch.sh "$ENV_NAME" ${fallback}`);
            const job = w.jobs[Object.keys(w.jobs).find((id) => id !== "check")!];
            assert.equal(job.with?.["stacks-ref"], "${{ needs.check.outputs.stacks-ref }}");
            assert.equal(job.with?.["pr-branch"], "${{ needs.check.outputs.pr-branch }}");
        }
    });
});

describe("workflows: the runs and the approval", () => {
    const called = (w: Workflow, id: string) => {
        const job = w.jobs[id];
        assert.equal(job.uses, "./.github/workflows/run-driver.yml");
        return job.with!;
    };

    it("upgrade: the first run stops at `stop-at` in the env's environment", () => {
        assert.deepEqual(called(upgrade, "upgrade"), {
            env: "${{ inputs.env }}",
            environment: "${{ inputs.env }}",
            command: "upgrade",
            args: "${{ needs.check.outputs.args }}",
            version: "${{ inputs.version }}",
            "pr-branch": "upgrade/${{ inputs.env }}-${{ inputs.version }}",
            "pr-title": "Upgrade ${{ inputs.env }} to Kubernetes ${{ inputs.version }}",
        });
    });

    it("upgrade: only a paused run goes on, behind `<env>-approval`, from the reviewed commit's stack files, to 100%", () => {
        const finish = upgrade.jobs["approve-and-finish"];
        assert.deepEqual(finish.needs, ["check", "upgrade"]);
        for (const [result, sha, goes] of [["paused", "0a1b2c", true], ["paused", "", false], ["completed", "0a1b2c", false], ["rolled_back", "0a1b2c", false], ["failed", "0a1b2c", false], ["no-result", "", false], ["", "", false]] as const) {
            assert.equal(evaluate(finish.if!, { "needs.upgrade.outputs.result": result, "needs.upgrade.outputs.stacks-sha": sha }), goes, `${result} ${sha}`);
        }
        const inputs = called(upgrade, "approve-and-finish");
        assert.equal(inputs.environment, "${{ inputs.env }}-approval");
        assert.equal(inputs.args, "${{ needs.check.outputs.finish-args }}");
        // The commit the first job pushed (what the reviewer reviewed), not the branch (what it holds at the click).
        assert.equal(inputs["stacks-ref"], "${{ needs.upgrade.outputs.stacks-sha }}");
        assert.equal(runDriver.jobs.run.outputs?.["stacks-sha"], "${{ steps.pr.outputs.pull-request-head-sha }}");
        assert.equal((runDriver.on.workflow_call as { outputs: Record<string, { value: string }> }).outputs["stacks-sha"].value, "${{ jobs.run.outputs.stacks-sha }}");
        assert.equal(step(run, (s) => s.id === "pr").uses?.split("@")[0], "peter-evans/create-pull-request");
        assert.equal(inputs["pr-branch"], called(upgrade, "upgrade")["pr-branch"], "and the same pull request");
    });

    it("ops-upgrade, rollback and discard: their command, environment and access", () => {
        const pick = (w: Workflow, id: string) => {
            const { command, environment, access } = called(w, id);
            return { command, environment, access };
        };
        assert.deepEqual(pick(opsUpgrade, "ops-upgrade"), { command: "ops-upgrade", environment: "${{ inputs.env }}", access: undefined });
        assert.deepEqual(pick(rollback, "rollback"), { command: "rollback", environment: "${{ inputs.env }}-rollback", access: "rollback" });
        assert.deepEqual(pick(discard, "discard"), { command: "discard", environment: "${{ inputs.env }}", access: undefined });
        assert.equal((runDriver.on.workflow_call as { inputs: Record<string, { default?: string }> }).inputs.access.default, "deploy");
        assert.deepEqual(pick(stopTheLine, "switch"), { command: "${{ inputs.action }}", environment: "${{ inputs.env }}-rollback", access: "rollback" });
    });
});

describe("workflows: run-driver", () => {
    const driver = step(run, (s) => s.id === "driver");

    /** Runs the driver step with an `npx` that records its arguments: those arguments, or false when the step stopped before it. */
    function withDriver(body: (call: (COMMAND: string, ARGS: string, MITENE_ACCESS: string) => string[] | boolean) => void): void {
        const dir = mkdtempSync(path.join(tmpdir(), "driver-"));
        try {
            mkdirSync(path.join(dir, "bin"));
            writeFileSync(path.join(dir, "bin/npx"), `#!/usr/bin/env node\nrequire("fs").writeFileSync(${JSON.stringify(path.join(dir, "argv.json"))}, JSON.stringify(process.argv.slice(2)));\n`);
            chmodSync(path.join(dir, "bin/npx"), 0o755);
            body((COMMAND, ARGS, MITENE_ACCESS) => {
                rmSync(path.join(dir, "argv.json"), { force: true });
                const env = { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, COMMAND, ARGS, MITENE_ACCESS, ENV_NAME: "prod", RUNNER_TEMP: dir, GITHUB_OUTPUT: path.join(dir, "out") };
                const ok = bashSucceeds(driver.run!, env);
                return existsSync(path.join(dir, "argv.json")) ? (JSON.parse(readFileSync(path.join(dir, "argv.json"), "utf8")) as string[]) : ok;
            });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }

    it("inputs reach the job as env vars; the environment comes from the caller", () => {
        for (const [name, input] of [["ENV_NAME", "env"], ["COMMAND", "command"], ["ARGS", "args"], ["VERSION", "version"]]) assert.equal(run.env?.[name], `\${{ inputs.${input} }}`);
        assert.equal(run.environment, "${{ inputs.environment }}");
    });

    it("assumes the role of its GitHub environment, for longer than the job may run, and names the run's access", () => {
        const aws = step(run, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false);
        // The environment decides the role: the OIDC trusts admit each environment to exactly one role.
        assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.equal(run.env?.MITENE_ACCESS, "${{ inputs.access }}");
        assert.ok(Number(aws.with?.["role-duration-seconds"]) >= Number(run["timeout-minutes"]) * 60);
    });

    it("installs without install scripts, from the warm cache when the lock file has not changed", () => {
        const restore = step(run, (s) => s.uses?.startsWith("actions/cache/restore@") ?? false);
        const install = step(run, (s) => s.name === "Install");
        const save = step(run, (s) => s.uses?.startsWith("actions/cache/save@") ?? false);
        // --loglevel: the project's .npmrc silences npm (one JSON document from npm run), not its install errors.
        assert.equal(install.run, "npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn");
        for (const s of [install, save]) assert.equal(s.if, "steps.modules.outputs.cache-hit != 'true'");
        assert.equal(restore.with?.key, save.with?.key);
        assert.match(String(restore.with?.key), /hashFiles\('package-lock\.json'\)/);
        assert.ok(run.steps.indexOf(restore) < run.steps.indexOf(install) && run.steps.indexOf(install) < run.steps.indexOf(save));
    });

    it("opens pull requests with a short-lived GitHub App token where the app is set up, never a personal token", () => {
        const app = step(run, (s) => s.uses?.startsWith("actions/create-github-app-token@") ?? false);
        assert.deepEqual([app.with?.["permission-contents"], app.with?.["permission-pull-requests"]], ["write", "write"]);
        assert.equal(app.with?.["private-key"], "${{ secrets.MITENE_APP_PRIVATE_KEY }}");
        const pr = step(run, (s) => s.id === "pr");
        assert.equal(pr.with?.token, "${{ steps.app-token.outputs.token || github.token }}");
        assert.ok(run.steps.indexOf(app) < run.steps.indexOf(pr));
    });

    it("checks out, installs, assumes the role and installs the CLI before the driver runs", () => {
        const order = ["actions/checkout@", "Start from those stack files", "actions/setup-node@", "Install", "aws-actions/configure-aws-credentials@", "pulumi/actions@"].map((marker) =>
            run.steps.findIndex((s) => (s.uses ?? s.name ?? "").startsWith(marker) || (s.run ?? "").startsWith(marker)),
        );
        assert.deepEqual([...order].sort((a, b) => a - b), order, "in this order");
        assert.ok(order.every((i) => i >= 0 && i < run.steps.indexOf(driver)));
    });

    it("passes each element of `args` as one argument, and runs nothing when `args` or the command is not what it should be", () => {
        withDriver((driverCall) => {
            const call = (COMMAND: string, ARGS: string, MITENE_ACCESS = COMMAND === "rollback" ? "rollback" : "deploy") => driverCall(COMMAND, ARGS, MITENE_ACCESS);
            const head = ["--no-install", "mitene"];
            assert.deepEqual(call("upgrade", '["--to","1.35","--region","a b","$(id)"]'), [...head, "upgrade", "--env", "prod", "--engine", "pulumi", "--json", "--to", "1.35", "--region", "a b", "$(id)"]);
            assert.deepEqual(call("rollback", "[]"), [...head, "rollback", "--env", "prod", "--engine", "pulumi", "--json"]);
            for (const [command, args] of [["upgrade", '{"to":"1.35"}'], ["upgrade", "[1]"], ["upgrade", "not json"], ["destroy", "[]"], ["upgrade; id", "[]"]]) {
                assert.equal(call(command, args), false, `${command} ${args}: refused before the driver`);
            }
            for (const [command, access] of [["rollback", "deploy"], ["upgrade", "rollback"], ["discard", "preview"], ["upgrade", ""], ["halt", "deploy"], ["resume", "preview"]]) {
                assert.equal(call(command, "[]", access), false, `${command} with ${access || "no"} access: refused before the driver`);
            }
        });
    });

    it("runs every command with the access each caller gives it (halt and resume with the rollback role, docs/security.md)", () => {
        const defaultAccess = (runDriver.on.workflow_call as { inputs: Record<string, { default?: string }> }).inputs.access.default!;
        const calls = callers("./.github/workflows/run-driver.yml").flatMap(({ file, id, job }) =>
            possibleValues(all[file], job.with!.command).flatMap((command) => possibleValues(all[file], job.with!.access ?? defaultAccess).map((access) => ({ caller: `${file} ${id}`, command, access }))),
        );
        // Every command the step knows has a caller here: the workflows were read, not skipped.
        assert.deepEqual([...new Set(calls.map((c) => c.command))].sort(), ["discard", "halt", "ops-upgrade", "resume", "rollback", "upgrade"]);
        withDriver((call) => {
            for (const { caller, command, access } of calls) {
                const argv = call(command, "[]", access);
                assert.ok(Array.isArray(argv) && argv[2] === command, `${caller}: ${command} with ${access} access is refused by run-driver.yml`);
            }
        });
    });

    it("makes `mitene report --format md` of the run and puts it in the summary and the pull request body", () => {
        const report = step(run, (s) => /mitene report/.test(s.run ?? ""));
        assert.match(report.run!, /npx --no-install mitene report --env "\$ENV_NAME" --format md --out "\$RUNNER_TEMP\/report\.md"/);
        const summary = step(run, (s) => s.id === "report");
        assert.match(summary.run!, /upgrade-report\.ts --kind "\$COMMAND" .*--details "\$RUNNER_TEMP\/report\.md"/s);
        assert.match(summary.run!, /--out "\$RUNNER_TEMP\/pr-body\.md"/);
        const pr = step(run, (s) => s.uses?.startsWith("peter-evans/create-pull-request@") ?? false);
        assert.equal(pr.with?.["body-path"], "${{ runner.temp }}/pr-body.md");
        for (const s of [report, summary]) assert.equal(s.if, "always() && steps.driver.outputs.exit-code != ''");
        assert.ok(run.steps.indexOf(driver) < run.steps.indexOf(report) && run.steps.indexOf(report) < run.steps.indexOf(summary) && run.steps.indexOf(summary) < run.steps.indexOf(pr));
        assert.equal(run.outputs?.result, "${{ steps.report.outputs.result }}", "the approval job reads the driver's result word");
    });

    it("opens or updates the pull request unless the driver changed nothing (exit 2, 3, 4); always uploads the journal", () => {
        const pr = step(run, (s) => s.uses?.startsWith("peter-evans/create-pull-request@") ?? false);
        assert.equal(pr.with?.branch, "${{ inputs.pr-branch }}");
        assert.equal(pr.with?.["add-paths"], "stacks/");
        assert.equal(pr.with?.["delete-branch"], undefined, "a no-change run must not close an earlier pull request");
        const exits = (code: string) =>
            evaluate(pr.if!.replace(/^always\(\) && /, "").replace(/!contains\(fromJSON\('\["2","3","4"\]'\), steps\.driver\.outputs\.exit-code\)/, "CHANGED"), {
                "steps.driver.outputs.exit-code": code,
                CHANGED: ["2", "3", "4"].includes(code) ? "" : "yes",
            });
        assert.match(pr.if!, /^always\(\) && /);
        assert.deepEqual(["0", "1", "137", "2", "3", "4", ""].map(exits), [true, true, true, false, false, false, false]);
        const journal = step(run, (s) => s.with?.path === ".mitene/");
        assert.equal(journal.if, "always()");
        assert.equal(journal.with?.["include-hidden-files"], true);
    });

    it("with stacks-ref, starts from that branch's stacks/ (and only those files)", () => {
        const checkout = step(run, (s) => s.with?.path === ".stacks-ref");
        assert.deepEqual([checkout.if, checkout.with?.ref, checkout.with?.["sparse-checkout"]], ["inputs.stacks-ref != ''", "${{ inputs.stacks-ref }}", "stacks"]);
        const move = step(run, (s) => s.name === "Start from those stack files");
        assert.equal(move.if, "inputs.stacks-ref != ''");
        const dir = mkdtempSync(path.join(tmpdir(), "stacks-ref-"));
        try {
            for (const [file, content] of [["stacks/Pulumi.old.yaml", "main"], ["stacks/Pulumi.a.yaml", "main"], [".stacks-ref/stacks/Pulumi.a.yaml", "branch"], [".stacks-ref/stacks/Pulumi.new.yaml", "branch"], [".stacks-ref/README.md", "x"]]) {
                mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                writeFileSync(path.join(dir, file), content);
            }
            assert.ok(bashSucceeds(`cd "${dir}"\n${move.run!}`, {}));
            assert.deepEqual([existsSync(path.join(dir, "stacks/Pulumi.old.yaml")), readFileSync(path.join(dir, "stacks/Pulumi.a.yaml"), "utf8"), existsSync(path.join(dir, "stacks/Pulumi.new.yaml")), existsSync(path.join(dir, ".stacks-ref"))], [false, "branch", true, false]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
