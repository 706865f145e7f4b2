/**
 * Rollback of one region: all traffic back on the color that served before the upgrade, at once, then the cron
 * jobs back to it under the same guarantee as the forward cut-over. It works at any point until the old
 * cluster's teardown begins (while traffic shifts, during the cut-over, the hold, and after --no-destroy),
 * needs no lease (an upgrade may be running), and is idempotent: rerun after any interruption, it finishes.
 */
import { compareMinor } from "../../components/kubernetesVersions";
import { Color, otherColor } from "../../components/naming";
import { ALL_ON, Weights, formatWeights } from "../../components/weights";
import { UpgradeRecord, nextRecord } from "../../stacks/upgradeRecord";
import { moveCron } from "./cron";
import { RegionChangedError, RegionContext, RegionState, colorsOf, loadBalancerWeights, readRegion, ruleRefs, writeRegion } from "./regionState";

export interface RollbackRequest {
    reason: string;
    /** Set the listener rules directly first (seconds), then update the region stack. */
    fast: boolean;
    jobsTimeoutMs: number;
    /**
     * The upgrade holding the env's lease with this region in its scope: a rollback of the region before that
     * run reaches it is recorded, so the run leaves the region alone; once the region serves the run's target
     * its upgrade is over there, and there is nothing to roll back to.
     */
    runningUpgrade?: { runId: string; to: string };
}

export interface RegionRollback {
    region: string;
    result: "rolled_back" | "nothing_to_do" | "refused";
    /** The color serving all traffic now (or still). */
    color: Color;
    /** What the load balancer forwards with afterwards; null when it could not be read. */
    weights: Weights | null;
    /** The cluster kept for inspection, if any. */
    kept: Color | null;
    /** What was done, in order, in plain words. */
    actions: string[];
    reason: string | null;
    /** Virtual (sim) or wall minutes from the start until all traffic was back on the old color. */
    trafficMinutes: number | null;
    /** When all traffic was back (the run's clock, ms); null when this rollback did not move it. */
    trafficBackAt: number | null;
}

const WRITE_ATTEMPTS = 5;

async function weightsOrNull(ctx: RegionContext, state: RegionState): Promise<Weights | null> {
    try {
        return await loadBalancerWeights(ctx, state.outputs);
    } catch {
        return null;
    }
}

/** Where the region stands for a rollback: refused, nothing to do, or the colors to act on. */
function decide(state: RegionState, running: RollbackRequest["runningUpgrade"]): Plan {
    const { old, fresh } = colorsOf(state);
    const record = state.record;
    if (record?.state === "tearing-down") return { old, fresh, refuse: `${old} is being torn down (the upgrade to ${fresh} passed its point of no return): there is nothing to roll back to` };
    if (record?.state === "discarding") return { old, fresh, nothing: `already rolled back to ${old}; ${fresh} is being discarded` };
    const serving = state.view.clusters[old];
    if (!serving?.outputs) return { old, fresh, refuse: `${old} has no deployed cluster to go back to` };
    if (!record && !state.view.clusters[fresh]) {
        const alone = `${old} serves ${state.outputs.weights[old]}% and there is no other cluster`;
        if (!running) return { old, fresh, nothing: `${alone}: no upgrade is under way here` };
        // The region is either not reached yet by the running upgrade, or already through its teardown.
        if (compareMinor(serving.version, running.to) >= 0) return { old, fresh, nothing: `${alone}: it runs Kubernetes ${serving.version}, the target of the running upgrade (run ${running.runId}), which finished here; there is nothing to roll back to` };
        return { old, fresh, attempt: running.runId };
    }
    return { old, fresh, attempt: record?.attempt };
}

interface Plan {
    refuse?: string;
    nothing?: string;
    old: Color;
    fresh: Color;
    attempt?: string;
}

/**
 * Listener rules written directly (--fast-rollback) while the region passed its point of no return: they go
 * back to what the region stack says at once, or traffic would flow to a cluster being torn down.
 */
async function restoreRules(ctx: RegionContext, state: RegionState, why: string, actions: string[]): Promise<void> {
    const deployed = state.outputs.weights;
    await ctx.ports.loadBalancer.write(ctx.region, ruleRefs(state.outputs), deployed);
    await ctx.event(`listener rules put back to ${formatWeights(deployed)} as the region stack says: ${why}`, { phase: "rollback", detail: { path: "direct", weights: deployed } });
    actions.push(`listener rules put back to ${formatWeights(deployed)} (the region stack's weights): ${why}`);
}

export async function rollbackRegion(ctx: RegionContext, request: RollbackRequest): Promise<RegionRollback> {
    const started = ctx.ports.clock.now();
    const actions: string[] = [];
    const minutesSinceStart = () => Math.round(((ctx.ports.clock.now() - started) / 60_000) * 10) / 10;
    let trafficMinutes: number | null = null;
    let trafficBackAt: number | null = null;
    let state = await readRegion(ctx);
    let plan = decide(state, request.runningUpgrade);
    let directlyWritten = false;
    for (let attempt = 1; !plan.refuse && !plan.nothing; attempt++) {
        const alreadyBack = state.record?.state === "rolled_back" && state.outputs.weights[plan.old] === 100;
        if (alreadyBack) {
            actions.push(`traffic was already back on ${plan.old} (rolled back: ${state.record!.reason ?? "no reason recorded"})`);
            break;
        }
        const target = ALL_ON(plan.old);
        const before = state.outputs.weights;
        ctx.status(`rolling back: all traffic to ${plan.old}`);
        if (request.fast && attempt === 1) {
            try {
                await ctx.ports.loadBalancer.write(ctx.region, ruleRefs(state.outputs), target);
                directlyWritten = true;
                await ctx.event(`listener rules set to ${formatWeights(target)} directly; the region stack follows`, { phase: "rollback", detail: { path: "direct", modifyRuleCalls: state.outputs.services.length } });
                actions.push(`listener rules set to ${formatWeights(target)} directly (--fast-rollback)`);
            } catch (error) {
                // The emergency path must never make the safe one less likely: the stack update below still runs.
                actions.push(`direct listener write failed (${(error as Error).message}); the region-stack update puts the traffic back`);
            }
            if (directlyWritten) {
                // That write took no lock: if the upgrade passed its point of no return meanwhile, it is undone now.
                state = await readRegion(ctx);
                plan = decide(state, request.runningUpgrade);
                continue;
            }
        }
        const record: UpgradeRecord = nextRecord(state.record, { newColor: plan.fresh, attempt: plan.attempt ?? `rollback-${started}`, state: "rolled_back", reason: request.reason });
        try {
            await writeRegion(ctx, state, { weights: target, record });
        } catch (error) {
            if (!(error instanceof RegionChangedError) || attempt >= WRITE_ATTEMPTS) throw error;
            // Another writer landed first (an upgrade step): read again and roll back from there.
            state = await readRegion(ctx);
            plan = decide(state, request.runningUpgrade);
            continue;
        }
        trafficMinutes = minutesSinceStart();
        trafficBackAt = ctx.ports.clock.now();
        await ctx.event(`traffic back on ${plan.old}: ${formatWeights(target)} (was ${formatWeights(before)})`, { phase: "rollback", result: "rolled_back", detail: { weights: target, previous: before, reason: request.reason } });
        actions.push(`traffic: all on ${plan.old} (was ${formatWeights(before)}) in one region-stack update`);
        break;
    }
    if (plan.refuse || plan.nothing) {
        if (directlyWritten) await restoreRules(ctx, state, plan.refuse ?? plan.nothing!, actions);
        return { region: ctx.region, result: plan.refuse ? "refused" : "nothing_to_do", color: plan.old, weights: await weightsOrNull(ctx, state), kept: null, actions, reason: plan.refuse ?? plan.nothing!, trafficMinutes: null, trafficBackAt: null };
    }

    state = await readRegion(ctx);
    const old = state.view.clusters[plan.old]!;
    if (old.outputs?.argocdRegistered === false) {
        // Registering it is an Argo CD Secret on the Ops cluster: a deploy right the rollback role does not hold
        // (docs/identity-kubernetes.md). Traffic is back; say what is left, for whoever holds that right.
        const left = `${plan.old} is not registered in Argo CD (a teardown had begun): its apps are no longer synced; register it again with a deploy run (pulumi up -s ${old.stack} with mitene:argocdRegistered true)`;
        await ctx.event(left, { phase: "rollback" });
        actions.push(left);
    }
    const cronBefore = state.view.clusters[otherColor(plan.old)]?.outputs?.cron === true ? otherColor(plan.old) : state.owner;
    await moveCron(ctx, { to: plan.old, jobsTimeoutMs: request.jobsTimeoutMs, checkpoint: () => readRegion(ctx) });
    actions.push(cronBefore === plan.old ? `cron jobs: stay on ${plan.old} (checked on)` : `cron jobs: moved back from ${cronBefore} to ${plan.old} after ${cronBefore}'s running jobs ended`);
    state = await readRegion(ctx);
    const kept = state.view.clusters[plan.fresh] ? plan.fresh : null;
    if (kept) actions.push(`${kept} (Kubernetes ${state.view.clusters[kept]!.version}) kept for inspection: weight 0, cron off; \`mitene upgrade --retry\` tries again, \`mitene discard\` removes it`);
    return { region: ctx.region, result: "rolled_back", color: plan.old, weights: await weightsOrNull(ctx, state), kept, actions, reason: request.reason, trafficMinutes, trafficBackAt };
}
