/**
 * One run of the journal as the report draws it: what it was, how it ended (or that it was cut short), and
 * per region the steps with their gate figures and the bars of its timeline. Pure: entries in, model out.
 */
import {
    GateLookDetail,
    Metrics,
    ReadEntry,
    Thresholds,
    opsResultSchema,
    otherResultSchema,
    upgradeResultSchema,
    RegionResultDoc,
    UpgradeResultDoc,
    OpsResultDoc,
} from "./journal";
import { offset } from "./format";
import { Segment, TERMINAL_RESULTS, WeightPoint, regionTimeline } from "./timeline";
import { count, formatMinutes } from "../core/wording";

export type RunKind = "upgrade" | "ops-upgrade" | "rollback" | "discard" | "run";

/** A look that measured (the ones charts and steps are drawn from). */
export interface GateLook extends GateLookDetail {
    atMinutes: number;
    measured: NonNullable<GateLookDetail["measured"]>;
}

export interface StepModel {
    weight: number;
    /** pass, fail or inconclusive (or a newer driver's verdict). */
    verdict: string;
    /** How many times the gate looked during the step. */
    looks: number;
    measured: Partial<Metrics> | null;
    /** The same per service (its own target group of the new color). */
    services: Record<string, Partial<Metrics>>;
    baseline: Metrics | null;
    thresholds: Thresholds | null;
    findings: string[];
}

export interface RegionModel {
    region: string;
    /** Its wave in the rollout plan (0: the canary); null from older drivers. */
    wave: number | null;
    /** When its wave started and why then, or why it did not start (the canary's starts at once). */
    waveNote: string | null;
    from: string | null;
    to: string | null;
    /** The region's outcome; `interrupted` when the run stopped before the region had one. */
    result: string;
    reason: string | null;
    faultToRollbackMinutes: number | null;
    steps: StepModel[];
    looks: GateLook[];
    segments: Segment[];
    weights: WeightPoint[];
    /** What the region did last (an interrupted run's regions are described by it). */
    lastEvent: { atMinutes: number; event: string } | null;
}

export interface EventModel {
    atMinutes: number;
    region: string | null;
    phase: string;
    event: string;
    result: string | null;
}

export interface RunModel {
    runId: string;
    env: string;
    kind: RunKind;
    /** e.g. "upgrade of prod to Kubernetes 1.35". */
    title: string;
    /** ISO time of minute 0 of the run, on the run's clock. */
    startedAt: string;
    durationMinutes: number;
    /** The run's outcome; `interrupted` when it has no end entry. */
    result: string;
    interrupted: boolean;
    to: string | null;
    engine: string | null;
    regions: RegionModel[];
    /** Stages of an in-place Ops upgrade. */
    stages: OpsResultDoc["stages"];
    /** The end entry's result, for kinds the report has no table for (rollback, discard). */
    outcome: Record<string, unknown> | null;
    /** Events other than gate looks (those are in the steps). */
    events: EventModel[];
    /** Things the reader must know: skipped lines, an interrupted run. */
    notes: string[];
    /** The env's support calendar and readiness ledger as the run's preflight saw them (automation/plan/journal.ts). */
    cycle: CycleDoc | null;
    /** The stop-the-line switch this run stopped at, as it said so; null when it did not. */
    halt: string | null;
}

export interface CycleDoc {
    at: string;
    to: string;
    calendar: { cluster: string; version: string; upgradePolicy: string; phase: string; endOfStandardSupport: string | null; endOfExtendedSupport: string | null; daysLeft: number | null; extraCostPerMonthUsd: number; costSource: string; datesVerified: boolean }[];
    ledger: { cluster: string; item: string; kind: string; pinned: string | null; moveTo: string | null; severity: string; detail: string; source: string; file?: string }[];
}

/** The cycle entry's detail, when it has the shape a reader can trust. */
function cycleOf(entries: ReadEntry[]): CycleDoc | null {
    const detail = entries.find((e) => e.detail && typeof e.detail.cycle === "object")?.detail?.cycle as Partial<CycleDoc> | undefined;
    if (!detail || typeof detail.at !== "string" || typeof detail.to !== "string" || !Array.isArray(detail.calendar) || !Array.isArray(detail.ledger)) return null;
    return detail as CycleDoc;
}

const KIND_BY_TEXT: [RegExp, RunKind][] = [
    [/^(mitene )?(ops[- ]upgrade|upgrade the ops cluster)/i, "ops-upgrade"],
    [/^(mitene )?(upgrade|rehearse)\b/i, "upgrade"],
    [/^(mitene )?rollback\b/i, "rollback"],
    [/^(mitene )?discard\b/i, "discard"],
];

function kindOf(first: ReadEntry, result: { upgrade?: UpgradeResultDoc; ops?: OpsResultDoc }): RunKind {
    if (result.upgrade) return "upgrade";
    if (result.ops) return "ops-upgrade";
    const command = typeof first.detail?.command === "string" ? first.detail.command : "";
    for (const text of [command, first.event]) {
        const match = KIND_BY_TEXT.find(([pattern]) => pattern.test(text));
        if (match) return match[1];
    }
    return "run";
}

function targetVersion(first: ReadEntry, result: { upgrade?: UpgradeResultDoc; ops?: OpsResultDoc }): string | null {
    const fromResult = result.upgrade?.to ?? result.ops?.to;
    if (fromResult) return fromResult;
    const options = first.detail?.options as Record<string, unknown> | undefined;
    const to = options?.to ?? first.detail?.to;
    return typeof to === "string" ? to : null;
}

function titleOf(kind: RunKind, env: string, to: string | null, first: ReadEntry): string {
    const version = to ? ` to Kubernetes ${to}` : "";
    switch (kind) {
        case "upgrade":
            return `upgrade of ${env}${version}`;
        case "ops-upgrade":
            return `in-place upgrade of the Ops cluster of ${env}${version}`;
        case "rollback":
            return `rollback in ${env}`;
        case "discard":
            return `discard in ${env}`;
        default:
            return first.event;
    }
}

/** Consecutive looks at the same weight are one step. */
function groupLooks(looks: GateLook[]): GateLook[][] {
    const groups: GateLook[][] = [];
    for (const look of looks) {
        const current = groups.at(-1);
        if (current && current[0].weight === look.weight) current.push(look);
        else groups.push([look]);
    }
    return groups;
}

function stepFromLooks(group: GateLook[]): StepModel {
    const last = group[group.length - 1];
    return {
        weight: last.weight,
        verdict: last.verdict,
        looks: group.length,
        measured: last.measured,
        services: last.services ?? {},
        baseline: last.baseline ?? null,
        thresholds: last.thresholds,
        findings: last.findings.map((f) => f.message),
    };
}

/** The result's steps are the summary; the looks add thresholds and the old color's figures. */
function stepsOf(looks: GateLook[], result: RegionResultDoc | undefined): StepModel[] {
    const groups = groupLooks(looks);
    if (!result) return groups.map(stepFromLooks);
    const unused = [...groups];
    return result.steps.map((step) => {
        const index = unused.findIndex((g) => g[0].weight === step.weight);
        const group = index >= 0 ? unused.splice(index, 1)[0] : undefined;
        const fromLooks = group ? stepFromLooks(group) : undefined;
        return {
            weight: step.weight,
            verdict: step.gate,
            looks: step.checks ?? fromLooks?.looks ?? 0,
            measured: step.measured ?? fromLooks?.measured ?? null,
            services: step.services ?? fromLooks?.services ?? {},
            baseline: fromLooks?.baseline ?? null,
            thresholds: fromLooks?.thresholds ?? null,
            findings: step.findings ?? fromLooks?.findings ?? [],
        };
    });
}

function endResult(end: ReadEntry | undefined): { upgrade?: UpgradeResultDoc; ops?: OpsResultDoc; other?: Record<string, unknown> } {
    const raw = end?.detail?.result;
    const upgrade = upgradeResultSchema.safeParse(raw);
    if (upgrade.success) return { upgrade: upgrade.data };
    const ops = opsResultSchema.safeParse(raw);
    if (ops.success) return { ops: ops.data };
    // Shown field by field in the command's own order.
    return otherResultSchema.safeParse(raw).success ? { other: raw as Record<string, unknown> } : {};
}

/** The run's waves, as its rollout plan entry says them; none from older drivers. */
function planOf(entries: ReadEntry[]): string[][] {
    const waves = entries.find((e) => e.phase === "wave" && e.detail?.kind === "plan")?.detail?.waves;
    return Array.isArray(waves) && waves.every((w) => Array.isArray(w) && w.every((r) => typeof r === "string")) ? (waves) : [];
}

/** Builds the model of run `runId` from every readable entry of the journal. */
export function buildRun(all: ReadEntry[], runId: string, skippedLines: number[] = []): RunModel {
    // Time order; entries written at the same minute keep the order they were written in.
    const entries = all.filter((e) => e.runId === runId).sort((a, b) => a.atMinutes - b.atMinutes || a.line - b.line);
    if (entries.length === 0) throw new Error(`no entries for run ${runId}`);
    // The run's start entry says what it was; a run cut short before it has only its earliest line.
    const first = entries.find((e) => e.phase === "start") ?? entries.reduce((earliest, e) => (e.line < earliest.line ? e : earliest));
    const end = entries.find((e) => e.phase === "end" && !e.region);
    const result = endResult(end);
    const kind = kindOf(first, result);
    const to = targetVersion(first, result);
    const lastAt = Math.max(...entries.map((e) => e.atMinutes));
    const runEnd = end?.atMinutes ?? lastAt;
    const finished = end !== undefined;

    const runResult = finished ? (result.upgrade?.result ?? result.ops?.result ?? (typeof result.other?.result === "string" ? result.other.result : null) ?? end.result ?? "unknown") : "interrupted";
    const regionNames = [...new Set([...(result.upgrade?.regions.map((r) => r.region) ?? []), ...entries.flatMap((e) => (e.region ? [e.region] : []))])];
    const waves = planOf(entries);
    const waveEvents = entries.filter((e) => !e.region && e.phase === "wave" && typeof e.detail?.wave === "number");
    const regions = regionNames.map((name): RegionModel => {
        const own = entries.filter((e) => e.region === name);
        const doc = result.upgrade?.regions.find((r) => r.region === name);
        // A look that could not measure (a failed metrics query) has nothing to draw; its verdict is in the events.
        // A wave bake's looks are no traffic step's.
        const looks = own.flatMap((e) => (e.phase === "gate" && e.gate?.measured ? [{ ...e.gate, measured: e.gate.measured, atMinutes: e.atMinutes }] : []));
        const wave = doc?.wave ?? (waves.findIndex((w) => w.includes(name)) >= 0 ? waves.findIndex((w) => w.includes(name)) : null);
        const note = wave === null ? undefined : waveEvents.find((e) => e.detail!.wave === wave);
        const why = note ? note.event.slice(note.event.indexOf(": ") + 2) : "";
        const timeline = regionTimeline(own, { newColor: doc?.to ?? null, runEnd, finished });
        const outcome = own.find((e) => e.result && TERMINAL_RESULTS.has(e.result));
        const lastEntry = own.at(-1);
        return {
            region: name,
            wave,
            waveNote: note ? (note.detail!.kind === "start" ? `started at ${offset(note.atMinutes)}, once ${why}` : `did not start: ${why}`) : null,
            from: doc?.from ?? null,
            to: doc?.to ?? null,
            result: doc?.result ?? outcome?.result ?? (finished ? runResult : "interrupted"),
            reason: doc?.reason ?? null,
            faultToRollbackMinutes: doc?.faultToRollbackMinutes ?? null,
            steps: stepsOf(looks, doc),
            looks,
            segments: timeline.segments,
            weights: timeline.weights,
            lastEvent: lastEntry ? { atMinutes: lastEntry.atMinutes, event: lastEntry.event } : null,
        };
    });

    const notes: string[] = [];
    if (!finished) {
        const last = entries[entries.length - 1];
        notes.push(`This run has no end entry: it was interrupted (killed, or its machine lost) after ${formatMinutes(lastAt)}. Its last entry: "${last.event}".`);
    }
    if (skippedLines.length > 0) {
        const shown = skippedLines.slice(0, 10).join(", ");
        notes.push(`${count(skippedLines.length, "journal line")} could not be read and ${skippedLines.length === 1 ? "was" : "were"} skipped (line ${shown}${skippedLines.length > 10 ? ", ..." : ""}).`);
    }

    const startMs = Date.parse(first.at) - first.atMinutes * 60_000;
    const doc = result.upgrade ?? result.ops;
    return {
        runId,
        env: first.env,
        kind,
        title: titleOf(kind, first.env, to, first),
        startedAt: new Date(startMs).toISOString(),
        durationMinutes: doc?.durationMinutes ?? runEnd,
        result: runResult,
        interrupted: !finished,
        to,
        engine: doc?.engine ?? null,
        // Wave by wave, the plan's order within each.
        regions: regions.sort((a, b) => (a.wave ?? Infinity) - (b.wave ?? Infinity)),
        stages: result.ops?.stages ?? [],
        outcome: result.other ?? null,
        events: entries.filter((e) => !e.gate).map((e) => ({ atMinutes: e.atMinutes, region: e.region ?? null, phase: e.phase, event: e.event, result: e.result ?? null })),
        notes,
        cycle: cycleOf(entries),
        halt: entries.find((e) => !e.region && e.phase === "halt")?.event ?? null,
    };
}
