/**
 * Removing one color's cluster in the only safe order: deregister it from Argo CD (so nothing deploys onto a
 * cluster that is going), destroy the stack (Pulumi deletes in-cluster resources, the TargetGroupBindings
 * among them, while the cluster still exists), then remove the stack. Callers decide that it is safe: the
 * color carries no traffic and no cron jobs, and the region's record says the teardown has begun.
 */
import { Color, clusterStack } from "../../components/naming";
import { RegionContext, readRegion, writeCluster } from "./regionState";

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
