/**
 * The whole command line as a property (CONTRACT, "Output and exit codes"): every option of every command, given a
 * malformed or out-of-range value, or given twice, is bad input: exit 2, one message naming the value, no stack
 * trace, and nothing changed. The options are read from the CLI's own definitions, and every one of them must
 * have its cases here: a new option cannot arrive without saying what bad input for it looks like.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { buildProgram } from "../../automation/cli";
import { thisProcess } from "../../automation/core/process";
import { cli, scenarioFile, seeded, snapshot } from "../driver/harness";

interface Context {
    /** A seeded sim state of prod. */
    state: string;
    /** A scratch directory beside it (render outputs, files, empty directories). */
    root: string;
    /** A regular file (a path under it is no directory). */
    file: string;
}

/** A valid command line for each command, sim-engine options included where it takes them. */
const BASE: Record<string, (c: Context) => string[]> = {
    status: (c) => ["status", "--env", "prod", "--engine", "sim", "--state", c.state],
    upgrade: (c) => ["upgrade", "--env", "prod", "--to", "1.35", "--engine", "sim", "--state", c.state],
    rehearse: (c) => ["rehearse", "--state", c.state],
    rollback: (c) => ["rollback", "--env", "prod", "--region", "us-west-2", "--engine", "sim", "--state", c.state],
    discard: (c) => ["discard", "--env", "prod", "--region", "us-west-2", "--yes", "--engine", "sim", "--state", c.state],
    "ops-upgrade": (c) => ["ops-upgrade", "--env", "prod", "--to", "1.35", "--engine", "sim", "--state", c.state],
    preflight: (c) => ["preflight", "--env", "prod", "--to", "1.35", "--engine", "sim", "--state", c.state],
    render: (c) => ["render", "--env", "prod", "--out", path.join(c.root, "render")],
    diff: (c) => ["diff", path.join(c.root, "empty"), path.join(c.root, "empty")],
    policy: () => ["policy", "--env", "prod"],
    report: (c) => ["report", "--env", "prod", "--engine", "sim", "--state", c.state],
    halt: (c) => ["halt", "--env", "prod", "--reason", "drill", "--engine", "sim", "--state", c.state],
    resume: (c) => ["resume", "--env", "prod", "--engine", "sim", "--state", c.state],
    plan: (c) => ["plan", "--env", "prod", "--engine", "sim", "--state", c.state],
    identity: (c) => ["identity", "--env", "prod", "--out", path.join(c.root, "identity")],
};

const DURATION = ["ten minutes", "999h", "-5m"];

/** Malformed and out-of-range values of each option, by its flag (the same flag means the same thing everywhere). */
const BAD: Record<string, (c: Context, command: string) => string[]> = {
    "--env": () => ["no-such-env", "../prod", ""],
    "--to": (_c, command) => ["1.035", "banana", "1.35.1", "v", ...(command === "ops-upgrade" ? ["1.37"] : ["1.33"])],
    "--engine": (_c, command) => (command === "rehearse" ? ["pulumi", "aws"] : ["aws", "SIM"]),
    "--state": (c) => ["", path.join(c.file, "below-a-file")],
    "--stacks": (c) => [path.join(c.root, "no-such-dir"), path.join(c.root, "empty"), c.file],
    "--scenario": (c) => [path.join(c.root, "no-such-scenario.json"), path.join(c.root, "not-json.json"), path.join(c.root, "empty")],
    "--crash-after": () => ["0", "-1", "1e3", "two"],
    "--crash-during": () => ["0", "1.5", "x"],
    "--region": () => ["mars-1", "us-west-2;rm"],
    "--steps": () => ["5,25,x", "0,100", "50,25,100", "5,25,50", "0x10,100"],
    "--bake": () => DURATION,
    "--analysis-interval": () => [...DURATION, "1s"],
    "--hold": () => DURATION,
    "--argo-timeout": () => [...DURATION, "0m"],
    "--jobs-timeout": () => [...DURATION, "0m"],
    "--stop-at": () => ["101", "30", "fifty"],
    "--stack": () => ["no-such-stack"],
    "--out": (c, command) => (command === "render" || command === "identity" ? [c.file, ""] : [c.root, path.join(c.root, "no-such-dir", "r.md"), ""]),
    "--run": () => ["no-such-run"],
    "--format": () => ["pdf", "MD"],
    "--canary": () => ["mars-1", "us-west-2;rm"],
    "--max-parallel": () => ["0", "-1", "two", "1.5"],
    "--wave-bake": () => DURATION,
    "--wave-min-requests": () => ["-1", "many", "1.5"],
    "--on-region-rollback": () => ["panic", "HALT"],
    "--skip-order-check": () => ["x", " "],
    "--reason": () => ["  "],
    "--at": () => ["2026-13-01", "tomorrow", "2026-2-3"],
    "--manifests": (c) => [path.join(c.root, "no-such-dir"), c.file],
    "--markdown": (c) => [path.join(c.root, "no-such-dir", "ledger.md"), c.root],
    "--state-bucket": () => ["Not_A_Bucket!"],
    "--secrets-key-alias": () => ["mitene-pulumi", "alias/"],
    "--lease-table": () => ["no table!"],
    "--lease-region": () => ["mars-1"],
    "--operator-role": () => ["not-an-arn"],
};

/** Two valid values of each single-value option: given both, the second is refused. */
const TWICE: Record<string, (c: Context) => [string, string]> = {
    "--env": () => ["prod", "staging"],
    "--to": () => ["1.35", "1.36"],
    "--engine": () => ["sim", "local"],
    "--state": (c) => [c.state, `${c.state}-other`],
    "--stacks": () => ["stacks", "stacks"],
    "--scenario": (c) => [scenarioFile(c.state, {}, "a.json"), scenarioFile(c.state, {}, "b.json")],
    "--crash-after": () => ["1", "2"],
    "--crash-during": () => ["1", "2"],
    "--steps": () => ["5,100", "50,100"],
    "--bake": () => ["10m", "20m"],
    "--analysis-interval": () => ["1m", "2m"],
    "--hold": () => ["30m", "1h"],
    "--argo-timeout": () => ["30m", "1h"],
    "--jobs-timeout": () => ["2h", "3h"],
    "--stop-at": () => ["25", "50"],
    "--stack": () => ["ops-prod", "region-prod-us-west-2"],
    "--out": (c) => [path.join(c.root, "one"), path.join(c.root, "two")],
    "--run": () => ["a", "b"],
    "--format": () => ["md", "html"],
    "--max-parallel": () => ["1", "2"],
    "--wave-bake": () => ["10m", "20m"],
    "--wave-min-requests": () => ["1000", "2000"],
    "--on-region-rollback": () => ["halt", "continue"],
    "--skip-order-check": () => ["drill one", "drill two"],
    "--reason": () => ["drill one", "drill two"],
    "--at": () => ["2026-12-04", "2026-12-05"],
    "--manifests": (c) => [path.join(c.root, "empty"), c.root],
    "--markdown": (c) => [path.join(c.root, "a.md"), path.join(c.root, "b.md")],
    "--state-bucket": () => ["mitene-a-state", "mitene-b-state"],
    "--secrets-key-alias": () => ["alias/a", "alias/b"],
    "--lease-table": () => ["leases-a", "leases-b"],
    "--lease-region": () => ["us-east-1", "us-west-2"],
};

/** Repeatable options accumulate (CONTRACT): given twice, both count. */
const REPEATABLE = new Set(["--region", "--canary", "--operator-role"]);

/** Bad positional arguments, by command. */
const BAD_ARGUMENTS: Record<string, (c: Context) => string[][]> = {
    diff: (c) => [
        [path.join(c.root, "no-such-base"), path.join(c.root, "empty")],
        [path.join(c.root, "empty"), c.file],
        ["", path.join(c.root, "empty")],
    ],
    policy: (c) => [[path.join(c.root, "no-such-renders")], [c.file], [""]],
};

function program(): Command {
    return buildProgram({ stdout: () => undefined, stderr: () => undefined, cwd: process.cwd(), identity: thisProcess(), die: () => new Promise<never>(() => undefined), signal: new AbortController().signal }, [], () => undefined);
}

/** Every option that takes a value, of every command. */
function valueOptions(): { command: string; flag: string }[] {
    return program().commands.flatMap((command) => command.options.filter((o) => o.required || o.optional).map((o) => ({ command: command.name(), flag: o.long! })));
}

describe("the command line, every option of every command", function () {
    this.timeout(300_000);
    let c: Context;
    before(async () => {
        const state = await seeded();
        // A run in the journal, for report.
        assert.equal((await cli(["rollback", "--env", "prod", "--region", "us-west-2", "--engine", "sim", "--state", state])).code, 0);
        const root = path.join(path.dirname(state), "scratch");
        mkdirSync(path.join(root, "empty"), { recursive: true });
        const file = path.join(root, "a-file");
        writeFileSync(file, "not a directory\n");
        writeFileSync(path.join(root, "not-json.json"), "{");
        c = { state, root, file };
    });

    it("has bad values (and, unless repeatable, a second value) for every option that takes one, and a valid line for every command", () => {
        const commands = program().commands.map((command) => command.name()).filter((name) => name !== "help");
        assert.deepEqual(commands.filter((name) => !BASE[name]), [], "commands without a valid command line here");
        const missing = valueOptions().filter(({ flag }) => !BAD[flag] || (!REPEATABLE.has(flag) && !TWICE[flag]));
        assert.deepEqual(missing, [], "options without bad input cases here");
        for (const command of program().commands) if (command.registeredArguments.length > 0) assert.ok(BAD_ARGUMENTS[command.name()], `${command.name()}'s arguments`);
    });

    /** Runs `args`; asserts exit 2, one message naming `named`, no trace, the state and the scratch directory untouched. */
    async function refused(args: string[], named: string[]): Promise<void> {
        const before = snapshot(c.state);
        const run = await cli([...args, "--json"]);
        const what = args.join(" ");
        assert.equal(run.code, 2, `${what}: exit ${run.code}\n${run.stderr}`);
        const message = String(run.json?.error ?? "");
        assert.ok(message.length > 0, `${what}: the error is in the one JSON document`);
        for (const value of named) assert.ok(message.includes(value === "" ? '""' : value), `${what}: the message names ${JSON.stringify(value)}: ${message}`);
        assert.doesNotMatch(run.stderr, /\n\s+at /, `${what}: no stack trace`);
        assert.deepEqual(snapshot(c.state), before, `${what}: the state changed`);
        assert.equal(existsSync(path.join(c.root, "render")), false, `${what}: rendered`);
    }

    /** The base command line with `flag value` in place of its own `flag` (or added). */
    function withOption(base: string[], flag: string, value: string): string[] {
        const at = base.indexOf(flag);
        return at >= 0 ? [...base.slice(0, at), flag, value, ...base.slice(at + 2)] : [...base, flag, value];
    }

    it("a malformed or out-of-range value is bad input naming it, and changes nothing", async () => {
        let cases = 0;
        for (const { command, flag } of valueOptions()) {
            for (const value of BAD[flag](c, command)) {
                // The value is named; a path may be named as it resolves.
                const named = value.startsWith(c.root) || value === c.file ? [path.basename(value)] : [value];
                await refused(withOption(BASE[command](c), flag, value), named);
                cases++;
            }
        }
        assert.ok(cases > 150, `${cases} cases`);
    });

    it("a single-value option given twice is bad input naming both values, and changes nothing", async () => {
        for (const { command, flag } of valueOptions().filter(({ flag }) => !REPEATABLE.has(flag))) {
            const [first, second] = TWICE[flag](c);
            const base = BASE[command](c).filter((_, i, all) => all[i] !== flag && all[i - 1] !== flag);
            await refused([...base, flag, first, flag, second], [`${flag} given twice`, first, second]);
        }
    });

    it("a positional argument that names nothing usable is bad input naming it", async () => {
        for (const [command, cases] of Object.entries(BAD_ARGUMENTS)) {
            for (const args of cases(c)) {
                const bad = args.find((a) => a !== path.join(c.root, "empty"))!;
                await refused([command, ...args], [path.basename(bad)]);
            }
        }
    });
});
