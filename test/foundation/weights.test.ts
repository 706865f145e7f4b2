import { strict as assert } from "node:assert";
import fc from "fast-check";
import { COLORS, Color } from "../../components/naming";
import { ALL_ON, DEFAULT_STEPS, formatWeights, sameWeights, soleColor, stepProblems, weightProblems, weightsFor } from "../../components/weights";

const color = fc.constantFrom<Color>(...COLORS);

describe("weights: weightProblems", () => {
    const valid: [string, Record<string, unknown>][] = [
        ["all on blue", { blue: 100, green: 0 }],
        ["all on green", { blue: 0, green: 100 }],
        ["a split", { blue: 95, green: 5 }],
        ["an even split", { blue: 50, green: 50 }],
    ];
    for (const [title, weights] of valid) {
        it(`accepts ${title}`, () => assert.deepEqual(weightProblems(weights), []));
    }

    const invalid: [string, Record<string, unknown>, RegExp][] = [
        ["a non-integer", { blue: 50.5, green: 50 }, /blue must be an integer percentage 0\.\.100, got 50\.5/],
        ["a negative weight", { blue: 100, green: -10 }, /green must be an integer percentage 0\.\.100, got -10/],
        ["a weight above 100", { blue: 0, green: 101 }, /green must be an integer percentage 0\.\.100, got 101/],
        ["a missing color", { blue: 100 }, /green must be an integer percentage 0\.\.100, got undefined/],
        ["a string weight", { blue: "100", green: 0 }, /blue must be an integer percentage 0\.\.100, got "100"/],
        ["NaN", { blue: Number.NaN, green: 100 }, /blue must be an integer percentage 0..100, got NaN/],
        ["an unknown color", { blue: 100, green: 0, red: 0 }, /unknown color "red" \(expected blue or green\)/],
        ["a sum below 100", { blue: 50, green: 40 }, /weights must sum to 100, got 90/],
        ["a sum above 100", { blue: 60, green: 60 }, /weights must sum to 100, got 120/],
        ["ALB-style weights that are not percentages", { blue: 1, green: 1 }, /weights must sum to 100, got 2/],
    ];
    for (const [title, weights, message] of invalid) {
        it(`rejects ${title}`, () => {
            const problems = weightProblems(weights);
            assert.equal(problems.length, 1, problems.join("; "));
            assert.match(problems[0], message);
        });
    }

    it("does not add a sum problem on top of a per-color problem", () => {
        assert.deepEqual(weightProblems({ blue: 1.5, green: 0 }), ["blue must be an integer percentage 0..100, got 1.5"]);
    });

    it("property: weightsFor(color, p) is valid for every p in 0..100", () => {
        fc.assert(fc.property(color, fc.integer({ min: 0, max: 100 }), (c, p) => assert.deepEqual(weightProblems(weightsFor(c, p)), [])));
    });

    it("property: weightsFor(color, p) gives p to color and the rest to the other color", () => {
        fc.assert(
            fc.property(color, fc.integer({ min: 0, max: 100 }), (c, p) => {
                const weights = weightsFor(c, p);
                assert.equal(weights[c], p);
                assert.equal(weights.blue + weights.green, 100);
                assert.deepEqual(Object.keys(weights).sort(), ["blue", "green"]);
            }),
        );
    });

    it("property: weights outside 0..100 for one color are always rejected", () => {
        fc.assert(
            fc.property(color, fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 101 })), (c, p) => assert.notDeepEqual(weightProblems(weightsFor(c, p)), [])),
        );
    });
});

describe("weights: helpers", () => {
    it("soleColor names the color carrying all traffic", () => {
        assert.equal(soleColor({ blue: 100, green: 0 }), "blue");
        assert.equal(soleColor({ blue: 0, green: 100 }), "green");
    });

    it("soleColor is undefined while traffic is split", () => {
        assert.equal(soleColor({ blue: 99, green: 1 }), undefined);
    });

    it("ALL_ON puts 100% on one color", () => {
        assert.deepEqual(ALL_ON("green"), { blue: 0, green: 100 });
        assert.equal(soleColor(ALL_ON("blue")), "blue");
    });

    it("sameWeights compares per color, not by object identity or key order", () => {
        assert.ok(sameWeights({ blue: 25, green: 75 }, { green: 75, blue: 25 }));
        assert.ok(!sameWeights({ blue: 25, green: 75 }, { blue: 75, green: 25 }));
    });

    it("property: sameWeights(weightsFor(c, p), weightsFor(other, 100 - p))", () => {
        fc.assert(
            fc.property(color, fc.integer({ min: 0, max: 100 }), (c, p) => {
                const other = c === "blue" ? "green" : "blue";
                assert.ok(sameWeights(weightsFor(c, p), weightsFor(other, 100 - p)));
            }),
        );
    });

    it("formatWeights lists both colors in a fixed order", () => {
        assert.equal(formatWeights({ green: 5, blue: 95 }), "blue 95% / green 5%");
    });
});

describe("weights: stepProblems", () => {
    it("accepts the default steps", () => assert.deepEqual(stepProblems(DEFAULT_STEPS), []));
    it("accepts a single step of 100 (cut over at once)", () => assert.deepEqual(stepProblems([100]), []));

    const invalid: [string, number[], RegExp][] = [
        ["no steps", [], /at least one step is needed/],
        ["steps that go down", [5, 50, 25, 100], /strictly increasing \(50 then 25\)/],
        ["a repeated step", [5, 5, 100], /strictly increasing \(5 then 5\)/],
        ["a step of 0", [0, 50, 100], /step 0 is not an integer in 1\.\.100/],
        ["a step above 100", [50, 101], /step 101 is not an integer in 1\.\.100/],
        ["a fractional step", [2.5, 100], /step 2\.5 is not an integer in 1\.\.100/],
        ["steps that stop short of 100", [5, 25, 50], /the last step must be 100, got 50/],
    ];
    for (const [title, steps, message] of invalid) {
        it(`rejects ${title}`, () => {
            const problems = stepProblems(steps);
            assert.ok(problems.some((p) => message.test(p)), problems.join("; "));
        });
    }

    it("property: any strictly increasing integers in 1..100 ending at 100 are accepted", () => {
        fc.assert(
            fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 10 }), (middle) => {
                assert.deepEqual(stepProblems([...middle.sort((a, b) => a - b), 100]), []);
            }),
        );
    });
});
