import { strict as assert } from "node:assert";
import { renderHtml } from "../../automation/report/html";
import { parseJournal } from "../../automation/report/journal";
import { buildRun } from "../../automation/report/model";
import { RunBuilder, healthy } from "./builders";
import { RUN_ID, prodInterrupted, prodRolledBack } from "./fixtures";

const html = (b: RunBuilder, runId = b.runId) => {
    const { entries, skipped } = parseJournal(b.jsonl());
    return renderHtml(buildRun(entries, runId, skipped));
};

describe("report: HTML", () => {
    const page = html(prodRolledBack());

    it("is one self-contained page: no script, no external reference, and a policy that forbids the network", () => {
        assert.ok(page.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
        assert.ok(!/<script|<link|<img|<iframe|@import|url\((?!#)/i.test(page), "nothing loads anything");
        assert.deepEqual(page.match(/\b(?:src|href)=/g), null);
        assert.deepEqual([...new Set(page.match(/https?:\/\/[^"'\s)]+/g))], ["http://www.w3.org/2000/svg"], "the only URL is the SVG namespace");
    });

    it("draws the timeline, the weights over time and four gate charts per region that was gated", () => {
        assert.equal((page.match(/<svg /g) ?? []).length, 2 + 2 * 4);
        for (const id of ["timeline", "weights", "gate-us-west-2-errorRate", "gate-ap-northeast-1-requests"]) assert.ok(page.includes(`<svg xmlns="http://www.w3.org/2000/svg" id="${id}"`), id);
    });

    it("gives every chart a title and a description, and ids are unique", () => {
        const charts = page.match(/<svg [^>]*>/g)!;
        for (const chart of charts) {
            const [, title, desc] = chart.match(/aria-labelledby="(\S+) (\S+)"/)!;
            assert.ok(page.includes(`<title id="${title}">`) && page.includes(`<desc id="${desc}">`), chart);
        }
        const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
        assert.equal(new Set(ids).size, ids.length);
    });

    it("marks the failed step: a hatched bar, a failure marker, and the figure over its threshold in the table", () => {
        assert.ok(page.includes(`us-west-2: green 25%, +1h18m to +1h25m (7m), failed or rolled back`));
        assert.ok(page.includes(`class="look fail"`));
        assert.ok(page.includes(`<td class="num breach">8.00% (over)</td>`));
    });

    it("says an interrupted run was cut short, on the bar and in a note", () => {
        const interrupted = html(prodInterrupted());
        assert.ok(interrupted.includes(`<p class="note" role="note">This run has no end entry`));
        assert.ok(interrupted.includes(`stroke-dasharray="4 3" class="segment"`));
        assert.ok(interrupted.includes("cut short: the run stopped here"));
    });

    it("escapes every text from the journal", () => {
        const b = new RunBuilder("run-e");
        b.entry(0, "start", `upgrade prod to Kubernetes 1.35 "<img src=x onerror=alert(1)>"`);
        b.region("r<b>", 1, "traffic", "set weights <script>alert(1)</script>", { detail: { weight: 5 } });
        const escaped = html(b);
        assert.ok(!escaped.includes("<script>") && !escaped.includes("<img") && !escaped.includes("<b>"));
        assert.ok(escaped.includes("set weights &lt;script&gt;alert(1)&lt;/script&gt;"));
    });

    it("renders the same run the same way twice", () => assert.equal(html(prodRolledBack(), RUN_ID), page));
    it("shows every service's row under its step, however many", () => {
        const b = new RunBuilder("run-s");
        const services = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`svc${i}`, healthy(10)]));
        b.gate("r", 5, { weight: 5, look: 1, verdict: "pass", measured: healthy(300), services });
        const out = html(b, "run-s");
        assert.equal(out.match(/<tr class="service">/g)?.length, 30);
        assert.ok(out.includes("<td>↳ svc29</td>"));
    });
});
