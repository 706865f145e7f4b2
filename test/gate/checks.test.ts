import { strict as assert } from "node:assert";
import fc from "fast-check";
import { judgeWindow, latencyThresholds, measured, measurementProblem, TAIL_FRACTION } from "../../automation/gate/checks";
import { TrafficFigures } from "../../automation/core/ports";
import { gateSchema } from "../../stacks/config/schema";

const CONFIG = gateSchema.parse({});
const window = (m: Partial<TrafficFigures> & { slow?: Record<string, number> } = {}): TrafficFigures => ({
    requests: 6000,
    errors: 6,
    p99Ms: 180,
    unhealthyHosts: 0,
    slowRequests: m.slow ?? { [CONFIG.maxP99Ms]: 0, 270: 6 },
    ...m,
});
const OLD = measured(window({ requests: 114_000, errors: 114 }));
const checksOf = (v: ReturnType<typeof judgeWindow>) => (v.verdict === "fail" ? v.failures.map((f) => f.check) : []);

describe("gate checks: one window against the limits and the old color", () => {
    it("passes a healthy window", () => assert.equal(judgeWindow(CONFIG, window(), OLD).verdict, "pass"));

    it("names the service whose target group it judged in each finding", () => {
        const verdict = judgeWindow(CONFIG, window({ requests: 300, errors: 15, unhealthyHosts: 1 }), OLD, "web");
        assert.equal(verdict.verdict, "fail");
        const failures = verdict.verdict === "fail" ? verdict.failures : [];
        assert.deepEqual(failures.map((f) => [f.service, f.check]), [["web", "unhealthyHosts"], ["web", "errorRate"]]);
        assert.ok(failures.every((f) => f.message.startsWith("web: ")));
    });

    it("the defaults are written down: 1% errors, 1500 ms p99, 0 unhealthy, 2x and 1.5x the old color, 200 requests, 0.001", () => {
        assert.deepEqual(
            [CONFIG.maxErrorRate, CONFIG.maxP99Ms, CONFIG.maxUnhealthyHosts, CONFIG.maxErrorRateRatio, CONFIG.maxP99Ratio, CONFIG.minRequests, CONFIG.significance, CONFIG.failureLimit, CONFIG.queryErrorLimit],
            [0.01, 1500, 0, 2, 1.5, 200, 0.001, 1, 4],
        );
    });

    describe("error rate, absolute", () => {
        it("fails 5% errors on 300 requests: far beyond doubt above 1%", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 300, errors: 15 }), OLD)), ["errorRate"]);
        });
        it("passes exactly 1%, whatever the count", () => {
            for (const requests of [100, 6000, 1_000_000]) assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests, errors: requests / 100 }), null)), []);
        });
        it("passes 1.3% on 300 requests: four errors do not prove the rate is above 1%", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 300, errors: 4 }), null)), []);
        });
        it("fails 1.3% on a million requests: there the counts prove it", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 1_000_000, errors: 13_000 }), null)), ["errorRate"]);
        });
        it("reports value, threshold and p-value", () => {
            const verdict = judgeWindow(CONFIG, window({ requests: 1500, errors: 120 }), OLD);
            assert.equal(verdict.verdict, "fail");
            const finding = verdict.verdict === "fail" ? verdict.failures[0] : undefined;
            assert.deepEqual([finding?.value, finding?.threshold], [0.08, 0.01]);
            assert.ok(finding!.pValue! < 1e-30);
            assert.match(finding!.message, /^error rate 8\.00% > 1\.00% \(120\/1500, p=/);
        });
    });

    describe("error rate against the old color", () => {
        it("fails five times the old color's rate on enough traffic", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 15_000, errors: 75 }), measured(window({ requests: 45_000, errors: 45 })))), ["errorRateVsOld"]);
        });
        it("passes twice the old rate (the tolerated ratio) however many requests", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 1_000_000, errors: 2_000 }), measured(window({ requests: 1_000_000, errors: 1_000 })))), []);
        });
        it("ignores differences inside the slack (0.01% against 0.03%)", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 1_000_000, errors: 300 }), measured(window({ requests: 1_000_000, errors: 100 })))), []);
        });
        it("needs an old color with enough traffic to compare with", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 15_000, errors: 75 }), measured(window({ requests: 150, errors: 0 })))), []);
        });
        it("leaves rates above the absolute limit to the absolute check (one finding, not two)", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 15_000, errors: 1_500 }), OLD)), ["errorRate"]);
        });
    });

    describe("latency", () => {
        it("fails p99 above the limit when more than 1% of requests were slower, beyond doubt", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 300, p99Ms: 3000, slow: { [CONFIG.maxP99Ms]: 36, 270: 120 } }), OLD)), ["p99"]);
        });
        it("passes exactly 1% slower than the limit (p99 at the limit)", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 6000, p99Ms: 1500, slow: { [CONFIG.maxP99Ms]: 60, 270: 60 } }), null)), []);
        });
        it("fails a p99 1.5 times the old color's, on counts above that latency", () => {
            assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ requests: 6000, p99Ms: 400, slow: { [CONFIG.maxP99Ms]: 0, 270: 300 } }), OLD)), ["p99VsOld"]);
        });
        it("asks for slow counts at the absolute limit, and at 1.5x the old p99 when there is an old color", () => {
            assert.deepEqual(latencyThresholds(CONFIG, null), [1500]);
            assert.deepEqual(latencyThresholds(CONFIG, OLD), [1500, 270]);
        });
        it("without the slow counts it asked for, a look is a failed query, never a pass", () => {
            assert.deepEqual(judgeWindow(CONFIG, window({ p99Ms: 120, slowRequests: undefined }), OLD), { verdict: "error", message: "no count of requests slower than 1500 ms or 270 ms" });
            assert.deepEqual(judgeWindow(CONFIG, window({ slow: { [CONFIG.maxP99Ms]: 0 } }), OLD), { verdict: "error", message: "no count of requests slower than 270 ms" });
            assert.equal(judgeWindow(CONFIG, window({ slow: { [CONFIG.maxP99Ms]: 0 } }), null).verdict, "pass", "without an old color only the absolute limit is asked for");
        });
    });

    it("fails any unhealthy host above the allowance, and passes exactly the allowance", () => {
        assert.deepEqual(checksOf(judgeWindow(CONFIG, window({ unhealthyHosts: 1 }), OLD)), ["unhealthyHosts"]);
        assert.deepEqual(checksOf(judgeWindow({ ...CONFIG, maxUnhealthyHosts: 1 }, window({ unhealthyHosts: 1 }), OLD)), []);
    });

    describe("measurements that are not numbers are failed queries, never a pass", () => {
        const cases: [string, Partial<TrafficFigures>][] = [
            ["requests overflowing to Infinity", { requests: Infinity, errors: Infinity }],
            ["NaN errors", { errors: NaN }],
            ["a negative count", { errors: -1 }],
            ["an infinite p99", { p99Ms: Infinity }],
            ["more errors than requests", { requests: 10, errors: 11 }],
            ["a fractional count", { requests: 1000.5 }],
            ["a count beyond 2^53, where a double no longer counts by one", { requests: 2 ** 53, errors: 0 }],
            ["1e308 requests", { requests: 1e308, errors: 1e305 }],
        ];
        for (const [what, metrics] of cases) {
            it(what, () => {
                const verdict = judgeWindow(CONFIG, window(metrics), OLD);
                assert.equal(verdict.verdict, "error");
                assert.ok(measurementProblem(window(metrics)));
            });
        }
    });

    it("property: a window whose every figure is within its limit and like the old color's passes", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.double({ min: 0, max: 0.002, noNaN: true }), (requests, rate) => {
                const slowAtLimit = Math.floor(requests * TAIL_FRACTION * 0.5);
                assert.equal(judgeWindow(CONFIG, window({ requests, errors: Math.floor(requests * rate), slow: { [CONFIG.maxP99Ms]: slowAtLimit, 270: slowAtLimit } }), OLD).verdict, "pass");
            }),
        );
    });
});
