/**
 * What an operator watches while a run goes on. On a terminal: a live block (elapsed, time left, one line per
 * region) redrawn in place under the events, like `pulumi up`. Anywhere else (CI logs, files): each event
 * printed once, no status block, like `terraform apply`; long operations print a heartbeat instead.
 */
import { formatMinutes } from "../core/wording";

export interface ProgressView {
    /** Something that happened: printed once. */
    event(atMinutes: number, region: string | null, text: string): void;
    /** A region's current activity (the live block's line; the heartbeat's subject). */
    status(region: string, text: string): void;
    /** At `atMinutes` into the run, the rest should take `minutes` (null: unknown); recomputed as it goes. */
    remaining(atMinutes: number, minutes: number | null): void;
    /** Stops redrawing and timers; the block is left as the final picture. */
    close(): void;
}

export interface ProgressOptions {
    write: (text: string) => void;
    /** A terminal: redraw in place. */
    live: boolean;
    /** Terminal width, to keep each line on one row. */
    columns?: number;
    /** Real time (heartbeats only make sense when operations take real minutes). */
    realTime: boolean;
    /** Heartbeat interval in ms (line mode). Default 60 s. */
    heartbeatMs?: number;
    now?: () => number;
}

const formatSince = (ms: number) => {
    const seconds = Math.floor(ms / 1000);
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
};

const clip = (line: string, columns: number) => (line.length > columns ? line.slice(0, Math.max(1, columns - 1)) + "…" : line);

export function createProgress(options: ProgressOptions): ProgressView {
    const now = options.now ?? Date.now;
    // A terminal that reports no width (0, as a pty without a window size does) is taken as a common one.
    const columns = options.columns && options.columns > 0 ? options.columns : 100;
    const regions = new Map<string, { text: string; since: number }>();
    // Elapsed and time left are read together, at the same instant of the run, and (in real time) both move on
    // with the clock between two readings: the header never shows a stale elapsed beside a fresh estimate.
    let reading = { atMinutes: 0, left: null as number | null, receivedAt: now() };
    let drawn = 0;

    const block = () => {
        const since = options.realTime ? (now() - reading.receivedAt) / 60_000 : 0;
        const left = reading.left === null ? null : Math.max(0, reading.left - since);
        const header = `  +${formatMinutes(reading.atMinutes + since)} elapsed${left !== null ? `, about ${formatMinutes(left)} left` : ""}`;
        return [header, ...[...regions].map(([region, s]) => `  ${region.padEnd(16)} ${s.text}`)].map((l) => clip(l, columns));
    };
    const erase = () => {
        if (drawn > 0) options.write(`\x1b[${drawn}F\x1b[J`);
        drawn = 0;
    };
    const draw = () => {
        const lines = block();
        options.write(lines.join("\n") + "\n");
        drawn = lines.length;
    };

    let timer: NodeJS.Timeout | undefined;
    if (options.realTime) {
        timer = setInterval(() => {
            if (options.live) {
                erase();
                draw();
                return;
            }
            for (const [region, s] of regions) if (now() - s.since >= (options.heartbeatMs ?? 60_000)) options.write(`${region}: still ${s.text} (${formatSince(now() - s.since)})\n`);
        }, options.live ? 1_000 : options.heartbeatMs ?? 60_000);
        timer.unref();
    }

    return {
        event(atMinutes, region, text) {
            const line = `+${formatMinutes(atMinutes).padStart(5)}  ${region ? `${region}: ` : ""}${text}`;
            if (!options.live) return options.write(line + "\n");
            erase();
            options.write(clip(line, columns) + "\n");
            draw();
        },
        status(region, text) {
            const current = regions.get(region);
            if (current?.text === text) return;
            regions.set(region, { text, since: now() });
            if (options.live) {
                erase();
                draw();
            }
        },
        remaining(atMinutes, minutes) {
            reading = { atMinutes, left: minutes, receivedAt: now() };
        },
        close() {
            if (timer) clearInterval(timer);
        },
    };
}

/** A view that shows nothing (tests, and commands that print no progress). */
export const silentProgress: ProgressView = { event: () => undefined, status: () => undefined, remaining: () => undefined, close: () => undefined };
