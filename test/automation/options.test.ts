import { strict as assert } from "node:assert";
import { BadInputError } from "../../automation/errors";
import fc from "fast-check";
import { formatMinutes, parseDuration, parseSteps, parseVersion } from "../../automation/options";

describe("command-line values", () => {
    const durations: [string, number][] = [["30s", 30_000], ["10m", 600_000], ["1h", 3_600_000], ["1.5h", 5_400_000], ["0m", 0]];
    for (const [text, ms] of durations) it(`parses the duration ${text}`, () => assert.equal(parseDuration("--bake", text), ms));

    for (const bad of ["10", "ten", "5x", "-1m", "m"]) {
        it(`rejects the duration "${bad}" as bad input naming it`, () => {
            assert.throws(() => parseDuration("--bake", bad), (e: Error) => e instanceof BadInputError && e.message.includes(`--bake "${bad}"`));
        });
    }

    it("parses steps", () => assert.deepEqual(parseSteps("5, 25,50,100"), [5, 25, 50, 100]));
    it("rejects steps with a non-number", () => assert.throws(() => parseSteps("5,x,100"), /"x" is not a number/));
    it("rejects fractional steps", () => assert.throws(() => parseSteps("5.5,100"), /not an integer/));

    const versions: [string, string][] = [["1.35", "1.35"], ["v1.35", "1.35"], ["1.35.2", "1.35"]];
    for (const [text, minor] of versions) it(`reads the version ${text} as ${minor}`, () => assert.equal(parseVersion("--to", text), minor));
    it("rejects a malformed version", () => assert.throws(() => parseVersion("--to", "2.0"), BadInputError));

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
