/**
 * What a version cycle needs to know of an env, read once: every cluster (the Ops cluster included) with its
 * version, the EKS upgrade policy its stack sets, the add-ons it installs and, for a serving cluster, since when
 * it serves; and where the env stands in the cycle (`mitene:versionCycle` of its Ops stack). From the engine when
 * it holds the env's stacks, else from the committed stack files (an env another state directory never seeded).
 */
import { ADDON_CATALOG, OPS_CHARTS, selectAddons } from "../../components/addonCatalog";
import { COLORS, opsClusterName, parseStackName, serviceClusterName } from "../../components/naming";
import { OPS_ADDONS } from "../../components/opsCluster";
import { parseInstant } from "../../components/validation";
import { listStacks, readStackFile, toEngineValue } from "../../stacks/stackFiles";
import { ClusterOutputs } from "../../stacks/outputs";
import { EnvView, configText, cronOwner, observeEnv } from "../core/fleet";
import { StackConfig, StackEngine } from "../core/ports";

export interface ClusterFacts {
    stack: string;
    /** EKS cluster name. */
    cluster: string;
    role: "ops" | "service";
    /** AWS region of the cluster. */
    region: string;
    version: string;
    /** The Ops cluster's core add-ons and node groups may trail its control plane in the middle of an in-place upgrade. */
    coreAddonsVersion: string;
    /** `upgradePolicy.supportType` as the stack sets it; null when it sets nothing (EKS then defaults to EXTENDED). */
    upgradePolicy: string | null;
    /** Serves its region (owns the cron jobs); the Ops cluster always does. */
    serving: boolean;
    /** ISO time since when the cluster serves at its version (`mitene:servingSince`, written at the cron cut-over); null when unknown. */
    servingSince: string | null;
    /** Helm charts it installs: catalog add-on names, and for the Ops cluster Argo CD and Grafana. */
    charts: string[];
}

export interface VersionCycle {
    /** The env that goes through each version first. */
    after: string;
    /** Days the env before must have served a version before this env moves to it. */
    soakDays: number;
}

export interface EnvSnapshot {
    env: string;
    /** engine: the deployed stacks; committed: the repository's stack files (the env is not in this state). */
    source: "engine" | "committed";
    clusters: ClusterFacts[];
    cycle: VersionCycle | null;
}

/** `mitene:supportType` (the cluster's `upgradePolicy.supportType`, stacks/config/schema.ts) as the stack file sets it. */
export function upgradePolicyOf(config: StackConfig): string | null {
    const value = config["mitene:supportType"];
    return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** `mitene:versionCycle: { after: staging, soakDays: 7 }` of an Ops stack, or null. */
export function versionCycleOf(config: StackConfig): VersionCycle | null {
    const raw = config["mitene:versionCycle"];
    if (raw === undefined) return null;
    const value = (typeof raw === "string" ? JSON.parse(raw) : raw) as { after?: unknown; soakDays?: unknown };
    if (typeof value.after !== "string") return null;
    return { after: value.after, soakDays: Number(value.soakDays ?? 0) };
}

/** `mitene:servingSince` as an ISO time, whichever form the stack file's reader left it in; null when absent or unreadable. */
function sinceOf(config: StackConfig): string | null {
    const text = configText(config, "servingSince");
    const ms = text === undefined ? NaN : parseInstant(text);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const opsCharts = () => [...ADDON_CATALOG.filter((a) => (OPS_ADDONS as readonly string[]).includes(a.name)).map((a) => a.name), ...Object.values(OPS_CHARTS).map((c) => c.name)];

function opsFacts(env: string, stack: string, config: StackConfig, deployed: { kubernetesVersion: string; coreAddonsVersion: string; clusterName: string } | null): ClusterFacts {
    const version = deployed?.kubernetesVersion ?? configText(config, "kubernetesVersion") ?? "unknown";
    return {
        stack,
        cluster: deployed?.clusterName ?? opsClusterName(env),
        role: "ops",
        region: configText(config, "region") ?? "unknown",
        version,
        coreAddonsVersion: deployed?.coreAddonsVersion ?? configText(config, "coreAddonsVersion") ?? version,
        upgradePolicy: upgradePolicyOf(config),
        serving: true,
        servingSince: null,
        charts: opsCharts(),
    };
}

function serviceFacts(env: string, region: string, color: (typeof COLORS)[number], stack: string, config: StackConfig, outputs: ClusterOutputs | null, serving: boolean): ClusterFacts {
    const version = outputs?.kubernetesVersion ?? configText(config, "kubernetesVersion") ?? "unknown";
    const optedIn = configText(config, "nodeTerminationHandler") === "true" ? ["aws-node-termination-handler"] : [];
    return {
        stack,
        cluster: outputs?.clusterName ?? serviceClusterName(env, region, color),
        role: "service",
        region,
        version,
        coreAddonsVersion: version,
        upgradePolicy: upgradePolicyOf(config),
        serving,
        servingSince: sinceOf(config),
        charts: outputs?.addons ?? selectAddons(optedIn).map((a) => a.name),
    };
}

/** The env as the engine holds it, or null when the engine has none of its stacks. */
export async function snapshotFromEngine(engine: StackEngine, env: string): Promise<EnvSnapshot | null> {
    return snapshotFromView(await observeEnv(engine, env));
}

/** The snapshot of an env already observed (preflight reads the stacks once). */
export function snapshotFromView(view: EnvView): EnvSnapshot | null {
    const env = view.env;
    if (!view.ops && view.regions.length === 0) return null;
    const clusters: ClusterFacts[] = [];
    if (view.ops) clusters.push(opsFacts(env, view.ops.stack, view.ops.config, view.ops.outputs));
    for (const region of view.regions) {
        const owner = cronOwner(region);
        for (const color of COLORS) {
            const cluster = region.clusters[color];
            if (cluster) clusters.push(serviceFacts(env, region.region, color, cluster.stack, cluster.config, cluster.outputs, color === owner));
        }
    }
    return { env, source: "engine", clusters, cycle: view.ops ? versionCycleOf(view.ops.config) : null };
}

/** The env as its committed stack files say (structured values as the engine passes them: JSON text). */
export function snapshotFromFiles(env: string, stacksDir?: string): EnvSnapshot | null {
    const clusters: ClusterFacts[] = [];
    let cycle: VersionCycle | null = null;
    for (const stack of listStacks(stacksDir)) {
        const id = parseStackName(stack);
        if (id?.env !== env || id.kind === "region") continue;
        const file = readStackFile(stack, stacksDir);
        const config = Object.fromEntries(Object.entries(file).map(([k, v]) => [k, toEngineValue(v)]));
        if (id.kind === "ops") {
            clusters.unshift(opsFacts(env, stack, config, null));
            cycle = versionCycleOf(config);
        } else {
            clusters.push(serviceFacts(env, id.region, id.color, stack, config, null, configText(config, "cron") === "true"));
        }
    }
    return clusters.length > 0 ? { env, source: "committed", clusters, cycle } : null;
}

/** The env from the engine if it holds it, else from the stack files. */
export async function snapshotEnv(engine: StackEngine, env: string, stacksDir?: string): Promise<EnvSnapshot | null> {
    return (await snapshotFromEngine(engine, env)) ?? snapshotFromFiles(env, stacksDir);
}

/** The versions serving: the Ops cluster's and each region's serving cluster's. */
export const servingClusters = (snapshot: EnvSnapshot) => snapshot.clusters.filter((c) => c.serving);
export const opsOf = (snapshot: EnvSnapshot) => snapshot.clusters.find((c) => c.role === "ops") ?? null;
