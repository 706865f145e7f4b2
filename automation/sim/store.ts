/**
 * The sim engine's state directory. Every file is replaced atomically (write a temporary file, then rename),
 * so a process killed at any instant leaves each file either as it was or as it became: always readable.
 *
 *   stacks/<stack>.json      configuration, resource graph and outputs of each stack
 *   operations/<stack>.json  marker of an operation in progress (left behind by a killed run)
 *   leases/<env>.json        the env's upgrade lease
 *   journal/<env>.jsonl      what every run did
 *   clock.json               virtual time, carried from run to run
 *   seeding-<env>            present while an env is being seeded
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "../../fakecloud/mockRuntime";
import { StackConfig } from "../ports";

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

    /** Writes `data` as JSON to `relative`, atomically. */
    writeJson(relative: string, data: unknown): void {
        const target = this.file(relative);
        mkdirSync(path.dirname(target), { recursive: true });
        const tmp = `${target}.tmp-${process.pid}-${tmpCounter++}`;
        writeFileSync(tmp, JSON.stringify(data, null, 1));
        renameSync(tmp, target);
    }

    readJson<T>(relative: string): T | undefined {
        try {
            return JSON.parse(readFileSync(this.file(relative), "utf8")) as T;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw error;
        }
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

    /** True when the directory holds no state at all (missing or empty). */

    stackNames(): string[] {
        return this.list("stacks", ".json");
    }

    readStack(name: string): SimStackRecord | undefined {
        return this.readJson<SimStackRecord>(path.join("stacks", `${name}.json`));
    }

    writeStack(record: SimStackRecord): void {
        this.writeJson(path.join("stacks", `${record.name}.json`), record);
    }

    deleteStack(name: string): void {
        this.remove(path.join("stacks", `${name}.json`));
    }

    markers(): OperationMarker[] {
        return this.list("operations", ".json").map((stack) => this.readMarker(stack)!).filter(Boolean);
    }

    readMarker(stack: string): OperationMarker | undefined {
        return this.readJson<OperationMarker>(path.join("operations", `${stack}.json`));
    }

    writeMarker(marker: OperationMarker): void {
        this.writeJson(path.join("operations", `${marker.stack}.json`), marker);
    }

    clearMarker(stack: string): void {
        this.remove(path.join("operations", `${stack}.json`));
    }

    readClock(): number | undefined {
        return this.readJson<{ now: number }>("clock.json")?.now;
    }

    writeClock(now: number): void {
        this.writeJson("clock.json", { now });
    }
}
