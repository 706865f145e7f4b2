import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { cli, sim, snapshot, tempState } from "./harness";

/** The Ops cluster's versions as status shows them (its support phase depends on the day: test/plan/ checks it). */
const opsOf = async (state: string) => {
    const { phase: _phase, datesVerified: _verified, ...versions } = (await cli(sim(state, "status", "--env", "prod", "--json"))).json.ops;
    return versions;
};

describe("ops-upgrade on the sim engine", () => {
    it("moves control plane, then core add-ons, then node groups, then checks Argo CD", async () => {
        const state = tempState();
        const run = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.result, "completed");
        assert.deepEqual(run.json.stages.map((s: any) => [s.stage, s.result]), [
            ["control plane", "done"],
            ["core add-ons", "done"],
            ["node groups", "done"],
            ["Argo CD health", "done"],
        ]);
        // 10 control plane + 3 add-ons + 15 node groups + 5 for Argo CD to settle.
        assert.equal(run.json.durationMinutes, 33);
        assert.deepEqual(await opsOf(state), { stack: "ops-prod", version: "1.35", coreAddonsVersion: "1.35", nodeGroupVersion: "1.35" });
    });

    it("keeps node groups on the old version while the control plane moves", async () => {
        const state = tempState();
        assert.equal((await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"))).code, 137);
        assert.deepEqual(await opsOf(state), { stack: "ops-prod", version: "1.35", coreAddonsVersion: "1.34", nodeGroupVersion: "1.34" });
    });

    it("takes the durations from the scenario", async () => {
        const state = tempState();
        const file = path.join(path.dirname(state), "durations.json");
        writeFileSync(file, JSON.stringify({ durations: { opsControlPlane: 20, opsAddons: 1, opsNodes: 30 }, argo: { syncMinutes: 0 } }));
        const run = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--scenario", file, "--json"));
        assert.equal(run.json.durationMinutes, 51);
    });

    for (const stage of [1, 2, 3]) {
        it(`resumes after a crash after stage ${stage} and converges`, async () => {
            const state = tempState();
            assert.equal((await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--crash-after", String(stage)))).code, 137);
            const resumed = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--recover", "--json"));
            assert.equal(resumed.code, 0, resumed.stderr);
            assert.deepEqual(resumed.json.stages.filter((s: any) => s.result === "already done").length, stage);
            assert.deepEqual(await opsOf(state), { stack: "ops-prod", version: "1.35", coreAddonsVersion: "1.35", nodeGroupVersion: "1.35" });
        });
    }

    it("reports nothing_to_do once done", async () => {
        const state = tempState();
        await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35"));
        const again = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(again.code, 0);
        assert.equal(again.json.result, "nothing_to_do");
        assert.equal(again.json.durationMinutes, 0);
    });

    it("fails when Argo CD does not come back healthy", async () => {
        const state = tempState();
        const file = path.join(path.dirname(state), "argo.json");
        writeFileSync(file, JSON.stringify({ argo: { healthy: false } }));
        const run = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--scenario", file, "--json"));
        assert.equal(run.code, 1);
        assert.match(run.json.stages[3].detail, /not healthy after 30m/);
    });

    const refusals: [string, string, RegExp][] = [
        ["more than one minor at a time", "1.36", /more than one minor ahead of the Ops cluster \(1\.34\).*next is 1\.35/],
        ["a downgrade", "1.33", /lower than the Ops control plane's 1\.34/],
        ["a malformed version", "one.thirty-five", /--to "one.thirty-five"/],
    ];
    for (const [what, to, message] of refusals) {
        it(`refuses ${what} with exit 2, changing nothing`, async () => {
            const state = tempState();
            await cli(sim(state, "status", "--env", "prod"));
            const before = snapshot(state);
            const run = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", to, "--json"));
            assert.equal(run.code, 2);
            assert.match(run.json.error, message);
            assert.deepEqual(snapshot(state), before);
        });
    }

    it("refuses the next minor while the nodes still lag behind a half-done upgrade", async () => {
        const state = tempState();
        await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"));
        const run = await cli(sim(state, "ops-upgrade", "--env", "prod", "--to", "1.36", "--recover", "--json"));
        assert.equal(run.code, 2);
        assert.match(run.json.error, /one minor ahead of the Ops cluster \(1\.34\)/);
    });
});
