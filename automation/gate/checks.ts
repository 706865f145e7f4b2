/**
 * One look of the gate at one window of the new color's metrics, against absolute limits and against the old
 * color. Every count-based check is an exact one-sided test (statistics.ts): a check fails only when its
 * counts show the limit is exceeded beyond the configured significance, so a handful of requests can neither
 * fail a healthy release by chance nor pass a broken one on luck; measured values are kept for the record.
 */
import { GateConfig } from "../../stacks/config/schema";
import { TrafficFigures } from "../core/ports";
import { rateAboveLimitPValue, rateRatioPValue } from "./statistics";
import { count } from "../core/wording";

/** p99 above L means more than 1% of requests took longer than L: latency checks count those requests. */
export const TAIL_FRACTION = 0.01;

export type CheckId = "errorRate" | "errorRateVsOld" | "p99" | "p99VsOld" | "unhealthyHosts";

export interface Measured {
    requests: number;
    errors: number;
    /** errors / requests; 0 without requests. */
    errorRate: number;
    p99Ms: number | null;
    unhealthyHosts: number;
    /** The region as a whole: the load balancer's own 5xx charged to the new color (gate/attribution.ts), already in errors and requests. */
    loadBalancerErrors?: number;
}

export interface CheckFailure {
    check: CheckId;
    /** The service whose target group failed it; absent: the region as a whole. */
    service?: string;
    value: number;
    threshold: number;
    /** The exact test's p-value, for count-based checks. */
    pValue?: number;
    message: string;
}

export type WindowVerdict = { verdict: "pass"; measured: Measured } | { verdict: "fail"; measured: Measured; failures: CheckFailure[] } | { verdict: "error"; message: string };

/** Latency thresholds whose slow-request counts a look needs from the new color, given the baseline. */
export function latencyThresholds(config: GateConfig, baseline: Measured | null): number[] {
    const relative = relativeP99Limit(config, baseline);
    return relative === null ? [config.maxP99Ms] : [...new Set([config.maxP99Ms, relative])];
}

/** The old color is a baseline only with enough traffic of its own. */
export const usableBaseline = (config: GateConfig, baseline: Measured | null): Measured | null => (baseline && baseline.requests >= config.minRequests ? baseline : null);

function relativeP99Limit(config: GateConfig, baseline: Measured | null): number | null {
    const usable = usableBaseline(config, baseline);
    return usable?.p99Ms ? Math.round(usable.p99Ms * config.maxP99Ratio) : null;
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const finite = (value: number | null) => value === null || Number.isFinite(value);

export function measured(metrics: TrafficFigures & { loadBalancerErrors?: number }): Measured {
    return {
        requests: metrics.requests,
        errors: metrics.errors,
        errorRate: metrics.requests > 0 ? metrics.errors / metrics.requests : 0,
        p99Ms: metrics.p99Ms,
        unhealthyHosts: metrics.unhealthyHosts,
        ...(metrics.loadBalancerErrors !== undefined ? { loadBalancerErrors: metrics.loadBalancerErrors } : {}),
    };
}

/** A measurement that is not a finite, non-negative number is a failed query, never a pass. */
export function measurementProblem(metrics: TrafficFigures): string | undefined {
    const numbers: [string, number | null][] = [
        ["requests", metrics.requests],
        ["errors", metrics.errors],
        ["p99", metrics.p99Ms],
        ["unhealthy hosts", metrics.unhealthyHosts],
        ...Object.entries(metrics.slowRequests ?? {}).map(([t, count]): [string, number] => [`requests slower than ${t} ms`, count]),
    ];
    const bad = numbers.filter(([, value]) => !finite(value) || (value !== null && value < 0));
    if (bad.length > 0) return `measurements are not finite non-negative numbers: ${bad.map(([name, value]) => `${name} ${value}`).join(", ")}`;
    // Counts are whole numbers a double holds exactly; the tests on them take nothing else.
    const counts = numbers.filter(([name]) => name !== "p99").filter(([, value]) => !Number.isSafeInteger(value));
    if (counts.length > 0) return `counts are not whole numbers below 2^53: ${counts.map(([name, value]) => `${name} ${value}`).join(", ")}`;
    if (metrics.errors > metrics.requests) return `more errors (${metrics.errors}) than requests (${metrics.requests})`;
    return undefined;
}

/** Latency is judged on counts: a source that did not count the requests slower than a limit cannot pass it. */
function missingLatencyCounts(metrics: TrafficFigures, thresholdsMs: number[]): string | undefined {
    const missing = thresholdsMs.filter((t) => metrics.slowRequests?.[String(t)] === undefined);
    return missing.length > 0 ? `no count of requests slower than ${missing.map((t) => `${t} ms`).join(" or ")}` : undefined;
}

/**
 * Judges one window of the new color (`fresh`) against the limits and the old color's `baseline`: the region as
 * a whole, or with `service` that service's target groups alone (its findings are named after it).
 */
export function judgeWindow(config: GateConfig, fresh: TrafficFigures, baseline: Measured | null, service?: string): WindowVerdict {
    const problem = measurementProblem(fresh) ?? missingLatencyCounts(fresh, latencyThresholds(config, baseline));
    if (problem) return { verdict: "error", message: problem };
    const m = measured(fresh);
    const failures: CheckFailure[] = [];
    const alpha = config.significance;

    if (m.unhealthyHosts > config.maxUnhealthyHosts) {
        failures.push({ check: "unhealthyHosts", value: m.unhealthyHosts, threshold: config.maxUnhealthyHosts, message: `${m.unhealthyHosts} unhealthy hosts > ${config.maxUnhealthyHosts} allowed` });
    }
    const absolute = rateAboveLimitPValue(m.errors, m.requests, config.maxErrorRate);
    if (m.errorRate > config.maxErrorRate && absolute < alpha) {
        failures.push({ check: "errorRate", value: m.errorRate, threshold: config.maxErrorRate, pValue: absolute, message: `error rate ${pct(m.errorRate)} > ${pct(config.maxErrorRate)} (${m.errors}/${m.requests}, p=${absolute.toExponential(1)})` });
    }
    const slowAt = (threshold: number) => fresh.slowRequests?.[String(threshold)];
    const slowAbsolute = slowAt(config.maxP99Ms);
    if (slowAbsolute !== undefined) {
        const p = rateAboveLimitPValue(slowAbsolute, m.requests, TAIL_FRACTION);
        if (slowAbsolute > m.requests * TAIL_FRACTION && p < alpha) {
            failures.push({ check: "p99", value: m.p99Ms ?? config.maxP99Ms, threshold: config.maxP99Ms, pValue: p, message: `p99 ${Math.round(m.p99Ms ?? 0)} ms > ${config.maxP99Ms} ms (${slowAbsolute} of ${count(m.requests, "request")} slower, p=${p.toExponential(1)})` });
        }
    }
    const old = usableBaseline(config, baseline);
    if (old) {
        const limit = old.errorRate * config.maxErrorRateRatio + config.errorRateSlack;
        const p = rateRatioPValue(m.errors, m.requests, old.errors, old.requests, config.maxErrorRateRatio);
        // Only below the absolute limit: above it, the absolute check already speaks.
        if (m.errorRate > limit && m.errorRate <= config.maxErrorRate && p < alpha) {
            failures.push({
                check: "errorRateVsOld",
                value: m.errorRate,
                threshold: limit,
                pValue: p,
                message: `error rate ${pct(m.errorRate)} > ${pct(limit)} (${config.maxErrorRateRatio}x the old color's ${pct(old.errorRate)} plus ${pct(config.errorRateSlack)}, p=${p.toExponential(1)})`,
            });
        }
        const relative = relativeP99Limit(config, old);
        const slowRelative = relative === null ? undefined : slowAt(relative);
        // Only when the absolute check did not already fail: one finding per breach.
        if (relative !== null && slowRelative !== undefined && relative < config.maxP99Ms && !failures.some((f) => f.check === "p99")) {
            const p99 = rateAboveLimitPValue(slowRelative, m.requests, TAIL_FRACTION);
            if (slowRelative > m.requests * TAIL_FRACTION && p99 < alpha) {
                failures.push({
                    check: "p99VsOld",
                    value: m.p99Ms ?? relative,
                    threshold: relative,
                    pValue: p99,
                    message: `p99 ${Math.round(m.p99Ms ?? 0)} ms > ${relative} ms (${config.maxP99Ratio}x the old color's ${Math.round(old.p99Ms!)} ms; ${slowRelative} of ${m.requests} slower, p=${p99.toExponential(1)})`,
                });
            }
        }
    }
    if (service !== undefined) for (const failure of failures) Object.assign(failure, { service, message: `${service}: ${failure.message}` });
    return failures.length > 0 ? { verdict: "fail", measured: m, failures } : { verdict: "pass", measured: m };
}
