/**
 * Who holds a stack's lock in a DIY (file) backend, and whether they are alive. Pulumi's DIY backend writes
 * `<backend>/.pulumi/locks/<org>/<project>/<stack>/<id>.json` ({pid, username, hostname, timestamp}) for the
 * whole of an update and removes it at the end; a CLI killed mid-update leaves it behind. A running update
 * has pending operations in its checkpoint too, so the lock is what tells a live update from a dead one.
 *
 * Only a holder on this host whose process is gone is provably dead; one on another host counts as live.
 * Backends other than file:// are not inspected (undefined): the driver then treats pending operations as
 * before, and a stale lock surfaces as a busy stack that `pulumi cancel` clears.
 */
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { processExists } from "../core/process";

export interface LockHolder {
    /** The lock file. */
    file: string;
    pid: number;
    username: string;
    hostname: string;
    timestamp: string;
    live: boolean;
}

/** Whether a local pid is still a Pulumi CLI (a recycled pid running something else is not the holder). */
function isPulumiProcess(pid: number): boolean {
    if (!processExists(pid)) return false;
    try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "pulumi";
    } catch {
        // No /proc (macOS): the pid exists, which is all there is to know.
        return true;
    }
}

export class BackendLocks {
    private constructor(private readonly root: string) {}

    /** undefined for backends whose locks cannot be read from here. */
    static forBackend(url: string | undefined): BackendLocks | undefined {
        if (!url?.startsWith("file://")) return undefined;
        return new BackendLocks(fileURLToPath(url));
    }

    holders(organization: string, project: string, stack: string): LockHolder[] {
        const dir = path.join(this.root, ".pulumi", "locks", organization, project, stack);
        let files: string[];
        try {
            files = readdirSync(dir).filter((f) => f.endsWith(".json"));
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
        return files.flatMap((name) => {
            const file = path.join(dir, name);
            let content: { pid?: number; username?: string; hostname?: string; timestamp?: string };
            try {
                content = JSON.parse(readFileSync(file, "utf8"));
            } catch {
                // Removed between listing and reading (the update ended), or being written: not a holder now.
                return [];
            }
            const pid = Number(content.pid);
            const local = content.hostname === hostname();
            return [{ file, pid, username: content.username ?? "?", hostname: content.hostname ?? "?", timestamp: content.timestamp ?? "?", live: !local || isPulumiProcess(pid) }];
        });
    }

    /** Removes a dead holder's lock, as `pulumi cancel` would, but only that one file. */
    release(holder: LockHolder): void {
        if (holder.live) throw new Error(`refusing to remove the lock of a live update (pid ${holder.pid} on ${holder.hostname})`);
        rmSync(holder.file, { force: true });
    }
}

export const describeHolder = (h: LockHolder) => `pid ${h.pid} of ${h.username} on ${h.hostname} since ${h.timestamp}`;
