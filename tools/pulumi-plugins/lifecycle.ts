/**
 * What every plugin process the Pulumi CLI starts owes it: serve gRPC on a free loopback port and print that
 * port as the first line of stdout (how the CLI learns where to connect), and end when the CLI is gone. The
 * Go plugins poll the engine's health endpoint for that; a plugin orphaned by a `kill -9` of the CLI would
 * otherwise outlive it and keep serving a deployment that no longer exists.
 */
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
