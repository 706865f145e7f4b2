/**
 * `mitene rollback`: all of a region's traffic back on the color that served before the upgrade, at once.
 * It takes no lease, so it works while an upgrade runs; the upgrade sees the record and stops the region.
 */
import { clusterStack, otherColor, regionStack } from "../../components/naming";
import { compareMinor } from "../../components/kubernetesVersions";
import { ALL_ON, Weights, formatWeights } from "../../components/weights";
import { DriverPorts, Invocation } from "../context";
import { BadInputError, PendingOperationsError } from "../errors";
import { cronOwner, observeRegion } from "../fleet";
import { ruleRefs } from "../upgrade/region";

export interface RollbackResult {
    env: string;
    region: string;
    result: "rolled_back" | "nothing_to_do";
    /** The color now carrying all traffic. */
    color: string;
    weights: Weights;
    reason: string | null;
    /** Minutes until all traffic was back (virtual on sim). */
    durationMinutes: number;
}

export async function rollback(ports: DriverPorts, invocation: Invocation, env: string, region: string, options: { fast: boolean; recover: boolean }): Promise<RollbackResult> {
    const started = ports.clock.now();
    let view = await observeRegion(ports.engine, env, region);
    // Only the region stack is updated: pending operations elsewhere must not hold traffic hostage.
    if (view.pending) {
        if (!options.recover) throw new PendingOperationsError([view.stack]);
        await ports.engine.resolvePendingOperations(view.stack);
        view = await observeRegion(ports.engine, env, region);
    }
    const owner = cronOwner(view);
    if (!view.outputs || !owner) throw new BadInputError(`region ${region} of ${env} is not deployed`);
    const newColor = view.outputs.upgrade?.newColor ?? otherColor(owner);
    const weights = ALL_ON(owner);
    const done = (result: RollbackResult["result"], reason: string | null): RollbackResult => ({
        env, region, result, color: owner, weights, reason, durationMinutes: Math.round(((ports.clock.now() - started) / 60_000) * 10) / 10,
    });
    const live = Object.values(await ports.loadBalancer.read(region, ruleRefs(view.outputs)))[0];
    // An upgrade is under way while traffic moves, or while a newer cluster than the owner is being brought
    // up; an older one beside the owner is the previous color waiting for its teardown.
    const candidate = view.clusters[newColor];
    const inProgress =
        view.outputs.upgrade?.state === "shifting" ||
        (view.outputs.upgrade === null && candidate !== undefined && compareMinor(candidate.version, view.clusters[owner]!.version) > 0);
    if (live[owner] === 100 && !inProgress) return done("nothing_to_do", `${owner} already serves all traffic in ${region} and no upgrade is in progress`);

    const reason = `rolled back by an operator (mitene rollback, run ${invocation.runId} on ${invocation.host}) at ${new Date().toISOString()}`;
    if (options.fast) await ports.loadBalancer.write(region, ruleRefs(view.outputs), weights);
    // A concurrent upgrade may hold the region stack for one operation: the engine waits for it.
    await ports.engine.up(regionStack(env, region), { set: { "mitene:weights": weights, "mitene:upgrade": { newColor, state: "rolled_back", reason } } }, { signal: invocation.signal });
    await ports.close?.();
    await ports.journal.append({ at: new Date().toISOString(), runId: invocation.runId, env, region, event: `rollback: ${formatWeights(weights)}; ${clusterStack(env, region, newColor)} kept for inspection`, result: "rolled_back" });
    return done("rolled_back", reason);
}
