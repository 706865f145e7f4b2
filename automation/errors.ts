/**
 * Errors that end a command with a specific exit code (CONTRACT.md): the CLI maps them, nothing else does.
 */

export const EXIT = { ok: 0, failed: 1, badInput: 2, leaseHeld: 3, pendingOperations: 4, killed: 137 } as const;

/** Bad input: nothing was changed, and the message names the offending value. */
export class BadInputError extends Error {
    readonly exitCode = EXIT.badInput;
    constructor(message: string) {
        super(message);
        this.name = "BadInputError";
    }
}

/** Another run holds the env's lease. */
export class LeaseHeldError extends Error {
    readonly exitCode = EXIT.leaseHeld;
    constructor(message: string) {
        super(message);
        this.name = "LeaseHeldError";
    }
}

/** An interrupted update left pending operations; `--recover` resolves them. */
export class PendingOperationsError extends Error {
    readonly exitCode = EXIT.pendingOperations;
    constructor(readonly stacks: string[]) {
        super(`stack(s) ${stacks.join(", ")} have pending operations from an interrupted update: nothing was changed; rerun with --recover`);
        this.name = "PendingOperationsError";
    }
}

/** The command ran and did not succeed (blocking preflight finding, policy violation, ...). */
export class CommandFailedError extends Error {
    readonly exitCode = EXIT.failed;
    constructor(message: string) {
        super(message);
        this.name = "CommandFailedError";
    }
}

export function exitCodeOf(error: unknown): number {
    const code = (error as { exitCode?: unknown })?.exitCode;
    return typeof code === "number" ? code : EXIT.failed;
}
