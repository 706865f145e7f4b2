/**
 * Process wiring of the CLI: real stdout/stderr, signals, the terminal, exit codes. Everything else is in cli.ts.
 */
import { createInterface } from "node:readline/promises";
import { main } from "./cli";
import { EXIT } from "./core/errors";
import { thisProcess } from "./core/process";
import { wasReported } from "../fakecloud/programFailure";

/** Loaded only for --engine pulumi: the AWS and Kubernetes SDKs are heavy and the sim never needs them. */
function loadRealPorts(): typeof import("./real/ports") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./real/ports") as typeof import("./real/ports");
}

/**
 * A signal repeated within this time is the same request: Ctrl-C reaches every process of the terminal's group,
 * and a wrapper (npm run, npx) forwards the one it got as well, so mitene sees it twice at once.
 */
export const SAME_SIGNAL_MS = 1_000;

/** Decides what each SIGINT/SIGTERM means: the first cancels cleanly, a later one (a person insisting) exits. */
export function signalPolicy(now: () => number = Date.now) {
    let first: number | undefined;
    return (): "cancel" | "exit" | "ignore" => {
        if (first === undefined) {
            first = now();
            return "cancel";
        }
        return now() - first < SAME_SIGNAL_MS ? "ignore" : "exit";
    };
}

/** A yes/no question on the terminal (stdin and stderr both one); undefined when there is none to ask on. */
function terminalConfirm(): ((question: string) => Promise<boolean>) | undefined {
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    return async (question) => {
        const terminal = createInterface({ input: process.stdin, output: process.stderr });
        try {
            return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
        } finally {
            terminal.close();
        }
    };
}

export function runCli(): void {
    const controller = new AbortController();
    const nextSignal = signalPolicy();
    const onSignal = (name: NodeJS.Signals) => {
        const action = nextSignal();
        if (action === "ignore") return;
        if (action === "exit") {
            process.stderr.write(`mitene: ${name} again: exiting without waiting for the running operation\n`);
            process.exit(name === "SIGTERM" ? EXIT.terminated : EXIT.interrupted);
        }
        process.stderr.write(`mitene: ${name}: cancelling the running operation cleanly (press again to exit at once)\n`);
        controller.abort(new Error(`cancelled by ${name}`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    // A failure outside the command's own promise (a stray rejection in an SDK) still ends in one document.
    let documented = false;
    const crash = (error: unknown) => {
        // An echo of a stack program's failure the command already has in hand (and reports as such).
        if (wasReported(error)) return;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stderr.write(`mitene: unexpected failure: ${message}\n`);
        if (process.argv.includes("--json") && !documented) process.stdout.write(JSON.stringify({ error: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT.failed }) + "\n");
        documented = true;
        process.stdout.write("", () => process.exit(EXIT.failed));
    };
    process.on("uncaughtException", crash);
    process.on("unhandledRejection", crash);

    void main(process.argv.slice(2), {
        stdout: (text) => {
            documented = true;
            process.stdout.write(text);
        },
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
        identity: thisProcess(),
        // As if killed: no cleanup, no lease release, no flushing of anything but what is already written.
        die: () => process.exit(EXIT.killed),
        signal: controller.signal,
        stderrIsTTY: process.stderr.isTTY === true,
        confirm: terminalConfirm(),
        columns: process.stderr.columns,
        realPorts: async (env, access) => loadRealPorts().createRealPorts(process.cwd(), { env, access }, process.env, (line: string) => process.stderr.write(line + "\n")),
    }).then((code) => {
        // Wait for stdout to drain (pipes are asynchronous), then exit even if SDK clients keep sockets open.
        process.stdout.write("", () => process.exit(code));
    });
}
