/**
 * Real processes for the local suite: `mitene` started as a terminal would start a job (a process group of
 * its own), the Pulumi CLI processes it runs, and what the file backend shows of their updates.
 */
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

const MITENE = path.resolve(__dirname, "../../bin/mitene.js");

export interface MiteneProcess {
    child: ChildProcess;
    pid: number;
    stdout(): string;
    stderr(): string;
    exit: Promise<number>;
}

/** `mitene <args>` in a process group of its own; `env` adds to this process's environment. */
export function startMitene(args: string[], env: Record<string, string> = {}): MiteneProcess {
    const child = spawn(process.execPath, [MITENE, ...args], { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exit = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 128))));
    return { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exit };
}

interface ProcStat {
    pid: number;
    comm: string;
    ppid: number;
    pgrp: number;
}

function stat(pid: number): ProcStat | undefined {
    try {
        const text = readFileSync(`/proc/${pid}/stat`, "utf8");
        const comm = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
        const [, ppid, pgrp] = text.slice(text.lastIndexOf(")") + 2).split(" ").map(Number);
        return { pid, comm, ppid, pgrp };
    } catch {
        return undefined;
    }
}

/** The Pulumi CLI processes `pid` started. */
export function pulumiChildren(pid: number): ProcStat[] {
    return readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .map((entry) => stat(Number(entry)))
        .filter((s): s is ProcStat => s !== undefined && s.ppid === pid && s.comm === "pulumi");
}

/** The latest checkpoint of a stack in a local state's file backend. */
export function checkpoint(state: string, stack: string): { resources?: unknown[]; pending_operations?: { type: string }[] } | undefined {
    const file = path.join(state, "backend", ".pulumi", "stacks", "mitene", `${stack}.json`);
    if (!existsSync(file)) return undefined;
    try {
        return (JSON.parse(readFileSync(file, "utf8")) as { checkpoint: { latest?: object } }).checkpoint.latest;
    } catch {
        // Caught being replaced.
        return undefined;
    }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 300_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
