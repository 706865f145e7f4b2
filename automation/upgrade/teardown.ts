/**
 * Removing one color's cluster in the only safe order: deregister it from Argo CD (so nothing deploys onto a
 * cluster that is going), destroy the stack (Pulumi deletes in-cluster resources, the TargetGroupBindings
 * among them, while the cluster still exists), then remove the stack. Callers decide that it is safe: the
 * color carries no traffic and no cron jobs, and the region's record says the teardown has begun.
 */
import { Color, clusterStack } from "../../components/naming";
import { formatWeights } from "../../components/weights";
import { DriverPorts } from "../core/context";
import { observeEnv } from "../core/fleet";
import { RegionContext, RegionState, loadBalancerWeights, readRegion, ruleRefs, writeCluster } from "./regionState";

/**
 * The other regions of the env rolled back from an upgrade to `to` (their kept cluster runs it, or none was
 * brought up): while there is one, no region passes its point of no return, or the env would stay split
 * between versions with no way back.
 */
export async function rolledBackElsewhere(ports: Pick<DriverPorts, "engine">, env: string, region: string, to: string): Promise<string[]> {
    const view = await observeEnv(ports.engine, env);
    return view.regions
        .filter((r) => r.region !== region && r.outputs?.upgrade?.state === "rolled_back")
        .filter((r) => (r.clusters[r.outputs!.upgrade!.newColor]?.version ?? to) === to)
        .map((r) => r.region);
}

export async function tearDown(ctx: RegionContext, color: Color): Promise<void> {
    const state = await readRegion(ctx);
    const cluster = state.view.clusters[color];
    if (!cluster) return;
    ctx.status(`tearing down ${color}`);
    await forwardNothingTo(ctx, state, color);
    if (cluster.outputs && cluster.outputs.argocdRegistered !== false) {
        await ctx.event(`deregister ${color} from Argo CD`, { phase: "teardown" });
        await writeCluster(ctx, color, { argocdRegistered: false });
    }
    if (cluster.resourceCount > 0) {
        await ctx.event(`destroy ${color} cluster`, { phase: "teardown" });
        await ctx.ports.engine.destroy(cluster.stack, { signal: ctx.signal });
    }
    await ctx.event(`remove ${color} stack`, { phase: "teardown" });
    await ctx.ports.engine.removeStack(clusterStack(ctx.env, ctx.region, color), { signal: ctx.signal });
}

/**
 * The listener rules forward nothing to `color`. A direct write (--fast-rollback) takes no lock, so one that
 * read the region before its teardown began can land after: the rules then contradict the region stack, which
 * gives `color` nothing, and are put back before anything of the cluster goes.
 */
async function forwardNothingTo(ctx: RegionContext, state: RegionState, color: Color): Promise<void> {
    const deployed = state.outputs.weights;
    if (deployed[color] !== 0) throw new Error(`refusing to tear down ${color}: the region stack gives it ${deployed[color]}% of the traffic`);
    const forwarded = await loadBalancerWeights(ctx, state.outputs);
    if (forwarded[color] === 0) return;
    await ctx.event(`listener rules forward ${formatWeights(forwarded)} against the region stack's ${formatWeights(deployed)} (a direct write that lost its race with this teardown): put back`, { phase: "teardown", detail: { forwarded, weights: deployed } });
    await ctx.ports.loadBalancer.write(ctx.region, ruleRefs(state.outputs), deployed);
}
