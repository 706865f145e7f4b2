import { strict as assert } from "node:assert";
import * as path from "node:path";
import { FLEET_REGIONS, writeSyntheticEnv } from "../../fakecloud/fleet";
import { cli, sim, tempState } from "./harness";

const statusOf = async (state: string) => (await cli(sim(state, "status", "--env", "prod", "--json"))).json;

describe("upgrade policies", () => {
    describe("in an env of three regions", () => {
        let stacks: string;
        before(() => {
            stacks = path.join(path.dirname(tempState()), "stacks");
            writeSyntheticEnv(stacks, { env: "trio", regions: FLEET_REGIONS.slice(0, 3), services: 2 });
        });
        const firstShift = (run: any, region: string) => run.json.timeline.find((e: any) => e.region === region && e.event.startsWith("set weights")).atMinutes;
        const lastGate = (run: any, region: string) => run.json.timeline.filter((e: any) => e.region === region && e.event.startsWith("gate at")).pop().atMinutes;
        const upgrade = (...flags: string[]) => cli(sim(tempState(), "upgrade", "--env", "trio", "--to", "1.35", "--stacks", stacks, "--json", ...flags));

        it("moves traffic one region at a time by default, the first region being the canary", async () => {
            const run = await upgrade();
            assert.equal(run.code, 0, run.stderr);
            // Sorted regions: ap-northeast-1 (canary), us-east-1, us-west-2.
            assert.equal(firstShift(run, "us-east-1"), lastGate(run, "ap-northeast-1"));
            assert.equal(firstShift(run, "us-west-2"), lastGate(run, "us-east-1"));
        });

        it("--parallel-regions shifts every region after the canary together", async () => {
            const run = await upgrade("--parallel-regions");
            assert.equal(run.code, 0);
            assert.equal(firstShift(run, "us-east-1"), lastGate(run, "ap-northeast-1"));
            assert.equal(firstShift(run, "us-west-2"), firstShift(run, "us-east-1"));
        });

        it("takes the canary from the order of --region", async () => {
            const run = await upgrade("--region", "us-west-2", "--region", "ap-northeast-1");
            assert.deepEqual(run.json.regions.map((r: any) => r.region), ["us-west-2", "ap-northeast-1"]);
            assert.equal(firstShift(run, "ap-northeast-1"), lastGate(run, "us-west-2"));
        });
    });

    it("--no-destroy stops after the cut-over and keeps the old cluster; a later run tears it down", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--no-destroy", "--json"));
        assert.equal(run.code, 0);
        const region = (await statusOf(state)).regions[0];
        assert.deepEqual(region.weights, { blue: 0, green: 100 });
        assert.deepEqual(region.clusters.map((c: any) => [c.color, c.cron, c.argocdRegistered]), [["blue", false, true], ["green", true, true]]);
        const kept = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--no-destroy", "--json"));
        assert.equal(kept.json.result, "nothing_to_do");
        const finished = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(finished.json.result, "completed");
        assert.deepEqual((await statusOf(state)).regions[0].clusters.map((c: any) => c.color), ["green"]);
    });

    it("--fast-rollback sets the listener rules directly before the region stack catches up", async () => {
        const state = tempState();
        const { writeFileSync } = await import("node:fs");
        const file = `${state}.scenario.json`;
        writeFileSync(file, JSON.stringify({ faults: [{ region: "ap-northeast-1", color: "new", fromWeight: 5, p99Ms: 4000 }] }));
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", file, "--fast-rollback", "--json"));
        assert.equal(run.code, 1);
        assert.ok(run.json.timeline.some((e: any) => /listener rules set to blue 100% \/ green 0% directly/.test(e.event)));
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 100, green: 0 });
    });

    it("uses the given steps and bake time", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--region", "us-west-2", "--steps", "10,100", "--bake", "5m", "--hold", "0m", "--json"));
        assert.deepEqual(run.json.regions[0].steps.map((s: any) => s.weight), [10, 100]);
        // 18 up + 5 Argo + 2 x (1 + 5) + cut-over 5 + hold 0 + teardown 13
        assert.equal(run.json.durationMinutes, 53);
    });

    it("upgrades staging, the other committed env", async () => {
        const run = await cli(["rehearse", "--env", "staging", "--state", tempState(), "--json"]);
        assert.equal(run.code, 0);
        assert.deepEqual(run.json.regions.map((r: any) => r.region), ["ap-northeast-1"]);
    });

    it("rehearse targets one minor above the committed clusters and is idempotent", async () => {
        const state = tempState();
        const first = await cli(["rehearse", "--state", state, "--json"]);
        assert.equal(first.json.to, "1.35");
        assert.equal(first.json.result, "completed");
        const second = await cli(["rehearse", "--state", state, "--json"]);
        assert.equal(second.json.to, "1.35");
        assert.equal(second.json.result, "nothing_to_do");
    });
});
