/**
 * `mitene status`: where every region of an env stands.
 */
import { COLORS } from "../../components/naming";
import { Weights } from "../../components/weights";
import { DriverPorts } from "../context";
import { observeEnv } from "../fleet";
import { Lease } from "../ports";

export interface ClusterStatus {
    color: string;
    stack: string;
    version: string;
    /** Owns the cron jobs (exactly one cluster per region). */
    cron: boolean;
    /** Whether the cron label is on right now (off on the owner only during a cut-over). */
    cronEnabled: boolean;
    deployed: boolean;
    argocdRegistered: boolean;
}

export interface RegionStatus {
    region: string;
    stack: string;
    weights: Weights | null;
    clusters: ClusterStatus[];
    /** An upgrade in progress or rolled back here. */
    upgrade: { newColor: string; state: string; reason?: string } | null;
}

export interface StatusReport {
    env: string;
    ops: { stack: string; version: string | null; coreAddonsVersion: string | null; nodeGroupVersion: string | null } | null;
    regions: RegionStatus[];
    lease: Lease | null;
    /** Stacks with pending operations from an interrupted update. */
    pendingOperations: string[];
    journal: string;
}

export async function status(ports: DriverPorts, env: string): Promise<StatusReport> {
    const view = await observeEnv(ports.engine, env);
    const pending: string[] = [];
    const regions = view.regions.map((region): RegionStatus => {
        if (region.pending) pending.push(region.stack);
        const owner = region.outputs?.cronColor;
        return {
            region: region.region,
            stack: region.stack,
            weights: region.outputs?.weights ?? null,
            upgrade: region.outputs?.upgrade ?? null,
            clusters: COLORS.flatMap((color) => {
                const cluster = region.clusters[color];
                if (!cluster) return [];
                if (cluster.pending) pending.push(cluster.stack);
                return [{
                    color,
                    stack: cluster.stack,
                    version: cluster.version,
                    cron: owner === color,
                    cronEnabled: cluster.outputs?.cron === true,
                    deployed: cluster.outputs !== null,
                    argocdRegistered: cluster.outputs?.argocdRegistered === true,
                }];
            }),
        };
    });
    if (view.ops?.pending) pending.unshift(view.ops.stack);
    const ops = view.ops
        ? {
              stack: view.ops.stack,
              version: view.ops.outputs?.kubernetesVersion ?? null,
              coreAddonsVersion: view.ops.outputs?.coreAddonsVersion ?? null,
              nodeGroupVersion: view.ops.outputs?.nodeGroupVersion ?? null,
          }
        : null;
    return { env, ops, regions, lease: await ports.lease.current(env), pendingOperations: pending, journal: ports.journal.location };
}

export function formatStatus(report: StatusReport): string {
    const lines = [`env ${report.env}`];
    if (report.ops) lines.push(`  ops ${report.ops.stack}: Kubernetes ${report.ops.version} (add-ons ${report.ops.coreAddonsVersion}, nodes ${report.ops.nodeGroupVersion})`);
    for (const region of report.regions) {
        const weights = region.weights ? COLORS.map((c) => `${c} ${region.weights![c]}%`).join(" / ") : "not deployed";
        lines.push(`  ${region.region.padEnd(16)} ${weights}${region.upgrade ? `   upgrade to ${region.upgrade.newColor}: ${region.upgrade.state}${region.upgrade.reason ? ` (${region.upgrade.reason})` : ""}` : ""}`);
        for (const c of region.clusters) {
            const flags = [c.cron ? "cron" : "", c.deployed ? "" : "not deployed", c.argocdRegistered || !c.deployed ? "" : "not in Argo CD", c.cron && !c.cronEnabled ? "cron paused" : ""].filter(Boolean);
            lines.push(`    ${c.color.padEnd(6)} ${c.version.padEnd(6)} ${c.stack}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
        }
    }
    lines.push(report.lease ? `  lease: held by "${report.lease.holder.command}" (run ${report.lease.holder.runId}, pid ${report.lease.holder.pid} on ${report.lease.holder.host}) since ${report.lease.holder.startedAt}` : "  lease: free");
    if (report.pendingOperations.length) lines.push(`  PENDING OPERATIONS: ${report.pendingOperations.join(", ")} (rerun the interrupted command with --recover)`);
    lines.push(`  journal: ${report.journal}`);
    return lines.join("\n");
}
