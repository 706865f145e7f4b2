/**
 * CONTRACT: `--json` prints exactly one JSON document on stdout whatever the exit code, through every invocation
 * the README shows: `npx mitene`, `npm run mitene -- ...` and `node bin/mitene.js`. These run them as a person
 * or a CI step does (real processes, the project's .npmrc, none of the npm settings this test runs under), on a
 * failing and a succeeding command, and stopped by a signal half-way through a rehearsal.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseResult, report, resultWord } from "../../.github/scripts/upgrade-report";
import { seeded, tempState } from "../driver/harness";

const ROOT = path.resolve(__dirname, "..", "..");
const INVOCATIONS: Record<string, [string, string[]]> = {
    "npx mitene": ["npx", ["mitene"]],
    "npm run mitene --": ["npm", ["run", "mitene", "--"]],
    "node bin/mitene.js": [process.execPath, [path.join(ROOT, "bin", "mitene.js")]],
};

/** This process's environment without what npm gave it (this suite may run under `npm test`). */
const shellEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

interface Ended {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** The process group still had members after the wrapper exited (something ran on, orphaned). */
    orphans: boolean;
}

/** Runs `mitene <args>` through an invocation, in a process group of its own as a terminal runs a job. */
function start(invocation: string, args: string[]): { child: ChildProcess; ended: Promise<Ended>; stderr: () => string } {
    const [command, prefix] = INVOCATIONS[invocation];
    const child = spawn(command, [...prefix, ...args], { cwd: ROOT, env: shellEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const ended = new Promise<Ended>((resolve) =>
        child.on("exit", (code, signal) => {
            let orphans = true;
            try {
                process.kill(-child.pid!, 0);
            } catch {
                orphans = false;
            }
            // Whatever reached the pipe before the wrapper exited, and a moment for the last chunk to arrive.
            setTimeout(() => resolve({ code, signal, stdout, stderr, orphans }), 100);
        }),
    );
    return { child, ended, stderr: () => stderr };
}

/** Exactly one JSON document: JSON.parse refuses a second one, a banner, or nothing. */
function oneDocument(run: Ended, what: string): any {
    try {
        return JSON.parse(run.stdout);
    } catch {
        assert.fail(`${what}: stdout is not exactly one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
    }
}

async function until(probe: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!probe()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

describe("every documented invocation: one JSON document on stdout, whatever the exit code", function () {
    this.timeout(120_000);
    let state: string;
    before(async () => {
        state = await seeded();
    });

    const cases: [string, (state: string) => string[], number, (doc: any) => void][] = [
        ["bad input (exit 2)", (s) => ["upgrade", "--env", "prod", "--to", "banana", "--engine", "sim", "--state", s, "--json"], 2, (doc) => assert.match(doc.error, /--to "banana"/)],
        ["a blocking preflight finding (exit 1)", (s) => ["preflight", "--env", "prod", "--to", "1.99", "--engine", "sim", "--state", s, "--json"], 1, (doc) => assert.equal(doc.result, "blocked")],
        ["a command that succeeds (exit 0)", (s) => ["preflight", "--env", "prod", "--to", "1.35", "--engine", "sim", "--state", s, "--json"], 0, (doc) => assert.equal(doc.result, "pass")],
        ["--version", () => ["--version", "--json"], 0, (doc) => assert.equal(doc.version, JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version)],
    ];
    for (const [what, args, code, check] of cases) {
        it(`on ${what}`, async () => {
            const runs = await Promise.all(Object.keys(INVOCATIONS).map(async (invocation) => [invocation, await start(invocation, args(state)).ended] as const));
            for (const [invocation, run] of runs) {
                assert.equal(run.code, code, `${invocation}: exit code\n${run.stderr}`);
                check(oneDocument(run, invocation));
            }
        });
    }

    it("the upgrade workflow's driver step (npx --no-install mitene ... --json > result.json) leaves a result its report reads", async () => {
        const args = ["upgrade", "--env", "prod", "--to", "1.99", "--engine", "sim", "--state", state, "--json"];
        const [command, prefix] = ["npx", ["--no-install", "mitene"]];
        const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
            const child = spawn(command, [...prefix, ...args], { cwd: ROOT, env: shellEnv(), stdio: ["ignore", "pipe", "ignore"] });
            let stdout = "";
            child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
            child.on("close", (code) => resolve({ code, stdout }));
        });
        assert.equal(run.code, 1);
        const file = path.join(path.dirname(tempState()), "result.json");
        writeFileSync(file, run.stdout);
        const text = readFileSync(file, "utf8");
        assert.equal(resultWord(parseResult(text)), "failed", "the pull request is titled by the driver's own result, not no-result");
        assert.match(report(text, { kind: "upgrade", env: "prod", to: "1.99", exitCode: 1 }), /\| ap-northeast-1 \| {2}→ {2}\| failed \|/);
    });
});

describe("every documented invocation stopped by a signal half-way: the run ends cleanly and its one document reaches stdout", function () {
    this.timeout(180_000);

    /** Starts a rehearsal, sends `signal` once traffic moves (to the wrapper alone, or to its whole group), and waits. */
    async function interrupted(invocation: string, signal: NodeJS.Signals, group: boolean): Promise<Ended> {
        const run = start(invocation, ["rehearse", "--state", tempState(), "--json"]);
        await until(() => /set weights/.test(run.stderr()), `${invocation}: traffic to move`);
        process.kill(group ? -run.child.pid! : run.child.pid!, signal);
        return run.ended;
    }

    it("SIGTERM to the wrapper alone (a CI runner cancelling the step): exit 143, the result on stdout, nothing left running", async () => {
        const runs = await Promise.all(Object.keys(INVOCATIONS).map(async (invocation) => [invocation, await interrupted(invocation, "SIGTERM", false)] as const));
        for (const [invocation, run] of runs) {
            assert.equal(run.code, 143, `${invocation}\n${run.stderr}`);
            assert.equal(oneDocument(run, invocation).env, "prod");
            assert.match(run.stderr, /SIGTERM: cancelling the running operation cleanly/, invocation);
            assert.equal(run.orphans, false, `${invocation}: mitene ran on after the wrapper exited`);
        }
    });

    it("Ctrl-C (SIGINT to the whole group, which npm forwards again): one clean cancel, exit 130", async () => {
        const runs = await Promise.all(Object.keys(INVOCATIONS).map(async (invocation) => [invocation, await interrupted(invocation, "SIGINT", true)] as const));
        for (const [invocation, run] of runs) {
            assert.equal(run.code, 130, `${invocation}\n${run.stderr}`);
            assert.equal(oneDocument(run, invocation).env, "prod");
            assert.doesNotMatch(run.stderr, /SIGINT again/, `${invocation}: the forwarded copy is not a second Ctrl-C`);
        }
    });
});
