/**
 * The readiness ledger for one target: per cluster, each chart it installs (pinned version, the Kubernetes range
 * it supports and why, whether it supports the target, what to move to), the EKS core add-ons (the Ops cluster's
 * vpc-cni moves one minor per update: the chain), and EKS upgrade insights. Pure functions over the tables.
 */
import * as semver from "semver";
import { ADDON_CATALOG, CLUSTER_AUTOSCALER_IMAGES, ChartSupport, OPS_CHARTS, chartSupports } from "../../components/addonCatalog";
import { CORE_ADDON_VERSIONS, compareMinor, coreAddonVersions, minorDistance, nextMinor } from "../../components/kubernetesVersions";
import { CHARTS, ChartName } from "../../components/upstream/charts";
import { CHART_COMPATIBILITY, ChartCompatibility, ChartRelease, KubeRange } from "../../components/upstream/compatibility";
import { ClusterInsight } from "../core/ports";
import { ClusterFacts } from "./snapshot";
import { LedgerItem } from "./types";

export interface PinnedChart extends ChartSupport {
    upstream: ChartName;
}

/** Every chart the project pins, by the name a cluster lists it under. */
export const PINNED_CHARTS: readonly PinnedChart[] = [...ADDON_CATALOG, ...Object.values(OPS_CHARTS)];

const inRange = (version: string, range: KubeRange) => compareMinor(version, range.min) >= 0 && (range.max === null || compareMinor(version, range.max) <= 0);
const satisfies = (version: string, constraint: string) => semver.satisfies(`${version}.0`, constraint, { includePrerelease: true });

/**
 * The newest published release whose read range covers the target and every version the clusters run now (a pin
 * is shared: the clusters that stay behind install it too), never one whose range was not read.
 */
export function chooseRelease(releases: readonly ChartRelease[], target: string, running: readonly string[] = []): ChartRelease | null {
    const fits = releases.filter((r) => r.supports && [target, ...running].every((v) => inRange(v, r.supports!)));
    return fits.sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
}

/**
 * What is known of a chart at its pinned version: the facts read for it, or, once `plan --write` moved the pin to
 * a newer release, that release's read range (its Chart.yaml still to be read); null when neither is known.
 */
export function compatibilityAt(compat: ChartCompatibility, version: string): ChartCompatibility | null {
    const newer = compat.newer.filter((r) => semver.gt(r.version, version));
    if (compat.version === version) return { ...compat, newer };
    const release = compat.newer.find((r) => r.version === version);
    if (!release?.supports) return null;
    const chartYaml = `the Chart.yaml of ${version} (not read yet: mitene plan --write moved the pin from ${compat.version}; read it into components/upstream/compatibility.ts)`;
    return { version, kubeVersion: null, chartYaml, tested: release.supports, notes: compat.notes, newer };
}

export function addonItem(cluster: string, chart: PinnedChart, target: string, running: readonly string[] = []): LedgerItem {
    const facts = CHARTS[chart.upstream];
    const compat = compatibilityAt(CHART_COMPATIBILITY[chart.upstream], chart.version);
    const range = `${chart.kubernetes.min}-${chart.kubernetes.max}`;
    if (!compat) {
        const detail = `nothing records which Kubernetes versions ${chart.name} ${chart.version} supports: add its Chart.yaml facts to components/upstream/compatibility.ts`;
        return { cluster, item: chart.name, kind: "addon", pinned: chart.version, range, source: "components/upstream/compatibility.ts", supportsTarget: false, moveTo: null, severity: "blocking", detail };
    }
    const reasons: string[] = [];
    if (!chartSupports(chart, target)) reasons.push(`the project runs ${chart.name} ${chart.version} on Kubernetes ${range} only (components/addonCatalog.ts)`);
    if (compat.kubeVersion && !satisfies(target, compat.kubeVersion)) reasons.push(`its Chart.yaml requires kubeVersion "${compat.kubeVersion}"`);
    if (chart.name === "cluster-autoscaler" && !CLUSTER_AUTOSCALER_IMAGES[target]) reasons.push(`no cluster autoscaler image is pinned for ${target} (CLUSTER_AUTOSCALER_IMAGES)`);
    const upstream = [
        `pinned ${facts.version}: ${facts.published}`,
        compat.kubeVersion ? `kubeVersion "${compat.kubeVersion}" in ${compat.chartYaml}` : `no kubeVersion in ${compat.chartYaml}`,
        `project range ${range} (components/addonCatalog.ts)`,
        ...(compat.tested ? [`tested ${compat.tested.min}-${compat.tested.max ?? "newer"}: ${compat.tested.source}`] : []),
        ...(compat.notes ? [compat.notes] : []),
    ].join("; ");
    const base = { cluster, item: chart.name, kind: "addon" as const, pinned: chart.version, range, source: upstream };
    if (reasons.length === 0) {
        const untested = compat.tested && !inRange(target, compat.tested);
        return {
            ...base,
            supportsTarget: true,
            moveTo: null,
            severity: untested ? "warning" : "ok",
            detail: untested
                ? `upstream tests ${chart.version} on ${compat.tested!.min}-${compat.tested!.max ?? "newer"} only`
                : compat.kubeVersion || compat.tested
                  ? `supports ${target}`
                  : `supports ${target} in the project's range ${range}: upstream states no Kubernetes range for ${chart.version}`,
        };
    }
    const release = chooseRelease(compat.newer, target, running);
    const unread = compat.newer.filter((r) => !r.supports).map((r) => r.version);
    const keep = running.filter((v) => v !== target);
    const todo = release
        ? `move to ${release.version} (${release.published}; supports ${release.supports!.min}-${release.supports!.max ?? "newer"}: ${release.supports!.source}): mitene plan --write`
        : `no published version is known to support ${target}${keep.length ? ` and the running ${keep.join(", ")}` : ""}${unread.length ? ` (newer, range not read: ${unread.join(", ")})` : ""}: read the chart's index and release notes, add the release to components/upstream/compatibility.ts`;
    return { ...base, supportsTarget: false, moveTo: release?.version ?? null, severity: "blocking", detail: `${reasons.join("; ")}: ${todo}` };
}

/** The charts a cluster installs, each judged for the target; a move must keep `running` (every version the env runs) supported. */
export function addonItems(cluster: ClusterFacts, target: string, running: readonly string[] = []): LedgerItem[] {
    return cluster.charts.map((name) => {
        const chart = PINNED_CHARTS.find((c) => c.name === name);
        if (!chart) return { cluster: cluster.stack, item: name, kind: "addon", pinned: null, supportsTarget: false, moveTo: null, source: "components/addonCatalog.ts", severity: "blocking", detail: `${name} is installed but not in the catalog: nothing says which Kubernetes versions it supports` };
        return addonItem(cluster.stack, chart, target, running);
    });
}

export const CORE_ADDON_SOURCE =
    "components/kubernetesVersions.ts CORE_ADDON_VERSIONS: coredns and kube-proxy from the EKS user guide tables (read 2026-11-27), vpc-cni from aws eks describe-addon-versions (NOT verified)";
export const VPC_CNI_RULE_SOURCE =
    "EKS user guide, Update the Amazon VPC CNI (Amazon EKS add-on) (docs.aws.amazon.com/eks/latest/userguide/vpc-add-on-update.html): update one minor version at a time; the page read 2026-12-04";

/** `v1.21.1-eksbuild.1` -> 21. */
export const vpcCniMinor = (build: string) => semver.minor(semver.coerce(build)!.version);

export interface VpcCniChain {
    /** Builds to apply in order (the first is what runs now). */
    chain: string[];
    /** Minors no known build covers: the chain cannot go on without skipping them. */
    gaps: number[];
}

/**
 * The vpc-cni updates from `from` to `to`, one minor at a time, through the newest known build of each minor in
 * between (`known`: every build the project knows). A minor no known build covers is a gap, never skipped.
 */
export function vpcCniChain(from: string, to: string, known: readonly string[]): VpcCniChain {
    const chain = [from];
    const gaps: number[] = [];
    const start = vpcCniMinor(from);
    const end = vpcCniMinor(to);
    for (let minor = start + 1; minor < end; minor++) {
        const builds = known.filter((b) => vpcCniMinor(b) === minor).sort((a, b) => semver.rcompare(semver.coerce(a)!.version, semver.coerce(b)!.version));
        if (builds.length === 0) gaps.push(minor);
        else chain.push(builds[0]);
    }
    if (to !== from) chain.push(to);
    return { chain, gaps };
}

const KNOWN_VPC_CNI = () => [...new Set(Object.values(CORE_ADDON_VERSIONS).map((v) => v.vpcCni))];

/**
 * The core add-ons for the target. A service cluster is replaced (blue/green): the new one starts at the target's
 * versions. The Ops cluster is upgraded in place one minor at a time, and its vpc-cni one minor per update.
 */
export function coreAddonItems(cluster: ClusterFacts, target: string): LedgerItem[] {
    const now = coreAddonVersions(cluster.coreAddonsVersion);
    const next = coreAddonVersions(target);
    const base = { cluster: cluster.stack, kind: "core-addon" as const, source: CORE_ADDON_SOURCE };
    if (!next) {
        return [{ ...base, item: "vpc-cni, coredns, kube-proxy", pinned: null, supportsTarget: false, moveTo: null, severity: "blocking", detail: `no core add-on versions are known for ${target}: add them from aws eks describe-addon-versions (components/kubernetesVersions.ts)` }];
    }
    const items: LedgerItem[] = (["coredns", "kubeProxy"] as const).map((key) => ({
        ...base,
        item: key === "kubeProxy" ? "kube-proxy" : key,
        pinned: now?.[key] ?? null,
        supportsTarget: true,
        moveTo: now?.[key] === next[key] ? null : next[key],
        severity: "ok",
        detail: cluster.role === "ops" ? `in place: ${now?.[key] ?? "?"} -> ${next[key]} with each minor` : `the new cluster starts at ${next[key]}`,
    }));
    if (cluster.role === "service" || !now) {
        items.unshift({ ...base, item: "vpc-cni", pinned: now?.vpcCni ?? null, supportsTarget: true, moveTo: now?.vpcCni === next.vpcCni ? null : next.vpcCni, severity: "ok", detail: `the new cluster starts at ${next.vpcCni}` });
        return items;
    }
    // In place, every minor step installs that minor's vpc-cni: the chain visits each, and never skips a vpc-cni minor.
    const steps: string[] = [];
    for (let v = cluster.coreAddonsVersion; compareMinor(v, target) < 0; v = nextMinor(v)) steps.push(nextMinor(v));
    let chain = [now.vpcCni];
    const gaps: number[] = [];
    const missing = steps.filter((v) => !coreAddonVersions(v));
    for (const v of steps.filter((s) => coreAddonVersions(s))) {
        const leg = vpcCniChain(chain[chain.length - 1], coreAddonVersions(v)!.vpcCni, KNOWN_VPC_CNI());
        chain = [...chain, ...leg.chain.slice(1)];
        gaps.push(...leg.gaps);
    }
    const problems = [...missing.map((v) => `no core add-on versions for ${v}`), ...gaps.map((m) => `no known vpc-cni build of v1.${m}`)];
    items.unshift({
        ...base,
        item: "vpc-cni",
        pinned: now.vpcCni,
        supportsTarget: problems.length === 0,
        moveTo: now.vpcCni === next.vpcCni ? null : next.vpcCni,
        severity: problems.length ? "blocking" : "ok",
        source: `${CORE_ADDON_SOURCE}; ${VPC_CNI_RULE_SOURCE}`,
        detail: problems.length
            ? `the in-place chain ${chain.join(" -> ")} cannot go one minor at a time: ${problems.join("; ")}: add the missing builds from aws eks describe-addon-versions`
            : chain.length > 1 ? `chain, one minor per update: ${chain.join(" -> ")} (${minorDistance(cluster.coreAddonsVersion, target)} in-place step(s))` : `stays at ${now.vpcCni} (the same build for every minor on the way)`,
    });
    return items;
}

/** EKS upgrade insights: ERROR blocks, WARNING and UNKNOWN warn, PASSING is fine. */
export function insightItems(cluster: string, insights: readonly ClusterInsight[], source: string, eksCluster = cluster): LedgerItem[] {
    return insights.map((insight) => {
        const severity = insight.status === "ERROR" ? "blocking" : insight.status === "PASSING" ? "ok" : "warning";
        // Anything not passing says what to do, in EKS's words when it gave some.
        const fallback = `aws eks describe-insight --cluster-name ${eksCluster} --id ${insight.id} names the resources; fix them, then plan again`;
        const advice = insight.recommendation ? `; ${insight.recommendation}` : severity === "ok" ? "" : `; ${fallback}`;
        const usage = (insight.deprecations ?? []).map((d) => `${d.usage}${d.replacedWith ? ` -> ${d.replacedWith}` : ""}${d.stopServingVersion ? ` (removed in ${d.stopServingVersion})` : ""}`);
        return {
            cluster,
            item: insight.name,
            kind: "insight" as const,
            pinned: null,
            supportsTarget: insight.status === "PASSING",
            moveTo: null,
            source,
            severity,
            detail: `${insight.status}: ${insight.reason || "no reason given"}${usage.length ? `; in use: ${usage.join(", ")}` : ""}${advice}`,
        };
    });
}
