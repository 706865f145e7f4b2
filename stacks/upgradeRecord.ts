/**
 * The region's upgrade record (`mitene:upgrade` in the region stack file): which color an upgrade introduces,
 * in which attempt, and how far it has come. Several writers meet on the region stack (an upgrade run, an
 * operator's `mitene rollback` from a laptop, `discard`), each editing its own copy of the stack file, so the
 * record is a compare-and-set protocol: every write names the revision it follows (`seq`), and the region
 * program refuses, under Pulumi's stack lock, a record that does not follow from the deployed one. A writer
 * that computed its change from a stale read therefore cannot undo a rollback, whichever machine it runs on.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { COLORS, Color, otherColor } from "../components/naming";
import { Weights, formatWeights } from "../components/weights";

/**
 * shifting      traffic moves to the new color (weights set step by step; cron still on the old color)
 * retiring      the cron jobs moved to the new color; the old cluster waits (hold, or kept with --no-destroy)
 * tearing-down  the old cluster is being destroyed: from here there is nothing to roll back to
 * rolled_back   all traffic and the cron jobs are back on the old color; the new cluster is kept, weight 0
 * discarding    the new cluster of a rolled-back attempt is being destroyed (`mitene discard`)
 */
export const RECORD_STATES = ["shifting", "retiring", "tearing-down", "rolled_back", "discarding"] as const;
export type RecordState = (typeof RECORD_STATES)[number];

export const upgradeRecordSchema = z.strictObject({
    /** The color being introduced. */
    newColor: z.enum(COLORS),
    /** Identifies the attempt (the run id that started it). */
    attempt: z.string().min(1),
    /** Revision: each write is the deployed record's seq + 1 (the first of an attempt is 1). */
    seq: z.number().int().min(1),
    state: z.enum(RECORD_STATES),
    /** A retry names the rolled-back attempt it replaces. */
    retryOf: z.string().min(1).optional(),
    /** Why the upgrade was rolled back (who, when, which gate). */
    reason: z.string().optional(),
    /** retiring: when the old cluster may be torn down (ISO time), for `status`. */
    holdUntil: z.string().optional(),
    /** retiring: keep the old cluster (`--no-destroy`) until a later run or `discard` removes it. */
    keep: z.boolean().optional(),
    /** shifting: the new color's weight whose gate passed when a run paused there (`--stop-at`): not gated again. */
    passed: z.number().int().min(1).max(100).optional(),
});

export type UpgradeRecord = z.output<typeof upgradeRecordSchema>;

/** The color that served before the upgrade (and serves again after a rollback). */
export const oldColorOf = (record: Pick<UpgradeRecord, "newColor">): Color => otherColor(record.newColor);

/** Forward order of an attempt; rolled_back and discarding branch off it. */
const FORWARD: Partial<Record<RecordState, number>> = { shifting: 0, retiring: 1, "tearing-down": 2 };

/** States a rollback may start from: the old cluster still exists and still has its apps. */
export const ROLLBACK_FROM: readonly RecordState[] = ["shifting", "retiring", "rolled_back"];

function sameAttemptProblem(from: RecordState, to: RecordState): string | undefined {
    if (from === to) return undefined;
    const a = FORWARD[from];
    const b = FORWARD[to];
    if (a !== undefined && b !== undefined && b === a + 1) return undefined;
    if (to === "rolled_back" && ROLLBACK_FROM.includes(from)) return undefined;
    if (from === "rolled_back" && to === "discarding") return undefined;
    if (from === "rolled_back") return "the upgrade was rolled back after this configuration was computed";
    if (from === "tearing-down") return "the old cluster is being torn down: there is nothing to roll back to";
    return `an upgrade record cannot go from ${from} to ${to}`;
}

/** The region's deployed weights and cron owner, as its own stack last exported them. */
export interface DeployedServing {
    weights: Weights;
    cronColor: Color;
}

/**
 * Why `next` may not replace the deployed record, or undefined when it may. An unchanged record is always
 * fine (a stack file that is current but edits something else). `serving` is what the region deployed with
 * it (absent before the first deployment).
 */
export function recordTransitionProblem(deployed: UpgradeRecord | null, next: UpgradeRecord | null, serving?: DeployedServing): string | undefined {
    if (isDeepStrictEqual(deployed, next)) return undefined;
    if (next === null) {
        return deployed && !["tearing-down", "discarding"].includes(deployed.state)
            ? `the upgrade record of attempt ${deployed.attempt} (${deployed.state}) can only be removed once its teardown finished`
            : undefined;
    }
    if (deployed === null) {
        if (next.seq !== 1) return `this record follows revision ${next.seq - 1}, but no upgrade record is deployed: the stack file is stale`;
        if (!["shifting", "rolled_back"].includes(next.state)) return `a new upgrade record must start shifting (or rolled back), not ${next.state}`;
        // Without a record the region is between upgrades, and one that finished looks the same as one not begun,
        // but for who serves: an attempt starts from the color it calls old serving everything, with the cron jobs.
        const old = oldColorOf(next);
        if (serving && (serving.cronColor !== old || serving.weights[old] !== 100)) {
            return `attempt ${next.attempt} starts from ${old} serving all traffic with the cron jobs, but ${serving.cronColor} owns them (${formatWeights(serving.weights)}): the region was upgraded after this configuration was computed`;
        }
        return undefined;
    }
    if (next.seq !== deployed.seq + 1) {
        return `this record follows revision ${next.seq - 1}, but revision ${deployed.seq} (${deployed.state}) is deployed: the stack file is stale`;
    }
    if (next.attempt === deployed.attempt) {
        if (next.newColor !== deployed.newColor) return `attempt ${next.attempt} introduces ${deployed.newColor}, not ${next.newColor}`;
        return sameAttemptProblem(deployed.state, next.state);
    }
    if (deployed.state === "rolled_back" && next.retryOf === deployed.attempt && next.state === "shifting") return undefined;
    return deployed.state === "rolled_back"
        ? `attempt ${deployed.attempt} was rolled back; a new attempt must name it in retryOf (upgrade --retry)`
        : `attempt ${deployed.attempt} is still ${deployed.state}`;
}

/** What the region's weights and cron owner must be in each state (checked with the rest of the config). */
export function recordConsistencyProblems(record: UpgradeRecord, weights: Weights, cronColor: Color): string[] {
    const problems: string[] = [];
    const fresh = record.newColor;
    const old = oldColorOf(record);
    const need = (ok: boolean, message: string) => ok || problems.push(`${record.state}: ${message}`);
    switch (record.state) {
        case "shifting":
            need(cronColor === old, `the cron jobs stay with ${old} while traffic shifts`);
            break;
        case "retiring":
        case "tearing-down":
            need(weights[fresh] === 100, `${fresh} must carry all traffic`);
            need(cronColor === fresh, `the cron jobs belong to ${fresh}`);
            break;
        case "rolled_back":
            need(weights[fresh] === 0, `${fresh} must carry no traffic`);
            break;
        case "discarding":
            need(weights[fresh] === 0, `${fresh} must carry no traffic`);
            need(cronColor === old, `the cron jobs belong to ${old}`);
            break;
    }
    return problems;
}

/** The next revision of `deployed` (or the first of a new attempt) with `changes` applied. */
export function nextRecord(deployed: UpgradeRecord | null, changes: Omit<UpgradeRecord, "seq" | "attempt" | "newColor"> & Partial<Pick<UpgradeRecord, "attempt" | "newColor">>): UpgradeRecord {
    const attempt = changes.attempt ?? deployed?.attempt;
    const newColor = changes.newColor ?? deployed?.newColor;
    if (!attempt || !newColor) throw new Error("a new upgrade record needs an attempt and a new color");
    const base: Partial<UpgradeRecord> = deployed && deployed.attempt === attempt ? { reason: deployed.reason, retryOf: deployed.retryOf } : {};
    const record: UpgradeRecord = { ...base, ...changes, attempt, newColor, seq: (deployed?.seq ?? 0) + 1 };
    // Undefined optional fields would be written to the stack file as nulls: drop them.
    for (const key of Object.keys(record) as (keyof UpgradeRecord)[]) if (record[key] === undefined) delete record[key];
    return record;
}

/**
 * Why a cluster of `color` may not have its cron jobs `enabled` as configured, given the region's deployed
 * cron owner and upgrade record: jobs never run on two clusters, and a rollback's owner keeps them.
 */
export function cronInterlockProblem(color: Color, enabled: boolean, cronColor: Color, record: UpgradeRecord | null): string | undefined {
    if (enabled && cronColor !== color) return `the region stack gives the cron jobs to ${cronColor}; ${color} may not enable them`;
    if (enabled && record?.newColor === color && (record.state === "rolled_back" || record.state === "discarding")) {
        return `the upgrade that introduced ${color} was rolled back: its cron jobs stay off`;
    }
    if (!enabled && cronColor === color && record?.state === "rolled_back" && oldColorOf(record) === color) {
        return `the region was rolled back to ${color}: its cron jobs stay on`;
    }
    return undefined;
}
