import { strict as assert } from "node:assert";
import { RealClock, VirtualClock } from "../../automation/core/clock";

describe("VirtualClock", () => {
    it("advances to a sleep's end without waiting", async () => {
        const clock = new VirtualClock(1000);
        await clock.sleep(60 * 60_000);
        assert.equal(clock.now(), 1000 + 60 * 60_000);
    });

    it("runs parallel tasks' sleeps concurrently: the total is the longest, not the sum", async () => {
        const clock = new VirtualClock(0);
        const results = await clock.parallel([
            async () => {
                await clock.sleep(18);
                return "a";
            },
            async () => {
                await clock.sleep(5);
                await clock.sleep(5);
                return "b";
            },
        ]);
        assert.deepEqual(results, ["a", "b"]);
        assert.equal(clock.now(), 18);
    });

    it("wakes tasks in time order, ties in the order they slept", async () => {
        const clock = new VirtualClock(0);
        const order: string[] = [];
        const task = (name: string, ms: number) => async () => {
            await clock.sleep(ms);
            order.push(`${name}@${clock.now()}`);
        };
        await clock.parallel([task("late", 10), task("first-tie", 5), task("second-tie", 5)]);
        assert.deepEqual(order, ["first-tie@5", "second-tie@5", "late@10"]);
    });

    it("lets a task wait on a latch another task opens, keeping time consistent", async () => {
        const clock = new VirtualClock(0);
        const latch = clock.latch();
        let seenAt = -1;
        await clock.parallel([
            async () => {
                await latch.wait();
                seenAt = clock.now();
            },
            async () => {
                await clock.sleep(7);
                latch.open();
                await clock.sleep(100);
            },
        ]);
        assert.equal(seenAt, 7);
        assert.equal(clock.now(), 107);
    });

    it("rejects with the first error once every task has settled", async () => {
        const clock = new VirtualClock(0);
        let finished = false;
        await assert.rejects(
            clock.parallel([
                async () => {
                    throw new Error("boom");
                },
                async () => {
                    await clock.sleep(3);
                    finished = true;
                },
            ]),
            /boom/,
        );
        assert.equal(finished, true);
    });

    it("lets the event loop in while its tasks compute without end: a signal stops them", async () => {
        const clock = new VirtualClock(0);
        const controller = new AbortController();
        // A real timer, like a SIGTERM handler, can only run if the virtual clock yields to the event loop.
        setTimeout(() => controller.abort(new Error("SIGTERM")), 50);
        const endless = async () => {
            for (;;) await clock.sleep(60_000, controller.signal);
        };
        await assert.rejects(endless(), /SIGTERM/);
        assert.ok(clock.now() > 0);
    });

    it("wakes a sleeper whose signal aborted while it waited with the abort", async () => {
        const clock = new VirtualClock(0);
        const controller = new AbortController();
        const sleeping = clock.parallel([
            async () => clock.sleep(10, controller.signal),
            async () => {
                controller.abort(new Error("stop"));
            },
        ]);
        await assert.rejects(sleeping, /stop/);
    });

    it("refuses a start or a wait that is not a number of ms", async () => {
        assert.throws(() => new VirtualClock(Number.NaN), RangeError);
        assert.throws(() => new VirtualClock("1767225600000" as unknown as number), RangeError);
        await assert.rejects(new VirtualClock(0).sleep(Number.POSITIVE_INFINITY), RangeError);
    });

    it("refuses to sleep once aborted", async () => {
        const controller = new AbortController();
        controller.abort(new Error("stop"));
        await assert.rejects(new VirtualClock(0).sleep(1, controller.signal), /stop/);
    });
});

describe("VirtualClock: real work outside the clock", () => {
    /** Real work that ends when its test says so, counting how many such works are in flight at once. */
    const gate = () => {
        let release!: () => void;
        const done = new Promise<void>((resolve) => (release = resolve));
        return { release, done };
    };

    it("lets the other tasks run meanwhile, but time stands still until the work is done", async () => {
        const clock = new VirtualClock(0);
        const work = gate();
        const log: string[] = [];
        await clock.parallel([
            async () => {
                await clock.outside(async () => {
                    log.push(`work starts @${clock.now()}`);
                    await work.done;
                });
                log.push(`work done @${clock.now()}`);
                await clock.sleep(5);
                log.push(`after work @${clock.now()}`);
            },
            async () => {
                log.push(`other runs @${clock.now()}`);
                // Its sleep cannot end while the work is in flight: time would move under it.
                setTimeout(work.release, 20);
                await clock.sleep(10);
                log.push(`other wakes @${clock.now()}`);
            },
        ]);
        assert.deepEqual(log, ["work starts @0", "other runs @0", "work done @0", "after work @5", "other wakes @10"]);
    });

    it("overlaps the real work of several tasks", async () => {
        const clock = new VirtualClock(0);
        let inFlight = 0;
        let most = 0;
        const works = [gate(), gate()];
        const task = (i: number) => () =>
            clock.outside(async () => {
                most = Math.max(most, ++inFlight);
                if (i === 1) works.forEach((w) => setImmediate(w.release));
                await works[i].done;
                inFlight--;
            });
        await clock.parallel([task(0), task(1)]);
        assert.equal(most, 2);
    });

    it("hands the turn back when the work fails", async () => {
        const clock = new VirtualClock(0);
        const results = await clock.parallel([
            async () => clock.outside(() => Promise.reject(new Error("pulumi up failed"))).catch((e: Error) => e.message),
            async () => {
                await clock.sleep(3);
                return `slept to ${clock.now()}`;
            },
        ]);
        assert.deepEqual(results, ["pulumi up failed", "slept to 3"]);
    });
});

describe("RealClock", () => {
    it("cancels a sleep when the signal aborts", async () => {
        const controller = new AbortController();
        const sleeping = new RealClock().sleep(60_000, controller.signal);
        controller.abort(new Error("SIGINT"));
        await assert.rejects(sleeping, /SIGINT/);
    });

    it("opens a latch for every waiter", async () => {
        const latch = new RealClock().latch();
        const waiting = Promise.all([latch.wait(), latch.wait()]);
        latch.open();
        await waiting;
    });
});
