/**
 * `mitene upgrade`: every region of an env, blue/green. New clusters come up in all regions at once; traffic
 * moves wave by wave (rollout.ts: the canary first, alone; each wave after the one before has baked at 100%,
 * waves.ts); each region's cron cut-over, hold and teardown overlap the later waves' steps.
 */
import { DriverPorts, Invocation } from "../core/context";
import { LeaseHeldError, LeaseLostError, PendingOperationsError } from "../core/errors";
import { observeEnv, pendingStacks } from "../core/fleet";
import { LeaseHolder, StackEngine } from "../core/ports";
import { PreflightFinding, blockingFindings } from "../preflight/finding";
import { RunLog } from "../record/runLog";
import { checkState } from "./consistency";
import { remainingMinutes, upgradeTimes } from "./criticalPath";
import { RegionPlan, RegionUpgrade } from "./region";
import { RolloutPlan, describePlan } from "./rollout";
import { UpgradeOptions, UpgradeResult, runOutcome } from "./types";
import { WaveCoordinator, WaveReport } from "./waves";
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
export async function withLease<T>(ports: DriverPorts, invocation: Invocation, env: string, breakLease: boolean, work: (ports: DriverPorts) => Promise<T>, scope: Pick<LeaseHolder, "regions" | "to"> = {}): Promise<T> {
    const holder: LeaseHolder = { runId: invocation.runId, command: invocation.command, host: invocation.host, pid: invocation.pid, startedAt: new Date().toISOString(), ...scope };
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
    flags: { recover: boolean; breakLease: boolean; what: string; scope?: Pick<LeaseHolder, "regions" | "to"> },
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
    }, flags.scope);
}

/** The plan's waves for the regions of this run; a region the plan does not place goes last, alone. */
export function wavesFor(plan: RolloutPlan, regions: string[]): string[][] {
    const waves = plan.waves.map((wave) => wave.filter((r) => regions.includes(r))).filter((wave) => wave.length > 0);
    return [...waves, ...regions.filter((r) => !waves.flat().includes(r)).map((r) => [r])];
}

/** Runs the upgrade; the caller has validated the options and checked pending operations. */
export async function runUpgrade(ports: DriverPorts, invocation: Invocation, options: UpgradeOptions, regions: string[], log: RunLog): Promise<UpgradeResult> {
    // A switch that cannot be read is refused before anything moves (exit 2, naming where it is).
    await ports.control.halt(options.env);
    const plan: RolloutPlan = { ...options.rollout, waves: wavesFor(options.rollout, regions) };
    const runOptions: UpgradeOptions = { ...options, rollout: plan };
    const ordered = plan.waves.flat();
    await log.event(null, `upgrade ${options.env} to Kubernetes ${options.to}: ${ordered.join(", ")}`, { phase: "start", detail: { command: "upgrade", to: options.to, regions: ordered, options: { ...runOptions }, engine: ports.kind } });
    await log.event(null, `rollout plan: ${describePlan(plan)}`, { phase: "wave", detail: { kind: "plan", waves: plan.waves, waveBakeMinutes: plan.waveBakeMs / 60_000, waveMinRequests: plan.waveMinRequests, onRegionRollback: plan.onRegionRollback } });
    const waves = new WaveCoordinator(ports.clock, ports.control, options.env, plan, log);
    const upgrades = plan.waves.flatMap((wave, i) => wave.map((region) => new RegionUpgrade(ports, invocation, log, runOptions, region, i, waves)));
    const plans = new Map<RegionUpgrade, RegionPlan>();
    for (const upgrade of upgrades) plans.set(upgrade, await upgrade.plan());
    // What status shows as each region's wave: the plan of the last run that moved traffic, not of one that changed nothing.
    if ([...plans.values()].includes("traffic")) await ports.control.setRollout(options.env, { runId: invocation.runId, to: options.to, at: new Date(ports.clock.now()).toISOString(), waves: plan.waves });
    const times = upgradeTimes(ports.durations, { ...options, waveBakeMs: plan.waveBakeMs });
    log.remainingMinutes = () =>
        remainingMinutes(
            upgrades.map((u) => ({ stage: u.stage, wave: u.wave, stepsLeft: u.stepsLeft, phaseMinutes: (ports.clock.now() - u.phaseStartedAt) / 60_000, shifts: plans.get(u) === "traffic" })),
            times,
            options.destroy,
        );

    const finish = (upgrade: RegionUpgrade) =>
        upgrade.guard(async () => {
            await upgrade.cutOver();
            await upgrade.retireOld();
            await upgrade.complete();
        });

    /** A region's own rollback or failure while moving traffic is its wave's news; a stop the run directed is not. */
    const news = (upgrade: RegionUpgrade) => {
        const outcome = upgrade.result.result;
        if ((outcome === "rolled_back" || outcome === "failed") && !upgrade.directed) waves.regionFailed(upgrade.wave, upgrade.region, outcome, upgrade.result.reason ?? "");
    };

    await ports.clock.parallel(
        upgrades.map((upgrade) => async () => {
            const regionPlan = plans.get(upgrade);
            if (regionPlan !== "traffic") {
                // Refused before moving anything (another upgrade under way, a state to fix): no later wave may pass it by.
                const outcome = upgrade.result.result;
                const refused = outcome === "failed" || outcome === "rolled_back";
                await waves.report(upgrade.wave, upgrade.region, refused ? { kind: "held", reason: `${upgrade.region} ${resultName(outcome)}: ${upgrade.result.reason}` } : { kind: "earlier" });
                if (regionPlan === "tail") await finish(upgrade);
                return;
            }
            let shifted = false;
            let report: WaveReport = { kind: "ended" };
            try {
                const ready = await upgrade.guard(() => upgrade.bringUp());
                if (ready && upgrade.wave > 0) await upgrade.queued(plan.waves[upgrade.wave - 1]);
                const stop = await waves.waitFor(upgrade.wave);
                if (!ready) {
                    // A region that never came up is its wave's news like a rollback; the canary's stops every later wave.
                    news(upgrade);
                } else if (stop) {
                    await upgrade.skip(stop);
                } else {
                    shifted = await upgrade.guard(() => upgrade.shiftTraffic());
                    if (!shifted) {
                        if (upgrade.result.result === "paused") report = { kind: "paused" };
                        news(upgrade);
                    } else if (waves.hasNextWave(upgrade.wave)) {
                        let baked: WaveReport = { kind: "ended" };
                        shifted = await upgrade.guard(async () => void (baked = await upgrade.waveBake()));
                        report = baked;
                        if (!shifted) news(upgrade);
                    } else {
                        report = { kind: "ready", minutes: 0, requests: 0 };
                    }
                }
            } finally {
                await waves.report(upgrade.wave, upgrade.region, report);
            }
            if (shifted) await finish(upgrade);
        }),
    );

    const result: UpgradeResult = {
        env: options.env,
        to: options.to,
        result: runOutcome(upgrades.map((u) => u.result), waves.switchStopped),
        regions: upgrades.map((u) => u.result),
        durationMinutes: log.elapsedMinutes(),
        engine: ports.kind,
        timeline: log.timeline,
        journal: ports.journal.locate(options.env),
    };
    await log.event(null, endLine("upgrade", result.result, result.durationMinutes), { phase: "end", detail: { result: { ...result, timeline: [...result.timeline] } }, result: result.result });
    return result;
}
