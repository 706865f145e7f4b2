/**
 * Typed builders of journal entries, in the shape the driver writes (COMMON journal format): a run is built
 * entry by entry on its own clock, then written as JSON Lines.
 */
import { GateLookDetail, JournalLine, Metrics, RegionResultDoc, Thresholds, UpgradeResultDoc } from "../../automation/report/journal";

export const START = "2026-01-01T00:00:00.000Z";

export const THRESHOLDS: Thresholds = { maxErrorRate: 0.01, maxP99Ms: 1500, maxUnhealthyHosts: 0, maxErrorRateRatio: 2, maxP99Ratio: 1.5, minRequests: 200 };

export const healthy = (requests: number): Metrics => ({ requests, errors: Math.round(requests * 0.001), errorRate: 0.001, p99Ms: 181, unhealthyHosts: 0 });

type Extra = Pick<JournalLine, "region" | "result" | "detail">;

export class RunBuilder {
    readonly lines: JournalLine[] = [];

    constructor(
        readonly runId = "20260101T000000-abc123",
        readonly env = "prod",
        readonly startedAt = START,
    ) {}

    entry(atMinutes: number, phase: string, event: string, extra: Extra = {}): this {
        const at = new Date(Date.parse(this.startedAt) + atMinutes * 60_000).toISOString();
        this.lines.push({ at, atMinutes, runId: this.runId, env: this.env, event, phase, ...extra });
        return this;
    }

    region(region: string, atMinutes: number, phase: string, event: string, extra: Omit<Extra, "region"> = {}): this {
        return this.entry(atMinutes, phase, event, { region, ...extra });
    }

    gate(region: string, atMinutes: number, look: Omit<GateLookDetail, "thresholds" | "findings" | "baseline"> & Partial<GateLookDetail>): this {
        const detail: GateLookDetail = { thresholds: THRESHOLDS, findings: [], baseline: null, ...look };
        const text = detail.findings.length ? ` (${detail.findings.map((f) => f.message).join("; ")})` : "";
        return this.region(region, atMinutes, "gate", `gate at ${look.weight}% look ${look.look}: ${look.verdict}${text}`, { detail: detail as unknown as Record<string, unknown> });
    }

    end(atMinutes: number, result: UpgradeResultDoc | Record<string, unknown> & { result: string }): this {
        return this.entry(atMinutes, "end", `${String(result.result)} after ${atMinutes} minutes`, { result: result.result, detail: { result } });
    }

    /** The run as a kill at minute `minutes` leaves it: nothing written after that. */
    until(minutes: number): RunBuilder {
        const cut = new RunBuilder(this.runId, this.env, this.startedAt);
        cut.lines.push(...this.lines.filter((line) => line.atMinutes <= minutes));
        return cut;
    }

    /** The entries as the driver appends them: in time order (stable for entries of the same minute). */
    jsonl(): string {
        return [...this.lines].sort((a, b) => a.atMinutes - b.atMinutes).map((line) => JSON.stringify(line)).join("\n") + "\n";
    }
}

/** Bring-up (18m) and Argo CD (5m) of the green cluster, from `at`. */
export function bringUp(b: RunBuilder, region: string, at = 0): number {
    b.region(region, at, "bring-up", "create green stack", { detail: { stack: `mitene-${b.env}-${region}-green`, version: "1.35" } });
    b.region(region, at, "bring-up", "deploy green cluster (Kubernetes 1.35)");
    b.region(region, at + 18, "bring-up", "green cluster is up");
    b.region(region, at + 23, "argo", `Argo CD: 2 apps on mitene-${b.env}-${region}-green Synced and Healthy`);
    return at + 23;
}

/** One traffic step from `at`: 1m region-stack update, then two looks 5m apart. Returns when the step ends. */
export function step(b: RunBuilder, region: string, at: number, weight: number, verdicts: GateLookDetail["verdict"][] = ["pass", "pass"], measured = healthy(weight * 60)): number {
    b.region(region, at, "traffic", `set weights blue ${100 - weight}% / green ${weight}%`);
    b.region(region, at + 1, "traffic", `load balancer confirms blue ${100 - weight}% / green ${weight}%`);
    let now = at + 1;
    verdicts.forEach((verdict, i) => {
        now += 5;
        b.gate(region, now, { weight, look: i + 1, verdict, measured, baseline: weight < 100 ? healthy((100 - weight) * 60) : null });
    });
    return now;
}

/** Cron cut-over (4m), hold (30m) and teardown (13m) from `at`. Returns when the region completed. */
export function tail(b: RunBuilder, region: string, at: number): number {
    b.region(region, at, "cut-over", "turn cron off on blue");
    b.region(region, at + 3, "cut-over", "cron jobs move to green");
    b.region(region, at + 4, "cut-over", "turn cron on on green");
    b.region(region, at + 5, "hold", "hold 30m before tearing blue down");
    b.region(region, at + 35, "teardown", "deregister blue from Argo CD");
    b.region(region, at + 36, "teardown", "destroy blue cluster");
    b.region(region, at + 48, "teardown", "remove blue stack");
    b.region(region, at + 48, "end", "completed: green serves Kubernetes 1.35", { result: "completed" });
    return at + 48;
}

export function regionResult(region: string, result: string, steps: RegionResultDoc["steps"], extra: Partial<RegionResultDoc> = {}): RegionResultDoc {
    return { region, from: "blue", to: "green", result, reason: null, steps, ...extra };
}

export const passed = (weight: number, checks = 2) => ({ weight, gate: "pass" as const, checks, measured: { requests: weight * 60, errorRate: 0.001, p99Ms: 181, unhealthyHosts: 0 } });

export function upgradeResult(result: string, regions: RegionResultDoc[], durationMinutes: number): UpgradeResultDoc {
    return { env: "prod", to: "1.35", result, regions, durationMinutes, engine: "sim" };
}
