/**
 * The breakdown of a local rehearsal, from the profile the driver and its plugins wrote (MITENE_PROFILE,
 * automation/real/profile.ts): where the wall time went, per kind of operation. Spans overlap when stacks
 * are deployed at the same time, so the per-kind sums may exceed the wall time; "CLI running" counts each
 * instant once.
 */
import { existsSync, readFileSync } from "node:fs";
import { CommandTiming, OperationTiming, PhaseTiming, PluginTiming, ProfileRecord } from "../automation/real/profile";

export interface Span {
    start: number;
    end: number;
}

/** How long at least one of the spans was running. */
export function covered(spans: Span[]): number {
    let total = 0;
    let until = -Infinity;
    for (const { start, end } of [...spans].sort((a, b) => a.start - b.start)) {
        if (end <= until) continue;
        total += end - Math.max(start, until);
        until = end;
    }
    return total;
}

/** The phases of an operation (ms), in order; a phase whose marks are missing counts into the next one. */
export function operationPhases(op: OperationTiming): Record<string, number> {
    const { prelude, stackRegistered, firstResource, lastResource } = op.marks;
    const points: [string, number | undefined][] = [
        ["CLI start and state read", prelude],
        ["language host and runner start", stackRegistered],
        ["program load", firstResource],
        ["registration and steps", lastResource],
        ["checkpoint and exit", op.end],
    ];
    const phases: Record<string, number> = {};
    let from = op.start;
    for (const [name, at] of points) {
        if (at === undefined) continue;
        phases[name] = Math.max(0, at - from);
        from = at;
    }
    return phases;
}

const OPERATIONS = new Set(["up", "destroy", "refresh"]);

/** A CLI command's kind: its words before the first flag and the stack name (`stack export`, `stack init`). */
const commandKind = (args: string[]) => args.slice(0, 2).filter((arg) => !arg.startsWith("-") && !/^(ops|region|mitene)-/.test(arg)).join(" ");

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function sumBy<T>(items: T[], key: (item: T) => string, value: (item: T) => number): Map<string, { count: number; ms: number }> {
    const sums = new Map<string, { count: number; ms: number }>();
    for (const item of items) {
        const entry = sums.get(key(item)) ?? { count: 0, ms: 0 };
        entry.count++;
        entry.ms += value(item);
        sums.set(key(item), entry);
    }
    return sums;
}

/** The records of a profile; none when the run wrote none (a rerun with nothing to do runs no CLI). */
export function readProfile(file: string): ProfileRecord[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as ProfileRecord);
}

/** The breakdown as lines, for the run that spanned `run`. */
export function breakdown(records: ProfileRecord[], run: Span): string[] {
    const operations = records.filter((r): r is OperationTiming => r.kind === "operation");
    const commands = records.filter((r): r is CommandTiming => r.kind === "command");
    const plugins = records.filter((r): r is PluginTiming => r.kind === "plugin");
    const seeding = records.filter((r): r is PhaseTiming => r.kind === "phase" && r.name === "seeding");
    const wall = run.end - run.start;
    const lines = [`wall ${s(wall)}${seeding.length ? `, of which seeding ${s(covered(seeding))}` : ""}`];
    for (const [kind, { count, ms }] of sumBy(operations, (op) => op.operation, (op) => op.end - op.start)) {
        const phases = new Map<string, number>();
        for (const op of operations.filter((o) => o.operation === kind)) {
            for (const [name, phase] of Object.entries(operationPhases(op))) phases.set(name, (phases.get(name) ?? 0) + phase);
        }
        lines.push(`pulumi ${kind} x${count}: ${s(ms)} (${s(ms / count)} each): ${[...phases].map(([name, phase]) => `${name} ${s(phase)}`).join(", ")}`);
    }
    const others = sumBy(commands.filter((c) => !OPERATIONS.has(c.args[0])), (c) => commandKind(c.args), (c) => c.end - c.start);
    if (others.size > 0) lines.push(`other CLI commands: ${[...others].sort((a, b) => b[1].ms - a[1].ms).map(([kind, { count, ms }]) => `${kind} x${count} ${s(ms)}`).join(", ")}`);
    const starts = sumBy(plugins, (p) => p.name.replace(/^pulumi-(resource|language)-/, ""), (p) => p.end - p.start);
    if (starts.size > 0) {
        const total = plugins.reduce((sum, p) => sum + p.end - p.start, 0);
        lines.push(`plugin starts x${plugins.length}: ${s(total)} (within the operations above): ${[...starts].map(([name, { count, ms }]) => `${name} x${count} ${s(ms)}`).join(", ")}`);
    }
    const busy = covered(commands.map(({ start, end }) => ({ start, end })));
    lines.push(`a Pulumi CLI running ${s(busy)}; the driver alone (its own work, the AWS emulator, waits) ${s(wall - busy)}`);
    return lines;
}
