/**
 * MetricsSource on CloudWatch: the ALB's per-target-group metrics of one color over the bake window, in one
 * GetMetricData call (paginated). It fails closed: anything short of complete data throws
 * MetricsUnavailableError, so the gate never passes on missing numbers.
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
import { ColorMetrics, MetricsQuery, MetricsSource, MetricsUnavailableError, TargetGroupDimension } from "../core/ports";
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

export class CloudWatchMetrics implements MetricsSource {
    constructor(private readonly cloudwatch: ClientFor<CloudWatchClient>) {}

    async colorMetrics(query: MetricsQuery): Promise<ColorMetrics> {
        const where = `${query.region} ${query.color}`;
        if (query.targetGroups.length === 0) throw new MetricsUnavailableError(`${where}: no target groups to query`);
        const queries = metricQueries(query);
        const values = new Map<string, number[]>(queries.map((q) => [q.Id!, []]));
        // A page may say PartialData and carry a NextToken: only the status on the last page counts.
        const status = new Map<string, string>();
        try {
            const pages = paginateGetMetricData(
                { client: this.cloudwatch(query.region) },
                { MetricDataQueries: queries, StartTime: new Date(query.from), EndTime: new Date(query.to) },
            );
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
        const all = (kind: string) => query.targetGroups.map((_, i) => values.get(`${kind}${i}`)!);
        const requests = sum(all("requests").flat());
        const p99s = all("p99").flat();
        const slow = thresholds(query).map((ms, t): [string, number] => [String(ms), Math.min(requests, Math.round(sum(all(`slow${t}_`).flat())))]);
        return {
            requests,
            errors: sum(all("errors").flat()),
            // The slowest service decides: one slow service is a failed rollout even if the others are fast.
            p99Ms: requests > 0 && p99s.length > 0 ? Math.max(...p99s) * 1000 : null,
            // Target groups hold distinct targets, so each group's worst moment adds up.
            unhealthyHosts: sum(all("unhealthy").map((v) => (v.length > 0 ? Math.max(...v) : 0))),
            ...(slow.length > 0 ? { slowRequests: Object.fromEntries(slow) } : {}),
        };
    }
}
