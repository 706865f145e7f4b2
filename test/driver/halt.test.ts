/**
 * The stop-the-line switch on the sim engine: `halt` and `resume`, an upgrade started while halted, and a halt
 * pulled during a live run by another process (its own ports on the same state), at an operation of the run's
 * choosing: the run finishes the operation in hand, moves no more traffic, starts no region, ends `halted`;
 * rollback and discard still work; `resume` lifts it and the next upgrade goes on.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigChanges } from "../../automation/core/ports";
import { silentProgress } from "../../automation/record/progress";
import { RunLog } from "../../automation/record/runLog";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { createSimPorts } from "../../automation/sim/ports";
import { runUpgrade, withLease } from "../../automation/upgrade/run";
import { cli, identity, invocation, livePids, seeded, sim, snapshot, statusOf, upgradeOptions } from "./harness";

const halt = (state: string, ...args: string[]) => cli(sim(state, "halt", "--env", "prod", "--json", ...args));
const resume = (state: string) => cli(sim(state, "resume", "--env", "prod", "--json"));
const upgrade = (state: string, ...args: string[]) => cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json", ...args));
const stacksOf = (state: string) => Object.fromEntries(Object.entries(snapshot(state)).filter(([f]) => f.startsWith("stacks/")));

/**
 * Runs an upgrade in this test's "process" 701 while an operator's "process" 702 pulls the switch right after
 * the upgrade's update of a stack for which `when` says so.
 */
async function upgradeHaltedAfter(state: string, when: (stack: string, changes: ConfigChanges) => boolean, changes: Partial<Parameters<typeof upgradeOptions>[0]> = {}) {
    const upgrader = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(701) });
    const operator = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(702) });
    livePids.add(701).add(702);
    const up = upgrader.engine.up.bind(upgrader.engine);
    let pulled = false;
    upgrader.engine.up = async (name, config, opts) => {
        const result = await up(name, config, opts);
        if (!pulled && when(name, config ?? {})) {
            pulled = true;
            await operator.control.setHalt("prod", { by: "alice@laptop", at: "2026-12-04T10:00:00.000Z", reason: "payments errors in the EU, investigating" });
        }
        return result;
    };
    try {
        return await withLease(upgrader, invocation("upgrade"), "prod", false, (leased) =>
            runUpgrade(leased, invocation("upgrade"), upgradeOptions(changes), ["ap-northeast-1", "us-west-2"], new RunLog(leased.clock, leased.journal, "upgrade", "prod", silentProgress)),
        );
    } finally {
        livePids.delete(701);
        livePids.delete(702);
    }
}

const weightOf = (green: number) => (stack: string, changes: ConfigChanges) => stack === "region-prod-ap-northeast-1" && (changes.set?.["mitene:weights"] as { green?: number } | undefined)?.green === green;

describe("stop the line: halt and resume", () => {
    it("halt sets the switch (who, when, why), status shows it; a second halt leaves the first standing; resume lifts it", async () => {
        const state = await seeded();
        const pulled = await halt(state, "--reason", "payments errors in the EU");
        assert.equal(pulled.code, 0, pulled.stderr);
        assert.equal(pulled.json.result, "halted");
        assert.deepEqual(Object.keys(pulled.json.halt), ["by", "at", "reason"]);
        assert.match(pulled.json.halt.by, /@test-host$/);
        assert.equal(pulled.json.halt.reason, "payments errors in the EU");
        assert.deepEqual((await statusOf(state)).halt, pulled.json.halt);
        const again = await halt(state, "--reason", "me too");
        assert.equal(again.code, 0);
        assert.equal(again.json.result, "already_halted");
        assert.deepEqual(again.json.halt, pulled.json.halt);
        const lifted = await resume(state);
        assert.deepEqual([lifted.code, lifted.json.result, lifted.json.lifted], [0, "resumed", pulled.json.halt]);
        assert.equal((await statusOf(state)).halt, null);
        assert.deepEqual((await resume(state)).json.result, "nothing_to_do");
    });

    it("an upgrade started while halted changes nothing and ends halted (exit 1), saying who stopped the line and why; after resume it goes on", async () => {
        const state = await seeded();
        await halt(state, "--reason", "change freeze");
        const before = stacksOf(state);
        const run = await upgrade(state);
        assert.equal(run.code, 1);
        assert.equal(run.json.result, "halted");
        assert.deepEqual(run.json.regions.map((r: any) => r.result), ["halted", "halted"]);
        assert.match(run.json.regions[0].reason, /the line was stopped \(halted by .*@test-host at .*: change freeze\)/);
        assert.match(run.stdout, /"result": "halted"/);
        assert.deepEqual(stacksOf(state), before);
        await resume(state);
        const goes = await upgrade(state);
        assert.equal(goes.code, 0, goes.stderr);
        assert.equal(goes.json.result, "completed");
    });

    it("pulled during a run: the operation in hand finishes, no traffic moves after it, no region starts; resume, and the next upgrade goes on from there", async () => {
        const state = await seeded();
        const run = await upgradeHaltedAfter(state, weightOf(25));
        assert.equal(run.result, "halted");
        assert.deepEqual(run.regions.map((r) => r.result), ["halted", "halted"]);
        const noticed = run.timeline.find((e) => /^stop the line: halted by alice@laptop/.test(e.event))!;
        assert.ok(noticed, "the run says it saw the switch");
        assert.ok(!run.timeline.some((e) => /^set weights/.test(e.event) && e.atMinutes > noticed.atMinutes), "no weight set after the halt was seen");
        assert.ok(!run.timeline.some((e) => e.region === "us-west-2" && /^set weights/.test(e.event)), "us-west-2 never started");
        const status = await statusOf(state);
        assert.deepEqual(status.halt, { by: "alice@laptop", at: "2026-12-04T10:00:00.000Z", reason: "payments errors in the EU, investigating" });
        assert.deepEqual(status.regions.map((r: any) => r.weights.green), [25, 0]);
        // Still halted: a new run changes nothing.
        assert.equal((await upgrade(state)).json.result, "halted");
        await resume(state);
        const goes = await upgrade(state);
        assert.equal(goes.json.result, "completed", goes.stderr);
        // It went on from 25%: the steps before it are not taken again.
        assert.deepEqual(goes.json.regions[0].steps.map((s: any) => s.weight), [25, 50, 100]);
    });

    it("rollback and discard still work while the line is stopped", async () => {
        const state = await seeded();
        await upgradeHaltedAfter(state, weightOf(5));
        const rolled = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(rolled.json.result, "rolled_back", rolled.stderr);
        const discarded = await cli(sim(state, "discard", "--env", "prod", "--region", "ap-northeast-1", "--yes", "--json"));
        assert.equal(discarded.json.result, "discarded", discarded.stderr);
        assert.deepEqual((await statusOf(state)).regions[0].clusters.map((c: any) => c.color), ["blue"]);
    });

    it("pulled during the hold: the old cluster is not torn down; after resume the next upgrade tears it down", async () => {
        const state = await seeded();
        const cronMoved = (stack: string, changes: ConfigChanges) => stack === "region-prod-ap-northeast-1" && changes.set?.["mitene:cronColor"] === "green";
        const run = await upgradeHaltedAfter(state, cronMoved);
        assert.equal(run.result, "halted");
        assert.ok(!run.timeline.some((e) => /^tear blue down/.test(e.event)));
        assert.deepEqual((await statusOf(state)).regions[0].clusters.map((c: any) => c.color), ["blue", "green"]);
        await resume(state);
        const goes = await upgrade(state);
        assert.equal(goes.json.result, "completed", goes.stderr);
        assert.deepEqual((await statusOf(state)).regions.map((r: any) => r.clusters.map((c: any) => c.color)), [["green"], ["green"]]);
    });
    it("a switch file edited by hand is refused, naming it (exit 2), by status and by an upgrade alike", async () => {
        const state = await seeded();
        const file = path.join(state, "control", "prod-halt.json");
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify({ by: "me", reason: "" }));
        for (const run of [await cli(sim(state, "status", "--env", "prod", "--json")), await upgrade(state)]) {
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.json.error, /control\/prod-halt\.json is not a stop-the-line switch \(at: .*; reason: /);
        }
    });
});
