import { strict as assert } from "node:assert";
import { offset } from "../../automation/report/format";
import { parseJournal } from "../../automation/report/journal";
import { MAX_EVENTS, MAX_SERVICE_ROWS, renderMarkdown } from "../../automation/report/markdown";
import { buildRun } from "../../automation/report/model";
import { RunBuilder, THRESHOLDS, bringUp, healthy, passed, regionResult, step, tail, upgradeResult } from "./builders";
import { RUN_ID, prodRolledBack, prodInterrupted } from "./fixtures";

const markdown = (b: RunBuilder, runId = b.runId) => {
    const { entries, skipped } = parseJournal(b.jsonl());
    return renderMarkdown(buildRun(entries, runId, skipped));
};
const gantt = (md: string) => md.match(/```mermaid\n([\s\S]*?)```/)?.[1] ?? null;

const EXPECTED = [
    "## mitene upgrade of prod to Kubernetes 1.35: rolled back",
    "",
    "- **Result:** rolled back",
    "- **Run:** `20260101T000000-abc123` in env `prod`",
    "- **Started:** 2026-01-01 00:00 UTC; **took** 1h55m (virtual time on the sim engine: what the real run would take)",
    "- **Regions:** ap-northeast-1 completed, us-west-2 rolled back",
    "",
    "### ap-northeast-1: completed (blue → green)",
    "",
    "| step | gate | looks | requests | error rate | p99 | unhealthy hosts |",
    "|---|---|---:|---:|---:|---:|---:|",
    "| *threshold* | | | ≥ 200 | ≤ 1.00% and ≤ 2× old color | ≤ 1500 ms and ≤ 1.5× old color | ≤ 0 |",
    "| green 5% | pass | 2 | 300 | 0.10% | 181 ms | 0 |",
    "| green 25% | pass | 2 | 1,500 | 0.10% | 181 ms | 0 |",
    "| green 50% | pass | 2 | 3,000 | 0.10% | 181 ms | 0 |",
    "| green 100% | pass | 2 | 6,000 | 0.10% | 181 ms | 0 |",
    "",
    "### us-west-2: rolled back (blue → green)",
    "",
    "**Why:** gate failed at green 25%: error rate 8.00% > 1.00%",
    "",
    "**Fault to rollback:** 6 minutes, from the fault's start to all traffic back.",
    "",
    "| step | gate | looks | requests | error rate | p99 | unhealthy hosts |",
    "|---|---|---:|---:|---:|---:|---:|",
    "| *threshold* | | | ≥ 200 | ≤ 1.00% and ≤ 2× old color | ≤ 1500 ms and ≤ 1.5× old color | ≤ 0 |",
    "| green 5% | pass | 2 | 300 | 0.10% | 181 ms | 0 |",
    "| green 25% | fail | 1 | 1,500 | **8.00%** | 190 ms | 0 |",
    "",
    "- **25% fail:** error rate 8.00% > 1.00%",
    "",
    "### Timeline",
    "",
    "```mermaid",
    "gantt",
    "    title upgrade of prod to Kubernetes 1.35, times in UTC",
    "    dateFormat YYYY-MM-DD HH:mm",
    "    axisFormat %H:%M",
    "    todayMarker off",
    "    section ap-northeast-1",
    "    Bring-up :done, r0s0, 2026-01-01 00:00, 2026-01-01 00:18",
    "    Argo CD sync :done, r0s1, 2026-01-01 00:18, 2026-01-01 00:23",
    "    green 5% :done, r0s2, 2026-01-01 00:23, 2026-01-01 00:34",
    "    green 25% :done, r0s3, 2026-01-01 00:34, 2026-01-01 00:45",
    "    green 50% :done, r0s4, 2026-01-01 00:45, 2026-01-01 00:56",
    "    green 100% :done, r0s5, 2026-01-01 00:56, 2026-01-01 01:07",
    "    Cron cut-over :done, r0s6, 2026-01-01 01:07, 2026-01-01 01:12",
    "    Hold :done, r0s7, 2026-01-01 01:12, 2026-01-01 01:42",
    "    Teardown :done, r0s8, 2026-01-01 01:42, 2026-01-01 01:55",
    "    section us-west-2 (rolled back)",
    "    Bring-up :done, r1s0, 2026-01-01 00:00, 2026-01-01 00:18",
    "    Argo CD sync :done, r1s1, 2026-01-01 00:18, 2026-01-01 00:23",
    "    Waiting for its turn :done, r1s2, 2026-01-01 00:23, 2026-01-01 01:07",
    "    green 5% :done, r1s3, 2026-01-01 01:07, 2026-01-01 01:18",
    "    green 25% :crit, r1s4, 2026-01-01 01:18, 2026-01-01 01:25",
    "    Rollback :crit, milestone, r1s5, 2026-01-01 01:25, 2026-01-01 01:25",
    "```",
    "",
    "<details><summary>Events (32; gate looks are in the steps above)</summary>",
    "",
    "| time | region | phase | event |",
    "|---|---|---|---|",
    "| +0m |  | start | upgrade prod to Kubernetes 1.35: ap-northeast-1, us-west-2 |",
    "| +0m | ap-northeast-1 | bring-up | create green stack |",
    "| +0m | ap-northeast-1 | bring-up | deploy green cluster (Kubernetes 1.35) |",
    "| +0m | us-west-2 | bring-up | create green stack |",
    "| +0m | us-west-2 | bring-up | deploy green cluster (Kubernetes 1.35) |",
    "| +18m | ap-northeast-1 | bring-up | green cluster is up |",
    "| +18m | us-west-2 | bring-up | green cluster is up |",
    "| +23m | ap-northeast-1 | argo | Argo CD: 2 apps on mitene-prod-ap-northeast-1-green Synced and Healthy |",
    "| +23m | us-west-2 | argo | Argo CD: 2 apps on mitene-prod-us-west-2-green Synced and Healthy |",
    "| +23m | ap-northeast-1 | traffic | set weights blue 95% / green 5% |",
    "| +24m | ap-northeast-1 | traffic | load balancer confirms blue 95% / green 5% |",
    "| +34m | ap-northeast-1 | traffic | set weights blue 75% / green 25% |",
    "| +35m | ap-northeast-1 | traffic | load balancer confirms blue 75% / green 25% |",
    "| +45m | ap-northeast-1 | traffic | set weights blue 50% / green 50% |",
    "| +46m | ap-northeast-1 | traffic | load balancer confirms blue 50% / green 50% |",
    "| +56m | ap-northeast-1 | traffic | set weights blue 0% / green 100% |",
    "| +57m | ap-northeast-1 | traffic | load balancer confirms blue 0% / green 100% |",
    "| +1h07m | ap-northeast-1 | cut-over | turn cron off on blue |",
    "| +1h07m | us-west-2 | traffic | set weights blue 95% / green 5% |",
    "| +1h08m | us-west-2 | traffic | load balancer confirms blue 95% / green 5% |",
    "| +1h10m | ap-northeast-1 | cut-over | cron jobs move to green |",
    "| +1h11m | ap-northeast-1 | cut-over | turn cron on on green |",
    "| +1h12m | ap-northeast-1 | hold | hold 30m before tearing blue down |",
    "| +1h18m | us-west-2 | traffic | set weights blue 75% / green 25% |",
    "| +1h19m | us-west-2 | traffic | load balancer confirms blue 75% / green 25% |",
    "| +1h25m | us-west-2 | rollback | region stack updated: blue 100% / green 0% |",
    "| +1h25m | us-west-2 | rollback | rolled back: gate failed at green 25%: error rate 8.00% > 1.00% (**rolled back**) |",
    "| +1h42m | ap-northeast-1 | teardown | deregister blue from Argo CD |",
    "| +1h43m | ap-northeast-1 | teardown | destroy blue cluster |",
    "| +1h55m | ap-northeast-1 | teardown | remove blue stack |",
    "| +1h55m | ap-northeast-1 | end | completed: green serves Kubernetes 1.35 (**completed**) |",
    "| +1h55m |  | end | rolled_back after 115 minutes (**rolled back**) |",
    "",
    "</details>",
].join("\n") + "\n";

describe("report: Markdown", () => {
    it("a two-region upgrade whose second region rolled back, in full", () => {
        assert.equal(markdown(prodRolledBack()), EXPECTED);
    });

    it("an interrupted run says so, shows each region as it was, and marks the bars it stopped in", () => {
        const md = markdown(prodInterrupted());
        assert.match(md, /^## mitene upgrade of prod to Kubernetes 1\.35: interrupted$/m);
        assert.match(md, /^- \*\*Started:\*\* 2026-01-01 00:00 UTC; \*\*took\*\* 1h24m until its last entry$/m);
        assert.match(md, /^> \*\*Note:\*\* This run has no end entry: it was interrupted \(killed, or its machine lost\) after 1h24m\. Its last entry: "gate at 25% look 1: fail/m);
        assert.match(md, /^### us-west-2: interrupted$/m);
        assert.match(md, /^\*\*Last entry\*\* at \+1h24m: gate at 25% look 1: fail \(error rate 8\.00% > 1\.00%\)$/m);
        assert.match(md, /^\*\*Last entry\*\* at \+1h12m: hold 30m before tearing blue down$/m);
        assert.match(md, /^\| 25% \| fail \| 1 \| 1,500 \| \*\*8\.00%\*\* \| 190 ms \| 0 \|$/m);
        const chart = gantt(md)!;
        assert.match(chart, /^ {4}section us-west-2 \(interrupted\)$/m);
        assert.match(chart, /^ {4}25% :crit, active, r1s4, 2026-01-01 01:18, 2026-01-01 01:24$/m, "its gate failed and the run stopped before traffic went back");
        assert.match(chart, /^ {4}Hold :active, r0s7, 2026-01-01 01:12, 2026-01-01 01:24$/m);
    });

    it("a failed region: its reason, and the bar it failed in as critical", () => {
        const b = new RunBuilder("run-f", "staging");
        b.entry(0, "start", "upgrade staging to Kubernetes 1.35: ap-northeast-1", { detail: { options: { to: "1.35" } } });
        b.region("ap-northeast-1", 0, "bring-up", "create green stack").region("ap-northeast-1", 18, "bring-up", "green cluster is up");
        const reason = "Argo CD apps on mitene-staging-ap-northeast-1-green not Synced and Healthy after 30m: api (OutOfSync/Missing); no traffic was moved";
        b.region("ap-northeast-1", 48, "argo", `failed: ${reason}`, { result: "failed" });
        b.end(48, { ...upgradeResult("failed", [regionResult("ap-northeast-1", "failed", [], { reason })], 48), env: "staging" });
        const md = markdown(b);
        assert.match(md, /^### ap-northeast-1: failed \(blue → green\)$/m);
        assert.ok(md.includes(`**Why:** ${reason}`));
        assert.ok(md.includes("No traffic step was gated in this run."));
        assert.match(gantt(md)!, /^ {4}Argo CD sync :crit, r0s1, 2026-01-01 00:18, 2026-01-01 00:48$/m);
        assert.match(gantt(md)!, /^ {4}section ap-northeast-1 \(failed\)$/m);
    });

    it("a paused run (--stop-at 25): the steps so far, paused, no teardown", () => {
        const b = new RunBuilder("run-p");
        b.entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1", { detail: { options: { to: "1.35" } } });
        let at = bringUp(b, "ap-northeast-1");
        at = step(b, "ap-northeast-1", at, 5);
        at = step(b, "ap-northeast-1", at, 25);
        b.region("ap-northeast-1", at, "traffic", "paused at green 25%: run the upgrade again to go on", { result: "paused" });
        b.end(at, upgradeResult("paused", [regionResult("ap-northeast-1", "paused", [passed(5), passed(25)])], at));
        const md = markdown(b);
        assert.match(md, /^## mitene upgrade of prod to Kubernetes 1\.35: paused$/m);
        assert.match(md, /^### ap-northeast-1: paused \(blue → green\)$/m);
        assert.deepEqual(gantt(md)!.split("\n").filter((l) => l.includes(" :")).map((l) => l.trim().split(" :")[0]), ["Bring-up", "Argo CD sync", "green 5%", "green 25%"]);
    });

    it("nothing to do: every region already there, no timeline to draw", () => {
        const b = new RunBuilder("run-n");
        b.entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1, us-west-2", { detail: { options: { to: "1.35" } } });
        b.end(0, upgradeResult("nothing_to_do", [regionResult("ap-northeast-1", "nothing_to_do", [], { from: null }), regionResult("us-west-2", "nothing_to_do", [], { from: null })], 0));
        const md = markdown(b);
        assert.match(md, /^- \*\*Regions:\*\* ap-northeast-1 nothing to do, us-west-2 nothing to do$/m);
        assert.match(md, /^### us-west-2: nothing to do$/m);
        assert.equal(gantt(md), null);
        assert.ok(md.includes("Nothing in this run took time in a region."));
    });

    it("several regions: one section each, in the run's order, and one gantt section per region that did something", () => {
        const b = new RunBuilder("run-m");
        const regions = ["ap-northeast-1", "us-west-2", "eu-west-1"];
        b.entry(0, "start", `upgrade prod to Kubernetes 1.35: ${regions.join(", ")}`, { detail: { options: { to: "1.35" } } });
        for (const region of regions) bringUp(b, region);
        let at = 23;
        for (const weight of [5, 100]) at = step(b, regions[0], at, weight);
        const canaryDone = at;
        tail(b, regions[0], canaryDone);
        // --parallel-regions: the others move together after the canary.
        let end = 0;
        for (const region of regions.slice(1)) {
            let t = canaryDone;
            for (const weight of [5, 100]) t = step(b, region, t, weight);
            end = tail(b, region, t);
        }
        b.end(end, upgradeResult("completed", regions.map((r) => regionResult(r, "completed", [passed(5), passed(100)])), end));
        const md = markdown(b);
        assert.deepEqual([...md.matchAll(/^### (\S+): completed/gm)].map((m) => m[1]), regions);
        assert.deepEqual([...gantt(md)!.matchAll(/^ {4}section (.+)$/gm)].map((m) => m[1]), regions);
        assert.match(md, /^- \*\*Started:\*\* 2026-01-01 00:00 UTC; \*\*took\*\* 1h55m/m);
    });

    it("an in-place Ops upgrade: its stages", () => {
        const b = new RunBuilder("run-o");
        b.entry(0, "start", "upgrade the Ops cluster of prod in place to Kubernetes 1.35");
        b.region("ops", 0, "control-plane", "control plane: 1.34 -> 1.35").region("ops", 12, "core-addons", "core add-ons: 1.34 -> 1.35").region("ops", 15, "node-groups", "node groups: 1.34 -> 1.35");
        const stages = [
            { stage: "control plane", result: "done", detail: "1.34 -> 1.35" },
            { stage: "core add-ons", result: "done", detail: null },
            { stage: "node groups", result: "done", detail: "rolling update" },
        ];
        b.end(40, { env: "prod", stack: "ops-prod", to: "1.35", result: "completed", stages, durationMinutes: 40, engine: "sim" });
        const md = markdown(b);
        assert.match(md, /^## mitene in-place upgrade of the Ops cluster of prod to Kubernetes 1\.35: completed$/m);
        assert.ok(md.includes(["### Stages", "", "| stage | result | detail |", "|---|---|---|", "| control plane | done | 1.34 -> 1.35 |", "| core add-ons | done |  |", "| node groups | done | rolling update |"].join("\n")));
        assert.match(md, /^### ops: completed$/m);
        assert.deepEqual([...gantt(md)!.matchAll(/^ {4}(\S+) :done, r0s\d, (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`), [
            "control-plane 2026-01-01 00:00, 2026-01-01 00:12",
            "core-addons 2026-01-01 00:12, 2026-01-01 00:15",
            "node-groups 2026-01-01 00:15, 2026-01-01 00:40",
        ]);
    });

    it("a rollback run: what the command reported", () => {
        const b = new RunBuilder("run-r");
        b.region("us-west-2", 0, "rollback", "rollback: blue 100% / green 0%; mitene-prod-us-west-2-green kept for inspection", { result: "rolled_back" });
        b.end(1, { env: "prod", region: "us-west-2", result: "rolled_back", color: "blue", weights: { blue: 100, green: 0 }, reason: "rolled back by an operator" });
        const md = markdown(b);
        assert.match(md, /^## mitene rollback in prod: rolled back$/m);
        assert.ok(md.includes(["### Outcome", "", "| field | value |", "|---|---|", "| env | prod |", "| region | us-west-2 |", "| result | rolled_back |", "| color | blue |", `| weights | {"blue":100,"green":0} |`, "| reason | rolled back by an operator |"].join("\n")));
        assert.ok(!md.includes("gate looks are in the steps above"), "a run without gate looks does not point to them");
        assert.match(gantt(md)!, /^ {4}Rollback :crit, milestone, r0s0, 2026-01-01 00:00, 2026-01-01 00:00$/m);
    });

    it("shows a step verdict it does not know (a newer driver) instead of dropping the run's result", () => {
        const b = new RunBuilder("run-v");
        b.entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1", { detail: { options: { to: "1.35" } } });
        b.end(5, upgradeResult("completed", [regionResult("ap-northeast-1", "completed", [{ ...passed(5), gate: "waived" }])], 5));
        const md = markdown(b);
        assert.match(md, /^\| green 5% \| waived \| 2 \| 300 \| 0\.10% \| 181 ms \| 0 \|$/m);
        assert.ok(!md.includes("### Outcome"));
    });

    it("says how many journal lines it could not read", () => {
        const text = prodRolledBack().jsonl().replace(/\n/, "\n{torn\n");
        const { entries, skipped } = parseJournal(text);
        assert.match(renderMarkdown(buildRun(entries, RUN_ID, skipped)), /^> \*\*Note:\*\* 1 journal line could not be read and was skipped \(line 2\)\.$/m);
    });

    it("repeats the threshold row when the thresholds change between steps", () => {
        const b = new RunBuilder("run-t");
        b.gate("r", 5, { weight: 5, look: 1, verdict: "pass", measured: healthy(300) });
        b.gate("r", 10, { weight: 25, look: 1, verdict: "pass", measured: healthy(1500), thresholds: { ...THRESHOLDS, maxP99Ms: 900 } });
        const rows = markdown(b).split("\n").filter((l) => l.startsWith("| *threshold*"));
        assert.deepEqual(rows.map((r) => r.split("|").map((c) => c.trim())[6]), ["≤ 1500 ms and ≤ 1.5× old color", "≤ 900 ms and ≤ 1.5× old color"]);
    });

    it("keeps every table row on one line and no event text becomes markup", () => {
        const b = new RunBuilder("run-e");
        b.entry(0, "start", "upgrade prod to Kubernetes 1.35");
        b.region("r", 1, "bring-up", "weird | event\n<script>alert(1)</script>");
        const md = markdown(b);
        assert.ok(md.includes("| +1m | r | bring-up | weird \\| event &lt;script>alert(1)&lt;/script> |"));
        assert.ok(!md.includes("<script>"));
    });

    it(`lists at most ${MAX_EVENTS} events and says how many more the journal has`, () => {
        const b = new RunBuilder("run-x");
        for (let i = 0; i < MAX_EVENTS + 7; i++) b.region("r", i, "other", `event ${i}`);
        const md = markdown(b);
        assert.ok(md.includes(`| ${offset(MAX_EVENTS - 1)} | r | other | event ${MAX_EVENTS - 1} |`));
        assert.ok(!md.includes(`event ${MAX_EVENTS} |`));
        assert.ok(md.includes("7 more events are in the journal."));
    });
    describe("each service's row", () => {
        const withServices = (services: number, breaking = "s01") => {
            const b = new RunBuilder("run-s");
            const names = Array.from({ length: services }, (_, i) => `s${String(i + 1).padStart(2, "0")}`);
            for (const [i, weight] of [5, 25, 50, 100].entries()) {
                const rows = Object.fromEntries(names.map((n) => [n, n === breaking && weight === 25 ? { ...healthy(100), errors: 20, errorRate: 0.2 } : healthy(100)]));
                b.gate("r", 5 + i * 10, { weight, look: 1, verdict: "pass", measured: healthy(weight * 60), services: rows });
            }
            return markdown(b).split("\n");
        };

        it("follows each step's row with one row per service, a figure over its threshold in bold", () => {
            const lines = withServices(2);
            const at25 = lines.indexOf(lines.find((l) => l.startsWith("| 25% |"))!);
            assert.deepEqual(lines.slice(at25 + 1, at25 + 3), ["| ↳ s01 | | | 100 | **20.00%** | 181 ms | 0 |", "| ↳ s02 | | | 100 | 0.10% | 181 ms | 0 |"]);
            assert.equal(lines.filter((l) => l.startsWith("| ↳ ")).length, 8);
        });

        it(`above ${MAX_SERVICE_ROWS} service rows in a region, keeps the rows breaking a threshold and counts the others`, () => {
            const lines = withServices(20, "s07");
            assert.deepEqual(lines.filter((l) => l.startsWith("| ↳ ")), ["| ↳ s07 | | | 100 | **20.00%** | 181 ms | 0 |"]);
            assert.ok(lines.includes("79 more service rows within every threshold are in the HTML report and the journal."));
        });

        it("says how many of a region's errors the load balancer answered itself", () => {
            const b = new RunBuilder("run-l");
            b.gate("r", 5, { weight: 5, look: 1, verdict: "fail", measured: { ...healthy(300), errors: 60, errorRate: 0.2, loadBalancerErrors: 57 } });
            assert.ok(markdown(b).includes("| 5% | fail | 1 | 300 | **20.00% (57 from the load balancer)** | 181 ms | 0 |"));
        });
    });
});
