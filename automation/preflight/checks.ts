/**
 * Preflight: everything that can be known to block an upgrade before anything is created. Each check is a
 * plain function over facts returning findings; `preflightBlueGreen` / `preflightInPlace` gather the facts.
 */
import { ADDON_CATALOG, AddonSpec, ChartSupport, OPS_CHARTS, unsupportedCharts } from "../../components/addonCatalog";
import { Color, clusterStack, opsStack, otherColor } from "../../components/naming";
import { OPS_ADDONS } from "../../components/opsCluster";
import { compareMinor, coreAddonVersions, eksSupport, minorDistance, supportPhase } from "../../components/kubernetesVersions";
import { EnvStackFile, envProblems } from "../../stacks/envChecks";
import { ClusterOutputs } from "../../stacks/outputs";
import { DriverPorts } from "../core/context";
import { RegionView, configText, cronOwner, observeEnv, pendingStacks, EnvView } from "../core/fleet";
import { CallerAccount, ClusterInsight, Lease, SubnetCapacity } from "../core/ports";
import { runStackProgram } from "../programs/stackPrograms";
import { newClusterConfig } from "../upgrade/region";
import { apiUses } from "./apiDeprecations";
import { CalendarRow, STANDARD_SUPPORT_WARNING_DAYS, calendarRow } from "../plan/calendar";
import { orderFindings, overrideOrder } from "../plan/order";
import { EnvSnapshot, snapshotEnv, snapshotFromView } from "../plan/snapshot";
import { PreflightFinding, blockingFindings } from "./finding";
import { count } from "../core/wording";


const today = () => new Date().toISOString().slice(0, 10);

/** The target's place in the EKS calendar on `date`. */
export function versionFindings(target: string, date: string): PreflightFinding[] {
    const support = eksSupport(target);
    switch (supportPhase(target, date)) {
        case "standard":
            return [];
        case "extended":
            return [{ id: "version-extended-support", severity: "warning", message: `Kubernetes ${target} is in EKS extended support since ${support!.endOfStandardSupport} (extra cost per cluster-hour); prefer a newer version` }];
        case "unsupported":
            return [{ id: "version-unsupported", severity: "blocking", message: `Kubernetes ${target} left EKS extended support on ${support!.endOfExtendedSupport}` }];
        case "unknown":
            return [{ id: "version-unknown", severity: "blocking", message: `Kubernetes ${target} is not in the project's EKS version table (components/kubernetesVersions.ts) or not released on EKS by ${date}` }];
    }
}

/** Blue/green may skip minors, but only when every add-on already supports the target. */
export function skipFindings(servingVersions: Record<string, string>, target: string, charts: readonly ChartSupport[]): PreflightFinding[] {
    return Object.entries(servingVersions)
        .filter(([, serving]) => minorDistance(serving, target) > 1)
        .map(([region, serving]) => {
            const unsupported = unsupportedCharts(charts, target);
            return unsupported.length === 0
                ? { id: "version-skip", severity: "warning" as const, region, message: `${region} goes from ${serving} to ${target}, skipping ${count(minorDistance(serving, target) - 1, "minor")}: allowed because every add-on supports ${target}` }
                : { id: "version-skip", severity: "blocking" as const, region, message: `${region} cannot skip from ${serving} to ${target}: ${unsupported.map((c) => c.name).join(", ")} ${unsupported.length === 1 ? "does" : "do"} not support ${target}` };
        });
}

/** Every pinned chart must list the target among the versions it supports. */
export function chartFindings(charts: readonly ChartSupport[], target: string, where: string): PreflightFinding[] {
    return unsupportedCharts(charts, target).map((chart) => ({
        id: "addon-support",
        severity: "blocking",
        message: `${where} add-on ${chart.name} ${chart.version} supports Kubernetes ${chart.kubernetes.min}-${chart.kubernetes.max}, not ${target}: bump it in components/addonCatalog.ts`,
    }));
}

export function coreAddonFindings(target: string): PreflightFinding[] {
    return coreAddonVersions(target)
        ? []
        : [{ id: "core-addons", severity: "blocking", message: `no vpc-cni/coredns/kube-proxy versions are known for Kubernetes ${target} (components/kubernetesVersions.ts)` }];
}

/** Resources the stacks would create with an API version the target deprecates (warning) or removed (blocking). */
export function apiFindings(resources: readonly { type: string; name: string }[], target: string, where: string): PreflightFinding[] {
    return apiUses(resources, target).map((use) => ({
        id: use.removed ? "api-removed" : "api-deprecated",
        severity: use.removed ? "blocking" : "warning",
        message: `${where}: ${use.resource} uses ${use.deprecation.apiVersion} ${use.deprecation.kind}, ${use.removed ? `removed in ${use.deprecation.removedIn}` : `deprecated since ${use.deprecation.deprecatedIn}`}; use ${use.deprecation.replacement}`,
    }));
}

/** Headroom for the VPC CNI's warm IP pool on top of one address per pod and per node. */
export const CNI_WARM_POOL_FACTOR = 1.2;

/** Addresses each private subnet must have free for a second cluster at its node groups' maximum size. */
export function ipsNeededPerSubnet(nodeGroups: ClusterOutputs["nodeGroups"], subnets: number): number {
    const addresses = nodeGroups.reduce((sum, g) => sum + g.maxSize * (g.maxPodsPerNode + 1), 0);
    return Math.ceil((addresses * CNI_WARM_POOL_FACTOR) / Math.max(1, subnets));
}

export function capacityFindings(region: string, capacity: SubnetCapacity[], needed: number): PreflightFinding[] {
    return capacity
        .filter((subnet) => subnet.freeIps < needed)
        .map((subnet) => ({
            id: "subnet-capacity",
            severity: "blocking",
            region,
            message: `${region}: subnet ${subnet.subnetId} (${subnet.availabilityZone}) has ${subnet.freeIps} free IPs, a second cluster at full size needs ${needed}`,
        }));
}

/** No interrupted update left behind, and no other run holding the env's lease. */
function runFindings(view: EnvView, lease: Lease | null, runId: string | null): PreflightFinding[] {
    const findings: PreflightFinding[] = pendingStacks(view).map((stack) => ({
        id: "pending-operations",
        severity: "blocking",
        message: `stack ${stack} has pending operations from an interrupted update (rerun with --recover)`,
    }));
    if (lease && lease.holder.runId !== runId) {
        findings.push({ id: "lease-held", severity: "blocking", message: `another run holds the lease of ${view.env}: "${lease.holder.command}" (pid ${lease.holder.pid} on ${lease.holder.host})` });
    }
    return findings;
}

/** Each region must stand as its stacks say: one deployed cron owner, all traffic on it unless mid-upgrade. */
export function stateFindings(view: EnvView, lease: Lease | null, runId: string | null): PreflightFinding[] {
    return [...runFindings(view, lease, runId), ...view.regions.flatMap(regionStateFindings)];
}

function regionStateFindings(region: RegionView): PreflightFinding[] {
    const owner = cronOwner(region);
    const serving = owner ? region.clusters[owner] : undefined;
    const at = (message: string, severity: "blocking" | "warning" = "blocking") => ({ id: "serving-state", severity, region: region.region, message: `${region.region}: ${message}` });
    if (!region.outputs) return [at(`region stack ${region.stack} is not deployed`)];
    if (!owner || !serving?.outputs) return [at(`the cron owner ${owner ?? "(none)"} has no deployed cluster`)];
    const findings: PreflightFinding[] = [];
    const configured = configText(serving.config, "kubernetesVersion");
    if (configured !== serving.outputs.kubernetesVersion) {
        findings.push(at(`${serving.stack} runs ${serving.outputs.kubernetesVersion} but its stack file says ${configured}: deploy or fix the stack file first`));
    }
    const record = region.outputs.upgrade;
    if (!record && region.outputs.weights[owner] !== 100) findings.push(at(`${owner} serves ${region.outputs.weights[owner]}% with no upgrade in progress`));
    if (record?.state === "rolled_back") findings.push(at(`an earlier upgrade to ${record.newColor} was rolled back (${record.reason ?? "no reason recorded"}); upgrade --retry tries again`, "warning"));
    return findings;
}

/**
 * The env's stacks agree on one AWS account and on VPCs that do not overlap, and the credentials the driver
 * runs with belong to that account: a prod upgrade with staging credentials stops here, before anything.
 */
export function accountFindings(env: string, files: EnvStackFile[], caller: CallerAccount | Error): PreflightFinding[] {
    const findings: PreflightFinding[] = envProblems(files).map((message) => ({ id: "env-config", severity: "blocking", message }));
    const accounts = [...new Set(files.map((f) => f.config["mitene:accountId"]).filter((a) => a !== undefined).map(String))];
    if (caller instanceof Error) {
        findings.push({ id: "aws-account", severity: "blocking", message: `cannot tell which AWS account the credentials belong to (STS GetCallerIdentity: ${caller.message})` });
    } else if (accounts.length === 0) {
        findings.push({ id: "aws-account", severity: "blocking", message: `no stack of ${env} names its AWS account (mitene:accountId)` });
    } else if (accounts.length === 1 && caller.accountId !== accounts[0]) {
        findings.push({
            id: "aws-account",
            severity: "blocking",
            message: `the AWS credentials belong to account ${caller.accountId} (${caller.arn}), but ${env}'s stacks are in account ${accounts[0]}: use ${env}'s credentials`,
        });
    }
    return findings;
}

/** accountFindings for the env as the engine holds it, asking the caller identity in the env's Ops region. */
async function envAccountFindings(ports: DriverPorts, view: EnvView): Promise<PreflightFinding[]> {
    const stacks = [...(view.ops ? [view.ops] : []), ...view.regions.flatMap((r) => [r, ...Object.values(r.clusters)])];
    const files = stacks.map((s) => ({ stack: s.stack, config: s.config }));
    const region = (view.ops && configText(view.ops.config, "region")) ?? view.regions[0]?.region ?? "us-east-1";
    const caller = await ports.identity.account(region).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    return accountFindings(view.env, files, caller);
}

/**
 * Where every cluster of the env stands in EKS's calendar: a warning while one is in extended support (it costs
 * more every hour) or within 60 days of leaving standard support, naming unverified dates as such.
 */
export function calendarFindings(rows: readonly CalendarRow[]): PreflightFinding[] {
    return rows.flatMap((row): PreflightFinding[] => {
        const dates = row.datesVerified ? "" : " (dates NOT verified against AWS's calendar)";
        if (row.phase === "extended") {
            const cost = row.extraCostPerMonthUsd > 0 ? `, $${row.extraCostPerMonthUsd}/month more than standard` : "";
            return [{ id: "support-phase", severity: "warning", message: `${row.cluster} runs Kubernetes ${row.version}, in EKS extended support since ${row.endOfStandardSupport}${dates}${cost} (upgradePolicy ${row.upgradePolicy})` }];
        }
        if (row.phase === "unsupported") return [{ id: "support-phase", severity: "warning", message: `${row.cluster} runs Kubernetes ${row.version}, past EKS extended support (${row.endOfExtendedSupport})${dates}: EKS upgrades it in place on its own` }];
        if (row.phase === "standard" && row.daysLeft !== null && row.daysLeft <= STANDARD_SUPPORT_WARNING_DAYS) {
            return [{ id: "support-phase", severity: "warning", message: `${row.cluster} runs Kubernetes ${row.version}, whose standard support ends ${row.endOfStandardSupport}${dates}, in ${count(row.daysLeft, "day")}` }];
        }
        return [];
    });
}

/** The calendar rows of an env's clusters on `date`. */
export const envCalendar = (snapshot: EnvSnapshot | null, date: string) => (snapshot?.clusters ?? []).map((c) => calendarRow(c, date));

/**
 * The order of the cycle (automation/plan/order.ts): the Ops cluster before the service clusters, the env the
 * cycle names before this one (with its soak). Blocking, unless `skipOrderCheck` gives a reason to go anyway.
 */
async function cycleOrderFindings(ports: DriverPorts, snapshot: EnvSnapshot | null, target: string, mode: "blue-green" | "in-place", skipOrderCheck: string | undefined): Promise<PreflightFinding[]> {
    if (!snapshot) return [];
    const before = snapshot.cycle ? await snapshotEnv(ports.engine, snapshot.cycle.after, ports.stacksDir) : null;
    return overrideOrder(orderFindings(snapshot, before, target, mode, ports.clock.now()), skipOrderCheck);
}

/** EKS upgrade insights: ERROR blocks, WARNING warns. */
export function insightFindings(insights: ClusterInsight[], where: string): PreflightFinding[] {
    return insights
        .filter((i) => i.status === "ERROR" || i.status === "WARNING")
        .map((i) => ({ id: "eks-insight", severity: i.status === "ERROR" ? "blocking" : "warning", message: `${where}: EKS insight "${i.name}": ${i.reason}` }));
}

/** The graph the new color's cluster would have at `target` (rendered under mocks, no credentials). */
async function newClusterGraph(ports: DriverPorts, env: string, region: RegionView, serving: Color, target: string) {
    const lookup = new Map<string, Record<string, unknown>>();
    for (const stack of [region.stack, opsStack(env)]) {
        const outputs = (await ports.engine.getStack(stack))?.outputs;
        if (outputs) lookup.set(stack, outputs);
    }
    const name = clusterStack(env, region.region, otherColor(serving));
    return (await runStackProgram(name, newClusterConfig(region.clusters[serving]!.config, target), (s) => lookup.get(s))).resources;
}

export interface PreflightContext {
    /** The run's own id: its lease is not "held by another run". */
    runId?: string;
    date?: string;
    /** Go against the cycle's order on purpose, for this reason (`--skip-order-check`); the journal keeps it. */
    skipOrderCheck?: string;
    /** Told the env's snapshot preflight read, so the run journals the calendar without reading the stacks again. */
    onSnapshot?: (snapshot: EnvSnapshot | null) => void;
}

/**
 * The add-ons the new clusters will install: those of the serving clusters they are made from (an opt-in
 * add-on nobody chose, like the Node Termination Handler, cannot block a target). The whole catalog when a
 * serving cluster does not say (deployed before it exported `addons`).
 */
export function servingAddons(regions: readonly RegionView[]): AddonSpec[] {
    const lists = regions.map((r) => {
        const owner = cronOwner(r);
        return owner ? (r.clusters[owner]?.outputs as ClusterOutputs | undefined)?.addons : undefined;
    });
    if (lists.some((list) => list === undefined)) return [...ADDON_CATALOG];
    const names = new Set(lists.flat());
    return ADDON_CATALOG.filter((addon) => names.has(addon.name));
}

/** Checks for a blue/green upgrade of `regions` to `target`. */
export async function preflightBlueGreen(ports: DriverPorts, env: string, target: string, regions: string[], context: PreflightContext = {}): Promise<PreflightFinding[]> {
    const view = await observeEnv(ports.engine, env);
    const snapshot = snapshotFromView(view);
    context.onSnapshot?.(snapshot);
    const selected = view.regions.filter((r) => regions.includes(r.region));
    const servingVersions = Object.fromEntries(
        selected.flatMap((r) => {
            const owner = cronOwner(r);
            const cluster = owner ? r.clusters[owner] : undefined;
            return cluster ? [[r.region, cluster.version]] : [];
        }),
    );
    const charts = servingAddons(selected);
    const findings = [
        ...versionFindings(target, context.date ?? today()),
        ...skipFindings(servingVersions, target, charts),
        ...chartFindings(charts, target, "service-cluster"),
        ...coreAddonFindings(target),
        ...(await envAccountFindings(ports, view)),
        ...stateFindings({ ...view, regions: selected }, await ports.lease.current(env), context.runId ?? null),
        ...(await cycleOrderFindings(ports, snapshot, target, "blue-green", context.skipOrderCheck)),
        ...calendarFindings(envCalendar(snapshot, context.date ?? today())),
    ];
    if (blockingFindings(findings).length > 0) return findings;
    for (const region of selected) {
        const owner = cronOwner(region)!;
        if (compareMinor(servingVersions[region.region], target) >= 0) continue;
        findings.push(...apiFindings(await newClusterGraph(ports, env, region, owner, target), target, `${region.region} ${otherColor(owner)}`));
        if (region.clusters[otherColor(owner)]) continue;
        const outputs = region.outputs!;
        const capacity = await ports.subnets.freeIps(region.region, outputs.privateSubnetIds);
        findings.push(...capacityFindings(region.region, capacity, ipsNeededPerSubnet(region.clusters[owner]!.outputs!.nodeGroups, outputs.privateSubnetIds.length)));
    }
    return findings;
}

/** Checks for the in-place upgrade of the Ops cluster to `target` (exactly one minor ahead: the caller checks). */
export async function preflightInPlace(ports: DriverPorts, env: string, target: string, context: PreflightContext = {}): Promise<PreflightFinding[]> {
    const view = await observeEnv(ports.engine, env);
    const snapshot = snapshotFromView(view);
    context.onSnapshot?.(snapshot);
    const findings: PreflightFinding[] = [
        ...versionFindings(target, context.date ?? today()),
        ...chartFindings([...ADDON_CATALOG.filter((a) => (OPS_ADDONS as readonly string[]).includes(a.name)), ...Object.values(OPS_CHARTS)], target, "Ops cluster"),
        ...coreAddonFindings(target),
        ...(await envAccountFindings(ports, view)),
        ...runFindings(view, await ports.lease.current(env), context.runId ?? null),
        ...(await cycleOrderFindings(ports, snapshot, target, "in-place", context.skipOrderCheck)),
        ...calendarFindings(envCalendar(snapshot, context.date ?? today()).filter((row) => row.role === "ops")),
    ];
    const ops = view.ops;
    if (!ops?.outputs) return [...findings, { id: "serving-state", severity: "blocking", message: `the Ops stack of ${env} is not deployed` }];
    const graph = (await runStackProgram(ops.stack, { ...ops.config, "mitene:kubernetesVersion": target, "mitene:coreAddonsVersion": target, "mitene:nodeGroupVersion": target }, () => undefined)).resources;
    findings.push(...apiFindings(graph, target, "Ops cluster"));
    findings.push(...insightFindings(await ports.insights.insights(configText(ops.config, "region")!, ops.outputs.clusterName, target, ops.stack), "Ops cluster"));
    return findings;
}
