/**
 * The local engine with real processes: a `kill -9` in the middle of a real `pulumi up`, two runs at once, a
 * terminal's Ctrl-C, and a stack locked by a stray `pulumi` process.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { localCliEnv } from "../../automation/local/ports";
import { findToolchain } from "../../automation/local/toolchain";
import { cli, invariantProblems } from "../driver/harness";
import { checkpoint, pulumiChildren, startMitene, waitFor } from "./processes";

const GREEN = "mitene-staging-ap-northeast-1-green";

/** A seeded staging state, removed (its emulator with it) at the end. */
function stagingState() {
    const root = mkdtempSync(path.join(tmpdir(), "mitene-local-"));
    const state = path.join(root, "state");
    const flags = ["--engine", "local", "--state", state];
    const run = (...args: string[]) => cli([...args, ...flags, "--json"]);
    return {
        state,
        flags,
        run,
        status: async () => {
            const status = await run("status", "--env", "staging");
            assert.equal(status.code, 0, status.stderr);
            return status.json;
        },
        dispose: () => rmSync(root, { recursive: true, force: true }),
    };
}

const privateStateFiles = () => readdirSync(tmpdir()).filter((entry) => entry.startsWith("mitene-state-"));

describe("the local engine with real processes", function () {
    this.timeout(900_000);

    it("a kill -9 in the middle of a real pulumi up leaves real pending operations: exit 4, then --recover completes", async () => {
        const s = stagingState();
        try {
            await s.status();
            const upgrade = startMitene(["upgrade", "--env", "staging", "--to", "1.35", ...s.flags], { MITENE_FAKECLOUD_LATENCY_MS: "1000" });
            await waitFor("the green cluster's first create in flight", () => (checkpoint(s.state, GREEN)?.pending_operations?.length ?? 0) > 0);
            // The machine dies: the driver and the CLI it runs (in its own process group, with its plugins).
            for (const pulumi of pulumiChildren(upgrade.pid)) process.kill(-pulumi.pgrp, "SIGKILL");
            process.kill(-upgrade.pid, "SIGKILL");
            assert.equal(await upgrade.exit, 137);

            const refused = await s.run("upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(refused.code, 4, refused.stderr);
            assert.match(refused.json.error, new RegExp(`${GREEN}.*--recover`));
            assert.ok((await s.status()).pendingOperations.includes(GREEN));

            const recovered = await s.run("upgrade", "--env", "staging", "--to", "1.35", "--recover");
            assert.equal(recovered.code, 0, recovered.stderr);
            assert.equal(recovered.json.result, "completed");
            assert.match(recovered.stderr, /clearing pending creating of/);
            const status = await s.status();
            assert.deepEqual(status.pendingOperations, []);
            assert.deepEqual(status.regions[0].clusters.map((c: any) => [c.color, c.version, c.cron]), [["green", "1.35", true]]);
            assert.deepEqual(privateStateFiles(), [], "the state imported during recovery left no file behind");
        } finally {
            s.dispose();
        }
    });

    describe("on one state, in turn", () => {
        const s = stagingState();
        before(() => s.status());
        after(() => s.dispose());

        it("two runs at once: the second exits 3 and changes nothing; a terminal's Ctrl-C then cancels the first cleanly", async () => {
            const first = startMitene(["upgrade", "--env", "staging", "--to", "1.35", ...s.flags, "--json"], { MITENE_FAKECLOUD_LATENCY_MS: "1000" });
            await waitFor("the first run to be updating the green cluster", () => (checkpoint(s.state, GREEN)?.pending_operations?.length ?? 0) > 0);
            const second = startMitene(["upgrade", "--env", "staging", "--to", "1.35", ...s.flags, "--json"]);
            assert.equal(await second.exit, 3, second.stderr());
            assert.match(JSON.parse(second.stdout()).error, /lease|another run/);

            // Ctrl-C in a terminal signals the foreground process group: the driver's, not its CLI's.
            process.kill(-first.pid, "SIGINT");
            assert.equal(await first.exit, 1, first.stderr());
            const result = JSON.parse(first.stdout());
            assert.match(result.regions[0].reason, /cancelled \(SIGINT\/SIGTERM\)/);
            assert.doesNotMatch(first.stderr(), /terminat(e|ing) (now|immediately)/i);
            const status = await s.status();
            assert.deepEqual(status.pendingOperations, [], "a graceful cancel leaves no pending operation");
            assert.equal(status.lease, null);
            assert.deepEqual(invariantProblems(status), []);
            assert.deepEqual(status.regions[0].weights, { blue: 100, green: 0 });
        });

        it("a stack a stray pulumi process is updating is busy, not interrupted, and is waited for with backoff", async () => {
            const toolchain = findToolchain();
            const env = { ...process.env, ...localCliEnv(s.state, toolchain, JSON.parse(readFileSync(path.join(s.state, "emulator.json"), "utf8")).endpoint), MITENE_FAKECLOUD_LATENCY_MS: "300" };
            const stray = spawn(toolchain.pulumi, ["refresh", "--yes", "--skip-preview", "--non-interactive", "-s", "ops-staging"], { cwd: path.join(s.state, "project"), env, stdio: "ignore" });
            const strayDone = new Promise<number>((resolve) => stray.on("exit", (code) => resolve(code ?? 1)));
            const locks = path.join(s.state, "backend", ".pulumi", "locks", "organization", "mitene", "ops-staging");
            await waitFor("the stray refresh to lock ops-staging", () => existsSync(locks) && readdirSync(locks).length > 0);

            assert.deepEqual((await s.status()).pendingOperations, [], "a live update is not pending operations");
            const upgrade = await s.run("ops-upgrade", "--env", "staging", "--to", "1.35");
            assert.equal(await strayDone, 0);
            assert.equal(upgrade.code, 0, upgrade.stderr);
            assert.match(upgrade.stderr, /stack ops-staging is locked by another update; trying again in 1 s/);
            assert.equal(upgrade.json.result, "completed");
        });
    });
});
