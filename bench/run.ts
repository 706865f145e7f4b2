/**
 * `npm run bench`: the performance goals, each figure printed beside its goal. Figures of the upgrade are
 * virtual minutes from the sim engine; program speed, rehearsal, install and test times are wall time on
 * this machine. `npm run bench -- --quick` skips the fresh-clone install and test timing (minutes) and runs
 * the gate's statistics on fewer seeds; `npm run bench -- --local` runs only the local engine's rehearsal,
 * with its breakdown.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import * as path from "node:path";
import { main } from "../automation/cli";
import { JournalEntry } from "../automation/core/ports";
import { renderEnv } from "../automation/programs/render";
import { findToolchain } from "../automation/local/toolchain";
import { thisProcess } from "../automation/core/process";
import { DEFAULT_SCENARIO } from "../automation/scenario/scenario";
import { sequentialRunbook, upgradeLowerBound, upgradeTimes } from "../automation/upgrade/criticalPath";
import { UPGRADE_DEFAULTS } from "../automation/upgrade/types";
import { FLEET_REGIONS, writeSyntheticEnv } from "../fakecloud/fleet";
import { gateGoals } from "./gate";
import { UpgradeJson as WaveUpgradeJson, waveGoals } from "./waves";
import { breakdown, readProfile } from "./localProfile";

const ROOT = path.resolve(__dirname, "..");
const rows: { figure: string; value: string; goal: string; ok: boolean | null }[] = [];
const report = (figure: string, value: string, goal: string, ok: boolean | null) => {
    rows.push({ figure, value, goal, ok });
    console.log(`${ok === null ? "  " : ok ? "ok" : "!!"}  ${figure}: ${value}   (goal: ${goal})`);
};
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `mitene-bench-${name}-`));

/** The parts of `upgrade --json` the benchmark reads. */
type UpgradeJson = WaveUpgradeJson;

/** Runs the CLI in this process, quietly; returns its JSON. */
async function mitene(...args: string[]): Promise<UpgradeJson> {
    let stdout = "";
    const code = await main([...args, "--json"], {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        cwd: ROOT,
        identity: thisProcess(),
        die: () => Promise.reject(new Error("no crash in the benchmark")),
        signal: new AbortController().signal,
    });
    if (code > 1) throw new Error(`mitene ${args.join(" ")} exited ${code}: ${stdout}`);
    return JSON.parse(stdout) as UpgradeJson;
}

async function criticalPath(): Promise<number> {
    console.log("\nGoal 1. Critical path of a prod upgrade (virtual minutes, default options)");
    const result = await mitene("upgrade", "--env", "prod", "--to", "1.35", "--engine", "sim", "--state", path.join(temp("cp"), "state"));
    const times = upgradeTimes(DEFAULT_SCENARIO, { steps: [...UPGRADE_DEFAULTS.steps], bakeMs: UPGRADE_DEFAULTS.bakeMs, holdMs: UPGRADE_DEFAULTS.holdMs, waveBakeMs: 10 * 60_000 });
    // The bound is for healthy releases: continuous analysis must not lengthen a step that passes.
    const regions = result.regions.length;
    const waves = Math.max(...result.regions.map((r) => r.wave)) + 1;
    const bound = upgradeLowerBound(waves, times);
    const naive = sequentialRunbook(regions, times);
    const over = (result.durationMinutes - bound) / bound;
    report("upgrade durationMinutes", `${result.durationMinutes} min`, `within 5% of the bound ${bound} min`, over <= 0.05);
    report("lower bound for the policy", `${bound} min (parallel bring-up, the canary then one wave, tails overlapping)`, "-", null);
    report("naive sequential runbook", `${naive} min (${regions} regions end to end)`, "-", null);
    return result.durationMinutes;
}

async function rollbackLatency(): Promise<void> {
    console.log("\nGoal 2. Rollback latency: failed gate to 100% on the old color (virtual minutes)");
    const scenario = path.join(temp("rb"), "scenario.json");
    writeFileSync(scenario, JSON.stringify({ faults: [{ region: "ap-northeast-1", color: "new", fromWeight: 25, errorRate: 0.05 }] }));
    for (const fast of [false, true]) {
        const state = path.join(temp("rb"), "state");
        const result = await mitene("upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--engine", "sim", "--state", state, "--scenario", scenario, ...(fast ? ["--fast-rollback"] : []));
        const events = result.timeline;
        const failed = events.find((e) => /^gate at .*: fail/.test(e.event))!;
        const journal = readFileSync(path.join(state, "journal", "prod.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as JournalEntry);
        const direct = journal.find((e) => e.detail?.path === "direct");
        const back = fast ? events.find((e) => /directly/.test(e.event))! : events.find((e) => /^traffic back on blue: blue 100%/.test(e.event))!;
        const latency = back.atMinutes - failed.atMinutes;
        const calls = fast ? `${String(direct?.detail?.modifyRuleCalls)} ELBv2 ModifyRule calls, then 1 region-stack update` : "1 region-stack update";
        report(fast ? "emergency path (--fast-rollback)" : "stack path (default)", `${latency} min; ${calls}`, fast ? "seconds: no stack update before traffic is back" : "one region-stack update and nothing before it", fast ? latency === 0 : latency <= DEFAULT_SCENARIO.durations.regionUp);
    }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = process.hrtime.bigint();
    const value = await work();
    return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

async function programSpeed(): Promise<void> {
    console.log("\nGoal 3. Program speed (wall time on this machine, cold)");
    const prod = await timed(() => renderEnv("prod"));
    const resources = prod.value.reduce((sum, s) => sum + s.resources.length, 0);
    report("render of every prod stack", `${Math.round(prod.ms)} ms for ${prod.value.length} stacks, ${resources} resources (${Math.round(prod.ms / prod.value.length)} ms per stack)`, "-", null);

    const shapes = [
        { services: 10, regions: 2 },
        { services: 25, regions: 3 },
        { services: 50, regions: 6 },
    ];
    const perResource: number[] = [];
    for (const shape of shapes) {
        const env = `f${shape.services}x${shape.regions}`;
        const dir = temp(env);
        writeSyntheticEnv(dir, { env, regions: FLEET_REGIONS.slice(0, shape.regions), services: shape.services });
        const run = await timed(() => renderEnv(env, undefined, dir));
        const count = run.value.reduce((sum, s) => sum + s.resources.length, 0);
        const largest = Math.max(...run.value.map((s) => s.resources.length));
        const memory = process.memoryUsage();
        perResource.push(run.ms / count);
        report(
            `fleet ${shape.services} services x ${shape.regions} regions`,
            `${Math.round(run.ms)} ms, ${run.value.length} stacks, ${count} resources (${(count / (shape.services * shape.regions)).toFixed(1)} per service x region, largest stack ${largest}), ${Math.round(run.ms / run.value.length)} ms/stack, ${(run.ms / count).toFixed(1)} ms/resource, heap ${Math.round(memory.heapUsed / 2 ** 20)} MiB, rss ${Math.round(memory.rss / 2 ** 20)} MiB`,
            "-",
            null,
        );
        rmSync(dir, { recursive: true, force: true });
    }
    // Resources grow linearly with services x regions; linear time means a flat cost per resource.
    const growth = perResource[perResource.length - 1] / perResource[0];
    report("time per resource, largest fleet vs smallest", `${growth.toFixed(2)}x`, "<= 1.25x (flat cost per resource: linear in services x regions)", growth <= 1.25);

    const { seconds, status } = rehearse(path.join(temp("rehearse"), "state"));
    report("whole rehearsal of prod (fresh process and state)", `${seconds.toFixed(1)} s, exit ${status}`, "< 20 s", seconds < 20 && status === 0);
    const plan = planProd(path.join(temp("plan"), "state"));
    report("plan of prod on the committed stacks (sim, fresh process and state)", `${plan.seconds.toFixed(1)} s, exit ${plan.status}, ${plan.clusters} clusters, ${plan.addons} add-on rows`, "< 10 s", plan.seconds < 10 && plan.status === 0);
    localRehearsal();
}

/** `mitene plan --env prod --json` on the sim engine in a fresh process, timed. */
function planProd(state: string): { seconds: number; status: number | null; clusters: number; addons: number } {
    const start = Date.now();
    const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "mitene.js"), "plan", "--env", "prod", "--engine", "sim", "--state", state, "--json"], { cwd: ROOT, encoding: "utf8" });
    const plan = JSON.parse(run.stdout || "{}") as { calendar?: unknown[]; ledger?: { kind: string }[] };
    return { seconds: (Date.now() - start) / 1000, status: run.status, clusters: plan.calendar?.length ?? 0, addons: plan.ledger?.filter((i) => i.kind === "addon").length ?? 0 };
}

interface Rehearsal {
    seconds: number;
    /** CPU seconds of the run and everything it started (the CLI, plugins, programs). */
    cpu: number;
    status: number | null;
    result?: string;
    start: number;
    end: number;
}

/** CPU seconds (user and system) this process's finished children used so far. */
function childrenCpu(): number {
    // Fields 16 and 17 of /proc/self/stat (cutime, cstime), in clock ticks of 1/100 s.
    const [cutime, cstime] = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ").slice(13, 15).map(Number);
    return (cutime + cstime) / 100;
}

/** `mitene rehearse --json` on `state` in a fresh process, timed; `env` adds to the environment. */
function rehearse(state: string, flags: string[] = [], env: Record<string, string> = {}): Rehearsal {
    const [start, cpu] = [Date.now(), childrenCpu()];
    const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "mitene.js"), "rehearse", "--state", state, ...flags, "--json"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
    const end = Date.now();
    return { seconds: (end - start) / 1000, cpu: childrenCpu() - cpu, status: run.status, result: (JSON.parse(run.stdout || "{}") as { result?: string }).result, start, end };
}

/** The same rehearsal on the local engine (real Pulumi CLI, fake-cloud plugins, moto), when its parts are built. */
function localRehearsal(): void {
    try {
        findToolchain();
    } catch (error) {
        report("whole rehearsal of prod on --engine local", `not measured: ${(error as Error).message.split(";")[0]}`, "< 5 min", null);
        return;
    }
    const root = temp("rehearse-local");
    try {
        const profiled = (name: string) => {
            const profile = path.join(root, `${name}.jsonl`);
            const result = rehearse(path.join(root, "state"), ["--engine", "local"], { MITENE_PROFILE: profile });
            console.log(`  ${name}: ${result.seconds.toFixed(1)} s wall, ${result.cpu.toFixed(0)} s CPU (the driver and every process it started)`);
            for (const line of breakdown(readProfile(profile), result)) console.log(`    ${line}`);
            return result;
        };
        const first = profiled("rehearsal");
        const again = profiled("rerun");
        report(
            "whole rehearsal of prod on --engine local (seeding 5 stacks, then the upgrade; a rerun)",
            `${(first.seconds / 60).toFixed(1)} min, ${first.result ?? `exit ${first.status}`}; rerun ${again.seconds.toFixed(0)} s, ${again.result ?? `exit ${again.status}`}`,
            "< 5 min",
            first.status === 0 && again.result === "nothing_to_do" && first.seconds < 300,
        );
    } finally {
        // Removing the state also stops its emulator.
        rmSync(root, { recursive: true, force: true });
    }
}

function installAndTest(): void {
    console.log("\nGoal 4. Install and test time from a fresh clone");
    const dir = temp("clone");
    execFileSync("git", ["clone", "--quiet", ROOT, dir]);
    const time = (args: string[]) => {
        const start = Date.now();
        const run = spawnSync("npm", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        return { seconds: (Date.now() - start) / 1000, ok: run.status === 0, tail: (run.stdout + run.stderr).trim().split("\n").slice(-3).join(" | ") };
    };
    const install = time(["ci", "--no-audit", "--no-fund"]);
    report("npm ci", `${install.seconds.toFixed(1)} s${install.ok ? "" : ` FAILED: ${install.tail}`}`, "seconds, with the lock file", install.ok);
    const test = time(["test"]);
    report("npm test (type-check, lint, all tests)", `${test.seconds.toFixed(1)} s${test.ok ? "" : ` FAILED: ${test.tail}`}`, "< 180 s", test.ok && test.seconds < 180);
    rmSync(dir, { recursive: true, force: true });
}

async function run(): Promise<void> {
    console.log(`mitene benchmark, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`);
    const quick = process.argv.includes("--quick");
    if (process.argv.includes("--local")) {
        console.log("\nThe local engine's rehearsal of prod (wall time on this machine)");
        localRehearsal();
        process.exitCode = rows.some((r) => r.ok === false) ? 1 : 0;
        return;
    }
    // Program speed first, while no program run is memoized yet.
    await programSpeed();
    const prodMinutes = await criticalPath();
    await rollbackLatency();
    await gateGoals(report, quick);
    await waveGoals(report, { mitene, rehearse: (state, ...flags) => rehearse(state, flags), prodMinutes }, quick);
    if (!quick) installAndTest();
    const failed = rows.filter((r) => r.ok === false);
    console.log(`\n${failed.length === 0 ? "every goal met" : `${failed.length} goal(s) missed: ${failed.map((r) => r.figure).join(", ")}`}`);
    process.exitCode = failed.length === 0 ? 0 : 1;
}

void run();
