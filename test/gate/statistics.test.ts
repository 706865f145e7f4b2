import { strict as assert } from "node:assert";
import fc from "fast-check";
import { binomialUpperTail, logGamma, rateAboveLimitPValue, rateRatioPValue } from "../../automation/gate/statistics";

/** Brute force with exact-ish arithmetic: the definition, for small n. */
function bruteUpperTail(k: number, n: number, p: number): number {
    let coefficient = 1;
    let sum = 0;
    for (let i = 0; i <= n; i++) {
        if (i > 0) coefficient = (coefficient * (n - i + 1)) / i;
        if (i >= k) sum += coefficient * p ** i * (1 - p) ** (n - i);
    }
    return sum;
}

const close = (a: number, b: number, tolerance = 1e-9) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

describe("gate statistics", () => {
    it("logGamma matches factorials", () => {
        let factorial = 1;
        for (let n = 1; n <= 30; n++) {
            factorial *= n;
            assert.ok(close(logGamma(n + 1), Math.log(factorial), 1e-12), `ln ${n}!`);
        }
        assert.ok(close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12));
    });

    it("the binomial upper tail equals the brute-force sum for every k of small n", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), (n, p) => {
                for (let k = 0; k <= n + 1; k++) assert.ok(close(binomialUpperTail(k, n, p), bruteUpperTail(k, n, p), 1e-8), `k=${k} n=${n} p=${p}`);
            }),
        );
    });

    it("is a probability that never grows with k", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 200_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 400 }), (n, p, k) => {
                const a = binomialUpperTail(k, n, p);
                const b = binomialUpperTail(k + 1, n, p);
                assert.ok(a >= 0 && a <= 1 && b <= a + 1e-12, `${a} then ${b}`);
            }),
        );
    });

    it("handles the edges: k <= 0, k > n, p 0 and 1", () => {
        assert.equal(binomialUpperTail(0, 10, 0.3), 1);
        assert.equal(binomialUpperTail(11, 10, 0.3), 0);
        assert.equal(binomialUpperTail(1, 10, 0), 0);
        assert.equal(binomialUpperTail(10, 10, 1), 1);
        assert.throws(() => binomialUpperTail(1.5, 10, 0.1), RangeError);
        assert.throws(() => binomialUpperTail(1, 10, Number.NaN), RangeError);
    });

    it("stays exact for large counts (a million requests)", () => {
        // Mean 1000, sd ~31.6: 1100 is ~3.2 sd above, about 8e-4 (normal approximation with continuity).
        const p = binomialUpperTail(1100, 1_000_000, 0.001);
        assert.ok(p > 5e-4 && p < 1.5e-3, String(p));
    });

    it("rateAboveLimitPValue: 15 errors in 300 requests is far above 1%; 4 in 300 is not", () => {
        assert.ok(rateAboveLimitPValue(15, 300, 0.01) < 1e-5);
        assert.ok(rateAboveLimitPValue(4, 300, 0.01) > 0.1);
    });

    it("rateRatioPValue: rejects a fivefold regression on enough traffic, not an equal rate", () => {
        // 5x: 75 errors in 15,000 requests against 45 in 45,000.
        assert.ok(rateRatioPValue(75, 15_000, 45, 45_000, 2) < 1e-5);
        // Same rate on both colors: nowhere near rejecting "at most twice".
        assert.ok(rateRatioPValue(15, 15_000, 45, 45_000, 2) > 0.5);
        assert.equal(rateRatioPValue(3, 0, 5, 100, 2), 1, "no traffic on the new color proves nothing");
    });

    it("rateRatioPValue grows with the tolerated ratio", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 100_000 }), (a, n, b, m) => {
                assert.ok(rateRatioPValue(a, n, b, m, 1) <= rateRatioPValue(a, n, b, m, 2) + 1e-12);
            }),
        );
    });
});
