/**
 * The production PulumiEngine against the real Pulumi CLI, on a local state: what reading the production
 * adapter found (issue 11), each shown with the real engine.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { localCliEnv } from "../../automation/local/ports";
import { findToolchain } from "../../automation/local/toolchain";
import { PreconditionFailedError } from "../../automation/ports";
import { RealClock } from "../../automation/clock";
import { PulumiEngine, SECRET_OUTPUT } from "../../automation/real/pulumiEngine";
import { cli } from "../driver/harness";

const REGION = "region-staging-ap-northeast-1";

describe("PulumiEngine with the real Pulumi CLI (local state)", function () {
    this.timeout(600_000);
    const root = mkdtempSync(path.join(tmpdir(), "mitene-local-"));
    const state = path.join(root, "state");
    const stackFile = path.join(state, "project", "stacks", `Pulumi.${REGION}.yaml`);
    const checkpointFile = path.join(state, "backend", ".pulumi", "stacks", "mitene", `${REGION}.json`);
    const engine = (env: Record<string, string> = {}, warnings: string[] = []) => {
        const toolchain = findToolchain();
        const endpoint = JSON.parse(readFileSync(path.join(state, "emulator.json"), "utf8")).endpoint;
        return new PulumiEngine({
            workDir: path.join(state, "project"),
            command: toolchain.pulumi,
            env: { ...localCliEnv(state, toolchain, endpoint), ...env },
            sleep: (ms, signal) => new RealClock().sleep(ms, signal),
            firstRetryMs: 500,
            warn: (line) => warnings.push(line),
        });
    };

    before(async () => {
        const seeded = await cli(["status", "--env", "staging", "--engine", "local", "--state", state]);
        assert.equal(seeded.code, 0, seeded.stderr);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("two processes editing one stack file at once: both edits are deployed, neither is lost", async () => {
        const [a, b] = [engine(), engine()];
        await Promise.all([
            a.up(REGION, { set: { "mitene:weights": { blue: 90, green: 10 } } }),
            b.up(REGION, { set: { "mitene:gate": { maxErrorRate: 0.02, maxP99Ms: 1500, minRequests: 200 } } }),
        ]);
        const after = (await engine().getStack(REGION))!;
        assert.deepEqual(after.outputs!.weights, { blue: 90, green: 10 });
        assert.equal((after.outputs!.gate as { maxErrorRate: number }).maxErrorRate, 0.02);
        assert.match(readFileSync(stackFile, "utf8"), /maxErrorRate: 0.02/);
    });

    it("an update that fails leaves no edit behind, and says why in one line", async () => {
        const before = readFileSync(stackFile, "utf8");
        await assert.rejects(engine().up(REGION, { set: { "mitene:weights": { blue: 50, green: 60 } } }), (e: Error) => /^stack region-staging-ap-northeast-1: .*weights/.test(e.message) && !e.message.includes("\n"));
        assert.equal(readFileSync(stackFile, "utf8"), before);
    });

    it("a precondition that no longer holds stops the update before the file or the stack changes", async () => {
        const [file, deployed] = [readFileSync(stackFile, "utf8"), statSync(checkpointFile).mtimeMs];
        const precondition = (s: { config: Record<string, unknown> }) => (s.config["mitene:cronColor"] === "green" ? undefined : `cron is on ${String(s.config["mitene:cronColor"])}`);
        await assert.rejects(engine().up(REGION, { set: { "mitene:weights": { blue: 0, green: 100 } } }, { precondition }), (e: Error) => e instanceof PreconditionFailedError && e.reason === "cron is on blue");
        assert.equal(readFileSync(stackFile, "utf8"), file);
        assert.equal(statSync(checkpointFile).mtimeMs, deployed);
    });

    it("hands the CLI's progress to onOutput, line by line", async () => {
        const lines: string[] = [];
        await engine().up(REGION, { set: { "mitene:weights": { blue: 80, green: 20 } } }, { onOutput: (line) => lines.push(line) });
        assert.ok(lines.some((line) => line.startsWith(`Updating (${REGION})`)), lines.join("\n"));
        assert.ok(lines.some((line) => /^Resources:/.test(line)));
        assert.ok(lines.every((line) => !line.includes("\n")));
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
});
