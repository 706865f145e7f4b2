/**
 * StackEngine on Pulumi's Automation API: a LocalWorkspace over this repository's own project (the root
 * `Pulumi.yaml`, stack files under `stackConfigDir`), driving the Pulumi CLI against the configured backend.
 *
 * Config is not set through `pulumi config set`: the driver edits the stack file itself (see stackFile.ts) so
 * the change is a reviewable, comment-preserving diff, and `pulumi up` then reads that file as usual.
 */
import { rmSync } from "node:fs";
import * as path from "node:path";
import { CommandFailedError } from "../errors";
import {
    ConcurrentUpdateError,
    ConfigValue,
    Deployment,
    DestroyOptions,
    LocalWorkspace,
    OpMap,
    OutputMap,
    RefreshOptions,
    Stack,
    StackAlreadyExistsError,
    StackNotFoundError,
    StackSummary,
    UpOptions,
} from "@pulumi/pulumi/automation";
import { ConfigChanges, OperationOptions, StackBusyError, StackConfig, StackEngine, StackState, UpResult } from "../ports";
import { editStackConfig, readProject, readStackConfig, writeStackConfig } from "./stackFile";

/** The part of an Automation API `Stack` the engine uses; a real `Stack` is one. */
export interface EngineStack {
    up(opts: UpOptions): Promise<{ outputs: OutputMap; summary: { resourceChanges?: OpMap } }>;
    destroy(opts: DestroyOptions): Promise<unknown>;
    refresh(opts: RefreshOptions): Promise<unknown>;
    outputs(): Promise<OutputMap>;
    exportStack(): Promise<Deployment>;
    importStack(state: Deployment): Promise<void>;
    setConfig(key: string, value: ConfigValue): Promise<void>;
}

/** The part of a `LocalWorkspace` the engine uses, with stack selection folded in. */
export interface EngineWorkspace {
    listStacks(): Promise<StackSummary[]>;
    /** Throws StackNotFoundError when there is no such stack. */
    selectStack(name: string): Promise<EngineStack>;
    /** Throws StackAlreadyExistsError when there is one. */
    createStack(name: string): Promise<EngineStack>;
    removeStack(name: string): Promise<void>;
}

/** A LocalWorkspace over the project; new stacks encrypt their secrets with `secretsProvider` when given. */
export async function localWorkspace(workDir: string, secretsProvider?: string): Promise<EngineWorkspace> {
    let workspace: LocalWorkspace;
    try {
        workspace = await LocalWorkspace.create({ workDir, ...(secretsProvider ? { secretsProvider } : {}) });
    } catch (error) {
        if (/ENOENT.*pulumi|pulumi.*ENOENT/s.test(String((error as Error).message))) {
            throw new CommandFailedError("the Pulumi CLI is not installed or not on PATH (https://www.pulumi.com/docs/install/); to rehearse without it, use --engine sim");
        }
        throw error;
    }
    return {
        listStacks: () => workspace.listStacks(),
        selectStack: (name) => Stack.select(name, workspace),
        createStack: (name) => Stack.create(name, workspace),
        removeStack: (name) => workspace.removeStack(name),
    };
}

export interface PulumiEngineOptions {
    /** The repository root, where `Pulumi.yaml` lives. */
    workDir: string;
    /** Defaults to a LocalWorkspace over `workDir`; tests pass a fake. */
    workspace?: (workDir: string) => Promise<EngineWorkspace>;
    /** Secrets provider of stacks the driver creates (e.g. `awskms://alias/mitene-pulumi`); default the backend's. */
    secretsProvider?: string;
    /** How to wait between retries of a locked stack (the driver's Clock.sleep). */
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Attempts on a locked stack before giving up with StackBusyError; 5 by default. */
    attempts?: number;
    /** First wait between attempts, doubled each time; 10 s by default (10+20+40+80 s in all). */
    firstRetryMs?: number;
    /** Where warnings go (what resolving pending operations may have left behind). */
    warn?: (line: string) => void;
}

export interface CreateStackOptions extends OperationOptions {
    /**
     * Plaintext of the secret config values, set with `pulumi config set --secret` (encrypted with the new
     * stack's key). A `secure:` value in `config` is ciphertext under the source stack's key and cannot be
     * copied, so each one must be given here or createStack refuses.
     */
    secrets?: Record<string, string>;
}

interface PendingEntry {
    type?: string;
    resource?: { urn?: string; type?: string };
}

const isSecure = (value: unknown) => typeof value === "object" && value !== null && "secure" in value;
const unwrap = (outputs: OutputMap) => Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
const OPERATION = { color: "never" } as const;

/** The CLI's output arrives in chunks; the port promises lines. */
function lineSplitter(onLine: (line: string) => void): { write: (chunk: string) => void; flush: () => void } {
    let rest = "";
    return {
        write(chunk) {
            const lines = (rest + chunk).split("\n");
            rest = lines.pop()!;
            lines.forEach((line) => onLine(line));
        },
        flush() {
            if (rest !== "") onLine(rest);
            rest = "";
        },
    };
}

export class PulumiEngine implements StackEngine {
    private readonly project: string;
    private readonly stacksDir: string;
    private readonly workspace: Promise<EngineWorkspace>;
    private readonly stacks = new Map<string, Promise<EngineStack>>();

    constructor(private readonly options: PulumiEngineOptions) {
        ({ project: this.project, stacksDir: this.stacksDir } = readProject(options.workDir));
        this.workspace = options.workspace ? options.workspace(options.workDir) : localWorkspace(options.workDir, options.secretsProvider);
        // Nothing awaits the workspace until the first call; keep a failure from being reported as unhandled.
        void this.workspace.catch(() => undefined);
    }

    async listStacks(): Promise<string[]> {
        const summaries = await (await this.workspace).listStacks();
        // Cloud backends may answer `org/stack`; the driver works with bare names.
        return [...new Set(summaries.map((s) => s.name.split("/").pop()!))].sort();
    }

    async getStack(name: string): Promise<StackState | undefined> {
        let stack: EngineStack;
        try {
            stack = await this.stack(name);
        } catch (error) {
            if (error instanceof StackNotFoundError) return undefined;
            throw error;
        }
        const { deployment } = await stack.exportStack();
        const resourceCount: number = deployment?.resources?.length ?? 0;
        const pending: PendingEntry[] = deployment?.pending_operations ?? [];
        return {
            name,
            config: readStackConfig(this.stackFile(name), this.project),
            // An empty state still remembers the last outputs in some backends: no resources means no outputs.
            outputs: resourceCount > 0 ? unwrap(await stack.outputs()) : null,
            resourceCount,
            pendingOperations: pending.map((op) => ({ description: `${op.type ?? "unknown"} ${op.resource?.type ?? "resource"}`, urn: op.resource?.urn })),
        };
    }

    /**
     * Creates the stack (or adopts it if a crashed run already created it) and writes its stack file. Throws
     * before creating anything if `config` holds a secret whose plaintext is not in `opts.secrets`.
     */
    async createStack(name: string, config: StackConfig, opts: CreateStackOptions = {}): Promise<void> {
        const secrets = opts.secrets ?? {};
        const missing = Object.keys(config).filter((key) => isSecure(config[key]) && !(key in secrets));
        if (missing.length > 0) throw new Error(`stack ${name}: secret config ${missing.join(", ")} cannot be copied; pass the plaintext in secrets`);
        let stack: EngineStack;
        try {
            stack = await (await this.workspace).createStack(name);
        } catch (error) {
            if (!(error instanceof StackAlreadyExistsError)) throw error;
            stack = await (await this.workspace).selectStack(name);
        }
        this.stacks.set(name, Promise.resolve(stack));
        const plain = Object.fromEntries(Object.entries(config).filter(([key]) => !(key in secrets)));
        writeStackConfig(this.stackFile(name), this.project, plain);
        for (const [key, value] of Object.entries(secrets)) await stack.setConfig(key, { value, secret: true });
    }

    async up(name: string, changes?: ConfigChanges, opts: OperationOptions = {}): Promise<UpResult> {
        const stack = await this.stack(name);
        if (changes) editStackConfig(this.stackFile(name), this.project, changes);
        const result = await this.withOutput(opts, (onOutput) => this.retrying(name, opts.signal, () => stack.up({ ...OPERATION, onOutput, signal: opts.signal })));
        const counts = Object.entries(result.summary.resourceChanges ?? {}).filter(([op, count]) => op !== "same" && count > 0);
        return { outputs: unwrap(result.outputs), changes: Object.fromEntries(counts) };
    }

    async destroy(name: string, opts: OperationOptions = {}): Promise<void> {
        const stack = await this.stack(name);
        await this.withOutput(opts, (onOutput) => this.retrying(name, opts.signal, () => stack.destroy({ ...OPERATION, onOutput, signal: opts.signal })));
    }

    /** Removes the stack (Pulumi refuses while it still has resources) and its file; a stack already gone is fine. */
    async removeStack(name: string, opts: OperationOptions = {}): Promise<void> {
        const workspace = await this.workspace;
        try {
            await this.retrying(name, opts.signal, () => workspace.removeStack(name));
        } catch (error) {
            if (!(error instanceof StackNotFoundError)) throw error;
        }
        this.stacks.delete(name);
        // `pulumi stack rm` deletes the file too; this covers a run killed between the two.
        rmSync(this.stackFile(name), { force: true });
    }

    /**
     * The documented recovery for an interrupted update: export the state, drop its pending operations, import
     * it back, then refresh so the state matches what the cloud really has. A pending *create* may have made a
     * resource the state never recorded; refresh cannot find it, so each one is reported through `warn` for an
     * operator to check (and `pulumi import` if it exists). No pending operations: nothing is done.
     */
    async resolvePendingOperations(name: string): Promise<void> {
        const stack = await this.stack(name);
        const state = await stack.exportStack();
        const pending: PendingEntry[] = state.deployment?.pending_operations ?? [];
        if (pending.length === 0) return;
        for (const op of pending) {
            const orphan = op.type === "creating" ? "; it may exist in the cloud without being in the state" : "";
            this.options.warn?.(`stack ${name}: clearing pending ${op.type} of ${op.resource?.urn}${orphan}`);
        }
        const deployment = { ...state.deployment };
        delete deployment.pending_operations;
        await this.retrying(name, undefined, () => stack.importStack({ ...state, deployment }));
        await this.retrying(name, undefined, () => stack.refresh({ ...OPERATION }));
    }

    private stack(name: string): Promise<EngineStack> {
        let stack = this.stacks.get(name);
        if (stack === undefined) {
            stack = this.workspace.then((workspace) => workspace.selectStack(name));
            this.stacks.set(name, stack);
            // Not found now may exist later (createStack): only a selected stack is remembered.
            void stack.catch(() => this.stacks.delete(name));
        }
        return stack;
    }

    private stackFile(name: string): string {
        return path.join(this.stacksDir, `Pulumi.${name}.yaml`);
    }

    private async withOutput<T>(opts: OperationOptions, run: (onOutput?: (chunk: string) => void) => Promise<T>): Promise<T> {
        if (!opts.onOutput) return run();
        const lines = lineSplitter(opts.onOutput);
        try {
            return await run(lines.write);
        } finally {
            lines.flush();
        }
    }

    /** Another update holds the stack: wait and try again, doubling the wait, then give up with StackBusyError. */
    private async retrying<T>(name: string, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
        const attempts = this.options.attempts ?? 5;
        for (let attempt = 1; ; attempt++) {
            try {
                return await operation();
            } catch (error) {
                if (!(error instanceof ConcurrentUpdateError)) throw error;
                if (attempt >= attempts) throw new StackBusyError(name, `another update is in progress (gave up after ${attempts} attempts)`);
                await this.options.sleep((this.options.firstRetryMs ?? 10_000) * 2 ** (attempt - 1), signal);
            }
        }
    }
}
