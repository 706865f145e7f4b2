/**
 * How long an upgrade must take at best under the chosen policy, from operation durations: new clusters
 * come up in all regions at once; traffic moves one region at a time (after the canary, all at once with
 * --parallel-regions); each region's cron cut-over, hold and teardown overlap the next region's steps, so
 * only the last region's tail adds to the total. The live view's "time left" and the benchmark use it.
 */
import { Scenario } from "../scenario/scenario";

export interface UpgradeTimes {
    /** Minutes. */
    clusterUp: number;
    argoSync: number;
    regionUp: number;
    labelUp: number;
    clusterDestroy: number;
    runningJobs: number;
    bake: number;
    hold: number;
    steps: number;
}

export function upgradeTimes(scenario: Scenario, options: { steps: number[]; bakeMs: number; holdMs: number }): UpgradeTimes {
    const d = scenario.durations;
    return {
        clusterUp: d.clusterUp,
        argoSync: scenario.argo.syncMinutes,
        regionUp: d.regionUp,
        labelUp: d.labelUp,
        clusterDestroy: d.clusterDestroy,
        runningJobs: scenario.runningJobsMinutes,
        bake: options.bakeMs / 60_000,
        hold: options.holdMs / 60_000,
        steps: options.steps.length,
    };
}

/** Bring-up, traffic and tail of one region, in minutes. */
export function regionPhases(t: UpgradeTimes, destroy = true) {
    return {
        bringUp: t.clusterUp + t.argoSync,
        traffic: t.steps * (t.regionUp + t.bake),
        // Cron off on the old cluster and its jobs drain; the owner moves (no resource changes) and the hold
        // starts, during which cron goes on on the new cluster; then deregister and destroy.
        cutOver: t.labelUp + t.runningJobs,
        retire: destroy ? Math.max(t.hold, t.labelUp) + t.labelUp + t.clusterDestroy : t.labelUp,
    };
}

/** The shortest the whole upgrade of `regions` regions can take under the policy. */
export function upgradeLowerBound(regions: number, t: UpgradeTimes, parallelRegions: boolean, destroy = true): number {
    if (regions === 0) return 0;
    const p = regionPhases(t, destroy);
    const shiftingRounds = parallelRegions ? Math.min(regions, 2) : regions;
    return p.bringUp + shiftingRounds * p.traffic + p.cutOver + p.retire;
}

/** The manual runbook: each region end to end, one after the other. */
export function sequentialRunbook(regions: number, t: UpgradeTimes, destroy = true): number {
    const p = regionPhases(t, destroy);
    return regions * (p.bringUp + p.traffic + p.cutOver + p.retire);
}

/** A region as the time-left estimate sees it. */
export interface RegionProgress {
    stage: "waiting" | "bring-up" | "queued" | "traffic" | "tail" | "done";
    /** Traffic steps not yet promoted (the current one included). */
    stepsLeft: number;
    /** Minutes since the current phase (or step) began. */
    phaseMinutes: number;
    /** Whether this region moves traffic in this run (false: only its tail is left). */
    shifts: boolean;
}

/**
 * Minutes until the whole run should be done, recomputed from what each region has left under the same
 * policy as `upgradeLowerBound`: bring-up in parallel, traffic one region at a time (after the canary, all at
 * once with --parallel-regions), each tail overlapping the next region's traffic.
 */
export function remainingMinutes(regions: RegionProgress[], t: UpgradeTimes, parallelRegions: boolean, destroy = true): number {
    const p = regionPhases(t, destroy);
    const stepMinutes = t.regionUp + t.bake;
    const tailMinutes = p.cutOver + p.retire;
    let turnFree = 0;
    let canaryEnd = 0;
    let latest = 0;
    let shifting = 0;
    for (const r of regions) {
        const left = (full: number) => Math.max(0, full - r.phaseMinutes);
        if (r.stage === "done") continue;
        if (r.stage === "tail" || !r.shifts) {
            latest = Math.max(latest, r.stage === "tail" ? left(tailMinutes) : tailMinutes);
            continue;
        }
        const bringUp = r.stage === "waiting" ? p.bringUp : r.stage === "bring-up" ? left(p.bringUp) : 0;
        const traffic = r.stage === "traffic" ? Math.max(0, r.stepsLeft * stepMinutes - Math.min(r.phaseMinutes, stepMinutes)) : r.stepsLeft * stepMinutes;
        const turn = parallelRegions && shifting > 0 ? canaryEnd : turnFree;
        const end = Math.max(turn, bringUp) + traffic;
        if (shifting === 0) canaryEnd = end;
        turnFree = end;
        shifting++;
        latest = Math.max(latest, end + tailMinutes);
    }
    return Math.round(latest * 10) / 10;
}
