/**
 * Runs the CLI in-process against a sim state directory. Each call is a separate "process" with its own
 * fake pid; `--crash-after` freezes that process (its tasks never run again) instead of exiting, which is
 * what a kill looks like to everyone else: its lease stays, its pid is dead.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../automation/cli";
import { ProcessIdentity } from "../../automation/process";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
    /** Parsed stdout when it is JSON. */
    json: any;
}

const HOST = "test-host";
let nextPid = 900_000;
/** Pids of "processes" that are still running (a frozen one counts as alive only if told so). */
export const livePids = new Set<number>();

export const identity = (pid: number): ProcessIdentity => ({ pid, host: HOST, isAlive: (p) => livePids.has(p) });

export function tempState(): string {
    return path.join(mkdtempSync(path.join(tmpdir(), "mitene-test-")), "state");
}

export interface RunOptions {
    /** Keep the frozen process "alive" after a crash (its lease is not provably dead). */
    stayAlive?: boolean;
    signal?: AbortSignal;
}

export async function cli(args: string[], options: RunOptions = {}): Promise<CliRun> {
    const pid = nextPid++;
    livePids.add(pid);
    let stdout = "";
    let stderr = "";
    let crashed!: () => void;
    const crash = new Promise<number>((resolve) => (crashed = () => resolve(137)));
    const run = main(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: process.cwd(),
        identity: identity(pid),
        die: () => {
            crashed();
            return new Promise<never>(() => undefined);
        },
        signal: options.signal ?? new AbortController().signal,
    });
    const code = await Promise.race([run, crash]);
    if (code !== 137 || !options.stayAlive) livePids.delete(pid);
    let json: any;
    try {
        json = JSON.parse(stdout);
    } catch {
        json = undefined;
    }
    return { code, stdout, stderr, json };
}

export const sim = (state: string, ...args: string[]) => [...args, "--engine", "sim", "--state", state];

/** Every file of a directory with its content, to compare states byte for byte. */
export function snapshot(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (current: string) => {
        let entries: string[];
        try {
            entries = readdirSync(current);
        } catch {
            return;
        }
        for (const entry of entries) {
            const full = path.join(current, entry);
            if (statSync(full).isDirectory()) walk(full);
            else files[path.relative(dir, full)] = readFileSync(full, "utf8");
        }
    };
    walk(dir);
    return files;
}

/** The CONTRACT invariants of `status --json`. */
export function invariantProblems(status: any): string[] {
    const problems: string[] = [];
    for (const region of status.regions) {
        const w = region.weights;
        if (!w || typeof w.blue !== "number" || typeof w.green !== "number") problems.push(`${region.region}: weights lack a color`);
        else if (w.blue + w.green !== 100) problems.push(`${region.region}: weights sum to ${w.blue + w.green}`);
        for (const color of ["blue", "green"]) {
            if (w?.[color] > 0 && !region.clusters.some((c: any) => c.color === color)) problems.push(`${region.region}: ${color} has weight without a cluster`);
        }
        const cron = region.clusters.filter((c: any) => c.cron).length;
        if (cron !== 1) problems.push(`${region.region}: ${cron} clusters have cron`);
    }
    return problems;
}
