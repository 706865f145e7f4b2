/**
 * Seeded local states shared by the local suite. Seeding an env is a real `pulumi up` of each of its committed
 * stacks; the tests that need an env seeded, and nothing more, each start from a copy of one seeded once per
 * run of the suite: the state directory, and its cloud through a snapshot of the AWS emulator
 * (tools/aws-emulator/serve.py). Seeding itself, killed or not, is proven where a test seeds
 * (interruptions.test.ts, the healthy scenario on prod).
 *
 * The seeds live under MITENE_LOCAL_SEEDS, a directory the suite's global setup makes and removes (which
 * stops their emulators); both mocha jobs share it, one seeding an env while the other waits for it.
 */
import { spawn } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { findEmulatorPython } from "../../automation/local/toolchain";
import { withFileLock } from "../../automation/real/fileLock";
import { cli } from "../driver/harness";
import { waitFor } from "./processes";

const SERVE = path.resolve(__dirname, "../../tools/aws-emulator/serve.py");
/** What belongs to a state's own emulator, never copied. */
const EMULATOR_FILES = new Set(["emulator.json", "emulator.log", "emulator.snapshot"]);

function seedsRoot(): string {
    const root = process.env.MITENE_LOCAL_SEEDS;
    if (!root) throw new Error("MITENE_LOCAL_SEEDS is not set: run the local suite with npm run test:local");
    return root;
}

/** A state of `env` seeded once for the whole suite, with its emulator's snapshot. */
async function seeded(env: string): Promise<string> {
    const base = path.join(seedsRoot(), env);
    const state = path.join(base, "state");
    mkdirSync(base, { recursive: true });
    await withFileLock(path.join(base, "ready"), async () => {
        if (existsSync(path.join(base, "ready"))) return;
        const run = await cli(["status", "--env", env, "--engine", "local", "--state", state, "--json"]);
        if (run.code !== 0) throw new Error(`seeding ${env} failed (exit ${run.code}): ${run.stderr}`);
        const { pid } = JSON.parse(readFileSync(path.join(state, "emulator.json"), "utf8")) as { pid: number };
        process.kill(pid, "SIGUSR1");
        await waitFor("the emulator's snapshot", () => existsSync(path.join(state, "emulator.snapshot")), 60_000);
        writeFileSync(path.join(base, "ready"), "");
    });
    return state;
}

/** Makes `target` a seeded state of `env`: a copy of the suite's seed, with an emulator holding a copy of its cloud. */
export async function seededCopy(env: string, target: string): Promise<void> {
    const seed = await seeded(env);
    cpSync(seed, target, { recursive: true, filter: (source) => !(path.dirname(source) === seed && EMULATOR_FILES.has(path.basename(source))) });
    const log = openSync(path.join(target, "emulator.log"), "a");
    const emulator = spawn(findEmulatorPython(), [SERVE, "--state-dir", target, "--restore", path.join(seed, "emulator.snapshot")], { detached: true, stdio: ["ignore", "pipe", log] });
    closeSync(log);
    const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: emulator.stdout! }).once("line", resolve);
        emulator.once("exit", (code) => reject(new Error(`the copied state's emulator exited with code ${code}; see ${path.join(target, "emulator.log")}`)));
    });
    emulator.stdout!.destroy();
    emulator.removeAllListeners();
    emulator.unref();
    // What ensureEmulator (automation/local/emulator.ts) finds and reuses; it stops once `target` is removed.
    writeFileSync(path.join(target, "emulator.json"), line);
}
