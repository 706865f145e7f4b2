/**
 * The sim engine's state directory. Every file is replaced atomically (write a temporary file, then rename),
 * so a process killed at any instant leaves each file either as it was or as it became: always readable.
 *
 *   stacks/<stack>.json      configuration, resource graph and outputs of each stack
 *   operations/<stack>.json  marker of an operation in progress (left behind by a killed run)
 *   leases/<env>.json        the env's upgrade lease
 *   control/<env>-halt.json  the env's stop-the-line switch, while it is on
 *   control/<env>-rollout.json  the rollout plan of the env's latest upgrade
 *   journal/<env>.jsonl      what every run did
 *   clock.json               virtual time, carried from run to run
 *   seeding-<env>            present while an env is being seeded
 */
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { MiB, readInputFile } from "../../stacks/inputFile";
import { RecordedResource } from "../../fakecloud/mockRuntime";
import { StateFileError } from "../core/errors";
import { checkRecord, clockSchema } from "../core/records";
import { checkStackRecord } from "./records";
import { StackConfig } from "../core/ports";
import { WeightChange } from "../scenario/traffic";

export interface SimStackRecord {
    name: string;
    config: StackConfig;
    /** Whether the stack has resources (deployed and not destroyed). */
    deployed: boolean;
    outputs: Record<string, unknown> | null;
    secretOutputs: string[];
    resources: RecordedResource[];
    /** Virtual time (ms) at which each output last changed: when a cluster came up, when cron was turned off. */
    outputChangedAt: Record<string, number>;
    /** Region stacks: every deployed change of the weights, oldest first (the sim's traffic reads the past). */
    weightHistory?: WeightChange[];
}

export interface OperationMarker {
    stack: string;
    operation: string;
    pid: number;
    host: string;
    /** Wall-clock ISO time the operation started. */
    startedAt: string;
}

let tmpCounter = 0;

export class SimStore {
    constructor(readonly dir: string) {}

    private file(...parts: string[]): string {
        return path.join(this.dir, ...parts);
    }

    private readonly directories = new Set<string>();

    /** Writes `data` as JSON to `relative`, atomically. */
    writeJson(relative: string, data: unknown): void {
        const target = this.file(relative);
        const directory = path.dirname(target);
        if (!this.directories.has(directory)) {
            mkdirSync(directory, { recursive: true });
            this.directories.add(directory);
        }
        const tmp = `${target}.tmp-${process.pid}-${tmpCounter++}`;
        writeFileSync(tmp, JSON.stringify(data));
        renameSync(tmp, target);
    }

    /**
     * Writes `data` as JSON to `relative` only if no file is there: a complete temporary file is hard-linked into
     * place, so of two writers racing the first stands, and no reader ever sees a partial one. False when taken.
     */
    createJson(relative: string, data: unknown): boolean {
        const target = this.file(relative);
        mkdirSync(path.dirname(target), { recursive: true });
        const tmp = `${target}.tmp-${process.pid}-${tmpCounter++}`;
        writeFileSync(tmp, JSON.stringify(data));
        try {
            linkSync(tmp, target);
            return true;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
            throw error;
        } finally {
            rmSync(tmp, { force: true });
        }
    }

    /**
     * Parsed files by path, valid while the file is the same one (inode, size and modification time: every
     * write renames a new file into place). Stack records are large and read at every step of a run.
     * Callers never change what they read.
     */
    private readonly parsed = new Map<string, { key: string; value: unknown }>();

    /**
     * undefined when the file is missing; a file that is not JSON is named in a StateFileError, and so is one
     * that `check` (given the parsed value and the file) refuses. Only checked values are kept.
     */
    readJson<T>(relative: string, check?: (value: unknown, file: string) => void): T | undefined {
        const file = this.file(relative);
        let text: string;
        let key: string;
        try {
            const stat = statSync(file);
            key = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
            const cached = this.parsed.get(file);
            if (cached?.key === key) return cached.value as T;
            text = readInputFile(file, 256 * MiB);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw new StateFileError(`cannot read state file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        let value: T;
        try {
            value = JSON.parse(text) as T;
        } catch (error) {
            throw new StateFileError(`state file ${file} is damaged (${(error as Error).message}); restore it or start over with an empty --state`);
        }
        check?.(value, file);
        this.parsed.set(file, { key, value });
        return value;
    }

    remove(relative: string): void {
        rmSync(this.file(relative), { force: true });
    }

    exists(relative: string): boolean {
        return existsSync(this.file(relative));
    }

    private list(folder: string, suffix: string): string[] {
        try {
            return readdirSync(this.file(folder))
                .filter((f) => f.endsWith(suffix) && !f.includes(".tmp-"))
                .map((f) => f.slice(0, -suffix.length))
                .sort();
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
    }

    stackNames(): string[] {
        return this.list("stacks", ".json");
    }

    readStack(name: string): SimStackRecord | undefined {
        return this.readJson<SimStackRecord>(path.join("stacks", `${name}.json`), (value, file) => checkStackRecord(value, file, name));
    }

    writeStack(record: SimStackRecord): void {
        this.writeJson(path.join("stacks", `${record.name}.json`), record);
    }

    deleteStack(name: string): void {
        this.remove(path.join("stacks", `${name}.json`));
    }

    /** Stacks with an operation marker (whether or not the marker is readable). */
    markedStacks(): string[] {
        return this.list("operations", ".json");
    }

    /**
     * The marker of an operation on `stack`; one that cannot be read names no holder, so it is reported as
     * an operation whose process is gone (pending, resolved by --recover).
     */
    readMarker(stack: string): OperationMarker | undefined {
        try {
            const marker = this.readJson<OperationMarker>(path.join("operations", `${stack}.json`));
            if (marker === undefined || (typeof marker.pid === "number" && typeof marker.host === "string")) return marker;
        } catch (error) {
            if (!(error instanceof StateFileError)) throw error;
        }
        return { stack, operation: `unreadable marker ${this.file("operations", `${stack}.json`)}`, pid: -1, host: "", startedAt: "" };
    }

    writeMarker(marker: OperationMarker): void {
        this.writeJson(path.join("operations", `${marker.stack}.json`), marker);
    }

    clearMarker(stack: string): void {
        this.remove(path.join("operations", `${stack}.json`));
    }

    readClock(): number | undefined {
        return this.readJson<{ now: number }>("clock.json", (value, file) => checkRecord(clockSchema, value, `state file ${file}`))?.now;
    }

    writeClock(now: number): void {
        this.writeJson("clock.json", { now });
    }
}
