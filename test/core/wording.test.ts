import { strict as assert } from "node:assert";
import fc from "fast-check";
import { count, durationLine, endLine, resultHeadline, resultName } from "../../automation/core/wording";

/** Every result word of the JSON documents (CONTRACT and the commands' reports). */
const ENGINE_RESULTS = ["completed", "rolled_back", "failed", "paused", "halted", "partial", "nothing_to_do", "skipped", "discarded", "refused", "blocked", "pass", "interrupted"];

describe("wording: one helper for every human line", () => {
    it("counts with the noun in the singular for one and only one", () => {
        assert.equal(count(1, "look"), "1 look");
        assert.equal(count(0, "look"), "0 looks");
        assert.equal(count(10, "look"), "10 looks");
        assert.equal(count(1.5, "minute"), "1.5 minutes");
        assert.equal(count(2, "cluster"), "2 clusters");
    });

    it("names every result the driver reports without an underscore, and the headline is that name in capitals", () => {
        for (const result of ENGINE_RESULTS) {
            assert.doesNotMatch(resultName(result), /_/, result);
            assert.equal(resultHeadline(result), resultName(result).toUpperCase());
        }
        assert.equal(resultHeadline("nothing_to_do"), "NOTHING TO DO");
        assert.equal(resultName("rolled_back"), "rolled back");
    });

    it("ends a run with its result and a duration, never 'after 1 minutes'", () => {
        assert.equal(endLine("upgrade", "rolled_back", 114), "upgrade: rolled back after 1h54m");
        assert.equal(endLine("rollback", "nothing_to_do", 1), "rollback: nothing to do after 1m");
        fc.assert(fc.property(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.constantFrom(...ENGINE_RESULTS), (minutes, result) => /^upgrade: [a-z ]+ after (\d+h\d\d|\d{1,2})m$/.test(endLine("upgrade", result, minutes))));
    });

    it("says how long a run took: wall time on pulumi, what AWS would take on the rehearsal engines", () => {
        assert.equal(durationLine("pulumi", 61, "j.jsonl", true), "  took 1h01m; journal: j.jsonl");
        assert.equal(durationLine("sim", 1, "j.jsonl", true), "  on AWS this would take about 1m (1 virtual minute on the sim engine); journal: j.jsonl");
        assert.equal(durationLine("sim", 0, "j.jsonl", false), "  journal: j.jsonl");
    });
});
