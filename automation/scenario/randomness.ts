/**
 * Reproducible draws for the sim's noise: every draw is a function of a string key (seed, region, color,
 * time bucket, what), so a window queried twice, or two overlapping windows, see the same traffic.
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** 32-bit FNV-1a of a string: spreads keys that differ in one character over the whole seed space. */
export function hash32(text: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return h | 0;
}

export class Draws {
    private readonly rng: RandomGenerator;

    constructor(key: string) {
        this.rng = xoroshiro128plus(hash32(key));
    }

    uniform(): number {
        return uniformFloat64(this.rng);
    }

    /** Standard normal (Box-Muller). */
    normal(): number {
        const u = 1 - this.uniform();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
    }

    /** Poisson(mean): exact by multiplication below 30, normal approximation above (error < 1% of a count there). */
    poisson(mean: number): number {
        if (mean <= 0) return 0;
        if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
        const limit = Math.exp(-mean);
        let count = 0;
        for (let product = this.uniform(); product > limit; product *= this.uniform()) count++;
        return count;
    }

    /** Binomial(n, p): Bernoulli trials for small n, Poisson for rare events, normal where both tails are wide. */
    binomial(n: number, p: number): number {
        if (n <= 0 || p <= 0) return 0;
        if (p >= 1) return n;
        if (p > 0.5) return n - this.binomial(n, 1 - p);
        if (n <= 50) {
            let count = 0;
            for (let i = 0; i < n; i++) if (this.uniform() < p) count++;
            return count;
        }
        const mean = n * p;
        if (mean < 30) return Math.min(n, this.poisson(mean));
        return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal())));
    }
}

/** Complementary error function (Chebyshev fit, relative error below 1.2e-7 everywhere). */
export function erfc(x: number): number {
    const z = Math.abs(x);
    const t = 1 / (1 + 0.5 * z);
    const r =
        t *
        Math.exp(
            -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
        );
    return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export const normalUpperTail = (z: number) => 0.5 * erfc(z / Math.SQRT2);
