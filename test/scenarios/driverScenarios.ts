/**
 * The driver's scenarios, written once and run on any engine (test/driver/scenarios.test.ts on the sim,
 * test/local/scenarios.test.ts on the local engine): the engine is a parameter, the scenarios are the same.
 * Each is a sequence of commands on a fresh state; given a reference engine, the same sequence is run there
 * too and both must end in the same `status --json`.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CliRun, cli, invariantProblems } from "../driver/harness";

export interface EngineUnderTest {
    name: "sim" | "local";
    /** The engine's flags for a state directory. */
    flags(state: string): string[];
    /** Bound of one scenario (the local engine runs real Pulumi operations). */
    timeoutMs: number;
    /**
     * In the crash scenario, how many operations each run completes before it is killed: 1 interrupts the
     * runbook at every operation boundary (sim); 3 (the local engine, where each costs a real `pulumi up`) at
     * every third one, which still falls in each phase (bring-up, traffic steps, cron cut-over, teardown).
     */
    crashStride: number;
    /** Fills a fresh state with the env seeded, when the engine has a cheaper way than seeding it (default: the first command seeds). */
    prepare?(state: string, env: string): Promise<void>;
}

export interface Run {
    state: string;
    /** Runs a command on this state with this engine (`--json` added). */
    cli(...args: string[]): Promise<CliRun>;
    /** A scenario file next to the state. */
    scenario(content: unknown): string;
    status(env: string): Promise<any>;
    /** The env's journal entries so far (both engines keep it under the state). */
    journal(env: string): any[];
}

function newRun(engine: EngineUnderTest): Run & { dispose(): void } {
    const root = mkdtempSync(path.join(tmpdir(), `mitene-${engine.name}-`));
    const state = path.join(root, "state");
    let files = 0;
    const run = async (...args: string[]) => cli([...args, ...engine.flags(state), "--json"]);
    return {
        state,
        cli: run,
        scenario(content) {
            const file = path.join(root, `scenario-${++files}.json`);
            writeFileSync(file, JSON.stringify(content));
            return file;
        },
        async status(env) {
            const result = await run("status", "--env", env);
            assert.equal(result.code, 0, result.stderr);
            return result.json;
        },
        journal(env) {
            const file = path.join(state, "journal", `${env}.jsonl`);
            return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [];
        },
        // Removing the state also stops its AWS emulator (it watches the directory).
        dispose: () => rmSync(root, { recursive: true, force: true }),
    };
}

/** What must be the same on every engine: all of `status --json` but where the journal lives. */
const comparable = (status: any) => ({ ...status, journal: undefined });

export interface DriverScenario {
    /** Short name, to pick scenarios. */
    id: string;
    title: string;
    env: string;
    /** Runs the commands and checks what each engine must show; the final status is then compared. */
    play(run: Run, engine: EngineUnderTest): Promise<void>;
}

export const SCENARIOS: DriverScenario[] = [
    {
        id: "healthy",
        title: "a healthy multi-region upgrade completes region by region, then there is nothing to do",
        env: "prod",
        async play(run) {
            const upgrade = await run.cli("upgrade", "--env", "prod", "--to", "1.35");
            assert.equal(upgrade.code, 0, upgrade.stderr);
            assert.equal(upgrade.json.result, "completed");
            assert.deepEqual(upgrade.json.regions.map((r: any) => [r.region, r.from, r.to, r.result]), [
                ["ap-northeast-1", "blue", "green", "completed"],
                ["us-west-2", "blue", "green", "completed"],
            ]);
            for (const region of upgrade.json.regions) assert.deepEqual(region.steps.map((s: any) => [s.weight, s.gate]), [[5, "pass"], [25, "pass"], [50, "pass"], [100, "pass"]]);
            assert.equal(upgrade.json.durationMinutes, 158);
            const status = await run.status("prod");
            for (const region of status.regions) {
                assert.deepEqual(region.weights, { blue: 0, green: 100 });
                assert.deepEqual(region.clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
            }
            const again = await run.cli("upgrade", "--env", "prod", "--to", "1.35");
            assert.equal(again.code, 0, again.stderr);
            assert.equal(again.json.result, "nothing_to_do");
            // The plan reads the deployed stacks: the new clusters at 1.35, the Ops cluster (not upgraded here) behind.
            const plan = await run.cli("plan", "--env", "prod", "--to", "1.35", "--at", "2026-12-05");
            assert.equal(plan.json.snapshot, "engine", plan.stderr);
            assert.deepEqual(plan.json.calendar.map((r: any) => [r.cluster, r.version]), [["ops-prod", "1.34"], ["mitene-prod-ap-northeast-1-green", "1.35"], ["mitene-prod-us-west-2-green", "1.35"]]);
            assert.deepEqual(plan.json.steps.filter((s: any) => s.env === "prod").map((s: any) => [s.action, s.to]), [["ops-upgrade", "1.35"]]);
        },
    },
    {
        id: "failures",
        title: "a failing gate puts the traffic back and names metric, value and threshold; a retry whose cluster Argo CD never reports healthy moves no traffic",
        env: "staging",
        async play(run) {
            const faults = run.scenario({ faults: [{ region: "ap-northeast-1", color: "new", fromWeight: 25, errorRate: 0.08 }] });
            const upgrade = await run.cli("upgrade", "--env", "staging", "--to", "1.35", "--scenario", faults);
            assert.equal(upgrade.code, 1, upgrade.stderr);
            const [region] = upgrade.json.regions;
            assert.equal(region.result, "rolled_back");
            assert.deepEqual(region.steps.map((s: any) => [s.weight, s.gate]), [[5, "pass"], [25, "fail"]]);
            assert.match(region.reason, /gate failed at green 25%: error rate 8\.00% > 1\.00%/);
            const [after] = (await run.status("staging")).regions;
            assert.deepEqual(after.weights, { blue: 100, green: 0 });
            assert.deepEqual(after.clusters.map((c: any) => [c.color, c.cron]), [["blue", true], ["green", false]]);

            const bare = await run.cli("upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(bare.code, 1, bare.stderr);
            assert.match(JSON.stringify(bare.json), /ap-northeast-1.*--retry/);

            const retry = await run.cli("upgrade", "--env", "staging", "--to", "1.35", "--retry", "--scenario", run.scenario({ argo: { healthy: false } }));
            assert.equal(retry.code, 1, retry.stderr);
            assert.equal(retry.json.regions[0].result, "failed");
            assert.match(retry.json.regions[0].reason, /not Synced and Healthy after 30m.*no traffic was moved/);
            assert.deepEqual(retry.json.regions[0].steps, []);
            assert.deepEqual((await run.status("staging")).regions[0].weights, { blue: 100, green: 0 });
        },
    },
    {
        // Every run is killed right after its first state-changing operation and the next one resumes with
        // --recover: the upgrade is interrupted at every operation boundary of the runbook, in one pass.
        id: "crash",
        title: "killed after every operation and resumed each time with --recover, the upgrade completes as if never interrupted",
        env: "staging",
        async play(run, engine) {
            let crashes = 0;
            for (;;) {
                const step = await run.cli("upgrade", "--env", "staging", "--to", "1.35", "--recover", "--crash-after", String(engine.crashStride));
                if (step.code === 0) {
                    // With a stride of 1 the run after the last operation finds the target reached; with more,
                    // the last run may have fewer operations left than the stride and complete.
                    const expected = engine.crashStride === 1 ? ["nothing_to_do"] : ["completed", "nothing_to_do"];
                    assert.ok(expected.includes(step.json.result), `last run: ${step.json.result}`);
                    break;
                }
                assert.equal(step.code, 137, step.stderr);
                crashes++;
                assert.deepEqual(invariantProblems(await run.status("staging")), [], `after crash ${crashes}`);
                assert.ok(crashes < 40, "the upgrade makes progress from run to run");
            }
            // Creating the new color, its bring-up, four weight steps, the cron cut-over and the teardown.
            assert.ok(crashes * engine.crashStride >= 10, `interrupted ${crashes} times`);
            const again = await run.cli("upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(again.json.result, "nothing_to_do", again.stderr);
            const [region] = (await run.status("staging")).regions;
            assert.deepEqual(region.weights, { blue: 0, green: 100 });
            assert.deepEqual(region.clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
        },
    },
    {
        // Issue 20 on every engine: the rollout plan from the command line, and the stop-the-line switch pulled by
        // another command while the upgrade runs (in this process, both as the CLI runs them).
        id: "canary-halt",
        title: "prod with an explicit canary, halted during the live run: nothing moves after it; resumed, the next upgrade goes on from there to the end",
        env: "prod",
        async play(run) {
            const flags = ["--env", "prod", "--to", "1.35", "--canary", "us-west-2", "--steps", "50,100"];
            const live = run.cli("upgrade", ...flags);
            // Pull the switch once the canary carries its first step.
            const started = () => run.journal("prod").some((e) => e.region === "us-west-2" && /^load balancer confirms .*green 50%/.test(e.event));
            for (let waited = 0; !started(); waited += 50) {
                assert.ok(waited < 900_000, "the canary's first step lands");
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const halt = await run.cli("halt", "--env", "prod", "--reason", "checkout errors, investigating");
            assert.equal(halt.code, 0, halt.stderr);
            assert.equal(halt.json.result, "halted");
            const halted = await live;
            assert.equal(halted.code, 1, halted.stderr);
            assert.equal(halted.json.result, "halted");
            assert.deepEqual(halted.json.regions.map((r: any) => [r.region, r.wave, r.result]), [["us-west-2", 0, "halted"], ["ap-northeast-1", 1, "halted"]]);
            const noticed = halted.json.timeline.find((e: any) => /^stop the line: halted by /.test(e.event));
            assert.ok(noticed, "the run says it saw the switch");
            assert.deepEqual(halted.json.timeline.filter((e: any) => /^set weights/.test(e.event) && e.atMinutes > noticed.atMinutes), [], "no traffic moved after it");
            const stopped = await run.status("prod");
            assert.deepEqual(stopped.halt, halt.json.halt);
            // Where the halt found each region depends on how fast each engine runs: wherever, it stays there.
            const lastSet = (region: string) => halted.json.timeline.filter((e: any) => e.region === region && /^set weights/.test(e.event)).at(-1)?.event.match(/green (\d+)%/)?.[1];
            assert.deepEqual(stopped.regions.map((r: any) => [r.region, r.wave, r.weights.green]), [["ap-northeast-1", 1, Number(lastSet("ap-northeast-1") ?? 0)], ["us-west-2", 0, Number(lastSet("us-west-2"))]]);
            assert.ok(stopped.regions[1].weights.green >= 50, "the canary had its first step");

            const still = await run.cli("upgrade", ...flags);
            assert.equal(still.json.result, "halted", "while halted, an upgrade changes nothing");
            assert.deepEqual((await run.status("prod")).regions.map((r: any) => r.weights), stopped.regions.map((r: any) => r.weights));
            assert.equal((await run.cli("resume", "--env", "prod")).json.result, "resumed");
            const done = await run.cli("upgrade", ...flags);
            assert.equal(done.code, 0, done.stderr);
            assert.equal(done.json.result, "completed");
            // Both went on from where the halt left them, to 100%.
            for (const region of done.json.regions) assert.ok(["completed"].includes(region.result), `${region.region} ${region.result}`);
            const status = await run.status("prod");
            assert.equal(status.halt, null);
            for (const region of status.regions) assert.deepEqual(region.clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
        },
    },
];

/**
 * Defines the scenarios (those named in `ids`, default all) as mocha tests on `engine`, each compared with
 * `reference` when given.
 */
export function driverScenarios(engine: EngineUnderTest, reference?: EngineUnderTest, ids?: string[]): void {
    const scenarios = SCENARIOS.filter((s) => !ids || ids.includes(s.id));
    describe(`driver scenarios${ids ? ` (${ids.join(", ")})` : ""} on the ${engine.name} engine${reference ? `, compared with ${reference.name}` : ""}`, function () {
        this.timeout(engine.timeoutMs);
        for (const scenario of scenarios) {
            it(scenario.title, async () => {
                const run = newRun(engine);
                try {
                    await engine.prepare?.(run.state, scenario.env);
                    await scenario.play(run, engine);
                    if (!reference) return;
                    const other = newRun(reference);
                    try {
                        await scenario.play(other, reference);
                        assert.deepEqual(comparable(await run.status(scenario.env)), comparable(await other.status(scenario.env)));
                    } finally {
                        other.dispose();
                    }
                } finally {
                    run.dispose();
                }
            });
        }
    });
}
