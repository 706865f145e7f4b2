import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cli, crashIndexWhere, crashIndexes, crashedState, deployedOutputs, invariantProblems, scenarioFile, sim, snapshot, statusOf, tempState } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const canary = (status: any) => status.regions[0];
const cronOn = (outputs: Record<string, any>, stack: string) => outputs[`stacks/${stack}.json`]?.cron === true;

/** Deployed outputs without the upgrade record's bookkeeping (which attempt, which revision, when). */
function settled(state: string): Record<string, unknown> {
    const outputs = deployedOutputs(state) as Record<string, any>;
    for (const value of Object.values(outputs)) {
        if (value?.upgrade) {
            const { attempt, seq, retryOf, holdUntil, reason, ...rest } = value.upgrade;
            value.upgrade = rest;
        }
    }
    return outputs;
}
const upgrade = (state: string, ...args: string[]) => cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json", ...args));
const rollback = (state: string, ...args: string[]) => cli(sim(state, "rollback", "--env", "prod", "--json", ...args));

/** What a rolled-back region must look like: old color 100%, its cluster there and running the cron jobs alone. */
function rolledBackProblems(status: any, stacks: Record<string, unknown>, region: string, old: string): string[] {
    const r = status.regions.find((x: any) => x.region === region);
    const problems: string[] = [];
    if (r.weights[old] !== 100) problems.push(`${region}: ${old} carries ${r.weights[old]}%`);
    const owner = r.clusters.find((c: any) => c.cron);
    if (owner?.color !== old) problems.push(`${region}: cron owner is ${owner?.color}`);
    if (!r.clusters.some((c: any) => c.color === old && c.deployed)) problems.push(`${region}: ${old} cluster is gone`);
    for (const c of r.clusters) {
        const enabled = (stacks[`stacks/${c.stack}.json`] as { cron?: boolean } | null)?.cron === true;
        if (enabled !== (c.color === old)) problems.push(`${region}: cron ${enabled ? "on" : "off"} on ${c.color}`);
    }
    return problems;
}

/** Rolls every region back and checks each either rolled back properly or was past its point of no return. */
async function rollBackEverywhere(state: string, label: string, extra: string[] = []): Promise<void> {
    const before = await statusOf(state);
    const run = await rollback(state, "--all", "--recover", ...extra);
    const after = await statusOf(state);
    const stacks = deployedOutputs(state);
    assert.deepEqual(invariantProblems(after, stacks), [], `${label}: invariants after rollback`);
    for (const region of REGIONS) {
        const was = before.regions.find((r: any) => r.region === region);
        const result = run.json.regions.find((r: any) => r.region === region);
        const old = was.upgrade ? (was.upgrade.newColor === "green" ? "blue" : "green") : was.clusters.find((c: any) => c.cron).color;
        const gone = !was.clusters.some((c: any) => c.color === old && c.deployed) || was.upgrade?.state === "tearing-down";
        if (gone) {
            assert.notEqual(result.result, "rolled_back", `${label}: ${region} past its point of no return cannot be rolled back`);
            continue;
        }
        assert.deepEqual(rolledBackProblems(after, stacks, region, old), [], `${label}: ${region} (${result.result}: ${result.reason})`);
    }
}

describe("rollback at every point of an upgrade (properties over every crash index)", function () {
    this.timeout(600_000);
    const reference: Record<string, Record<string, unknown>> = {};
    const operations: Record<string, number> = {};
    const variants: Record<string, string[]> = { default: [], "--no-destroy": ["--no-destroy"] };

    before(async () => {
        for (const [name, args] of Object.entries(variants)) {
            const state = tempState();
            assert.equal((await upgrade(state, ...args)).code, 0);
            reference[name] = settled(state);
            let n = 1;
            while ((await crashedState(args, n)).code === 137) n++;
            operations[name] = n - 1;
        }
    });

    for (const [name, args] of Object.entries(variants)) {
        it(`${name}: after a crash at every operation, rollback of each region, then upgrade --retry converges`, async () => {
            for (const n of crashIndexes(operations[name])) {
                const { state } = await crashedState(args, n);
                await rollBackEverywhere(state, `${name} crash ${n}`);
                const retried = await upgrade(state, ...args, "--retry", "--recover");
                assert.equal(retried.code, 0, `${name} crash ${n}: retry: ${retried.stderr}`);
                assert.deepEqual(settled(state), reference[name], `${name} crash ${n}: final state`);
            }
        });
    }

    it("a rollback interrupted after any of its own operations finishes when run again", async () => {
        // Crash points: shifting, the cut-over (cron off on blue), the hold, and an upgrade kept with --no-destroy.
        const points: [string[], number][] = [
            [[], await crashIndexWhere([], (s) => canary(s).upgrade?.state === "shifting")],
            [[], await crashIndexWhere([], (s, o) => canary(s).weights.green === 100 && !cronOn(o, canary(s).clusters[0].stack))],
            [[], await crashIndexWhere([], (s) => canary(s).upgrade?.state === "retiring")],
            [["--no-destroy"], operations["--no-destroy"]],
        ];
        for (const [args, n] of points) {
            let m = 1;
            for (; ; m++) {
                const { state } = await crashedState(args, n);
                const interrupted = await rollback(state, "--all", "--recover", "--crash-after", String(m));
                if (interrupted.code !== 137) break;
                await rollBackEverywhere(state, `upgrade crash ${n}, rollback crash ${m}`);
                const retried = await upgrade(state, ...args, "--retry", "--recover");
                assert.equal(retried.code, 0, retried.stderr);
            }
            assert.ok(m > 2, "the rollback took several operations");
        }
    });
});

describe("rollback", () => {
    it("after rehearse --no-destroy puts the old color back at 100% with its cron jobs", async () => {
        const state = tempState();
        assert.equal((await cli(["rehearse", "--no-destroy", "--state", state, "--json"])).code, 0);
        const run = await rollback(state, "--region", "ap-northeast-1");
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.result, "rolled_back");
        assert.deepEqual(run.json.weights, { blue: 100, green: 0 });
        assert.match(run.json.regions[0].actions.join("\n"), /cron jobs: moved back from green to blue/);
        assert.deepEqual(rolledBackProblems(await statusOf(state), deployedOutputs(state), "ap-northeast-1", "blue"), []);
    });

    it("an old cluster no longer registered in Argo CD: traffic back, and it says who must register it (the rollback role may not)", async () => {
        const state = tempState();
        assert.equal((await cli(["rehearse", "--no-destroy", "--state", state, "--json"])).code, 0);
        const file = path.join(state, "stacks", "mitene-prod-ap-northeast-1-blue.json");
        const blue = JSON.parse(readFileSync(file, "utf8"));
        blue.config["mitene:argocdRegistered"] = "false";
        blue.outputs.argocdRegistered = false;
        writeFileSync(file, JSON.stringify(blue));
        const run = await rollback(state, "--region", "ap-northeast-1");
        assert.equal(run.json.result, "rolled_back", run.stderr);
        assert.match(run.json.regions[0].actions.join("\n"), /blue is not registered in Argo CD .*pulumi up -s mitene-prod-ap-northeast-1-blue/);
        assert.equal(JSON.parse(readFileSync(file, "utf8")).config["mitene:argocdRegistered"], "false", "not registered by the rollback");
    });

    it("during the hold puts everything back, and the kept cluster is reported", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).upgrade?.state === "retiring"));
        assert.equal((await statusOf(state)).regions[0].state, "interrupted");
        const run = await rollback(state, "--region", "ap-northeast-1", "--recover");
        assert.equal(run.json.result, "rolled_back", run.stderr);
        assert.equal(run.json.regions[0].kept, "green");
        assert.deepEqual(rolledBackProblems(await statusOf(state), deployedOutputs(state), "ap-northeast-1", "blue"), []);
    });

    it("right after the cut-over turned cron off on blue, turns it back on there and says so", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (st, o) => canary(st).weights.green === 100 && !cronOn(o, canary(st).clusters[0].stack)));
        const stopped = await statusOf(state);
        assert.equal(stopped.regions[0].state, "interrupted");
        assert.match(stopped.regions[0].detail, /cron paused on blue/);
        const run = await rollback(state, "--region", "ap-northeast-1", "--recover");
        assert.equal(run.json.result, "rolled_back");
        assert.match(run.json.regions[0].actions.join("\n"), /cron jobs/);
        assert.deepEqual(rolledBackProblems(await statusOf(state), deployedOutputs(state), "ap-northeast-1", "blue"), []);
    });

    it("rolls back every region named with --region, and every region with --all", async () => {
        for (const args of [["--region", "ap-northeast-1", "--region", "us-west-2"], ["--all"]]) {
            // Both regions have green clusters up; the canary carries 5%.
            const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5 && s.regions[1].clusters.length === 2));
            const run = await rollback(state, ...args);
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(run.json.regions.map((r: any) => [r.region, r.result]), REGIONS.map((r) => [r, "rolled_back"]));
            const status = await statusOf(state);
            assert.deepEqual(status.regions.map((r: any) => r.state), ["rolled back", "rolled back"]);
        }
    });

    it("is bad input with neither --region nor --all, or with both", async () => {
        const state = tempState();
        assert.equal((await rollback(state)).code, 2);
        assert.equal((await rollback(state, "--all", "--region", "us-west-2")).code, 2);
    });

    it("has nothing to do in a region with a single cluster and no upgrade running", async () => {
        const run = await rollback(tempState(), "--region", "us-west-2");
        assert.equal(run.code, 0);
        assert.equal(run.json.result, "nothing_to_do");
        assert.match(run.json.reason, /no other cluster/);
    });

    it("refuses once the old cluster's teardown began: there is nothing to roll back to", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).upgrade?.state === "tearing-down"));
        const run = await rollback(state, "--region", "ap-northeast-1", "--recover");
        assert.equal(run.code, 1);
        assert.equal(run.json.regions[0].result, "refused");
        assert.match(run.json.regions[0].reason, /being torn down/);
    });

    it("with --fast-rollback whose listener write fails, the region-stack update still puts traffic back", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5));
        const denied = scenarioFile(state, { faults: [{ region: "ap-northeast-1", listenerWritesFail: true }] });
        const run = await rollback(state, "--region", "ap-northeast-1", "--fast-rollback", "--scenario", denied);
        assert.equal(run.json.result, "rolled_back", run.stderr);
        assert.match(run.json.regions[0].actions[0], /direct listener write failed \(AccessDenied.*region-stack update puts the traffic back/);
        assert.deepEqual((await statusOf(state)).regions[0].weights, { blue: 100, green: 0 });
    });

    it("with --fast-rollback sets the listener rules directly first", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5));
        const run = await rollback(state, "--region", "ap-northeast-1", "--fast-rollback");
        assert.match(run.json.regions[0].actions[0], /listener rules set to blue 100% \/ green 0% directly/);
    });

    it("a bare upgrade of an env with a rolled-back region exits 1 naming it and the ways forward, changing nothing", async () => {
        const state = tempState();
        const bad = scenarioFile(state, { faults: [{ region: "us-west-2", color: "new", fromWeight: 25, errorRate: 0.08 }] });
        const first = await upgrade(state, "--scenario", bad);
        assert.equal(first.json.regions[1].result, "rolled_back");
        const before = snapshot(state);
        const bare = await upgrade(state);
        assert.equal(bare.code, 1);
        assert.match(bare.json.error, /us-west-2 was rolled back .*--retry.*--region ap-northeast-1/);
        assert.deepEqual(snapshot(state), before);
        // Naming the others leaves it out; --retry tries it again; neither blocks the other regions.
        assert.equal((await upgrade(state, "--region", "ap-northeast-1")).json.result, "nothing_to_do");
        const retried = await upgrade(state, "--retry");
        assert.equal(retried.code, 0, retried.stderr);
        assert.equal(retried.json.regions[1].result, "completed");
    });
});

describe("discard", () => {
    const discard = (state: string, ...args: string[]) => cli(sim(state, "discard", "--env", "prod", "--json", "--yes", ...args));
    const rolledBack = async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5));
        assert.equal((await rollback(state, "--region", "ap-northeast-1")).json.result, "rolled_back");
        return state;
    };

    it("asks before it destroys, naming the cluster, and does nothing when told no (exit 1)", async () => {
        const state = await rolledBack();
        const before = snapshot(state);
        const questions: string[] = [];
        const run = await cli(sim(state, "discard", "--env", "prod", "--region", "ap-northeast-1", "--json"), { confirm: async (q) => (questions.push(q), false) });
        assert.equal(run.code, 1, run.stderr);
        assert.deepEqual(questions, ["discard destroys 1 cluster of prod: mitene-prod-ap-northeast-1-green. Destroy?"]);
        assert.match(run.json.error, /discard not confirmed: nothing was changed/);
        assert.deepEqual(snapshot(state), before);
    });

    it("destroys once told yes at the terminal", async () => {
        const state = await rolledBack();
        const run = await cli(sim(state, "discard", "--env", "prod", "--region", "ap-northeast-1", "--json"), { confirm: async () => true });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.json.result, "discarded");
    });

    for (const [what, args, message] of [
        ["without --yes and no terminal to ask on", ["--region", "ap-northeast-1"], /discard destroys clusters: give --yes to confirm/],
        ["without --region (it would mean every region)", ["--yes"], /required option '--region <region>' not specified/],
    ] as const) {
        it(`refuses ${what}: exit 2, nothing changed`, async () => {
            const state = await rolledBack();
            const before = snapshot(state);
            const run = await cli(sim(state, "discard", "--env", "prod", "--json", ...args));
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr + run.json.error, message);
            assert.deepEqual(snapshot(state), before);
        });
    }

    it("tears down the cluster a rollback kept, leaving the old color alone and the region clean", async () => {
        const state = await rolledBack();
        const run = await discard(state, "--region", "ap-northeast-1");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.regions.map((r: any) => [r.result, r.color]), [["discarded", "green"]]);
        const region = (await statusOf(state)).regions[0];
        assert.equal(region.state, "serving");
        assert.equal(region.upgrade, null);
        assert.deepEqual(region.clusters.map((c: any) => c.color), ["blue"]);
    });

    it("refuses a cluster that is not rolled back (an upgrade in progress), changing nothing", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5));
        const before = snapshot(state);
        const run = await discard(state, "--region", "ap-northeast-1");
        assert.equal(run.code, 1);
        assert.match(run.json.regions[0].reason, /not rolled back: roll it back first/);
        const after = snapshot(state);
        delete after["leases/prod.json"];
        delete before["leases/prod.json"];
        assert.deepEqual(Object.keys(after).filter((f) => f.startsWith("stacks/")).map((f) => after[f]), Object.keys(before).filter((f) => f.startsWith("stacks/")).map((f) => before[f]));
    });

    it("has nothing to do in a region with one cluster", async () => {
        const run = await discard(tempState(), "--region", "us-west-2");
        assert.equal(run.code, 0);
        assert.equal(run.json.result, "nothing_to_do");
    });

    it("finishes after being interrupted half-way", async () => {
        const { state } = await crashedState([], await crashIndexWhere([], (s) => canary(s).weights.green === 5));
        await rollback(state, "--region", "ap-northeast-1");
        assert.equal((await discard(state, "--region", "ap-northeast-1", "--crash-after", "2")).code, 137);
        assert.equal((await statusOf(state)).regions[0].state, "interrupted");
        const resumed = await discard(state, "--region", "ap-northeast-1", "--recover");
        assert.equal(resumed.json.result, "discarded", resumed.stderr);
        assert.deepEqual((await statusOf(state)).regions[0].clusters.map((c: any) => c.color), ["blue"]);
    });
});
