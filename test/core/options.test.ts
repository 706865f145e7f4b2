import { strict as assert } from "node:assert";
import { BadInputError } from "../../automation/core/errors";
import fc from "fast-check";
import { parseDuration, parsePositive, parseSteps, parseVersion } from "../../automation/core/options";
import { formatMinutes } from "../../automation/core/wording";

const ANY = { min: 0, max: 24 * 3_600_000 };
const quiet = () => undefined;

describe("command-line values", () => {
    const durations: [string, number][] = [["30s", 30_000], ["10m", 600_000], ["1h", 3_600_000], ["1.5h", 5_400_000], ["0m", 0]];
    for (const [text, ms] of durations) it(`parses the duration ${text}`, () => assert.equal(parseDuration("--bake", text, ANY), ms));

    for (const bad of ["10", "ten", "5x", "-1m", "m", "1e1m", "0x10m"]) {
        it(`rejects the duration "${bad}" as bad input naming it`, () => {
            assert.throws(() => parseDuration("--bake", bad, ANY), (e: Error) => e instanceof BadInputError && e.message.includes(`--bake "${bad}"`));
        });
    }

    it("rejects a duration outside its bounds, saying the bounds", () => {
        assert.throws(() => parseDuration("--bake", "0m", { min: 10_000, max: 3_600_000 }), /--bake "0m" is out of range: between 10s and 1h/);
        assert.throws(() => parseDuration("--hold", "99999999h", { min: 0, max: 48 * 3_600_000 }), /--hold "99999999h" is out of range: between 0s and 48h/);
    });
    it("accepts a duration exactly at its bounds", () => {
        assert.equal(parseDuration("--bake", "10s", { min: 10_000, max: 60_000 }), 10_000);
        assert.equal(parseDuration("--bake", "1m", { min: 10_000, max: 60_000 }), 60_000);
    });

    it("parses steps, spaces around commas allowed", () => assert.deepEqual(parseSteps("5, 25,50,100"), [5, 25, 50, 100]));
    for (const bad of ["5,x,100", "0x10,100", "0b11,100", "1e1,100", "+5,100", "5.5,100", "-5,100", ",100"]) {
        it(`rejects the steps "${bad}" naming the part`, () => assert.throws(() => parseSteps(bad), (e: Error) => e instanceof BadInputError && /is not a whole percent/.test(e.message)));
    }
    it("rejects steps that do not end at 100", () => assert.throws(() => parseSteps("5,50"), /last step must be 100/));

    it("reads 1.35 as is, silently", () => {
        const notes: string[] = [];
        assert.equal(parseVersion("--to", "1.35", (n) => notes.push(n)), "1.35");
        assert.deepEqual(notes, []);
    });
    for (const text of ["v1.35", "1.35.0", "v1.35.0"]) {
        it(`reads ${text} as 1.35 with a note`, () => {
            const notes: string[] = [];
            assert.equal(parseVersion("--to", text, (n) => notes.push(n)), "1.35");
            assert.deepEqual(notes, [`note: --to "${text}" read as 1.35`]);
        });
    }
    it("refuses a patch release", () => assert.throws(() => parseVersion("--to", "1.35.1", quiet), /names a patch release: EKS upgrades go to a minor \(1\.35\)/));
    it("rejects a malformed version", () => assert.throws(() => parseVersion("--to", "2.0", quiet), BadInputError));

    it("parses positive counts, refusing 0 and non-digits", () => {
        assert.equal(parsePositive("--crash-after", "12"), 12);
        for (const bad of ["0", "-1", "1.5", "abc", "1e3"]) assert.throws(() => parsePositive("--crash-after", bad), /is not a whole number of 1 or more/);
    });

    const minutes: [number, string][] = [[0, "0m"], [42.4, "42m"], [59.4, "59m"], [59.6, "1h00m"], [119.7, "2h00m"], [159, "2h39m"]];
    for (const [value, text] of minutes) it(`formats ${value} minutes as ${text}`, () => assert.equal(formatMinutes(value), text));
    it("formats any duration with minutes below 60 and reads back to the rounded value", () => {
        fc.assert(
            fc.property(fc.double({ min: 0, max: 100_000, noNaN: true }), (value) => {
                const match = formatMinutes(value).match(/^(?:(\d+)h(\d\d))?(?:(\d+))?m$/)!;
                const total = match[1] !== undefined ? Number(match[1]) * 60 + Number(match[2]) : Number(match[3]);
                assert.ok(match[2] === undefined || Number(match[2]) < 60);
                assert.equal(total, Math.round(value));
            }),
        );
    });
});
