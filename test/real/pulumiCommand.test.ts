import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ProcessGroupPulumiCommand, killRunningCommands } from "../../automation/real/pulumiCommand";
import { processExists } from "../../automation/core/process";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = (module: string) => require(`@pulumi/pulumi/automation/${module}`) as Record<string, unknown>;
/* eslint-enable @typescript-eslint/no-require-imports */

/** A stand-in CLI: `version` answers, every other command runs `$BEHAVIOUR` (a bash snippet) and logs to $LOG. */
const FAKE_CLI = `#!/usr/bin/env bash
if [ "$1" = version ]; then echo v3.248.0; exit 0; fi
echo "started $*" >> "$LOG"
eval "$BEHAVIOUR"
`;

describe("real/pulumiCommand: the CLI in a process group of its own", () => {
    let dir: string;
    let log: string;
    let command: ProcessGroupPulumiCommand;
    const run = (behaviour: string, signal?: AbortSignal, onOutput?: (chunk: string) => void) => command.run(["up", "--stack", "s"], dir, { BEHAVIOUR: behaviour, LOG: log }, onOutput, undefined, signal);
    const logged = () => (existsSync(log) ? readFileSync(log, "utf8") : "");

    beforeEach(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "pulumi-cmd-"));
        log = path.join(dir, "log");
        writeFileSync(path.join(dir, "pulumi"), FAKE_CLI);
        chmodSync(path.join(dir, "pulumi"), 0o755);
        command = await ProcessGroupPulumiCommand.create(path.join(dir, "pulumi"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("the SDK internals it builds on still exist", () => {
        assert.equal(typeof sdk("cmd").CommandResult, "function");
        assert.equal(typeof sdk("errors").createCommandError, "function");
    });

    it("reads the CLI's version for the SDK's feature checks", () => {
        assert.equal(command.version?.format(), "3.248.0");
    });

    it("runs the CLI as the leader of a new process group, non-interactive, its own directory first on PATH", async () => {
        const { stdout } = await run('echo "pid=$$ pgid=$(cut -d" " -f5 /proc/$$/stat) path=${PATH%%:*} api=$PULUMI_AUTOMATION_API args=$*"');
        const [, pid, pgid] = stdout.match(/pid=(\d+) pgid=(\d+)/)!;
        assert.equal(pgid, pid);
        assert.notEqual(pgid, readFileSync("/proc/self/stat", "utf8").split(" ")[4]);
        assert.match(stdout, new RegExp(`path=${dir} api=true`));
        assert.match(logged(), /started up --stack s --non-interactive/);
    });

    it("cancels with exactly one SIGINT to the CLI when the signal fires", async () => {
        const controller = new AbortController();
        const behaviour = 'trap \'echo SIGINT >> "$LOG"; sleep 0.2; exit 255\' INT; echo ready; for i in $(seq 100); do sleep 0.1; done';
        const done = run(behaviour, controller.signal, (chunk) => chunk.includes("ready") && controller.abort());
        await assert.rejects(done);
        assert.equal(logged().match(/SIGINT/g)?.length, 1);
    });

    it("does not start a command once the signal has fired", async () => {
        const controller = new AbortController();
        controller.abort(new Error("cancelled by SIGINT"));
        await assert.rejects(run("echo ran", controller.signal), /cancelled by SIGINT/);
        assert.equal(logged(), "");
    });

    it("hands output to onOutput as it comes and returns all of it", async () => {
        const chunks: string[] = [];
        const { stdout, stderr } = await run("echo one; echo two >&2; echo three", undefined, (chunk) => chunks.push(chunk));
        assert.equal(chunks.join(""), "one\nthree\n");
        assert.equal(stdout, "one\nthree\n");
        assert.equal(stderr, "two\n");
    });

    it("kills every running CLI with its process group, as a machine that dies would", async () => {
        // The CLI starts a plugin (a child in its group) and runs until killed.
        const done = run('sleep 60 & echo "plugin=$!"; wait');
        await new Promise<void>((resolve) => {
            const poll = setInterval(() => logged().includes("started") && (clearInterval(poll), resolve()), 20);
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        killRunningCommands();
        const error = await done.then(() => assert.fail("the CLI should have been killed"), (e: Error) => e);
        const plugin = Number(error.message.match(/plugin=(\d+)/)![1]);
        // Killed at once; reaped by init a moment later.
        for (let i = 0; i < 100 && processExists(plugin); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(!processExists(plugin), "the plugin died with the CLI");
    });

    it("turns failures into the SDK's typed errors", async () => {
        await assert.rejects(run('echo "error: [409] Conflict: Another update is currently in progress." >&2; exit 255'), ConcurrentUpdateError);
        await assert.rejects(run('echo "error: the stack is currently locked by 1 lock(s)." >&2; exit 255'), ConcurrentUpdateError);
        await assert.rejects(run("echo \"error: no stack named 'x' found\" >&2; exit 255"), StackNotFoundError);
        await assert.rejects(run("exit 3"), /code: 3/);
    });
});
