/**
 * The upgrade's options and results (the JSON shape in docs/cli.md).
 */
import { Color } from "../../components/naming";
import { StepVerdict } from "../gate/analysis";
import { Measured } from "../gate/checks";
import { TimelineEvent } from "../record/runLog";

export interface UpgradeOptions {
    env: string;
    /** Target Kubernetes minor. */
    to: string;
    /** Regions to upgrade, in order (the first is the canary); null for all of the env's regions, sorted. */
    regions: string[] | null;
    /** Percent of traffic on the new color at each step. */
    steps: number[];
    bakeMs: number;
    /** How often the gate looks at the metrics while a step bakes. */
    analysisIntervalMs: number;
    /** Stop (result `paused`) once the new color carries this percent and its gate passed; null: go to 100. */
    stopAt: number | null;
    /** Wait between cron cut-over and tearing the old cluster down. */
    holdMs: number;
    /** Shift all regions after the canary at once. */
    parallelRegions: boolean;
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

export type RegionOutcome = "completed" | "rolled_back" | "failed" | "paused" | "nothing_to_do" | "skipped";
export type RunOutcome = "completed" | "rolled_back" | "failed" | "paused" | "nothing_to_do";

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

/** The run's outcome from its regions': any failure, else any rollback, else a pause, else done. */
export function runOutcome(regions: RegionResult[]): RunOutcome {
    if (regions.some((r) => r.result === "failed")) return "failed";
    if (regions.some((r) => r.result === "rolled_back")) return "rolled_back";
    if (regions.some((r) => r.result === "paused")) return "paused";
    if (regions.every((r) => r.result === "nothing_to_do")) return "nothing_to_do";
    return "completed";
}
