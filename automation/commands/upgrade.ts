/**
 * `mitene upgrade` and `mitene rehearse` (the same upgrade on a rehearsal engine, defaults filled in).
 */
import { compareMinor, nextMinor } from "../../components/kubernetesVersions";
import { opsStack } from "../../components/naming";
import { ON_REGION_ROLLBACK } from "../../stacks/config/schema";
import { Invocation } from "../core/context";
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError, CommandFailedError } from "../core/errors";
import { EnvFacts, factsFromCommitted, selectRegions } from "../engines/facts";
import { observeEnv } from "../core/fleet";
import { parseDuration, parsePositive, parseSteps, parseVersion } from "../core/options";
import { preflightedRun, runUpgrade } from "../upgrade/run";
import { OnRegionRollback, RolloutOverrides, planRollout, rolloutConfig } from "../upgrade/rollout";
import { UPGRADE_DEFAULTS, UpgradeOptions, UpgradeResult } from "../upgrade/types";
import { preflightBlueGreen } from "../preflight/checks";
import { PreflightFinding } from "../preflight/finding";
import { RunLog } from "../record/runLog";
import { orderOverride } from "./orderOverride";
import { durationLine, resultHeadline, resultName } from "../core/wording";
import { journalCycle } from "../plan/journal";
import { EnvSnapshot } from "../plan/snapshot";

/** An order check skipped on purpose is in the journal, with the reason and what it would have blocked. */
export async function journalOverride(log: RunLog, reason: string | undefined, findings: PreflightFinding[]): Promise<void> {
    const overridden = findings.filter((f) => (f.id === "ops-order" || f.id === "env-order") && f.message.includes("[order check skipped:"));
    if (reason === undefined || overridden.length === 0) return;
    await log.event(null, `order check skipped on purpose: ${reason}`, { phase: "preflight", detail: { skipOrderCheck: reason, overridden } });
}

export interface UpgradeFlags extends EngineOptions {
    env: string;
    to?: string;
    region: string[];
    steps?: string;
    bake?: string;
    hold?: string;
    analysisInterval?: string;
    stopAt?: string;
    parallelRegions?: boolean;
    canary: string[];
    maxParallel?: string;
    waveBake?: string;
    waveMinRequests?: string;
    onRegionRollback?: string;
    destroy: boolean;
    recover?: boolean;
    breakLease?: boolean;
    retry?: boolean;
    fastRollback?: boolean;
    argoTimeout?: string;
    jobsTimeout?: string;
    /** Go against the version cycle's order on purpose, for this reason (journaled). */
    skipOrderCheck?: string;
    /** On sim and local, block on the cycle's order as the pulumi engine does. */
    enforceOrder?: boolean;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** What each duration may be: long enough to mean something, short enough to be a decision, not a typo. */
export const DURATION_LIMITS = {
    bake: { min: 10 * SECOND, max: 24 * HOUR },
    hold: { min: 0, max: 48 * HOUR },
    analysisInterval: { min: 10 * SECOND, max: HOUR },
    argoTimeout: { min: MINUTE, max: 24 * HOUR },
    jobsTimeout: { min: MINUTE, max: 24 * HOUR },
    waveBake: { min: 0, max: 24 * HOUR },
} as const;

export type UpgradeOutcome = UpgradeResult & { preflight?: PreflightFinding[] };

/** What the command line says about the rollout plan; the env's config fills in the rest (upgrade/rollout.ts). */
export function rolloutOverrides(flags: UpgradeFlags): RolloutOverrides {
    let onRegionRollback: OnRegionRollback | undefined;
    if (flags.onRegionRollback !== undefined) {
        const known: readonly string[] = ON_REGION_ROLLBACK;
        if (!known.includes(flags.onRegionRollback)) throw new BadInputError(`--on-region-rollback "${flags.onRegionRollback}" must be one of ${ON_REGION_ROLLBACK.join(", ")}`);
        onRegionRollback = flags.onRegionRollback as OnRegionRollback;
    }
    if (flags.waveMinRequests !== undefined && !/^\d{1,9}$/.test(flags.waveMinRequests)) throw new BadInputError(`--wave-min-requests "${flags.waveMinRequests}" is not a whole number of requests`);
    return {
        canary: flags.canary,
        maxParallel: flags.maxParallel === undefined ? undefined : parsePositive("--max-parallel", flags.maxParallel),
        parallelRegions: flags.parallelRegions ?? false,
        waveBakeMs: flags.waveBake === undefined ? undefined : parseDuration("--wave-bake", flags.waveBake, DURATION_LIMITS.waveBake),
        waveMinRequests: flags.waveMinRequests === undefined ? undefined : Number(flags.waveMinRequests),
        onRegionRollback,
    };
}

/** Options from flags, all but the rollout plan (it needs the env); throws BadInputError naming the first offending value. */
export function upgradeOptions(flags: UpgradeFlags, to: string): Omit<UpgradeOptions, "rollout"> {
    const duration = (flag: string, value: string | undefined, fallback: number, limits: { min: number; max: number }) => (value === undefined ? fallback : parseDuration(flag, value, limits));
    const steps = flags.steps !== undefined ? parseSteps(flags.steps) : [...UPGRADE_DEFAULTS.steps];
    let stopAt: number | null = null;
    if (flags.stopAt !== undefined) {
        stopAt = /^\d{1,3}$/.test(flags.stopAt) ? Number(flags.stopAt) : NaN;
        if (!steps.includes(stopAt)) throw new BadInputError(`--stop-at "${flags.stopAt}" is not one of the steps ${steps.join(",")}`);
    }
    return {
        env: flags.env,
        to,
        regions: flags.region.length ? flags.region : null,
        steps,
        bakeMs: duration("--bake", flags.bake, UPGRADE_DEFAULTS.bakeMs, DURATION_LIMITS.bake),
        analysisIntervalMs: duration("--analysis-interval", flags.analysisInterval, UPGRADE_DEFAULTS.analysisIntervalMs, DURATION_LIMITS.analysisInterval),
        stopAt,
        holdMs: duration("--hold", flags.hold, UPGRADE_DEFAULTS.holdMs, DURATION_LIMITS.hold),
        destroy: flags.destroy,
        recover: flags.recover ?? false,
        breakLease: flags.breakLease ?? false,
        retry: flags.retry ?? false,
        fastRollback: flags.fastRollback ?? false,
        argoTimeoutMs: duration("--argo-timeout", flags.argoTimeout, UPGRADE_DEFAULTS.argoTimeoutMs, DURATION_LIMITS.argoTimeout),
        jobsTimeoutMs: duration("--jobs-timeout", flags.jobsTimeout, UPGRADE_DEFAULTS.jobsTimeoutMs, DURATION_LIMITS.jobsTimeout),
        pollMs: UPGRADE_DEFAULTS.pollMs,
    };
}

/** A blue/green target below a serving version is a downgrade: refused before anything happens. */
export function checkNotDowngrade(facts: EnvFacts, regions: string[], to: string): void {
    for (const region of regions) {
        const serving = facts.servingVersions[region];
        if (serving && compareMinor(to, serving) < 0) {
            throw new BadInputError(`--to ${to} is lower than Kubernetes ${serving} running in ${region}: downgrades are not supported`);
        }
    }
}

/** `rehearse` defaults: one minor above what the committed stack files serve (stable across reruns). */
export function defaultRehearsalTarget(env: string, stacksDir?: string): string {
    const versions = Object.values(factsFromCommitted(env, stacksDir).servingVersions);
    if (versions.length === 0) throw new BadInputError(`unknown env "${env}": no committed service clusters`);
    return nextMinor(versions.sort(compareMinor)[0]);
}

/**
 * Every option of an upgrade checked against the env's facts, before anything is written: what it will do
 * (the options with their rollout plan, the regions wave by wave), or bad input naming the value.
 */
export function checkUpgrade(flags: UpgradeFlags, to: string): (facts: EnvFacts) => { options: UpgradeOptions; regions: string[] } {
    const base = upgradeOptions(flags, to);
    const overrides = rolloutOverrides(flags);
    orderOverride(flags);
    return (facts) => {
        const selected = selectRegions(facts, flags.region);
        checkNotDowngrade(facts, selected, to);
        const plan = planRollout(selected, facts.regions, rolloutConfig(facts.rollout, opsStack(flags.env)), overrides, opsStack(flags.env));
        return { options: { ...base, rollout: plan }, regions: plan.waves.flat() };
    };
}

export async function upgradeCommand(flags: UpgradeFlags, io: EngineIo, invocation: Invocation): Promise<UpgradeOutcome> {
    if (flags.to === undefined) throw new BadInputError("--to is required (the target Kubernetes version, e.g. 1.35)");
    const to = parseVersion("--to", flags.to, io.warn);
    const check = checkUpgrade(flags, to);
    const skipOrderCheck = orderOverride(flags);
    let regions: string[] = [];
    let options!: UpgradeOptions;
    const ports = await openEngine(flags, flags.env, io, { validate: (facts) => ({ options, regions } = check(facts)) });
    if (!options.retry) {
        // A rolled-back region stays as it is until someone decides: retry it, or leave it out.
        const view = await observeEnv(ports.engine, flags.env);
        const rolled = view.regions.filter((r) => regions.includes(r.region) && r.outputs?.upgrade?.state === "rolled_back");
        if (rolled.length > 0) {
            const others = regions.filter((r) => !rolled.some((x) => x.region === r));
            throw new CommandFailedError(
                `${rolled.map((r) => `${r.region} was rolled back (${r.outputs!.upgrade!.reason ?? "no reason recorded"})`).join("; ")}: nothing was changed. ` +
                    `Either try it again with --retry, or ${others.length ? `upgrade the others only: ${others.map((r) => `--region ${r}`).join(" ")}` : "discard the kept cluster with mitene discard"}`,
            );
        }
    }
    let seen: EnvSnapshot | null = null;
    return preflightedRun(
        ports,
        invocation,
        flags.env,
        { recover: options.recover, breakLease: options.breakLease, what: "upgrade", scope: { regions, to } },
        (leased) => preflightBlueGreen(leased, flags.env, to, regions, { runId: invocation.runId, skipOrderCheck, onSnapshot: (s) => (seen = s) }),
        async (leased, log, findings, blocking): Promise<UpgradeOutcome> => {
            await journalOverride(log, skipOrderCheck, findings);
            await journalCycle(leased, log, seen, to);
            if (blocking.length === 0) return { ...(await runUpgrade(leased, invocation, options, regions, log)), preflight: findings };
            return {
                env: flags.env,
                to,
                result: "failed",
                regions: regions.map((region) => {
                    const own = blocking.filter((f) => f.region === region || f.region === undefined);
                    const wave = options.rollout.waves.findIndex((w) => w.includes(region));
                    return { region, wave, from: null, to: null, result: own.length ? "failed" : "skipped", reason: `preflight: ${(own.length ? own : blocking).map((f) => f.message).join("; ")}`, steps: [] };
                }),
                durationMinutes: 0,
                engine: leased.kind,
                timeline: log.timeline,
                journal: leased.journal.locate(flags.env),
                preflight: findings,
            };
        },
    );
}

/** The summary printed after the progress: the run's result, each region's, and where the journal is. */
export function formatUpgrade(result: UpgradeOutcome): string {
    const lines = [`upgrade of ${result.env} to Kubernetes ${result.to}: ${resultHeadline(result.result)}`];
    const blocking = result.preflight?.filter((f) => f.severity === "blocking") ?? [];
    if (blocking.length > 0) {
        lines.push("  preflight found:");
        for (const finding of blocking) lines.push(`    blocking [${finding.id}]${finding.region ? ` ${finding.region}:` : ""} ${finding.message.replace(`${finding.region}: `, "")}`);
        lines.push("  nothing was changed");
        return [...lines, durationLine(result.engine, result.durationMinutes, result.journal, false)].join("\n");
    }
    if (result.result === "partial") lines.push(`  regions ended differently: ${result.regions.map((r) => `${r.region} ${resultName(r.result)}`).join(", ")}`);
    lines.push(`  ${"wave".padEnd(5)} ${"region".padEnd(16)} ${"from".padEnd(6)} ${"to".padEnd(6)} ${"result".padEnd(13)} steps`);
    for (const r of result.regions) {
        const steps = r.steps.map((s) => `${s.weight}%:${s.gate}`).join(" ");
        lines.push(`  ${String(r.wave).padEnd(5)} ${r.region.padEnd(16)} ${(r.from ?? "-").padEnd(6)} ${(r.to ?? "-").padEnd(6)} ${resultName(r.result).padEnd(13)} ${steps}`);
        if (r.reason) lines.push(`      ${r.reason}`);
    }
    lines.push(durationLine(result.engine, result.durationMinutes, result.journal, result.result !== "nothing_to_do" || result.durationMinutes > 0));
    return lines.join("\n");
}
