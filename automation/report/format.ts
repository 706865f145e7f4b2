/**
 * How the report writes figures, times and outcomes: the same words in Markdown and HTML.
 */
import { formatMinutes, resultName } from "../core/wording";
import { Metrics, Thresholds } from "./journal";

const MINUTE = 60_000;

/** 0.0012 -> "0.12%". */
export const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

export const millis = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : `${Math.round(ms)} ms`);

/** Whole numbers with thousands separators, independent of the machine's locale. */
export const integer = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Minutes since the run started, as the offset an SRE reads next to the progress output: "+23m". */
export const offset = (minutes: number) => `+${formatMinutes(minutes)}`;

/** Wall (or virtual) time of a moment of the run, UTC, to the minute: "2026-01-01 00:23". */
export function clock(startedAt: string, atMinutes: number): string {
    return new Date(Date.parse(startedAt) + Math.round(atMinutes) * MINUTE).toISOString().slice(0, 16).replace("T", " ");
}

/** What a run's duration means: virtual minutes on sim and local, the wall clock up to its last entry if cut short. */
export function durationNote(run: { engine: string | null; interrupted: boolean }): string {
    if (run.engine === "sim" || run.engine === "local") return ` (virtual time on the ${run.engine} engine: what the real run would take)`;
    return run.interrupted ? " until its last entry" : "";
}

/** "canary", "wave 2", or nothing for a run without a rollout plan. */
export const waveName = (wave: number | null) => (wave === null ? "" : wave === 0 ? "canary" : `wave ${wave}`);

/** "Canary:", "Wave 2:", heading a region's wave line. */
export const waveTitle = (wave: number) => (wave === 0 ? "Canary:" : `Wave ${wave}:`);

/** "rolled_back" -> "rolled back". */
export const outcome = resultName;

export interface MetricColumn {
    key: "requests" | "errorRate" | "p99Ms" | "unhealthyHosts";
    title: string;
    value: (m: Partial<Metrics>) => string;
    /** The threshold as a reader states it ("≤ 1.00%"), or null when none applies. */
    limit: (t: Thresholds) => string | null;
}

/** The four figures the gate judges, with their thresholds (automation/gate/). */
export const METRIC_COLUMNS: MetricColumn[] = [
    {
        key: "requests",
        title: "requests",
        value: (m) => (m.requests === undefined ? "-" : integer(m.requests)),
        limit: (t) => (t.minRequests === undefined ? null : `≥ ${integer(t.minRequests)}`),
    },
    {
        key: "errorRate",
        title: "error rate",
        value: (m) => (m.errorRate === undefined ? "-" : `${percent(m.errorRate)}${m.loadBalancerErrors ? ` (${integer(m.loadBalancerErrors)} from the load balancer)` : ""}`),
        limit: (t) => (t.maxErrorRate === undefined ? null : `≤ ${percent(t.maxErrorRate)}${t.maxErrorRateRatio !== undefined ? ` and ≤ ${t.maxErrorRateRatio}× old color` : ""}`),
    },
    {
        key: "p99Ms",
        title: "p99",
        value: (m) => millis(m.p99Ms),
        limit: (t) => (t.maxP99Ms === undefined ? null : `≤ ${millis(t.maxP99Ms)}${t.maxP99Ratio !== undefined ? ` and ≤ ${t.maxP99Ratio}× old color` : ""}`),
    },
    {
        key: "unhealthyHosts",
        title: "unhealthy hosts",
        value: (m) => (m.unhealthyHosts === undefined ? "-" : integer(m.unhealthyHosts)),
        limit: (t) => (t.maxUnhealthyHosts === undefined ? null : `≤ ${integer(t.maxUnhealthyHosts)}`),
    },
];

/**
 * Whether a measured figure broke its absolute threshold (the relative checks are in the findings). The traffic
 * minimum is the region's, not each service's: `service` rows never break it.
 */
export function breaks(key: MetricColumn["key"], m: Partial<Metrics>, t: Thresholds | null, service = false): boolean {
    if (!t || (service && key === "requests")) return false;
    switch (key) {
        case "requests":
            return m.requests !== undefined && t.minRequests !== undefined && m.requests < t.minRequests;
        case "errorRate":
            return m.errorRate !== undefined && t.maxErrorRate !== undefined && m.errorRate > t.maxErrorRate;
        case "p99Ms":
            return m.p99Ms !== undefined && m.p99Ms !== null && t.maxP99Ms !== undefined && m.p99Ms > t.maxP99Ms;
        case "unhealthyHosts":
            return m.unhealthyHosts !== undefined && t.maxUnhealthyHosts !== undefined && m.unhealthyHosts > t.maxUnhealthyHosts;
    }
}
