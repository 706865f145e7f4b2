/**
 * `mitene upgrade`: every region of an env, blue/green. New clusters come up in all regions at once; traffic
 * moves one region at a time, the first being the canary (or, with --parallel-regions, the canary and then
 * all the others together); each region's cron cut-over, hold and teardown overlap the next region's steps.
 */
import { DriverPorts, Invocation } from "../context";
import { PendingOperationsError, LeaseHeldError } from "../errors";
import { observeEnv, pendingStacks } from "../fleet";
import { LeaseHolder, Latch } from "../ports";
import { PreflightFinding, blockingFindings } from "../preflight/checks";
import { RunLog } from "../runLog";
import { upgradeLowerBound, upgradeTimes } from "./criticalPath";
import { RegionPlan, RegionUpgrade } from "./region";
import { UpgradeOptions, UpgradeResult, runOutcome } from "./types";

/** Takes the env's lease for the duration of `work`, renewing it on a real clock. */
export async function withLease<T>(ports: DriverPorts, invocation: Invocation, env: string, breakLease: boolean, work: () => Promise<T>): Promise<T> {
    const holder: LeaseHolder = { runId: invocation.runId, command: invocation.command, host: invocation.host, pid: invocation.pid, startedAt: new Date().toISOString() };
    const acquired = await ports.lease.acquire(env, holder, { breakLease });
    if (!acquired.acquired) {
        const h = acquired.heldBy;
        throw new LeaseHeldError(`env ${env} is locked by another run: "${h.command}" (run ${h.runId}, pid ${h.pid} on ${h.host}, since ${h.startedAt}); nothing was changed. If that run is gone, rerun with --break-lease`);
    }
    if (acquired.tookOverFrom) {
        const h = acquired.tookOverFrom;
        invocation.warn(
            breakLease
                ? `warning: broke the lease of env ${env} held by run ${h.runId} (pid ${h.pid} on ${h.host}) (--break-lease)`
                : `warning: took over the lease of env ${env} from run ${h.runId} (pid ${h.pid} on ${h.host}), which is no longer running`,
        );
    }
    const renewal = ports.clock.virtual ? undefined : setInterval(() => void ports.lease.renew(env, holder).catch((e: Error) => invocation.warn(`warning: lease renewal failed: ${e.message}`)), 60_000);
    renewal?.unref();
    try {
        return await work();
    } finally {
        if (renewal) clearInterval(renewal);
        await ports.close?.();
        await ports.lease.release(env, holder);
    }
}

/** Stops with exit 4 when a stack has pending operations, unless `recover`, which resolves them. */
export async function handlePendingOperations(ports: DriverPorts, env: string, recover: boolean, log?: RunLog): Promise<void> {
    const pending = pendingStacks(await observeEnv(ports.engine, env));
    if (pending.length === 0) return;
    if (!recover) throw new PendingOperationsError(pending);
    for (const stack of pending) {
        await ports.engine.resolvePendingOperations(stack);
        await log?.event(null, `recovered pending operations of ${stack}`);
    }
}

/**
 * The frame of a command that changes stacks: exit 4 on pending operations before taking the lease; under
 * it, recovery (`recover`), preflight (warnings to stderr, a block journaled), then `work`, which is told
 * the blocking findings and answers for them.
 */
export async function preflightedRun<T>(
    ports: DriverPorts,
    invocation: Invocation,
    env: string,
    flags: { recover: boolean; breakLease: boolean; what: string },
    preflight: () => Promise<PreflightFinding[]>,
    work: (log: RunLog, findings: PreflightFinding[], blocking: PreflightFinding[]) => Promise<T>,
): Promise<T> {
    await handlePendingOperations(ports, env, false).catch((error) => {
        if (!(error instanceof PendingOperationsError && flags.recover)) throw error;
    });
    return withLease(ports, invocation, env, flags.breakLease, async () => {
        const log = new RunLog(ports.clock, ports.journal, invocation.runId, env, invocation.progress);
        await handlePendingOperations(ports, env, flags.recover, log);
        const findings = await preflight();
        for (const finding of findings.filter((f) => f.severity === "warning")) invocation.warn(`preflight warning [${finding.id}] ${finding.message}`);
        const blocking = blockingFindings(findings);
        if (blocking.length > 0) await log.event(null, `preflight blocked the ${flags.what}: ${blocking.map((f) => f.message).join("; ")}`, { findings }, "failed");
        return work(log, findings, blocking);
    });
}

/** Runs the upgrade; the caller has validated the options and checked pending operations. */
export async function runUpgrade(ports: DriverPorts, invocation: Invocation, options: UpgradeOptions, regions: string[], log: RunLog): Promise<UpgradeResult> {
    await log.event(null, `upgrade ${options.env} to Kubernetes ${options.to}: ${regions.join(", ")}`, { options: { ...options } });
    const upgrades = regions.map((region) => new RegionUpgrade(ports, invocation, log, options, region));
    const plans = new Map<RegionUpgrade, RegionPlan>();
    for (const upgrade of upgrades) plans.set(upgrade, await upgrade.plan());
    const shifting = upgrades.filter((u) => plans.get(u) === "traffic");
    const expected = upgradeLowerBound(shifting.length, upgradeTimes(ports.durations, options), options.parallelRegions, options.destroy);
    log.remainingMinutes = () => (shifting.length > 0 ? Math.max(0, expected - log.elapsedMinutes()) : null);

    // Turn i opens when region i may move traffic; with --parallel-regions all non-canaries share one turn.
    const turns: Latch[] = shifting.map(() => ports.clock.latch());
    turns[0]?.open();
    const turnOf = (i: number) => (options.parallelRegions && i > 0 ? turns[1] : turns[i]);
    const passTurn = (i: number) => {
        if (!options.parallelRegions || i === 0) turns[i + 1]?.open();
    };
    // A region still rolled back from an earlier attempt is a failed canary for everyone after it.
    const rolledBack = upgrades.find((u) => u.result.result === "rolled_back");
    let stopReason: string | null = rolledBack ? `${rolledBack.region} is rolled back (${rolledBack.result.reason})` : null;

    const finish = (upgrade: RegionUpgrade) =>
        upgrade.guard(async () => {
            await upgrade.cutOver();
            await upgrade.retireOld();
            await upgrade.complete();
        });

    await ports.clock.parallel(
        upgrades.map((upgrade) => async () => {
            const plan = plans.get(upgrade);
            if (plan === "tail") await finish(upgrade);
            if (plan !== "traffic") return;
            const i = shifting.indexOf(upgrade);
            if (rolledBack) {
                upgrade.skip(stopReason!);
                await log.event(upgrade.region, `skipped: ${stopReason}`, undefined, "skipped");
                return;
            }
            let shifted = false;
            try {
                const ready = await upgrade.guard(() => upgrade.bringUp());
                await turnOf(i).wait();
                if (!ready) {
                    if (i === 0) stopReason = `the canary ${upgrade.region} failed: ${upgrade.result.reason}`;
                } else if (stopReason) {
                    upgrade.skip(stopReason);
                    await log.event(upgrade.region, `skipped: ${stopReason}`, undefined, "skipped");
                } else {
                    shifted = await upgrade.guard(() => upgrade.shiftTraffic());
                    if (!shifted) stopReason = `${i === 0 ? "the canary " : ""}${upgrade.region} ${upgrade.result.result.replace("_", " ")}: ${upgrade.result.reason}`;
                }
            } finally {
                passTurn(i);
            }
            if (shifted) await finish(upgrade);
        }),
    );

    const result: UpgradeResult = {
        env: options.env,
        to: options.to,
        result: runOutcome(upgrades.map((u) => u.result)),
        regions: upgrades.map((u) => u.result),
        durationMinutes: log.elapsedMinutes(),
        engine: ports.kind,
        timeline: log.timeline,
        journal: ports.journal.location,
    };
    await log.event(null, `upgrade ${result.result} after ${result.durationMinutes} minutes`, { regions: result.regions }, result.result);
    return result;
}
