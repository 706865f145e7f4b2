/**
 * Progressive delivery at estate scale (issue 20), measured on the sim engine: how long 2, 6 and 12 regions take
 * region by region and in waves, how long the 6-region rehearsal takes on this machine, and, over seeded noisy
 * runs, how far a fault reaches: none past a failing canary; within a wave, no traffic moved more than two
 * minutes after the fault began (halt) or every region of the wave back on the old color (rollback-wave).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FLEET_REGIONS, writeSyntheticEnv } from "../fakecloud/fleet";
import { seedEnv } from "../automation/sim/seed";
import { SimStore } from "../automation/sim/store";

type Report = (figure: string, value: string, goal: string, ok: boolean | null) => void;

/** The parts of `upgrade --json` these figures read. */
export interface UpgradeJson {
    result: string;
    regions: { region: string; wave: number; result: string; faultToRollbackMinutes?: number }[];
    durationMinutes: number;
    timeline: { atMinutes: number; region: string | null; event: string }[];
}

export interface WaveIo {
    /** Runs the CLI in this process, quietly; its JSON. */
    mitene(...args: string[]): Promise<UpgradeJson>;
    /** `mitene rehearse --json` in a fresh process, timed. */
    rehearse(state: string, ...flags: string[]): { seconds: number; status: number | null; result?: string };
    /** The 2-region prod upgrade's virtual duration with default options (Goal 1). */
    prodMinutes: number;
}

const SERVICES = 20;
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `mitene-bench-${name}-`));

/** A synthetic env of `regions` regions seeded once; each run starts from a copy of that state. */
async function fleet(regions: number, services: number): Promise<{ env: string; stacks: string; root: string; fresh: () => string; dispose: () => void }> {
    const root = temp(`fleet${regions}`);
    const env = `fleet${regions}`;
    const stacks = path.join(root, "stacks");
    writeSyntheticEnv(stacks, { env, regions: FLEET_REGIONS.slice(0, regions), services });
    const seeded = path.join(root, "seeded");
    await seedEnv(new SimStore(seeded), env, stacks);
    let runs = 0;
    return {
        env,
        stacks,
        root,
        fresh: () => {
            const state = path.join(root, `run-${++runs}`);
            cpSync(seeded, state, { recursive: true });
            return state;
        },
        dispose: () => rmSync(root, { recursive: true, force: true }),
    };
}

async function rolloutTable(report: Report, io: WaveIo): Promise<void> {
    console.log(`\nGoal 9. Region by region beside waves (virtual minutes; synthetic envs of ${SERVICES} services per region, default steps, bake and hold)`);
    const noBake: number[] = [];
    for (const regions of [2, 6, 12]) {
        const env = await fleet(regions, SERVICES);
        try {
            const run = (...flags: string[]) => io.mitene("upgrade", "--env", env.env, "--to", "1.35", "--engine", "sim", "--stacks", env.stacks, "--state", env.fresh(), ...flags);
            const serial = await run("--max-parallel", "1");
            const wave = await run("--parallel-regions", "--wave-bake", "0m");
            const baked = await run("--parallel-regions");
            const longer = await run("--parallel-regions", "--wave-bake", "30m");
            const all = [serial, wave, baked, longer];
            if (all.some((r) => r.result !== "completed")) throw new Error(`${regions} regions: ${all.map((r) => r.result).join(", ")}`);
            noBake.push(wave.durationMinutes);
            const row = `region by region ${serial.durationMinutes} | canary + one wave of ${regions - 1}: no wave bake ${wave.durationMinutes}, default wave bake (10m) ${baked.durationMinutes}, 30m wave bake ${longer.durationMinutes}`;
            if (regions === 6) {
                report(`${regions} regions`, row, `canary + one wave, no wave bake: ${io.prodMinutes} (prod's); default wave bake: at most ${io.prodMinutes} + 10`, wave.durationMinutes === io.prodMinutes && baked.durationMinutes <= io.prodMinutes + 10);
            } else {
                report(`${regions} regions`, row, "-", null);
            }
        } finally {
            env.dispose();
        }
    }
    report("canary + one wave, whatever the number of regions", `${noBake.join(", ")} min for 2, 6, 12 regions`, "flat: waves, not regions, set the time", noBake.every((m) => m === noBake[0]));
}

function rehearsal(report: Report, io: WaveIo): void {
    const root = temp("rehearse6");
    try {
        const stacks = path.join(root, "stacks");
        writeSyntheticEnv(stacks, { env: "fleet6", regions: FLEET_REGIONS.slice(0, 6), services: SERVICES });
        const run = io.rehearse(path.join(root, "state"), "--env", "fleet6", "--stacks", stacks, "--parallel-regions");
        report(`whole sim rehearsal of the 6-region env (${SERVICES} services each, canary + one wave; fresh process and state, seeding included)`, `${run.seconds.toFixed(1)} s, ${run.result ?? `exit ${run.status}`}`, "< 15 s", run.seconds < 15 && run.result === "completed");
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
}

/** Where a seeded fault starts: a step and a minute of its bake, drawn from the seed. */
const faultFor = (seed: number, region: string) => ({ region, fromWeight: [5, 25, 50, 100][seed % 4], afterMinutes: (seed * 7) % 10, errorRate: 0.05 });

async function blastRadius(report: Report, io: WaveIo, seeds: number): Promise<void> {
    console.log(`\nGoal 10. How far a fault reaches: 6 regions, canary + one wave of five, ${seeds} noisy seeds each (a fault of 5% errors at a step and minute drawn from the seed)`);
    const env = await fleet(6, 2);
    const [canary, ...wave] = [...FLEET_REGIONS.slice(0, 6)].sort();
    const faulty = wave[1];
    try {
        const scenario = (seed: number, region: string) => {
            const file = path.join(env.root, `scenario-${seed}-${region}.json`);
            writeFileSync(file, JSON.stringify({ noise: { seed }, faults: [faultFor(seed, region)] }));
            return file;
        };
        const run = (seed: number, region: string, policy: string) =>
            io.mitene("upgrade", "--env", env.env, "--to", "1.35", "--engine", "sim", "--stacks", env.stacks, "--state", env.fresh(), "--parallel-regions", "--on-region-rollback", policy, "--scenario", scenario(seed, region));
        const shifts = (r: UpgradeJson, region: string) => r.timeline.filter((e) => e.region === region && e.event.startsWith("set weights")).map((e) => e.atMinutes);

        let elsewhere = 0;
        for (let seed = 1; seed <= seeds; seed++) {
            const r = await run(seed, canary, "continue");
            elsewhere += wave.reduce((n, region) => n + shifts(r, region).length, 0);
        }
        report("after a canary fault (--on-region-rollback continue, the most permissive)", `${elsewhere} traffic steps in the other regions over ${seeds} runs`, "0", elsewhere === 0);

        const late: number[] = [];
        for (let seed = 1; seed <= seeds; seed++) {
            const r = await run(seed, faulty, "halt");
            const region = r.regions.find((x) => x.region === faulty)!;
            const back = r.timeline.find((e) => e.region === faulty && e.event.startsWith("rolled back:"));
            if (region.result !== "rolled_back" || !back || region.faultToRollbackMinutes === undefined) throw new Error(`seed ${seed}: ${faulty} ${region.result}`);
            const onset = back.atMinutes - region.faultToRollbackMinutes;
            late.push(Math.max(0, ...wave.filter((x) => x !== faulty).flatMap((x) => shifts(r, x).map((at) => at - onset))));
        }
        const worst = Math.max(...late);
        report("after a fault in one region of the wave (halt)", `the others moved traffic at most ${worst.toFixed(1)} min after the fault began, over ${seeds} runs`, "at most 2 min", worst <= 2);

        let back = 0;
        for (let seed = 1; seed <= seeds; seed++) {
            const r = await run(seed, faulty, "rollback-wave");
            if (r.regions.filter((x) => x.wave === 1).every((x) => x.result === "rolled_back")) back++;
        }
        report("after a fault in one region of the wave (rollback-wave)", `every region of the wave back on the old color in ${back} of ${seeds} runs`, "all", back === seeds);
    } finally {
        env.dispose();
    }
}

export async function waveGoals(report: Report, io: WaveIo, quick: boolean): Promise<void> {
    await rolloutTable(report, io);
    rehearsal(report, io);
    await blastRadius(report, io, quick ? 4 : 12);
}
