/**
 * Runs a stack program under Pulumi's mock runtime and returns its resource graph and outputs. Each run gets
 * its own runtime store (as Automation API inline programs do), so many programs run in one process.
 */
import * as pulumi from "@pulumi/pulumi";
import { Callback } from "@pulumi/pulumi/proto/callback_pb";
import { ChildTransform, FakeCloud } from "./cloud";
import { markReported } from "./programFailure";

/* The SDK's mock monitor and per-run store are internal; they are what `setMocks` and the Automation API's
 * inline programs use. @pulumi/pulumi is pinned to an exact version, and test/mocks checks these exist. */
/* eslint-disable @typescript-eslint/no-require-imports */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => MockMonitorInstance };
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
    withLocalStorage<T>(fn: () => Promise<T>): Promise<T>;
    getStore(): Record<string, unknown>;
};
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean, organization: string): void;
    disconnect(): Promise<void>;
};
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { setAllConfig(c: Record<string, string>, secretKeys?: string[]): void };
const stackRuntime = require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack(init: () => Promise<unknown>): Promise<unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getTransformsList(): Callback[];
}
interface MockMonitorInstance {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp?: unknown) => void): Promise<void>;
}

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent (component or the stack). */
    parent: string | null;
    custom: boolean;
    /** Inputs as the engine received them; secret values replaced by SECRET_MASK. */
    inputs: Record<string, unknown>;
}

export interface ProgramRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    /** Output keys holding secrets. */
    secretOutputs: string[];
}

export const SECRET_MASK = "[secret]";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Turns the wire form of inputs into plain JSON: secrets masked, resource references as their URN. */
export function plainInputs(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(plainInputs);
    if (value && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[SPECIAL_SIG] === SECRET_SIG) return SECRET_MASK;
        if (object[SPECIAL_SIG] === RESOURCE_SIG) return object.urn;
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plainInputs(v)]));
    }
    return value;
}

/**
 * The SDK's side of `transforms` under the mock runtime: where the engine would call back into the program,
 * the transforms are kept by token, so the fake cloud can run them on the children of remote components.
 */
class MockCallbacks {
    private readonly transforms = new Map<string, ChildTransform>();
    /** Stack transforms apply to every resource, as the engine applies them. */
    readonly stackTransforms: ChildTransform[] = [];

    async registerTransform(transform: ChildTransform): Promise<Callback> {
        const callback = new Callback();
        callback.setTarget("mock");
        callback.setToken(String(this.transforms.size));
        this.transforms.set(callback.getToken(), transform);
        return callback;
    }

    registerStackTransform(transform: ChildTransform): void {
        this.stackTransforms.push(transform);
    }

    async awaitStackRegistrations(): Promise<void> {}

    /** The SDK shuts its callback server down at disconnect; there is none here. */
    shutdown(): void {}

    of(callbacks: Callback[]): ChildTransform[] {
        return callbacks.map((callback) => this.transforms.get(callback.getToken())!);
    }
}

class RecordingMonitor extends MockMonitor {
    readonly recorded: RecordedResource[] = [];
    /** URN -> the transforms that apply to its children (its own and its ancestors'). */
    private readonly inherited = new Map<string, ChildTransform[]>();

    constructor(private readonly cloud: FakeCloud, private readonly callbacks: MockCallbacks) {
        super(cloud);
    }

    async registerResource(req: RegisterRequest, callback: (err: unknown, resp?: unknown) => void): Promise<void> {
        const inputs = plainInputs(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const transforms = [...this.callbacks.of(req.getTransformsList()), ...(this.inherited.get(req.getParent()) ?? []), ...this.callbacks.stackTransforms];
        this.cloud.setTransforms(req.getType(), req.getName(), transforms);
        return super.registerResource(req, (err: unknown, resp?: unknown) => {
            if (!err && resp) {
                const urn = (resp as { getUrn(): string }).getUrn();
                this.inherited.set(urn, transforms);
                this.recorded.push({ type: req.getType(), name: req.getName(), urn, parent: req.getParent() || null, custom: req.getCustom(), inputs });
            }
            callback(err, resp);
        });
    }
}

export interface RunProgramOptions {
    project: string;
    stack: string;
    /** Fully qualified config (`mitene:key` -> string), as in the stack file. */
    config: Record<string, string>;
    /** Fully qualified keys whose values are secrets. */
    secretKeys?: string[];
    cloud: FakeCloud;
    program: () => Promise<Record<string, unknown>>;
    /** Run as `pulumi preview` (pulumi.runtime.isDryRun()). Default false: as an update. */
    preview?: boolean;
}

export class ProgramError extends Error {
    // Not `stack`: that would hide the error's stack trace.
    constructor(readonly stackName: string, readonly causes: unknown[]) {
        super(causes.map((c) => (c instanceof Error ? c.message : String(c))).join("\n"));
        this.name = "ProgramError";
    }
}

async function secretKeysOf(outputs: Record<string, unknown>): Promise<string[]> {
    const keys: string[] = [];
    for (const [key, value] of Object.entries(outputs)) {
        if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) keys.push(key);
    }
    return keys;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` to completion: every resource registered and every output resolved. Runs are queued
 * one at a time because process-wide hooks (unhandled rejections) cannot be told apart between runs.
 */
export function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
    const run = queue.then(() => withoutStackTraces(() => runIsolated(options)));
    queue = run.catch(() => undefined);
    return run;
}

/**
 * The SDK records `new Error().stack` on every promise it creates, for a leak report the mock runtime never
 * prints; with source maps on (tsx) formatting those stacks was a third of a program's run time. Programs
 * report failures by message, so stacks are switched off while one runs.
 */
async function withoutStackTraces<T>(work: () => Promise<T>): Promise<T> {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await work();
    } finally {
        Error.stackTraceLimit = limit;
    }
}

function runIsolated(options: RunProgramOptions): Promise<ProgramRun> {
    return runtimeState.withLocalStorage(async () => {
        const callbacks = new MockCallbacks();
        const monitor = new RecordingMonitor(options.cloud, callbacks);
        settings.setMockOptions(monitor, options.project, options.stack, options.preview ?? false, "organization");
        Object.assign(runtimeState.getStore(), {
            supportsSecrets: true,
            supportsResourceReferences: true,
            supportsOutputValues: false,
            supportsDeletedWith: true,
            supportsAliasSpecs: true,
            supportsTransforms: true,
            callbacks,
        });
        runtimeConfig.setAllConfig(options.config, options.secretKeys ?? []);

        const failures: unknown[] = [];
        // The first unhandled rejection ends the run, as it ends a real `pulumi up` (the language host exits):
        // resources whose inputs wait on a failed one (e.g. a StackReference to a stack not deployed) never
        // resolve, so waiting for the program's outputs would wait forever.
        let abort: (error: unknown) => void = () => undefined;
        const aborted = new Promise<never>((_, reject) => (abort = reject));
        aborted.catch(() => undefined);
        const onFailure = (error: unknown) => {
            markReported(error);
            failures.push(error);
            abort(error);
        };
        process.on("unhandledRejection", onFailure);
        let secretOutputs: string[] = [];
        let outputs: Record<string, unknown> = {};
        try {
            const program = stackRuntime.runInPulumiStack(async () => {
                const programOutputs = await options.program();
                secretOutputs = await secretKeysOf(programOutputs);
                return programOutputs;
            });
            outputs = ((await Promise.race([program, aborted])) ?? {}) as Record<string, unknown>;
            await Promise.race([settings.disconnect(), aborted]);
        } catch (error) {
            markReported(error);
            failures.push(error);
        } finally {
            // A failed program leaves rejected promises nobody awaits (the root Stack's `outputs` isKnown and
            // isSecret, resources depending on a failed one). Node reports them once microtasks drain: keep
            // listening until a turn brings no new one, or they surface later as unhandled rejections of
            // whatever runs next (and crash the process).
            let seen: number;
            do {
                seen = failures.length;
                await new Promise((resolve) => setImmediate(resolve));
            } while (failures.length !== seen);
            process.off("unhandledRejection", onFailure);
        }
        // The same failure arrives once per promise derived from it: report each message once.
        const messageOf = (c: unknown) => (c instanceof Error ? c.message : String(c));
        const causes = failures.filter((c, i) => failures.findIndex((d) => messageOf(d) === messageOf(c)) === i);
        if (causes.length > 0) throw new ProgramError(options.stack, causes);
        return { resources: monitor.recorded, outputs, secretOutputs };
    });
}
