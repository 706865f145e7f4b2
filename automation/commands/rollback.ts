/**
 * `mitene rollback`: the regions' traffic back on the color that served before the upgrade, at once, then
 * their cron jobs (automation/upgrade/rollback.ts). It takes no lease, so it works while an upgrade runs;
 * that upgrade notices at its next step and leaves the region alone.
 */
import { DriverPorts, Invocation } from "../core/context";
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError } from "../core/errors";
import { selectRegions } from "../engines/facts";
import { parseDuration } from "../core/options";
import { RunLog } from "../record/runLog";
import { regionContext } from "../upgrade/regionState";
import { RegionRollback, rollbackRegion } from "../upgrade/rollback";
import { handleRegionPendingOperations } from "../upgrade/pending";
import { UPGRADE_DEFAULTS } from "../upgrade/types";
import { DURATION_LIMITS } from "./upgrade";
import { endLine, resultHeadline, resultName } from "../core/wording";

export interface RollbackFlags extends EngineOptions {
    env: string;
    region: string[];
    all?: boolean;
    fastRollback?: boolean;
    recover?: boolean;
    jobsTimeout?: string;
}

type RegionReport = RegionRollback | { region: string; result: "failed"; reason: string; actions: string[] };

export interface RollbackReport {
    env: string;
    result: "rolled_back" | "nothing_to_do" | "failed";
    regions: RegionReport[];
    /** With one region, its color, weights and reason at the top too (the shape scripts read). */
    region?: string;
    color?: string;
    weights?: RegionRollback["weights"];
    reason?: string | null;
    /** Minutes the whole command took (virtual on sim and local). */
    durationMinutes: number;
    journal: string;
}

export function regionsToRollBack(flags: RollbackFlags): string[] {
    if (flags.all && flags.region.length > 0) throw new BadInputError("give either --all or --region, not both");
    if (!flags.all && flags.region.length === 0) throw new BadInputError("give --region R (repeatable) or --all");
    return flags.region;
}

export async function rollbackCommand(flags: RollbackFlags, io: EngineIo, invocation: Invocation): Promise<RollbackReport> {
    const requested = regionsToRollBack(flags);
    const jobsTimeoutMs = flags.jobsTimeout === undefined ? UPGRADE_DEFAULTS.jobsTimeoutMs : parseDuration("--jobs-timeout", flags.jobsTimeout, DURATION_LIMITS.jobsTimeout);
    let regions: string[] = [];
    // As the rollback role: it may move traffic and cron back, and nothing else (docs/identity-kubernetes.md).
    const ports = await openEngine(flags, flags.env, io, { validate: (facts) => (regions = selectRegions(facts, requested)), access: "rollback" });
    return rollback(ports, invocation, flags.env, regions, { fast: flags.fastRollback ?? false, recover: flags.recover ?? false, jobsTimeoutMs });
}

export async function rollback(ports: DriverPorts, invocation: Invocation, env: string, regions: string[], options: { fast: boolean; recover: boolean; jobsTimeoutMs: number }): Promise<RollbackReport> {
    // Only this command's own stacks matter: pending operations elsewhere must not hold traffic hostage.
    for (const region of regions) await handleRegionPendingOperations(ports, env, region, options.recover);
    const log = new RunLog(ports.clock, ports.journal, invocation.runId, env, invocation.view);
    const lease = await ports.lease.current(env);
    const runningUpgrade = lease && ports.lease.alive(lease) ? lease.holder : null;
    const reason = `rolled back by an operator with mitene rollback, run ${invocation.runId} on ${invocation.host}, at ${new Date(ports.clock.now()).toISOString()}`;
    await log.event(null, `rollback of ${env}: ${regions.join(", ")}`, { phase: "start", detail: { command: "rollback", regions } });
    const results = await ports.clock.parallel(
        regions.map((region) => async () => {
            const ctx = regionContext(ports, log, env, region, invocation.signal, UPGRADE_DEFAULTS.pollMs);
            try {
                // Only an upgrade says its target: other lease holders (ops-upgrade, discard) start no attempt here.
                const inScope = runningUpgrade?.to !== undefined && (runningUpgrade.regions?.includes(region) ?? true);
                return await rollbackRegion(ctx, { reason, fast: options.fast, jobsTimeoutMs: options.jobsTimeoutMs, runningUpgrade: inScope ? { runId: runningUpgrade.runId, to: runningUpgrade.to! } : undefined });
            } catch (error) {
                const message = (error as Error).message;
                await log.event(region, `rollback failed: ${message}`, { phase: "rollback", result: "failed" });
                return { region, result: "failed" as const, reason: message, actions: [] };
            }
        }),
    );
    const result = results.some((r) => r.result === "failed" || r.result === "refused") ? "failed" : results.some((r) => r.result === "rolled_back") ? "rolled_back" : "nothing_to_do";
    await ports.close?.();
    const only = results.length === 1 && "color" in results[0] ? results[0] : undefined;
    const report: RollbackReport = {
        env,
        result,
        regions: results,
        ...(only ? { region: only.region, color: only.color, weights: only.weights, reason: only.reason } : {}),
        durationMinutes: log.elapsedMinutes(),
        journal: ports.journal.locate(env),
    };
    await log.event(null, endLine("rollback", result, report.durationMinutes), { phase: "end", detail: { result: report }, result });
    return report;
}

export function formatRollback(report: RollbackReport): string {
    const lines = [`rollback of ${report.env}: ${resultHeadline(report.result)}`];
    for (const r of report.regions) {
        lines.push(`  ${r.region}: ${resultName(r.result)}${r.result !== "rolled_back" && r.reason ? `: ${r.reason}` : ""}`);
        for (const action of r.actions) lines.push(`    - ${action}`);
    }
    lines.push(`  journal: ${report.journal}`);
    return lines.join("\n");
}
