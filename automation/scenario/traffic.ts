/**
 * The sim's traffic: what each color of a region served in any window, from the scenario and the weights the
 * load balancer forwarded with over time, per service (each service's target group of each color). Time is cut
 * into 10-second buckets; each bucket has an expected request count (the region's rate times the service's
 * share times the color's weight then), an error rate, a share the load balancer answers itself, and a latency
 * distribution (baseline, or a fault's once it is active and names the service or none). Without `noise` a window gets the expected figures; with it,
 * counts are drawn per bucket (Poisson requests, binomial errors and slow requests, jittered latency) from
 * draws keyed by the bucket, so the same window always reads the same.
 */
import { COLORS, Color } from "../../components/naming";
import { Weights } from "../../components/weights";
import { ColorMetrics, LoadBalancerFigures, TrafficFigures } from "../core/ports";
import { Draws, normalUpperTail } from "./randomness";
import { Fault, Scenario } from "./scenario";

export const BUCKET_MS = 10_000;
/** Spread of log-latency: p99 180 ms puts the median near 56 ms, a typical web API's shape. */
export const LATENCY_SIGMA = 0.5;
/** Per-bucket jitter of latency with noise on (log-normal factor). */
export const LATENCY_JITTER = 0.1;
const Z99 = 2.3263478740408408;
const TAIL = 0.01;
const MINUTE = 60_000;

export interface WeightChange {
    at: number;
    weights: Weights;
}

/** Forwarding weights over time, oldest first. Before the first change the first entry's weights held. */
export type WeightHistory = readonly WeightChange[];

export function weightsAt(history: WeightHistory, at: number): Weights {
    let current = history[0].weights;
    for (const change of history) {
        if (change.at > at) break;
        current = change.weights;
    }
    return current;
}

/** P(latency > threshold) when latency is log-normal with this p99. */
export function slowerThan(thresholdMs: number, p99Ms: number): number {
    if (thresholdMs <= 0) return 1;
    return normalUpperTail((Math.log(thresholdMs) - Math.log(p99Ms)) / LATENCY_SIGMA + Z99);
}

/**
 * When a fault of the new color starts to act, if it acts at `at`: once the new color has carried at least
 * `fromWeight` (at least 1%) without interruption, plus `afterMinutes`.
 */
export function faultStart(fault: Fault, newColor: Color, history: WeightHistory, at: number): number | undefined {
    const floor = Math.max(1, fault.fromWeight);
    if (weightsAt(history, at)[newColor] < floor) return undefined;
    let since = Number.POSITIVE_INFINITY;
    for (const change of history) {
        if (change.at > at) break;
        if (change.weights[newColor] < floor) since = Number.POSITIVE_INFINITY;
        else if (since === Number.POSITIVE_INFINITY) since = change.at;
    }
    const start = since + fault.afterMinutes * MINUTE;
    return at >= start ? start : undefined;
}

const appliesTo = (fault: Fault, region: string, service?: string) => (fault.region === "*" || fault.region === region) && (service === undefined || fault.service === undefined || fault.service === service);

export interface WindowQuery {
    region: string;
    color: Color;
    /** The color the current upgrade introduces ("new" in the scenario). */
    newColor: Color;
    /** The region's services with their share of its requests (scenario.serviceShares). */
    services: Record<string, number>;
    from: number;
    to: number;
    thresholdsMs: number[];
}

export type WindowResult = ColorMetrics | { unavailable: true };

interface Bucket {
    /** Requests a target served. */
    requests: number;
    /** Requests the load balancer answered itself (not in `requests`). */
    loadBalancerErrors: number;
    errorRate: number;
    p99Ms: number;
    unhealthyHosts: number;
}

/** One service's bucket as the scenario defines it, before any noise. */
function expectedBucket(scenario: Scenario, history: WeightHistory, q: WindowQuery, service: string, start: number): Bucket & { offered: number; loadBalancerErrorRate: number; unavailable: boolean } {
    const weights = weightsAt(history, start);
    const role = q.color === q.newColor ? "new" : "old";
    const active = scenario.faults.filter((f) => appliesTo(f, q.region, service) && faultStart(f, q.newColor, history, start) !== undefined);
    const value = (key: "errorRate" | "p99Ms" | "unhealthyHosts" | "loadBalancerErrorRate") => active.filter((f) => f.color === role).map((f) => f[key]).find((v) => v !== undefined);
    const offered = (scenario.baseline.requestsPerMinute * q.services[service] * (BUCKET_MS / MINUTE) * weights[q.color]) / 100;
    const loadBalancerErrorRate = value("loadBalancerErrorRate") ?? 0;
    return {
        offered,
        loadBalancerErrorRate,
        requests: offered * (1 - loadBalancerErrorRate),
        loadBalancerErrors: offered * loadBalancerErrorRate,
        errorRate: value("errorRate") ?? scenario.baseline.errorRate,
        p99Ms: value("p99Ms") ?? scenario.baseline.p99Ms,
        unhealthyHosts: value("unhealthyHosts") ?? 0,
        unavailable: active.some((f) => f.metricsUnavailable),
    };
}

/**
 * The latency below which 99% of a mixture of buckets' requests fall: Newton's method on log latency (the
 * slow share falls smoothly as the latency grows), from the request-weighted mean of the buckets' log p99.
 */
function mixtureP99(parts: { requests: number; p99Ms: number }[]): number | null {
    const live = parts.filter((p) => p.requests > 0);
    const total = live.reduce((sum, p) => sum + p.requests, 0);
    if (total <= 0) return null;
    const logs = live.map((p) => Math.log(p.p99Ms));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    if (hi - lo < 1e-9) return Math.exp(lo);
    let x = live.reduce((sum, p, i) => sum + p.requests * logs[i], 0) / total;
    for (let i = 0; i < 20; i++) {
        let excess = -total * TAIL;
        let slope = 0;
        live.forEach((p, j) => {
            const z = (x - logs[j]) / LATENCY_SIGMA + Z99;
            excess += p.requests * normalUpperTail(z);
            slope -= (p.requests * Math.exp(-z * z / 2)) / (Math.sqrt(2 * Math.PI) * LATENCY_SIGMA);
        });
        const step = excess / slope;
        x = Math.min(hi, Math.max(lo, x - step));
        if (Math.abs(step) < 1e-7) break;
    }
    return Math.exp(x);
}

/** One bucket of one service's target group of one color as served (drawn once with noise). */
interface ServedBucket {
    unavailable: boolean;
    requests: number;
    errors: number;
    loadBalancerErrors: number;
    p99Ms: number;
    unhealthyHosts: number;
    /** Requests slower than a threshold, by threshold (filled as thresholds are asked for). */
    slow: Map<number, number>;
    /** The draws' key, for slow counts drawn later. */
    key: string;
}

/** A window's sums over one service's buckets. */
interface Sums {
    requests: number;
    errors: number;
    loadBalancerErrors: number;
    unhealthyHosts: number;
    slow: Map<number, number>;
    parts: { requests: number; p99Ms: number }[];
}

/** Whole counts of a window's sums (the sim's exact figures are fractions), its p99 from its buckets. */
function figures(sums: Sums, thresholdsMs: number[]): TrafficFigures {
    const requests = Math.floor(sums.requests + 1e-9);
    return {
        requests,
        errors: Math.min(requests, Math.round(sums.errors)),
        p99Ms: requests > 0 && sums.parts.length > 0 ? mixtureP99(sums.parts) : null,
        unhealthyHosts: sums.unhealthyHosts,
        slowRequests: Object.fromEntries(thresholdsMs.map((t) => [String(t), Math.min(requests, Math.round(sums.slow.get(t)!))])),
    };
}

/** Buckets per color and service, computed once: queries repeat and overlap, and a bucket never changes once past. */
export class TrafficModel {
    /** Per series (a region's target group of one color and service), its buckets by index. */
    private readonly series = new Map<string, Map<number, ServedBucket & { known: number }>>();

    constructor(private readonly scenario: Scenario) {}

    private seriesOf(q: WindowQuery, service: string): Map<number, ServedBucket & { known: number }> {
        const key = `${q.region}|${q.color}|${q.newColor}|${service}|${q.services[service]}`;
        let series = this.series.get(key);
        if (!series) this.series.set(key, (series = new Map()));
        return series;
    }

    private bucket(history: WeightHistory, q: WindowQuery, service: string, series: Map<number, ServedBucket & { known: number }>, b: number): ServedBucket {
        const start = b * BUCKET_MS;
        // Only weight changes up to the bucket's start shape it: later ones leave the cached bucket valid.
        let known = 0;
        while (known < history.length && history[known].at <= start) known++;
        let served = series.get(b);
        if (!served || served.known !== known) {
            const e = expectedBucket(this.scenario, history, q, service, start);
            const noise = this.scenario.noise;
            const draws = noise ? new Draws(`${noise.seed}|${q.region}|${q.color}|${service}|${b}|${e.offered}|${e.errorRate}|${e.loadBalancerErrorRate}`) : undefined;
            const offered = draws ? draws.poisson(e.offered) : e.offered;
            const loadBalancerErrors = draws ? draws.binomial(offered, e.loadBalancerErrorRate) : e.loadBalancerErrors;
            const requests = draws ? offered - loadBalancerErrors : e.requests;
            served = {
                unavailable: e.unavailable,
                requests,
                errors: draws ? draws.binomial(requests, e.errorRate) : requests * e.errorRate,
                loadBalancerErrors,
                p99Ms: draws ? e.p99Ms * Math.exp(LATENCY_JITTER * draws.normal()) : e.p99Ms,
                unhealthyHosts: e.unhealthyHosts,
                slow: new Map(),
                key: `${q.region}|${q.color}|${q.newColor}|${service}|${q.services[service]}|${b}|${known}`,
                known,
            };
            series.set(b, served);
        }
        return served;
    }

    private slowIn(bucket: ServedBucket, threshold: number): number {
        let count = bucket.slow.get(threshold);
        if (count === undefined) {
            const share = slowerThan(threshold, bucket.p99Ms);
            count = this.scenario.noise ? new Draws(`${this.scenario.noise.seed}|${bucket.key}|slow|${threshold}`).binomial(bucket.requests, share) : bucket.requests * share;
            bucket.slow.set(threshold, count);
        }
        return count;
    }

    /** One service's target group of one color over [from, to); undefined when its metrics are unavailable. */
    private sums(history: WeightHistory, q: WindowQuery, service: string): Sums | undefined {
        const sums: Sums = { requests: 0, errors: 0, loadBalancerErrors: 0, unhealthyHosts: 0, slow: new Map(q.thresholdsMs.map((t) => [t, 0])), parts: [] };
        const series = this.seriesOf(q, service);
        for (let b = Math.floor(q.from / BUCKET_MS); b * BUCKET_MS < q.to; b++) {
            const start = b * BUCKET_MS;
            const overlap = (Math.min(q.to, start + BUCKET_MS) - Math.max(q.from, start)) / BUCKET_MS;
            if (overlap <= 0) continue;
            const bucket = this.bucket(history, q, service, series, b);
            if (bucket.unavailable) return undefined;
            sums.requests += bucket.requests * overlap;
            sums.errors += bucket.errors * overlap;
            sums.loadBalancerErrors += bucket.loadBalancerErrors * overlap;
            for (const t of q.thresholdsMs) sums.slow.set(t, sums.slow.get(t)! + this.slowIn(bucket, t) * overlap);
            sums.unhealthyHosts = Math.max(sums.unhealthyHosts, bucket.unhealthyHosts);
            sums.parts.push({ requests: bucket.requests * overlap, p99Ms: bucket.p99Ms });
        }
        return sums;
    }

    /**
     * Requests, errors, latency and unhealthy hosts of one color over [from, to): each service's target group,
     * and all of them together (as CloudWatch gives them: summed counts, the slowest service's p99, each target
     * group's unhealthy maximum added up).
     */
    window(history: WeightHistory, q: WindowQuery): WindowResult {
        const sums: Sums[] = [];
        for (const service of Object.keys(q.services)) {
            const served = this.sums(history, q, service);
            if (!served) return { unavailable: true };
            sums.push(served);
        }
        const services = Object.fromEntries(Object.keys(q.services).map((service, i) => [service, figures(sums[i], q.thresholdsMs)]));
        const total: Sums = {
            requests: sums.reduce((t, s) => t + s.requests, 0),
            errors: sums.reduce((t, s) => t + s.errors, 0),
            loadBalancerErrors: 0,
            unhealthyHosts: sums.reduce((t, s) => t + s.unhealthyHosts, 0),
            slow: new Map(q.thresholdsMs.map((t) => [t, sums.reduce((sum, s) => sum + s.slow.get(t)!, 0)])),
            parts: [],
        };
        const p99s = Object.values(services).flatMap((f) => (f.p99Ms === null ? [] : [f.p99Ms]));
        return { ...figures(total, q.thresholdsMs), p99Ms: p99s.length > 0 ? Math.max(...p99s) : null, services };
    }

    /** The load balancer over [from, to): requests every target group of both colors served, and the 5xx it answered itself. */
    loadBalancerWindow(history: WeightHistory, q: Omit<WindowQuery, "color" | "thresholdsMs">): LoadBalancerFigures | { unavailable: true } {
        let requests = 0;
        let errors = 0;
        for (const color of COLORS) {
            for (const service of Object.keys(q.services)) {
                const sums = this.sums(history, { ...q, color, thresholdsMs: [] }, service);
                if (!sums) return { unavailable: true };
                requests += sums.requests;
                errors += sums.loadBalancerErrors;
            }
        }
        return { requests: Math.floor(requests + 1e-9), errors: Math.round(errors) };
    }

    /** When the new color's earliest active fault began (ms), if one acts at `at`. */
    faultOnset(history: WeightHistory, region: string, newColor: Color, at: number): number | undefined {
        const starts = this.scenario.faults
            .filter((f) => appliesTo(f, region) && f.color === "new" && !f.metricsUnavailable)
            .map((f) => faultStart(f, newColor, history, at))
            .filter((s): s is number => s !== undefined);
        return starts.length > 0 ? Math.min(...starts) : undefined;
    }
}
