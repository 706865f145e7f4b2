/**
 * Who the running process is, whether another process is alive, and how `--crash-after` kills it: shared by
 * the engines that simulate a kill (sim, local) and by the CLI that wires the real process.
 */
import { hostname } from "node:os";

/** Who this process is, and whether another process is alive (injected so tests can simulate kills). */
export interface ProcessIdentity {
    pid: number;
    host: string;
    isAlive(pid: number): boolean;
}

/** Whether a local process exists (EPERM: it exists but belongs to someone else). */
export function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

export const thisProcess = (): ProcessIdentity => ({ pid: process.pid, host: hostname(), isAlive: processExists });

/** `--crash-after N` / `--crash-during N`: die right after, or in the middle of, the N-th state-changing operation. */
export interface CrashPlan {
    after?: number;
    during?: number;
    /** How to die: the CLI exits 137; tests freeze the run. */
    die: () => Promise<never>;
}
