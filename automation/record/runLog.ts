/**
 * What a run did: the timeline in the JSON result, the journal on disk, and the progress an operator watches.
 * One call records an event in all three, so they never disagree. Times are the run's clock: virtual on the
 * sim and local engines (what the real upgrade would take), the wall clock on pulumi.
 */
import { Clock, Journal, JournalPhase } from "../core/ports";
import { ProgressView } from "./progress";

export interface TimelineEvent {
    atMinutes: number;
    region: string | null;
    event: string;
    phase: JournalPhase;
}

export interface EventOptions {
    /** Part of the run; a region's outcome (completed, skipped, failed, paused) is "outcome". */
    phase: JournalPhase;
    detail?: Record<string, unknown>;
    /** Marks outcomes in the journal. */
    result?: string;
    /** Journal only (a gate look): the progress shows it as the region's status, not as a line. */
    quiet?: boolean;
}

const MINUTE = 60_000;
const round1 = (n: number) => Math.round(n * 10) / 10;

export class RunLog {
    readonly timeline: TimelineEvent[] = [];
    private readonly start: number;
    /** Minutes the rest of the run should take, recomputed by the driver from what is left. */
    remainingMinutes: () => number | null = () => null;

    constructor(
        private readonly clock: Clock,
        private readonly journal: Journal,
        private readonly runId: string,
        private readonly env: string,
        readonly view: ProgressView,
    ) {
        this.start = clock.now();
    }

    elapsedMinutes(): number {
        return round1((this.clock.now() - this.start) / MINUTE);
    }

    async event(region: string | null, event: string, options: EventOptions): Promise<void> {
        const atMinutes = this.elapsedMinutes();
        if (!options.quiet) this.timeline.push({ atMinutes, region, event, phase: options.phase });
        await this.journal.append({
            at: new Date(this.clock.now()).toISOString(),
            atMinutes,
            runId: this.runId,
            env: this.env,
            region: region ?? undefined,
            event,
            phase: options.phase,
            result: options.result,
            detail: options.detail,
        });
        this.view.remaining(this.elapsedMinutes(), this.remainingMinutes());
        if (options.quiet && region) this.view.status(region, event);
        else this.view.event(atMinutes, region, event);
    }

    status(region: string, text: string): void {
        this.view.remaining(this.elapsedMinutes(), this.remainingMinutes());
        this.view.status(region, text);
    }
}
