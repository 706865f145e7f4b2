/**
 * The end of a region's upgrade, once its traffic is on the new color: the cron cut-over (the record becomes
 * `retiring` with the change of owner, which starts the hold), the hold, then the teardown of the old cluster,
 * the point of no return. The driver refuses a teardown while the old color carries traffic or the cron jobs,
 * and passes no point of no return while another region of the upgrade is rolled back (the env would stay
 * split between versions with no way back): the old cluster is then kept, as with --no-destroy.
 */
import { Color } from "../../components/naming";
import { formatInstant } from "../../components/validation";
import { nextRecord } from "../../stacks/upgradeRecord";
import { JobsStillRunningError, moveCron } from "./cron";
import { RegionContext, RegionState, loadBalancerWeights, readRegion, writeRegion } from "./regionState";
import { RegionStage, RegionStop } from "./regionStop";
import { rolledBackElsewhere, tearDown } from "./teardown";
import { RegionResult, UpgradeOptions } from "./types";

/** What the tail of a region's upgrade acts on (upgrade/region.ts `RegionUpgrade`). */
export interface RetiringRegion {
    ctx: RegionContext;
    options: UpgradeOptions;
    signal: AbortSignal;
    old: Color;
    fresh: Color;
    /** Reads the region, stopping on a rollback by someone else; with `directives`, also at the switch and the wave's news. */
    checkpoint(directives?: boolean): Promise<RegionState>;
    enter(stage: RegionStage, status: string): void;
    stop(outcome: RegionResult["result"], reason: string | null): void;
}

/** The cron jobs belong to the new color and run there only: the cut-over is done. */
export function cronSettled(state: RegionState, old: Color, fresh: Color): boolean {
    return state.owner === fresh && state.view.clusters[fresh]?.outputs?.cron === true && state.view.clusters[old]?.outputs?.cron !== true;
}

export async function cutOver(region: RetiringRegion): Promise<void> {
    const { ctx, options, fresh } = region;
    region.enter("tail", "cron cut-over");
    const state = await region.checkpoint();
    if (state.record?.state !== "shifting" && cronSettled(state, region.old, fresh)) return;
    if (state.record?.state === "shifting" && state.outputs.weights[fresh] !== 100) {
        throw new RegionStop("failed", `${fresh} carries ${state.outputs.weights[fresh]}%, not 100%: no cut-over`);
    }
    try {
        await moveCron(ctx, {
            to: fresh,
            jobsTimeoutMs: options.jobsTimeoutMs,
            servingSince: formatInstant(ctx.ports.clock.now()),
            // Once begun, a cron move runs to its end: jobs are never left off.
            checkpoint: () => region.checkpoint(false),
            // The hold starts when the cron jobs change owner.
            record: (s) =>
                s.record?.state === "shifting"
                    ? nextRecord(s.record, { state: "retiring", holdUntil: new Date(ctx.ports.clock.now() + options.holdMs).toISOString(), ...(options.destroy ? {} : { keep: true }) })
                    : undefined,
        });
    } catch (error) {
        if (error instanceof JobsStillRunningError) throw new RegionStop("failed", error.message);
        throw error;
    }
}

export async function retireOld(region: RetiringRegion): Promise<void> {
    const { ctx, options, old } = region;
    const clock = ctx.ports.clock;
    let state = await region.checkpoint();
    const record = state.record;
    if (!record) return;
    if (record.state === "retiring") {
        if (!options.destroy) {
            if (!record.keep) await writeRegion(ctx, state, { record: nextRecord(record, { ...record, keep: true }) });
            region.stop("completed", `${old} kept (--no-destroy): rollback stays possible; a later upgrade without --no-destroy removes it`);
            return;
        }
        const until = record.keep ? clock.now() : Date.parse(record.holdUntil ?? "") || clock.now();
        if (clock.now() < until) {
            region.enter("tail", `holding until ${new Date(until).toISOString().slice(11, 16)} before tearing ${old} down`);
            await ctx.event(`hold until ${new Date(until).toISOString().slice(11, 16)} UTC, then tear ${old} down; rollback stays possible until then`, { phase: "hold" });
            while (clock.now() < until) {
                await clock.sleep(Math.min(options.pollMs, until - clock.now()), region.signal);
                state = await region.checkpoint();
            }
        }
        const weights = await loadBalancerWeights(ctx, state.outputs);
        if (weights[old] !== 0) throw new RegionStop("failed", `refusing to tear down ${old}: it carries ${weights[old]}% of the traffic`);
        if (state.owner === old) throw new RegionStop("failed", `refusing to tear down ${old}: it owns the cron jobs`);
        const split = await rolledBackElsewhere(ctx.ports, options.env, ctx.region, options.to);
        if (split.length > 0) {
            if (!state.record!.keep) await writeRegion(ctx, state, { record: nextRecord(state.record, { ...state.record!, keep: true }) });
            const reason = `${old} kept: ${split.join(", ")} of this upgrade ${split.length === 1 ? "is" : "are"} rolled back, and no region destroys its old cluster while another is; once none is (upgrade --retry it, or discard it), an upgrade tears ${old} down`;
            await ctx.event(reason, { phase: "hold", detail: { rolledBack: split } });
            region.stop("completed", reason);
            return;
        }
        await ctx.event(`tear ${old} down: from here there is nothing to roll back to`, { phase: "teardown" });
        await writeRegion(ctx, state, { record: nextRecord(state.record, { state: "tearing-down" }) });
        state = await region.checkpoint();
    }
    if (state.record?.state === "tearing-down") {
        await tearDown(ctx, old);
        await writeRegion(ctx, await readRegion(ctx), { record: null });
    }
}
