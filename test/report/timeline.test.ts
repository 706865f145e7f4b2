import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseJournal } from "../../automation/report/journal";
import { regionTimeline } from "../../automation/report/timeline";
import { RunBuilder, bringUp, step, tail } from "./builders";
import { prodRolledBack, prodInterrupted } from "./fixtures";

const regionEntries = (b: RunBuilder, region: string) => parseJournal(b.jsonl()).entries.filter((e) => e.region === region);
const bars = (timeline: ReturnType<typeof regionTimeline>) =>
    timeline.segments.map((s) => `${s.label} ${s.start}-${s.end}${s.failed ? " failed" : ""}${s.interrupted ? " interrupted" : ""}`);

describe("report: a region's timeline", () => {
    it("bring-up, Argo CD, each traffic step, cut-over, hold and teardown of a completed region", () => {
        const timeline = regionTimeline(regionEntries(prodRolledBack(), "ap-northeast-1"), { newColor: "green", runEnd: 115, finished: true });
        assert.deepEqual(bars(timeline), ["Bring-up 0-18", "Argo CD sync 18-23", "5% 23-34", "25% 34-45", "50% 45-56", "100% 56-67", "Cron cut-over 67-72", "Hold 72-102", "Teardown 102-115"]);
        assert.equal(timeline.end, 115);
    });

    it("a region waiting behind the canary is shown waiting for its turn, not waiting for Argo CD", () => {
        const timeline = regionTimeline(regionEntries(prodRolledBack(), "us-west-2"), { newColor: "green", runEnd: 115, finished: true });
        assert.deepEqual(bars(timeline).slice(0, 3), ["Bring-up 0-18", "Argo CD sync 18-23", "Waiting for its turn 23-67"]);
    });

    it("a rolled-back region: the failed step and the rollback are failures, and its traffic goes back to 0%", () => {
        const timeline = regionTimeline(regionEntries(prodRolledBack(), "us-west-2"), { newColor: "green", runEnd: 115, finished: true });
        assert.deepEqual(bars(timeline).slice(3), ["5% 67-78", "25% 78-85 failed", "Rollback 85-85 failed"]);
        assert.deepEqual(timeline.weights, [{ atMinutes: 67, weight: 5 }, { atMinutes: 78, weight: 25 }, { atMinutes: 85, weight: 0 }]);
        assert.equal(timeline.end, 85, "the region's part ends with its outcome, not with the run");
    });

    it("an interrupted run: the region's last bar runs to the run's last entry and is marked cut short", () => {
        const timeline = regionTimeline(regionEntries(prodInterrupted(), "us-west-2"), { newColor: null, runEnd: 90, finished: false });
        assert.deepEqual(bars(timeline).slice(-1), ["25% 78-90 failed interrupted"], "its gate failed and the run stopped before traffic went back");
        const canary = regionTimeline(regionEntries(prodInterrupted(), "ap-northeast-1"), { newColor: null, runEnd: 90, finished: false });
        assert.deepEqual(bars(canary).slice(-2), ["Cron cut-over 67-72", "Hold 72-90 interrupted"], "the canary was holding");
        assert.equal(timeline.end, 90);
    });

    it("a region whose last entry says its bar is over ends there, though the run went on", () => {
        const b = new RunBuilder();
        bringUp(b, "us-west-2");
        const timeline = regionTimeline(regionEntries(b, "us-west-2"), { newColor: null, runEnd: 50, finished: true });
        assert.deepEqual(bars(timeline), ["Bring-up 0-18", "Argo CD sync 18-23"]);
    });

    it("a traffic entry names its step by detail.weight, or by the new color's weight in detail.weights", () => {
        const b = new RunBuilder();
        b.region("r", 0, "traffic", "set weights", { detail: { weight: 10 } });
        b.region("r", 5, "traffic", "set weights", { detail: { weights: { blue: 60, green: 40 } } });
        const timeline = regionTimeline(regionEntries(b, "r"), { newColor: "green", runEnd: 9, finished: true });
        assert.deepEqual(bars(timeline), ["10% 0-5", "40% 5-9"]);
    });

    it("a traffic entry with no weight and no look after it is a plain traffic bar", () => {
        const b = new RunBuilder();
        b.region("r", 0, "traffic", "set weights");
        const timeline = regionTimeline(regionEntries(b, "r"), { newColor: null, runEnd: 4, finished: false });
        assert.deepEqual(bars(timeline), ["Traffic 0-4 interrupted"]);
        assert.deepEqual(timeline.weights, []);
    });

    it("a failure entry marks the bar it ends (a failed Argo CD wait)", () => {
        const b = new RunBuilder();
        b.region("r", 0, "bring-up", "create green stack").region("r", 18, "bring-up", "green cluster is up");
        b.region("r", 48, "argo", "failed: Argo CD apps not Synced and Healthy after 30m", { result: "failed" });
        assert.deepEqual(bars(regionTimeline(regionEntries(b, "r"), { newColor: null, runEnd: 48, finished: true })), ["Bring-up 0-18", "Argo CD sync 18-48 failed"]);
    });

    it("an unknown phase is its own bar, named by the phase", () => {
        const b = new RunBuilder();
        b.region("ops", 0, "control-plane", "control plane 1.34 -> 1.35").region("ops", 12, "node-groups", "node groups 1.34 -> 1.35").region("ops", 30, "end", "done", { result: "completed" });
        assert.deepEqual(bars(regionTimeline(regionEntries(b, "ops"), { newColor: null, runEnd: 30, finished: true })), ["control-plane 0-12", "node-groups 12-30"]);
    });

    it("bars never overlap, go forward in time and stay within the region's part of the run", () => {
        const phases = fc.constantFrom("bring-up", "argo", "traffic", "gate", "cut-over", "hold", "teardown", "rollback", "preflight", "other");
        fc.assert(
            fc.property(fc.array(fc.tuple(phases, fc.nat(30), fc.integer({ min: 1, max: 100 })), { maxLength: 25 }), fc.boolean(), (steps, finished) => {
                const b = new RunBuilder();
                let at = 0;
                for (const [phase, gap, weight] of steps) {
                    at += gap;
                    if (phase === "gate") b.gate("r", at, { weight, look: 1, verdict: "pass", measured: { requests: 1, errorRate: 0, p99Ms: 1, unhealthyHosts: 0 } });
                    else b.region("r", at, phase, phase);
                }
                const runEnd = at + 5;
                const timeline = regionTimeline(regionEntries(b, "r"), { newColor: null, runEnd, finished });
                let previousEnd = 0;
                for (const segment of timeline.segments) {
                    assert.ok(segment.start >= previousEnd && segment.end >= segment.start, JSON.stringify(timeline.segments));
                    assert.ok(segment.end <= timeline.end);
                    previousEnd = segment.end;
                }
                for (let i = 1; i < timeline.weights.length; i++) assert.ok(timeline.weights[i].atMinutes >= timeline.weights[i - 1].atMinutes);
            }),
        );
    });

    it("a step taken from the gate looks alone (a resumed run) still gets its bar", () => {
        const b = new RunBuilder();
        step(b, "r", 0, 50);
        tail(b, "r", 11);
        const timeline = regionTimeline(regionEntries(b, "r"), { newColor: "green", runEnd: 59, finished: true });
        assert.equal(timeline.segments[0].label, "50%");
        assert.deepEqual(timeline.weights.at(-1), { atMinutes: 59, weight: 50 });
    });
});
