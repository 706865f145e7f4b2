/**
 * One region's traffic steps under a gate, on the sim's traffic model, fast enough to repeat thousands of
 * times: the driver's own step analysis (automation/gate/analysis.ts) over a weight history the harness moves
 * the way the driver does (each weight change lands when its region-stack update ends), without stacks.
 */
import { Color } from "../components/naming";
import { Weights, weightsFor } from "../components/weights";
import { AnalysisIo, analyzeStep, StepAnalysis } from "../automation/gate/analysis";
import { Scenario } from "../automation/scenario/scenario";
import { TrafficModel, WeightChange } from "../automation/scenario/traffic";
import { GateConfig } from "../stacks/config/schema";

const MINUTE = 60_000;
export const REGION = "ap-northeast-1";
const NEW: Color = "green";
const OLD: Color = "blue";

/** What a gate sees of the world: the harness's clock and the new and old colors' metrics. */
export type GateIo = Pick<AnalysisIo, "now" | "sleep" | "query" | "loadBalancer">;

/** Judges one step from the current time. */
export type StepGate = (io: GateIo, config: GateConfig) => Promise<Pick<StepAnalysis, "verdict">>;

export interface RegionOutcome {
    rolledBack: boolean;
    /** The step whose gate rolled back. */
    failedAt: number | null;
    /** Fault onset to all traffic back on the old color, minutes; null without a fault or a rollback. */
    faultToRollbackMinutes: number | null;
    /** Error responses the new color served from the fault's onset until traffic was back. */
    errorsAfterOnset: number;
    /** Whether the fault (if any) began before the rollback. */
    faultBegan: boolean;
}

export interface HarnessOptions {
    /** The region's services and their share of its requests. */
    services: Record<string, number>;
    steps: number[];
    bakeMs: number;
    intervalMs: number;
    regionUpMs: number;
    config: GateConfig;
}

/** The gate the driver runs: continuous analysis. */
export const continuousGate = (options: HarnessOptions): StepGate => (io, config) =>
    analyzeStep({ ...io, checkpoint: async () => undefined, onLook: async () => undefined }, { config, bakeMs: options.bakeMs, intervalMs: options.intervalMs });

/** Upgrades one region under `gate`: each step's weights land after a region update, a failed step puts everything back. */
export async function upgradeRegion(scenario: Scenario, options: HarnessOptions, gate: StepGate): Promise<RegionOutcome> {
    const traffic = new TrafficModel(scenario);
    let now = 60 * MINUTE;
    const history: WeightChange[] = [{ at: 0, weights: weightsFor(OLD, 100) }];
    const move = (weights: Weights) => {
        now += options.regionUpMs;
        history.push({ at: now, weights });
    };
    const io: GateIo = {
        now: () => now,
        sleep: async (ms: number) => void (now += ms),
        query: async (role: "new" | "old", from: number, to: number, thresholds: number[]) => {
            const result = traffic.window(history, { region: REGION, color: role === "new" ? NEW : OLD, newColor: NEW, services: options.services, from, to, thresholdsMs: thresholds });
            if ("unavailable" in result) throw new Error("the bench's scenarios keep metrics available");
            return result;
        },
        loadBalancer: async (from: number, to: number) => {
            const result = traffic.loadBalancerWindow(history, { region: REGION, newColor: NEW, services: options.services, from, to });
            if ("unavailable" in result) throw new Error("the bench's scenarios keep metrics available");
            return result;
        },
    };
    for (const step of options.steps) {
        move(weightsFor(NEW, step));
        const analysis = await gate(io, options.config);
        if (analysis.verdict === "pass") continue;
        const onset = traffic.faultOnset(history, REGION, NEW, now);
        move(weightsFor(OLD, 100));
        const errors = onset === undefined ? 0 : (await io.query("new", onset, now, [])).errors;
        return { rolledBack: true, failedAt: step, faultToRollbackMinutes: onset === undefined ? null : (now - onset) / MINUTE, errorsAfterOnset: errors, faultBegan: onset !== undefined };
    }
    const onset = traffic.faultOnset(history, REGION, NEW, now);
    return { rolledBack: false, failedAt: null, faultToRollbackMinutes: null, errorsAfterOnset: onset === undefined ? 0 : (await io.query("new", onset, now, [])).errors, faultBegan: onset !== undefined };
}
