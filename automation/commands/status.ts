/**
 * `mitene status`: where every region of an env stands, read-only. Each region gets one state word and a
 * sentence saying what it means and what to do; the lease says whether its holder still runs.
 */
import { COLORS, Color, otherColor } from "../../components/naming";
import { Weights, formatWeights } from "../../components/weights";
import { UpgradeRecord } from "../../stacks/upgradeRecord";
import { DriverPorts } from "../core/context";
import { RegionView, configText, observeEnv } from "../core/fleet";
import { SupportPhase, eksSupport, supportPhase } from "../../components/kubernetesVersions";
import { Halt, Lease } from "../core/ports";
import { checkRolloutRegions } from "../core/control";

export interface ClusterStatus {
    color: Color;
    stack: string;
    version: string;
    /** Owns the cron jobs (exactly one cluster per region). Whether they run right now is in the region's state. */
    cron: boolean;
    deployed: boolean;
    argocdRegistered: boolean;
    /** Where its version stands in EKS's calendar today (standard, extended, unsupported, unknown). */
    phase: SupportPhase;
    /** The version's dates were read in AWS's own calendar (components/kubernetesVersions.ts); false: the phase rests on unverified dates. */
    datesVerified: boolean;
}

export type RegionState =
    | "not deployed"
    | "serving"
    | "upgrading"
    | "paused"
    | "cut-over"
    | "holding"
    | "kept"
    | "tearing down"
    | "rolled back"
    | "discarding"
    | "interrupted";

export interface RegionStatus {
    region: string;
    stack: string;
    weights: Weights | null;
    state: RegionState;
    /** What the state means here, and what to do about it. */
    detail: string;
    clusters: ClusterStatus[];
    /** The upgrade record (stacks/upgradeRecord.ts), when an upgrade is under way or rolled back. */
    upgrade: UpgradeRecord | null;
    /** Its wave in the rollout plan of the env's latest upgrade (0: the canary); absent when that plan has none for it. */
    wave?: number;
}

export interface StatusReport {
    env: string;
    ops: { stack: string; version: string | null; coreAddonsVersion: string | null; nodeGroupVersion: string | null; phase: SupportPhase; datesVerified: boolean } | null;
    regions: RegionStatus[];
    lease: (Lease & { alive: boolean }) | null;
    /** The stop-the-line switch, while it is on. */
    halt: Halt | null;
    /** Stacks with pending operations from an interrupted update. */
    pendingOperations: string[];
    /** The journal file of this env. */
    journal: string;
}

const time = (iso: string | undefined) => (iso ? iso.slice(11, 16) + " UTC" : "?");

/** The region's state from its stacks; `running` says whether a live run holds the env's lease. */
export function describeRegion(region: RegionView, running: boolean): { state: RegionState; detail: string } {
    const outputs = region.outputs;
    if (!outputs) return { state: "not deployed", detail: `region stack ${region.stack} is not deployed` };
    const record = outputs.upgrade ?? null;
    const cluster = (color: Color) => region.clusters[color];
    const cronOn = (color: Color) => cluster(color)?.outputs?.cron === true;
    const stopped = (text: string): { state: RegionState; detail: string } => (running ? { state: "upgrading", detail: text } : { state: "interrupted", detail: `${text}; the run stopped: rerun the upgrade to go on, or roll back` });
    if (!record) {
        const other = cluster(otherColor(outputs.cronColor));
        const serving = cluster(outputs.cronColor);
        if (!other) return { state: "serving", detail: `${outputs.cronColor} serves ${outputs.weights[outputs.cronColor]}% (Kubernetes ${serving?.version ?? "?"})${cronOn(outputs.cronColor) ? "" : "; its cron jobs are paused"}` };
        return stopped(`bringing up ${other.color} (Kubernetes ${other.version}); no traffic moved yet`);
    }
    const fresh = record.newColor;
    const old = otherColor(fresh);
    switch (record.state) {
        case "shifting":
            if (record.passed !== undefined && outputs.weights[fresh] === record.passed) {
                return { state: "paused", detail: `paused at ${fresh} ${record.passed}% after its gate passed (--stop-at): run the upgrade again to go on, or roll back` };
            }
            if (outputs.weights[fresh] === 100 && !cronOn(old)) {
                const text = `cron cut-over: cron paused on ${old} while its running jobs finish`;
                return running ? { state: "cut-over", detail: text } : { state: "interrupted", detail: `${text}; the run stopped: rerun the upgrade to finish the cut-over, or roll back` };
            }
            return stopped(`shifting traffic: ${formatWeights(outputs.weights)}`);
        case "retiring":
            if (record.keep) return { state: "kept", detail: `${fresh} serves; ${old} kept (--no-destroy): rollback stays possible; an upgrade without --no-destroy, or discard after a rollback, removes it` };
            return running
                ? { state: "holding", detail: `${fresh} serves; holding until ${time(record.holdUntil)}, then ${old} is torn down (rollback stays possible until then)` }
                : { state: "interrupted", detail: `${fresh} serves; teardown of ${old} pending (hold until ${time(record.holdUntil)}): rerun the upgrade to finish, or roll back` };
        case "tearing-down":
            return running ? { state: "tearing down", detail: `${fresh} serves; ${old} is being torn down` } : { state: "interrupted", detail: `${fresh} serves; the teardown of ${old} stopped half-way: rerun the upgrade to finish it` };
        case "rolled_back": {
            const settled = outputs.cronColor === old && cronOn(old) && !cronOn(fresh);
            const kept = cluster(fresh) ? `${fresh} kept for inspection (weight 0, cron off): upgrade --retry tries again, discard removes it` : "no traffic had moved";
            return settled
                ? { state: "rolled back", detail: `${old} serves again: ${record.reason ?? "no reason recorded"}; ${kept}` }
                : { state: "rolled back", detail: `${old} carries the traffic, but the cron jobs are not back on it yet (rollback unfinished): rerun mitene rollback` };
        }
        case "discarding":
            return running ? { state: "discarding", detail: `${fresh} of a rolled-back upgrade is being torn down` } : { state: "interrupted", detail: `the discard of ${fresh} stopped half-way: rerun mitene discard` };
    }
}

export async function status(ports: DriverPorts, env: string, today = new Date().toISOString().slice(0, 10)): Promise<StatusReport> {
    const view = await observeEnv(ports.engine, env);
    const current = await ports.lease.current(env);
    const lease = current ? { ...current, alive: ports.lease.alive(current) } : null;
    const running = lease?.alive === true;
    const halt = await ports.control.halt(env);
    const waves = checkRolloutRegions(await ports.control.rollout(env), env, view.regions.map((r) => r.region))?.waves ?? [];
    const waveOf = (region: string) => waves.findIndex((wave) => wave.includes(region));
    const pending: string[] = [];
    if (view.ops?.pending) pending.push(view.ops.stack);
    const regions = view.regions.map((region): RegionStatus => {
        if (region.pending) pending.push(region.stack);
        const owner = region.outputs?.cronColor;
        return {
            region: region.region,
            stack: region.stack,
            weights: region.outputs?.weights ?? null,
            ...describeRegion(region, running && (lease.holder.regions?.includes(region.region) ?? true)),
            upgrade: region.outputs?.upgrade ?? null,
            ...(waveOf(region.region) >= 0 ? { wave: waveOf(region.region) } : {}),
            clusters: COLORS.flatMap((color) => {
                const cluster = region.clusters[color];
                if (!cluster) return [];
                if (cluster.pending) pending.push(cluster.stack);
                return [{ color, stack: cluster.stack, version: cluster.version, cron: owner === color, deployed: cluster.outputs !== null, argocdRegistered: cluster.outputs?.argocdRegistered === true, ...supportOf(cluster.version, today) }];
            }),
        };
    });
    const ops = view.ops
        ? { stack: view.ops.stack, version: view.ops.outputs?.kubernetesVersion ?? null, coreAddonsVersion: view.ops.outputs?.coreAddonsVersion ?? null, nodeGroupVersion: view.ops.outputs?.nodeGroupVersion ?? null, ...supportOf(view.ops.outputs?.kubernetesVersion ?? configText(view.ops.config, "kubernetesVersion") ?? "unknown", today) }
        : null;
    return { env, ops, regions, lease, halt, pendingOperations: pending, journal: ports.journal.locate(env) };
}

/** Where a version stands in EKS's calendar today, and whether that rests on dates read in AWS's own table. */
const supportOf = (version: string, today: string) => ({ phase: supportPhase(version, today), datesVerified: eksSupport(version)?.verified ?? false });

/** `extended support` and, when the calendar row was not read in AWS's own calendar, that its dates are unverified. */
export function phaseText(phase: SupportPhase, version: string | null): string {
    const dates = version && eksSupport(version) && !eksSupport(version)!.verified ? ", dates unverified" : "";
    return `${phase === "standard" || phase === "extended" ? `${phase} support` : phase}${dates}`;
}

export function formatStatus(report: StatusReport): string {
    const lines = [`env ${report.env}`];
    if (report.halt) lines.push(`  HALTED by ${report.halt.by} at ${report.halt.at}: ${report.halt.reason}`, `    no upgrade moves traffic or starts a region until \`mitene resume --env ${report.env}\`; rollback and discard still work`);
    if (report.ops) lines.push(`  ops ${report.ops.stack}: Kubernetes ${report.ops.version} (${phaseText(report.ops.phase, report.ops.version)}), add-ons ${report.ops.coreAddonsVersion}, nodes ${report.ops.nodeGroupVersion}`);
    for (const region of report.regions) {
        lines.push(`  ${region.region.padEnd(16)} ${(region.weights ? formatWeights(region.weights) : "not deployed").padEnd(22)} ${region.state}${region.wave === undefined ? "" : region.wave === 0 ? "  (wave 0, canary)" : `  (wave ${region.wave})`}`);
        lines.push(`    ${region.detail}`);
        for (const c of region.clusters) {
            const flags = [c.cron ? "cron" : "", c.deployed ? "" : "not deployed", c.argocdRegistered || !c.deployed ? "" : "not in Argo CD"].filter(Boolean);
            lines.push(`    ${c.color.padEnd(6)} ${c.version.padEnd(6)} ${c.stack}  ${phaseText(c.phase, c.version)}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
        }
    }
    const lease = report.lease;
    lines.push(lease ? `  lease: held by "${lease.holder.command}", run ${lease.holder.runId}, pid ${lease.holder.pid} on ${lease.holder.host}, since ${lease.holder.startedAt}${lease.alive ? "" : ": that run is gone (the next run takes the lease over)"}` : "  lease: free");
    if (report.pendingOperations.length) lines.push(`  PENDING OPERATIONS: ${report.pendingOperations.join(", ")}: rerun the interrupted command with --recover`);
    lines.push(`  journal: ${report.journal}`);
    return lines.join("\n");
}
