/**
 * Pending operations of one region's stacks (region and both colors), for commands that touch only that
 * region (rollback, discard): exit 4 unless --recover, which resolves them first.
 */
import { DriverPorts } from "../core/context";
import { PendingOperationsError } from "../core/errors";
import { observeRegion } from "../core/fleet";

export async function handleRegionPendingOperations(ports: DriverPorts, env: string, region: string, recover: boolean): Promise<void> {
    const view = await observeRegion(ports.engine, env, region);
    const pending = [view.pending ? view.stack : null, ...Object.values(view.clusters).map((c) => (c?.pending ? c.stack : null))].filter((s): s is string => s !== null);
    if (pending.length === 0) return;
    if (!recover) throw new PendingOperationsError(pending);
    for (const stack of pending) await ports.engine.resolvePendingOperations(stack);
}
