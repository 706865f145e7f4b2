/**
 * A program's failure under the mock runtime is reported once, by the run that failed (ProgramError); Node may
 * still report the same error later as an unhandled rejection of a promise the SDK derived from it. The run
 * marks what it reported, so that the process's last-resort handler can tell such an echo from a real stray
 * failure. A leaf module: the CLI's entry loads it without the SDK.
 */
const REPORTED = Symbol.for("mitene.programFailureReported");

export function markReported(error: unknown): void {
    if (error !== null && typeof error === "object") (error as Record<symbol, boolean>)[REPORTED] = true;
}

export function wasReported(error: unknown): boolean {
    return error !== null && typeof error === "object" && (error as Record<symbol, boolean>)[REPORTED] === true;
}
