/**
 * The upgrade's options and results (the JSON shape in docs/cli.md).
 */
import { Color } from "../../components/naming";
import { StepVerdict } from "../gate/analysis";
import { Measured } from "../gate/checks";
import { TimelineEvent } from "../record/runLog";
import { RolloutPlan } from "./rollout";

export interface UpgradeOptions {
    env: string;
    /** Target Kubernetes minor. */
    to: string;
    /** Regions to upgrade, in order; null for all of the env's regions, sorted. */
    regions: string[] | null;
    /** Which regions move traffic in which wave (wave 0 the canary), what lets a wave start, what a rollback does to its wave. */
    rollout: RolloutPlan;
    /** Percent of traffic on the new color at each step. */
    steps: number[];
    bakeMs: number;
    /** How often the gate looks at the metrics while a step bakes. */
    analysisIntervalMs: number;
    /** Stop (result `paused`) once the new color carries this percent and its gate passed; null: go to 100. */
    stopAt: number | null;
    /** Wait between cron cut-over and tearing the old cluster down. */
    holdMs: number;
    /** Tear the old cluster down at the end (false: `--no-destroy`). */
    destroy: boolean;
    /** Resolve pending operations left by an interrupted run. */
    recover: boolean;
    breakLease: boolean;
    /** Try again in regions whose previous attempt was rolled back. */
    retry: boolean;
    /** On a failed gate, set the listener rules directly first, then reconcile the stack. */
    fastRollback: boolean;
    /** Longest wait for Argo CD to report the new cluster's apps Synced and Healthy. */
    argoTimeoutMs: number;
    /** Longest wait for the old cluster's running cron jobs to end. */
    jobsTimeoutMs: number;
    /** Interval between checks while waiting. */
    pollMs: number;
}

export const UPGRADE_DEFAULTS = {
    steps: [5, 25, 50, 100],
    bakeMs: 10 * 60_000,
    analysisIntervalMs: 60_000,
    holdMs: 30 * 60_000,
    argoTimeoutMs: 30 * 60_000,
    jobsTimeoutMs: 120 * 60_000,
    pollMs: 60_000,
} as const;

export type RegionOutcome = "completed" | "rolled_back" | "failed" | "paused" | "halted" | "nothing_to_do" | "skipped";
/** `halted`: the stop-the-line switch stopped the run; `partial`: its regions ended differently (the env is split). */
export type RunOutcome = "completed" | "rolled_back" | "failed" | "paused" | "halted" | "partial" | "nothing_to_do";

/** A measured window as the JSON result shows it (the region's with the load balancer's 5xx charged to it). */
export type MeasuredSummary = Pick<Measured, "requests" | "errorRate" | "p99Ms" | "unhealthyHosts" | "loadBalancerErrors">;

export function summary(m: Measured): MeasuredSummary {
    return { requests: m.requests, errorRate: m.errorRate, p99Ms: m.p99Ms, unhealthyHosts: m.unhealthyHosts, ...(m.loadBalancerErrors !== undefined ? { loadBalancerErrors: m.loadBalancerErrors } : {}) };
}

export interface StepRecord {
    weight: number;
    gate: StepVerdict;
    /** Looks the gate took at this step. */
    checks: number;
    /** The new color since the step began, at the last look that could measure. */
    measured: MeasuredSummary | null;
    /** The same per service: its own target group of the new color. */
    services: Record<string, MeasuredSummary> | null;
    /** Why the gate did not pass. */
    findings?: string[];
}

export interface RegionResult {
    region: string;
    /** Its wave in the rollout plan (0: the canary). */
    wave: number;
    from: Color | null;
    to: Color | null;
    result: RegionOutcome;
    reason: string | null;
    steps: StepRecord[];
    /** Rolled back on a scenario fault (sim): minutes from the fault's onset until all traffic was back on the old color. */
    faultToRollbackMinutes?: number;
}

export interface UpgradeResult {
    env: string;
    to: string;
    result: RunOutcome;
    regions: RegionResult[];
    durationMinutes: number;
    /** sim and local: durationMinutes is virtual time, what the real upgrade would take; pulumi: wall time. */
    engine: "sim" | "local" | "pulumi";
    timeline: TimelineEvent[];
    /** Where the journal of this run is. */
    journal: string;
}

/**
 * The run's outcome from its regions': halted when the stop-the-line switch stopped it; partial when they ended
 * differently (some moved to the new version, some did not: the env is split); else any failure, else any
 * rollback, else a halt, else a pause, else done.
 */
export function runOutcome(regions: RegionResult[], switchStopped = false): RunOutcome {
    const any = (...results: RegionOutcome[]) => regions.some((r) => results.includes(r.result));
    if (switchStopped && any("halted", "skipped")) return "halted";
    if ((any("completed", "paused") && any("rolled_back", "failed", "halted", "skipped")) || (any("rolled_back") && any("halted"))) return "partial";
    if (any("failed")) return "failed";
    if (any("rolled_back")) return "rolled_back";
    if (any("halted")) return "halted";
    if (any("paused")) return "paused";
    if (regions.every((r) => r.result === "nothing_to_do")) return "nothing_to_do";
    return "completed";
}
