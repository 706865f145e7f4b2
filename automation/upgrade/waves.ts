/**
 * What the regions of one upgrade tell each other (AWS Builders' Library: one region, then waves of growing
 * size, each after a bake). A wave starts only once every region of the one before has passed its wave gate
 * (served 100% on the new color for --wave-bake and --wave-min-requests with its gate passing), or has paused
 * at --stop-at; one region's rollback is its wave's news (--on-region-rollback); and the stop-the-line switch,
 * read from the env's control at every step, stops everyone (sticky for the run once seen).
 */
import { Clock, EnvControl, Halt, Latch } from "../core/ports";
import { RunLog } from "../record/runLog";
import { RolloutPlan } from "./rollout";

/** What a region must do now instead of its next step. */
export type Directive = { kind: "halt"; reason: string } | { kind: "rollback"; reason: string };

/**
 * How a region left its wave: passed its wave gate, paused at --stop-at, held the next wave back, moved its
 * traffic in an earlier run, or ended otherwise (rolled back, failed, halted: the stop says why).
 */
export type WaveReport = { kind: "ready"; minutes: number; requests: number } | { kind: "paused" } | { kind: "held"; reason: string } | { kind: "earlier" } | { kind: "ended" };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const integer = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

export const describeHalt = (halt: Halt) => `halted by ${halt.by} at ${halt.at}: ${halt.reason}`;

export class WaveCoordinator {
    private switchHalt: Halt | null = null;
    private readonly news = new Map<number, Directive>();
    /** Why no later wave starts, once something said so. */
    private stopped: string | null = null;
    private readonly opened: Latch[];
    private readonly waiting: Set<string>[];
    private readonly passed: Map<string, WaveReport>[];

    constructor(
        clock: Clock,
        private readonly control: EnvControl,
        private readonly env: string,
        private readonly plan: RolloutPlan,
        private readonly log: RunLog,
    ) {
        this.opened = plan.waves.map(() => clock.latch());
        this.waiting = plan.waves.map((wave) => new Set(wave));
        this.passed = plan.waves.map(() => new Map());
        this.opened[0]?.open();
    }

    /** Whether the stop-the-line switch stopped this run (its result is then `halted`). */
    get switchStopped(): boolean {
        return this.switchHalt !== null;
    }

    /** Whether regions come after this wave. */
    hasNextWave(wave: number): boolean {
        return wave + 1 < this.plan.waves.length;
    }

    /**
     * What a region of `wave` must do before its next step: stop at the switch (the first region to see it says
     * so in the journal), else act on its wave's news. A region past its traffic (`tail`) only rolls back.
     */
    async directive(wave: number, pastTraffic: boolean): Promise<Directive | null> {
        if (!this.switchHalt) {
            const halt = await this.control.halt(this.env);
            if (halt && !this.switchHalt) {
                this.switchHalt = halt;
                this.stop(`the line was stopped (${describeHalt(halt)})`);
                await this.log.event(null, `stop the line: ${describeHalt(halt)}; every region stops at its next step, no region starts; \`mitene resume --env ${this.env}\` lifts it, then upgrade goes on`, { phase: "halt", detail: { halt } });
            }
        }
        if (this.switchHalt) return { kind: "halt", reason: `the line was stopped (${describeHalt(this.switchHalt)}): nothing moves until \`mitene resume --env ${this.env}\`; then upgrade goes on from here` };
        const news = this.news.get(wave);
        if (!news || (news.kind === "halt" && pastTraffic)) return null;
        return news;
    }

    /** A region of `wave` rolled back, or failed while moving traffic: its wave's news, and for the canary everyone's. */
    regionFailed(wave: number, region: string, outcome: "rolled_back" | "failed", reason: string): void {
        // Announced when the region decides (before its rollback runs) and again with its result: the first stands.
        if (this.news.has(wave)) return;
        const what = `${region} ${outcome === "rolled_back" ? "rolled back" : "failed"} in wave ${wave}${wave === 0 ? " (the canary)" : ""}: ${reason}`;
        const policy = this.plan.onRegionRollback;
        if (wave === 0 || policy !== "continue") this.stop(what);
        if (policy === "halt") this.news.set(wave, { kind: "halt", reason: `${what}; the other regions of the wave stop where they are (--on-region-rollback halt)` });
        if (policy === "rollback-wave") this.news.set(wave, { kind: "rollback", reason: `${what}; the other regions of the wave go back too (--on-region-rollback rollback-wave)` });
    }

    /** No later wave starts, for `reason` (the first reason stands). */
    stop(reason: string): void {
        this.stopped ??= reason;
    }

    /** Waits until `wave` may start; resolves with why it must not, or null. */
    async waitFor(wave: number): Promise<string | null> {
        await this.opened[wave].wait();
        return this.stopped;
    }

    /** A region of `wave` is done with it; once all are, the next wave starts (or is told why not). */
    async report(wave: number, region: string, report: WaveReport): Promise<void> {
        if (!this.waiting[wave].delete(region)) return;
        this.passed[wave].set(region, report);
        if (report.kind === "held") this.stop(report.reason);
        if (this.waiting[wave].size > 0 || !this.hasNextWave(wave)) return;
        const next = wave + 1;
        const regions = this.plan.waves[next].join(", ");
        if (this.stopped) {
            await this.log.event(null, `wave ${next} (${regions}) does not start: ${this.stopped}`, { phase: "wave", detail: { kind: "stopped", wave: next, reason: this.stopped } });
        } else {
            const why = [...this.passed[wave]].map(([name, r]) => `${name} ${passedBecause(r)}`);
            await this.log.event(null, `wave ${next} (${regions}) starts: ${why.join("; ")}`, { phase: "wave", detail: { kind: "start", wave: next, regions: this.plan.waves[next] } });
        }
        this.opened[next].open();
    }
}

/** Why a region's report let the next wave start (a held one stops it before this is asked). */
function passedBecause(report: WaveReport): string {
    switch (report.kind) {
        case "ready":
            return `served 100% for ${Math.round(report.minutes)}m and ${integer(report.requests)} requests, its gate passing`;
        case "paused":
            return "paused (--stop-at)";
        case "earlier":
            return "moved its traffic in an earlier run";
        default:
            return "ended without serving 100% (--on-region-rollback continue)";
    }
}

/** "10m and 1,000 requests", for the journal. */
export function waveGate(plan: RolloutPlan): string {
    return `${Math.round((plan.waveBakeMs / 60_000) * 100) / 100}m and ${plural(plan.waveMinRequests, "request")}`;
}
