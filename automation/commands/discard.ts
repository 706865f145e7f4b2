/**
 * `mitene discard`: tear down the new-color cluster a rollback kept (automation/upgrade/discard.ts). It changes
 * stacks, so it takes the env's lease like an upgrade.
 */
import { DriverPorts, Invocation } from "../core/context";
import { BadInputError, CommandFailedError } from "../core/errors";
import { observeEnv } from "../core/fleet";
import { count, resultHeadline, resultName } from "../core/wording";
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { selectRegions } from "../engines/facts";
import { regionContext } from "../upgrade/regionState";
import { RegionDiscard, discardRegion } from "../upgrade/discard";
import { handleRegionPendingOperations } from "../upgrade/pending";
import { withLease } from "../upgrade/run";
import { RunLog } from "../record/runLog";
import { UPGRADE_DEFAULTS } from "../upgrade/types";

export interface DiscardFlags extends EngineOptions {
    env: string;
    region: string[];
    recover?: boolean;
    breakLease?: boolean;
    /** Destroy without asking (CI, scripts). */
    yes?: boolean;
}

/** Asks a person a yes/no question (on a terminal); absent when there is nobody to ask. */
export type Confirm = (question: string) => Promise<boolean>;

export interface DiscardReport {
    env: string;
    result: "discarded" | "nothing_to_do" | "failed";
    regions: RegionDiscard[];
    durationMinutes: number;
    journal: string;
}

export async function discardCommand(flags: DiscardFlags, io: EngineIo, invocation: Invocation, confirm?: Confirm): Promise<DiscardReport> {
    if (flags.region.length === 0) throw new BadInputError("give --region R (repeatable): the regions whose kept cluster to discard");
    // Before the engine opens (the sim seeds an env it has never seen): without --yes someone must be asked.
    if (!flags.yes && !confirm) throw new BadInputError("discard destroys clusters: give --yes to confirm (there is no terminal here to ask on)");
    let regions: string[] = [];
    const ports = await openEngine(flags, flags.env, io, { validate: (facts) => (regions = selectRegions(facts, flags.region)) });
    for (const region of regions) await handleRegionPendingOperations(ports, flags.env, region, false).catch((error) => {
        if (!flags.recover) throw error;
    });
    if (!flags.yes) {
        const doomed = await keptClusters(ports, flags.env, regions);
        if (doomed.length > 0 && !(await confirm!(`discard destroys ${count(doomed.length, "cluster")} of ${flags.env}: ${doomed.join(", ")}. Destroy?`))) {
            throw new CommandFailedError("discard not confirmed: nothing was changed");
        }
    }
    return withLease(ports, invocation, flags.env, flags.breakLease ?? false, async (leased) => {
        const log = new RunLog(leased.clock, leased.journal, invocation.runId, flags.env, invocation.view);
        await log.event(null, `discard in ${flags.env}: ${regions.join(", ")}`, { phase: "start", detail: { command: "discard", regions } });
        const results: RegionDiscard[] = [];
        for (const region of regions) {
            await handleRegionPendingOperations(leased, flags.env, region, flags.recover ?? false);
            results.push(await discardRegion(regionContext(leased, log, flags.env, region, invocation.signal, UPGRADE_DEFAULTS.pollMs)));
        }
        const result = results.some((r) => r.result === "refused") ? "failed" : results.some((r) => r.result === "discarded") ? "discarded" : "nothing_to_do";
        const report: DiscardReport = { env: flags.env, result, regions: results, durationMinutes: log.elapsedMinutes(), journal: leased.journal.locate(flags.env) };
        await log.event(null, `discard ${result}`, { phase: "end", detail: { result: report }, result });
        return report;
    }, { regions });
}

/** The new-color cluster stacks a discard of `regions` would destroy: those a rollback kept. */
async function keptClusters(ports: DriverPorts, env: string, regions: string[]): Promise<string[]> {
    const view = await observeEnv(ports.engine, env);
    return view.regions.flatMap((region) => {
        const record = region.outputs?.upgrade;
        if (!regions.includes(region.region) || !record || (record.state !== "rolled_back" && record.state !== "discarding")) return [];
        const cluster = region.clusters[record.newColor];
        return cluster ? [cluster.stack] : [];
    });
}

export function formatDiscard(report: DiscardReport): string {
    return [`discard in ${report.env}: ${resultHeadline(report.result)}`, ...report.regions.map((r) => `  ${r.region}: ${resultName(r.result)}${r.reason ? `: ${r.reason}` : r.color ? `: ${r.color} torn down` : ""}`), `  journal: ${report.journal}`].join("\n");
}
