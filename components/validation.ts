/**
 * Component argument validation: collect every problem, then throw once, before any resource exists.
 */
export class ArgsError extends Error {
    constructor(readonly component: string, readonly problems: string[]) {
        super(`${component}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ArgsError";
    }
}

export function throwIfProblems(component: string, problems: string[]): void {
    if (problems.length > 0) throw new ArgsError(component, problems);
}

/** Any `/0` (0.0.0.0/0, ::/0, or any other address written with prefix 0) is the whole internet. */
export const isWholeInternet = (cidr: string) => /\/0$/.test(cidr.trim());

/** Public access to the EKS API is only acceptable through an allow-list that excludes the internet. */
export function publicAccessProblems(cidrs: readonly string[]): string[] {
    return cidrs.filter(isWholeInternet).map((c) => `publicAccessCidrs must not contain ${c} (the whole internet)`);
}

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
