/**
 * The production PulumiEngine with the real Pulumi CLI, then the local engine with real processes (a kill -9
 * in the middle of a real `pulumi up`, two runs at once, a terminal's Ctrl-C, a stray `pulumi` process), on
 * one staging state in turn (a copy of the suite's seeded one): what reading the production adapter found
 * (issue 11), each shown for real. Commands whose lease must see real processes run as real processes.
 * Each test says the guarantee it holds.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { RealClock } from "../../automation/core/clock";
import { localCliEnv } from "../../automation/engines/localPorts";
import { writeLocalProject } from "../../automation/local/project";
import { findToolchain } from "../../automation/local/toolchain";
import { PreconditionFailedError } from "../../automation/core/ports";
import { PulumiEngine, SECRET_OUTPUT } from "../../automation/real/pulumiEngine";
import { cli, invariantProblems } from "../driver/harness";
import { checkpoint, pulumiChildren, startMitene, waitFor } from "./processes";
import { seededCopy } from "./seededStates";

const REGION = "region-staging-ap-northeast-1";
const GREEN = "mitene-staging-ap-northeast-1-green";

describe("the real Pulumi engine on a local state", function () {
    this.timeout(900_000);
    const root = mkdtempSync(path.join(tmpdir(), "mitene-local-"));
    const state = path.join(root, "state");
    const flags = ["--engine", "local", "--state", state];
    const stackFile = path.join(state, "project", "stacks", `Pulumi.${REGION}.yaml`);
    const checkpointFile = path.join(state, "backend", ".pulumi", "stacks", "mitene", `${REGION}.json`);
    const endpoint = () => (JSON.parse(readFileSync(path.join(state, "emulator.json"), "utf8")) as { endpoint: string }).endpoint;
    const status = async () => {
        const run = await cli(["status", "--env", "staging", ...flags, "--json"]);
        assert.equal(run.code, 0, run.stderr);
        return run.json;
    };
    /** `mitene` as a real process, to the end. */
    const mitene = async (...args: string[]) => {
        const run = startMitene([...args, ...flags, "--json"]);
        const code = await run.exit;
        return { code, stderr: run.stderr(), json: JSON.parse(run.stdout()) };
    };
    const engine = (env: Record<string, string> = {}, workDir = path.join(state, "project")) => {
        const toolchain = findToolchain();
        return new PulumiEngine({
            workDir,
            command: toolchain.pulumi,
            env: { ...localCliEnv(state, toolchain, endpoint()), ...env },
            sleep: (ms, signal) => new RealClock().sleep(ms, signal),
            firstRetryMs: 500,
        });
    };

    before(() => seededCopy("staging", state));
    after(() => rmSync(root, { recursive: true, force: true }));

    describe("PulumiEngine with the real CLI", () => {
        let seeded: string;
        before(() => (seeded = readFileSync(stackFile, "utf8")));
        // What the runs below start from: the region stack as seeded.
        after(async () => {
            writeFileSync(stackFile, seeded);
            await engine().up(REGION);
        });

        it("two processes editing one stack file at once: both edits are deployed, neither is lost; progress comes line by line", async () => {
            const [a, b] = [engine(), engine()];
            const lines: string[] = [];
            await Promise.all([
                a.up(REGION, { set: { "mitene:weights": { blue: 90, green: 10 } } }, { onOutput: (line) => lines.push(line) }),
                b.up(REGION, { set: { "mitene:gate": { maxErrorRate: 0.02, maxP99Ms: 1500, minRequests: 200 } } }),
            ]);
            const after = (await engine().getStack(REGION))!;
            assert.deepEqual(after.outputs!.weights, { blue: 90, green: 10 });
            assert.equal((after.outputs!.gate as { maxErrorRate: number }).maxErrorRate, 0.02);
            assert.match(readFileSync(stackFile, "utf8"), /maxErrorRate: 0.02/);
            assert.ok(lines.some((line) => line.startsWith(`Updating (${REGION})`)), lines.join("\n"));
            assert.ok(lines.some((line) => /^Resources:/.test(line)));
            assert.ok(lines.every((line) => !line.includes("\n")));
        });

        it("an update that fails leaves no edit behind, and says why in one line", async () => {
            const before = readFileSync(stackFile, "utf8");
            await assert.rejects(engine().up(REGION, { set: { "mitene:weights": { blue: 50, green: 60 } } }), (e: Error) => /^stack region-staging-ap-northeast-1: .*weights must sum to 100/.test(e.message) && !e.message.includes("\n"));
            assert.equal(readFileSync(stackFile, "utf8"), before);
        });

        it("a precondition that no longer holds stops the update before the file or the stack changes", async () => {
            const [file, deployed] = [readFileSync(stackFile, "utf8"), statSync(checkpointFile).mtimeMs];
            const precondition = (s: { config: Record<string, unknown> }) => (s.config["mitene:cronColor"] === "green" ? undefined : `cron is on ${String(s.config["mitene:cronColor"])}`);
            await assert.rejects(engine().up(REGION, { set: { "mitene:weights": { blue: 0, green: 100 } } }, { precondition }), (e: Error) => e instanceof PreconditionFailedError && e.reason === "cron is on blue");
            assert.equal(readFileSync(stackFile, "utf8"), file);
            assert.equal(statSync(checkpointFile).mtimeMs, deployed);
        });

        it("observes a stack without decrypt rights; only the secret output itself needs them", async () => {
            const wrong = engine({ PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
            const ops = (await wrong.getStack("ops-staging"))!;
            assert.equal(ops.outputs!.kubeconfig, SECRET_OUTPUT);
            assert.equal(ops.outputs!.kubernetesVersion, "1.34");
            await assert.rejects(wrong.secretOutput("ops-staging", "kubeconfig"), /passphrase/i);
            assert.match(String(await engine().secretOutput("ops-staging", "kubeconfig")), /"kind":"Config"/);
        });

        it("an up that changes nothing reports no changes: the fake cloud's diffs are real", async () => {
            const { changes, steps } = await engine().up(REGION);
            assert.deepEqual(changes, {});
            assert.deepEqual(steps, []);
        });

        it("what an up reports from its own events is what the stack then holds, secrets hidden", async () => {
            const { outputs } = await engine().up("ops-staging");
            assert.equal(outputs.kubeconfig, SECRET_OUTPUT);
            assert.deepEqual(outputs, (await engine().getStack("ops-staging"))!.outputs);
        });

        it("the repository's own program and runtime options (TypeScript through tsx, as `pulumi up` by hand) deploy what the bundle deployed", async () => {
            const sources = writeLocalProject(state, findToolchain(), { dir: path.join(state, "project-sources"), sources: true });
            assert.match(readFileSync(path.join(sources, "Pulumi.yaml"), "utf8"), /nodeargs: --import=tsx/);
            const { changes } = await engine({}, sources).up(REGION);
            assert.deepEqual(changes, {});
        });

        it("no stack is ever selected: the CLI's workspace files name no current stack, so concurrent runs never race on them", () => {
            const workspaces = path.join(state, "home", "workspaces");
            const files = existsSync(workspaces) ? readdirSync(workspaces) : [];
            for (const file of files) assert.equal((JSON.parse(readFileSync(path.join(workspaces, file), "utf8")) as { stack?: string }).stack, undefined, file);
        });
    });

    describe("the local engine with real processes", () => {
        const greenInFlight = () => (checkpoint(state, GREEN)?.pending_operations?.length ?? 0) > 0;
        /** The staging stack an update is in flight on, if any. */
        const inFlight = () => [REGION, GREEN, "mitene-staging-ap-northeast-1-blue"].find((stack) => (checkpoint(state, stack)?.pending_operations?.length ?? 0) > 0);

        it("two runs at once: the second exits 3 and changes nothing; a terminal's Ctrl-C then cancels the first cleanly", async () => {
            const first = startMitene(["upgrade", "--env", "staging", "--to", "1.35", ...flags, "--json"], { MITENE_FAKECLOUD_LATENCY_MS: "1000" });
            await waitFor("the first run to be updating the green cluster", greenInFlight);
            const second = await mitene("upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(second.code, 3, second.stderr);
            assert.match(second.json.error, /locked by another run/);

            // Ctrl-C in a terminal signals the foreground process group: the driver's, not its CLI's.
            process.kill(-first.pid, "SIGINT");
            assert.equal(await first.exit, 130, first.stderr());
            assert.match(JSON.parse(first.stdout()).regions[0].reason, /cancelled \(SIGINT\/SIGTERM\)/);
            const after = await status();
            assert.deepEqual(after.pendingOperations, [], "a graceful cancel leaves no pending operation");
            assert.equal(after.lease, null);
            assert.deepEqual(invariantProblems(after), []);
            assert.deepEqual(after.regions[0].weights, { blue: 100, green: 0 });
        });

        it("a kill -9 in the middle of a real pulumi up leaves real pending operations: exit 4, then --recover completes", async () => {
            const upgrade = startMitene(["upgrade", "--env", "staging", "--to", "1.35", ...flags], { MITENE_FAKECLOUD_LATENCY_MS: "500" });
            const killed = await waitFor("an update in flight", inFlight);
            // The machine dies: the driver and the CLI it runs (in its own process group, with its plugins).
            for (const pulumi of pulumiChildren(upgrade.pid)) process.kill(-pulumi.pgrp, "SIGKILL");
            process.kill(-upgrade.pid, "SIGKILL");
            assert.equal(await upgrade.exit, 137);

            const refused = await mitene("upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(refused.code, 4, refused.stderr);
            assert.match(refused.json.error, new RegExp(`${killed}.*--recover`));
            assert.ok((await status()).pendingOperations.includes(killed));

            const privateFiles = () => readdirSync(tmpdir()).filter((entry) => entry.startsWith("mitene-state-"));
            const before = privateFiles();
            const recovered = await mitene("upgrade", "--env", "staging", "--to", "1.35", "--recover");
            assert.equal(recovered.code, 0, recovered.stderr);
            assert.equal(recovered.json.result, "completed");
            assert.match(recovered.stderr, new RegExp(`stack ${killed}: releasing the lock of an update that died`));
            assert.match(recovered.stderr, new RegExp(`stack ${killed}: clearing pending \\w+ of urn:pulumi:${killed}::`));
            assert.deepEqual(privateFiles(), before, "the state imported during recovery left no file behind");
            const after = await status();
            assert.deepEqual(after.pendingOperations, []);
            assert.deepEqual(after.regions[0].clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
        });

        it("a stack a stray pulumi process is updating is busy, not interrupted, and is waited for with backoff", async () => {
            const toolchain = findToolchain();
            // Every resource read at once, each taking 20 s: the stray holds the stack for about that long.
            const env = { ...process.env, ...localCliEnv(state, toolchain, endpoint()), MITENE_FAKECLOUD_LATENCY_MS: "20000" };
            const stray = spawn(toolchain.pulumi, ["refresh", "--yes", "--skip-preview", "--non-interactive", "--parallel", "128", "-s", "ops-staging"], { cwd: path.join(state, "project"), env, stdio: "ignore" });
            const strayDone = new Promise<number>((resolve) => stray.on("exit", (code) => resolve(code ?? 1)));
            const locks = path.join(state, "backend", ".pulumi", "locks", "organization", "mitene", "ops-staging");
            await waitFor("the stray refresh to lock ops-staging", () => existsSync(locks) && readdirSync(locks).length > 0);

            assert.deepEqual((await status()).pendingOperations, [], "a live update is not pending operations");
            const upgrade = await cli(["ops-upgrade", "--env", "staging", "--to", "1.35", ...flags, "--json"]);
            assert.equal(await strayDone, 0);
            assert.equal(upgrade.code, 0, upgrade.stderr);
            assert.match(upgrade.stderr, /stack ops-staging is locked by another update; trying again in 1 s/);
            assert.equal(upgrade.json.result, "completed");
        });
    });
});
