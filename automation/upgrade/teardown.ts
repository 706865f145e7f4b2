/**
 * Removing one color's cluster in the only safe order: deregister it from Argo CD (so nothing deploys onto a
 * cluster that is going), destroy the stack (Pulumi deletes in-cluster resources, the TargetGroupBindings
 * among them, while the cluster still exists), then remove the stack. Callers decide that it is safe: the
 * color carries no traffic and no cron jobs, and the region's record says the teardown has begun.
 */
import { Color, clusterStack } from "../../components/naming";
import { DriverPorts } from "../core/context";
import { observeEnv } from "../core/fleet";
import { RegionContext, readRegion, writeCluster } from "./regionState";

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
    const cluster = (await readRegion(ctx)).view.clusters[color];
    if (!cluster) return;
    ctx.status(`tearing down ${color}`);
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
