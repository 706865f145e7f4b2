/**
 * A rollback that meets the end of an upgrade: fired right after each state-changing operation from the last
 * one before the point of no return (the record becomes `tearing-down`) to the run's last, and left to run
 * interleaved with the rest. Past that point it must answer `refused` or `nothing_to_do` and change nothing:
 * every stack ends exactly as the same upgrade leaves it unraced, the listener rules forward what the region
 * stack says, and the next upgrade of the region is not refused. Also the other writer of "Writers that meet":
 * a rollback computed on another machine from a stale read, which only the region program can refuse.
 */
import { strict as assert } from "node:assert";
import { cpSync } from "node:fs";
import { ALL_ON } from "../../components/weights";
import { rollback } from "../../automation/commands/rollback";
import { DriverPorts } from "../../automation/core/context";
import { silentProgress } from "../../automation/record/progress";
import { RunLog } from "../../automation/record/runLog";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { SimPorts, createSimPorts } from "../../automation/sim/ports";
import { RegionChangedError, loadBalancerWeights, readRegion, writeRegion } from "../../automation/upgrade/regionState";
import { runUpgrade, withLease } from "../../automation/upgrade/run";
import { nextRecord } from "../../stacks/upgradeRecord";
import { cli, deployedOutputs, identity, invariantProblems, invocation, livePids, seeded, sim, snapshot, statusOf, tempState, upgradeOptions } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const CANARY = "ap-northeast-1";
const MUTATIONS = ["createStack", "up", "destroy", "removeStack"] as const;

/** What an operation was, to find the point of no return in the unraced run. */
interface Operation {
    method: (typeof MUTATIONS)[number];
    stack: string;
    upgradeState?: string;
}

/** Calls `after(operation, index)` once each of the engine's state-changing operations has completed, and waits for it. */
function observeOperations(ports: SimPorts, after: (operation: Operation, index: number) => Promise<unknown> | void): void {
    let done = 0;
    for (const method of MUTATIONS) {
        const original = (ports.engine[method] as (...a: unknown[]) => Promise<unknown>).bind(ports.engine);
        (ports.engine as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
            const result = await original(...args);
            const set = (args[1] as { set?: Record<string, { state?: string } | undefined> } | undefined)?.set;
            await after({ method, stack: args[0] as string, upgradeState: method === "up" ? set?.["mitene:upgrade"]?.state : undefined }, ++done);
            return result;
        };
    }
}

/** The upgrade as process 511 runs it: its lease names that pid, alive while the test says so. */
const UPGRADER = { ...invocation("upgrade"), pid: 511 };
const upgradeUnder = (ports: DriverPorts) =>
    withLease(ports, UPGRADER, "prod", false, (leased) => runUpgrade(leased, UPGRADER, upgradeOptions(), REGIONS, new RunLog(leased.clock, leased.journal, "upgrade", "prod", silentProgress)), { regions: REGIONS, to: "1.35" });

/** Everything a run leaves in the stacks and the load balancer (the journal and the clock are the runs' own). */
const deployed = (state: string) => Object.fromEntries(Object.entries(snapshot(state)).filter(([file]) => file.startsWith("stacks/")));

describe("a rollback racing the end of a teardown (every operation from the point of no return on)", function () {
    this.timeout(1_200_000);
    let seed: string;
    let reference: { stacks: Record<string, string>; operations: Operation[] };
    /** Index of the operation after which the rollback fires: from just before the point of no return to the last. */
    let instants: number[];

    before(async () => {
        seed = await seeded();
        const state = tempState();
        cpSync(seed, state, { recursive: true });
        const ports = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(511) });
        const operations: Operation[] = [];
        observeOperations(ports, (operation) => void operations.push(operation));
        livePids.add(511);
        try {
            assert.equal((await upgradeUnder(ports)).result, "completed");
        } finally {
            livePids.delete(511);
        }
        reference = { stacks: deployed(state), operations };
        const pointOfNoReturn = operations.findIndex((o) => o.stack === `region-prod-${CANARY}` && o.upgradeState === "tearing-down") + 1;
        assert.ok(pointOfNoReturn > 0, "the unraced run writes tearing-down");
        const all = Array.from({ length: operations.length - pointOfNoReturn + 2 }, (_, i) => pointOfNoReturn - 1 + i);
        // npm test: the instant before, the (just after "deregister blue from Argo CD"), the record's
        // removal and the last; test:properties: every one.
        const deregistered = operations.findIndex((o, i) => i >= pointOfNoReturn && o.stack === `mitene-prod-${CANARY}-blue`) + 1;
        const removed = operations.findIndex((o, i) => i >= pointOfNoReturn && o.stack === `region-prod-${CANARY}`) + 1;
        instants = process.env.MITENE_PROPERTIES === "all" ? all : [pointOfNoReturn - 1, deregistered, removed, operations.length];
    });

    /**
     * The rollback starts once operation `index` completed; `paused`: the upgrade waits for it to finish (it
     * meets exactly that instant), else both go on together, interleaved.
     */
    async function raceAfter(index: number, fast: boolean, paused: boolean) {
        const state = tempState();
        cpSync(seed, state, { recursive: true });
        const upgrader = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(511) });
        const operator = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(512) });
        let operatorRun: ReturnType<typeof rollback> | undefined;
        observeOperations(upgrader, (_, done) => {
            if (done !== index) return;
            operatorRun = rollback(operator, invocation("operator"), "prod", [CANARY], { fast, recover: false, jobsTimeoutMs: 7_200_000 });
            return paused ? operatorRun : undefined;
        });
        livePids.add(511).add(512);
        try {
            const upgrade = await upgradeUnder(upgrader);
            const rolled = await operatorRun!;
            return { state, upgrade, rolled: rolled.regions[0], operator };
        } finally {
            livePids.delete(511);
            livePids.delete(512);
        }
    }

    for (const [fast, paused] of [[false, true], [false, false], [true, true], [true, false]]) {
        it(`${fast ? "--fast-rollback" : "the stack path"}, ${paused ? "at that instant" : "interleaved"}: refused or nothing to do past the point of no return, and nothing changed`, async () => {
            for (const index of fast && process.env.MITENE_PROPERTIES !== "all" ? instants.slice(0, 2) : instants) {
                const label = `fired after operation ${index} of ${reference.operations.length} (${JSON.stringify(reference.operations[index - 1])})`;
                const { state, upgrade, rolled, operator } = await raceAfter(index, fast, paused);
                const status = await statusOf(state);
                assert.deepEqual(invariantProblems(status, deployedOutputs(state)), [], label);
                if (rolled.result === "rolled_back") {
                    // Only possible when the rollback read the region before the record said tearing-down.
                    assert.equal(index, instants[0], `${label}: rolled back past the point of no return`);
                    assert.deepEqual(status.regions[0].weights, { blue: 100, green: 0 }, label);
                    assert.equal(upgrade.regions[0].result, "rolled_back", label);
                    continue;
                }
                assert.ok(["refused", "nothing_to_do"].includes(rolled.result), `${label}: ${rolled.result}: ${"reason" in rolled ? rolled.reason : ""}`);
                assert.equal(upgrade.result, "completed", `${label}: ${JSON.stringify(upgrade.regions)}`);
                assert.deepEqual(deployed(state), reference.stacks, `${label}: the stacks differ from the unraced run's`);
                const region = await readRegion({ ports: operator, env: "prod", region: CANARY });
                assert.deepEqual(await loadBalancerWeights({ ports: operator, region: CANARY }, region.outputs), { blue: 0, green: 100 }, `${label}: the listener rules`);
                const again = await cli(sim(state, "upgrade", "--env", "prod", "--to", "1.35", "--json"));
                assert.equal(again.code, 0, `${label}: the next upgrade: ${again.stdout}`);
                assert.equal(again.json.result, "nothing_to_do", label);
            }
        });
    }

    it("a rollback computed on another machine before the upgrade, landing after it finished, is refused by the region program", async () => {
        const state = tempState();
        cpSync(seed, state, { recursive: true });
        const laptop = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(513) });
        // Another machine: its own stack files, so no check against the state it read; only the program's.
        const up = laptop.engine.up.bind(laptop.engine);
        laptop.engine.up = (name, changes, opts = {}) => up(name, changes, { ...opts, precondition: undefined });
        const ctx = { ports: laptop, env: "prod", region: CANARY, signal: new AbortController().signal };
        const stale = await readRegion(ctx);
        const upgrader = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(511) });
        livePids.add(511);
        try {
            assert.equal((await upgradeUnder(upgrader)).result, "completed");
        } finally {
            livePids.delete(511);
        }
        const before = deployed(state);
        const record = nextRecord(null, { newColor: "green", attempt: "upgrade", state: "rolled_back", reason: "from a laptop" });
        await assert.rejects(writeRegion(ctx, stale, { weights: ALL_ON("blue"), record }), (e: Error) => e instanceof RegionChangedError && /starts from blue serving all traffic with the cron jobs, but green owns them.*upgraded after this configuration was computed/.test(e.message));
        assert.deepEqual(deployed(state), before);
        assert.equal((await statusOf(state)).regions[0].state, "serving");
    });
});
