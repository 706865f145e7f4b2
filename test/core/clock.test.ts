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
