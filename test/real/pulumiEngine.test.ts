import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { CommandError, ConcurrentUpdateError, ConfigValue, Deployment, EngineEvent, OpMap, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { EngineStack, EngineWorkspace, PulumiEngine, failureSummary } from "../../automation/real/pulumiEngine";
import { RunOptions } from "../../automation/real/workspace";
import { PreconditionFailedError, StackBusyError, StackState } from "../../automation/core/ports";
import { EXIT, PendingOperationsError, exitCodeOf } from "../../automation/core/errors";

const REPO = path.resolve(__dirname, "../..");
const REGION = "region-prod-ap-northeast-1";
const REGION_FILE = `# The edge of prod in ap-northeast-1.
config:
  mitene:weights:
    blue: 100 # all on blue until the upgrade
    green: 0
  cronColor: blue
`;
const URN = "urn:pulumi:region-prod-ap-northeast-1::mitene";

/** A stack that records its calls and answers from its fields; `failures` are thrown by the next calls to up. */
class FakeStack implements EngineStack {
    calls: [string, unknown][] = [];
    state: Deployment = { version: 3, deployment: { resources: [] } };
    /** Outputs as the root stack's events carry them (secrets signed, their value hidden). */
    outputs: Record<string, unknown> = {};
    failures: Error[] = [];
    resourceChanges: OpMap = {};
    onUp: (opts: RunOptions) => void = () => {};
    events: EngineEvent[] = [];

    async up(opts: RunOptions) {
        this.calls.push(["up", opts]);
        const failure = this.failures.shift();
        if (failure) throw failure;
        this.onUp(opts);
        this.events.forEach((event) => opts.onEvent!(event));
        return { outputs: this.outputs, resourceChanges: this.resourceChanges };
    }
    async destroy(opts: RunOptions) {
        this.calls.push(["destroy", opts]);
        return { outputs: {}, resourceChanges: {} };
    }
    async refresh(opts: RunOptions) {
        this.calls.push(["refresh", opts]);
        return { outputs: {}, resourceChanges: {} };
    }
    async exportState() {
        this.calls.push(["exportState", undefined]);
        return this.state;
    }
    async importState(state: Deployment) {
        this.calls.push(["importState", state]);
    }
    async setConfig(key: string, value: ConfigValue) {
        this.calls.push(["setConfig", [key, value]]);
    }
}

class FakeWorkspace implements EngineWorkspace {
    calls: [string, string][] = [];
    removeFailures: Error[] = [];
    backend?: string;
    constructor(readonly stacks: Map<string, FakeStack>) {}

    async backendUrl() {
        return this.backend;
    }
    async listStacks() {
        return [...this.stacks.keys()].map((name) => ({ name, current: false }));
    }
    /** Selects nothing, like the real one; a stack that does not exist fails its first command. */
    stack(name: string): EngineStack {
        const missing = () => Promise.reject(new StackNotFoundError(`no stack named '${name}' found`));
        return this.stacks.get(name) ?? { up: missing, destroy: missing, refresh: missing, setConfig: missing, exportState: missing, importState: missing };
    }
    createFailures: Error[] = [];
    async createStack(name: string) {
        this.calls.push(["create", name]);
        const failure = this.createFailures.shift();
        if (failure) throw failure;
        if (this.stacks.has(name)) throw new StackAlreadyExistsError(`stack '${name}' already exists`);
        const stack = new FakeStack();
        this.stacks.set(name, stack);
        return stack;
    }
    async removeStack(name: string) {
        this.calls.push(["remove", name]);
        const failure = this.removeFailures.shift();
        if (failure) throw failure;
        if (!this.stacks.delete(name)) throw new StackNotFoundError(`no stack named '${name}' found`);
    }
}

const busy = () => new ConcurrentUpdateError("[409] Conflict: Another update is currently in progress.");

describe("real/PulumiEngine", () => {
    let dir: string;
    let region: FakeStack;
    let workspace: FakeWorkspace;
    let sleeps: [number, AbortSignal | undefined][];
    let warnings: string[];
    let engine: PulumiEngine;
    const stackFile = (name: string) => path.join(dir, "stacks", `Pulumi.${name}.yaml`);

    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "engine-"));
        copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        mkdirSync(path.join(dir, "stacks"));
        writeFileSync(stackFile(REGION), REGION_FILE);
        region = new FakeStack();
        workspace = new FakeWorkspace(new Map([[REGION, region]]));
        sleeps = [];
        warnings = [];
        engine = new PulumiEngine({
            workDir: dir,
            workspace: async (workDir) => (assert.equal(workDir, dir), workspace),
            sleep: async (ms, signal) => void sleeps.push([ms, signal]),
            warn: (line) => warnings.push(line),
        });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("lists stack names bare and sorted, whatever the backend prefixes", async () => {
        workspace.listStacks = async () => [
            { name: "mitene/region-prod-us-west-2", current: false },
            { name: "ops-prod", current: true },
            { name: "acme/mitene/region-prod-us-west-2", current: false },
        ];
        assert.deepEqual(await engine.listStacks(), ["ops-prod", "region-prod-us-west-2"]);
    });

    const stackResource = (outputs: Record<string, unknown>) => ({ urn: `${URN}::pulumi:pulumi:Stack::mitene-${REGION}`, type: "pulumi:pulumi:Stack", outputs });
    const ciphertext = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };

    it("reads a stack: config from its file; outputs, resources and pending operations from the export, nothing decrypted", async () => {
        region.state = {
            version: 3,
            deployment: {
                resources: [stackResource({ weights: { blue: 100, green: 0 }, kubeconfig: ciphertext, nested: { token: ciphertext } }), { urn: `${URN}::aws:lb/listenerRule:ListenerRule::api` }],
                pending_operations: [{ type: "updating", resource: { urn: `${URN}::aws:lb/listenerRule:ListenerRule::api`, type: "aws:lb/listenerRule:ListenerRule" } }],
            },
        };
        assert.deepEqual(await engine.getStack(REGION), {
            name: REGION,
            config: { "mitene:weights": { blue: 100, green: 0 }, "mitene:cronColor": "blue" },
            outputs: { weights: { blue: 100, green: 0 }, kubeconfig: "[secret]", nested: { token: "[secret]" } },
            resourceCount: 2,
            pendingOperations: [{ description: "updating aws:lb/listenerRule:ListenerRule", urn: `${URN}::aws:lb/listenerRule:ListenerRule::api` }],
        });
        assert.deepEqual(region.calls.map(([call]) => call), ["exportState"]);
    });

    it("reports no outputs for a stack without resources", async () => {
        region.state = { version: 3, deployment: { resources: [] } };
        assert.equal((await engine.getStack(REGION))!.outputs, null);
    });

    it("answers undefined for a stack that does not exist", async () => {
        assert.equal(await engine.getStack("mitene-prod-ap-northeast-1-green"), undefined);
    });

    it("lets other errors reading a stack through", async () => {
        region.exportState = async () => Promise.reject(new Error("error: could not read backend credentials"));
        await assert.rejects(engine.getStack(REGION), /backend credentials/);
    });

    it("up: a StackReference read whose outputs moved (the region stack reads its own) is no change", async () => {
        region.resourceChanges = { same: 40, read: 1 };
        assert.deepEqual((await engine.up(REGION)).changes, {});
    });

    it("up: writes the config change into the stack file first, keeping its comments, then deploys", async () => {
        let fileAtUp = "";
        region.onUp = () => (fileAtUp = readFileSync(stackFile(REGION), "utf8"));
        region.outputs = { weights: { blue: 75, green: 25 }, kubeconfig: ciphertext };
        region.resourceChanges = { same: 40, update: 2, create: 0 };
        const controller = new AbortController();
        const result = await engine.up(REGION, { set: { "mitene:weights": { blue: 75, green: 25 }, "mitene:cronColor": "green" } }, { signal: controller.signal });
        assert.equal(fileAtUp, REGION_FILE.replace("blue: 100 #", "blue: 75 #").replace("green: 0", "green: 25").replace("cronColor: blue", "cronColor: green"));
        assert.deepEqual(result, { outputs: { weights: { blue: 75, green: 25 }, kubeconfig: "[secret]" }, changes: { update: 2 }, steps: [] });
        const opts = region.calls.find(([call]) => call === "up")![1] as RunOptions;
        assert.equal(opts.signal, controller.signal);
    });

    it("up: hands progress to onOutput line by line, however the CLI chunks it", async () => {
        region.onUp = (opts) => ["Updating (region", "-prod)\n  + aws:lb", ":ListenerRule api\nResources: 1 changed"].forEach((chunk) => opts.onOutput!(chunk));
        const lines: string[] = [];
        await engine.up(REGION, undefined, { onOutput: (line) => lines.push(line) });
        assert.deepEqual(lines, ["Updating (region-prod)", "  + aws:lb:ListenerRule api", "Resources: 1 changed"]);
    });

    it("up: retries a locked stack with doubling waits, passing the abort signal to the sleep", async () => {
        region.failures = [busy(), busy()];
        const controller = new AbortController();
        await engine.up(REGION, undefined, { signal: controller.signal });
        assert.deepEqual(sleeps, [[10_000, controller.signal], [20_000, controller.signal]]);
        assert.equal(region.calls.filter(([call]) => call === "up").length, 3);
    });

    it("up: gives up after 5 attempts with StackBusyError (exit 3, like a held lease)", async () => {
        region.failures = [busy(), busy(), busy(), busy(), busy()];
        await assert.rejects(engine.up(REGION), (e: Error) => e instanceof StackBusyError && exitCodeOf(e) === EXIT.leaseHeld && /stack region-prod-ap-northeast-1: .*after 5 attempts/.test(e.message));
        assert.deepEqual(sleeps.map(([ms]) => ms), [10_000, 20_000, 40_000, 80_000]);
    });

    it("up: a failed CLI command fails with its error diagnostics, not its whole output", async () => {
        const output = "code: 255\n stdout: Updating (x):\n@ updating....\n    pulumi:pulumi:Stack x running error: program failed\nDiagnostics:\n  pulumi:pulumi:Stack (x):\n    error: program failed\n    error: second problem\n\n stderr: \n err?: \n";
        region.failures = [new CommandError({ toString: () => output } as never)];
        await assert.rejects(engine.up(REGION), (e: Error) => e.message === `stack ${REGION}: program failed; second problem` && e.cause instanceof CommandError);
        assert.equal(failureSummary(new CommandError({ toString: () => "code: 1\n stdout: \n stderr: something odd happened\n err?: \n" } as never)), "stderr: something odd happened");
    });

    it("up: a cancelled update fails with the cancellation, not the CLI's complaint", async () => {
        const controller = new AbortController();
        region.onUp = () => controller.abort(new Error("cancelled by SIGINT"));
        region.failures = [];
        const upWithFailure = region.up.bind(region);
        region.up = async (opts) => {
            await upWithFailure(opts);
            throw new CommandError({ toString: () => "error: update canceled" } as never);
        };
        await assert.rejects(engine.up(REGION, undefined, { signal: controller.signal }), /cancelled by SIGINT/);
    });

    it("up: does not retry other failures", async () => {
        region.failures = [new Error("error: update failed")];
        await assert.rejects(engine.up(REGION), /update failed/);
        assert.equal(sleeps.length, 0);
    });

    it("up: refuses a config change it must not make, before deploying", async () => {
        writeFileSync(stackFile(REGION), "config:\n  mitene:token:\n    secure: v1:AAAA\n");
        await assert.rejects(engine.up(REGION, { set: { "mitene:token": "plain" } }), /refusing to overwrite mitene:token/);
        assert.equal(region.calls.length, 0);
    });

    it("createStack: creates the stack and writes its file, setting secrets through Pulumi", async () => {
        const name = "mitene-prod-ap-northeast-1-green";
        await engine.createStack(name, { "mitene:kubernetesVersion": "1.35", "mitene:zones": ["a", "c"], "mitene:token": { secure: "v1:blue-key" } }, { secrets: { "mitene:token": "s3cret" } });
        assert.deepEqual(workspace.calls, [["create", name]]);
        assert.equal(readFileSync(stackFile(name), "utf8"), 'config:\n  mitene:kubernetesVersion: "1.35"\n  mitene:zones: [a, c]\n');
        assert.deepEqual(workspace.stacks.get(name)!.calls, [["setConfig", ["mitene:token", { value: "s3cret", secret: true }]]]);
    });

    it("createStack: refuses a secret it has no plaintext for, creating nothing", async () => {
        await assert.rejects(engine.createStack("mitene-prod-ap-northeast-1-green", { "mitene:token": { secure: "v1:x" } }), /secret config mitene:token cannot be copied/);
        assert.deepEqual(workspace.calls, []);
    });

    it("createStack: adopts a stack a crashed run already created and rewrites its file", async () => {
        writeFileSync(stackFile(REGION), "config:\n  mitene:stale: true\n");
        await engine.createStack(REGION, { "mitene:cron": false });
        assert.deepEqual(workspace.calls, [["create", REGION]]);
        assert.equal(readFileSync(stackFile(REGION), "utf8"), "config:\n  mitene:cron: false\n");
    });

    it("createStack: the stack file is written before the stack is created, so a crash between leaves no stack without it", async () => {
        const name = "mitene-prod-ap-northeast-1-green";
        let fileAtCreate: string | undefined;
        const create = workspace.createStack.bind(workspace);
        workspace.createStack = async (stack) => ((fileAtCreate = readFileSync(stackFile(stack), "utf8")), create(stack));
        await engine.createStack(name, { "mitene:cron": false });
        assert.equal(fileAtCreate, "config:\n  mitene:cron: false\n");
    });

    it("createStack: a stack whose lock another update holds exists, and is adopted", async () => {
        workspace.createFailures = [busy()];
        await engine.createStack(REGION, { "mitene:cron": false });
        assert.deepEqual(workspace.calls, [["create", REGION]]);
        assert.deepEqual(sleeps, []);
    });

    it("createStack: another process creating the same stack at the same moment is waited for, then its stack adopted", async () => {
        const name = "mitene-prod-ap-northeast-1-green";
        workspace.createFailures = [busy()];
        // The other process's `stack init` finishes while this one waits.
        engine = new PulumiEngine({ workDir: dir, workspace: async () => workspace, sleep: async () => void workspace.stacks.set(name, new FakeStack()) });
        await engine.createStack(name, { "mitene:cron": false });
        assert.deepEqual(workspace.calls, [["create", name], ["create", name]]);
    });

    it("destroy: passes the signal and progress through", async () => {
        const controller = new AbortController();
        await engine.destroy(REGION, { signal: controller.signal, onOutput: () => {} });
        const opts = region.calls[0][1] as RunOptions;
        assert.equal(region.calls[0][0], "destroy");
        assert.equal(opts.signal, controller.signal);
        assert.equal(typeof opts.onOutput, "function");
    });

    it("removeStack: removes the stack and its file, retrying a locked one", async () => {
        workspace.removeFailures = [busy()];
        await engine.removeStack(REGION);
        assert.deepEqual(workspace.calls, [["remove", REGION], ["remove", REGION]]);
        assert.ok(!existsSync(stackFile(REGION)));
        assert.equal(await engine.getStack(REGION), undefined);
    });

    it("removeStack: a stack already gone only loses its leftover file", async () => {
        writeFileSync(stackFile("mitene-prod-ap-northeast-1-blue"), "config: {}\n");
        await engine.removeStack("mitene-prod-ap-northeast-1-blue");
        assert.ok(!existsSync(stackFile("mitene-prod-ap-northeast-1-blue")));
    });

    it("resolvePendingOperations: re-imports the state without its pending operations, then refreshes", async () => {
        region.state = {
            version: 3,
            deployment: {
                manifest: { time: "t" },
                resources: [{ urn: `${URN}::pulumi:pulumi:Stack` }],
                pending_operations: [
                    { type: "creating", resource: { urn: `${URN}::aws:lb/targetGroup:TargetGroup::api-green`, type: "aws:lb/targetGroup:TargetGroup" } },
                    { type: "updating", resource: { urn: `${URN}::aws:lb/listenerRule:ListenerRule::api`, type: "aws:lb/listenerRule:ListenerRule" } },
                ],
            },
        };
        await engine.resolvePendingOperations(REGION);
        assert.deepEqual(region.calls.map(([call]) => call), ["exportState", "importState", "refresh"]);
        assert.deepEqual(region.calls[1][1], { version: 3, deployment: { manifest: { time: "t" }, resources: [{ urn: `${URN}::pulumi:pulumi:Stack` }] } });
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /clearing pending creating of .*api-green; it may exist in the cloud without being in the state/);
        assert.doesNotMatch(warnings[1], /may exist/);
    });

    it("resolvePendingOperations: does nothing when nothing is pending", async () => {
        await engine.resolvePendingOperations(REGION);
        assert.deepEqual(region.calls.map(([call]) => call), ["exportState"]);
    });

    it("up: collects what each resource did from the engine's events (replacements as creations, sames left out)", async () => {
        const step = (op: string, type: string, diffs?: string[]) => ({ sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { op, urn: `${URN}::${type}::x`, type, diffs, provider: "" } } }) as unknown as EngineEvent;
        region.events = [step("same", "aws:iam/role:Role"), step("update", "aws:eks/cluster:Cluster", ["version"]), step("replace", "aws:eks/nodeGroup:NodeGroup"), step("delete-replaced", "aws:eks/nodeGroup:NodeGroup"), { sequence: 2, timestamp: 0 }];
        const { steps } = await engine.up(REGION);
        assert.deepEqual(steps.map((s) => [s.op, s.type, s.keys]), [
            ["update", "aws:eks/cluster:Cluster", ["version"]],
            ["create", "aws:eks/nodeGroup:NodeGroup", []],
            ["delete", "aws:eks/nodeGroup:NodeGroup", []],
        ]);
    });

    it("up: a failed update leaves no edit behind", async () => {
        region.failures = [new Error("error: update failed")];
        await assert.rejects(engine.up(REGION, { set: { "mitene:cronColor": "green" } }), /update failed/);
        assert.equal(readFileSync(stackFile(REGION), "utf8"), REGION_FILE);
    });

    it("up: the precondition sees the current state under the lock; a reason stops it before any edit or update", async () => {
        const seen: StackState[] = [];
        const precondition = (state: StackState) => (seen.push(state), state.config["mitene:cronColor"] === "blue" ? "cron already moved back" : undefined);
        await assert.rejects(
            engine.up(REGION, { set: { "mitene:weights": { blue: 50, green: 50 } } }, { precondition }),
            (e: Error) => e instanceof PreconditionFailedError && e.stackName === REGION && e.reason === "cron already moved back",
        );
        assert.equal(seen.length, 1);
        assert.equal(readFileSync(stackFile(REGION), "utf8"), REGION_FILE);
        assert.ok(!region.calls.some(([call]) => call === "up"));
    });

    it("up: after a locked stack, reads the file again and applies the change to what another process wrote meanwhile", async () => {
        region.failures = [busy()];
        const preconditions: unknown[] = [];
        // While we wait, another process (a rollback) changes the cron owner in the file.
        engine = new PulumiEngine({
            workDir: dir,
            workspace: async () => workspace,
            sleep: async () => writeFileSync(stackFile(REGION), REGION_FILE.replace("cronColor: blue", "cronColor: green")),
        });
        let fileAtUp = "";
        region.onUp = () => (fileAtUp = readFileSync(stackFile(REGION), "utf8"));
        await engine.up(REGION, { set: { "mitene:weights": { blue: 75, green: 25 } } }, { precondition: (state) => void preconditions.push(state.config["mitene:cronColor"]) });
        assert.deepEqual(preconditions, ["blue", "green"]);
        assert.match(fileAtUp, /cronColor: green/);
        assert.match(fileAtUp, /blue: 75 #/);
    });

    it("does not start an operation once the signal has fired", async () => {
        const controller = new AbortController();
        controller.abort(new Error("cancelled by SIGINT"));
        await assert.rejects(engine.up(REGION, { set: { "mitene:cronColor": "green" } }, { signal: controller.signal }), /cancelled by SIGINT/);
        await assert.rejects(engine.createStack("mitene-prod-ap-northeast-1-green", {}, { signal: controller.signal }), /cancelled by SIGINT/);
        assert.deepEqual(region.calls, []);
        assert.equal(readFileSync(stackFile(REGION), "utf8"), REGION_FILE);
    });

    describe("with a file backend's locks", () => {
        let backend: string;
        const lockFile = (pid: number, host = hostname()) => {
            const locks = path.join(backend, ".pulumi", "locks", "organization", "mitene", REGION);
            mkdirSync(locks, { recursive: true });
            writeFileSync(path.join(locks, `${pid}.json`), JSON.stringify({ pid, username: "ci", hostname: host, timestamp: "2026-11-27T10:00:00Z" }));
            return path.join(locks, `${pid}.json`);
        };
        const deadPid = 2 ** 22 + 12345;
        const pending = () => {
            region.state = { version: 3, deployment: { resources: [], pending_operations: [{ type: "updating", resource: { urn: `${URN}::x`, type: "aws:lb/listenerRule:ListenerRule" } }] } };
        };

        beforeEach(() => {
            backend = mkdtempSync(path.join(tmpdir(), "backend-"));
            workspace.backend = pathToFileURL(backend).href;
        });
        afterEach(() => rmSync(backend, { recursive: true, force: true }));

        it("an update another process is running is busy, not pending, and is never recovered", async () => {
            pending();
            lockFile(process.pid, "ci-runner-7");
            const state = await engine.getStack(REGION);
            assert.deepEqual(state!.pendingOperations, []);
            assert.match(state!.busy!, /being updated by pid \d+ of ci on ci-runner-7/);
            await assert.rejects(engine.resolvePendingOperations(REGION), (e: Error) => e instanceof StackBusyError && /in progress .* not interrupted/.test(e.message));
            assert.ok(!region.calls.some(([call]) => call === "importState" || call === "refresh"));
        });

        it("a lock left by a dead CLI on this host is an interrupted update; recovery releases it", async () => {
            const file = lockFile(deadPid);
            const state = await engine.getStack(REGION);
            assert.equal(state!.busy, undefined);
            assert.match(state!.pendingOperations[0].description, /left locked by an update that died \(pid \d+/);
            await engine.resolvePendingOperations(REGION);
            assert.ok(!existsSync(file));
            assert.match(warnings[0], /releasing the lock of an update that died/);
        });

        it("an update that finds the stack locked by a dead CLI stops as an interrupted update, naming the holder, without waiting", async () => {
            lockFile(deadPid);
            region.failures = [busy()];
            await assert.rejects(engine.up(REGION), (e: Error) => e instanceof PendingOperationsError && e.exitCode === 4 && new RegExp(`${REGION} left locked by an update that died: pid ${deadPid} of ci on ${hostname()}`).test(e.message));
            assert.deepEqual(sleeps, []);
        });

        it("a lock released while the update waited for it is tried again at once", async () => {
            region.failures = [busy()];
            await engine.up(REGION);
            assert.deepEqual(sleeps, []);
            assert.equal(region.calls.filter(([call]) => call === "up").length, 2);
        });

        it("createStack: a lock left by a `stack init` that died before the stack existed is taken over with a warning", async () => {
            const name = "mitene-prod-ap-northeast-1-green";
            const locks = path.join(backend, ".pulumi", "locks", "organization", "mitene", name);
            mkdirSync(locks, { recursive: true });
            writeFileSync(path.join(locks, "dead.json"), JSON.stringify({ pid: deadPid, username: "ci", hostname: hostname(), timestamp: "2026-11-27T10:00:00Z" }));
            workspace.createFailures = [busy()];
            await engine.createStack(name, { "mitene:cron": false });
            assert.deepEqual(workspace.calls, [["create", name], ["create", name]]);
            assert.ok(workspace.stacks.has(name));
            assert.ok(!existsSync(path.join(locks, "dead.json")));
            assert.match(warnings[0], new RegExp(`stack ${name}: taking over the lock of a stack creation that died \\(pid ${deadPid} .*\\): the stack was never created`));
            assert.deepEqual(sleeps, []);
        });

        it("createStack: a stack another host is creating is waited for, never taken over", async () => {
            const name = "mitene-prod-ap-northeast-1-green";
            const locks = path.join(backend, ".pulumi", "locks", "organization", "mitene", name);
            mkdirSync(locks, { recursive: true });
            writeFileSync(path.join(locks, "other.json"), JSON.stringify({ pid: deadPid, username: "ci", hostname: "ci-runner-7", timestamp: "2026-11-27T10:00:00Z" }));
            workspace.createFailures = [busy(), busy(), busy(), busy(), busy()];
            await assert.rejects(engine.createStack(name, {}), StackBusyError);
            assert.equal(sleeps.length, 4);
            assert.ok(existsSync(path.join(locks, "other.json")));
        });

        it("this process's live pid is not a Pulumi CLI: its lock counts as dead", async () => {
            lockFile(process.pid);
            assert.equal((await engine.getStack(REGION))!.busy, undefined);
        });
    });

    it("selects no stack: reading and updating one run no workspace command", async () => {
        await engine.getStack(REGION);
        await engine.up(REGION);
        assert.deepEqual(workspace.calls, []);
        assert.deepEqual(region.calls.map(([call]) => call), ["exportState", "up"]);
    });
});
