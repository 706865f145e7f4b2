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
import { processExists } from "../../automation/core/process";
import { localCliEnv } from "../../automation/engines/localPorts";
import { writeLocalProject } from "../../automation/local/project";
import { findToolchain } from "../../automation/local/toolchain";
import { PreconditionFailedError } from "../../automation/core/ports";
import { PulumiEngine, SECRET_OUTPUT } from "../../automation/real/pulumiEngine";
import { renderEnv } from "../../automation/programs/render";
import { readStackFile } from "../../stacks/stackFiles";
import { openEngine } from "../../automation/engines/open";
import { silentProgress } from "../../automation/record/progress";
import { RunLog } from "../../automation/record/runLog";
import { runUpgrade, withLease } from "../../automation/upgrade/run";
import { cli, identity, invariantProblems, invocation, livePids, snapshot, upgradeOptions } from "../driver/harness";
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

    it("plan reads the deployed stacks through the real engine: staging's calendar, ledger and steps, the scenario's insights", async () => {
        const scenario = path.join(root, "insights.json");
        writeFileSync(scenario, JSON.stringify({ insights: [{ cluster: "ops-staging", name: "Kubelet version skew", status: "WARNING", reason: "skew" }] }));
        const run = await cli(["plan", "--env", "staging", "--to", "1.35", "--at", "2026-12-04", "--scenario", scenario, ...flags, "--json"]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.snapshot, "engine");
        assert.deepEqual(run.json.calendar.map((r: any) => [r.cluster, r.version, r.phase, r.extraCostPerMonthUsd]), [
            ["ops-staging", "1.34", "extended", 365],
            ["mitene-staging-ap-northeast-1-blue", "1.34", "extended", 365],
        ]);
        assert.equal(run.json.ledger.find((i: any) => i.kind === "insight").severity, "warning");
        assert.deepEqual(run.json.steps.map((s: any) => [s.env, s.action, s.to]), [["staging", "ops-upgrade", "1.35"], ["staging", "upgrade", "1.35"]]);
    });

    describe("the fake cloud through the real engine answers as pulumi-eks does, and as the mock runtime does", () => {
        const BLUE = "mitene-staging-ap-northeast-1-blue";
        type StateResource = { type: string; urn: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
        const resources = () => (checkpoint(state, BLUE)?.resources ?? []) as StateResource[];
        const one = (type: string, name?: string) => {
            const found = resources().filter((r) => r.type === type && (name === undefined || r.urn.endsWith(`::${name}`)));
            assert.equal(found.length, 1, `${type} ${name ?? ""}: ${found.map((r) => r.urn).join(", ")}`);
            return found[0];
        };
        const execArgs = (kubeconfig: unknown) => (JSON.parse(kubeconfig as string) as { users: { user: { exec: { args: string[] } } }[] }).users[0].user.exec.args;
        const deployRole = () => String(readStackFile(BLUE)["mitene:deployRoleArn"]);

        it("the program's transform reached pulumi-eks's control plane: no implicit admin entry for the creator", () => {
            const plane = one("aws:eks/cluster:Cluster");
            assert.deepEqual(plane.inputs!.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        });
        it("the cluster's kubeconfig carries --role <deploy role> as pulumi-eks generates it, and the Ops provider's names it too", () => {
            assert.deepEqual(execArgs(one("pulumi:providers:kubernetes", "svc-cluster-k8s").inputs!.kubeconfig).slice(-2), ["--role", deployRole()]);
            assert.deepEqual(execArgs(one("pulumi:providers:kubernetes", "ops").inputs!.kubeconfig).slice(-4, -2), ["--role-arn", deployRole()]);
        });
        it("clusterSecurityGroupId is pulumi-eks's own group, on the control plane, where the 443 rule goes", async () => {
            const group = one("aws:ec2/securityGroup:SecurityGroup", "svc-cluster-eks-eksClusterSecurityGroup");
            assert.equal((await engine().getStack(BLUE))!.outputs!.clusterSecurityGroupId, group.id);
            assert.deepEqual((one("aws:eks/cluster:Cluster").inputs!.vpcConfig as { securityGroupIds: string[] }).securityGroupIds, [group.id]);
            assert.equal(one("aws:ec2/securityGroupRule:SecurityGroupRule", "svc-cluster-api-0").inputs!.securityGroupId, group.id);
        });
        it("both front doors give the cluster the same endpoint and security group", async () => {
            const rendered = (await renderEnv("staging", BLUE))[0].outputs;
            const local = (await engine().getStack(BLUE))!.outputs!;
            assert.deepEqual([local.endpoint, local.clusterSecurityGroupId], [rendered.endpoint, rendered.clusterSecurityGroupId]);
        });
    });

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

        it("observes a stack without decrypt rights: the Ops cluster's endpoint and CA, all the driver reads of it, are plain outputs", async () => {
            const wrong = engine({ PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
            const ops = (await wrong.getStack("ops-staging"))!;
            assert.equal(ops.outputs!.kubernetesVersion, "1.34");
            assert.match(String(ops.outputs!.clusterEndpoint), /^https:\/\/[0-9A-F]+\.gr7\.ap-northeast-1\.eks\.amazonaws\.com$/);
            assert.ok(!Object.values(ops.outputs!).includes(SECRET_OUTPUT));
        });

        it("an up that changes nothing reports no changes: the fake cloud's diffs are real", async () => {
            const { changes, steps } = await engine().up(REGION);
            assert.deepEqual(changes, {});
            assert.deepEqual(steps, []);
        });

        // Secrets among the outputs are hidden as SECRET_OUTPUT (test/real/pulumiEngine.test.ts): no stack exports one.
        it("what an up reports from its own events is what the stack then holds; the Ops stack hands on no kubeconfig of its deploy role", async () => {
            const { outputs } = await engine().up("ops-staging");
            assert.deepEqual(outputs, (await engine().getStack("ops-staging"))!.outputs);
            assert.equal(outputs.kubeconfig, undefined);
            assert.match(String(outputs.clusterEndpoint), /^https:\/\//);
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
            const clis = pulumiChildren(upgrade.pid);
            for (const pulumi of clis) process.kill(-pulumi.pgrp, "SIGKILL");
            process.kill(-upgrade.pid, "SIGKILL");
            assert.equal(await upgrade.exit, 137);
            // A killed process takes a moment to be gone (all its threads, then a zombie until reaped); until then
            // its lock is a live update's, as it should be.
            await waitFor("the killed CLI to be gone", () => clis.every((cli) => !processExists(cli.pid)), 30_000);

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

        it("state changed by hand (a stack file, clock.json, history.json) is refused, naming the file and the field, and nothing changes", async () => {
            const tamperings: [string, (text: string) => string, RegExp][] = [
                [stackFile, (text) => text.replace(/mitene:cronColor: \w+/, "mitene:cronColor: purple"), /mitene:cronColor: /],
                [path.join(state, "clock.json"), () => JSON.stringify({ now: "1767225600000" }), /now: /],
                [path.join(state, "history.json"), (text) => text.replace(/"changedAt": \{/, '"changedAt": { "tampered": "yesterday",'), /changedAt\.tampered: /],
            ];
            for (const [file, change, field] of tamperings) {
                const original = readFileSync(file, "utf8");
                writeFileSync(file, change(original));
                try {
                    const before = readFileSync(checkpointFile, "utf8");
                    const run = await cli(["status", "--env", "staging", ...flags, "--json"]);
                    assert.equal(run.code, 2, `${file}: ${run.stdout}`);
                    assert.ok(run.json.error.includes(file), run.json.error);
                    assert.match(run.json.error, field);
                    assert.equal(readFileSync(checkpointFile, "utf8"), before);
                } finally {
                    writeFileSync(file, original);
                }
            }
        });

        it("SIGTERM reaches a run deep in a huge gate (a day-long bake at 1e12 requests a minute): exit 143, the lease released", async () => {
            const scenario = path.join(root, "huge.json");
            writeFileSync(scenario, JSON.stringify({ baseline: { requestsPerMinute: 1e12 }, noise: { seed: 7 } }));
            const run = startMitene(["upgrade", "--env", "staging", "--to", "1.36", "--steps", "100", "--scenario", scenario, "--bake", "24h", "--analysis-interval", "10s", ...flags, "--json"]);
            await waitFor("the gate to bake blue at 100%", () => /load balancer confirms blue 100% \/ green 0%/.test(run.stderr()));
            process.kill(run.pid, "SIGTERM");
            assert.equal(await run.exit, 143, run.stderr());
            assert.match(JSON.parse(run.stdout()).regions[0].reason, /cancelled \(SIGINT\/SIGTERM\)/);
            const after = await status();
            assert.equal(after.lease, null, "the lease is released");
            assert.deepEqual(after.pendingOperations, []);
            assert.deepEqual(invariantProblems(after), []);
        });

        it("a rollback racing the teardown, from another process: refused after the deregistration, nothing to do once it is through, and nothing changed", async () => {
            // The upgrade runs here, paused after the two operations; the operator's rollback is a real process.
            const ports = await openEngine({ engine: "local", state }, "staging", { cwd: process.cwd(), identity: identity(611), die: () => new Promise<never>(() => undefined), warn: () => undefined });
            const stateFiles = () => {
                const files = snapshot(path.join(state, "backend", ".pulumi", "stacks"));
                for (const [file, text] of Object.entries(snapshot(path.join(state, "project", "stacks")))) files[`stack files/${file}`] = text;
                return files;
            };
            const rollbacks: { after: string; code: number; json: any; changed: boolean }[] = [];
            const rollBackNow = async (after: string) => {
                const before = stateFiles();
                const { code, json } = await mitene("rollback", "--env", "staging", "--region", "ap-northeast-1");
                rollbacks.push({ after, code, json, changed: JSON.stringify(stateFiles()) !== JSON.stringify(before) });
            };
            const up = ports.engine.up.bind(ports.engine);
            ports.engine.up = async (name, changes, opts) => {
                const result = await up(name, changes, opts);
                if (name === GREEN && changes?.set?.["mitene:argocdRegistered"] === false) await rollBackNow("deregister green from Argo CD");
                if (name === REGION && changes?.remove?.includes("mitene:upgrade")) await rollBackNow("the upgrade record removed");
                return result;
            };
            const upgrader = { ...invocation("race"), pid: 611 };
            livePids.add(611);
            try {
                const upgrade = await withLease(ports, upgrader, "staging", false, (leased) => runUpgrade(leased, upgrader, upgradeOptions({ env: "staging", to: "1.36", steps: [100] }), ["ap-northeast-1"], new RunLog(leased.clock, leased.journal, "race", "staging", silentProgress)), {
                    regions: ["ap-northeast-1"],
                    to: "1.36",
                });
                assert.equal(upgrade.result, "completed", JSON.stringify(upgrade.regions));
            } finally {
                livePids.delete(611);
            }
            assert.deepEqual(
                rollbacks.map((r) => [r.after, r.code, r.json.regions[0].result, r.changed]),
                [
                    ["deregister green from Argo CD", 1, "refused", false],
                    ["the upgrade record removed", 0, "nothing_to_do", false],
                ],
            );
            assert.match(rollbacks[1].json.regions[0].reason, /runs Kubernetes 1\.36, the target of the running upgrade/);
            const after = await status();
            assert.deepEqual(after.regions[0].clusters.map((c: any) => [c.color, c.version, c.cron]), [["blue", "1.36", true]]);
            assert.equal(after.regions[0].upgrade, null);
            const again = await mitene("upgrade", "--env", "staging", "--to", "1.36");
            assert.equal(again.code, 0, again.stderr);
            assert.equal(again.json.result, "nothing_to_do");
        });
    });
});
