/**
 * `mitene upgrade` and `mitene rehearse` (the same upgrade on the sim engine, defaults filled in).
 */
import { compareMinor, nextMinor } from "../../components/kubernetesVersions";
import { Invocation } from "../context";
import { EngineIo, EngineOptions, openEngine } from "../engines";
import { BadInputError } from "../errors";
import { EnvFacts, factsFromCommitted, selectRegions } from "../facts";
import { parseDuration, parseSteps, parseVersion } from "../options";
import { preflightedRun, runUpgrade } from "../upgrade/run";
import { UPGRADE_DEFAULTS, UpgradeOptions, UpgradeResult } from "../upgrade/types";
import { preflightBlueGreen, PreflightFinding } from "../preflight/checks";

export interface UpgradeFlags extends EngineOptions {
    env: string;
    to?: string;
    region: string[];
    steps?: string;
    bake?: string;
    hold?: string;
    parallelRegions?: boolean;
    destroy: boolean;
    recover?: boolean;
    breakLease?: boolean;
    retry?: boolean;
    fastRollback?: boolean;
    argoTimeout?: string;
    jobsTimeout?: string;
}

export type UpgradeOutcome = UpgradeResult & { preflight?: PreflightFinding[] };

/** Options from flags; throws BadInputError naming the first offending value. */
export function upgradeOptions(flags: UpgradeFlags, to: string): UpgradeOptions {
    return {
        env: flags.env,
        to,
        regions: flags.region.length ? flags.region : null,
        steps: flags.steps !== undefined ? parseSteps(flags.steps) : [...UPGRADE_DEFAULTS.steps],
        bakeMs: flags.bake !== undefined ? parseDuration("--bake", flags.bake) : UPGRADE_DEFAULTS.bakeMs,
        holdMs: flags.hold !== undefined ? parseDuration("--hold", flags.hold) : UPGRADE_DEFAULTS.holdMs,
        parallelRegions: flags.parallelRegions ?? false,
        destroy: flags.destroy,
        recover: flags.recover ?? false,
        breakLease: flags.breakLease ?? false,
        retry: flags.retry ?? false,
        fastRollback: flags.fastRollback ?? false,
        argoTimeoutMs: flags.argoTimeout !== undefined ? parseDuration("--argo-timeout", flags.argoTimeout) : UPGRADE_DEFAULTS.argoTimeoutMs,
        jobsTimeoutMs: flags.jobsTimeout !== undefined ? parseDuration("--jobs-timeout", flags.jobsTimeout) : UPGRADE_DEFAULTS.jobsTimeoutMs,
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

export async function upgradeCommand(flags: UpgradeFlags, io: EngineIo, invocation: Invocation): Promise<UpgradeOutcome> {
    if (flags.to === undefined) throw new BadInputError("--to is required (the target Kubernetes version, e.g. 1.35)");
    const to = parseVersion("--to", flags.to);
    const options = upgradeOptions(flags, to);
    let regions: string[] = [];
    const ports = await openEngine(flags, flags.env, io, (facts) => {
        regions = selectRegions(facts, flags.region);
        checkNotDowngrade(facts, regions, to);
    });
    return preflightedRun(
        ports,
        invocation,
        flags.env,
        { recover: options.recover, breakLease: options.breakLease, what: "upgrade" },
        () => preflightBlueGreen(ports, flags.env, to, regions, { runId: invocation.runId }),
        async (log, findings, blocking): Promise<UpgradeOutcome> => {
            if (blocking.length === 0) return { ...(await runUpgrade(ports, invocation, options, regions, log)), preflight: findings };
            return {
                env: flags.env,
                to,
                result: "failed",
                regions: regions.map((region) => {
                    const own = blocking.filter((f) => f.region === region || f.region === undefined);
                    return { region, from: null, to: null, result: own.length ? "failed" : "skipped", reason: `preflight: ${(own.length ? own : blocking).map((f) => f.message).join("; ")}`, steps: [] };
                }),
                durationMinutes: 0,
                engine: ports.kind,
                timeline: log.timeline,
                journal: ports.journal.location,
                preflight: findings,
            };
        },
    );
}
