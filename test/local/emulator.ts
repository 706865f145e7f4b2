/** An AWS emulator (moto server) for a test file: started on a free loopback port, stopped at the end. */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { findEmulatorPython } from "../../automation/local/toolchain";

export interface TestEmulator {
    endpoint: string;
    stop(): void;
}

export async function startEmulator(): Promise<TestEmulator> {
    const script = path.resolve(__dirname, "../../tools/aws-emulator/serve.py");
    const child: ChildProcess = spawn(findEmulatorPython(), [script], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`the AWS emulator exited with code ${code}`)));
    });
    return { endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, stop: () => child.kill("SIGTERM") };
}

export const credentials = { accessKeyId: "mitene-local", secretAccessKey: "mitene-local" };
