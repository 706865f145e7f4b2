/**
 * Moving the cron jobs between the two clusters of a region, forward (the cut-over) or back (a rollback), with
 * one guarantee both ways: never on two clusters at once, never left off once the move is done. Each step is
 * an `up` even when the cluster already looks right, so it queues behind any update another process has in
 * flight on that cluster and lands after it; the stack programs' cron interlock refuses the rest.
 */
import { Color, otherColor } from "../../components/naming";
import { UpgradeRecord } from "../../stacks/upgradeRecord";
import { RegionContext, RegionState, clusterRef, readRegion, writeCluster, writeRegion } from "./regionState";

export interface CronMove {
    /** The cluster that must end up running the cron jobs. */
    to: Color;
    /** Throws to stop the move between steps (a forward cut-over stops when a rollback happens). */
    checkpoint: () => Promise<RegionState>;
    /** The upgrade record to write with the change of owner (the cut-over's `retiring`); undefined keeps it. */
    record?: (state: RegionState) => UpgradeRecord | undefined;
    /** Longest wait for the other cluster's running jobs; the move stops (jobs off everywhere is then reported). */
    jobsTimeoutMs: number;
    /** The cut-over: the new cluster records since when it serves (`servingSince`, the soak clock of the next env). */
    servingSince?: string;
}

/** Raised when the old cluster's jobs do not finish in time: cron stays off on both until they do. */
export class JobsStillRunningError extends Error {}

export async function moveCron(ctx: RegionContext, move: CronMove): Promise<void> {
    const from = otherColor(move.to);
    let state = await move.checkpoint();
    const other = state.view.clusters[from]?.outputs;
    if (other) {
        if (other.cron) {
            ctx.status(`cron off on ${from}`);
            await ctx.event(`turn cron off on ${from}`, { phase: "cut-over" });
        }
        await writeCluster(ctx, from, { cron: false });
        // Jobs started before cron went off (now or by an interrupted move) run to their end first.
        await waitForJobs(ctx, move, from);
        state = await move.checkpoint();
    }
    const record = move.record?.(state);
    if (state.owner !== move.to || record) {
        await ctx.event(`cron jobs belong to ${move.to}`, { phase: "cut-over" });
        await writeRegion(ctx, state, { cronColor: move.to, ...(record ? { record } : {}) });
        state = await move.checkpoint();
    }
    if (state.view.clusters[move.to]?.outputs?.cron !== true) {
        ctx.status(`cron on on ${move.to}`);
        await ctx.event(`turn cron on on ${move.to}`, { phase: "cut-over" });
    }
    // A rerun of a finished cut-over keeps the time the first one wrote.
    const since = move.servingSince && (state.view.clusters[move.to]?.config["mitene:servingSince"] ?? move.servingSince);
    await writeCluster(ctx, move.to, { cron: true, ...(since ? { servingSince: since } : {}) });
}

async function waitForJobs(ctx: RegionContext, move: CronMove, color: Color): Promise<void> {
    ctx.status(`waiting for ${color}'s running cron jobs`);
    const deadline = ctx.ports.clock.now() + move.jobsTimeoutMs;
    for (;;) {
        const cluster = clusterRef(ctx, (await readRegion(ctx)).view, color);
        const running = await ctx.ports.jobs.runningCronJobs(cluster);
        if (running.length === 0) return;
        if (ctx.ports.clock.now() >= deadline) {
            throw new JobsStillRunningError(
                `cron jobs still running on ${cluster.clusterName} after ${Math.round(move.jobsTimeoutMs / 60_000)}m: ${running.join(", ")}; cron is off on both clusters until they end (rerun to finish the move)`,
            );
        }
        await ctx.ports.clock.sleep(ctx.pollMs, ctx.signal);
        await move.checkpoint();
    }
}
