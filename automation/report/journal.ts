/**
 * Reading a journal for `mitene report`: every line is validated against the entry shape the driver writes
 * (automation/core/ports.ts `JournalEntry`). A line that does not parse was torn by a kill (the next append
 * starts a new line): skipped and counted. One that parses but is not an entry was edited by hand or damaged:
 * named, line and field, and the report refuses it (core/records.ts). Fields a newer driver adds are ignored.
 */
import { z } from "zod";
import { recordProblems } from "../core/records";

const finite = z.number().finite();
const count = finite.min(0);

/** A color's figures over one gate window. */
const metricsSchema = z.object({
    requests: count,
    errors: count.optional(),
    /** 5xx / requests. */
    errorRate: finite.min(0).max(1),
    /** null when the window had no traffic. */
    p99Ms: count.nullable(),
    unhealthyHosts: count,
    /** The region's row: 5xx the load balancer answered itself, charged to the new color (in errors and requests). */
    loadBalancerErrors: count.optional(),
});

/** The gate's thresholds as configured (`mitene:gate`); only what the report draws is read. */
const thresholdsSchema = z.object({
    maxErrorRate: finite.optional(),
    maxP99Ms: finite.optional(),
    maxUnhealthyHosts: finite.optional(),
    maxErrorRateRatio: finite.optional(),
    maxP99Ratio: finite.optional(),
    minRequests: finite.optional(),
});

/** A failed check of a look (automation/gate/checks.ts `CheckFailure`). */
const findingSchema = z.object({
    check: z.string(),
    value: finite.nullable(),
    threshold: finite,
    /** The exact test's p-value, for count-based checks. */
    pValue: finite.optional(),
    message: z.string(),
});

/** A look's verdict: "error" when its metrics could not be read. */
const lookVerdictSchema = z.enum(["pass", "fail", "error"]);

/** `detail` of a gate look (phase "gate"). */
export const gateLookSchema = z.object({
    weight: finite.min(0).max(100),
    /** Which look of the step's bake this is. */
    look: z.number().int().min(0),
    verdict: lookVerdictSchema,
    /** null when the look could not measure (a failed query). */
    measured: metricsSchema.nullable(),
    /** The same per service (each service's target group of the new color); absent from older drivers. */
    services: z.record(z.string(), metricsSchema).nullable().optional(),
    /** The old color over the same window; null when it had too little traffic to compare with. */
    baseline: metricsSchema.nullable().optional(),
    thresholds: thresholdsSchema,
    findings: z.array(findingSchema),
});

const regionResultSchema = z.object({
    region: z.string(),
    /** Its wave in the rollout plan (0: the canary); absent from older drivers. */
    wave: z.number().int().min(0).optional(),
    from: z.string().nullable().optional(),
    to: z.string().nullable().optional(),
    result: z.string(),
    reason: z.string().nullable().optional(),
    steps: z
        .array(
            z.object({
                weight: finite,
                // Read as text: a verdict this reader does not know yet is shown, not a reason to drop the result.
                gate: z.string(),
                checks: count.optional(),
                measured: metricsSchema.partial().optional(),
                services: z.record(z.string(), metricsSchema.partial()).nullable().optional(),
                findings: z.array(z.string()).optional(),
            }),
        )
        .default([]),
    faultToRollbackMinutes: finite.nullable().optional(),
});

/** `detail.result` of the end entry of an upgrade (or rehearse): the `upgrade --json` document. */
export const upgradeResultSchema = z.object({
    env: z.string(),
    to: z.string(),
    result: z.string(),
    regions: z.array(regionResultSchema),
    durationMinutes: finite.optional(),
    engine: z.string().optional(),
});

/** `detail.result` of the end entry of an in-place Ops upgrade. */
export const opsResultSchema = z.object({
    env: z.string(),
    to: z.string(),
    result: z.string(),
    stages: z.array(z.object({ stage: z.string(), result: z.string(), detail: z.string().nullable().optional() })),
    durationMinutes: finite.optional(),
    engine: z.string().optional(),
});

/** Any other command's result (rollback, discard): only its outcome is read, the rest is shown as is. */
export const otherResultSchema = z.looseObject({ result: z.string() });

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO time");

export const entrySchema = z.object({
    /** The run's clock: virtual time on sim and local. */
    at: isoTime,
    /** Minutes since the run started, on the run's clock (a run never lasts a million minutes). */
    atMinutes: count.max(1e6),
    runId: z.string().min(1),
    env: z.string().min(1),
    region: z.string().nullable().optional(),
    event: z.string(),
    /** start, preflight, bring-up, argo, traffic, gate, cut-over, hold, teardown, rollback, end, or newer. */
    phase: z.string().min(1),
    result: z.string().nullable().optional(),
    detail: z.record(z.string(), z.unknown()).nullable().optional(),
});

export type JournalLine = z.output<typeof entrySchema>;
export type GateLookDetail = z.output<typeof gateLookSchema>;
export type Metrics = z.output<typeof metricsSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
export type UpgradeResultDoc = z.output<typeof upgradeResultSchema>;
export type RegionResultDoc = z.output<typeof regionResultSchema>;
export type OpsResultDoc = z.output<typeof opsResultSchema>;

/** A journal entry as the report uses it: gate looks carry their parsed detail. */
export interface ReadEntry extends JournalLine {
    /** Position in the file, to keep the order entries were written in. */
    line: number;
    gate?: GateLookDetail;
}

export interface ParsedJournal {
    entries: ReadEntry[];
    /** Lines torn by a kill (not JSON), by line number (1-based). */
    skipped: number[];
    /** What is wrong with the lines that parse but are not entries (`line 12.at: ...`), a gate look's detail included. */
    invalid: string[];
}

/** Parses JSON Lines; blank lines are ignored, torn ones counted, invalid ones described. */
export function parseJournal(text: string): ParsedJournal {
    const entries: ReadEntry[] = [];
    const skipped: number[] = [];
    const invalid: string[] = [];
    text.split("\n").forEach((raw, index) => {
        const line = index + 1;
        if (raw.trim() === "") return;
        let json: unknown;
        try {
            json = JSON.parse(raw);
        } catch {
            skipped.push(line);
            return;
        }
        const problems = recordProblems(entrySchema, json, [`line ${line}`]);
        if (problems.length > 0) {
            invalid.push(...problems);
            return;
        }
        const entry: ReadEntry = { ...entrySchema.parse(json), line };
        // A gate (or wave bake) entry with `look` is one look; without it, the step's verdict, read as an ordinary event.
        if ((entry.phase === "gate" || entry.phase === "wave") && entry.detail && "look" in entry.detail) {
            const gate = gateLookSchema.safeParse(entry.detail);
            if (!gate.success) {
                invalid.push(...recordProblems(gateLookSchema, entry.detail, [`line ${line}`, "detail"]));
                return;
            }
            entry.gate = gate.data;
        }
        entries.push(entry);
    });
    return { entries, skipped, invalid };
}

export interface RunSummary {
    runId: string;
    /** First entry's event: what the run set out to do. */
    title: string;
    startedAt: string;
    entries: number;
    /** Line of the run's last entry: the run that wrote last is the latest. */
    lastLine: number;
}

/** The runs of a journal, in the order they started. */
export function listRuns(entries: ReadEntry[]): RunSummary[] {
    const runs = new Map<string, RunSummary>();
    for (const entry of entries) {
        const run = runs.get(entry.runId);
        if (run) {
            run.entries++;
            run.lastLine = entry.line;
        } else {
            runs.set(entry.runId, { runId: entry.runId, title: entry.event, startedAt: entry.at, entries: 1, lastLine: entry.line });
        }
    }
    return [...runs.values()];
}

/** The run that wrote the journal's last readable entry (an upgrade that outlived a rollback it saw is it). */
export function latestRun(runs: RunSummary[]): RunSummary | undefined {
    return runs.reduce<RunSummary | undefined>((latest, run) => (!latest || run.lastLine > latest.lastLine ? run : latest), undefined);
}
