import { strict as assert } from "node:assert";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { rollback } from "../../automation/commands/rollback";
import { Invocation } from "../../automation/context";
import { RunLog } from "../../automation/runLog";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { createSimPorts } from "../../automation/sim/ports";
import { runUpgrade } from "../../automation/upgrade/run";
import { UPGRADE_DEFAULTS, UpgradeOptions } from "../../automation/upgrade/types";
import { cli, identity, livePids, sim, snapshot, tempState } from "./harness";

const statusOf = async (state: string) => (await cli(sim(state, "status", "--env", "prod", "--json"))).json;

const invocation = (runId: string): Invocation => ({
    runId,
    host: "test-host",
    pid: 1,
    command: "test",
    signal: new AbortController().signal,
    progress: () => undefined,
    warn: () => undefined,
});

describe("the env lease", () => {
    it("exits 3 while another live run holds it, changing nothing; --break-lease takes it", async () => {
        const state = tempState();
        // Frozen right after the first operation, before any other started: no stack is busy.
        const first = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"), { stayAlive: true });
        assert.equal(first.code, 137);
        const before = snapshot(state);
        const second = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(second.code, 3);
        assert.match(second.json.error, /locked by another run.*--break-lease/);
        assert.deepEqual(snapshot(state), before);
        const forced = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--break-lease", "--json"));
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stderr, /broke the lease of env prod held by run .*--break-lease/);
    });

    it("takes over the lease of a dead run with a warning", async () => {
        const state = tempState();
        assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"))).code, 137);
        const resumed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
        assert.equal(resumed.code, 0);
        assert.match(resumed.stderr, /warning: took over the lease of env prod from run .* no longer running/);
    });

    it("is released at the end of a run", async () => {
        const state = tempState();
        await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--region", "ap-northeast-1"));
        assert.equal((await statusOf(state)).lease, null);
    });
});

describe("rollback", () => {
    it("during an upgrade puts all traffic back at once, and the upgrade stops that region without moving traffic again", async () => {
        const state = tempState();
        await statusOf(state);
        const upgradePorts = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(101) });
        const operatorPorts = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(102) });
        livePids.add(101).add(102);
        const metrics = upgradePorts.metrics;
        let afterRollback: Record<string, string> | undefined;
        const usw2Files = () => Object.fromEntries(Object.entries(snapshot(state)).filter(([f]) => /^stacks\/.*us-west-2/.test(f)));
        upgradePorts.metrics = {
            colorMetrics: async (query) => {
                const weights = (upgradePorts.engine.deployedOutputs("region-prod-us-west-2") as any).weights;
                if (query.region === "us-west-2" && weights.green === 25 && afterRollback === undefined) {
                    const result = await rollback(operatorPorts, invocation("operator"), "prod", "us-west-2", { fast: false, recover: false });
                    assert.equal(result.result, "rolled_back");
                    afterRollback = usw2Files();
                }
                return metrics.colorMetrics(query);
            },
        };
        const options: UpgradeOptions = { env: "prod", to: "1.35", regions: null, ...UPGRADE_DEFAULTS, steps: [...UPGRADE_DEFAULTS.steps], parallelRegions: false, destroy: true, recover: false, breakLease: false, retry: false, fastRollback: false };
        const log = new RunLog(upgradePorts.clock, upgradePorts.journal, "upgrade", "prod", () => undefined);
        const result = await runUpgrade(upgradePorts, invocation("upgrade"), options, ["ap-northeast-1", "us-west-2"], log);
        livePids.delete(101);
        livePids.delete(102);

        assert.equal(result.result, "rolled_back");
        const usw2 = result.regions[1];
        assert.equal(usw2.result, "rolled_back");
        assert.match(usw2.reason!, /rolled back by an operator .*this run moved no traffic after it/);
        assert.deepEqual(usw2Files(), afterRollback, "the upgrade changed nothing in us-west-2 after the rollback");
        const region = (await statusOf(state)).regions[1];
        assert.deepEqual(region.weights, { blue: 100, green: 0 });
        assert.deepEqual(region.clusters.map((c: any) => [c.color, c.cron]), [["blue", true], ["green", false]]);
        assert.equal(result.regions[0].result, "completed");
    });

    it("works while a (frozen) upgrade holds the lease; a later upgrade keeps the region rolled back until --retry", async () => {
        const state = tempState();
        // Crash right after the canary's first weight step: it carries 5% on green.
        const crashed = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "5"), { stayAlive: true });
        assert.equal(crashed.code, 137);
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 95, green: 5 });
        const rolled = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(rolled.code, 0, rolled.stderr);
        assert.equal(rolled.json.result, "rolled_back");
        assert.deepEqual(rolled.json.weights, { blue: 100, green: 0 });
        assert.equal(rolled.json.durationMinutes, 1);

        const again = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--break-lease", "--json"));
        assert.equal(again.code, 1);
        assert.equal(again.json.regions[0].result, "rolled_back");
        assert.match(again.json.regions[0].reason, /--retry/);
        assert.equal(again.json.regions[1].result, "skipped");
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 100, green: 0 });

        const retried = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--retry", "--json"));
        assert.equal(retried.code, 0, retried.stderr);
        assert.equal(retried.json.result, "completed");
    });

    it("exits 4 when the region stack has pending operations, and --recover clears them first", async () => {
        const state = tempState();
        // The fifth operation to start is the canary's first weight step, on the region stack.
        assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-during", "5"))).code, 137);
        assert.deepEqual((await statusOf(state)).pendingOperations, ["region-prod-ap-northeast-1"]);
        const refused = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(refused.code, 4);
        const rolled = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--recover", "--json"));
        assert.equal(rolled.code, 0, rolled.stderr);
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 100, green: 0 });
    });

    it("has nothing to do once the cron cut-over gave the region to the new color, and records nothing", async () => {
        const state = tempState();
        await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--no-destroy"));
        const run = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(run.json.result, "nothing_to_do");
        assert.equal((await statusOf(state)).regions[0].upgrade, null);
    });

    it("stops an upgrade that is still bringing the new cluster up", async () => {
        const state = tempState();
        // Crash after the canary's green cluster is up, before any traffic moved.
        assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "3"))).code, 137);
        const run = await cli(sim(state, "rollback", "--env", "prod", "--region", "ap-northeast-1", "--json"));
        assert.equal(run.json.result, "rolled_back");
        assert.equal((await statusOf(state)).regions[0].upgrade.state, "rolled_back");
    });

    it("has nothing to do in a region that is not being upgraded", async () => {
        const state = tempState();
        const run = await cli(sim(state, "rollback", "--env", "prod", "--region", "us-west-2", "--json"));
        assert.equal(run.code, 0);
        assert.equal(run.json.result, "nothing_to_do");
    });
});

describe("bad input", () => {
    const seeded = async () => {
        const state = tempState();
        await statusOf(state);
        return state;
    };
    const badScenario = (state: string, text: string) => {
        const file = path.join(path.dirname(state), "bad.json");
        writeFileSync(file, text);
        return file;
    };
    const cases: [string, (state: string) => string[], RegExp][] = [
        ["an unknown command", (s) => sim(s, "frobnicate"), /unknown command/],
        ["an unknown flag", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--bogus"), /unknown option '--bogus'/],
        ["a malformed version", (s) => sim(s, "upgrade", "--env", "prod", "--to", "banana"), /--to "banana"/],
        ["a downgrade", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.33"), /1\.33 is lower than Kubernetes 1\.34/],
        ["steps not ending at 100", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--steps", "5,25,50"), /last step must be 100/],
        ["decreasing steps", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--steps", "50,25,100"), /strictly increasing/],
        ["a zero step", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--steps", "0,100"), /step 0 is not an integer in 1\.\.100/],
        ["a malformed bake time", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--bake", "ten"), /--bake "ten"/],
        ["a malformed hold time", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--hold", "5x"), /--hold "5x"/],
        ["an unknown env", (s) => sim(s, "upgrade", "--env", "nope", "--to", "1.35"), /unknown env "nope".*prod, staging/],
        ["an unknown region", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--region", "eu-west-9"), /unknown region "eu-west-9"/],
        ["a missing scenario file", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", "/nonexistent/s.json"), /cannot read scenario file \/nonexistent\/s\.json/],
        ["a scenario that is not JSON", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", badScenario(s, "{")), /not valid JSON/],
        ["a scenario with an unknown key", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", badScenario(s, '{"fautls": []}')), /fautls/],
        ["a scenario value out of range", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--scenario", badScenario(s, '{"baseline": {"errorRate": 2}}')), /baseline\.errorRate/],
        ["a non-numeric --crash-after", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "abc"), /--crash-after "abc"/],
        ["--crash-after 0", (s) => sim(s, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "0"), /--crash-after "0" is not a whole number of 1 or more/],
        ["a state that is a file", (s) => ["status", "--env", "prod", "--engine", "sim", "--state", `${s}/stacks/ops-prod.json`], /is not a directory/],
        ["an unknown engine", (s) => ["status", "--env", "prod", "--engine", "foo", "--state", s], /--engine "foo"/],
        ["a sim-only flag on the pulumi engine", (s) => ["upgrade", "--env", "prod", "--to", "1.35", "--engine", "pulumi", "--scenario", "x.json", "--state", s], /--scenario only work with --engine sim/],
        ["a rollback of an unknown region", (s) => sim(s, "rollback", "--env", "prod", "--region", "mars-1"), /unknown region "mars-1"/],
        ["rehearse on another engine", (s) => ["rehearse", "--engine", "pulumi", "--state", s], /rehearse runs on the sim engine/],
    ];

    for (const [what, args, message] of cases) {
        it(`exits 2 on ${what}, naming the value and changing nothing`, async () => {
            const state = await seeded();
            const before = snapshot(state);
            const run = await cli([...args(state), "--json"]);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr + (run.json?.error ?? ""), message);
            assert.deepEqual(snapshot(state), before);
        });
    }

    it("exits 2 with the help when no command is given, 0 when help is asked for", async () => {
        assert.equal((await cli([])).code, 2);
        const help = await cli(["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.stderr, /rehearse/);
    });

    it("leaves a missing state directory missing", async () => {
        const state = tempState();
        const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.33"));
        assert.equal(run.code, 2);
        assert.equal(existsSync(state), false);
    });

    it("prints exactly one JSON document on stdout with --json, even on error", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "banana", "--json"));
        assert.deepEqual(Object.keys(run.json), ["error", "exitCode"]);
        assert.equal(run.json.exitCode, 2);
    });
});
