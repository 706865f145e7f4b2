/**
 * MetricsSource on CloudWatch: the ALB's per-target-group metrics of one color over the bake window, in one
 * GetMetricData call (paginated), each service's target group on its own and all of them together; and the
 * load balancer as a whole (its RequestCount and the 5xx it answered itself, HTTPCode_ELB_5XX_Count, which has
 * no TargetGroup dimension: gate/attribution.ts says how the gate charges them). It fails closed: anything short
 * of complete data throws MetricsUnavailableError, so the gate never passes on missing numbers.
 *
 * Requests slower than a latency threshold T (what the gate's latency checks count) are the trimmed count
 * `TC(T:)` of TargetResponseTime, in seconds: the number of data points above T (lower bound exclusive).
 * The ALB publishes one TargetResponseTime data point per request, so that count is a request count.
 * CloudWatch interpolates it and may return a fraction: it is rounded.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 * ("Trimmed count (TC)"), and the ALB's TargetResponseTime in
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
import { CloudWatchClient, MetricDataQuery, paginateGetMetricData } from "@aws-sdk/client-cloudwatch";
import { ColorMetrics, LoadBalancerFigures, LoadBalancerQuery, MetricsQuery, MetricsSource, MetricsUnavailableError, TargetGroupDimension, TrafficFigures } from "../core/ports";
import { ClientFor } from "./clients";

type Kind = "requests" | "errors" | "p99" | "unhealthy";

const METRICS: Record<Kind, { metric: string; stat: string }> = {
    requests: { metric: "RequestCount", stat: "Sum" },
    errors: { metric: "HTTPCode_Target_5XX_Count", stat: "Sum" },
    p99: { metric: "TargetResponseTime", stat: "p99" },
    unhealthy: { metric: "UnHealthyHostCount", stat: "Maximum" },
};
const KINDS = Object.keys(METRICS) as Kind[];

/** The whole window as one period, so p99 is the window's p99 rather than a mix of per-minute ones. */
function periodSeconds(from: number, to: number): number {
    if (!(to > from)) throw new Error(`metrics window must end after it starts (from ${from}, to ${to})`);
    return Math.max(60, Math.ceil((to - from) / 60_000) * 60);
}

/** `TC(0.8:)`: TargetResponseTime data points above 800 ms. */
export const slowerThanStat = (thresholdMs: number) => `TC(${Number((thresholdMs / 1000).toFixed(6))}:)`;

function metricQueries(query: MetricsQuery): MetricDataQuery[] {
    const period = periodSeconds(query.from, query.to);
    const stat = (tg: TargetGroupDimension, Id: string, metric: string, Stat: string, Label: string): MetricDataQuery => ({
        Id,
        Label,
        MetricStat: {
            Metric: {
                Namespace: "AWS/ApplicationELB",
                MetricName: metric,
                Dimensions: [
                    { Name: "TargetGroup", Value: tg.targetGroup },
                    { Name: "LoadBalancer", Value: query.loadBalancer },
                ],
            },
            Period: period,
            Stat,
        },
    });
    return query.targetGroups.flatMap((tg, i) => [
        ...KINDS.map((kind) => stat(tg, `${kind}${i}`, METRICS[kind].metric, METRICS[kind].stat, `${tg.service} ${METRICS[kind].metric}`)),
        ...thresholds(query).map((ms, t) => stat(tg, `slow${t}_${i}`, "TargetResponseTime", slowerThanStat(ms), `${tg.service} TargetResponseTime above ${ms} ms`)),
    ]);
}

const thresholds = (query: MetricsQuery) => [...new Set(query.latencyThresholdsMs ?? [])];

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Runs the queries, all pages, and returns each one's values; anything but Complete data fails closed. */
async function getMetricData(client: CloudWatchClient, where: string, queries: MetricDataQuery[], from: number, to: number): Promise<Map<string, number[]>> {
    const values = new Map<string, number[]>(queries.map((q) => [q.Id!, []]));
    // A page may say PartialData and carry a NextToken: only the status on the last page counts.
    const status = new Map<string, string>();
    try {
        const pages = paginateGetMetricData({ client }, { MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to) });
        for await (const page of pages) {
            for (const result of page.MetricDataResults ?? []) {
                values.get(result.Id!)?.push(...(result.Values ?? []));
                status.set(result.Id!, result.StatusCode ?? "missing");
            }
        }
    } catch (error) {
        throw new MetricsUnavailableError(`${where}: ${(error as Error).message}`);
    }
    const incomplete = queries.filter((q) => status.get(q.Id!) !== "Complete");
    if (incomplete.length > 0) {
        const detail = incomplete.map((q) => `${q.Label} ${status.get(q.Id!) ?? "not returned"}`).join(", ");
        throw new MetricsUnavailableError(`${where}: ${detail}`);
    }
    return values;
}

export class CloudWatchMetrics implements MetricsSource {
    constructor(private readonly cloudwatch: ClientFor<CloudWatchClient>) {}

    async colorMetrics(query: MetricsQuery): Promise<ColorMetrics> {
        const where = `${query.region} ${query.color}`;
        if (query.targetGroups.length === 0) throw new MetricsUnavailableError(`${where}: no target groups to query`);
        const values = await getMetricData(this.cloudwatch(query.region), where, metricQueries(query), query.from, query.to);
        const services: Record<string, TrafficFigures> = {};
        query.targetGroups.forEach((tg, i) => {
            const of = (kind: string) => values.get(`${kind}${i}`)!;
            const requests = sum(of("requests"));
            const p99s = of("p99");
            const slow = thresholds(query).map((ms, t): [string, number] => [String(ms), Math.min(requests, Math.round(sum(of(`slow${t}_`))))]);
            services[tg.service] = {
                requests,
                errors: sum(of("errors")),
                p99Ms: requests > 0 && p99s.length > 0 ? Math.max(...p99s) * 1000 : null,
                unhealthyHosts: of("unhealthy").length > 0 ? Math.max(...of("unhealthy")) : 0,
                ...(slow.length > 0 ? { slowRequests: Object.fromEntries(slow) } : {}),
            };
        });
        const all = Object.values(services);
        const total = (pick: (f: TrafficFigures) => number) => sum(all.map(pick));
        const p99s = all.flatMap((f) => (f.p99Ms === null ? [] : [f.p99Ms]));
        return {
            requests: total((f) => f.requests),
            errors: total((f) => f.errors),
            // The slowest service decides: one slow service is a failed rollout even if the others are fast.
            p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
            // Target groups hold distinct targets, so each group's worst moment adds up.
            unhealthyHosts: total((f) => f.unhealthyHosts),
            ...(thresholds(query).length > 0 ? { slowRequests: Object.fromEntries(thresholds(query).map((ms) => [String(ms), total((f) => f.slowRequests![String(ms)])])) } : {}),
            services,
        };
    }

    /**
     * RequestCount and HTTPCode_ELB_5XX_Count of the load balancer as a whole (dimension LoadBalancer only: the
     * latter has no TargetGroup dimension, gate/attribution.ts). No datapoint is zero: ELB publishes a count
     * only when it is not zero (the metrics page's "Reporting criteria: There is a nonzero value").
     */
    async loadBalancerMetrics(query: LoadBalancerQuery): Promise<LoadBalancerFigures> {
        const period = periodSeconds(query.from, query.to);
        const stat = (Id: string, metric: string): MetricDataQuery => ({
            Id,
            Label: `load balancer ${metric}`,
            MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: metric, Dimensions: [{ Name: "LoadBalancer", Value: query.loadBalancer }] }, Period: period, Stat: "Sum" },
        });
        const values = await getMetricData(this.cloudwatch(query.region), `${query.region} load balancer`, [stat("lbRequests", "RequestCount"), stat("lbErrors", "HTTPCode_ELB_5XX_Count")], query.from, query.to);
        return { requests: sum(values.get("lbRequests")!), errors: sum(values.get("lbErrors")!) };
    }
}
