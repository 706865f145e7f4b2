/**
 * `mitene upgrade`: every region of an env, blue/green. New clusters come up in all regions at once; traffic
 * moves one region at a time, the first being the canary (or, with --parallel-regions, the canary and then
 * all the others together); each region's cron cut-over, hold and teardown overlap the next region's steps.
 */
import { DriverPorts, Invocation } from "../core/context";
import { LeaseHeldError, LeaseLostError, PendingOperationsError } from "../core/errors";
import { observeEnv, pendingStacks } from "../core/fleet";
import { Latch, LeaseHolder, StackEngine } from "../core/ports";
import { PreflightFinding, blockingFindings } from "../preflight/checks";
import { RunLog } from "../record/runLog";
import { checkState } from "./consistency";
import { remainingMinutes, upgradeTimes } from "./criticalPath";
import { RegionPlan, RegionUpgrade } from "./region";
import { UpgradeOptions, UpgradeResult, runOutcome } from "./types";
import { count, endLine, resultName } from "../core/wording";

const RENEW_MS = 60_000;

/** An engine whose every change first checks that this run still holds the env's lease (fencing). */
function fenced(engine: StackEngine, check: () => Promise<void>): StackEngine {
    const before =
        <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
            await check();
            return operation(...args);
        };
    return {
        listStacks: () => engine.listStacks(),
        getStack: (name) => engine.getStack(name),
        createStack: before((name, config, opts) => engine.createStack(name, config, opts)),
        up: before((name, changes, opts) => engine.up(name, changes, opts)),
        destroy: before((name, opts) => engine.destroy(name, opts)),
        removeStack: before((name, opts) => engine.removeStack(name, opts)),
        resolvePendingOperations: before((name) => engine.resolvePendingOperations(name)),
        locationOf: engine.locationOf?.bind(engine),
        presumeDead: engine.presumeDead?.bind(engine),
    };
}

/**
 * Takes the env's lease for the duration of `work`, renewing it on a real clock. Every change `work` makes
 * first checks the lease is still this run's: a run that lost it (expired and taken over, or broken by
 * --break-lease) stops before its next change instead of racing the new holder.
 */
export async function withLease<T>(ports: DriverPorts, invocation: Invocation, env: string, breakLease: boolean, work: (ports: DriverPorts) => Promise<T>, regions?: string[]): Promise<T> {
    const holder: LeaseHolder = { runId: invocation.runId, command: invocation.command, host: invocation.host, pid: invocation.pid, startedAt: new Date().toISOString(), ...(regions ? { regions } : {}) };
    const acquired = await ports.lease.acquire(env, holder, { breakLease });
    if (!acquired.acquired) {
        const h = acquired.heldBy;
        throw new LeaseHeldError(`env ${env} is locked by another run: "${h.command}" (run ${h.runId}, pid ${h.pid} on ${h.host}, since ${h.startedAt}); nothing was changed. If that run is gone, rerun with --break-lease`);
    }
    if (acquired.tookOverFrom) {
        const h = acquired.tookOverFrom;
        invocation.warn(
            breakLease
                ? `warning: broke the lease of env ${env} held by run ${h.runId}, pid ${h.pid} on ${h.host} (--break-lease)`
                : `warning: took over the lease of env ${env} from run ${h.runId}, pid ${h.pid} on ${h.host}, which is no longer running`,
        );
        if (breakLease) ports.engine.presumeDead?.({ pid: h.pid, host: h.host });
    }
    let lost: string | null = null;
    const renewal = ports.clock.virtual
        ? undefined
        : setInterval(() => {
              ports.lease.renew(env, holder).catch((e: Error) => {
                  lost = e.message;
                  invocation.warn(`warning: lease renewal failed: ${e.message}; stopping before the next change`);
              });
          }, RENEW_MS);
    renewal?.unref();
    const fence = async () => {
        if (lost) throw new LeaseLostError(`this run lost the lease of env ${env} (${lost}): it stopped before changing anything more`);
        const current = await ports.lease.current(env);
        if (current?.holder.runId !== holder.runId) {
            lost = current ? `now held by run ${current.holder.runId}, pid ${current.holder.pid} on ${current.holder.host}` : "released";
            throw new LeaseLostError(`this run lost the lease of env ${env} (${lost}): it stopped before changing anything more`);
        }
    };
    try {
        return await work({ ...ports, engine: fenced(ports.engine, fence) });
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
        await log?.event(null, `recovered pending operations of ${stack}`, { phase: "preflight" });
    }
}

/**
 * The frame of a command that changes stacks: exit 4 on pending operations before taking the lease; under
 * it, recovery (`recover`), a state that adds up, preflight (warnings to stderr, a block journaled), then
 * `work`, which is told the blocking findings and answers for them.
 */
export async function preflightedRun<T>(
    ports: DriverPorts,
    invocation: Invocation,
    env: string,
    flags: { recover: boolean; breakLease: boolean; what: string; regions?: string[] },
    preflight: (ports: DriverPorts) => Promise<PreflightFinding[]>,
    work: (ports: DriverPorts, log: RunLog, findings: PreflightFinding[], blocking: PreflightFinding[]) => Promise<T>,
): Promise<T> {
    await handlePendingOperations(ports, env, false).catch((error) => {
        if (!(error instanceof PendingOperationsError && flags.recover)) throw error;
    });
    return withLease(ports, invocation, env, flags.breakLease, async (leased) => {
        const log = new RunLog(leased.clock, leased.journal, invocation.runId, env, invocation.view);
        await handlePendingOperations(leased, env, flags.recover, log);
        await checkState(leased, env);
        const findings = await preflight(leased);
        for (const finding of findings.filter((f) => f.severity === "warning")) invocation.warn(`preflight warning [${finding.id}] ${finding.message}`);
        const blocking = blockingFindings(findings);
        if (blocking.length > 0) await log.event(null, `preflight blocked the ${flags.what}: ${count(blocking.length, "blocking finding")}`, { phase: "preflight", detail: { findings }, result: "failed" });
        return work(leased, log, findings, blocking);
    }, flags.regions);
}

/** Runs the upgrade; the caller has validated the options and checked pending operations. */
export async function runUpgrade(ports: DriverPorts, invocation: Invocation, options: UpgradeOptions, regions: string[], log: RunLog): Promise<UpgradeResult> {
    await log.event(null, `upgrade ${options.env} to Kubernetes ${options.to}: ${regions.join(", ")}`, { phase: "start", detail: { command: "upgrade", to: options.to, regions, options: { ...options }, engine: ports.kind } });
    const upgrades = regions.map((region) => new RegionUpgrade(ports, invocation, log, options, region));
    const plans = new Map<RegionUpgrade, RegionPlan>();
    for (const upgrade of upgrades) plans.set(upgrade, await upgrade.plan());
    const shifting = upgrades.filter((u) => plans.get(u) === "traffic");
    const times = upgradeTimes(ports.durations, options);
    log.remainingMinutes = () =>
        remainingMinutes(
            upgrades.map((u) => ({ stage: u.stage, stepsLeft: u.stepsLeft, phaseMinutes: (ports.clock.now() - u.phaseStartedAt) / 60_000, shifts: plans.get(u) === "traffic" })),
            times,
            options.parallelRegions,
            options.destroy,
        );

    // Turn i opens when region i may move traffic; with --parallel-regions all non-canaries share one turn.
    const turns: Latch[] = shifting.map(() => ports.clock.latch());
    turns[0]?.open();
    const turnOf = (i: number) => (options.parallelRegions && i > 0 ? turns[1] : turns[i]);
    const passTurn = (i: number) => {
        if (!options.parallelRegions || i === 0) turns[i + 1]?.open();
    };
    let stopReason: string | null = null;

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
            let shifted = false;
            try {
                const ready = await upgrade.guard(() => upgrade.bringUp());
                if (ready) upgrade.queued(i === 0 ? null : shifting[options.parallelRegions ? 0 : i - 1].region);
                await turnOf(i).wait();
                if (!ready) {
                    if (i === 0) stopReason = `the canary ${upgrade.region} ${resultName(upgrade.result.result)}: ${upgrade.result.reason}`;
                } else if (stopReason) {
                    await upgrade.skip(stopReason);
                } else {
                    shifted = await upgrade.guard(() => upgrade.shiftTraffic());
                    // A pause is not a failure: the next region still gets its turn, up to the same step.
                    if (!shifted && upgrade.result.result !== "paused") stopReason = `${i === 0 ? "the canary " : ""}${upgrade.region} ${resultName(upgrade.result.result)}: ${upgrade.result.reason}`;
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
        journal: ports.journal.locate(options.env),
    };
    await log.event(null, endLine("upgrade", result.result, result.durationMinutes), { phase: "end", detail: { result: { ...result, timeline: [...result.timeline] } }, result: result.result });
    return result;
}
