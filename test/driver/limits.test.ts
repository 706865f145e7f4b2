/**
 * Nothing spins and every run can be stopped: every number a scenario gives has a bound (beyond it, bad input
 * naming the field), the gate decides at the largest counts in bounded time, and a real CLI process deep in a
 * huge gate answers SIGTERM with 143, its one JSON document and its lease released.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { BadInputError } from "../../automation/core/errors";
import { SCENARIO_LIMITS, loadScenario } from "../../automation/scenario/scenario";
import { startMitene, waitFor } from "../local/processes";
import { cli, invariantProblems, seeded, sim, snapshot, statusOf, tempState } from "./harness";

/** Every number of the scenario file: where it sits, and its largest value (all are at least 0 but the seed). */
const NUMBERS: [string, (value: unknown) => unknown, number][] = [
    ["baseline.errorRate", (v) => ({ baseline: { errorRate: v } }), 1],
    ["baseline.p99Ms", (v) => ({ baseline: { p99Ms: v } }), SCENARIO_LIMITS.latencyMs],
    ["baseline.requestsPerMinute", (v) => ({ baseline: { requestsPerMinute: v } }), SCENARIO_LIMITS.requestsPerMinute],
    ["faults.0.fromWeight", (v) => ({ faults: [{ fromWeight: v }] }), 100],
    ["faults.0.afterMinutes", (v) => ({ faults: [{ afterMinutes: v }] }), SCENARIO_LIMITS.minutes],
    ["faults.0.errorRate", (v) => ({ faults: [{ errorRate: v }] }), 1],
    ["faults.0.p99Ms", (v) => ({ faults: [{ p99Ms: v }] }), SCENARIO_LIMITS.latencyMs],
    ["faults.0.unhealthyHosts", (v) => ({ faults: [{ unhealthyHosts: v }] }), SCENARIO_LIMITS.hosts],
    ["argo.syncMinutes", (v) => ({ argo: { syncMinutes: v } }), SCENARIO_LIMITS.minutes],
    ["freeIpsPerSubnet", (v) => ({ freeIpsPerSubnet: v }), SCENARIO_LIMITS.ipsPerSubnet],
    ["runningJobsMinutes", (v) => ({ runningJobsMinutes: v }), SCENARIO_LIMITS.minutes],
    ...(["clusterUp", "regionUp", "labelUp", "clusterDestroy", "opsControlPlane", "opsAddons", "opsNodes"] as const).map(
        (key): [string, (value: unknown) => unknown, number] => [`durations.${key}`, (v) => ({ durations: { [key]: v } }), SCENARIO_LIMITS.minutes],
    ),
    ["noise.seed", (v) => ({ noise: { seed: v } }), Number.MAX_SAFE_INTEGER],
];

describe("nothing spins, and every run can be stopped", function () {
    this.timeout(600_000);

    it("every number of a scenario has a bound: at it, accepted; beyond it, or not a number, bad input naming the field", () => {
        const dir = path.dirname(tempState());
        for (const [field, shape, max] of NUMBERS) {
            const file = path.join(dir, `${field}.json`);
            writeFileSync(file, JSON.stringify(shape(max)));
            assert.doesNotThrow(() => loadScenario(file), field);
            const seed = field === "noise.seed";
            for (const bad of [seed ? 2 ** 53 : max * 1.5 + 1, 1e308, seed ? -(2 ** 53) : -1, seed ? 0.5 : "fifty", "fifty", null, true]) {
                writeFileSync(file, JSON.stringify(shape(bad)));
                assert.throws(() => loadScenario(file), (e: Error) => e instanceof BadInputError && e.message.includes(field) && e.message.includes(file), `${field} = ${JSON.stringify(bad)}`);
            }
        }
    });

    it("1e12 requests a minute: the upgrade completes, and a 1.02% error rate there is caught; 1e308 is bad input and changes nothing", async () => {
        const state = tempState();
        const file = (name: string, content: unknown) => {
            const target = path.join(path.dirname(state), name);
            writeFileSync(target, JSON.stringify(content));
            return target;
        };
        const huge = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--json", "--scenario", file("huge.json", { baseline: { requestsPerMinute: 1e12 } })));
        assert.equal(huge.code, 0, huge.stderr);
        assert.deepEqual(huge.json.regions[0].steps.map((s: any) => [s.weight, s.gate]), [[5, "pass"], [25, "pass"], [50, "pass"], [100, "pass"]]);
        assert.ok(huge.json.regions[0].steps[3].measured.requests >= 5e12, String(huge.json.regions[0].steps[3].measured.requests));

        const faulty = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--json", "--scenario", file("faulty.json", { baseline: { requestsPerMinute: 1e12 }, faults: [{ fromWeight: 25, errorRate: 0.0102 }] })));
        assert.equal(faulty.code, 1);
        assert.match(faulty.json.regions[0].reason, /gate failed at green 25%: error rate 1\.02% > 1\.00%/);

        const before = snapshot(state);
        const refused = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.36", "--json", "--scenario", file("overflow.json", { baseline: { requestsPerMinute: 1e308 } })));
        assert.equal(refused.code, 2);
        assert.match(refused.json.error, /baseline\.requestsPerMinute/);
        assert.deepEqual(snapshot(state), before);
    });

    it("SIGTERM reaches a CLI process deep in a huge gate: exit 143, its one JSON document, the lease released", async () => {
        const state = await seeded();
        const scenario = path.join(path.dirname(state), "huge.json");
        writeFileSync(scenario, JSON.stringify({ baseline: { requestsPerMinute: 1e12 }, noise: { seed: 7 } }));
        // A day-long bake looked at every 10 s: thousands of looks over a day of 10-second buckets each.
        const run = startMitene(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", scenario, "--bake", "24h", "--analysis-interval", "10s", "--json"));
        try {
            await waitFor("the gate to be looking at green 5%", () => /load balancer confirms blue 95% \/ green 5%/.test(run.stderr()), 300_000);
            assert.equal((await statusOf(state)).lease.alive, true, "the run holds the lease while it bakes");
            process.kill(run.pid, "SIGTERM");
            assert.equal(await run.exit, 143, run.stderr());
        } finally {
            if (run.child.exitCode === null) process.kill(run.pid, "SIGKILL");
        }
        const result = JSON.parse(run.stdout());
        assert.equal(result.result, "failed");
        assert.match(result.regions[0].reason, /cancelled \(SIGINT\/SIGTERM\)/);
        const status = await statusOf(state);
        assert.equal(status.lease, null, "the lease is released");
        assert.deepEqual(status.pendingOperations, []);
        assert.deepEqual(invariantProblems(status), []);
    });
});
