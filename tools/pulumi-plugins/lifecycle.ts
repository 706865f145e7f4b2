/**
 * What every plugin process the Pulumi CLI starts owes it: serve gRPC on a free loopback port and print that
 * port as the first line of stdout (how the CLI learns where to connect), and end when the CLI is gone. The
 * Go plugins poll the engine's health endpoint for that; a plugin orphaned by a `kill -9` of the CLI would
 * otherwise outlive it and keep serving a deployment that no longer exists.
 */
import { appendFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

/** Binds `server` to 127.0.0.1 on a port the kernel picks and prints it for the CLI. */
export async function announce(server: grpc.Server): Promise<number> {
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    process.stdout.write(`${port}\n`);
    return port;
}

/** Exits once the parent (the CLI) is gone: the process is re-parented and its ppid changes. */
export function exitWithParent(onExit: () => void = () => undefined, everyMs = 500): void {
    const parent = process.ppid;
    const timer = setInterval(() => {
        if (process.ppid === parent) return;
        onExit();
        process.exit(1);
    }, everyMs);
    timer.unref();
}

/**
 * With MITENE_PROFILE naming a file (automation/real/profile.ts): appends when this plugin process started and
 * when it announced its port, its first write to stdout, which is when the CLI can use it.
 */
export function profileStart(name: string): void {
    const file = process.env.MITENE_PROFILE;
    if (!file) return;
    const start = Math.round(Date.now() - process.uptime() * 1000);
    const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
    process.stdout.write = ((...args: unknown[]) => {
        process.stdout.write = write;
        appendFileSync(file, JSON.stringify({ kind: "plugin", name, start, end: Date.now() }) + "\n");
        return write(...args);
    });
}
