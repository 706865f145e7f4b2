/**
 * CONTRACT: `--json` prints exactly one JSON document on stdout whatever the exit code, through every invocation
 * the README shows: `npx mitene`, `npm run mitene -- ...` and `node bin/mitene.js`. These run them as a person
 * or a CI step does (real processes, the project's .npmrc, none of the npm settings this test runs under), on a
 * failing and a succeeding command, with json=true in the user's own npmrc, and stopped by a signal half-way
 * through a rehearsal.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseResult, report, resultWord } from "../../.github/scripts/upgrade-report";
import { seeded, tempState } from "../driver/harness";

const ROOT = path.resolve(__dirname, "..", "..");
const INVOCATIONS: Record<string, [string, string[]]> = {
    "npx mitene": ["npx", ["mitene"]],
    "npm run mitene --": ["npm", ["run", "mitene", "--"]],
    "node bin/mitene.js": [process.execPath, [path.join(ROOT, "bin", "mitene.js")]],
};

/** This process's environment without what npm gave it (this suite may run under `npm test`), plus `extra`. */
const shellEnv = (extra: Record<string, string> = {}) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))), ...extra });

/** A person's own npmrc that puts npm in JSON mode, where npm appends its own error document to a failing command. */
function userJsonNpmrc(): Record<string, string> {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "mitene-npmrc-")), ".npmrc");
    writeFileSync(file, "json=true\n");
    return { npm_config_userconfig: file };
}

interface Ended {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** Those of the `watch`ed processes that still existed when the wrapper exited: they ran on, orphaned. */
    ranOn: number[];
}

interface Started {
    child: ChildProcess;
    ended: Promise<Ended>;
    stderr: () => string;
    /** Processes that must be gone by the time the wrapper exits. */
    watch: (pids: number[]) => void;
}

const exists = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

/** Runs `[command, ...prefix] <args>`, in a process group of its own as a terminal runs a job. */
function spawned([command, prefix]: [string, string[]], args: string[], env: Record<string, string> = {}): Started {
    const child = spawn(command, [...prefix, ...args], { cwd: ROOT, env: shellEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let watched: number[] = [];
    let ranOn: number[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // Checked the moment the wrapper is reaped: npm reaps the process it runs before it exits itself.
    child.on("exit", () => (ranOn = watched.filter(exists)));
    // "close": every process holding the pipes has let go, so stdout is all there is, however slow the machine.
    const ended = new Promise<Ended>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ranOn })));
    return { child, ended, stderr: () => stderr, watch: (pids) => (watched = pids) };
}

/** Runs `mitene <args>` through an invocation. */
const start = (invocation: string, args: string[], env: Record<string, string> = {}) => spawned(INVOCATIONS[invocation], args, env);

/** The members of a process group, as `ps` lists them ("pid args"). */
function members(group: number): { pid: number; args: string }[] {
    return execFileSync("ps", ["-A", "-o", "pid=,pgid=,args="], { encoding: "utf8" })
        .split("\n")
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
        .filter((match) => match !== null && Number(match[2]) === group)
        .map((match) => ({ pid: Number(match![1]), args: match![3] }));
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

    it("with json=true in the user's own npmrc, a failing command still prints only the driver's document", async () => {
        const env = userJsonNpmrc();
        const unknownEnv = (doc: any) => assert.match(doc.error, /unknown env "nope"/);
        const failing: [string, Started, (doc: any) => void][] = [
            ...Object.keys(INVOCATIONS).flatMap((invocation): [string, Started, (doc: any) => void][] => [
                [`${invocation} status`, start(invocation, ["status", "--env", "nope", "--engine", "sim", "--json"], env), unknownEnv],
                [`${invocation} preflight`, start(invocation, ["preflight", "--env", "prod", "--to", "1.99", "--engine", "sim", "--state", state, "--json"], env), (doc) => assert.equal(doc.result, "blocked")],
            ]),
            ["npm run rehearse --", spawned(["npm", ["run", "rehearse", "--"]], ["--json", "--env", "nope"], env), unknownEnv],
        ];
        for (const [what, started, check] of failing) {
            const run = await started.ended;
            assert.notEqual(run.code, 0, `${what}: exit code\n${run.stderr}`);
            check(oneDocument(run, what));
        }
    });

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

    /**
     * Starts a rehearsal, sends `signal` once traffic moves (to the wrapper alone, or to its whole group), and waits
     * for it to end and for its process group to be gone. Watches mitene's own process, which must be gone by the
     * time the wrapper exits; a helper it started (esbuild) may take a moment longer to notice and exit.
     */
    async function interrupted(invocation: string, signal: NodeJS.Signals, group: boolean): Promise<Ended> {
        const run = start(invocation, ["rehearse", "--state", tempState(), "--json"]);
        // Found once mitene writes, not once traffic moves: the rehearsal runs on while `ps` does, and may end first.
        await until(() => run.stderr() !== "", `${invocation}: mitene to start`);
        // node running bin/mitene.js, or npx's link to it (node_modules/.bin/mitene); npm's own title is "npm ...".
        const mitene = members(run.child.pid!).filter((member) => /^\S*node\s+\S*\/mitene(\.js)?(\s|$)/.test(member.args));
        assert.equal(mitene.length, 1, `${invocation}: mitene's own process in ${JSON.stringify(members(run.child.pid!))}`);
        run.watch(mitene.map((member) => member.pid));
        await until(() => /set weights/.test(run.stderr()), `${invocation}: traffic to move`);
        process.kill(group ? -run.child.pid! : run.child.pid!, signal);
        const ended = await run.ended;
        await until(() => !exists(-run.child.pid!), `${invocation}: the whole process group to exit`);
        return ended;
    }

    it("SIGTERM to the wrapper alone (a CI runner cancelling the step): exit 143, the result on stdout, nothing left running", async () => {
        const runs = await Promise.all(Object.keys(INVOCATIONS).map(async (invocation) => [invocation, await interrupted(invocation, "SIGTERM", false)] as const));
        for (const [invocation, run] of runs) {
            assert.equal(run.code, 143, `${invocation}\n${run.stderr}`);
            assert.equal(oneDocument(run, invocation).env, "prod");
            assert.match(run.stderr, /SIGTERM: cancelling the running operation cleanly/, invocation);
            assert.deepEqual(run.ranOn, [], `${invocation}: mitene ran on after the wrapper exited`);
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
