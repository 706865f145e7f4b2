import { strict as assert } from "node:assert";
import { analyzeStep, failureReason, Look } from "../../automation/gate/analysis";
import { scenarioSchema } from "../../automation/scenario/scenario";
import { TrafficModel, WeightHistory } from "../../automation/scenario/traffic";
import { weightsFor } from "../../components/weights";
import { ColorMetrics, MetricsUnavailableError } from "../../automation/core/ports";
import { gateSchema } from "../../stacks/config/schema";

const MINUTE = 60_000;
const CONFIG = gateSchema.parse({});

interface World {
    /** Per minute since the step began: the new color's requests, errors and p99 that minute, or data lost for good. */
    minute: (m: number) => { requests: number; errors: number; p99Ms: number } | "unavailable";
    /** Queries made at this minute fail (a metrics outage that ends). */
    outage?: (nowMinute: number) => boolean;
    /** The old color, per minute. */
    old?: (m: number) => { requests: number; errors: number; p99Ms: number };
}

/** Runs one step's analysis over a per-minute world (fractions of minutes are prorated). */
async function analyse(world: World, options: { bakeMs?: number; intervalMs?: number; config?: Partial<typeof CONFIG> } = {}) {
    let now = 0;
    const looks: Look[] = [];
    const sum = (f: (m: number) => { requests: number; errors: number; p99Ms: number } | "unavailable", from: number, to: number, thresholds: number[]): ColorMetrics => {
        let requests = 0;
        let errors = 0;
        let p99 = 0;
        const slow: Record<string, number> = Object.fromEntries(thresholds.map((t) => [String(t), 0]));
        for (let t = from; t < to; t += MINUTE / 6) {
            const m = f(Math.floor(t / MINUTE));
            if (m === "unavailable") throw new MetricsUnavailableError("outage");
            const share = Math.min(MINUTE / 6, to - t) / MINUTE;
            requests += m.requests * share;
            errors += m.errors * share;
            p99 = Math.max(p99, m.p99Ms);
            for (const threshold of thresholds) slow[String(threshold)] += m.p99Ms > threshold ? m.requests * share * 0.2 : 0;
        }
        const figures = { requests: Math.round(requests), errors: Math.round(errors), p99Ms: requests > 0 ? p99 : null, unhealthyHosts: 0, slowRequests: Object.fromEntries(Object.entries(slow).map(([k, v]) => [k, Math.round(v)])) };
        return { ...figures, services: { app: figures } };
    };
    const result = await analyzeStep(
        {
            now: () => now,
            sleep: async (ms) => void (now += ms),
            query: async (color, from, to, thresholds) => {
                if (world.outage?.(now / MINUTE)) throw new MetricsUnavailableError("outage");
                return sum(color === "new" ? world.minute : world.old ?? (() => ({ requests: 5700, errors: 6, p99Ms: 180 })), from, to, thresholds);
            },
            loadBalancer: async () => ({ requests: 6000, errors: 0 }),
            checkpoint: async () => undefined,
            onLook: async (look) => void looks.push(look),
        },
        { config: { ...CONFIG, ...options.config }, bakeMs: options.bakeMs ?? 10 * MINUTE, intervalMs: options.intervalMs ?? MINUTE },
    );
    return { result, looks, endedAt: now / MINUTE };
}

const healthy = () => ({ requests: 300, errors: 0, p99Ms: 180 });

describe("gate analysis of one step", () => {
    it("looks every interval and promotes a healthy step when the bake window is over, with what it measured", async () => {
        const { result, looks, endedAt } = await analyse({ minute: healthy });
        assert.equal(result.verdict, "pass");
        assert.equal(result.checks, 10);
        assert.deepEqual(looks.map((l) => l.atMinutes), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.equal(endedAt, 10);
        assert.equal(result.measured?.requests, 3000);
    });

    it("rolls back at the first look after a breach begins, not at the end of the bake", async () => {
        const { result, endedAt } = await analyse({ minute: (m) => (m >= 3 ? { requests: 300, errors: 30, p99Ms: 180 } : healthy()) });
        assert.equal(result.verdict, "fail");
        assert.equal(endedAt, 4);
        assert.match(result.reason!, /error rate 10\.00% > 1\.00%/);
    });

    it("with failureLimit 2 waits for two failed looks in a row; a passing look in between starts over", async () => {
        const bad = { requests: 300, errors: 30, p99Ms: 180 };
        const twice = await analyse({ minute: (m) => (m >= 3 ? bad : healthy()) }, { config: { failureLimit: 2 } });
        assert.equal(twice.endedAt, 5);
        const alternating = await analyse({ minute: (m) => (m === 3 || m === 5 ? bad : healthy()) }, { config: { failureLimit: 2 } });
        assert.equal(alternating.result.verdict, "fail", "the whole-step window still catches the accumulated errors");
        assert.ok(alternating.endedAt > 4);
    });

    it("fails closed after queryErrorLimit failed queries in a row, and a query that recovers resets the count", async () => {
        const closed = await analyse({ minute: (m) => (m >= 2 ? "unavailable" : healthy()) });
        assert.equal(closed.result.verdict, "fail");
        assert.equal(closed.endedAt, 6);
        assert.match(closed.result.reason!, /metrics unavailable on 4 consecutive looks, failing closed: outage/);
        const recovers = await analyse({ minute: healthy, outage: (now) => now >= 2 && now < 5 });
        assert.equal(recovers.result.verdict, "pass");
        assert.equal(recovers.looks.filter((l) => l.verdict === "error").length, 3);
    });

    it("never promotes on an error look at the end of the bake: it keeps looking", async () => {
        const { result, endedAt, looks } = await analyse({ minute: healthy, outage: (now) => now === 10 });
        assert.equal(result.verdict, "pass");
        assert.equal(looks.find((l) => l.atMinutes === 10)?.verdict, "error");
        assert.equal(endedAt, 11);
    });

    it("judges minimum traffic over the whole window: --bake 30s is promoted once the step has enough requests", async () => {
        const { result, endedAt, looks } = await analyse({ minute: healthy }, { bakeMs: 30_000 });
        assert.equal(result.verdict, "pass");
        assert.deepEqual(looks.map((l) => l.atMinutes), [0.5, 1.5]);
        assert.equal(endedAt, 1.5);
        assert.equal(result.checks, 2);
    });

    it("too little traffic is inconclusive, never a pass: after the timeout the step gives up", async () => {
        const { result, endedAt } = await analyse({ minute: () => ({ requests: 1, errors: 0, p99Ms: 180 }) });
        assert.equal(result.verdict, "inconclusive");
        assert.equal(endedAt, 30);
        assert.match(result.reason!, /only 30 requests on the new color in 30m, 200 needed/);
    });

    it("records measured values on every look, passing ones included, with the old color beside them", async () => {
        const { looks } = await analyse({ minute: healthy });
        assert.ok(looks.every((l) => l.verdict === "pass" && l.measured && l.baseline && l.findings.length === 0));
        assert.deepEqual(looks.map((l) => l.measured!.requests), [300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000]);
    });
});

describe("gate analysis: every service judged on its own, the load balancer's own 5xx counted", () => {
    /** One step at 5% on the sim's traffic model, the region's services at these shares. */
    async function step(scenario: unknown, services: Record<string, number>) {
        const model = new TrafficModel(scenarioSchema.parse(scenario));
        const history: WeightHistory = [{ at: 0, weights: weightsFor("blue", 100) }, { at: 60 * MINUTE, weights: weightsFor("green", 5) }];
        let now = 60 * MINUTE;
        const looks: Look[] = [];
        const result = await analyzeStep(
            {
                now: () => now,
                sleep: async (ms) => void (now += ms),
                query: async (color, from, to, thresholds) => {
                    const window = model.window(history, { region: "r", color: color === "new" ? "green" : "blue", newColor: "green", services, from, to, thresholdsMs: thresholds });
                    if ("unavailable" in window) throw new MetricsUnavailableError("outage");
                    return window;
                },
                loadBalancer: async (from, to) => {
                    const window = model.loadBalancerWindow(history, { region: "r", newColor: "green", services, from, to });
                    if ("unavailable" in window) throw new MetricsUnavailableError("outage");
                    return window;
                },
                checkpoint: async () => undefined,
                onLook: async (look) => void looks.push(look),
            },
            { config: CONFIG, bakeMs: 10 * MINUTE, intervalMs: MINUTE },
        );
        return { result, looks };
    }
    const SMALL = { api: 0.95, web: 0.05 };

    it("fails a step when a service with 5% of the requests fails 20% of them, which the region's sum hides", async () => {
        const { result, looks } = await step({ faults: [{ service: "web", errorRate: 0.2 }] }, SMALL);
        assert.equal(result.verdict, "fail");
        assert.deepEqual(result.findings.map((f) => [f.service, f.check]), [["web", "errorRate"]]);
        assert.match(result.reason!, /^web: error rate 20\.00% > 1\.00% \(\d+\/\d+, p=/);
        assert.ok(looks.at(-1)!.measured!.errorRate < 0.012, "the region as a whole is at 1.1%: not beyond doubt above 1%");
        assert.ok(looks.every((l) => l.services && Object.keys(l.services).join() === "api,web"), "every look measures each service");
    });

    it("passes the same step with the fault nowhere, each service's figures beside the region's", async () => {
        const { result } = await step({}, SMALL);
        assert.equal(result.verdict, "pass");
        assert.deepEqual([result.measured!.requests, result.services!.api.requests, result.services!.web.requests], [3000, 2850, 150]);
    });

    it("charges the load balancer's own 5xx to the new color: a service whose new target group is empty fails the region", async () => {
        const { result } = await step({ faults: [{ service: "api", loadBalancerErrorRate: 1 }] }, { api: 0.5, web: 0.5 });
        assert.equal(result.verdict, "fail");
        assert.deepEqual(result.findings[0].service, undefined);
        assert.match(result.reason!, /^error rate 50\.\d\d% > 1\.00%/);
        assert.ok(result.measured!.loadBalancerErrors! > 0);
    });

    it("names the region's failure once, not again for every service failing the same check", async () => {
        const { result } = await step({ faults: [{ errorRate: 0.2 }] }, SMALL);
        assert.equal(result.verdict, "fail");
        assert.deepEqual(result.findings.map((f) => f.service ?? "region"), ["region"]);
        assert.doesNotMatch(result.reason!, /api:|web:/);
    });

    it("names at most three services in the reason, the rest counted", () => {
        const finding = (service: string) => ({ check: "errorRate" as const, service, value: 0.2, threshold: 0.01, message: `${service}: error rate 20.00% > 1.00%` });
        assert.equal(failureReason(["a", "b", "c", "d", "e"].map(finding)), "a: error rate 20.00% > 1.00%; b: error rate 20.00% > 1.00%; c: error rate 20.00% > 1.00%; and 2 more services");
    });
});
