/**
 * Who the running process is, whether another process is alive, and how `--crash-after` kills it: shared by
 * the engines that simulate a kill (sim, local) and by the CLI that wires the real process.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** Who this process is, and whether another process is alive (injected so tests can simulate kills). */
export interface ProcessIdentity {
    pid: number;
    host: string;
    /**
     * Whether the process that was `pid` at `since` (ISO time it recorded) still runs: a pid reused by a
     * process started later is not it.
     */
    isAlive(pid: number, since?: string): boolean;
}

/** Clock ticks per second of /proc's start times: 100 on every Linux the project runs on (USER_HZ). */
const USER_HZ = 100;

/** The fields of /proc/<pid>/stat after the command name (state first); undefined where there is no /proc. */
function statFields(pid: number): string[] | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name may contain spaces and parentheses: fields start after the last ")".
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    } catch {
        return undefined;
    }
}

/** When a process started (ms since the epoch), from /proc; undefined where there is no /proc. */
export function processStartTime(pid: number): number | undefined {
    const fields = statFields(pid);
    if (!fields) return undefined;
    const startTicks = Number(fields[19]);
    const bootSeconds = Number(readFileSync("/proc/stat", "utf8").match(/^btime (\d+)$/m)?.[1]);
    return Number.isFinite(startTicks) && Number.isFinite(bootSeconds) ? (bootSeconds + startTicks / USER_HZ) * 1000 : undefined;
}

/** Slack for clock granularity (start ticks are 10 ms, btime is whole seconds). */
const START_SLACK_MS = 2_000;

/**
 * Whether a local process is still running (EPERM: it runs but belongs to someone else). A zombie is not: it
 * has exited and holds nothing, but answers signals until its parent (or, orphaned, init, whenever it gets to
 * it) reaps it, which is just when a killed run's locks are looked at.
 */
export function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    return !["Z", "X"].includes(processState(pid) ?? "");
}

/** The state letter of /proc/<pid>/stat (R, S, D, Z, ...); undefined where there is no /proc. */
export const processState = (pid: number): string | undefined => statFields(pid)?.[0];

export const thisProcess = (): ProcessIdentity => ({
    pid: process.pid,
    host: hostname(),
    isAlive: (pid, since) => {
        if (!processExists(pid)) return false;
        if (since === undefined) return true;
        const started = processStartTime(pid);
        return started === undefined || started <= Date.parse(since) + START_SLACK_MS;
    },
});

/** `--crash-after N` / `--crash-during N`: die right after, or in the middle of, the N-th state-changing operation. */
export interface CrashPlan {
    after?: number;
    during?: number;
    /** How to die: the CLI exits 137; tests freeze the run. */
    die: () => Promise<never>;
}
