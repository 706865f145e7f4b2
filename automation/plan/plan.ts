/**
 * The next version cycle of an env, changing nothing: the support calendar of its clusters, the readiness ledger
 * for the target, and the ordered steps from the first env of the cycle to this one. `--to` defaults to the
 * newest version the ledger allows (no blocking item for it), else one minor up.
 */
import { EKS_VERSIONS, compareMinor, nextMinor } from "../../components/kubernetesVersions";
import { DriverPorts } from "../core/context";
import { calendarItem, calendarRow, CalendarRow, targetCalendarItem } from "./calendar";
import { addonItems, coreAddonItems, insightItems } from "./ledger";
import { ManifestScan, manifestItems } from "./manifests";
import { ClusterFacts, EnvSnapshot, snapshotEnv } from "./snapshot";
import { CycleEnv, cycleSteps } from "./steps";
import { LedgerItem, PlanStep, severityRank } from "./types";

export interface PlanReport {
    env: string;
    to: string;
    /** `given` (--to) or `default` (the newest the ledger allows, else one minor up). */
    toFrom: "given" | "default";
    at: string;
    calendar: CalendarRow[];
    ledger: LedgerItem[];
    steps: PlanStep[];
    blockers: number;
    warnings: number;
    /** Where the clusters were read: the engine's stacks, or the committed stack files. */
    snapshot: EnvSnapshot["source"];
    /** Manifests scanned under --manifests (files), or null. */
    manifests: { dir: string; files: number } | null;
}

export interface PlanInput {
    env: string;
    to?: string;
    /** ISO date of the calendar (--at, default today). */
    at: string;
    /** Clock of the soak (ms): --at's midnight when given, else the engine's clock (virtual on sim). */
    nowMs: number;
    manifests?: { dir: string; scan: ManifestScan };
}

/** The clusters that must move to reach `target`: serving ones behind it. */
const moving = (snapshot: EnvSnapshot, target: string) => snapshot.clusters.filter((c) => c.serving && c.version !== "unknown" && compareMinor(c.version, target) < 0);

export function insightSource(kind: DriverPorts["kind"]): string {
    return kind === "pulumi"
        ? "EKS ListInsights/DescribeInsight (category UPGRADE_READINESS), read now"
        : `the scenario file's insights (${kind} engine; on the pulumi engine EKS ListInsights/DescribeInsight)`;
}

/** The ledger of `snapshot` for `target`: the calendar of every cluster, then what each moving cluster needs. */
export async function ledgerFor(ports: DriverPorts, snapshot: EnvSnapshot, target: string, at: string, scan?: ManifestScan): Promise<{ calendar: CalendarRow[]; ledger: LedgerItem[] }> {
    const calendar = snapshot.clusters.map((c) => calendarRow(c, at));
    const ledger: LedgerItem[] = [targetCalendarItem(target, at), ...calendar.map(calendarItem)];
    const toMove = moving(snapshot, target);
    const source = insightSource(ports.kind);
    const running = [...new Set(snapshot.clusters.map((c) => c.version).filter((v) => v !== "unknown"))];
    for (const cluster of toMove) {
        ledger.push(...addonItems(cluster, target, running), ...coreAddonItems(cluster, target));
        // Only deployed clusters have insights (a committed-only env has no cluster to ask).
        if (snapshot.source === "engine") ledger.push(...insightItems(cluster.stack, await ports.insights.insights(cluster.region, cluster.cluster, target, cluster.stack), source, cluster.cluster));
    }
    if (scan) ledger.push(...manifestItems(scan, target, toMove.filter((c) => c.role === "service").map((c) => c.stack)));
    return { calendar, ledger };
}

/** Items that stand between the env and the target (a running version's own calendar does not: it is why to move). */
const blocksTarget = (item: LedgerItem) => item.severity === "blocking" && !(item.kind === "calendar" && item.cluster !== "*");

/** Candidate targets, newest first: every minor above the lowest the env runs, up to the newest EKS has. */
export function candidateTargets(clusters: readonly ClusterFacts[]): string[] {
    const known = clusters.map((c) => c.version).filter((v) => v !== "unknown");
    if (known.length === 0) return [];
    const newest = EKS_VERSIONS[EKS_VERSIONS.length - 1].version;
    const candidates: string[] = [];
    for (let v = nextMinor([...known].sort(compareMinor)[0]); compareMinor(v, newest) <= 0; v = nextMinor(v)) candidates.push(v);
    return candidates.reverse();
}

/** The newest target with nothing blocking it, else one minor above the lowest version the env runs. */
export async function defaultTarget(ports: DriverPorts, snapshot: EnvSnapshot, at: string, scan?: ManifestScan): Promise<string> {
    const candidates = candidateTargets(snapshot.clusters);
    for (const target of candidates) {
        const { ledger } = await ledgerFor(ports, snapshot, target, at, scan);
        if (!ledger.some(blocksTarget)) return target;
    }
    return candidates[candidates.length - 1] ?? nextMinor(snapshot.clusters[0]?.version ?? "1.0");
}

/** The envs of the cycle up to `env`, the first first (following `versionCycle.after`, each env once). */
export async function cycleChain(ports: DriverPorts, snapshot: EnvSnapshot): Promise<EnvSnapshot[]> {
    const chain = [snapshot];
    for (let env = snapshot; env.cycle && !chain.some((e, i) => i > 0 && e.env === env.cycle!.after) && env.cycle.after !== snapshot.env; ) {
        const before = await snapshotEnv(ports.engine, env.cycle.after, ports.stacksDir);
        if (!before) break;
        chain.unshift(before);
        env = before;
    }
    return chain;
}

const noBlockingAddon = (ledger: LedgerItem[]) => !ledger.some((i) => i.kind === "addon" && i.severity === "blocking");

export async function buildPlan(ports: DriverPorts, snapshot: EnvSnapshot, input: PlanInput): Promise<PlanReport> {
    const scan = input.manifests?.scan;
    const to = input.to ?? (await defaultTarget(ports, snapshot, input.at, scan));
    const { calendar, ledger } = await ledgerFor(ports, snapshot, to, input.at, scan);
    const chain: CycleEnv[] = [];
    for (const env of await cycleChain(ports, snapshot)) {
        const own = env.env === snapshot.env ? ledger : (await ledgerFor(ports, env, to, input.at)).ledger;
        chain.push({ snapshot: env, mayJump: noBlockingAddon(own) });
    }
    ledger.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.cluster.localeCompare(b.cluster) || a.kind.localeCompare(b.kind) || a.item.localeCompare(b.item));
    return {
        env: snapshot.env,
        to,
        toFrom: input.to ? "given" : "default",
        at: input.at,
        calendar,
        ledger,
        steps: cycleSteps(chain, to, input.nowMs),
        blockers: ledger.filter((i) => i.severity === "blocking").length,
        warnings: ledger.filter((i) => i.severity === "warning").length,
        snapshot: snapshot.source,
        manifests: input.manifests ? { dir: input.manifests.dir, files: input.manifests.scan.files } : null,
    };
}
