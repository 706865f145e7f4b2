import { strict as assert } from "node:assert";
import { cli, scenarioFile, sim, statusOf, tempState } from "./harness";

const upgrade = (state: string, ...args: string[]) => cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json", ...args));

describe("the gate in an upgrade", () => {
    it("rolls back within 2 minutes of a fault that starts in the middle of a bake, and says so", async () => {
        const state = tempState();
        const fault = scenarioFile(state, { faults: [{ region: "ap-northeast-1", fromWeight: 50, afterMinutes: 6, errorRate: 0.05 }] });
        const run = await upgrade(state, "--region", "ap-northeast-1", "--scenario", fault);
        assert.equal(run.code, 1);
        const region = run.json.regions[0];
        assert.equal(region.result, "rolled_back");
        assert.equal(region.faultToRollbackMinutes, 2);
        assert.deepEqual(region.steps.map((s: any) => [s.weight, s.gate, s.checks]), [[5, "pass", 10], [25, "pass", 10], [50, "fail", 7]]);
    });

    it("judges each service on its own: a fault in a service with 5% of the requests rolls back at the first step; each step says every service's figures", async () => {
        const state = tempState();
        const fault = scenarioFile(state, { baseline: { serviceShares: { web: 0.05 } }, faults: [{ region: "ap-northeast-1", service: "web", errorRate: 0.2 }] });
        const run = await upgrade(state, "--region", "ap-northeast-1", "--scenario", fault);
        assert.equal(run.code, 1);
        const [step] = run.json.regions[0].steps;
        assert.deepEqual([step.weight, step.gate], [5, "fail"]);
        assert.match(run.json.regions[0].reason, /gate failed at green 5%: web: error rate 20\.00% > 1\.00%/);
        assert.deepEqual(Object.keys(step.services), ["api", "web"]);
        assert.equal(step.services.web.errorRate, 0.2);
        assert.ok(step.services.api.requests > 10 * step.services.web.requests);
        const healthy = await upgrade(tempState(), "--region", "us-west-2", "--bake", "1m");
        assert.deepEqual(healthy.json.regions[0].steps.map((s: any) => Object.keys(s.services)), [["api", "web"], ["api", "web"], ["api", "web"], ["api", "web"]]);
    });

    it("leaves faultToRollbackMinutes out when no scenario fault explains the rollback", async () => {
        const state = tempState();
        const run = await upgrade(state, "--region", "ap-northeast-1", "--scenario", scenarioFile(state, { baseline: { requestsPerMinute: 20 } }));
        assert.equal(run.json.regions[0].result, "rolled_back");
        assert.equal("faultToRollbackMinutes" in run.json.regions[0], false);
    });

    it("--bake 30s promotes each step once the step has enough traffic, one step record each", async () => {
        const run = await upgrade(tempState(), "--region", "us-west-2", "--bake", "30s", "--hold", "0m");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.regions[0].steps.map((s: any) => [s.weight, s.gate, s.checks]), [[5, "pass", 2], [25, "pass", 1], [50, "pass", 1], [100, "pass", 1]]);
    });

    it("a noisy healthy release completes, and the same seed gives the same run", async () => {
        const runs = [];
        for (let i = 0; i < 2; i++) {
            const state = tempState();
            runs.push(await upgrade(state, "--region", "ap-northeast-1", "--scenario", scenarioFile(state, { noise: { seed: 7 } })));
        }
        assert.equal(runs[0].json.result, "completed");
        assert.deepEqual(runs[0].json.regions[0].steps, runs[1].json.regions[0].steps);
        assert.notEqual(runs[0].json.regions[0].steps[0].measured.requests, 3000, "noise moves the counts");
    });
});

describe("--stop-at: a human approves the next step", () => {
    it("pauses every region once the new color carries the step and its gate passed; the next upgrade goes on from there", async () => {
        const state = tempState();
        const paused = await upgrade(state, "--stop-at", "25");
        assert.equal(paused.code, 0, paused.stderr);
        assert.equal(paused.json.result, "paused");
        assert.deepEqual(paused.json.regions.map((r: any) => [r.result, r.steps.map((s: any) => s.weight)]), [["paused", [5, 25]], ["paused", [5, 25]]]);
        const status = await statusOf(state);
        assert.deepEqual(status.regions.map((r: any) => [r.state, r.weights.green]), [["paused", 25], ["paused", 25]]);
        assert.match(status.regions[0].detail, /paused at green 25% after its gate passed/);
        const resumed = await upgrade(state);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.equal(resumed.json.result, "completed");
        // 25% already passed its gate: the next run does not bake it again.
        assert.deepEqual(resumed.json.regions[0].steps.map((s: any) => s.weight), [50, 100]);
    });

    it("a rollback of a paused region is honoured by the run that resumes", async () => {
        const state = tempState();
        await upgrade(state, "--stop-at", "5", "--region", "ap-northeast-1");
        const rolled = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(rolled.json.result, "rolled_back");
        const resumed = await upgrade(state, "--region", "ap-northeast-1");
        assert.equal(resumed.code, 1);
        assert.match(resumed.json.error, /ap-northeast-1 was rolled back/);
    });
});
