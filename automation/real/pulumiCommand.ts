/**
 * Runs the Pulumi CLI for the Automation API's LocalWorkspace, in place of its own runner, for two reasons:
 *
 * - The CLI gets a process group of its own. A terminal's Ctrl-C goes to the driver's group only; the driver
 *   cancels through its AbortSignal, which sends the CLI exactly one SIGINT (a graceful cancel). Pulumi takes
 *   a second SIGINT as "terminate now", which is what the SDK's runner causes when the CLI shares the group.
 * - A command started after the signal fired is not started at all. The SDK's runner only listens for a
 *   later abort, so an update begun after Ctrl-C ran to the end.
 *
 * Everything else is as the SDK does it (`--non-interactive`, the CLI's directory first on PATH so its
 * bundled plugins are found, PULUMI_AUTOMATION_API), and failures become the SDK's typed errors
 * (ConcurrentUpdateError, StackNotFoundError, ...) through its own classifier.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as semver from "semver";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { abortError } from "../core/clock";
import { Profile } from "./profile";

/* The SDK's result type and error classifier are internal; @pulumi/pulumi is pinned exactly and
 * test/real/pulumiCommand.test.ts checks they exist. */
/* eslint-disable @typescript-eslint/no-require-imports */
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => CommandOutcome };
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError: (result: CommandOutcome) => Error };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The CLI processes running now, in this process. */
const running = new Set<ChildProcess>();

/**
 * Kills every CLI this process is running, with its plugins (each CLI leads a process group): what a machine
 * that dies does to them. `--crash-after` on the local engine, whose operations overlap, dies this way.
 */
export function killRunningCommands(): void {
    for (const child of running) {
        try {
            process.kill(-child.pid!, "SIGKILL");
        } catch {
            // Ended meanwhile.
        }
    }
}

export interface CommandOutcome {
    stdout: string;
    stderr: string;
    code: number;
}

export class ProcessGroupPulumiCommand {
    private constructor(
        readonly command: string,
        readonly version: semver.SemVer | null,
        private readonly profile?: Profile,
    ) {}

    /**
     * The CLI at `command` (a path, or `pulumi` on PATH), with its version for the SDK's feature checks;
     * `profile` gets the timing of every command it runs.
     */
    static async create(command: string, knownVersion?: string, profile?: Profile): Promise<ProcessGroupPulumiCommand> {
        if (knownVersion) return new ProcessGroupPulumiCommand(command, semver.parse(knownVersion.replace(/^v/, "")), profile);
        const bare = new ProcessGroupPulumiCommand(command, null, profile);
        const { stdout } = await bare.run(["version"], process.cwd(), { PULUMI_SKIP_UPDATE_CHECK: "true" });
        return new ProcessGroupPulumiCommand(command, semver.parse(stdout.trim().replace(/^v/, "")), profile);
    }

    /** The object LocalWorkspace takes as its `pulumiCommand` (it calls `run` with this signature). */
    asPulumiCommand(): PulumiCommand {
        return this;
    }

    run(
        args: string[],
        cwd: string,
        additionalEnv: Record<string, string>,
        onOutput?: (data: string) => void,
        onError?: (data: string) => void,
        signal?: AbortSignal,
    ): Promise<CommandOutcome> {
        if (signal?.aborted) return Promise.reject(abortError(signal));
        const fullArgs = args.includes("--non-interactive") ? args : [...args, "--non-interactive"];
        const env: NodeJS.ProcessEnv = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
        if (path.isAbsolute(this.command)) env.PATH = `${path.dirname(this.command)}${path.delimiter}${additionalEnv.PATH ?? process.env.PATH ?? ""}`;
        const start = Date.now();
        const timed = (ok: boolean) => this.profile?.({ kind: "command", args, start, end: Date.now(), ok });
        return new Promise((resolve, reject) => {
            const child = spawn(this.command, fullArgs, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            running.add(child);
            let stdout = "";
            let stderr = "";
            child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
                stdout += chunk;
                onOutput?.(chunk);
            });
            child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
                stderr += chunk;
                onError?.(chunk);
            });
            const cancel = () => child.kill("SIGINT");
            signal?.addEventListener("abort", cancel, { once: true });
            child.on("error", (error) => {
                running.delete(child);
                signal?.removeEventListener("abort", cancel);
                timed(false);
                reject(createCommandError(new CommandResult(stdout, `${stderr}${error.message}`, -2, error)));
            });
            child.on("close", (code, killedBy) => {
                running.delete(child);
                signal?.removeEventListener("abort", cancel);
                const result = new CommandResult(stdout, stderr, code ?? (killedBy ? 128 : -1));
                timed(result.code === 0);
                if (result.code === 0) resolve(result);
                else reject(createCommandError(result));
            });
        });
    }
}
