import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { cli, crashIndexes, crashedState, deployedOutputs, invariantProblems, sim, snapshot, statusOf, tempState } from "./harness";

const scenario = (state: string, content: unknown) => {
    const file = path.join(path.dirname(state), "scenario.json");
    writeFileSync(file, JSON.stringify(content));
    return file;
};


describe("upgrade on the sim engine", () => {
    it("upgrades every region of prod blue/green, then reports nothing_to_do", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.result, "completed");
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.from, r.to, r.result]), [
            ["ap-northeast-1", "blue", "green", "completed"],
            ["us-west-2", "blue", "green", "completed"],
        ]);
        // Every step baked 10 minutes under 10 looks and says what it measured (default traffic 6,000 a minute, 0.1% errors).
        assert.deepEqual(run.json.regions[0].steps.map((s: any) => [s.weight, s.gate, s.checks, s.measured.requests, s.measured.errorRate, s.measured.p99Ms, s.measured.unhealthyHosts]), [
            [5, "pass", 10, 3000, 0.001, 180, 0],
            [25, "pass", 10, 15000, 0.001, 180, 0],
            [50, "pass", 10, 30000, 0.001, 180, 0],
            [100, "pass", 10, 60000, 0.001, 180, 0],
        ]);
        const status = await statusOf(state);
        for (const region of status.regions) {
            assert.deepEqual(region.weights, { blue: 0, green: 100 });
            assert.deepEqual(region.clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
        }
        const again = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(again.code, 0);
        assert.equal(again.json.result, "nothing_to_do");
    });

    it("reports the virtual duration of the whole runbook", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        // 18 up + 5 Argo + 2 regions x 4 x (1 + 10) steps + cron off and jobs 4 + hold 30 (cron on inside it) + teardown 13.
        assert.equal(run.json.durationMinutes, 158);
    });

    it("rolls a region back when its gate fails, with the metric, value and threshold; the run whose regions ended differently is partial", async () => {
        const state = tempState();
        const file = scenario(state, { faults: [{ region: "us-west-2", color: "new", fromWeight: 25, errorRate: 0.08 }] });
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", file, "--json"));
        assert.equal(run.code, 1);
        assert.equal(run.json.result, "partial");
        assert.equal(run.json.regions[0].result, "completed");
        const usw2 = run.json.regions[1];
        assert.equal(usw2.result, "rolled_back");
        assert.deepEqual(usw2.steps.map((s: any) => [s.weight, s.gate]), [[5, "pass"], [25, "fail"]]);
        assert.match(usw2.reason, /gate failed at green 25%: error rate 8\.00% > 1\.00%/);
        const region = (await statusOf(state)).regions[1];
        assert.deepEqual(region.weights, { blue: 100, green: 0 });
        assert.deepEqual(region.clusters.map((c: any) => [c.color, c.cron]), [["blue", true], ["green", false]]);
        assert.equal(region.upgrade.state, "rolled_back");
    });

    it("stops a region before any traffic moves when Argo CD never reports it healthy", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--scenario", scenario(state, { argo: { healthy: false } }), "--json"));
        assert.equal(run.code, 1);
        assert.equal(run.json.regions[0].result, "failed");
        assert.match(run.json.regions[0].reason, /not Synced and Healthy after 30m.*no traffic was moved/);
        assert.deepEqual(run.json.regions[0].steps, []);
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 100, green: 0 });
    });

    it("never promotes on too little traffic: inconclusive until the timeout, then back", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", scenario(state, { baseline: { requestsPerMinute: 20 } }), "--json"));
        assert.equal(run.code, 1);
        const canary = run.json.regions[0];
        assert.ok(canary.steps.every((s: any) => s.gate === "inconclusive" && s.weight === 5));
        assert.match(canary.reason, /inconclusive for 30m at green 5%/);
        assert.equal(run.json.regions[1].result, "skipped");
        assert.deepEqual((await statusOf(state)).regions.map((r: any) => r.weights.green), [0, 0]);
    });

    it("fails closed when metrics cannot be read", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", scenario(state, { faults: [{ region: "ap-northeast-1", metricsUnavailable: true }] }), "--json"));
        assert.equal(run.code, 1);
        // Argo Rollouts' rule: four failed queries in a row fail the step closed (the fifth minute is never reached).
        assert.deepEqual(run.json.regions[0].steps, [
            { weight: 5, gate: "fail", checks: 4, measured: null, services: null, findings: ["metrics unavailable on 4 consecutive looks, failing closed: sim scenario: metrics of ap-northeast-1 are unavailable"] },
        ]);
    });
});

describe("interruptions", () => {
    let reference: { status: any; stacks: Record<string, unknown> };
    let operations = 0;

    before(async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 0);
        reference = { status: await statusOf(state), stacks: deployedOutputs(state) };
        // Count the operations: crash after a number beyond them and the run simply completes.
        for (let n = 1; (await crashedState([], n)).code === 137; n++) operations = n;
    });

    it("performs the same operations in the same order every time (a crash index names one state)", async () => {
        const stacksAfter = async () => {
            const state = tempState();
            await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "13"));
            return Object.fromEntries(Object.entries(snapshot(state)).filter(([file]) => file.startsWith("stacks/")));
        };
        assert.deepEqual(await stacksAfter(), await stacksAfter());
    });

    it("counts the state-changing operations of a whole upgrade", () => {
        // Per region: create, up, 4 weight steps, cron off, cron owner and record, cron on, teardown record,
        // deregister, destroy, remove, record removed.
        assert.equal(operations, 28);
    });

    it("converges after a crash at every operation index, the invariants holding at each stop", async () => {
        for (const n of crashIndexes(operations)) {
            const { state } = await crashedState([], n);
            const between = await statusOf(state);
            assert.deepEqual(invariantProblems(between, deployedOutputs(state)), [], `after crash ${n}`);
            const resumed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--recover", "--json"));
            assert.equal(resumed.code, 0, `resume after crash ${n}: ${resumed.stderr}`);
            assert.deepEqual(deployedOutputs(state), reference.stacks, `state after crash ${n}`);
            const final = await statusOf(state);
            assert.deepEqual(final.regions, reference.status.regions);
            assert.equal(final.lease, null);
        }
    });

    it("exits 4 after a kill in the middle of every operation, and converges with --recover", async () => {
        for (const n of crashIndexes(operations)) {
            const state = tempState();
            assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-during", String(n)))).code, 137, `kill during ${n}`);
            // Operations overlap in virtual time: a kill can leave more than one in flight.
            assert.ok((await statusOf(state)).pendingOperations.length >= 1, `marker after kill during ${n}`);
            const refused = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
            assert.equal(refused.code, 4, `refused after kill during ${n}`);
            const resumed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--recover", "--json"));
            assert.equal(resumed.code, 0, `resume after kill during ${n}: ${resumed.stderr}`);
            assert.deepEqual(deployedOutputs(state), reference.stacks, `state after kill during ${n}`);
        }
    });

    it("exits 4 on pending operations left in the middle of one, and --recover resolves them", async () => {
        const state = tempState();
        const crashed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-during", "2"));
        assert.equal(crashed.code, 137);
        const status = await statusOf(state);
        // The second operation to start is the canary green cluster's deployment (its creation was the first).
        assert.deepEqual(status.pendingOperations, ["mitene-prod-ap-northeast-1-green"]);
        const before = snapshot(state);
        const refused = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(refused.code, 4);
        assert.match(refused.json.error, /pending operations.*--recover/);
        assert.deepEqual(snapshot(state), before);
        const resumed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--recover", "--json"));
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, /took over the lease/);
    });
});
