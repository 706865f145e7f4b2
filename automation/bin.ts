/**
 * Process wiring of the CLI: real stdout/stderr, signals, exit codes. Everything else is in cli.ts.
 */
import { main } from "./cli";
import { EXIT } from "./core/errors";
import { thisProcess } from "./core/process";

/** Loaded only for --engine pulumi: the AWS and Kubernetes SDKs are heavy and the sim never needs them. */
function loadRealPorts(): typeof import("./real/ports") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./real/ports") as typeof import("./real/ports");
}

export function runCli(): void {
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (name: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
            process.stderr.write(`mitene: ${name} again: exiting without waiting for the running operation\n`);
            process.exit(name === "SIGTERM" ? EXIT.terminated : EXIT.interrupted);
        }
        process.stderr.write(`mitene: ${name}: cancelling the running operation cleanly (press again to exit at once)\n`);
        controller.abort(new Error(`cancelled by ${name}`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    void main(process.argv.slice(2), {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
        identity: thisProcess(),
        // As if killed: no cleanup, no lease release, no flushing of anything but what is already written.
        die: () => process.exit(EXIT.killed),
        signal: controller.signal,
        stderrIsTTY: process.stderr.isTTY === true,
        columns: process.stderr.columns,
        realPorts: async (env, access) => loadRealPorts().createRealPorts(process.cwd(), { env, access }, process.env, (line: string) => process.stderr.write(line + "\n")),
    }).then((code) => {
        // Wait for stdout to drain (pipes are asynchronous), then exit even if SDK clients keep sockets open.
        process.stdout.write("", () => process.exit(code));
    });
}
