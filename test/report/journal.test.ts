import { strict as assert } from "node:assert";
import fc from "fast-check";
import { JournalLine, latestRun, listRuns, parseJournal } from "../../automation/report/journal";
import { RunBuilder, healthy } from "./builders";
import { prodRolledBack } from "./fixtures";

const line = (overrides: Partial<Record<keyof JournalLine | "host", unknown>> = {}) =>
    JSON.stringify({ at: "2026-01-01T00:00:00.000Z", atMinutes: 0, runId: "r1", env: "prod", event: "e", phase: "start", ...overrides });

describe("report: reading the journal", () => {
    it("reads every entry the driver writes, gate looks with their detail", () => {
        const { entries, skipped } = parseJournal(prodRolledBack().jsonl());
        assert.deepEqual(skipped, []);
        assert.equal(entries.length, prodRolledBack().lines.length);
        const looks = entries.filter((e) => e.gate);
        assert.equal(looks.length, 11);
        assert.deepEqual(looks.at(-1)!.gate!.measured, { requests: 1500, errors: 120, errorRate: 0.08, p99Ms: 190, unhealthyHosts: 0 });
    });

    it("skips and counts a line torn by a kill, keeping the lines around it", () => {
        const { entries, skipped, invalid } = parseJournal([line({ event: "before" }), line().slice(0, 40), line({ event: "after" })].join("\n"));
        assert.deepEqual(skipped, [2]);
        assert.deepEqual(invalid, []);
        assert.deepEqual(entries.map((e) => [e.event, e.line]), [["before", 1], ["after", 3]]);
    });

    // JSON that is not an entry was edited by hand or damaged: the report refuses it, naming line and field.
    const damaged: [string, string, RegExp][] = [
        ["not an object", "[1,2,3]", /^line 2: /],
        ["no runId", line({ runId: undefined }), /^line 2\.runId: /],
        ["no atMinutes (an older journal)", line({ atMinutes: undefined }), /^line 2\.atMinutes: /],
        ["a negative atMinutes", line({ atMinutes: -1 }), /^line 2\.atMinutes: .*found -1/],
        ["a time that is not a time", line({ at: "yesterday" }), /^line 2\.at: expected an ISO time/],
        ["no phase", line({ phase: undefined }), /^line 2\.phase: /],
        ["a detail that is not an object", line({ detail: "x" }), /^line 2\.detail: /],
        ["a gate look without measured values", line({ phase: "gate", detail: { weight: 5, look: 1, verdict: "pass", thresholds: {}, findings: [] } }), /^line 2\.detail\.measured: /],
        ["a gate look with an unknown verdict", line({ phase: "gate", detail: { weight: 5, look: 1, verdict: "maybe", measured: healthy(100), thresholds: {}, findings: [] } }), /^line 2\.detail\.verdict: /],
        ["a gate look with an error rate above 1", line({ phase: "gate", detail: { weight: 5, look: 1, verdict: "pass", measured: { ...healthy(100), errorRate: 8 }, thresholds: {}, findings: [] } }), /^line 2\.detail\.measured\.errorRate: /],
    ];
    for (const [what, text, problem] of damaged) {
        it(`names ${what}: the line and the field`, () => {
            const { entries, skipped, invalid } = parseJournal([line({ event: "before" }), text, line({ event: "after" })].join("\n"));
            assert.deepEqual(skipped, []);
            assert.equal(invalid.length, 1, invalid.join("\n"));
            assert.match(invalid[0], problem);
            assert.deepEqual(entries.map((e) => [e.event, e.line]), [["before", 1], ["after", 3]]);
        });
    }

    it("ignores blank lines (the newline a torn line's successor starts with)", () => {
        const { entries, skipped } = parseJournal(`\n${line()}\n\n${line()}\n`);
        assert.equal(entries.length, 2);
        assert.deepEqual(skipped, []);
    });

    it("keeps fields it does not know (a newer driver) out of the way instead of failing", () => {
        const { entries, skipped } = parseJournal(line({ phase: "discard", host: "ci-runner" }));
        assert.deepEqual(skipped, []);
        assert.equal(entries[0].phase, "discard");
    });

    it("never throws, and every non-blank line is an entry, counted as torn, or described", () => {
        const gateLine = prodRolledBack().jsonl().split("\n").find((l) => l.includes(`"phase":"gate"`))!;
        const validLine = fc.constantFrom(line(), line({ phase: "traffic", region: "us-west-2" }), gateLine);
        const anyLine = fc.oneof(fc.string(), fc.json(), validLine, validLine.map((l) => l.slice(0, l.length - 3)));
        fc.assert(
            fc.property(fc.array(anyLine, { maxLength: 30 }), (lines) => {
                const text = lines.map((l) => l.replace(/\n/g, " ")).join("\n");
                const { entries, skipped, invalid } = parseJournal(text);
                const nonBlank = text.split("\n").filter((l) => l.trim() !== "").length;
                const invalidLines = new Set(invalid.map((p) => p.match(/^line (\d+)/)![1])).size;
                assert.equal(entries.length + skipped.length + invalidLines, nonBlank);
            }),
        );
    });
});

describe("report: runs of a journal", () => {
    it("lists the runs in the order they started, with their first event", () => {
        const first = new RunBuilder("run-1").entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1");
        const second = new RunBuilder("run-2", "prod", "2026-01-02T00:00:00.000Z").entry(0, "start", "rollback prod us-west-2");
        const runs = listRuns(parseJournal(first.jsonl() + second.jsonl()).entries);
        assert.deepEqual(runs.map((r) => [r.runId, r.title, r.entries]), [["run-1", "upgrade prod to Kubernetes 1.35: ap-northeast-1", 1], ["run-2", "rollback prod us-west-2", 1]]);
    });

    it("the latest run is the one that wrote last: an upgrade that outlived a rollback during it", () => {
        const upgrade = (at: number) => line({ runId: "upgrade", atMinutes: at });
        const text = [upgrade(0), line({ runId: "rollback", phase: "rollback" }), upgrade(30)].join("\n");
        assert.equal(latestRun(listRuns(parseJournal(text).entries))!.runId, "upgrade");
        assert.equal(latestRun(listRuns(parseJournal(text + "\n" + line({ runId: "rollback" })).entries))!.runId, "rollback");
    });

    it("has no latest run in an empty journal", () => assert.equal(latestRun([]), undefined));
});
