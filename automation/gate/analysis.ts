/**
 * Continuous analysis of one traffic step (the Flagger / Argo Rollouts background-analysis model): while the
 * step bakes, the gate looks every interval at two windows of the new color's metrics, the last interval
 * (a fault shows within a minute) and everything since the step began (small regressions show as counts
 * accumulate). A failed look, `failureLimit` times in a row, ends the step at once; failed metric queries
 * fail closed after `queryErrorLimit` in a row. The step is promoted only once the whole bake window has
 * passed with at least `minRequests` on the new color; too little traffic is inconclusive, never a pass.
 */
import { GateConfig } from "../../stacks/config/schema";
import { ColorMetrics, MetricsUnavailableError } from "../core/ports";
import { CheckFailure, Measured, WindowVerdict, judgeWindow, latencyThresholds, measured, measurementProblem } from "./checks";
import { count, formatMinutes } from "../core/wording";

export type StepVerdict = "pass" | "fail" | "inconclusive";

/** What one look saw, for the journal (`phase: "gate"`) and the report. */
export interface Look {
    /** 1, 2, ... within the step. */
    look: number;
    /** Minutes since the step's weight was set. */
    atMinutes: number;
    verdict: "pass" | "fail" | "error";
    /** The new color since the step began (the window a promotion is judged on). */
    measured: Measured | null;
    /** The old color over the same span (or before the step, when it carries too little traffic now). */
    baseline: Measured | null;
    findings: CheckFailure[];
    /** Why the look could not measure. */
    error?: string;
}

export interface StepAnalysis {
    verdict: StepVerdict;
    /** Looks taken. */
    checks: number;
    /** The new color since the step began, at the last look that measured. */
    measured: Measured | null;
    /** Why the step did not pass. */
    reason: string | null;
    findings: CheckFailure[];
}

export interface AnalysisIo {
    now(): number;
    sleep(ms: number): Promise<void>;
    /** Metrics of `color` ("new" or "old") over [from, to], with slow-request counts above `latencyThresholdsMs`. */
    query(color: "new" | "old", from: number, to: number, latencyThresholdsMs: number[]): Promise<ColorMetrics>;
    /** Called before every look: throws to stop the step (e.g. a rollback by someone else). */
    checkpoint(): Promise<void>;
    onLook(look: Look): Promise<void>;
}

export interface AnalysisOptions {
    config: GateConfig;
    bakeMs: number;
    intervalMs: number;
}

const MINUTE = 60_000;

/** A query that throws anything but MetricsUnavailableError is a bug or an outage of ours: let it surface. */
async function orError<T>(work: () => Promise<T>): Promise<T | { error: string }> {
    try {
        return await work();
    } catch (error) {
        if (error instanceof MetricsUnavailableError) return { error: error.detail };
        throw error;
    }
}

const isError = (value: unknown): value is { error: string } => typeof value === "object" && value !== null && "error" in value;

/** The old color's metrics to compare with: the same window, or the window before the step if it is too quiet now. */
async function baselineFor(io: AnalysisIo, options: AnalysisOptions, start: number, from: number, to: number): Promise<Measured | null | { error: string }> {
    const current = await orError(() => io.query("old", from, to, []));
    if (isError(current)) return current;
    if (!measurementProblem(current) && current.requests >= options.config.minRequests) return measured(current);
    const before = await orError(() => io.query("old", Math.max(0, start - Math.max(options.bakeMs, to - from)), start, []));
    if (isError(before) || measurementProblem(before)) return null;
    return measured(before);
}

async function judge(io: AnalysisIo, options: AnalysisOptions, start: number, from: number, to: number): Promise<{ window: WindowVerdict; baseline: Measured | null }> {
    const baseline = await baselineFor(io, options, start, from, to);
    if (isError(baseline)) return { window: { verdict: "error", message: baseline.error }, baseline: null };
    const fresh = await orError(() => io.query("new", from, to, latencyThresholds(options.config, baseline)));
    if (isError(fresh)) return { window: { verdict: "error", message: fresh.error }, baseline };
    return { window: judgeWindow(options.config, fresh, baseline), baseline };
}

/** Analyses one step from now; resolves once it is promoted, failed, or inconclusive for too long. */
export async function analyzeStep(io: AnalysisIo, options: AnalysisOptions): Promise<StepAnalysis> {
    const { config, bakeMs, intervalMs } = options;
    const start = io.now();
    const giveUpAfter = Math.max(bakeMs, config.inconclusiveTimeoutMinutes * MINUTE);
    let look = 0;
    let failuresInARow = 0;
    let errorsInARow = 0;
    let last: Measured | null = null;
    let lastFindings: CheckFailure[] = [];
    let next = start + Math.min(intervalMs, bakeMs);
    for (;;) {
        await io.sleep(Math.max(0, next - io.now()));
        await io.checkpoint();
        const now = io.now();
        look++;
        const recent = (await judge(io, options, start, Math.max(start, now - intervalMs), now)).window;
        const { window: whole, baseline } = await judge(io, options, start, start, now);
        const windows = [recent, whole];
        // One finding per check: the recent window's first (it says what is failing now), else the whole step's.
        const failed = windows.flatMap((w) => (w.verdict === "fail" ? w.failures : [])).filter((f, i, all) => all.findIndex((g) => g.check === f.check) === i);
        const error = windows.find((w): w is { verdict: "error"; message: string } => w.verdict === "error");
        const verdict = failed.length > 0 ? "fail" : error ? "error" : "pass";
        if (whole.verdict !== "error") last = whole.measured;
        await io.onLook({
            look,
            atMinutes: Math.round(((now - start) / MINUTE) * 100) / 100,
            verdict,
            measured: whole.verdict === "error" ? null : whole.measured,
            baseline,
            findings: failed,
            ...(error && failed.length === 0 ? { error: error.message } : {}),
        });
        failuresInARow = verdict === "fail" ? failuresInARow + 1 : 0;
        errorsInARow = verdict === "error" ? errorsInARow + 1 : 0;
        if (failed.length > 0) lastFindings = failed;
        const end = (v: StepVerdict, reason: string | null, findings: CheckFailure[] = []): StepAnalysis => ({ verdict: v, checks: look, measured: last, reason, findings });
        if (failuresInARow >= config.failureLimit) {
            return end("fail", failed.map((f) => f.message).join("; "), lastFindings);
        }
        if (errorsInARow >= config.queryErrorLimit) {
            return end("fail", `metrics unavailable on ${count(errorsInARow, "consecutive look")}, failing closed: ${error!.message}`);
        }
        const elapsed = now - start;
        if (verdict === "pass" && elapsed >= bakeMs) {
            if (last && last.requests >= config.minRequests) return end("pass", null);
            if (elapsed >= giveUpAfter) {
                return end("inconclusive", `only ${count(last?.requests ?? 0, "request")} on the new color in ${formatMinutes(elapsed / MINUTE)}, ${config.minRequests} needed`);
            }
        }
        next = now + intervalMs;
        if (elapsed < bakeMs) next = Math.min(next, start + bakeMs);
    }
}
