import { strict as assert } from "node:assert";
import { createProgress } from "../../automation/record/progress";
import { remainingMinutes, upgradeTimes } from "../../automation/upgrade/criticalPath";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";
import { UPGRADE_DEFAULTS } from "../../automation/upgrade/types";
import { cli, sim, tempState } from "../driver/harness";

const TIMES = upgradeTimes(DEFAULT_SCENARIO, { steps: [...UPGRADE_DEFAULTS.steps], bakeMs: UPGRADE_DEFAULTS.bakeMs, holdMs: UPGRADE_DEFAULTS.holdMs, waveBakeMs: 10 * 60_000 });

describe("progress", () => {
    it("in a log, prints each event once and no status block", () => {
        let out = "";
        const view = createProgress({ write: (t) => (out += t), live: false, realTime: false });
        view.status("ap-northeast-1", "baking green 5%");
        view.remaining(22, 120);
        view.event(23, "ap-northeast-1", "set weights blue 95% / green 5%");
        view.event(24, null, "upgrade started");
        assert.equal(out, "+  23m  ap-northeast-1: set weights blue 95% / green 5%\n+  24m  upgrade started\n");
    });

    it("on a terminal, redraws the status block in place under the events, each line within the width", () => {
        let out = "";
        const view = createProgress({ write: (t) => (out += t), live: true, columns: 40, realTime: false });
        view.status("ap-northeast-1", "baking green 5% with a status far longer than the terminal is wide");
        view.remaining(30, 95);
        view.event(30, "ap-northeast-1", "gate at green 5%: pass");
        const frames = out.split("\x1b[");
        assert.ok(frames.some((f) => /^\dF/.test(f)), "moves the cursor up over the old block");
        const last = out.slice(out.lastIndexOf("+  30m")).split("\n");
        assert.equal(last[0], "+  30m  ap-northeast-1: gate at green 5…");
        assert.equal(last[1], "  +30m elapsed, about 1h35m left");
        assert.ok(last.every((line) => line.length <= 40));
    });

    it("on a terminal that reports no width (0 columns), keeps the lines whole to a common width, not one character", () => {
        let out = "";
        const view = createProgress({ write: (t) => (out += t), live: true, columns: 0, realTime: false });
        view.event(30, "ap-northeast-1", "gate at green 5%: pass");
        assert.ok(out.includes("+  30m  ap-northeast-1: gate at green 5%: pass"), out);
    });

    it("does not redraw when a status does not change", () => {
        let writes = 0;
        const view = createProgress({ write: () => writes++, live: true, realTime: false });
        view.status("us-west-2", "queued behind ap-northeast-1");
        const after = writes;
        view.status("us-west-2", "queued behind ap-northeast-1");
        assert.equal(writes, after);
    });
});

describe("time left", () => {
    const waiting = (wave: number) => ({ stage: "waiting" as const, wave, stepsLeft: 4, phaseMinutes: 0, shifts: true });

    it("before anything ran is the policy's lower bound (two regions, a wave each: 158 minutes)", () => {
        assert.equal(remainingMinutes([waiting(0), waiting(1)], TIMES), 158);
    });

    it("regions of one wave move together: six regions in two waves take as long as two", () => {
        assert.equal(remainingMinutes([waiting(0), ...[1, 1, 1, 1, 1].map(waiting)], TIMES), 158);
        assert.equal(remainingMinutes([0, 1, 2, 3, 4, 5].map(waiting), TIMES), 158 + 4 * 44);
    });

    it("a wave bake longer than the step's bake adds the difference before each later wave", () => {
        const longer = { ...TIMES, waveBake: 30 };
        assert.equal(remainingMinutes([waiting(0), waiting(1), waiting(2)], longer), 158 + 44 + 2 * 20);
    });

    it("is recomputed from what is left: a resumed run mid-canary has less to go", () => {
        const canaryAt50 = { stage: "traffic" as const, wave: 0, stepsLeft: 2, phaseMinutes: 4, shifts: true };
        const queued = { stage: "queued" as const, wave: 1, stepsLeft: 4, phaseMinutes: 0, shifts: true };
        // Canary: 2 steps x 11 less 4 = 18; then the second region 44; then its tail 4 + 30 + 1 + 12 = 47.
        assert.equal(remainingMinutes([canaryAt50, queued], TIMES), 18 + 44 + 47);
    });

    it("after a rollback only the rest counts", () => {
        const done = (wave: number) => ({ stage: "done" as const, wave, stepsLeft: 0, phaseMinutes: 0, shifts: true });
        assert.equal(remainingMinutes([done(0), done(1)], TIMES), 0);
    });

    it("in a log, a run prints each event once, in short lines", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--steps", "50,100", "--json"));
        assert.equal(run.code, 0);
        const lines = run.stderr.trim().split("\n").filter((l) => l.startsWith("+"));
        assert.equal(new Set(lines).size, lines.length);
        assert.ok(lines.every((l) => l.length < 130), "short lines");
        assert.doesNotMatch(run.stderr, /elapsed, about/, "no status block in a log");
    });

    it("on a terminal, a run that goes as planned keeps one end in sight: elapsed plus time left never moves", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--json"), { tty: true });
        const minutes = (h: string | undefined, m: string) => Number(h ?? 0) * 60 + Number(m);
        const ends = [...run.stderr.matchAll(/\+(?:(\d+)h)?(\d+)m elapsed, about (?:(\d+)h)?(\d+)m left/g)].map((m) => minutes(m[1], m[2]) + minutes(m[3], m[4]));
        assert.ok(ends.length > 50, "the header was drawn all along");
        assert.deepEqual([...new Set(ends)], [158], "the lower bound of the policy, from the first header to the last");
    });

    it("on a terminal, a region waiting behind the canary is shown waiting for its wave, not waiting for Argo CD", async () => {
        const run = await cli(sim(tempState(), "upgrade", "--env", "prod", "--to", "1.35", "--steps", "50,100", "--json"), { tty: true });
        assert.match(run.stderr, /us-west-2\s+waiting for wave 1 \(after ap-northeast-1\)/);
        assert.match(run.stderr, /elapsed, about \d+m left/);
    });
});
