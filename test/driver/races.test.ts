/**
 * An operator's rollback racing a live upgrade: two "processes" (their own ports, pids and clocks) on one
 * state, the rollback started at a random operation of the upgrade and both left to run. Whoever wins each
 * write, the rules hold: a rollback that says rolled_back is honoured (the old color serves, with its cron
 * jobs, its cluster still there, and the upgrade reports the region rolled_back), and cron never runs on two
 * clusters or on one that does not own it.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { rollback } from "../../automation/commands/rollback";
import { silentProgress } from "../../automation/record/progress";
import { RunLog } from "../../automation/record/runLog";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { createSimPorts } from "../../automation/sim/ports";
import { runUpgrade, withLease } from "../../automation/upgrade/run";
import { deployedOutputs, identity, raceCount, invariantProblems, invocation, livePids, seeded, statusOf, upgradeOptions } from "./harness";

const REGIONS = ["ap-northeast-1", "us-west-2"];
const OPERATIONS = 28;

interface Race {
    /** The upgrade operation whose start triggers the rollback. */
    at: number;
    regions: string[];
    noDestroy: boolean;
}

async function race({ at, regions, noDestroy }: Race) {
    const state = await seeded();
    const upgrader = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(501) });
    const operator = createSimPorts({ stateDir: state, env: "prod", scenario: DEFAULT_SCENARIO, identity: identity(502) });
    livePids.add(501).add(502);
    let started = 0;
    let operatorRun: ReturnType<typeof rollback> | undefined;
    const trigger = () => {
        if (++started === at) operatorRun = rollback(operator, invocation("operator"), "prod", regions, { fast: false, recover: false, jobsTimeoutMs: 7_200_000 });
    };
    const engine = upgrader.engine;
    for (const method of ["createStack", "up", "destroy", "removeStack"] as const) {
        const original = (engine[method] as (...a: unknown[]) => Promise<unknown>).bind(engine);
        (engine as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
            trigger();
            return original(...args);
        };
    }
    // The lease names the upgrader's pid, so the operator sees a live upgrade (and records rollbacks for it).
    const running = { ...invocation("upgrade"), pid: 501 };
    try {
        const upgrade = await withLease(upgrader, running, "prod", false, (leased) =>
            runUpgrade(leased, running, upgradeOptions({ destroy: !noDestroy }), REGIONS, new RunLog(leased.clock, leased.journal, "upgrade", "prod", silentProgress)),
            { regions: REGIONS, to: "1.35" },
        );
        const rolled = operatorRun ? await operatorRun : undefined;
        return { state, upgrade, rolled };
    } finally {
        livePids.delete(501);
        livePids.delete(502);
    }
}

describe("rollback racing a live upgrade (random instants, both regions)", function () {
    this.timeout(600_000);

    it("honours every rollback it reports, and cron never runs where it does not belong", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.record({ at: fc.integer({ min: 1, max: OPERATIONS }), regions: fc.subarray(REGIONS, { minLength: 1 }), noDestroy: fc.boolean() }),
                async (input) => {
                    const { state, upgrade, rolled } = await race(input);
                    const status = await statusOf(state);
                    const outputs = deployedOutputs(state);
                    assert.deepEqual(invariantProblems(status, outputs), [], JSON.stringify(input));
                    for (const result of rolled?.regions ?? []) {
                        const region = status.regions.find((r: any) => r.region === result.region);
                        const upgraded = upgrade.regions.find((r) => r.region === result.region)!;
                        if (result.result !== "rolled_back") {
                            // Refused only once the teardown began: then the upgrade finished the region.
                            assert.ok(["refused", "nothing_to_do"].includes(result.result), `${JSON.stringify(input)}: ${result.result} ${result.reason}`);
                            continue;
                        }
                        const old = "color" in result ? result.color : "blue";
                        assert.equal(region.weights[old], 100, `${JSON.stringify(input)}: ${result.region} weights ${JSON.stringify(region.weights)}`);
                        assert.ok(region.clusters.some((c: any) => c.color === old && c.deployed && c.cron), `${JSON.stringify(input)}: ${old} serves with cron`);
                        assert.equal(outputs[`stacks/mitene-prod-${result.region}-${old}.json`] && (outputs[`stacks/mitene-prod-${result.region}-${old}.json`] as any).cron, true);
                        // Unless the upgrade had finished the region before the rollback landed, it stopped it as rolled back.
                        const journal = readFileSync(path.join(state, "journal", "prod.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
                        const landed = journal.findIndex((e) => e.runId === "operator" && e.region === result.region && e.result === "rolled_back");
                        const finished = journal.findIndex((e) => e.runId === "upgrade" && e.region === result.region && e.result === "completed");
                        if (finished === -1 || finished > landed) {
                            assert.equal(upgraded.result, "rolled_back", `${JSON.stringify(input)}: the upgrade says ${upgraded.result}: ${upgraded.reason}`);
                        }
                    }
                },
            ),
            { numRuns: raceCount(12, 60), seed: Number(process.env.RACE_SEED ?? 20261127) },
        );
    });
});
