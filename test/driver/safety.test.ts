import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { silentProgress } from "../../automation/record/progress";
import { RunLog } from "../../automation/record/runLog";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { createSimPorts } from "../../automation/sim/ports";
import { runUpgrade, withLease } from "../../automation/upgrade/run";
import { cli, crashIndexWhere, crashedState, identity, invocation, livePids, reusedPids, seeded, sim, snapshot, statusOf, tempState, upgradeOptions } from "./harness";

const upgrade = (state: string, ...args: string[]) => cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json", ...args));
const stacksOf = (state: string) => Object.fromEntries(Object.entries(snapshot(state)).filter(([f]) => f.startsWith("stacks/")));

describe("the env lease", () => {
    it("exits 3 while another live run holds it, changing nothing; --break-lease takes it", async () => {
        const state = tempState();
        // Frozen right after the first operation, before any other started: no stack is busy.
        const first = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"), { stayAlive: true });
        assert.equal(first.code, 137);
        const before = snapshot(state);
        const second = await upgrade(state);
        assert.equal(second.code, 3);
        assert.match(second.json.error, /locked by another run.*--break-lease/);
        assert.deepEqual(snapshot(state), before);
        const forced = await upgrade(state, "--break-lease");
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stderr, /broke the lease of env prod held by run .*--break-lease/);
    });

    it("takes over the lease of a dead run with a warning", async () => {
        const { state } = await crashedState([], 1);
        const resumed = await upgrade(state);
        assert.equal(resumed.code, 0);
        assert.match(resumed.stderr, /warning: took over the lease of env prod from run .*no longer running/);
    });

    it("counts a holder whose pid another process took since as dead", async () => {
        const state = tempState();
        const pid = 777_001;
        assert.equal((await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--crash-after", "1"), { pid, stayAlive: true })).code, 137);
        assert.equal((await statusOf(state)).lease.alive, true);
        reusedPids.set(pid, Date.now() + 60_000);
        try {
            assert.equal((await statusOf(state)).lease.alive, false);
            const resumed = await upgrade(state, "--recover");
            assert.equal(resumed.code, 0, resumed.stderr);
            assert.match(resumed.stderr, /took over the lease/);
        } finally {
            reusedPids.delete(pid);
            livePids.delete(pid);
        }
    });

    it("is released at the end of a run", async () => {
        const state = tempState();
        await upgrade(state, "--region", "ap-northeast-1");
        assert.equal((await statusOf(state)).lease, null);
    });

    it("a run that loses its lease stops before its next change (fencing)", async () => {
        const state = await seeded();
        const ports = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(4242) });
        livePids.add(4242);
        let operations = 0;
        const up = ports.engine.up.bind(ports.engine);
        ports.engine.up = async (...args) => {
            const result = await up(...args);
            // After the third deployment another run breaks the lease (--break-lease from another machine).
            if (++operations === 3) ports.store.writeJson("leases/prod.json", { env: "prod", holder: { runId: "other", command: "x", host: "elsewhere", pid: 1, startedAt: new Date().toISOString() }, expiresAt: "9999-12-31T23:59:59.000Z" });
            return result;
        };
        const result = await withLease(ports, invocation("fenced"), "prod", false, (leased) =>
            runUpgrade(leased, invocation("fenced"), upgradeOptions(), ["ap-northeast-1", "us-west-2"], new RunLog(leased.clock, leased.journal, "fenced", "prod", silentProgress)),
        );
        livePids.delete(4242);
        assert.equal(result.result, "failed");
        assert.ok(result.regions.every((r) => /lost the lease of env prod \(now held by run other/.test(r.reason ?? "")), JSON.stringify(result.regions));
        assert.equal(operations, 3, "no deployment after the lease was lost");
    });

    it("a lease file that is not a lease is named; --break-lease replaces it", async () => {
        const state = await seeded();
        mkdirSync(path.join(state, "leases"), { recursive: true });
        writeFileSync(path.join(state, "leases", "prod.json"), "{ torn");
        const refused = await upgrade(state);
        assert.equal(refused.code, 2);
        assert.match(refused.json.error, /state file .*leases\/prod\.json is damaged/);
        const forced = await upgrade(state, "--break-lease");
        assert.equal(forced.code, 0, forced.stderr);
    });
});

describe("a damaged state", () => {
    it("a region stack gone while its clusters remain: the run refuses, naming the file, and changes nothing", async () => {
        const state = await seeded();
        rmSync(path.join(state, "stacks", "region-prod-us-west-2.json"));
        const before = stacksOf(state);
        const run = await upgrade(state);
        assert.equal(run.code, 1);
        assert.match(run.json.error, /does not add up.*cluster stack mitene-prod-us-west-2-blue exists but its region stack region-prod-us-west-2 does not.*stacks\/region-prod-us-west-2\.json/s);
        assert.deepEqual(stacksOf(state), before);
    });

    it("a green stack gone while it carries traffic: refused, not recreated and gated without Argo CD", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => s.regions[0].weights.green === 50));
        rmSync(path.join(state, "stacks", "mitene-prod-ap-northeast-1-green.json"));
        const run = await upgrade(state, "--recover");
        assert.equal(run.code, 1);
        assert.match(run.json.error, /green carries 50% but has no deployed cluster.*mitene-prod-ap-northeast-1-green\.json/s);
    });

    it("a stack file that is not JSON is bad input naming it", async () => {
        const state = await seeded();
        writeFileSync(path.join(state, "stacks", "region-prod-us-west-2.json"), "{");
        const run = await upgrade(state);
        assert.equal(run.code, 2);
        assert.match(run.json.error, /state file .*stacks\/region-prod-us-west-2\.json is damaged/);
    });

    it("an operation marker that cannot be read is an interrupted operation: exit 4, then --recover", async () => {
        const state = await seeded();
        mkdirSync(path.join(state, "operations"), { recursive: true });
        writeFileSync(path.join(state, "operations", "region-prod-us-west-2.json"), "garbage");
        assert.deepEqual((await statusOf(state)).pendingOperations, ["region-prod-us-west-2"]);
        assert.equal((await upgrade(state)).code, 4);
        const recovered = await upgrade(state, "--recover");
        assert.equal(recovered.code, 0, recovered.stderr);
    });

    it("a stray seeding marker: status shows the state as it is and writes nothing; a run refuses, naming the marker", async () => {
        const { state } = await crashedState([], 6);
        writeFileSync(path.join(state, "seeding-prod"), "{}");
        const before = snapshot(state);
        const status = await statusOf(state);
        assert.deepEqual(snapshot(state), before);
        assert.notDeepEqual(status.regions[0].weights, { blue: 100, green: 0 }, "the real state, not a re-seeded one");
        const run = await upgrade(state, "--recover");
        assert.equal(run.code, 1);
        assert.match(run.json.error, /seeding-prod says env prod is being seeded, but its stacks .* were changed since/);
        assert.deepEqual(snapshot(state), before);
    });
});

describe("status", () => {
    it("never writes: an empty state stays empty, and the committed stack files are shown", async () => {
        const state = tempState();
        const run = await cli(sim(state, "status", "--env", "prod", "--json"));
        assert.equal(run.code, 0);
        assert.equal(existsSync(state), false);
        assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.state, r.weights]), [["ap-northeast-1", "serving", { blue: 100, green: 0 }], ["us-west-2", "serving", { blue: 100, green: 0 }]]);
        assert.match(run.stderr, /holds no state for env prod yet/);
    });

    it("names the journal file, one cron field per cluster, and a dead lease holder as dead", async () => {
        const { state } = await crashedState([], 6);
        const status = await statusOf(state);
        assert.match(status.journal, /journal\/prod\.jsonl$/);
        assert.deepEqual(Object.keys(status.regions[0].clusters[0]).sort(), ["argocdRegistered", "color", "cron", "datesVerified", "deployed", "phase", "stack", "version"]);
        assert.equal(status.lease.alive, false);
        assert.equal(status.regions[0].state, "interrupted");
        const text = await cli(sim(state, "status", "--env", "prod"));
        assert.match(text.stdout, /that run is gone/);
    });
});

describe("cancellation", () => {
    it("a signal before the run changes nothing and exits 143 for SIGTERM, 130 for SIGINT", async () => {
        for (const [name, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
            const state = await seeded();
            const before = stacksOf(state);
            const controller = new AbortController();
            controller.abort(new Error(`cancelled by ${name}`));
            const run = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"), { signal: controller.signal });
            assert.equal(run.code, code);
            assert.deepEqual(stacksOf(state), before);
            assert.equal((await statusOf(state)).lease, null, "the lease is released");
        }
    });
});
