import { strict as assert } from "node:assert";
import { BadInputError } from "../../automation/errors";
import { parseDuration, parseSteps, parseVersion } from "../../automation/options";

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
});
