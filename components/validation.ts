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

/**
 * A point in time as a stack file holds it: ISO 8601 (`2026-12-04T10:15Z`), or as Pulumi's Go YAML reader turns
 * an unquoted ISO timestamp into text (`2026-12-04 10:15:00 +0000 UTC`, Go's time.Time String()). NaN otherwise.
 */
export function parseInstant(text: string): number {
    const go = text.match(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) ([+-])(\d{2})(\d{2})(?: \w+)?$/);
    if (go) return Date.parse(`${go[1]}T${go[2]}${go[3]}${go[4]}:${go[5]}`);
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN;
}

/** An instant as the driver writes it into a stack file: minutes, UTC, no seconds (YAML readers keep it a string). */
export const formatInstant = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16) + "Z";
/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
