/**
 * Parsing of command-line values: durations, steps, versions, counts. Every rejection is bad input naming the
 * flag and the value; every accepted value is in the range the driver can act on.
 */
import { stepProblems } from "../../components/weights";
import { isMinorVersion } from "../../components/kubernetesVersions";
import { BadInputError } from "./errors";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

export interface DurationBounds {
    /** Smallest accepted, ms (inclusive). */
    min: number;
    /** Largest accepted, ms (inclusive). */
    max: number;
}

const describe = (ms: number) => (ms === 0 ? "0s" : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

/** `30s`, `10m`, `1h`, `1.5h` -> milliseconds, within `bounds`. */
export function parseDuration(flag: string, value: string, bounds: DurationBounds): number {
    const match = value.trim().match(/^(\d+(?:\.\d+)?)(s|m|h)$/);
    if (!match) throw new BadInputError(`${flag} "${value}" is not a duration like 30s, 10m or 1h`);
    const ms = Math.round(Number(match[1]) * UNITS[match[2]]);
    if (ms < bounds.min || ms > bounds.max) throw new BadInputError(`${flag} "${value}" is out of range: between ${describe(bounds.min)} and ${describe(bounds.max)}`);
    return ms;
}

/** `5,25,50,100` -> [5, 25, 50, 100]: plain decimal integers only (no 0x10, 1e1, +5). */
export function parseSteps(value: string): number[] {
    const parts = value.split(",").map((p) => p.trim());
    const malformed = parts.filter((p) => !/^\d{1,3}$/.test(p));
    if (malformed.length > 0) throw new BadInputError(`--steps "${value}": ${malformed.map((p) => `"${p}"`).join(", ")} ${malformed.length === 1 ? "is" : "are"} not a whole percent`);
    const steps = parts.map(Number);
    const problems = stepProblems(steps);
    if (problems.length > 0) throw new BadInputError(`--steps "${value}": ${problems.join("; ")}`);
    return steps;
}

/**
 * A Kubernetes minor as EKS takes it (`1.35`). `v1.35` and `1.35.0` mean the same and are read as `1.35` with
 * a note; a patch release (`1.35.1`) is refused: EKS picks the patch, an upgrade names the minor.
 */
export function parseVersion(flag: string, value: string, note: (line: string) => void): string {
    const match = value.trim().match(/^(v?)(1\.\d{1,3})(?:\.(0|[1-9]\d*))?$/);
    if (!match || !isMinorVersion(match[2])) throw new BadInputError(`${flag} "${value}" is not a Kubernetes version like 1.35`);
    if (match[3] !== undefined && match[3] !== "0") throw new BadInputError(`${flag} "${value}" names a patch release: EKS upgrades go to a minor (${match[2]}) and choose the patch themselves`);
    if (match[1] || match[3] !== undefined) note(`note: ${flag} "${value}" read as ${match[2]}`);
    return match[2];
}

/** A whole number of at least 1 (operation counts, percentages checked elsewhere). */
export function parsePositive(flag: string, value: string): number {
    if (!/^[1-9]\d{0,8}$/.test(value)) throw new BadInputError(`${flag} "${value}" is not a whole number of 1 or more`);
    return Number(value);
}
