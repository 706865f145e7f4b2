/**
 * The support calendar and readiness ledger in the reports, on fixed data: the Markdown tables and the HTML
 * calendar strip (per cluster its version's standard and extended support, the run's date marked).
 */
import { strict as assert } from "node:assert";
import { calendarStrip, cycleHtml, cycleMarkdown } from "../../automation/report/cycle";
import { CycleDoc } from "../../automation/report/model";

const CYCLE: CycleDoc = {
    at: "2026-12-04",
    to: "1.35",
    calendar: [
        { cluster: "ops-prod", version: "1.33", upgradePolicy: "STANDARD", phase: "standard", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29", daysLeft: -128, extraCostPerMonthUsd: 0, costSource: "pricing source", datesVerified: true },
        { cluster: "mitene-prod-usw2-blue", version: "1.34", upgradePolicy: "EXTENDED (EKS default)", phase: "extended", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02", daysLeft: -2, extraCostPerMonthUsd: 365, costSource: "pricing source", datesVerified: false },
    ],
    ledger: [
        { cluster: "mitene-prod-usw2-blue", item: "Ingress networking.k8s.io/v1beta1", kind: "api", pinned: "networking.k8s.io/v1beta1", moveTo: "networking.k8s.io/v1", severity: "blocking", detail: "removed in 1.22", source: "deprecation guide", file: "apps/web.yaml" },
        { cluster: "mitene-prod-usw2-blue", item: "metrics-server", kind: "addon", pinned: "3.13.0", moveTo: null, severity: "ok", detail: "supports 1.35", source: "index" },
    ],
};

describe("report: support calendar and readiness", () => {
    it("Markdown: every cluster with its phase, cost and whether its dates are verified; only what is not ok in the ledger, with its source", () => {
        const md = cycleMarkdown(CYCLE).join("\n");
        assert.match(md, /### Support calendar on 2026-12-04/);
        assert.match(md, /\| mitene-prod-usw2-blue \| 1\.34 \| EXTENDED \(EKS default\) \| extended \| 2026-12-02 \| 2027-12-02 \| -2 \| \$365\/month \| \*\*unverified\*\* \|/);
        assert.match(md, /\| ops-prod \| 1\.33 \| STANDARD \| standard .* \| - \| AWS calendar \|/);
        assert.match(md, /1 of 2 items ok\./);
        assert.match(md, /\| \*\*blocking\*\* \| mitene-prod-usw2-blue \| api \| Ingress networking\.k8s\.io\/v1beta1 \(apps\/web\.yaml\) \| removed in 1\.22 \| deprecation guide \|/);
        assert.ok(!md.includes("supports 1.35"));
    });

    it("HTML: a strip with a standard and an extended bar per cluster, the date marked, unverified rows pale", () => {
        const svg = calendarStrip(CYCLE);
        assert.equal(svg.match(/<rect /g)!.length, 4);
        assert.equal(svg.match(/fill-opacity="0\.55"/g)!.length, 2, "the 1.34 row's two bars");
        assert.match(svg, /<text class="note" [^>]*>2026-12-04<\/text>/);
        assert.match(svg, /<desc id="calendar-desc">ops-prod runs 1\.33: standard support until 2026-07-29, extended until 2027-07-29; standard on 2026-12-04/);
        assert.match(cycleHtml(CYCLE), /<h2>Readiness for 1\.35<\/h2>/);
    });
});
