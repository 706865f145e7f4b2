/**
 * The Markdown report of a real rehearsal, compared in full with a committed copy: what an operator sees in a
 * job summary for a fixed run (prod, us-west-2 failing 3 minutes into its 25% step: partial, ap-northeast-1 keeps blue). Regenerate the copy with
 * UPDATE_GOLDEN=1 after a deliberate change, and read the diff.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cli, scenarioFile, tempState } from "../driver/harness";

const GOLDEN = path.join(__dirname, "rehearsal.golden.md");

describe("report of a real rehearsal", () => {
    it("is the committed Markdown, run id aside", async () => {
        const state = tempState();
        const scenario = scenarioFile(state, { faults: [{ region: "us-west-2", color: "new", fromWeight: 25, afterMinutes: 3, errorRate: 0.08 }] });
        const run = await cli(["rehearse", "--state", state, "--scenario", scenario, "--json"]);
        assert.equal(run.json.result, "partial", run.stderr);
        const out = path.join(path.dirname(state), "report.md");
        const report = await cli(["report", "--env", "prod", "--engine", "sim", "--state", state, "--format", "md", "--out", out]);
        assert.equal(report.code, 0, report.stderr);
        // The support calendar is on the day's date (test/report/cycle.test.ts checks it on fixed data).
        const markdown = readFileSync(out, "utf8")
            .replaceAll(run.json.journal, "JOURNAL")
            .replace(/\d{8}T\d{6}-[0-9a-f]{6}/g, "RUN-ID")
            .replace(/### Support calendar on [\s\S]*?(?=\n### ap-northeast-1)/, "### Support calendar on TODAY\n\n(calendar and readiness)\n")
            .replace(/support calendar of prod on \d{4}-\d{2}-\d{2} and readiness for 1\.35: [^|]*/, "support calendar of prod on TODAY and readiness for 1.35 ");
        if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, markdown);
        assert.equal(markdown, readFileSync(GOLDEN, "utf8"));
    });
});
