/**
 * Errors that end a command with a specific exit code (docs/cli.md): the CLI maps them, nothing else does.
 */

export const EXIT = { ok: 0, failed: 1, badInput: 2, leaseHeld: 3, pendingOperations: 4, interrupted: 130, killed: 137, terminated: 143 } as const;

/** An error that ends the command with its own exit code. */
abstract class ExitCodeError extends Error {
    abstract readonly exitCode: number;

    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** Bad input: nothing was changed, and the message names the offending value. */
export class BadInputError extends ExitCodeError {
    readonly exitCode = EXIT.badInput;
}

/** Another run holds the env's lease. */
export class LeaseHeldError extends ExitCodeError {
    readonly exitCode = EXIT.leaseHeld;
}

/** An interrupted update left pending operations; `--recover` resolves them. `details` say what was found (a dead update's lock). */
export class PendingOperationsError extends ExitCodeError {
    readonly exitCode = EXIT.pendingOperations;

    constructor(readonly stacks: string[], details: string[] = []) {
        const found = details.length > 0 ? ` (${details.join("; ")})` : "";
        super(`${stacks.length === 1 ? `stack ${stacks[0]} has` : `stacks ${stacks.join(", ")} have`} pending operations from an interrupted update${found}: nothing was changed; rerun with --recover`);
    }
}

/** The command ran and did not succeed (blocking preflight finding, missing Pulumi CLI, ...). */
export class CommandFailedError extends ExitCodeError {
    readonly exitCode = EXIT.failed;
}

/**
 * The state does not add up (a stack missing that others depend on, traffic on a color without a cluster, an
 * unreadable state file): the run refuses rather than guess, naming what it could not account for.
 */
export class StateDamagedError extends ExitCodeError {
    readonly exitCode = EXIT.failed;

    constructor(message: string, readonly where: string[]) {
        super(message);
    }
}

/** A state file that cannot be read at all: named, like any unreadable input file. */
export class StateFileError extends ExitCodeError {
    readonly exitCode = EXIT.badInput;
}

/** This run no longer holds the env's lease (it expired and was taken, or was broken): it stops changing things. */
export class LeaseLostError extends ExitCodeError {
    readonly exitCode = EXIT.failed;
}

export function exitCodeOf(error: unknown): number {
    const code = (error as { exitCode?: unknown })?.exitCode;
    return typeof code === "number" ? code : EXIT.failed;
}
