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

/** Public access to the EKS API is only acceptable through an allow-list that excludes the internet. */
export function publicAccessProblems(cidrs: readonly string[]): string[] {
    return cidrs.filter((c) => c === "0.0.0.0/0" || c === "::/0").map((c) => `publicAccessCidrs must not contain ${c}`);
}
