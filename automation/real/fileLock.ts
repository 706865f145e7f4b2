/**
 * A lock across processes on one machine, for the read-modify-write of a stack file before `pulumi up`: an
 * upgrade and a concurrent `mitene rollback` edit the same region stack file, and without it one overwrites
 * the other's edit, or deploys it. A lock file created exclusively names its holder; a holder on this host
 * whose process is gone is dead and its lock is taken over. Waits are real time (the holder is real work).
 */
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { RealClock, abortError } from "../core/clock";
import { processExists } from "../core/process";

interface Holder {
    pid: number;
    host: string;
    since: string;
}

export interface FileLockOptions {
    /** Where lock files live. Default: mitene-locks in the system's temporary directory. */
    dir?: string;
    pollMs?: number;
    /** Reports a wait, once, naming the holder. */
    onWait?: (holder: string) => void;
}

const clock = new RealClock();

/** The lock file of a path, the same for every process whatever relative path or symlink it uses. */
function lockFileOf(target: string, dir: string): string {
    const resolved = path.join(realpathSync(path.dirname(target)), path.basename(target));
    return path.join(dir, `${createHash("sha256").update(resolved).digest("hex").slice(0, 32)}.lock`);
}

/** Runs `work` holding the lock of `target` (a file that may not exist yet). */
export async function withFileLock<T>(target: string, work: () => Promise<T>, signal?: AbortSignal, options: FileLockOptions = {}): Promise<T> {
    const dir = options.dir ?? path.join(tmpdir(), "mitene-locks");
    mkdirSync(dir, { recursive: true });
    const file = lockFileOf(target, dir);
    const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    let reported = false;
    for (;;) {
        if (signal?.aborted) throw abortError(signal);
        if (createWhole(file, me)) break;
        const holder = readHolder(file);
        if (holder && holder.host === me.host && !processExists(holder.pid)) {
            // Dead: remove its lock unless it changed since read (another waiter took it over first).
            if (JSON.stringify(readHolder(file)) === JSON.stringify(holder)) rmSync(file, { force: true });
            continue;
        }
        if (!holder && unreadableFor(file) > UNREADABLE_GRACE_MS) {
            // Locks are created whole (createWhole); one that stays unreadable was not written by this code, or
            // its disk filled: it names no holder to wait for, so it would block every writer forever.
            options.onWait?.(`an unreadable lock file ${file}, removed`);
            rmSync(file, { force: true });
            continue;
        }
        if (holder && !reported) {
            options.onWait?.(`pid ${holder.pid} on ${holder.host} since ${holder.since}`);
            reported = true;
        }
        await clock.sleep(options.pollMs ?? 200, signal);
    }
    try {
        return await work();
    } finally {
        if (JSON.stringify(readHolder(file)) === JSON.stringify(me)) rmSync(file, { force: true });
    }
}

/** How long a lock file may be unreadable before it is taken for no lock: longer than any write of one takes. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Creates the lock file with its holder already in it, or returns false when it exists: the content is written
 * to a file of this process first and linked into place (link fails when the name exists), so no other
 * process ever reads a lock half written, and a kill leaves either no lock or a whole one.
 */
function createWhole(file: string, me: Holder): boolean {
    const draft = `${file}.${me.pid}.draft`;
    writeFileSync(draft, JSON.stringify(me));
    try {
        linkSync(draft, file);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        return false;
    } finally {
        rmSync(draft, { force: true });
    }
}

/** Milliseconds since the lock file last changed, while it names no holder; 0 when it is gone. */
function unreadableFor(file: string): number {
    try {
        return Date.now() - statSync(file).mtimeMs;
    } catch {
        return 0;
    }
}

function readHolder(file: string): Holder | undefined {
    try {
        return JSON.parse(readFileSync(file, "utf8")) as Holder;
    } catch {
        return undefined;
    }
}
