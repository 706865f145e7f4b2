/**
 * Progressive delivery at estate scale (issue 20) on the sim engine: the rollout plan (canary, waves), waves
 * gated by time and data, one region's rollback as its wave's news, no point of no return while a region is
 * rolled back, and the run's outcome when its regions end differently.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { FLEET_REGIONS, writeSyntheticEnv } from "../../fakecloud/fleet";
import { cli, scenarioFile, sim, statusOf, tempState } from "./harness";

const MINUTE_EVENTS = (run: any, region: string, pattern: RegExp) => run.json.timeline.filter((e: any) => e.region === region && pattern.test(e.event)).map((e: any) => e.atMinutes);
const firstShift = (run: any, region: string) => MINUTE_EVENTS(run, region, /^set weights/)[0];
const lastShift = (run: any, region: string) => MINUTE_EVENTS(run, region, /^set weights/).at(-1);
const lastGate = (run: any, region: string) => MINUTE_EVENTS(run, region, /^gate at/).at(-1);

/** A synthetic env's stack files (fakecloud/fleet.ts), once per shape. */
function env(name: string, regions: number, rollout?: Record<string, unknown>): { stacks: string; regions: string[]; upgrade: (...flags: string[]) => ReturnType<typeof cli>; state: string } {
    const stacks = path.join(path.dirname(tempState()), "stacks");
    const names = FLEET_REGIONS.slice(0, regions);
    writeSyntheticEnv(stacks, { env: name, regions: names, services: 2, rollout });
    const state = tempState();
    return { stacks, regions: [...names].sort(), state, upgrade: (...flags) => cli(sim(state, "upgrade", "--env", name, "--to", "1.35", "--stacks", stacks, "--json", ...flags)) };
}

describe("rollout plan: canary and waves", () => {
    it("prod's plan by default: the canary ap-northeast-1, then us-west-2; each region's wave in the result and in status, the plan printed first", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.wave]), [["ap-northeast-1", 0], ["us-west-2", 1]]);
        assert.equal(run.json.durationMinutes, 158);
        // Printed before anything happens in a region (after the preflight's own lines).
        const planAt = run.json.timeline.findIndex((e: any) => /^rollout plan: /.test(e.event));
        assert.match(run.json.timeline[planAt].event, /^rollout plan: canary ap-northeast-1, then us-west-2; wave gate 10m and 1000 requests at 100%; a rollback stops its wave$/);
        assert.ok(planAt >= 0 && planAt < run.json.timeline.findIndex((e: any) => e.region !== null), "before the regions' events");
        assert.match(run.stderr, /rollout plan: canary ap-northeast-1, then us-west-2/);
        assert.deepEqual((await statusOf(state)).regions.map((r: any) => [r.region, r.wave]), [["ap-northeast-1", 0], ["us-west-2", 1]]);
    });

    it("--canary picks the region that goes first, alone; status keeps that plan through a run that changes nothing", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--canary", "us-west-2", "--json"));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.wave]), [["us-west-2", 0], ["ap-northeast-1", 1]]);
        assert.equal(firstShift(run, "ap-northeast-1"), lastGate(run, "us-west-2"));
        const again = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--json"));
        assert.equal(again.json.result, "nothing_to_do");
        assert.deepEqual((await statusOf(state)).regions.map((r: any) => [r.region, r.wave]), [["ap-northeast-1", 1], ["us-west-2", 0]]);
    });

    it("six regions, canary and one wave of five (--max-parallel 5): as long as two regions, the five moving together", async () => {
        const six = env("six", 6);
        const run = await six.upgrade("--max-parallel", "5");
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.durationMinutes, 158);
        const [canary, ...rest] = six.regions;
        assert.deepEqual(run.json.regions.map((r: any) => r.wave), [0, 1, 1, 1, 1, 1]);
        for (const region of rest) assert.equal(firstShift(run, region), lastGate(run, canary));
        // --parallel-regions is the same plan: everything after the canary in one wave.
        const parallel = await cli(sim(tempState(), "upgrade", "--env", "six", "--to", "1.35", "--stacks", six.stacks, "--parallel-regions", "--json"));
        assert.deepEqual(parallel.json.regions.map((r: any) => r.wave), [0, 1, 1, 1, 1, 1]);
    });

    it("takes canary and waves from the env's rollout config (by list), in that order", async () => {
        const trio = env("trio", 3, { canary: ["us-west-2"], waves: [["us-east-1"], ["ap-northeast-1"]] });
        const run = await trio.upgrade();
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.wave]), [["us-west-2", 0], ["us-east-1", 1], ["ap-northeast-1", 2]]);
        assert.equal(firstShift(run, "ap-northeast-1"), lastGate(run, "us-east-1"));
        // The command line overrides the config key by key: the waves from config, the canary from --canary.
        const overridden = await cli(sim(tempState(), "upgrade", "--env", "trio", "--to", "1.35", "--stacks", trio.stacks, "--canary", "ap-northeast-1", "--json"));
        assert.deepEqual(overridden.json.regions.map((r: any) => [r.region, r.wave]), [["ap-northeast-1", 0], ["us-east-1", 1], ["us-west-2", 2]]);
    });
});

describe("waves gated by time and by data", () => {
    it("a wave starts only once the one before has served 100% for --wave-bake, its gate passing; the journal says why it waited", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--wave-bake", "30m", "--json"));
        assert.equal(run.code, 0, run.stderr);
        // The 100% step's own bake (10m) counts: 20 more minutes at 100% under the gate.
        assert.equal(run.json.durationMinutes, 158 + 20);
        assert.equal(firstShift(run, "us-west-2") - lastGate(run, "ap-northeast-1"), 20);
        const start = run.json.timeline.find((e: any) => /^wave 1 \(us-west-2\) starts/.test(e.event));
        assert.match(start.event, /ap-northeast-1 served 100% for 30m and \d{3},\d{3} requests, its gate passing/);
        assert.ok(run.json.timeline.some((e: any) => e.region === "ap-northeast-1" && /^wave bake: green stays at 100% under the gate until it has served it for 30m and 1000 requests/.test(e.event)));
    });

    it("--wave-min-requests: too little traffic at 100% holds the next wave back, never lets it start; the run is partial", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--wave-min-requests", "5000000", "--json"));
        assert.equal(run.code, 1);
        assert.equal(run.json.result, "partial");
        assert.deepEqual(run.json.regions.map((r: any) => r.result), ["completed", "skipped"]);
        assert.match(run.json.regions[1].reason, /wave 1 held back: ap-northeast-1 only \d+ requests on the new color in 30m, 5000000 needed at 100%/);
        assert.deepEqual((await statusOf(state)).regions[1].weights, { blue: 100, green: 0 });
    });

    it("enough requests, arriving slowly, make the next wave wait for them, not fail", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--wave-min-requests", "90000", "--json"));
        assert.equal(run.code, 0, run.stderr);
        // 6,000 a minute at 100%: 15 minutes for 90,000, 5 more than the bake.
        assert.equal(firstShift(run, "us-west-2") - lastGate(run, "ap-northeast-1"), 5);
    });
});

describe("one region's rollback is everyone's news", () => {
    // A canary, then a wave of two: ap-northeast-1, then us-east-1 and us-west-2 together.
    const fault = (state: string, region: string, fromWeight = 25) => scenarioFile(state, { faults: [{ region, fromWeight, errorRate: 0.08 }] }, `fault-${region}.json`);

    it("halt (the default): the others of the wave move no more traffic, within two minutes; the run is partial", async () => {
        const trio = env("trio", 3);
        const run = await trio.upgrade("--max-parallel", "2", "--scenario", fault(trio.state, "us-west-2"));
        assert.equal(run.code, 1);
        assert.equal(run.json.result, "partial");
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.result]), [["ap-northeast-1", "completed"], ["us-east-1", "halted"], ["us-west-2", "rolled_back"]]);
        assert.match(run.json.regions[1].reason, /us-west-2 rolled back in wave 1: .*--on-region-rollback halt/);
        const back = MINUTE_EVENTS(run, "us-west-2", /^rolled back:/)[0];
        assert.ok(lastShift(run, "us-east-1") <= back, "us-east-1 set no weight after us-west-2 went back");
        // The wave hears of it when the gate fails, not once the rollback's own update is done.
        const order = (region: string, pattern: RegExp) => run.json.timeline.findIndex((e: any) => e.region === region && pattern.test(e.event));
        assert.ok(order("us-east-1", /^halted: us-west-2/) < order("us-west-2", /^traffic back on blue/), "halted before us-west-2's traffic was back");
        assert.ok(MINUTE_EVENTS(run, "us-east-1", /^halted:/)[0] <= lastGate(run, "us-west-2") + 1, "within one look of the failed gate");
        const status = await statusOf(trio.state, "trio");
        assert.equal(status.regions.find((r: any) => r.region === "us-east-1").weights.green, 25, "it stays where it was");
    });

    it("rollback-wave: the others of the wave go back too", async () => {
        const trio = env("trio", 3);
        const run = await trio.upgrade("--max-parallel", "2", "--on-region-rollback", "rollback-wave", "--scenario", fault(trio.state, "us-west-2"));
        assert.equal(run.code, 1);
        assert.deepEqual(run.json.regions.map((r: any) => r.result), ["completed", "rolled_back", "rolled_back"]);
        assert.match(run.json.regions[1].reason, /--on-region-rollback rollback-wave/);
        const status = await statusOf(trio.state, "trio");
        assert.deepEqual(status.regions.filter((r: any) => r.region !== "ap-northeast-1").map((r: any) => r.weights.green), [0, 0]);
    });

    it("continue: the others of the wave carry on", async () => {
        const trio = env("trio", 3);
        const run = await trio.upgrade("--max-parallel", "2", "--on-region-rollback", "continue", "--scenario", fault(trio.state, "us-west-2"));
        assert.deepEqual(run.json.regions.map((r: any) => r.result), ["completed", "completed", "rolled_back"]);
        assert.equal(run.json.result, "partial");
    });

    it("a canary refused before it moves (another upgrade under way) lets no later wave start", async () => {
        const state = tempState();
        const first = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--stop-at", "5", "--json"));
        assert.equal(first.json.result, "paused", first.stderr);
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.36", "--json"));
        assert.equal(run.code, 1);
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.result]), [["ap-northeast-1", "failed"], ["us-west-2", "skipped"]]);
        assert.deepEqual(MINUTE_EVENTS(run, "us-west-2", /^set weights/), []);
        assert.ok(!run.json.timeline.some((e: any) => /moved its traffic in an earlier run/.test(e.event)));
    });

    it("a fault in the canary never reaches another region, whatever the policy", async () => {
        for (const policy of ["halt", "continue", "rollback-wave"]) {
            const trio = env("trio", 3);
            const run = await trio.upgrade("--max-parallel", "2", "--on-region-rollback", policy, "--scenario", fault(trio.state, "ap-northeast-1", 5));
            assert.equal(run.json.result, "rolled_back", policy);
            assert.deepEqual(run.json.regions.map((r: any) => r.result), ["rolled_back", "skipped", "skipped"], policy);
            assert.deepEqual([...MINUTE_EVENTS(run, "us-east-1", /^set weights/), ...MINUTE_EVENTS(run, "us-west-2", /^set weights/)], [], policy);
        }
    });

    it("while a region of the upgrade is rolled back, no other region destroys its old cluster; once none is, an upgrade does", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", fault(state, "us-west-2"), "--json"));
        assert.equal(run.json.result, "partial");
        assert.match(run.json.regions[0].reason, /blue kept: us-west-2 of this upgrade is rolled back/);
        assert.ok(!run.json.timeline.some((e: any) => e.region === "ap-northeast-1" && /^tear blue down/.test(e.event)));
        const canary = (await statusOf(state)).regions[0];
        assert.equal(canary.state, "kept");
        assert.deepEqual(canary.clusters.map((c: any) => c.color), ["blue", "green"]);
        // Nothing to do while us-west-2 stays rolled back; after discarding its kept cluster, the teardown goes on.
        assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--json"))).json.result, "nothing_to_do");
        assert.equal((await cli(sim(state, "discard", "--env", "prod", "--region", "us-west-2", "--yes", "--json"))).json.result, "discarded");
        const finished = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1", "--json"));
        assert.equal(finished.json.result, "completed", finished.stderr);
        assert.deepEqual((await statusOf(state)).regions[0].clusters.map((c: any) => c.color), ["green"]);
    });
});
