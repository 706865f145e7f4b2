/**
 * How long an upgrade must take at best under the chosen policy, from operation durations: new clusters
 * come up in all regions at once; traffic moves wave by wave (the regions of a wave together), each wave
 * after the one before has baked at 100% (`--wave-bake`, of which the 100% step's own bake is part); each
 * wave's cron cut-over, hold and teardown overlap the next wave's steps, so only the last wave's tail adds
 * to the total. The live view's "time left" and the benchmark use it.
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
    /** How long a wave serves 100% before the next starts (the 100% step's bake included). */
    waveBake: number;
}

export function upgradeTimes(scenario: Scenario, options: { steps: number[]; bakeMs: number; holdMs: number; waveBakeMs: number }): UpgradeTimes {
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
        waveBake: options.waveBakeMs / 60_000,
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

/** Minutes a wave bake adds after a wave's 100% step before the next wave may start. */
const extraWaveBake = (t: UpgradeTimes) => Math.max(0, t.waveBake - t.bake);

/** The shortest the whole upgrade can take under the policy, with its regions in `waves` waves. */
export function upgradeLowerBound(waves: number, t: UpgradeTimes, destroy = true): number {
    if (waves === 0) return 0;
    const p = regionPhases(t, destroy);
    return p.bringUp + waves * p.traffic + (waves - 1) * extraWaveBake(t) + p.cutOver + p.retire;
}

/** The manual runbook: each region end to end, one after the other. */
export function sequentialRunbook(regions: number, t: UpgradeTimes, destroy = true): number {
    const p = regionPhases(t, destroy);
    return regions * (p.bringUp + p.traffic + p.cutOver + p.retire);
}

/** A region as the time-left estimate sees it. */
export interface RegionProgress {
    stage: "waiting" | "bring-up" | "queued" | "traffic" | "wave-bake" | "tail" | "done";
    /** Its wave (0: the canary). */
    wave: number;
    /** Traffic steps not yet promoted (the current one included). */
    stepsLeft: number;
    /** Minutes since the current phase (or step) began. */
    phaseMinutes: number;
    /** Whether this region moves traffic in this run (false: only its tail is left). */
    shifts: boolean;
}

/**
 * Minutes until the whole run should be done, recomputed from what each region has left under the same
 * policy as `upgradeLowerBound`: bring-up in parallel, traffic wave by wave, each wave after the one before
 * has baked, each tail overlapping the later waves' traffic.
 */
export function remainingMinutes(regions: RegionProgress[], t: UpgradeTimes, destroy = true): number {
    const p = regionPhases(t, destroy);
    const stepMinutes = t.regionUp + t.bake;
    const tailMinutes = p.cutOver + p.retire;
    const lastWave = Math.max(-1, ...regions.filter((r) => r.shifts && r.stage !== "done").map((r) => r.wave));
    let latest = 0;
    let waveFree = 0;
    const waves = [...new Set(regions.map((r) => r.wave))].sort((a, b) => a - b);
    for (const wave of waves) {
        let waveEnd = waveFree;
        for (const r of regions.filter((x) => x.wave === wave)) {
            const left = (full: number) => Math.max(0, full - r.phaseMinutes);
            if (r.stage === "done") continue;
            if (r.stage === "tail" || !r.shifts) {
                latest = Math.max(latest, r.stage === "tail" ? left(tailMinutes) : tailMinutes);
                continue;
            }
            const bringUp = r.stage === "waiting" ? p.bringUp : r.stage === "bring-up" ? left(p.bringUp) : 0;
            const traffic = r.stage === "traffic" ? Math.max(0, r.stepsLeft * stepMinutes - Math.min(r.phaseMinutes, stepMinutes)) : r.stage === "wave-bake" ? 0 : r.stepsLeft * stepMinutes;
            const start = r.stage === "traffic" || r.stage === "wave-bake" ? 0 : Math.max(waveFree, bringUp);
            const bake = wave === lastWave ? 0 : r.stage === "wave-bake" ? left(extraWaveBake(t)) : extraWaveBake(t);
            const end = start + traffic + bake;
            waveEnd = Math.max(waveEnd, end);
            latest = Math.max(latest, end + tailMinutes);
        }
        waveFree = waveEnd;
    }
    return Math.round(latest * 10) / 10;
}
