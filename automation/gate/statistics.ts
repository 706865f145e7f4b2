/**
 * Exact tests on counts, for a gate that must neither cry wolf on a few hundred requests nor wave through a
 * regression because a ratio looked small. Everything here is a plain function of counts.
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

/** ln P(X = k) for X ~ Binomial(n, p). */
export function logBinomialPmf(k: number, n: number, p: number): number {
    if (p === 0) return k === 0 ? 0 : -Infinity;
    if (p === 1) return k === n ? 0 : -Infinity;
    return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Sums pmf terms from `k` stepping by `direction` until they no longer matter (terms fall geometrically away from the mode). */
function tailSum(k: number, n: number, p: number, direction: 1 | -1): number {
    const q = 1 - p;
    let term = Math.exp(logBinomialPmf(k, n, p));
    let sum = 0;
    for (let i = k; i >= 0 && i <= n; i += direction) {
        sum += term;
        if (term < sum * 1e-17) break;
        // pmf(i+1)/pmf(i) = (n-i)/(i+1) * p/q ; pmf(i-1)/pmf(i) = i/(n-i+1) * q/p
        term *= direction === 1 ? ((n - i) / (i + 1)) * (p / q) : (i / (n - i + 1)) * (q / p);
    }
    return sum;
}

/** P(X >= k) for X ~ Binomial(n, p), exact to double precision (n may be in the millions). */
export function binomialUpperTail(k: number, n: number, p: number): number {
    if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 0 && p >= 0 && p <= 1)) throw new RangeError(`binomialUpperTail(${k}, ${n}, ${p})`);
    if (k <= 0) return 1;
    if (k > n) return 0;
    if (p === 0) return 0;
    if (p === 1) return 1;
    // Sum the side away from the mode: it is the short one, and it has no cancellation.
    if (k > n * p) return Math.min(1, tailSum(k, n, p, 1));
    return Math.max(0, 1 - tailSum(k - 1, n, p, -1));
}

/**
 * One-sided exact test that a rate is above `limit`: the p-value of seeing `events` or more in `trials` if the
 * true rate were exactly `limit`. Small p-values mean the rate is above the limit beyond reasonable doubt.
 */
export const rateAboveLimitPValue = (events: number, trials: number, limit: number): number => binomialUpperTail(events, trials, limit);

/**
 * One-sided exact conditional test of two Poisson rates (errors per request): H0 "the new rate is at most
 * `ratio` times the old one". Given the total number of events, the new color's share is binomial with
 * probability ratio*nNew / (ratio*nNew + nOld) under H0; the p-value is its upper tail at the observed share.
 */
export function rateRatioPValue(newEvents: number, newTrials: number, oldEvents: number, oldTrials: number, ratio: number): number {
    if (newTrials <= 0 || oldTrials <= 0) return 1;
    const share = (ratio * newTrials) / (ratio * newTrials + oldTrials);
    return binomialUpperTail(newEvents, newEvents + oldEvents, share);
}
