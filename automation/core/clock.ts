/**
 * Clocks. The virtual clock runs the driver's concurrent tasks one at a time and moves time forward only when
 * every task is waiting on it, so a three-hour upgrade takes milliseconds and always interleaves the same way.
 */
import { Clock, Latch } from "./ports";

/** What an aborted wait rejects with: the signal's reason (the driver always gives one), else a plain "cancelled". */
export const abortError = (signal: AbortSignal) => (signal.reason instanceof Error ? signal.reason : new Error("cancelled"));

export class RealClock implements Clock {
    readonly virtual = false;

    now(): number {
        return Date.now();
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        return new Promise((resolve, reject) => {
            if (signal?.aborted) return reject(abortError(signal));
            const timer = setTimeout(() => {
                signal?.removeEventListener("abort", onAbort);
                resolve();
            }, ms);
            const onAbort = () => {
                clearTimeout(timer);
                reject(abortError(signal!));
            };
            signal?.addEventListener("abort", onAbort, { once: true });
        });
    }

    async parallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
        return settleAll(await Promise.allSettled(tasks.map((task) => task())));
    }

    latch(): Latch {
        let open!: () => void;
        const opened = new Promise<void>((resolve) => (open = resolve));
        return { open, wait: () => opened };
    }
}

function settleAll<T>(results: PromiseSettledResult<T>[]): T[] {
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
    return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

interface Timer {
    at: number;
    seq: number;
    resolve: () => void;
    /** A sleep whose signal aborts while it waits is woken with the abort instead. */
    reject?: (error: Error) => void;
    signal?: AbortSignal;
}

/**
 * Longest a run of the virtual clock's tasks keeps the event loop (wall ms): a wake after it goes through the
 * event loop, so signals and real I/O are answered whatever the driver computes between two waits.
 */
export const YIELD_EVERY_MS = 20;

/**
 * `running` counts tasks that are doing something other than waiting on this clock. Time advances, to the
 * earliest timer, only when it drops to zero; waking one timer makes exactly one task run again, so tasks
 * never interleave and every run of the same inputs performs the same operations in the same order (unless
 * tasks do real work `outside` the clock, which finishes when it finishes).
 */
export class VirtualClock implements Clock {
    readonly virtual = true;
    private time: number;
    private running = 1;
    /** Real work in flight (`outside`): time stands still until it is done. */
    private outsideWork = 0;
    private seq = 0;
    private timers: Timer[] = [];
    private lastYield = Date.now();

    constructor(start: number) {
        if (!Number.isSafeInteger(start)) throw new RangeError(`virtual clock start ${String(start)} is not a time in ms`);
        this.time = start;
    }

    now(): number {
        return this.time;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) return Promise.reject(abortError(signal));
        if (!Number.isFinite(ms)) return Promise.reject(new RangeError(`cannot wait ${ms} ms`));
        return new Promise((resolve, reject) => {
            this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve, reject, signal });
            this.running--;
            this.advance();
        });
    }

    async parallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
        if (tasks.length === 0) return [];
        // The caller's turn passes to the tasks; each starts behind a zero sleep so they start one by one.
        this.running += tasks.length - 1;
        let remaining = tasks.length;
        const results = await Promise.allSettled(
            tasks.map(async (task) => {
                try {
                    await this.sleep(0);
                    return await task();
                } finally {
                    // The last task to finish hands its turn back to the caller.
                    if (--remaining > 0) {
                        this.running--;
                        this.advance();
                    }
                }
            }),
        );
        return settleAll(results);
    }

    /**
     * Runs real work (a process, a network call) for the calling task, which takes no virtual time: meanwhile
     * the other tasks run, one at a time as always, but time does not move; once done, the task waits for its
     * turn like any woken one. The local engine's `pulumi up`s of two regions then overlap in wall time as
     * their operations do in virtual time.
     */
    async outside<T>(work: () => Promise<T>): Promise<T> {
        this.outsideWork++;
        this.running--;
        this.advance();
        try {
            return await work();
        } finally {
            this.outsideWork--;
            await new Promise<void>((resolve) => {
                this.timers.push({ at: this.time, seq: this.seq++, resolve });
                this.advance();
            });
        }
    }

    latch(): Latch {
        let isOpen = false;
        const waiters: (() => void)[] = [];
        return {
            open: () => {
                if (isOpen) return;
                isOpen = true;
                // Woken through the timer queue, at the current time: still one task at a time, in order.
                for (const wake of waiters.splice(0)) this.timers.push({ at: this.time, seq: this.seq++, resolve: wake });
            },
            wait: () =>
                isOpen
                    ? Promise.resolve()
                    : new Promise<void>((resolve) => {
                          waiters.push(resolve);
                          this.running--;
                          this.advance();
                      }),
        };
    }

    private advance(): void {
        if (this.running > 0) return;
        // Real work in flight hands the turn back when it ends; until then, only tasks due now may run.
        if (this.outsideWork > 0 && !this.timers.some((t) => t.at <= this.time)) return;
        if (this.timers.length === 0) {
            // Every task waits on a latch nobody can open: a driver bug, made loud rather than a silent exit.
            process.nextTick(() => {
                throw new Error("virtual clock deadlock: every task is waiting and no timer is set");
            });
            return;
        }
        this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = this.timers.shift()!;
        this.time = Math.max(this.time, next.at);
        this.running++;
        const wake = () => (next.signal?.aborted && next.reject ? next.reject(abortError(next.signal)) : next.resolve());
        // Only the woken task may run until it waits again, so waking it later changes no order.
        if (Date.now() - this.lastYield < YIELD_EVERY_MS) return wake();
        setImmediate(() => {
            this.lastYield = Date.now();
            wake();
        });
    }
}

export const MINUTE = 60_000;
