import { strict as assert } from "node:assert";
import { CloudWatchClient, GetMetricDataCommand, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchMetrics, slowerThanStat } from "../../automation/real/cloudwatchMetrics";
import { MetricsQuery, MetricsUnavailableError } from "../../automation/core/ports";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const query: MetricsQuery = {
    region: "ap-northeast-1",
    color: "green",
    loadBalancer: "app/mitene-prod-apne1/abc",
    targetGroups: [
        { service: "api", targetGroup: "targetgroup/prod-apne1-api-green/111" },
        { service: "web", targetGroup: "targetgroup/prod-apne1-web-green/222" },
    ],
    from: T0,
    to: T0 + 10 * 60_000,
};

const cw = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: "ap-northeast-1" });
const regions: string[] = [];
const metrics = new CloudWatchMetrics((region) => (regions.push(region), client));
const complete = (Id: string, Values: number[]): MetricDataResult => ({ Id, Values, StatusCode: "Complete" });
/** Every query Complete, with the given values (others empty). */
const answer = (values: Record<string, number[]>): MetricDataResult[] =>
    ["requests", "errors", "p99", "unhealthy"].flatMap((kind) => [0, 1].map((i) => complete(`${kind}${i}`, values[`${kind}${i}`] ?? [])));

describe("real/CloudWatchMetrics", () => {
    beforeEach(() => cw.reset());

    it("asks for the four ALB metrics of every target group in one call, period = window", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: answer({}) });
        await metrics.colorMetrics(query);
        const calls = cw.commandCalls(GetMetricDataCommand);
        assert.equal(calls.length, 1);
        assert.equal(regions.at(-1), "ap-northeast-1");
        const input = calls[0].args[0].input;
        assert.deepEqual([input.StartTime, input.EndTime], [new Date(query.from), new Date(query.to)]);
        const queries = input.MetricDataQueries!;
        assert.equal(queries.length, 8);
        const p99Web = queries.find((q) => q.Id === "p991")!.MetricStat!;
        assert.deepEqual(p99Web, {
            Metric: {
                Namespace: "AWS/ApplicationELB",
                MetricName: "TargetResponseTime",
                Dimensions: [
                    { Name: "TargetGroup", Value: "targetgroup/prod-apne1-web-green/222" },
                    { Name: "LoadBalancer", Value: "app/mitene-prod-apne1/abc" },
                ],
            },
            Period: 600,
            Stat: "p99",
        });
        const stats = Object.fromEntries(queries.filter((q) => q.Id!.endsWith("0")).map((q) => [q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat]));
        assert.deepEqual(stats, { RequestCount: "Sum", HTTPCode_Target_5XX_Count: "Sum", TargetResponseTime: "p99", UnHealthyHostCount: "Maximum" });
    });

    it("rounds the period up to whole minutes, at least 60 s", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: answer({}) });
        await metrics.colorMetrics({ ...query, to: T0 + 30_000 });
        await metrics.colorMetrics({ ...query, to: T0 + 61_000 });
        const periods = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries![0].MetricStat!.Period);
        assert.deepEqual(periods, [60, 120]);
    });

    it("keeps each service's target group on its own, and sums them: requests and errors added, the slowest p99 in ms, unhealthy maxima added", async () => {
        cw.on(GetMetricDataCommand).resolves({
            MetricDataResults: answer({
                requests0: [600, 400], requests1: [50],
                errors0: [3], errors1: [1, 1],
                p990: [0.18], p991: [0.25, 0.4],
                unhealthy0: [0, 2, 1], unhealthy1: [1],
            }),
        });
        assert.deepEqual(await metrics.colorMetrics(query), {
            requests: 1050,
            errors: 5,
            p99Ms: 400,
            unhealthyHosts: 3,
            services: {
                api: { requests: 1000, errors: 3, p99Ms: 180, unhealthyHosts: 2 },
                web: { requests: 50, errors: 2, p99Ms: 400, unhealthyHosts: 1 },
            },
        });
    });

    it("reads no datapoints as no traffic: zero requests and a null p99, for every service too", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: answer({}) });
        const none = { requests: 0, errors: 0, p99Ms: null, unhealthyHosts: 0 };
        assert.deepEqual(await metrics.colorMetrics(query), { ...none, services: { api: none, web: none } });
    });

    it("follows NextToken and merges the pages, a PartialData page followed by its rest included", async () => {
        const first = answer({ requests0: [100] }).map((r) => (r.Id === "requests0" ? { ...r, StatusCode: "PartialData" as const } : r));
        cw.on(GetMetricDataCommand)
            .resolvesOnce({ MetricDataResults: first, NextToken: "page2" })
            .resolvesOnce({ MetricDataResults: [complete("requests0", [200])] });
        const result = await metrics.colorMetrics(query);
        assert.equal(result.requests, 300);
        assert.equal(cw.commandCalls(GetMetricDataCommand)[1].args[0].input.NextToken, "page2");
    });

    it("fails closed when a result ends PartialData", async () => {
        const partial = answer({}).map((r) => (r.Id === "errors1" ? { ...r, StatusCode: "PartialData" as const } : r));
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: partial });
        await assert.rejects(metrics.colorMetrics(query), (e: Error) => e instanceof MetricsUnavailableError && /web HTTPCode_Target_5XX_Count PartialData/.test(e.message));
    });

    it("fails closed when a result reports InternalError", async () => {
        const failed = answer({}).map((r) => (r.Id === "p990" ? { ...r, StatusCode: "InternalError" as const } : r));
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: failed });
        await assert.rejects(metrics.colorMetrics(query), /api TargetResponseTime InternalError/);
    });

    it("fails closed when a query has no result at all", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: answer({}).filter((r) => r.Id !== "unhealthy0") });
        await assert.rejects(metrics.colorMetrics(query), /api UnHealthyHostCount not returned/);
    });

    it("turns an API error into MetricsUnavailableError naming region and color", async () => {
        cw.on(GetMetricDataCommand).rejects(new Error("Rate exceeded"));
        await assert.rejects(metrics.colorMetrics(query), (e: Error) => e instanceof MetricsUnavailableError && e.message === "metrics unavailable: ap-northeast-1 green: Rate exceeded");
    });

    it("refuses a query without target groups", async () => {
        await assert.rejects(metrics.colorMetrics({ ...query, targetGroups: [] }), MetricsUnavailableError);
        assert.equal(cw.commandCalls(GetMetricDataCommand).length, 0);
    });

    it("refuses a window that ends before it starts", async () => {
        await assert.rejects(metrics.colorMetrics({ ...query, to: query.from }), /must end after it starts/);
    });
    describe("requests slower than the gate's latency limits", () => {
        const withSlow = { ...query, latencyThresholdsMs: [1500, 270, 1500] };
        const slowAnswer = (values: Record<string, number[]>) => [
            ...answer(values),
            ...["slow0_0", "slow0_1", "slow1_0", "slow1_1"].map((Id) => complete(Id, values[Id] ?? [])),
        ];

        it("asks for the trimmed count of TargetResponseTime above each limit, in seconds, once per limit and target group", async () => {
            cw.on(GetMetricDataCommand).resolves({ MetricDataResults: slowAnswer({}) });
            await metrics.colorMetrics(withSlow);
            const queries = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
            const slow = queries.filter((q) => q.Id!.startsWith("slow")).map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat, q.MetricStat!.Metric!.Dimensions![0].Value]);
            assert.deepEqual(slow, [
                ["slow0_0", "TargetResponseTime", "TC(1.5:)", "targetgroup/prod-apne1-api-green/111"],
                ["slow1_0", "TargetResponseTime", "TC(0.27:)", "targetgroup/prod-apne1-api-green/111"],
                ["slow0_1", "TargetResponseTime", "TC(1.5:)", "targetgroup/prod-apne1-web-green/222"],
                ["slow1_1", "TargetResponseTime", "TC(0.27:)", "targetgroup/prod-apne1-web-green/222"],
            ]);
        });

        it("rounds each target group's count (CloudWatch interpolates) to at most its requests, and adds them per limit", async () => {
            cw.on(GetMetricDataCommand).resolves({
                MetricDataResults: slowAnswer({ requests0: [1000], requests1: [50], slow0_0: [2.4], slow0_1: [1.3], slow1_0: [40.6], slow1_1: [1020] }),
            });
            const result = await metrics.colorMetrics(withSlow);
            assert.deepEqual([result.services.api.slowRequests, result.services.web.slowRequests], [{ 1500: 2, 270: 41 }, { 1500: 1, 270: 50 }]);
            assert.deepEqual(result.slowRequests, { 1500: 3, 270: 91 });
        });

        it("fails closed when a slow count is not Complete", async () => {
            cw.on(GetMetricDataCommand).resolves({ MetricDataResults: slowAnswer({}).map((r) => (r.Id === "slow1_1" ? { ...r, StatusCode: "PartialData" } : r)) });
            await assert.rejects(metrics.colorMetrics(withSlow), (e: Error) => e instanceof MetricsUnavailableError && /web TargetResponseTime above 270 ms PartialData/.test(e.message));
        });

        it("formats limits in seconds without float noise", () => {
            assert.deepEqual([slowerThanStat(1500), slowerThanStat(270), slowerThanStat(3), slowerThanStat(1234.5)], ["TC(1.5:)", "TC(0.27:)", "TC(0.003:)", "TC(1.2345:)"]);
        });
    });
    describe("the load balancer as a whole", () => {
        const lbQuery = { region: "us-west-2", loadBalancer: "app/mitene-prod-usw2/def", from: T0, to: T0 + 5 * 60_000 };

        it("asks for RequestCount and HTTPCode_ELB_5XX_Count with the LoadBalancer dimension alone (the latter has no TargetGroup one), Sum over the window", async () => {
            cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [complete("lbRequests", [5000, 1000]), complete("lbErrors", [7])] });
            assert.deepEqual(await metrics.loadBalancerMetrics(lbQuery), { requests: 6000, errors: 7 });
            const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
            assert.equal(regions.at(-1), "us-west-2");
            assert.deepEqual(
                input.MetricDataQueries!.map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Metric!.Dimensions, q.MetricStat!.Period, q.MetricStat!.Stat]),
                [
                    ["lbRequests", "RequestCount", [{ Name: "LoadBalancer", Value: "app/mitene-prod-usw2/def" }], 300, "Sum"],
                    ["lbErrors", "HTTPCode_ELB_5XX_Count", [{ Name: "LoadBalancer", Value: "app/mitene-prod-usw2/def" }], 300, "Sum"],
                ],
            );
        });

        it("reads a 5xx count with no datapoints (ELB reports only counts that are not zero) as zero", async () => {
            cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [complete("lbRequests", [300]), complete("lbErrors", [])] });
            assert.deepEqual(await metrics.loadBalancerMetrics(lbQuery), { requests: 300, errors: 0 });
        });

        it("fails closed when a result is not Complete", async () => {
            cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [complete("lbRequests", [300]), { Id: "lbErrors", Values: [], StatusCode: "PartialData" }] });
            await assert.rejects(metrics.loadBalancerMetrics(lbQuery), (e: Error) => e instanceof MetricsUnavailableError && /us-west-2 load balancer: load balancer HTTPCode_ELB_5XX_Count PartialData/.test(e.message));
        });
    });
});
