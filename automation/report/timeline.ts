/**
 * A region's journal entries as bars on a timeline: bring-up, Argo CD sync, each traffic step, cron
 * cut-over, hold, teardown, rollback. The driver journals most actions as it starts them ("set weights",
 * "hold 30m", "destroy blue cluster"), so such a bar runs until the next one starts. Bring-up and the wait
 * for Argo CD end with an entry of their own ("green cluster is up", "Argo CD: ... Synced and Healthy"); the
 * wait for Argo CD starts when the cluster is up, and the time between Argo CD and the region's first
 * traffic step is the region waiting for its turn behind the regions before it.
 */
import { ReadEntry } from "./journal";

export type SegmentKind = "bring-up" | "argo" | "queued" | "traffic" | "wave-bake" | "cut-over" | "hold" | "teardown" | "rollback" | "halt" | "other";

export interface Segment {
    kind: SegmentKind;
    label: string;
    /** New-color percent of a traffic step. */
    weight?: number;
    /** Minutes since the run started. */
    start: number;
    end: number;
    /** It ended in a failure (a failed gate, an error) or is a rollback. */
    failed: boolean;
    /** The run stopped inside it: its end is the run's last entry, not the bar's. */
    interrupted: boolean;
}

/** A point of the new color's share of traffic over time. */
export interface WeightPoint {
    atMinutes: number;
    weight: number;
}

const FIXED: Record<string, { kind: SegmentKind; label: string }> = {
    "bring-up": { kind: "bring-up", label: "Bring-up" },
    argo: { kind: "argo", label: "Argo CD sync" },
    "cut-over": { kind: "cut-over", label: "Cron cut-over" },
    hold: { kind: "hold", label: "Hold" },
    teardown: { kind: "teardown", label: "Teardown" },
    rollback: { kind: "rollback", label: "Rollback" },
};

/** Kinds whose last entry says they are over. */
const ENDS_WITH_ENTRY = new Set<SegmentKind>(["bring-up", "argo", "wave-bake"]);

/** Phases that frame a run (or state a region's outcome) rather than take time in a region. */
const FRAME = new Set(["start", "end", "preflight", "outcome"]);

/** Region outcomes that end its timeline. */
export const TERMINAL_RESULTS = new Set(["completed", "rolled_back", "failed", "skipped", "paused", "halted", "nothing_to_do"]);

const isPercent = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 100;

/**
 * The new-color weight a traffic entry is about: its own `detail.weight`, or `detail.weights[newColor]`,
 * or else the weight of the gate look that ends the step's bake, or else the step under way.
 */
function trafficWeight(entries: ReadEntry[], index: number, newColor: string | null, previous: number | undefined): number | undefined {
    const detail = entries[index].detail ?? {};
    if (isPercent(detail.weight)) return detail.weight;
    const weights = detail.weights as Record<string, unknown> | undefined;
    if (newColor && weights && isPercent(weights[newColor])) return weights[newColor];
    for (const later of entries.slice(index + 1)) {
        if (later.gate) return later.gate.weight;
        if (later.phase !== "traffic") break;
    }
    // Nothing ahead names a weight: the entry is about the step under way ("paused at green 25%").
    return previous;
}

interface Run {
    key: string;
    kind: SegmentKind;
    label: string;
    weight?: number;
    first: number;
    last: number;
    failed: boolean;
}

function keyOf(entries: ReadEntry[], index: number, newColor: string | null, current: Run | undefined): Omit<Run, "first" | "last" | "failed"> | null {
    const entry = entries[index];
    if (FRAME.has(entry.phase)) return null;
    const fixed = FIXED[entry.phase];
    if (fixed) return { key: entry.phase, ...fixed };
    if (entry.phase === "wave") {
        // Waiting for the region's wave to start, or the wave bake at 100% before the next may.
        const wave = entry.detail?.wave;
        if (entry.detail?.kind === "wait") return { key: "wave-wait", kind: "queued", label: typeof wave === "number" ? `Waiting for wave ${wave}` : "Waiting for its wave" };
        // The wave gate's verdict ends a bake, or stands alone when the 100% step had baked long enough.
        if ((entry.detail?.kind === "ready" || entry.detail?.kind === "held") && current?.kind !== "wave-bake") {
            return { key: "wave-gate", kind: "wave-bake", label: entry.detail.kind === "ready" ? "Wave gate passed" : "Next wave held back" };
        }
        return { key: "wave-bake", kind: "wave-bake", label: "Wave bake" };
    }
    if (entry.phase === "traffic" || entry.phase === "gate") {
        const weight = entry.gate?.weight ?? trafficWeight(entries, index, newColor, current?.kind === "traffic" ? current.weight : undefined);
        return weight === undefined ? { key: "traffic", kind: "traffic", label: "Traffic" } : { key: `traffic:${weight}`, kind: "traffic", label: `${weight}%`, weight };
    }
    return { key: `other:${entry.phase}`, kind: "other", label: entry.phase };
}

/** Consecutive entries of the same phase (and, for traffic, the same weight) are one run of entries. */
function entryRuns(entries: ReadEntry[], newColor: string | null): Run[] {
    const runs: Run[] = [];
    entries.forEach((entry, index) => {
        let current = runs.at(-1);
        const keyed = keyOf(entries, index, newColor, current);
        if (keyed && keyed.key !== current?.key) {
            current = { ...keyed, first: entry.atMinutes, last: entry.atMinutes, failed: false };
            runs.push(current);
        }
        if (!current) return;
        current.last = entry.atMinutes;
        if (entry.gate?.verdict === "fail" || entry.result === "failed") current.failed = true;
    });
    return runs;
}

export interface RegionTimeline {
    segments: Segment[];
    weights: WeightPoint[];
    /** When the region's part of the run ended (its outcome entry, or the last thing known). */
    end: number;
}

/**
 * Segments of one region. `entries` are the region's, oldest first; `runEnd` is when the run's last entry was
 * written; `finished` says whether the run wrote its end entry (if not, the last segment was cut short).
 */
export function regionTimeline(entries: ReadEntry[], options: { newColor: string | null; runEnd: number; finished: boolean }): RegionTimeline {
    const outcomeAt = entries.findIndex((e) => e.result && TERMINAL_RESULTS.has(e.result));
    const own = outcomeAt >= 0 ? entries.slice(0, outcomeAt + 1) : entries;
    const end = outcomeAt >= 0 ? entries[outcomeAt].atMinutes : options.runEnd;
    const cutShort = outcomeAt < 0 && !options.finished;
    const runs = entryRuns(own, options.newColor);

    const segments: Segment[] = [];
    runs.forEach((run, i) => {
        const previous = runs[i - 1];
        const next = runs[i + 1];
        const start = run.kind === "argo" && previous?.kind === "bring-up" ? previous.last : run.first;
        const until = next ? (next.kind === "argo" && run.kind === "bring-up" ? run.last : next.first) : end;
        const interrupted = !next && cutShort;
        const stop = ENDS_WITH_ENTRY.has(run.kind) && !interrupted && (next || outcomeAt < 0) ? run.last : Math.max(start, until);
        const failed = run.failed || run.kind === "rollback" || next?.kind === "rollback";
        segments.push({ kind: run.kind, label: run.label, ...(run.weight !== undefined ? { weight: run.weight } : {}), start, end: stop, failed, interrupted });
        if (next && stop < until) segments.push({ kind: "queued", label: "Waiting for its turn", start: stop, end: until, failed: false, interrupted: false });
    });

    // A halt is a moment: where the stop-the-line switch (or the wave's news) stopped the region.
    if (outcomeAt >= 0 && entries[outcomeAt].result === "halted") segments.push({ kind: "halt", label: "Halted", start: end, end, failed: true, interrupted: false });

    const weights: WeightPoint[] = [];
    for (const segment of segments) {
        if (segment.weight !== undefined) weights.push({ atMinutes: segment.start, weight: segment.weight });
        if (segment.kind === "rollback" && weights.length > 0) weights.push({ atMinutes: segment.start, weight: 0 });
    }
    const last = weights.at(-1);
    if (last && end > last.atMinutes) weights.push({ atMinutes: end, weight: last.weight });
    return { segments, weights, end };
}
