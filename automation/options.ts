/**
 * Parsing of command-line values: durations, steps, versions. Every rejection is bad input naming the value.
 */
import { stepProblems } from "../components/weights";
import { isMinorVersion } from "../components/kubernetesVersions";
import { BadInputError } from "./errors";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `30s`, `10m`, `1h`, `1.5h` -> milliseconds. */
export function parseDuration(flag: string, value: string): number {
    const match = value.trim().match(/^(\d+(?:\.\d+)?)(s|m|h)$/);
    if (!match) throw new BadInputError(`${flag} "${value}" is not a duration like 30s, 10m or 1h`);
    return Math.round(Number(match[1]) * UNITS[match[2]]);
}

/** `5,25,50,100` -> [5, 25, 50, 100]. */
export function parseSteps(value: string): number[] {
    const parts = value.split(",").map((p) => p.trim());
    const steps = parts.map(Number);
    const malformed = parts.filter((p, i) => p === "" || !Number.isFinite(steps[i]));
    if (malformed.length > 0) throw new BadInputError(`--steps "${value}": ${malformed.map((p) => `"${p}"`).join(", ")} is not a number`);
    const problems = stepProblems(steps);
    if (problems.length > 0) throw new BadInputError(`--steps "${value}": ${problems.join("; ")}`);
    return steps;
}

/** A Kubernetes minor as EKS takes it; `v1.35` and `1.35.2` are accepted and reduced to `1.35`. */
export function parseVersion(flag: string, value: string): string {
    const match = value.trim().match(/^v?(1\.\d{1,3})(?:\.\d+)?$/);
    if (!match || !isMinorVersion(match[1])) throw new BadInputError(`${flag} "${value}" is not a Kubernetes version like 1.35`);
    return match[1];
}

/** 159 -> "2h39m", 42.4 -> "42m"; rounded to the minute first, so 119.7 is "2h00m", never "1h60m". */
export function formatMinutes(minutes: number): string {
    const total = Math.round(minutes);
    return total >= 60 ? `${Math.floor(total / 60)}h${String(total % 60).padStart(2, "0")}m` : `${total}m`;
}
