/**
 * What a run did: the timeline in the JSON result, the journal on disk, and the progress lines on stderr.
 * One call records an event in all three, so they never disagree.
 */
import { Clock, Journal } from "./ports";

export interface TimelineEvent {
    atMinutes: number;
    region: string | null;
    event: string;
}

export interface RegionProgress {
    phase: string;
    weights?: string;
    lastGate?: string;
}

const MINUTE = 60_000;
const round1 = (n: number) => Math.round(n * 10) / 10;

export class RunLog {
    readonly timeline: TimelineEvent[] = [];
    private readonly regions = new Map<string, RegionProgress>();
    private readonly start: number;
    /** Virtual or real minutes the rest of the run is expected to take, given by the driver as it goes. */
    remainingMinutes: () => number | null = () => null;

    constructor(
        private readonly clock: Clock,
        private readonly journal: Journal,
        private readonly runId: string,
        private readonly env: string,
        private readonly progress: (line: string) => void,
    ) {
        this.start = clock.now();
    }

    elapsedMinutes(): number {
        return round1((this.clock.now() - this.start) / MINUTE);
    }

    /** Records an event; `result` marks outcomes in the journal. */
    async event(region: string | null, event: string, detail?: Record<string, unknown>, result?: string): Promise<void> {
        this.timeline.push({ atMinutes: this.elapsedMinutes(), region, event });
        await this.journal.append({ at: new Date().toISOString(), runId: this.runId, env: this.env, region: region ?? undefined, event, result, detail });
        this.progress(this.line(region, event));
    }

    update(region: string, progress: Partial<RegionProgress>): void {
        this.regions.set(region, { ...(this.regions.get(region) ?? { phase: "waiting" }), ...progress });
    }

    private line(region: string | null, event: string): string {
        const remaining = this.remainingMinutes();
        const clock = `+${this.elapsedMinutes().toFixed(1)}m${remaining !== null ? ` (~${Math.round(remaining)}m left)` : ""}`;
        const regions = [...this.regions.entries()]
            .map(([name, p]) => `${name}: ${p.phase}${p.weights ? ` [${p.weights}]` : ""}${p.lastGate ? ` gate ${p.lastGate}` : ""}`)
            .join(" | ");
        return `${clock.padEnd(22)} ${region ? `${region}: ` : ""}${event}${regions ? `\n${" ".repeat(23)}${regions}` : ""}`;
    }
}
