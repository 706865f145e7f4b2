/**
 * Holds (issue 23): the machine dying (kill -9 of the driver's process group and of the Pulumi CLIs it runs,
 * each in a group of its own) at several instants of seeding a fresh state, and while an upgrade creates a
 * stack, is an interrupted update like any other: the next run either goes on, or exits 4 naming the stacks
 * and the dead CLI, and then one run with --recover goes on; nothing ever ends in a stack trace. The seeding
 * is killed again and again, each time a little further, and finally converges.
 *
 * `rollback --all` is the command that seeds here: the cheapest one that takes --recover, with nothing to do
 * on a freshly seeded env.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { cli, invariantProblems } from "../driver/harness";
import { MiteneProcess, checkpoint, pulumiChildren, startMitene, waitFor } from "./processes";

const REGION = "region-staging-ap-northeast-1";
const BLUE = "mitene-staging-ap-northeast-1-blue";
const GREEN = "mitene-staging-ap-northeast-1-green";
/** Each call to the fake cloud takes this long in the killed runs: an update in flight stays in flight long enough to be caught. */
const SLOW = { MITENE_FAKECLOUD_LATENCY_MS: "300" };

describe("kill -9 while seeding a local state, and while an upgrade creates a stack", function () {
    this.timeout(900_000);
    const root = mkdtempSync(path.join(tmpdir(), "mitene-local-"));
    const state = path.join(root, "state");
    const flags = ["--engine", "local", "--state", state];
    after(() => rmSync(root, { recursive: true, force: true }));

    /** Whether `pid` runs a Pulumi CLI whose arguments hold all of `words`. */
    const cliRunning = (pid: number, ...words: string[]) =>
        pulumiChildren(pid).some((p) => {
            try {
                const args = readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0");
                return words.every((word) => args.includes(word));
            } catch {
                return false;
            }
        });
    const inFlight = (stack: string) => (checkpoint(state, stack)?.pending_operations?.length ?? 0) > 0;

    /** The machine dies: the Pulumi CLIs (each in its own process group, with its plugins), then the driver. */
    const machineDies = async (run: MiteneProcess) => {
        for (const pulumi of pulumiChildren(run.pid)) process.kill(-pulumi.pgrp, "SIGKILL");
        process.kill(-run.pid, "SIGKILL");
        assert.equal(await run.exit, 137);
    };

    /**
     * Starts `args` without --recover; if that run stops at once with exit 4, checks it names the stacks and
     * the dead CLI, and starts it again with --recover (at most once). Resolves with the run that goes on.
     */
    const goOn = async (args: string[], env: Record<string, string>, until: (pid: number) => boolean): Promise<{ run: MiteneProcess; recovered: boolean }> => {
        let recovered = false;
        for (;;) {
            const run = startMitene([...args, ...(recovered ? ["--recover"] : []), ...flags, "--json"], env);
            const stopped = await Promise.race([waitFor("the instant", () => until(run.pid)).then(() => undefined), run.exit]);
            if (stopped === undefined) return { run, recovered };
            assert.equal(stopped, 4, `${args.join(" ")}${recovered ? " --recover" : ""} exited ${stopped}: ${run.stderr()}`);
            assert.ok(!recovered, "one --recover is enough");
            const error = (JSON.parse(run.stdout()) as { error: string }).error;
            assert.match(error, /pending operations from an interrupted update .*(left locked by an update that died \(pid \d+ of \w+ on \S+|creating|updating).*rerun with --recover/);
            assert.doesNotMatch(run.stderr(), /\n\s+at /, "no stack trace");
            recovered = true;
        }
    };

    /** `mitene` as a real process (the lease it meets is a real process's), to the end. */
    const mitene = async (...args: string[]) => {
        const run = startMitene([...args, ...flags, "--json"]);
        const code = await run.exit;
        return { code, stderr: run.stderr(), json: JSON.parse(run.stdout()) };
    };

    /** Runs `args` to its end, with --recover only if the run without it exits 4. */
    const finish = async (...args: string[]) => {
        let result = await mitene(...args);
        if (result.code === 4) result = await mitene(...args, "--recover");
        assert.equal(result.code, 0, result.stderr);
        return result;
    };

    const seedingInstants: { what: string; at: (pid: number) => boolean }[] = [
        { what: "creating the Ops stack (pulumi stack init)", at: (pid) => cliRunning(pid, "init", "ops-staging") },
        { what: "the Ops stack's first update, a resource in flight", at: () => inFlight("ops-staging") },
        { what: "the region stack's first update, its program loading", at: (pid) => cliRunning(pid, "up", REGION) && !inFlight(REGION) },
        { what: "the serving cluster's first update, a resource in flight", at: () => inFlight(BLUE) },
    ];

    it("seeding killed at each instant goes on at the next run, with at most one --recover each time, and converges", async () => {
        for (const instant of seedingInstants) {
            const { run } = await goOn(["rollback", "--env", "staging", "--all"], SLOW, instant.at);
            await machineDies(run);
        }
        const done = await finish("rollback", "--env", "staging", "--all");
        assert.equal(done.json.result, "nothing_to_do");
        const status = await cli(["status", "--env", "staging", ...flags, "--json"]);
        assert.equal(status.code, 0, status.stderr);
        assert.deepEqual(invariantProblems(status.json), []);
        assert.deepEqual(status.json.regions[0].weights, { blue: 100, green: 0 });
        assert.ok(!existsSync(path.join(state, "seeding-staging")) && existsSync(path.join(state, "seeded-staging")));
        const locks = path.join(state, "backend", ".pulumi", "locks", "organization", "mitene");
        for (const stack of existsSync(locks) ? readdirSync(locks) : []) assert.deepEqual(readdirSync(path.join(locks, stack)), [], `lock left on ${stack}`);
    });

    it("an upgrade killed while it creates the new color's stack goes on at the next run, with at most one --recover", async () => {
        const { run } = await goOn(["upgrade", "--env", "staging", "--to", "1.35", "--stop-at", "5"], SLOW, (pid) => cliRunning(pid, "init", GREEN));
        await machineDies(run);
        const done = await finish("upgrade", "--env", "staging", "--to", "1.35", "--stop-at", "5");
        assert.equal(done.json.result, "paused");
        const status = await cli(["status", "--env", "staging", ...flags, "--json"]);
        assert.deepEqual(invariantProblems(status.json), []);
        assert.deepEqual(status.json.regions[0].weights, { blue: 95, green: 5 });
        assert.deepEqual(status.json.regions[0].clusters.map((c: { color: string; version: string }) => [c.color, c.version]), [["blue", "1.34"], ["green", "1.35"]]);
    });
});
