import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
    ConcurrentUpdateError,
    ConfigValue,
    Deployment,
    DestroyOptions,
    OpMap,
    OutputMap,
    RefreshOptions,
    StackAlreadyExistsError,
    StackNotFoundError,
    UpOptions,
} from "@pulumi/pulumi/automation";
import { EngineStack, EngineWorkspace, PulumiEngine } from "../../automation/real/pulumiEngine";
import { StackBusyError } from "../../automation/ports";

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
    outputMap: OutputMap = {};
    failures: Error[] = [];
    resourceChanges: OpMap = {};
    onUp: (opts: UpOptions) => void = () => {};

    async up(opts: UpOptions) {
        this.calls.push(["up", opts]);
        const failure = this.failures.shift();
        if (failure) throw failure;
        this.onUp(opts);
        return { outputs: this.outputMap, summary: { resourceChanges: this.resourceChanges } };
    }
    async destroy(opts: DestroyOptions) {
        this.calls.push(["destroy", opts]);
    }
    async refresh(opts: RefreshOptions) {
        this.calls.push(["refresh", opts]);
    }
    async outputs() {
        this.calls.push(["outputs", undefined]);
        return this.outputMap;
    }
    async exportStack() {
        this.calls.push(["exportStack", undefined]);
        return this.state;
    }
    async importStack(state: Deployment) {
        this.calls.push(["importStack", state]);
    }
    async setConfig(key: string, value: ConfigValue) {
        this.calls.push(["setConfig", [key, value]]);
    }
}

class FakeWorkspace implements EngineWorkspace {
    calls: [string, string][] = [];
    removeFailures: Error[] = [];
    constructor(readonly stacks: Map<string, FakeStack>) {}

    async listStacks() {
        return [...this.stacks.keys()].map((name) => ({ name, current: false }));
    }
    async selectStack(name: string) {
        this.calls.push(["select", name]);
        const stack = this.stacks.get(name);
        if (!stack) throw new StackNotFoundError(`no stack named '${name}' found`);
        return stack;
    }
    async createStack(name: string) {
        this.calls.push(["create", name]);
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

    it("reads a stack: config from its file, outputs unwrapped, resources and pending operations from the export", async () => {
        region.state = {
            version: 3,
            deployment: {
                resources: [{ urn: `${URN}::pulumi:pulumi:Stack` }, { urn: `${URN}::aws:lb/listenerRule:ListenerRule::api` }],
                pending_operations: [{ type: "updating", resource: { urn: `${URN}::aws:lb/listenerRule:ListenerRule::api`, type: "aws:lb/listenerRule:ListenerRule" } }],
            },
        };
        region.outputMap = { weights: { value: { blue: 100, green: 0 }, secret: false } };
        assert.deepEqual(await engine.getStack(REGION), {
            name: REGION,
            config: { "mitene:weights": { blue: 100, green: 0 }, "mitene:cronColor": "blue" },
            outputs: { weights: { blue: 100, green: 0 } },
            resourceCount: 2,
            pendingOperations: [{ description: "updating aws:lb/listenerRule:ListenerRule", urn: `${URN}::aws:lb/listenerRule:ListenerRule::api` }],
        });
    });

    it("reports no outputs for a stack without resources, without asking for them", async () => {
        region.outputMap = { stale: { value: 1, secret: false } };
        const state = await engine.getStack(REGION);
        assert.equal(state!.outputs, null);
        assert.ok(!region.calls.some(([call]) => call === "outputs"));
    });

    it("answers undefined for a stack that does not exist", async () => {
        assert.equal(await engine.getStack("mitene-prod-ap-northeast-1-green"), undefined);
    });

    it("lets other errors selecting a stack through", async () => {
        workspace.selectStack = async () => Promise.reject(new Error("error: could not read backend credentials"));
        await assert.rejects(engine.getStack(REGION), /backend credentials/);
    });

    it("up: writes the config change into the stack file first, keeping its comments, then deploys", async () => {
        let fileAtUp = "";
        region.onUp = () => (fileAtUp = readFileSync(stackFile(REGION), "utf8"));
        region.outputMap = { weights: { value: { blue: 75, green: 25 }, secret: false } };
        region.resourceChanges = { same: 40, update: 2, create: 0 };
        const controller = new AbortController();
        const result = await engine.up(REGION, { set: { "mitene:weights": { blue: 75, green: 25 }, "mitene:cronColor": "green" } }, { signal: controller.signal });
        assert.equal(fileAtUp, REGION_FILE.replace("blue: 100 #", "blue: 75 #").replace("green: 0", "green: 25").replace("cronColor: blue", "cronColor: green"));
        assert.deepEqual(result, { outputs: { weights: { blue: 75, green: 25 } }, changes: { update: 2 } });
        const opts = region.calls.find(([call]) => call === "up")![1] as UpOptions;
        assert.equal(opts.signal, controller.signal);
        assert.equal(opts.color, "never");
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

    it("up: gives up after 5 attempts with StackBusyError", async () => {
        region.failures = [busy(), busy(), busy(), busy(), busy()];
        await assert.rejects(engine.up(REGION), (e: Error) => e instanceof StackBusyError && /stack region-prod-ap-northeast-1: .*after 5 attempts/.test(e.message));
        assert.deepEqual(sleeps.map(([ms]) => ms), [10_000, 20_000, 40_000, 80_000]);
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
        assert.deepEqual(workspace.calls, [["create", REGION], ["select", REGION]]);
        assert.equal(readFileSync(stackFile(REGION), "utf8"), "config:\n  mitene:cron: false\n");
    });

    it("destroy: passes the signal and progress through", async () => {
        const controller = new AbortController();
        await engine.destroy(REGION, { signal: controller.signal, onOutput: () => {} });
        const opts = region.calls[0][1] as DestroyOptions;
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
        assert.deepEqual(region.calls.map(([call]) => call), ["exportStack", "importStack", "refresh"]);
        assert.deepEqual(region.calls[1][1], { version: 3, deployment: { manifest: { time: "t" }, resources: [{ urn: `${URN}::pulumi:pulumi:Stack` }] } });
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /clearing pending creating of .*api-green; it may exist in the cloud without being in the state/);
        assert.doesNotMatch(warnings[1], /may exist/);
    });

    it("resolvePendingOperations: does nothing when nothing is pending", async () => {
        await engine.resolvePendingOperations(REGION);
        assert.deepEqual(region.calls.map(([call]) => call), ["exportStack"]);
    });

    it("selects a stack once and reuses it", async () => {
        await engine.getStack(REGION);
        await engine.up(REGION);
        assert.deepEqual(workspace.calls, [["select", REGION]]);
    });
});
