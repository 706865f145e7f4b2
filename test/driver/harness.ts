/**
 * Runs the CLI in-process against a sim state directory. Each call is a separate "process" with its own
 * fake pid; `--crash-after` freezes that process (its tasks never run again) instead of exiting, which is
 * what a kill looks like to everyone else: its lease stays, its pid is dead.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CliIo, main } from "../../automation/cli";
import { openEngine } from "../../automation/engines/open";
import { Invocation } from "../../automation/core/context";
import { silentProgress } from "../../automation/record/progress";
import { UPGRADE_DEFAULTS, UpgradeOptions } from "../../automation/upgrade/types";
import { ProcessIdentity } from "../../automation/core/process";

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
/** Pids reused by a process that started at this (ms) time: older claims to the pid are not that process. */
export const reusedPids = new Map<number, number>();

export const identity = (pid: number): ProcessIdentity => ({
    pid,
    host: HOST,
    isAlive: (p, since) => livePids.has(p) && !(since !== undefined && reusedPids.has(p) && reusedPids.get(p)! > Date.parse(since)),
});

export function tempState(): string {
    return path.join(mkdtempSync(path.join(tmpdir(), "mitene-test-")), "state");
}

export interface RunOptions {
    /** Keep the frozen process "alive" after a crash (its lease is not provably dead). */
    stayAlive?: boolean;
    signal?: AbortSignal;
    /** Use this pid (a "process" started elsewhere). */
    pid?: number;
    cwd?: string;
    /** stderr is a terminal (the live progress view). */
    tty?: boolean;
    /** Block on the version cycle's order as the pulumi engine does (`--enforce-order`; test/plan/order.test.ts). */
    orderCheck?: boolean;
    /** A person at the terminal answering yes/no questions (absent: nobody to ask). */
    confirm?: (question: string) => Promise<boolean>;
    /** The pulumi engine's ports (absent: this build has none). */
    realPorts?: CliIo["realPorts"];
}

export async function cli(given: string[], options: RunOptions = {}): Promise<CliRun> {
    // On sim the cycle's order is reported, not enforced, unless a test asks for production's behaviour.
    const args = options.orderCheck && ["upgrade", "ops-upgrade", "preflight", "rehearse"].includes(given[0]) ? [...given, "--enforce-order"] : given;
    const pid = options.pid ?? nextPid++;
    livePids.add(pid);
    let stdout = "";
    let stderr = "";
    let crashed!: () => void;
    const crash = new Promise<number>((resolve) => (crashed = () => resolve(137)));
    const run = main(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: options.cwd ?? process.cwd(),
        identity: identity(pid),
        die: () => {
            crashed();
            return new Promise<never>(() => undefined);
        },
        signal: options.signal ?? new AbortController().signal,
        stderrIsTTY: options.tty,
        confirm: options.confirm,
        realPorts: options.realPorts,
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

/** A fresh directory holding `mitene render` of `stack` of `env`, for a test that edits or polices a render. */
export async function renderedStack(env: string, stack: string): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), "mitene-render-"));
    const run = await cli(["render", "--env", env, "--stack", stack, "--out", dir]);
    if (run.code !== 0) throw new Error(`render of ${stack} failed (exit ${run.code}): ${run.stderr}`);
    return dir;
}

export const sim = (state: string, ...args: string[]) => [...args, "--engine", "sim", "--state", state];

export const statusOf = async (state: string, env = "prod") => (await cli(sim(state, "status", "--env", env, "--json"))).json;

/** Writes a scenario file beside the state directory. */
export function scenarioFile(state: string, content: unknown, name = "scenario.json"): string {
    const file = path.join(path.dirname(state), name);
    writeFileSync(file, JSON.stringify(content));
    return file;
}

/** A sim state seeded with `env` (status does not write, so seeding takes a state-changing command's path). */
export async function seeded(env = "prod"): Promise<string> {
    const state = tempState();
    await openEngine({ engine: "sim", state }, env, { cwd: process.cwd(), identity: identity(1), die: () => new Promise<never>(() => undefined), warn: () => undefined });
    return state;
}

/** The deployed outputs of every stack of a state, to compare states by what they run. */
export function deployedOutputs(state: string): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(snapshot(state))
            .filter(([file]) => file.startsWith("stacks/"))
            .map(([file, text]) => [file, JSON.parse(text).outputs]),
    );
}

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

/**
 * The invariants of `status --json` (docs/cli.md), plus what a settled region (not mid-operation, not mid-move of
 * its cron jobs) must also satisfy: the cron owner runs them and no other cluster does.
 */
export function invariantProblems(status: any, stacks?: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const region of status.regions) {
        if (stacks) {
            for (const cluster of region.clusters) {
                const outputs = stacks[`stacks/${cluster.stack}.json`] as { cron?: boolean } | null;
                if (outputs?.cron === true && !cluster.cron) problems.push(`${region.region}: ${cluster.color} runs cron jobs it does not own`);
            }
        }
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

const crashCache = new Map<string, { dir: string; code: number }>();

/**
 * A fresh copy of the state an upgrade (`args` after `upgrade --env prod --to 1.35`) leaves when it crashes
 * after operation `n`; each crash is run once per test process and copied after.
 */
export async function crashedState(args: string[], n: number): Promise<{ state: string; code: number }> {
    const key = JSON.stringify([args, n]);
    let cached = crashCache.get(key);
    if (!cached) {
        const dir = tempState();
        const run = await cli(sim(dir, "upgrade", "--env", "prod", "--to", "1.35", "--json", ...args, "--crash-after", String(n)));
        cached = { dir, code: run.code };
        crashCache.set(key, cached);
    }
    const state = tempState();
    cpSync(cached.dir, state, { recursive: true });
    return { state, code: cached.code };
}

/** The first operation index after which a crashed upgrade's state satisfies `predicate`. */
export async function crashIndexWhere(args: string[], predicate: (status: any, outputs: Record<string, any>) => boolean): Promise<number> {
    for (let n = 1; n < 200; n++) {
        const { state, code } = await crashedState(args, n);
        if (code !== 137) break;
        if (predicate(await statusOf(state), deployedOutputs(state))) return n;
    }
    throw new Error("no crash point satisfies the predicate");
}

/** An invocation for driving the engine in-process (no CLI). */
export const invocation = (runId: string, signal = new AbortController().signal): Invocation => ({
    runId,
    host: "test-host",
    pid: 1,
    command: "test",
    signal,
    view: silentProgress,
    warn: () => undefined,
});

export const upgradeOptions = (changes: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
    env: "prod",
    to: "1.35",
    regions: null,
    ...UPGRADE_DEFAULTS,
    steps: [...UPGRADE_DEFAULTS.steps],
    stopAt: null,
    rollout: { waves: [["ap-northeast-1"], ["us-west-2"]], waveBakeMs: 10 * 60_000, waveMinRequests: 1000, onRegionRollback: "halt" },
    destroy: true,
    recover: false,
    breakLease: false,
    retry: false,
    fastRollback: false,
    ...changes,
});

/**
 * The crash indexes a property visits: all of them under `npm run test:properties` (MITENE_PROPERTIES=all,
 * run by .ci/run), every third one and both ends under `npm test`, so that stays quick and still meets every
 * phase of an upgrade.
 */
export function crashIndexes(total: number): number[] {
    const all = Array.from({ length: total }, (_, i) => i + 1);
    return process.env.MITENE_PROPERTIES === "all" ? all : all.filter((n) => n === 1 || n === total || n % 3 === 0);
}

/** How many random races a property runs: many under test:properties, a few under npm test. */
export const raceCount = (quick: number, full: number) => (process.env.MITENE_PROPERTIES === "all" ? full : quick);
