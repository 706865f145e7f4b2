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
        // Cron off on the old cluster, its jobs drain, ownership moves (no resource changes), cron on.
        cutOver: t.labelUp + t.runningJobs + t.labelUp,
        retire: destroy ? t.hold + t.labelUp + t.clusterDestroy : 0,
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
