/** When a run may go against the version cycle's order (docs/operations.md "A version cycle, in order"). */
import { BadInputError } from "../core/errors";

/**
 * Why this run may go against the version cycle's order, if it may: `--skip-order-check REASON` on any engine;
 * on the rehearsal engines, by default, because their state is a seed of the committed stack files, not the
 * history of the env before this one (staging's soak cannot be judged from it). There the order findings are
 * reported as warnings and journaled, and `--enforce-order` rehearses what the pulumi engine always does: block.
 */
export function orderOverride(flags: { engine: string; skipOrderCheck?: string; enforceOrder?: boolean }): string | undefined {
    const reason = checkReason(flags.skipOrderCheck);
    if (reason !== undefined || flags.engine === "pulumi" || flags.enforceOrder) return reason;
    return rehearsalOverride(flags.engine);
}

export const rehearsalOverride = (engine: string) =>
    `rehearsal on the ${engine} engine: order reported, not enforced (--enforce-order blocks)`;

/** `--skip-order-check REASON`: a reason, not an empty word. */
export function checkReason(reason: string | undefined): string | undefined {
    if (reason !== undefined && reason.trim().length < 3) throw new BadInputError(`--skip-order-check "${reason}" needs a reason (the journal keeps it), e.g. --skip-order-check "Ops add-on blocks 1.35, service clusters leave standard support"`);
    return reason?.trim();
}
