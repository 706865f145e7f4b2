import { strict as assert } from "node:assert";
import { evaluateGate, metricsUnavailable } from "../../automation/gate/verdict";
import { ColorMetrics } from "../../automation/core/ports";
import { gateSchema } from "../../stacks/config/schema";

const config = gateSchema.parse({});
const metrics = (m: Partial<ColorMetrics>): ColorMetrics => ({ requests: 10_000, errors: 10, p99Ms: 200, unhealthyHosts: 0, ...m });

describe("the metric gate", () => {
    const cases: [string, Partial<ColorMetrics>, Partial<ColorMetrics> | null, string, string[]][] = [
        ["passes a healthy new color", {}, {}, "pass", []],
        ["fails an error rate above the absolute threshold", { errors: 300 }, {}, "fail", ["errorRate"]],
        ["fails a p99 above the absolute threshold", { p99Ms: 2500 }, {}, "fail", ["p99Ms"]],
        ["fails unhealthy hosts", { unhealthyHosts: 1 }, {}, "fail", ["unhealthyHosts"]],
        ["fails unhealthy hosts even without traffic", { requests: 5, errors: 0, unhealthyHosts: 2 }, null, "fail", ["unhealthyHosts"]],
        ["fails an error rate far above the old color's, though under the absolute limit", { errors: 60 }, { errors: 10 }, "fail", ["errorRate"]],
        ["passes an error rate within the old color's ratio plus slack", { errors: 25 }, { errors: 10 }, "pass", []],
        ["fails a p99 far above the old color's", { p99Ms: 900 }, { p99Ms: 200 }, "fail", ["p99Ms"]],
        ["ignores the old color when it has too little traffic (at 100%)", { errors: 60 }, { requests: 0, errors: 0, p99Ms: null }, "pass", []],
        ["is inconclusive below the minimum traffic", { requests: 199, errors: 0 }, {}, "inconclusive", ["requests"]],
        ["does not judge error rate on too little traffic", { requests: 100, errors: 50 }, {}, "inconclusive", ["requests"]],
    ];
    for (const [what, fresh, old, verdict, metricsHit] of cases) {
        it(what, () => {
            const result = evaluateGate(config, metrics(fresh), old ? metrics(old) : null);
            assert.equal(result.verdict, verdict);
            assert.deepEqual(result.findings.map((f) => f.metric), metricsHit);
        });
    }

    it("names the value and the threshold in a failure", () => {
        const [finding] = evaluateGate(config, metrics({ errors: 800 }), null).findings;
        assert.equal(finding.value, 0.08);
        assert.equal(finding.threshold, 0.01);
        assert.equal(finding.message, "error rate 8.00% > 1.00%");
    });

    it("uses the configured thresholds", () => {
        const strict = gateSchema.parse({ maxP99Ms: 150 });
        assert.equal(evaluateGate(strict, metrics({ p99Ms: 180 }), null).verdict, "fail");
    });

    it("counts unavailable metrics as a failure (fail closed)", () => {
        const result = metricsUnavailable("throttled");
        assert.equal(result.verdict, "fail");
        assert.match(result.findings[0].message, /metrics unavailable \(throttled\)/);
    });
});
