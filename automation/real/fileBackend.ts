/**
 * What a DIY file backend (`file://...`) keeps on disk, read directly: who holds a stack's lock, and a stack's
 * checkpoint. Anything else (s3://, Pulumi Cloud, a layout this file does not know) is left to the CLI.
 *
 * Locks. Pulumi writes `<backend>/.pulumi/locks/<org>/<project>/<stack>/<id>.json` ({pid, username, hostname,
 * timestamp}) for the whole of an update (and of `stack init`) and removes it at the end; a CLI killed
 * meanwhile leaves it behind. A running update has pending operations in its checkpoint too, so the lock is
 * what tells a live update from a dead one. Only a holder on this host whose process is gone is provably
 * dead; one on another host counts as live.
 *
 * Checkpoints. A stack exists when its checkpoint does (`pulumi stack ls` lists them). `pulumi stack export` of a DIY stack prints `{version, features, deployment}` where the
 * deployment is the checkpoint file's `checkpoint.latest` as stored (pulumi v3.248.0,
 * pkg/backend/diy/backend.go ExportDeployment), and the file is replaced by a rename, never written in place
 * (gocloud.dev fileblob). Reading it costs microseconds where the CLI costs about half a second; the
 * project layout (`.pulumi/meta.yaml` version 1) keeps it at `.pulumi/stacks/<project>/<stack>.json`
 * (pkg/backend/diy/store.go StackBasePath), or `.json.gz`/`.json.zst` when compression is on: those, and a
 * missing project directory, are left to the CLI.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Deployment } from "@pulumi/pulumi/automation";
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

/** A checkpoint read from disk: the export of an existing stack, or `missing` when there is no such stack. */
export type StoredCheckpoint = { exists: true; deployment: Deployment } | { exists: false };

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

export class FileBackend {
    private constructor(private readonly root: string) {}

    /** undefined for backends whose files cannot be read from here. */
    static forBackend(url: string | undefined): FileBackend | undefined {
        if (!url?.startsWith("file://")) return undefined;
        return new FileBackend(fileURLToPath(url.replace(/\?.*$/, "")));
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

    /** The stack's checkpoint as `pulumi stack export` prints it; undefined when only the CLI can tell. */
    checkpoint(project: string, stack: string): StoredCheckpoint | undefined {
        if (!this.projectLayout()) return undefined;
        const dir = path.join(this.root, ".pulumi", "stacks", project);
        const file = path.join(dir, `${stack}.json`);
        if (existsSync(`${file}.gz`) || existsSync(`${file}.zst`)) return undefined;
        let text: string;
        try {
            text = readFileSync(file, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
            // No checkpoint in a project directory the backend has: no such stack.
            return existsSync(dir) ? { exists: false } : undefined;
        }
        const stored = JSON.parse(text) as { version?: number; features?: string[]; checkpoint?: { latest?: unknown } };
        if (stored.version !== 3 && stored.version !== 4) return undefined;
        const deployment = { version: stored.version, ...(stored.features ? { features: stored.features } : {}), deployment: stored.checkpoint?.latest } as Deployment;
        return { exists: true, deployment };
    }

    /** The project's stacks, as `pulumi stack ls` lists them; undefined when only the CLI can tell. */
    stacks(project: string): string[] | undefined {
        if (!this.projectLayout()) return undefined;
        try {
            const files = readdirSync(path.join(this.root, ".pulumi", "stacks", project));
            if (files.some((f) => /\.json\.(gz|zst)$/.test(f))) return undefined;
            return files.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length));
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
    }

    private projectLayout(): boolean {
        try {
            return /^version:\s*1\s*$/m.test(readFileSync(path.join(this.root, ".pulumi", "meta.yaml"), "utf8"));
        } catch {
            return false;
        }
    }
}

export const describeHolder = (h: LockHolder) => `pid ${h.pid} of ${h.username} on ${h.hostname} since ${h.timestamp}`;
