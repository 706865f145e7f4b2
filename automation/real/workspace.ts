/**
 * The part of the Automation API the engine uses, over a LocalWorkspace whose CLI runs in its own process
 * group (pulumiCommand.ts). State moves without decrypting anything: exports keep secrets as the ciphertext
 * the backend holds (no `--show-secrets`), and an import reads a file only this user can read, in a private
 * directory removed whatever happens, so recovering a stack needs no decrypt rights and leaves no plaintext.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ConfigValue, Deployment, EngineEvent, LocalWorkspace, OpMap, StackSummary } from "@pulumi/pulumi/automation";
import { CommandFailedError } from "../core/errors";
import { listenForEvents } from "./engineEvents";
import { Profile, operationMarks } from "./profile";
import { ProcessGroupPulumiCommand } from "./pulumiCommand";

export interface RunOptions {
    /** The CLI's output, chunk by chunk. */
    onOutput?: (chunk: string) => void;
    /** The engine's events, as they arrive. */
    onEvent?: (event: EngineEvent) => void;
    /** Cancels the operation (one SIGINT to the CLI). */
    signal?: AbortSignal;
}

/** What an operation did, from its own events: the root stack's outputs (secrets signed, never in plaintext) and the count of each step kind. */
export interface OperationResult {
    outputs: Record<string, unknown>;
    resourceChanges: OpMap;
}

/**
 * One stack of the workspace. Nothing is ever selected: every command names its stack (`--stack`), so two
 * operations at once, in this process or another, never race on the workspace's "current stack" file, which
 * `pulumi stack select` rewrites (the Automation API's createOrSelectStack cannot run concurrently:
 * pulumi/pulumi#8186). A stack that does not exist fails its first command with StackNotFoundError.
 */
export interface EngineStack {
    up(opts: RunOptions): Promise<OperationResult>;
    destroy(opts: RunOptions): Promise<OperationResult>;
    refresh(opts: RunOptions): Promise<OperationResult>;
    setConfig(key: string, value: ConfigValue): Promise<void>;
    /** The checkpoint as the backend holds it: secrets stay ciphertext. */
    exportState(): Promise<Deployment>;
    /** Replaces the checkpoint (same stack, same secrets provider: ciphertext stays valid). */
    importState(state: Deployment): Promise<void>;
}

/** The part of a `LocalWorkspace` the engine uses. */
export interface EngineWorkspace {
    listStacks(): Promise<StackSummary[]>;
    /** A stack by name, running nothing: using one that does not exist throws StackNotFoundError. */
    stack(name: string): EngineStack;
    /** `pulumi stack init --no-select`; throws StackAlreadyExistsError when there is one. */
    createStack(name: string): Promise<EngineStack>;
    removeStack(name: string): Promise<void>;
    /** The backend's URL (`file://...`, `s3://...`, `https://api.pulumi.com`). */
    backendUrl(): Promise<string | undefined>;
}

export interface WorkspaceOptions {
    /** Secrets provider of new stacks, e.g. `awskms://alias/mitene-pulumi` or `passphrase`. */
    secretsProvider?: string;
    /** The CLI to run: a path, or `pulumi` on PATH (default). */
    command?: string;
    /** Its version when already known (saves running `pulumi version`). */
    version?: string;
    /** Environment of every CLI command (backend URL, passphrase, PATH for plugins, ...). */
    env?: Record<string, string>;
    /** Gets the timing of every CLI command and the phases of every operation. */
    profile?: Profile;
}

/** Runs `work` with a file holding `content` that only this user can read, gone afterwards whatever happens. */
export async function withPrivateFile<T>(content: string, work: (file: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(path.join(tmpdir(), "mitene-state-"));
    try {
        const file = path.join(dir, "state.json");
        writeFileSync(file, content, { mode: 0o600 });
        return await work(file);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** A LocalWorkspace over the project in `workDir`. */
export async function localWorkspace(workDir: string, options: WorkspaceOptions = {}): Promise<EngineWorkspace> {
    let command: ProcessGroupPulumiCommand;
    try {
        command = await ProcessGroupPulumiCommand.create(options.command ?? "pulumi", options.version, options.profile);
    } catch (error) {
        if (/ENOENT/.test(String((error as Error).message))) {
            throw new CommandFailedError(`the Pulumi CLI (${options.command ?? "pulumi"}) is not installed or not on PATH (https://www.pulumi.com/docs/install/; for the local engine: scripts/install-pulumi-cli.sh); to rehearse without it, use --engine sim`);
        }
        throw error;
    }
    const env = options.env ?? {};
    const workspace = await LocalWorkspace.create({
        workDir,
        pulumiCommand: command.asPulumiCommand(),
        envVars: env,
    });
    const cli = async (args: string[]) => (await command.run(args, workDir, env)).stdout;
    /**
     * An operation as the Automation API's Stack runs it, but reading what it did from its own events instead
     * of running `stack output` twice and `stack history` after it (three more CLI starts per operation).
     */
    const operation = async (name: string, args: string[], opts: RunOptions): Promise<OperationResult> => {
        const events: { event: EngineEvent; at: number }[] = [];
        const stream = await listenForEvents((event, at) => {
            events.push({ event, at });
            opts.onEvent?.(event);
        });
        const start = Date.now();
        try {
            const operationEnv = { ...env, PULUMI_DEBUG_COMMANDS: "true" };
            await command.run([...args, "--color", "never", "--exec-kind", "auto.local", "--event-log", stream.address, "--stack", name], workDir, operationEnv, opts.onOutput, undefined, opts.signal);
        } finally {
            stream.close();
            options.profile?.({ kind: "operation", operation: args[0], stack: name, start, end: Date.now(), marks: operationMarks(events) });
        }
        const root = events.map(({ event }) => event.resOutputsEvent?.metadata).filter((m) => m?.type === "pulumi:pulumi:Stack").pop();
        const summary = events.map(({ event }) => event.summaryEvent).find((e) => e !== undefined);
        return { outputs: (root?.new?.outputs as Record<string, unknown> | undefined) ?? {}, resourceChanges: summary?.resourceChanges ?? {} };
    };
    const stack = (name: string): EngineStack => ({
        up: (opts) => operation(name, ["up", "--yes", "--skip-preview"], opts),
        destroy: (opts) => operation(name, ["destroy", "--yes", "--skip-preview"], opts),
        refresh: (opts) => operation(name, ["refresh", "--yes", "--skip-preview"], opts),
        setConfig: (key, value) => workspace.setConfig(name, key, value),
        exportState: async () => JSON.parse(await cli(["stack", "export", "--stack", name])) as Deployment,
        importState: (state) => withPrivateFile(JSON.stringify(state), async (file) => void (await cli(["stack", "import", "--file", file, "--stack", name]))),
    });
    return {
        listStacks: () => workspace.listStacks(),
        stack,
        createStack: async (name) => {
            await cli(["stack", "init", name, "--no-select", ...(options.secretsProvider ? ["--secrets-provider", options.secretsProvider] : [])]);
            return stack(name);
        },
        removeStack: (name) => workspace.removeStack(name),
        backendUrl: async () => env.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL ?? (await workspace.whoAmI()).url,
    };
}
