/**
 * The part of the Automation API the engine uses, over a LocalWorkspace whose CLI runs in its own process
 * group (pulumiCommand.ts). State moves without decrypting anything: exports keep secrets as the ciphertext
 * the backend holds (no `--show-secrets`), and an import reads a file only this user can read, in a private
 * directory removed whatever happens, so recovering a stack needs no decrypt rights and leaves no plaintext.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
    ConfigValue,
    Deployment,
    DestroyOptions,
    LocalWorkspace,
    OpMap,
    OutputMap,
    RefreshOptions,
    Stack,
    StackSummary,
    UpOptions,
} from "@pulumi/pulumi/automation";
import { CommandFailedError } from "../core/errors";
import { ProcessGroupPulumiCommand } from "./pulumiCommand";

/** One stack of the workspace; a real `Stack` and a few CLI commands the SDK does not offer without secrets. */
export interface EngineStack {
    up(opts: UpOptions): Promise<{ outputs: OutputMap; summary: { resourceChanges?: OpMap } }>;
    destroy(opts: DestroyOptions): Promise<unknown>;
    refresh(opts: RefreshOptions): Promise<unknown>;
    setConfig(key: string, value: ConfigValue): Promise<void>;
    /** The checkpoint as the backend holds it: secrets stay ciphertext. */
    exportState(): Promise<Deployment>;
    /** Replaces the checkpoint (same stack, same secrets provider: ciphertext stays valid). */
    importState(state: Deployment): Promise<void>;
}

/** The part of a `LocalWorkspace` the engine uses, with stack selection folded in. */
export interface EngineWorkspace {
    listStacks(): Promise<StackSummary[]>;
    /** A stack by name; using a stack that does not exist throws StackNotFoundError. */
    selectStack(name: string): Promise<EngineStack>;
    /** Throws StackAlreadyExistsError when there is one. */
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
        command = await ProcessGroupPulumiCommand.create(options.command ?? "pulumi", options.version);
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
        ...(options.secretsProvider ? { secretsProvider: options.secretsProvider } : {}),
    });
    const cli = async (args: string[]) => (await command.run(args, workDir, env)).stdout;
    /**
     * A stack of the workspace. Observing it runs the CLI with `--stack` directly (a missing stack fails with
     * StackNotFoundError as `select` would); only operations select it (`pulumi stack select`) first.
     */
    const wrap = (name: string, selected?: Stack): EngineStack => {
        let stack = selected ? Promise.resolve(selected) : undefined;
        const select = () => (stack ??= Stack.select(name, workspace));
        return {
            up: async (opts) => (await select()).up(opts),
            destroy: async (opts) => (await select()).destroy(opts),
            refresh: async (opts) => (await select()).refresh(opts),
            setConfig: async (key, value) => (await select()).setConfig(key, value),
            exportState: async () => JSON.parse(await cli(["stack", "export", "--stack", name])) as Deployment,
            importState: (state) => withPrivateFile(JSON.stringify(state), async (file) => void (await cli(["stack", "import", "--file", file, "--stack", name]))),
        };
    };
    return {
        listStacks: () => workspace.listStacks(),
        selectStack: async (name) => wrap(name),
        createStack: async (name) => wrap(name, await Stack.create(name, workspace)),
        removeStack: (name) => workspace.removeStack(name),
        backendUrl: async () => env.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL ?? (await workspace.whoAmI()).url,
    };
}
