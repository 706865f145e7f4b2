/**
 * Continuous analysis of one traffic step (the Flagger / Argo Rollouts background-analysis model): while the
 * step bakes, the gate looks every interval at two windows of the new color's metrics, the last interval
 * (a fault shows within a minute) and everything since the step began (small regressions show as counts
 * accumulate). Each look judges the region as a whole (with the load balancer's own 5xx charged to the new
 * color, gate/attribution.ts) and each service's target group on its own, so a small service failing badly
 * cannot hide under a large healthy one (Flagger analyses each canary separately); the exact tests keep a
 * service with few requests from failing by chance. A failed look, `failureLimit` times in a row, ends the step at once; failed metric queries
 * fail closed after `queryErrorLimit` in a row. The step is promoted only once the whole bake window has
 * passed with at least `minRequests` on the new color; too little traffic is inconclusive, never a pass.
 */
import { GateConfig } from "../../stacks/config/schema";
import { ColorMetrics, LoadBalancerFigures, MetricsUnavailableError } from "../core/ports";
import { attributeLoadBalancerErrors } from "./attribution";
import { CheckFailure, Measured, judgeWindow, latencyThresholds, measured, measurementProblem } from "./checks";
import { count, formatMinutes } from "../core/wording";

export type StepVerdict = "pass" | "fail" | "inconclusive";

/** What one look saw, for the journal (`phase: "gate"`) and the report. */
export interface Look {
    /** 1, 2, ... within the step. */
    look: number;
    /** Minutes since the step's weight was set. */
    atMinutes: number;
    verdict: "pass" | "fail" | "error";
    /** The new color since the step began (the window a promotion is judged on), the region as a whole. */
    measured: Measured | null;
    /** The same per service: each service's target group of the new color on its own. */
    services: Record<string, Measured> | null;
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
    /** The new color since the step began, at the last look that measured: the region, and each service. */
    measured: Measured | null;
    services: Record<string, Measured> | null;
    /** Why the step did not pass. */
    reason: string | null;
    findings: CheckFailure[];
}

export interface AnalysisIo {
    now(): number;
    sleep(ms: number): Promise<void>;
    /** Metrics of `color` ("new" or "old") over [from, to], with slow-request counts above `latencyThresholdsMs`. */
    query(color: "new" | "old", from: number, to: number, latencyThresholdsMs: number[]): Promise<ColorMetrics>;
    /** The load balancer as a whole over [from, to]: requests, and the 5xx it answered itself. */
    loadBalancer(from: number, to: number): Promise<LoadBalancerFigures>;
    /** Called before every look: throws to stop the step (e.g. a rollback by someone else). */
    checkpoint(): Promise<void>;
    onLook(look: Look): Promise<void>;
}

export interface AnalysisOptions {
    config: GateConfig;
    /** How long after `since` the step may be promoted. */
    bakeMs: number;
    intervalMs: number;
    /** When the span judged began (the weight was set). Default: now. */
    since?: number;
    /** Requests the new color must have served since then. Default: the gate's `minRequests`. */
    minRequests?: number;
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

/** The old color to compare with, the region and each service. */
interface Baseline {
    region: Measured;
    services: Record<string, Measured>;
}

const measuredAll = (metrics: ColorMetrics): Baseline => ({ region: measured(metrics), services: Object.fromEntries(Object.entries(metrics.services).map(([name, figures]) => [name, measured(figures)])) });

/** The old color's metrics to compare with: the same window, or the window before the step if it is too quiet now. */
async function baselineFor(io: AnalysisIo, options: AnalysisOptions, start: number, from: number, to: number): Promise<Baseline | null | { error: string }> {
    const current = await orError(() => io.query("old", from, to, []));
    if (isError(current)) return current;
    if (!measurementProblem(current) && current.requests >= options.config.minRequests) return measuredAll(current);
    const before = await orError(() => io.query("old", Math.max(0, start - Math.max(options.bakeMs, to - from)), start, []));
    if (isError(before) || measurementProblem(before)) return null;
    return measuredAll(before);
}

/** One window judged: the region as a whole, then each service's target group on its own. */
type Judged = { verdict: "pass" | "fail"; measured: Measured; services: Record<string, Measured>; failures: CheckFailure[] } | { verdict: "error"; message: string };

async function judge(io: AnalysisIo, options: AnalysisOptions, start: number, from: number, to: number, loadBalancerBefore: () => Promise<LoadBalancerFigures | { error: string }>): Promise<{ window: Judged; baseline: Measured | null }> {
    const baseline = await baselineFor(io, options, start, from, to);
    if (isError(baseline)) return { window: { verdict: "error", message: baseline.error }, baseline: null };
    const services = baseline ? Object.values(baseline.services) : [];
    const thresholds = [...new Set([baseline?.region ?? null, ...services].flatMap((b) => latencyThresholds(options.config, b)))];
    const fresh = await orError(() => io.query("new", from, to, thresholds));
    if (isError(fresh)) return { window: { verdict: "error", message: fresh.error }, baseline: baseline?.region ?? null };
    const now = await orError(() => io.loadBalancer(from, to));
    const before = isError(now) ? now : await loadBalancerBefore();
    if (isError(now) || isError(before)) return { window: { verdict: "error", message: (isError(now) ? now : (before as { error: string })).error }, baseline: baseline?.region ?? null };
    const rows = [
        { service: undefined, verdict: judgeWindow(options.config, attributeLoadBalancerErrors(fresh, now, before), baseline?.region ?? null) },
        ...Object.entries(fresh.services).map(([service, figures]) => ({ service, verdict: judgeWindow(options.config, figures, baseline?.services[service] ?? null, service) })),
    ];
    const error = rows.find((row) => row.verdict.verdict === "error");
    if (error && error.verdict.verdict === "error") return { window: { verdict: "error", message: `${error.service ? `${error.service}: ` : ""}${error.verdict.message}` }, baseline: baseline?.region ?? null };
    const measuredRows = rows.map((row) => (row.verdict as { measured: Measured }).measured);
    const failures = rows.flatMap((row) => (row.verdict.verdict === "fail" ? row.verdict.failures : []));
    return {
        window: {
            verdict: failures.length > 0 ? "fail" : "pass",
            measured: measuredRows[0],
            services: Object.fromEntries(rows.slice(1).map((row, i) => [row.service!, measuredRows[i + 1]])),
            failures,
        },
        baseline: baseline?.region ?? null,
    };
}

/** Services named in the reason at most; the journal and the step's findings have them all. */
const NAMED_SERVICES = 3;

/**
 * The findings worth reading: the region's, then each service's of a check the region as a whole did not fail
 * (a fault in every service says it once). The looks in the journal keep them all.
 */
export function distinctFindings(findings: CheckFailure[]): CheckFailure[] {
    const region = findings.filter((f) => f.service === undefined);
    return [...region, ...findings.filter((f) => f.service !== undefined && !region.some((r) => r.check === f.check))];
}

/** The reason of a failed step: its distinct findings, the first services' only. */
export function failureReason(findings: CheckFailure[]): string {
    const distinct = distinctFindings(findings);
    const named = [...new Set(distinct.flatMap((f) => (f.service === undefined ? [] : [f.service])))];
    const shown = distinct.filter((f) => f.service === undefined || named.indexOf(f.service) < NAMED_SERVICES);
    const more = named.length - NAMED_SERVICES;
    return shown.map((f) => f.message).join("; ") + (more > 0 ? `; and ${more} more service${more === 1 ? "" : "s"}` : "");
}

/** Analyses one step from now; resolves once it is promoted, failed, or inconclusive for too long. */
export async function analyzeStep(io: AnalysisIo, options: AnalysisOptions): Promise<StepAnalysis> {
    const { config, bakeMs, intervalMs } = options;
    const start = options.since ?? io.now();
    const minRequests = options.minRequests ?? config.minRequests;
    const giveUpAfter = Math.max(bakeMs, config.inconclusiveTimeoutMinutes * MINUTE);
    let loadBalancerBefore: LoadBalancerFigures | undefined;
    const before = async () => {
        if (loadBalancerBefore) return loadBalancerBefore;
        const figures = await orError(() => io.loadBalancer(Math.max(0, start - Math.max(bakeMs, intervalMs)), start));
        if (!isError(figures)) loadBalancerBefore = figures;
        return figures;
    };
    let look = 0;
    let failuresInARow = 0;
    let errorsInARow = 0;
    let last: Measured | null = null;
    let lastServices: Record<string, Measured> | null = null;
    let lastFindings: CheckFailure[] = [];
    let next = Math.max(io.now(), start + Math.min(intervalMs, bakeMs));
    for (;;) {
        await io.sleep(Math.max(0, next - io.now()));
        await io.checkpoint();
        const now = io.now();
        look++;
        const recent = (await judge(io, options, start, Math.max(start, now - intervalMs), now, before)).window;
        const { window: whole, baseline } = await judge(io, options, start, start, now, before);
        const windows = [recent, whole];
        // One finding per service and check: the recent window's first (it says what is failing now), else the whole step's.
        const failed = windows.flatMap((w) => (w.verdict === "fail" ? w.failures : [])).filter((f, i, all) => all.findIndex((g) => g.check === f.check && g.service === f.service) === i);
        const error = windows.find((w): w is { verdict: "error"; message: string } => w.verdict === "error");
        const verdict = failed.length > 0 ? "fail" : error ? "error" : "pass";
        if (whole.verdict !== "error") {
            last = whole.measured;
            lastServices = whole.services;
        }
        await io.onLook({
            look,
            atMinutes: Math.round(((now - start) / MINUTE) * 100) / 100,
            verdict,
            measured: whole.verdict === "error" ? null : whole.measured,
            services: whole.verdict === "error" ? null : whole.services,
            baseline,
            findings: failed,
            ...(error && failed.length === 0 ? { error: error.message } : {}),
        });
        failuresInARow = verdict === "fail" ? failuresInARow + 1 : 0;
        errorsInARow = verdict === "error" ? errorsInARow + 1 : 0;
        if (failed.length > 0) lastFindings = distinctFindings(failed);
        const end = (v: StepVerdict, reason: string | null, findings: CheckFailure[] = []): StepAnalysis => ({ verdict: v, checks: look, measured: last, services: lastServices, reason, findings });
        if (failuresInARow >= config.failureLimit) {
            return end("fail", failureReason(failed), lastFindings);
        }
        if (errorsInARow >= config.queryErrorLimit) {
            return end("fail", `metrics unavailable on ${count(errorsInARow, "consecutive look")}, failing closed: ${error!.message}`);
        }
        const elapsed = now - start;
        if (verdict === "pass" && elapsed >= bakeMs) {
            if (last && last.requests >= minRequests) return end("pass", null);
            if (elapsed >= giveUpAfter) {
                return end("inconclusive", `only ${count(last?.requests ?? 0, "request")} on the new color in ${formatMinutes(elapsed / MINUTE)}, ${minRequests} needed`);
            }
        }
        next = now + intervalMs;
        if (elapsed < bakeMs) next = Math.min(next, start + bakeMs);
    }
}
