/**
 * Discarding the new-color cluster a rollback kept for inspection: only a cluster that carries no traffic and
 * no cron jobs, after the region's record says so (`discarding`, a compare-and-set from `rolled_back`), torn
 * down in the safe order, then the record removed. Resumable: rerun after any interruption, it finishes.
 */
import { Color } from "../../components/naming";
import { nextRecord, oldColorOf } from "../../stacks/upgradeRecord";
import { loadBalancerWeights, readRegion, RegionContext, writeRegion } from "./regionState";
import { tearDown } from "./teardown";

export interface RegionDiscard {
    region: string;
    result: "discarded" | "nothing_to_do" | "refused";
    /** The color torn down. */
    color: Color | null;
    reason: string | null;
}

export async function discardRegion(ctx: RegionContext): Promise<RegionDiscard> {
    let state = await readRegion(ctx);
    const record = state.record;
    const refuse = (reason: string): RegionDiscard => ({ region: ctx.region, result: "refused", color: record?.newColor ?? null, reason });
    if (!record) {
        const extra = Object.keys(state.view.clusters).filter((c) => c !== state.owner);
        return extra.length === 0
            ? { region: ctx.region, result: "nothing_to_do", color: null, reason: `only ${state.owner} exists: nothing kept to discard` }
            : refuse(`${extra.join(", ")} exists with no rolled-back upgrade record: is an upgrade bringing it up? Roll back first`);
    }
    const fresh = record.newColor;
    if (record.state !== "rolled_back" && record.state !== "discarding") return refuse(`the upgrade to ${fresh} is ${record.state}, not rolled back: roll it back first (mitene rollback)`);
    if (record.state === "rolled_back") {
        const weights = await loadBalancerWeights(ctx, state.outputs);
        const cluster = state.view.clusters[fresh];
        if (weights[fresh] !== 0) return refuse(`${fresh} carries ${weights[fresh]}% of the traffic`);
        if (state.owner === fresh || cluster?.outputs?.cron === true) return refuse(`${fresh} still has the cron jobs: finish the rollback first (rerun mitene rollback)`);
        await ctx.event(`discard ${fresh}: tear it down`, { phase: "discard" });
        await writeRegion(ctx, state, { record: nextRecord(record, { state: "discarding" }) });
        state = await readRegion(ctx);
    }
    await tearDown(ctx, fresh);
    await writeRegion(ctx, await readRegion(ctx), { record: null });
    await ctx.event(`discarded ${fresh}; ${oldColorOf(record)} serves alone`, { phase: "discard", result: "discarded" });
    return { region: ctx.region, result: "discarded", color: fresh, reason: null };
}
