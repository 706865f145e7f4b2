/**
 * The report of an upgrade that planned waves: regions grouped wave by wave (the timeline's sections say which),
 * why each wave started when it did, the wave bake at 100% and a halt marked on the timeline, a partial or halted
 * run said in its headline.
 */
import { strict as assert } from "node:assert";
import { renderHtml } from "../../automation/report/html";
import { parseJournal } from "../../automation/report/journal";
import { renderMarkdown } from "../../automation/report/markdown";
import { buildRun } from "../../automation/report/model";
import { RunBuilder, bringUp, passed, regionResult, step, upgradeResult } from "./builders";

const RUN = "20260101T000000-wav001";

/** A canary (us-west-2) baking 20 more minutes at 100%, then a wave of two, halted at 25% by the switch. */
function halted(): RunBuilder {
    const b = new RunBuilder(RUN);
    b.entry(0, "start", "upgrade prod to Kubernetes 1.35: us-west-2, ap-northeast-1, eu-west-1");
    b.entry(0, "wave", "rollout plan: canary us-west-2, then ap-northeast-1 + eu-west-1; wave gate 30m and 1000 requests at 100%; a rollback stops its wave", {
        detail: { kind: "plan", waves: [["us-west-2"], ["ap-northeast-1", "eu-west-1"]] },
    });
    for (const region of ["us-west-2", "ap-northeast-1", "eu-west-1"]) bringUp(b, region);
    for (const region of ["ap-northeast-1", "eu-west-1"]) b.region(region, 23, "wave", "waits for wave 0 (us-west-2) to serve 100% for 30m and 1000 requests", { detail: { kind: "wait", wave: 1 } });
    let at = 23;
    for (const weight of [5, 25, 50, 100]) at = step(b, "us-west-2", at, weight);
    b.region("us-west-2", at, "wave", "wave bake: green stays at 100% under the gate until it has served it for 30m and 1000 requests, before wave 1 may start", { detail: { kind: "bake", wave: 0 } });
    b.region("us-west-2", at + 20, "wave", "ready for wave 1: green served 100% for 30m and 180000 requests, its gate passing", { detail: { kind: "ready", wave: 0 } });
    b.entry(at + 20, "wave", "wave 1 (ap-northeast-1, eu-west-1) starts: us-west-2 served 100% for 30m and 180,000 requests, its gate passing", { detail: { kind: "start", wave: 1 } });
    const wave = at + 20;
    for (const region of ["ap-northeast-1", "eu-west-1"]) step(b, region, wave, 5);
    b.entry(wave + 14, "halt", "stop the line: halted by alice@laptop at 2026-12-04T10:00:00.000Z: payments errors", { detail: {} });
    for (const region of ["ap-northeast-1", "eu-west-1"]) b.region(region, wave + 14, "outcome", "halted: the line was stopped", { result: "halted" });
    b.end(
        wave + 14,
        upgradeResult(
            "halted",
            [
                regionResult("us-west-2", "completed", [passed(5), passed(25), passed(50), passed(100)], { wave: 0 }),
                regionResult("ap-northeast-1", "halted", [passed(5)], { wave: 1, reason: "the line was stopped" }),
                regionResult("eu-west-1", "halted", [passed(5)], { wave: 1, reason: "the line was stopped" }),
            ],
            wave + 14,
        ),
    );
    return b;
}

const model = (b: RunBuilder) => {
    const { entries, skipped } = parseJournal(b.jsonl());
    return buildRun(entries, RUN, skipped);
};

describe("report: waves, bakes and halts", () => {
    it("orders the regions wave by wave and says when each wave started, and why then", () => {
        const run = model(halted());
        assert.deepEqual(run.regions.map((r) => [r.region, r.wave]), [["us-west-2", 0], ["ap-northeast-1", 1], ["eu-west-1", 1]]);
        assert.match(run.regions[1].waveNote!, /^started at \+1h27m, once us-west-2 served 100% for 30m and 180,000 requests, its gate passing$/);
        assert.equal(run.regions[0].waveNote, null);
    });

    it("draws waiting for a wave, the wave bake and the halt on each region's row", () => {
        const [canary, first] = model(halted()).regions;
        assert.deepEqual(canary.segments.filter((s) => s.kind === "wave-bake").map((s) => [s.label, s.end - s.start]), [["Wave bake", 20]]);
        assert.deepEqual(first.segments.map((s) => s.label), ["Bring-up", "Argo CD sync", "Waiting for wave 1", "5%", "Halted"]);
        const halt = first.segments.at(-1)!;
        assert.deepEqual([halt.kind, halt.start === halt.end, halt.failed], ["halt", true, true]);
    });

    it("in Markdown: the halt in the headline, each region's wave line, gantt sections by wave", () => {
        const md = renderMarkdown(model(halted()));
        assert.match(md, /^## mitene upgrade of prod to Kubernetes 1\.35: halted$/m);
        assert.match(md, /^> \*\*Halted:\*\* stop the line: halted by alice@laptop at 2026-12-04T10:00:00\.000Z: payments errors$/m);
        assert.match(md, /^- \*\*Regions:\*\* canary: us-west-2 completed, wave 1: ap-northeast-1 halted, wave 1: eu-west-1 halted$/m);
        assert.match(md, /^\*\*Canary:\*\* first, alone$/m);
        assert.match(md, /^\*\*Wave 1:\*\* started at \+1h27m, once us-west-2 served 100% for 30m/m);
        const sections = md.split("\n").filter((l) => l.startsWith("    section "));
        assert.deepEqual(sections, ["    section canary · us-west-2", "    section wave 1 · ap-northeast-1 (halted)", "    section wave 1 · eu-west-1 (halted)"]);
        assert.ok(md.includes("    Wave bake :done, r0s6, 2026-01-01 01:07, 2026-01-01 01:27"));
        assert.ok(md.includes("    Halted :crit, milestone,"));
    });

    it("says a partial run in its headline, in Markdown and HTML", () => {
        const b = new RunBuilder(RUN);
        b.entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1, us-west-2");
        b.end(10, upgradeResult("partial", [regionResult("ap-northeast-1", "completed", [], { wave: 0 }), regionResult("us-west-2", "rolled_back", [], { wave: 1 })], 10));
        const run = model(b);
        assert.match(renderMarkdown(run), /^## mitene upgrade of prod to Kubernetes 1\.35: partial\n[\s\S]*^> \*\*Partial:\*\* the regions ended differently/m);
        const html = renderHtml(run);
        assert.match(html, /<h1>mitene upgrade of prod to Kubernetes 1\.35: <span class="outcome bad">partial<\/span><\/h1>/);
        assert.match(html, /Partial: the regions ended differently/);
    });
});
