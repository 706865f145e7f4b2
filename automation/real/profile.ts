/**
 * Where a run's time goes, when asked (`MITENE_PROFILE=<file>`, which `npm run bench` sets): one JSON line per
 * Pulumi CLI command, per operation (`up`, `destroy`, `refresh`: when the engine's events showed each phase
 * begin) and per plugin start (the plugins append their own line, tools/pulumi-plugins/lifecycle.ts). Times
 * are milliseconds since the epoch. Lines from concurrent processes are appended whole (O_APPEND).
 */
import { appendFileSync } from "node:fs";
import type { EngineEvent } from "@pulumi/pulumi/automation";

export interface CommandTiming {
    kind: "command";
    args: string[];
    start: number;
    end: number;
    ok: boolean;
}

/**
 * The phases of one operation, from the arrival of its events: the CLI starts and reads the state until the
 * prelude; the language host and the SDK's runner start until the root Stack resource registers; the program
 * loads (TypeScript, the SDKs) until its first own resource; registration (providers starting, diffs, steps)
 * until the last resource event; then the final checkpoint and the plugins' shutdown until the CLI exits.
 */
export interface OperationMarks {
    prelude?: number;
    stackRegistered?: number;
    firstResource?: number;
    lastResource?: number;
}

export interface OperationTiming {
    kind: "operation";
    operation: string;
    stack: string;
    start: number;
    end: number;
    marks: OperationMarks;
}

/** Written by a plugin: from its process's start until it announced its port. */
export interface PluginTiming {
    kind: "plugin";
    name: string;
    start: number;
    end: number;
}

/** A stretch of the driver's own work the breakdown names (seeding). */
export interface PhaseTiming {
    kind: "phase";
    name: string;
    start: number;
    end: number;
}

export type ProfileRecord = CommandTiming | OperationTiming | PluginTiming | PhaseTiming;
export type Profile = (record: ProfileRecord) => void;

/** Appends each record to `file`; nothing when no file is named. */
export function profileTo(file: string | undefined): Profile | undefined {
    if (!file) return undefined;
    return (record) => appendFileSync(file, JSON.stringify(record) + "\n");
}

const ROOT_STACK = "pulumi:pulumi:Stack";

/** The marks of an operation from its events, each with the time it arrived. */
export function operationMarks(events: { event: EngineEvent; at: number }[]): OperationMarks {
    const marks: OperationMarks = {};
    for (const { event, at } of events) {
        if (event.preludeEvent) marks.prelude ??= at;
        const metadata = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
        if (!metadata) continue;
        // The root registers before the program's resources when a program runs (a destroy deletes it last).
        if (metadata.type === ROOT_STACK && marks.firstResource === undefined) {
            marks.stackRegistered ??= at;
            continue;
        }
        // Default providers register when the first resource needing them does: they are the program's too.
        marks.firstResource ??= at;
        marks.lastResource = at;
    }
    return marks;
}
