/**
 * The metric gate between traffic steps (the Argo Rollouts / Flagger analysis model): after each bake
 * window the new color must be within absolute thresholds and not clearly worse than the old color. Too
 * little traffic proves nothing, so it is inconclusive, never a pass.
 */
import { GateConfig } from "../../stacks/config/schema";
import { ColorMetrics } from "../core/ports";
import { count } from "../core/wording";

export type GateVerdict = "pass" | "fail" | "inconclusive";

export interface GateFinding {
    metric: "errorRate" | "p99Ms" | "unhealthyHosts" | "requests" | "metrics";
    /** Measured value (null when it could not be measured). */
    value: number | null;
    threshold: number;
    /** What the threshold is: absolute, or derived from the old color. */
    basis: "absolute" | "old color";
    message: string;
}

export interface GateResult {
    verdict: GateVerdict;
    /** Why it did not pass; empty on pass. */
    findings: GateFinding[];
}

/** Slack on the relative error-rate check: 0.1 point, so 0.01% vs 0.03% is not called a regression. */
const ERROR_RATE_SLACK = 0.001;

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;

export const errorRate = (m: ColorMetrics) => (m.requests > 0 ? m.errors / m.requests : 0);

export function evaluateGate(config: GateConfig, fresh: ColorMetrics, old: ColorMetrics | null): GateResult {
    const failures: GateFinding[] = [];
    if (fresh.unhealthyHosts > config.maxUnhealthyHosts) {
        failures.push({
            metric: "unhealthyHosts",
            value: fresh.unhealthyHosts,
            threshold: config.maxUnhealthyHosts,
            basis: "absolute",
            message: `${fresh.unhealthyHosts} unhealthy hosts > ${config.maxUnhealthyHosts} allowed`,
        });
    }
    const enoughTraffic = fresh.requests >= config.minRequests;
    if (enoughTraffic) {
        const rate = errorRate(fresh);
        if (rate > config.maxErrorRate) {
            failures.push({ metric: "errorRate", value: rate, threshold: config.maxErrorRate, basis: "absolute", message: `error rate ${pct(rate)} > ${pct(config.maxErrorRate)}` });
        }
        if (fresh.p99Ms !== null && fresh.p99Ms > config.maxP99Ms) {
            failures.push({ metric: "p99Ms", value: fresh.p99Ms, threshold: config.maxP99Ms, basis: "absolute", message: `p99 ${Math.round(fresh.p99Ms)} ms > ${config.maxP99Ms} ms` });
        }
        // The old color is a baseline only with enough traffic of its own (at 100% it has none).
        if (old && old.requests >= config.minRequests) {
            const limit = errorRate(old) * config.maxErrorRateRatio + ERROR_RATE_SLACK;
            if (rate > limit && rate <= config.maxErrorRate) {
                failures.push({ metric: "errorRate", value: rate, threshold: limit, basis: "old color", message: `error rate ${pct(rate)} > ${pct(limit)} (${config.maxErrorRateRatio}x the old color's ${pct(errorRate(old))})` });
            }
            if (fresh.p99Ms !== null && old.p99Ms !== null && fresh.p99Ms <= config.maxP99Ms) {
                const p99Limit = old.p99Ms * config.maxP99Ratio;
                if (fresh.p99Ms > p99Limit) {
                    failures.push({ metric: "p99Ms", value: fresh.p99Ms, threshold: p99Limit, basis: "old color", message: `p99 ${Math.round(fresh.p99Ms)} ms > ${Math.round(p99Limit)} ms (${config.maxP99Ratio}x the old color's ${Math.round(old.p99Ms)} ms)` });
                }
            }
        }
    }
    if (failures.length > 0) return { verdict: "fail", findings: failures };
    if (!enoughTraffic) {
        return {
            verdict: "inconclusive",
            findings: [{ metric: "requests", value: fresh.requests, threshold: config.minRequests, basis: "absolute", message: `only ${count(fresh.requests, "request")} in the window, ${config.minRequests} needed` }],
        };
    }
    return { verdict: "pass", findings: [] };
}

/** A query that failed counts as a failure: a gate that cannot see must not promote. */
export const metricsUnavailable = (detail: string): GateResult => ({
    verdict: "fail",
    findings: [{ metric: "metrics", value: null, threshold: 0, basis: "absolute", message: `metrics unavailable (${detail})` }],
});
