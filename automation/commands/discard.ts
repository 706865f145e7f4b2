/**
 * `mitene discard`: tear down the new-color cluster a rollback kept (automation/upgrade/discard.ts). It changes
 * stacks, so it takes the env's lease like an upgrade.
 */
import { Invocation } from "../core/context";
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
}

export interface DiscardReport {
    env: string;
    result: "discarded" | "nothing_to_do" | "failed";
    regions: RegionDiscard[];
    durationMinutes: number;
    journal: string;
}

export async function discardCommand(flags: DiscardFlags, io: EngineIo, invocation: Invocation): Promise<DiscardReport> {
    let regions: string[] = [];
    const ports = await openEngine(flags, flags.env, io, { validate: (facts) => (regions = selectRegions(facts, flags.region)) });
    for (const region of regions) await handleRegionPendingOperations(ports, flags.env, region, false).catch((error) => {
        if (!flags.recover) throw error;
    });
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

export function formatDiscard(report: DiscardReport): string {
    return [`discard in ${report.env}: ${report.result.replace("_", " ").toUpperCase()}`, ...report.regions.map((r) => `  ${r.region}: ${r.result.replace("_", " ")}${r.reason ? `: ${r.reason}` : r.color ? `: ${r.color} torn down` : ""}`), `  journal: ${report.journal}`].join("\n");
}
