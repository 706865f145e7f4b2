/**
 * StackEngine on Pulumi's Automation API: a LocalWorkspace over a Pulumi project (this repository's root
 * `Pulumi.yaml` in production, a project under `--state` on the local engine), driving the Pulumi CLI.
 *
 * Config is not set through `pulumi config set`: the driver edits the stack file itself (stackFile.ts) so the
 * change is a reviewable, comment-preserving diff, and `pulumi up` then reads that file. The edit and the `up`
 * happen under one lock per stack file shared by every mitene process on the machine, the file re-read under
 * it, so an upgrade and a concurrent rollback never overwrite or deploy each other's edit; an `up` that fails
 * puts the file back as it was.
 *
 * Observations (`getStack`) read the checkpoint without decrypting it, and tell an update in progress in
 * another process (the stack's lock, held by a live process) from an interrupted one (pending operations, or
 * a lock whose holder is dead): only the latter is ever "recovered".
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CommandError, ConcurrentUpdateError, Deployment, EngineEvent, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { PendingOperationsError } from "../core/errors";
import { ConfigChanges, OperationOptions, PreconditionFailedError, StackBusyError, StackConfig, StackEngine, StackState, UpResult } from "../core/ports";
import { ResourceChange } from "../scenario/durations";
import { FileBackend, LockHolder, describeHolder } from "./fileBackend";
import { withFileLock } from "./fileLock";
import { Profile } from "./profile";
import { editStackConfig, readProject, readStackConfig, writeStackConfig } from "./stackFile";
import { EngineStack, EngineWorkspace, localWorkspace } from "./workspace";

export type { EngineStack, EngineWorkspace } from "./workspace";

export interface PulumiEngineOptions {
    /** Where the project's `Pulumi.yaml` is. */
    workDir: string;
    /** Defaults to a LocalWorkspace over `workDir`; tests pass a fake. */
    workspace?: (workDir: string) => Promise<EngineWorkspace>;
    /** Secrets provider of stacks the driver creates (e.g. `awskms://alias/mitene-pulumi`); default the backend's. */
    secretsProvider?: string;
    /** The CLI (default `pulumi` on PATH), its version if known, and the environment of its commands. */
    command?: string;
    version?: string;
    env?: Record<string, string>;
    /** How to wait between retries of a locked stack. */
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Attempts on a locked stack before giving up with StackBusyError; 5 by default. */
    attempts?: number;
    /** First wait between attempts, doubled each time; 10 s by default (10+20+40+80 s in all). */
    firstRetryMs?: number;
    /** Where warnings go (what resolving pending operations may have left behind, waits for a stack file). */
    warn?: (line: string) => void;
    /** Where the stack-file locks live (default: the system's temporary directory). */
    lockDir?: string;
    /** Gets the timing of every CLI command and the phases of every operation (`MITENE_PROFILE`). */
    profile?: Profile;
}

export interface CreateStackOptions extends OperationOptions {
    /**
     * Plaintext of the secret config values, set with `pulumi config set --secret` (encrypted with the new
     * stack's key). A `secure:` value in `config` is ciphertext under the source stack's key and cannot be
     * copied, so each one must be given here or createStack refuses.
     */
    secrets?: Record<string, string>;
}

/** An `up` with what each resource did, from the engine's own events. */
export interface PulumiUpResult extends UpResult {
    steps: ResourceChange[];
}

interface PendingEntry {
    type?: string;
    resource?: { urn?: string; type?: string };
}

interface CheckpointResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

const ORGANIZATION = "organization";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** What a secret output reads as where nothing is decrypted. */
export const SECRET_OUTPUT = "[secret]";

const isSecure = (value: unknown) => typeof value === "object" && value !== null && "secure" in value;

/** A checkpoint value as plain data: secrets (ciphertext) become SECRET_OUTPUT. */
function plainValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plainValue);
    if (value && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[SIG_KEY] === SECRET_SIG) return SECRET_OUTPUT;
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plainValue(v)]));
    }
    return value;
}

/**
 * Summary ops that change no resource: `read` is a StackReference (or `.get`) whose read outputs differ from
 * the last ones stored; the region stack reads its own outputs, so it shows once after each update.
 */
const UNCHANGED_OPS = new Set(["same", "read"]);

const STEP_OPS: Record<string, ResourceChange["op"]> = {
    create: "create",
    "create-replacement": "create",
    replace: "create",
    update: "update",
    delete: "delete",
    "delete-replaced": "delete",
    discard: "delete",
};

/** A resource step the engine finished, as the durations model reads it. */
function stepOf(event: EngineEvent): ResourceChange | undefined {
    const metadata = event.resOutputsEvent?.metadata;
    const op = metadata && STEP_OPS[metadata.op];
    if (!metadata || !op) return undefined;
    return { type: metadata.type, urn: metadata.urn, op, keys: metadata.diffs ?? [] };
}

/**
 * A failed CLI command as one readable line: its diagnostics (the SDK's error carries the whole output of the
 * command, progress included), without resource headers, Node warnings and colour codes; else the last line
 * it printed.
 */
export function failureSummary(error: CommandError): string {
    const lines = error.message.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    const start = lines.findIndex((line) => line.trim() === "Diagnostics:");
    if (start >= 0) {
        // The section ends at the next unindented line (Outputs:, Resources:) or the SDK's own stderr part.
        const end = lines.findIndex((line, i) => i > start && (/^\S/.test(line) || /^ (stderr|err\?):/.test(line)));
        const segments: string[] = [];
        for (const raw of lines.slice(start + 1, end < 0 ? undefined : end)) {
            const line = raw.trim();
            if (line === "" || /^\S+ \(.*\):$/.test(line) || /^\((node:\d+|Use `node)/.test(line)) continue;
            if (line.startsWith("error: ") || segments.length === 0) segments.push(line.replace(/^error: /, ""));
            else segments[segments.length - 1] += ` ${line}`;
        }
        if (segments.length > 0) return [...new Set(segments)].join("; ");
    }
    const printed = lines.map((line) => line.trim()).filter((line) => line !== "" && !/^(err\?:|stderr:|stdout:|code:)\s*\S*$/.test(line));
    return printed.pop() ?? "failed";
}

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
    private files?: Promise<FileBackend | undefined>;

    constructor(private readonly options: PulumiEngineOptions) {
        ({ project: this.project, stacksDir: this.stacksDir } = readProject(options.workDir));
        const { secretsProvider, command, version, env, profile } = options;
        this.workspace = options.workspace ? options.workspace(options.workDir) : localWorkspace(options.workDir, { secretsProvider, command, version, env, profile });
        // Nothing awaits the workspace until the first call; keep a failure from being reported as unhandled.
        void this.workspace.catch(() => undefined);
    }

    async listStacks(): Promise<string[]> {
        const stored = (await this.fileBackend())?.stacks(this.project);
        if (stored) return stored.sort();
        const summaries = await (await this.workspace).listStacks();
        // Cloud backends may answer `org/stack`; the driver works with bare names.
        return [...new Set(summaries.map((s) => s.name.split("/").pop()!))].sort();
    }

    async getStack(name: string): Promise<StackState | undefined> {
        const checkpoint = await this.checkpoint(name);
        if (!checkpoint) return undefined;
        const { deployment } = checkpoint;
        const resources: CheckpointResource[] = deployment?.resources ?? [];
        const pending: PendingEntry[] = deployment?.pending_operations ?? [];
        const holders = (await this.lockHolders(name)) ?? [];
        const live = holders.filter((h) => h.live);
        const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
        return {
            name,
            config: readStackConfig(this.stackFile(name), this.project),
            // An empty state still remembers the last outputs in some backends: no resources means no outputs.
            outputs: resources.length > 0 ? (plainValue(root?.outputs ?? {}) as Record<string, unknown>) : null,
            resourceCount: resources.length,
            pendingOperations:
                live.length > 0
                    ? []
                    : [
                          ...pending.map((op) => ({ description: `${op.type ?? "unknown"} ${op.resource?.type ?? "resource"}`, urn: op.resource?.urn })),
                          ...holders.map((h) => ({ description: `stack left locked by an update that died (${describeHolder(h)})` })),
                      ],
            ...(live.length > 0 ? { busy: `being updated by ${live.map(describeHolder).join(", ")}` } : {}),
        };
    }

    /** The types of the resources in the stack's state (none when it does not exist). */
    async resourceTypes(name: string): Promise<string[]> {
        const resources: CheckpointResource[] = (await this.checkpoint(name))?.deployment?.resources ?? [];
        return resources.map((r) => r.type);
    }

    /**
     * Writes the stack file, then creates the stack (or adopts it: a crashed run, or another process at the
     * same moment, may have created it). Throws before creating anything if `config` holds a secret whose
     * plaintext is not in `opts.secrets`.
     */
    async createStack(name: string, config: StackConfig, opts: CreateStackOptions = {}): Promise<void> {
        const secrets = opts.secrets ?? {};
        const missing = Object.keys(config).filter((key) => isSecure(config[key]) && !(key in secrets));
        if (missing.length > 0) throw new Error(`stack ${name}: secret config ${missing.join(", ")} cannot be copied; pass the plaintext in secrets`);
        this.throwIfAborted(opts.signal);
        await this.withStackFile(name, opts.signal, async () => {
            // The file first: a run killed right after `stack init` leaves a stack with its configuration.
            const plain = Object.fromEntries(Object.entries(config).filter(([key]) => !(key in secrets)));
            writeStackConfig(this.stackFile(name), this.project, plain);
            const stack = await this.initStack(name, opts.signal);
            for (const [key, value] of Object.entries(secrets)) await stack.setConfig(key, { value, secret: true });
        });
    }

    /**
     * `pulumi stack init`, safe to run in several processes at once and after a crash. Init takes the stack's
     * lock before it looks whether the stack exists (pulumi v3.248.0 pkg/backend/diy/backend.go CreateStack),
     * so a lock held on an existing stack means there is a stack to adopt; a lock on a stack that does not
     * exist was left by an init that died before it wrote anything, and is taken over with a warning.
     */
    private async initStack(name: string, signal?: AbortSignal): Promise<EngineStack> {
        const workspace = await this.workspace;
        return this.retrying(name, signal, async () => {
            try {
                return await workspace.createStack(name);
            } catch (error) {
                if (error instanceof StackAlreadyExistsError) return workspace.stack(name);
                if (!(error instanceof ConcurrentUpdateError)) throw error;
                if (await this.checkpoint(name)) return workspace.stack(name);
                const holders = (await this.lockHolders(name)) ?? [];
                if (holders.length > 0 && holders.every((h) => !h.live)) {
                    for (const holder of holders) {
                        this.options.warn?.(`stack ${name}: taking over the lock of a stack creation that died (${describeHolder(holder)}): the stack was never created`);
                        (await this.fileBackend())!.release(holder);
                    }
                }
                throw error;
            }
        });
    }

    /**
     * Under the stack file's lock: check the precondition on the current state, apply the config changes to
     * the file as it is now, `up`. A failed `up` puts the file back; a stack another update holds is waited
     * for (the lock released meanwhile) and the whole of it done again on the state found then.
     */
    async up(name: string, changes?: ConfigChanges, opts: OperationOptions = {}): Promise<PulumiUpResult> {
        const stack = await this.stack(name);
        const file = this.stackFile(name);
        return this.retrying(name, opts.signal, () =>
            this.withStackFile(name, opts.signal, async () => {
                if (opts.precondition) {
                    const state = await this.getStack(name);
                    const reason = state ? opts.precondition(state) : `stack ${name} does not exist`;
                    if (reason) throw new PreconditionFailedError(name, reason);
                }
                const before = existsSync(file) ? readFileSync(file, "utf8") : undefined;
                if (changes) editStackConfig(file, this.project, changes);
                try {
                    const steps: ResourceChange[] = [];
                    const onEvent = (event: EngineEvent) => {
                        const step = stepOf(event);
                        if (step) steps.push(step);
                    };
                    const result = await this.withOutput(opts, (onOutput) => stack.up({ onOutput, onEvent, signal: opts.signal }));
                    const counts = Object.entries(result.resourceChanges).filter(([op, count]) => !UNCHANGED_OPS.has(op) && (count ?? 0) > 0);
                    return { outputs: plainValue(result.outputs) as Record<string, unknown>, changes: Object.fromEntries(counts), steps };
                } catch (error) {
                    if (before === undefined) rmSync(file, { force: true });
                    else writeFileSync(file, before);
                    throw error;
                }
            }),
        );
    }

    async destroy(name: string, opts: OperationOptions = {}): Promise<void> {
        const stack = await this.stack(name);
        await this.withOutput(opts, (onOutput) => this.retrying(name, opts.signal, () => stack.destroy({ onOutput, signal: opts.signal })));
    }

    /** Removes the stack (Pulumi refuses while it still has resources) and its file; a stack already gone is fine. */
    async removeStack(name: string, opts: OperationOptions = {}): Promise<void> {
        const workspace = await this.workspace;
        await this.withStackFile(name, opts.signal, async () => {
            try {
                await this.retrying(name, opts.signal, () => workspace.removeStack(name));
            } catch (error) {
                if (!(error instanceof StackNotFoundError)) throw error;
            }
            // `pulumi stack rm` deletes the file too; this covers a run killed between the two.
            rmSync(this.stackFile(name), { force: true });
        });
    }

    /**
     * The documented recovery for an interrupted update: export the state, drop its pending operations, import
     * it back, then refresh so the state matches what the cloud really has. A lock left by a dead update is
     * released first. A pending *create* may have made a resource the state never recorded; refresh cannot find
     * it, so each one is reported through `warn` for an operator to check (and `pulumi import` if it exists).
     * A stack another live process is updating is not interrupted: StackBusyError, and nothing is touched.
     */
    async resolvePendingOperations(name: string): Promise<void> {
        const holders = (await this.lockHolders(name)) ?? [];
        const live = holders.filter((h) => h.live);
        if (live.length > 0) throw new StackBusyError(name, `an update is in progress (${live.map(describeHolder).join(", ")}), not interrupted: nothing to recover`);
        for (const holder of holders) {
            this.options.warn?.(`stack ${name}: releasing the lock of an update that died (${describeHolder(holder)})`);
            (await this.fileBackend())!.release(holder);
        }
        const stack = await this.stack(name);
        const state = await this.checkpoint(name);
        if (!state) return;
        const pending: PendingEntry[] = state.deployment?.pending_operations ?? [];
        if (pending.length === 0) return;
        for (const op of pending) {
            const orphan = op.type === "creating" ? "; it may exist in the cloud without being in the state" : "";
            this.options.warn?.(`stack ${name}: clearing pending ${op.type} of ${op.resource?.urn}${orphan}`);
        }
        const deployment = { ...state.deployment };
        delete deployment.pending_operations;
        await this.retrying(name, undefined, () => stack.importState({ ...state, deployment }));
        await this.retrying(name, undefined, () => stack.refresh({}));
    }

    /**
     * The stack's checkpoint as stored (nothing decrypted); undefined when there is no such stack. A file
     * backend's is read from disk, any other's exported by the CLI.
     */
    private async checkpoint(name: string): Promise<Deployment | undefined> {
        const stored = (await this.fileBackend())?.checkpoint(this.project, name);
        if (stored) return stored.exists ? stored.deployment : undefined;
        try {
            return await (await this.stack(name)).exportState();
        } catch (error) {
            if (error instanceof StackNotFoundError) return undefined;
            throw error;
        }
    }

    private async stack(name: string): Promise<EngineStack> {
        return (await this.workspace).stack(name);
    }

    private stackFile(name: string): string {
        return path.join(this.stacksDir, `Pulumi.${name}.yaml`);
    }

    private fileBackend(): Promise<FileBackend | undefined> {
        this.files ??= this.workspace.then(async (workspace) => FileBackend.forBackend(await workspace.backendUrl()));
        return this.files;
    }

    /** Who holds the stack's lock; undefined when the backend's locks cannot be read from here. */
    private async lockHolders(name: string): Promise<LockHolder[] | undefined> {
        return (await this.fileBackend())?.holders(ORGANIZATION, this.project, name);
    }

    private withStackFile<T>(name: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
        const onWait = (holder: string) => this.options.warn?.(`stack ${name}: waiting for another mitene process editing its stack file (${holder})`);
        return withFileLock(this.stackFile(name), work, signal, { dir: this.options.lockDir, onWait });
    }

    private throwIfAborted(signal: AbortSignal | undefined): void {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("cancelled");
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
            this.throwIfAborted(signal);
            try {
                return await operation();
            } catch (error) {
                // A cancelled command fails as the CLI reports it; the caller wants the cancellation.
                if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : error;
                const typed = error instanceof ConcurrentUpdateError || error instanceof StackNotFoundError || error instanceof StackAlreadyExistsError;
                if (error instanceof CommandError && !typed) {
                    throw new Error(`stack ${name}: ${failureSummary(error)}`, { cause: error });
                }
                if (!(error instanceof ConcurrentUpdateError)) throw error;
                const holders = await this.lockHolders(name);
                // Every holder provably dead: an interrupted update, which only --recover may resolve.
                if (holders && holders.length > 0 && holders.every((h) => !h.live)) {
                    throw new PendingOperationsError([name], holders.map((h) => `${name} left locked by an update that died: ${describeHolder(h)}`));
                }
                if (attempt >= attempts) throw new StackBusyError(name, `another update is in progress (gave up after ${attempts} attempts)`);
                // The holder finished meanwhile: try again at once.
                if (holders?.length === 0) continue;
                const wait = (this.options.firstRetryMs ?? 10_000) * 2 ** (attempt - 1);
                this.options.warn?.(`stack ${name} is locked by another update; trying again in ${wait / 1000} s (attempt ${attempt + 1} of ${attempts})`);
                await this.options.sleep(wait, signal);
            }
        }
    }
}
