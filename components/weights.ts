/**
 * Traffic weights between the two colors of a region. This project's rule is integer percentages that sum
 * to 100 (ALB itself accepts any integer 0..999 per target group, which would make "50%" ambiguous).
 */
import { COLORS, Color, otherColor } from "./naming";

export type Weights = Record<Color, number>;

export const ALL_ON = (color: Color): Weights => weightsFor(color, 100);

/** The weights that put `percent` of traffic on `color` and the rest on the other color. */
export function weightsFor(color: Color, percent: number): Weights {
    return { [color]: percent, [otherColor(color)]: 100 - percent } as Weights;
}

/** Problems with a weights object; empty when valid. */
export function weightProblems(weights: Partial<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(weights)) {
        if (!(COLORS as readonly string[]).includes(key)) problems.push(`unknown color "${key}" (expected blue or green)`);
    }
    let sum = 0;
    for (const color of COLORS) {
        const value = weights[color];
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
            problems.push(`${color} must be an integer percentage 0..100, got ${typeof value === "number" ? String(value) : JSON.stringify(value)}`);
        } else {
            sum += value;
        }
    }
    if (problems.length === 0 && sum !== 100) problems.push(`weights must sum to 100, got ${sum}`);
    return problems;
}

export function sameWeights(a: Weights, b: Weights): boolean {
    return COLORS.every((color) => a[color] === b[color]);
}

/** The color carrying all traffic, if one does. */
export function soleColor(weights: Weights): Color | undefined {
    return COLORS.find((color) => weights[color] === 100);
}

export const formatWeights = (weights: Weights) => COLORS.map((c) => `${c} ${weights[c]}%`).join(" / ");

/** Problems with a list of traffic steps: integer percents, strictly increasing, each in 1..100, ending at 100. */
export function stepProblems(steps: readonly number[]): string[] {
    const problems: string[] = [];
    if (steps.length === 0) return ["at least one step is needed"];
    steps.forEach((step, i) => {
        if (!Number.isInteger(step) || step < 1 || step > 100) problems.push(`step ${step} is not an integer in 1..100`);
        if (i > 0 && step <= steps[i - 1]) problems.push(`steps must be strictly increasing (${steps[i - 1]} then ${step})`);
    });
    if (steps[steps.length - 1] !== 100) problems.push(`the last step must be 100, got ${steps[steps.length - 1]}`);
    return problems;
}

export const DEFAULT_STEPS: readonly number[] = [5, 25, 50, 100];
