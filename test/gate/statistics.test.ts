import { strict as assert } from "node:assert";
import fc from "fast-check";
import { EXACT_SIGMA, binomialUpperTail, exactUpperTail, logBinomialPmf, logGamma, normalBracket, normalUpperTail, rateAboveLimitPValue, rateRatioPValue } from "../../automation/gate/statistics";

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

    it("normalUpperTail matches reference values to 1e-13 relative, out to where it underflows", () => {
        // P(Z > z) = erfc(z/√2)/2 from CPython 3.11's math.erfc (the C library's, correctly rounded to ~1 ulp).
        const reference: [number, number][] = [
            [0, 0.5], [0.5, 0.3085375387259869], [1, 0.15865525393145707], [2, 0.02275013194817922], [2.8, 0.002555130330427937],
            [2.83, 0.0023274002067315545], [3, 0.0013498980316300957], [4, 3.1671241833119965e-5], [5, 2.866515718791946e-7],
            [7, 1.279812543885835e-12], [10, 7.619853024160593e-24], [20, 2.7536241186063314e-89], [30, 4.906713927148764e-198], [37, 5.725571222525139e-300],
        ];
        for (const [z, q] of reference) {
            assert.ok(close(normalUpperTail(z), q, 1e-13) || Math.abs(normalUpperTail(z) / q - 1) < 1e-13, `Q(${z}) = ${normalUpperTail(z)}, not ${q}`);
            assert.ok(close(normalUpperTail(-z), 1 - q, 1e-13), `Q(-${z})`);
        }
        assert.equal(normalUpperTail(40), 0);
    });

    it("logBinomialPmf sums to 1 over every k, for small and huge n", () => {
        for (const [n, p] of [[1, 0.3], [50, 0.01], [5000, 0.5], [2_000_000, 0.001]] as const) {
            let sum = 0;
            for (let k = 0; k <= Math.min(n, 100_000); k++) sum += Math.exp(logBinomialPmf(k, n, p));
            assert.ok(close(sum, 1, 1e-10), `n=${n} p=${p}: ${sum}`);
        }
    });

    it("the exact sum always lies between the two normal bounds (Zubkov and Serov), wherever it is computed", () => {
        fc.assert(
            fc.property(fc.double({ min: 0.5, max: EXACT_SIGMA, noNaN: true }), fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), fc.double({ min: -9, max: 9, noNaN: true }), (sigma, p, sds) => {
                const n = Math.min(Number.MAX_SAFE_INTEGER, Math.max(2, Math.round((sigma * sigma) / (p * (1 - p)))));
                const k = Math.min(n - 1, Math.max(1, Math.round(n * p + sds * sigma)));
                const exact = exactUpperTail(k, n, p);
                assert.ok(exact !== undefined, `n=${n} p=${p} k=${k}: more than the exact sum's terms`);
                const { lower, upper } = normalBracket(k, n, p);
                assert.ok(lower <= exact * (1 + 1e-9) + 1e-300 && exact <= upper * (1 + 1e-9) + 1e-300, `n=${n} p=${p} k=${k}: ${lower} <= ${exact} <= ${upper}`);
            }),
            { numRuns: 500 },
        );
    });

    it("beyond the exact sum, the estimate is within 0.15% of the exact tail for every p-value down to 1e-12", () => {
        // Both apply just above EXACT_SIGMA (the exact sum still fits its terms there): compare them.
        fc.assert(
            fc.property(fc.double({ min: EXACT_SIGMA, max: 1.2 * EXACT_SIGMA, noNaN: true }), fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: -8, max: 7.1, noNaN: true }), (sigma, p, sds) => {
                const n = Math.round((sigma * sigma) / (p * (1 - p)));
                const k = Math.min(n - 1, Math.max(1, Math.round(n * p + sds * sigma)));
                const exact = exactUpperTail(k, n, p);
                if (exact === undefined || exact < 1e-12) return;
                assert.ok(Math.abs(binomialUpperTail(k, n, p) / exact - 1) < 0.0015, `n=${n} p=${p} k=${k}: ${binomialUpperTail(k, n, p)} vs exact ${exact}`);
            }),
            { numRuns: 300 },
        );
        // And the bound itself holds wherever only the estimate exists, up to any count.
        fc.assert(
            fc.property(fc.double({ min: EXACT_SIGMA, max: 1e150, noNaN: true }), fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), fc.double({ min: -8, max: 7.1, noNaN: true }), (sigma, p, sds) => {
                const n = Math.round((sigma * sigma) / (p * (1 - p)));
                if (!Number.isFinite(n)) return;
                const k = Math.min(n - 1, Math.max(1, Math.round(n * p + sds * sigma)));
                const { lower, upper } = normalBracket(k, n, p);
                if (Math.sqrt(lower * upper) < 1e-12) return;
                assert.ok(Math.sqrt(upper / lower) - 1 < 0.0015, `n=${n} p=${p} k=${k}: bounds ${lower}, ${upper}`);
            }),
            { numRuns: 500 },
        );
    });

    it("normal bounds one count apart are one count apart beyond 2^53, where n − k and nq are too large to subtract", () => {
        // z(k) and z(k − 1) differ by about 1/σ, so the bracket's relative width is below 1/σ near the mean.
        const table: Array<[number, number]> = [
            [2.7290320002307256e26, 1e-12],
            [1e20, 1e-12],
            [1e300, 1e-290],
            [Number.MAX_SAFE_INTEGER * 64, 1e-6],
        ];
        for (const [n, p] of table) {
            const sigma = Math.sqrt(n * p * (1 - p));
            for (const sds of [-2, 0, 1]) {
                const k = Math.round(n * p + sds * sigma);
                const { lower, upper } = normalBracket(k, n, p);
                assert.ok(Math.sqrt(upper / lower) - 1 < 1 / sigma, `n=${n} p=${p} k=${k}: bounds ${lower}, ${upper}`);
            }
        }
    });

    it("returns a probability, never growing with k, for counts at the limits of a double (no input makes it spin)", () => {
        const count = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 1, max: Number.MAX_VALUE, noNaN: true }).map(Math.floor));
        fc.assert(
            fc.property(count, fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 1e-300, 0.5, 1 - 1e-16)), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -3, max: 3 }), (n, p, share, step) => {
                const k = Math.floor(n * share);
                const a = binomialUpperTail(k, n, p);
                const b = binomialUpperTail(Math.max(0, k + step), n, p);
                assert.ok(a >= 0 && a <= 1 && b >= 0 && b <= 1, `n=${n} p=${p} k=${k}: ${a}, ${b}`);
                if (step > 0) assert.ok(b <= a + 1e-12, `n=${n} p=${p}: P(X >= ${k}) = ${a}, P(X >= ${k + step}) = ${b}`);
            }),
            { numRuns: 2000 },
        );
    });

    it("decides the issue's counts at once: a 1e12-requests-a-minute window, and 1e308", () => {
        assert.ok(rateAboveLimitPValue(50_000_000, 50_000_000_000, 0.01) > 0.5, "0.1% errors are not above 1%");
        assert.ok(rateAboveLimitPValue(510_000_000, 50_000_000_000, 0.01) < 1e-100, "1.02% of 5e10 is above 1% beyond doubt");
        assert.equal(rateAboveLimitPValue(8e303, 8e306, 0.01), 1);
        assert.ok(rateRatioPValue(5e303, 1e306, 1e304, 1e307, 2) < 1e-100);
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
