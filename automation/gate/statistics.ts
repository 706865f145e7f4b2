/**
 * Tests on counts, for a gate that must neither cry wolf on a few hundred requests nor wave through a
 * regression because a ratio looked small. Everything here is a plain function of counts, and its work is
 * bounded whatever the counts: the tail of a binomial is summed exactly while that takes at most
 * EXACT_TERMS terms (a standard deviation up to EXACT_SIGMA), and beyond, where thousands of requests more or
 * less change nothing, it is taken between two normal bounds that always hold.
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
    if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    const c = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
        -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
    const z = x - 1;
    let sum = c[0];
    for (let i = 1; i < c.length; i++) sum += c[i] / (z + i);
    const t = z + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln n! minus Stirling's formula, (n + 1/2) ln n − n + ln √(2π), for n ≥ 1: from ln Γ up to 15, where nothing
 * cancels, then the Stirling series (its next term is below 2e-16 there).
 */
export function stirlingError(n: number): number {
    if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
    const n2 = n * n;
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * n2)) / n2) / n2) / n2) / n;
}

/**
 * x ln(x/m) + m − x for x ≥ 0, m > 0: how far a count x is from its mean m, without the cancellation of the
 * plain formula when x is close to m (a series in v = (x − m)/(x + m), |v| < 0.1, 2 digits a term). A caller
 * that knows x − m more precisely than the subtraction of two large doubles gives it as `difference`.
 */
export function deviance(x: number, m: number, difference = x - m): number {
    if (x === 0) return m;
    // Halves: x + m may overflow a double where x and m do not.
    const mean = x / 2 + m / 2;
    if (Math.abs(difference) >= 0.2 * mean) return x * Math.log(x / m) + m - x;
    const v = difference / 2 / mean;
    let sum = difference * v;
    let power = 2 * (x * v);
    for (let j = 1; j < 20; j++) {
        power *= v * v;
        const next = sum + power / (2 * j + 1);
        if (next === sum) break;
        sum = next;
    }
    return sum;
}

/** ln P(X = k) for X ~ Binomial(n, p), accurate to about 1e-14 relative for any n (Loader's saddle-point form). */
export function logBinomialPmf(k: number, n: number, p: number): number {
    if (p === 0) return k === 0 ? 0 : -Infinity;
    if (p === 1) return k === n ? 0 : -Infinity;
    if (k === 0) return n * Math.log1p(-p);
    if (k === n) return n * Math.log(p);
    const q = 1 - p;
    return stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q) + 0.5 * Math.log(n / (2 * Math.PI * k * (n - k)));
}

/** Above this standard deviation the tail is bracketed rather than summed. */
export const EXACT_SIGMA = 3000;
/** Terms the exact sum may take: the terms fall like a Gaussian's, below 1e-17 of the sum within 9 sd of the mode. */
export const EXACT_TERMS = 12 * EXACT_SIGMA + 100;

/**
 * Σ pmf(i) / pmf(k) from i = k stepping by `direction` (away from the mode), or undefined past EXACT_TERMS.
 * Relative to the first term, so nothing underflows however far out k is.
 */
function relativeTailSum(k: number, n: number, p: number, direction: 1 | -1): number | undefined {
    const odds = p / (1 - p);
    let term = 1;
    let sum = 0;
    for (let i = k, steps = 0; i >= 0 && i <= n; i += direction, steps++) {
        if (steps >= EXACT_TERMS) return undefined;
        sum += term;
        if (term < sum * 1e-17) break;
        // pmf(i+1)/pmf(i) = (n-i)/(i+1) * p/q ; pmf(i-1)/pmf(i) = i/(n-i+1) * q/p
        term *= direction === 1 ? ((n - i) / (i + 1)) * odds : i / (n - i + 1) / odds;
    }
    return sum;
}

/** P(X ≥ k) summed exactly, for 1 ≤ k ≤ n and 0 < p < 1; undefined when that would take more than EXACT_TERMS terms. */
export function exactUpperTail(k: number, n: number, p: number): number | undefined {
    // Sum the side away from the mode: it is the short one, and it has no cancellation.
    if (k > n * p) {
        const sum = relativeTailSum(k, n, p, 1);
        return sum === undefined ? undefined : Math.min(1, Math.exp(logBinomialPmf(k, n, p)) * sum);
    }
    const below = relativeTailSum(k - 1, n, p, -1);
    return below === undefined ? undefined : Math.max(0, 1 - Math.exp(logBinomialPmf(k - 1, n, p)) * below);
}

/** P(Z > z) for a standard normal Z, to about 1e-14 relative however far out (it underflows past z ≈ 38). */
export function normalUpperTail(z: number): number {
    if (z < 0) return 1 - normalUpperTail(-z);
    const x = z / Math.SQRT2;
    if (x < 2) {
        // erf's Taylor series: at most about 40 terms below 2.
        let term = x;
        let sum = x;
        for (let n = 1; n < 100; n++) {
            term *= (-x * x) / n;
            const next = sum + term / (2 * n + 1);
            if (next === sum) break;
            sum = next;
        }
        return 0.5 * (1 - (2 / Math.sqrt(Math.PI)) * sum);
    }
    // erfc's continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), evaluated from a fixed depth: converged to
    // double precision for every x ≥ 2 (checked against the summed series in the tests).
    let fraction = 0;
    for (let n = 120; n >= 1; n--) fraction = n / 2 / (x + fraction);
    return (0.5 * Math.exp(-x * x)) / Math.sqrt(Math.PI) / (x + fraction);
}

/**
 * Two normal bounds between which P(X ≥ k) always lies, for every n, p and 1 ≤ k ≤ n (Zubkov and Serov, "A
 * complete proof of universal inequalities for the distribution function of the binomial law", Theory Probab.
 * Appl. 57(3), 2013, doi:10.1137/S0040585X97986138, after Alfers and Dinges 1984): with
 * z(j) = sign(j − np) √(2 n H(j/n, p)), H the Kullback–Leibler divergence, Q(z(k)) ≤ P(X ≥ k) ≤ Q(z(k − 1)).
 */
export function normalBracket(k: number, n: number, p: number): { lower: number; upper: number } {
    const q = 1 - p;
    // j − np, and (n − j) − nq which is its opposite, from the smaller mean: where n is large, subtracting two
    // doubles near n would lose the very digits that decide the tail.
    const excess = (j: number) => (p <= q ? j - n * p : n * q - (n - j));
    const z = (j: number) => {
        const d = excess(j);
        return Math.sign(d) * Math.sqrt(2 * (deviance(j, n * p, d) + deviance(n - j, n * q, -d)));
    };
    return { lower: normalUpperTail(z(k)), upper: normalUpperTail(z(k - 1)) };
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p). Exact to double precision while n p (1 − p) ≤ EXACT_SIGMA² (bounded work:
 * EXACT_TERMS terms at most); beyond, the geometric mean of normalBracket's bounds, whose relative error is at
 * most √(upper/lower) − 1: below 0.15% for every p-value down to 1e-12 (the smallest significance the gate
 * accepts), as the tests check against the exact sum where both apply.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
    if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 0 && p >= 0 && p <= 1)) throw new RangeError(`binomialUpperTail(${k}, ${n}, ${p})`);
    if (k <= 0) return 1;
    if (k > n) return 0;
    if (p === 0) return 0;
    if (p === 1) return 1;
    if (k === n) return Math.exp(n * Math.log(p));
    if (n * p * (1 - p) <= EXACT_SIGMA * EXACT_SIGMA && n <= Number.MAX_SAFE_INTEGER) {
        const exact = exactUpperTail(k, n, p);
        if (exact !== undefined) return exact;
    }
    const { lower, upper } = normalBracket(k, n, p);
    return lower > 0 ? Math.sqrt(lower) * Math.sqrt(upper) : 0;
}

/**
 * One-sided test that a rate is above `limit`: the p-value of seeing `events` or more in `trials` if the true
 * rate were exactly `limit`. Small p-values mean the rate is above the limit beyond reasonable doubt.
 */
export const rateAboveLimitPValue = (events: number, trials: number, limit: number): number => binomialUpperTail(events, trials, limit);

/**
 * One-sided conditional test of two Poisson rates (errors per request): H0 "the new rate is at most `ratio`
 * times the old one". Given the total number of events, the new color's share is binomial with probability
 * ratio*nNew / (ratio*nNew + nOld) under H0; the p-value is its upper tail at the observed share.
 */
export function rateRatioPValue(newEvents: number, newTrials: number, oldEvents: number, oldTrials: number, ratio: number): number {
    if (newTrials <= 0 || oldTrials <= 0) return 1;
    const share = (ratio * newTrials) / (ratio * newTrials + oldTrials);
    return binomialUpperTail(newEvents, newEvents + oldEvents, share);
}
