/**
 * `mitene ops-upgrade`: the in-place upgrade of the Ops cluster, behind the same lease, pending-operation
 * and preflight checks as `upgrade`.
 */
import { compareMinor, minorDistance } from "../../components/kubernetesVersions";
import { Invocation } from "../core/context";
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError } from "../core/errors";
import { EnvFacts } from "../engines/facts";
import { parseDuration, parseVersion } from "../core/options";
import { OpsUpgradeResult, runOpsUpgrade } from "../upgrade/ops";
import { preflightInPlace } from "../preflight/checks";
import { PreflightFinding } from "../preflight/finding";
import { preflightedRun } from "../upgrade/run";
import { UPGRADE_DEFAULTS } from "../upgrade/types";
import { DURATION_LIMITS, journalOverride } from "./upgrade";
import { orderOverride } from "./orderOverride";
import { journalCycle } from "../plan/journal";
import { EnvSnapshot } from "../plan/snapshot";
import { durationLine, resultHeadline, resultName } from "../core/wording";

export interface OpsUpgradeFlags extends EngineOptions {
    env: string;
    to?: string;
    recover?: boolean;
    breakLease?: boolean;
    argoTimeout?: string;
    skipOrderCheck?: string;
    /** On sim and local, block on the cycle's order as the pulumi engine does. */
    enforceOrder?: boolean;
}

/** In place means one minor at a time, from the lowest layer (nodes lag the control plane mid-upgrade). */
export function checkInPlaceTarget(facts: EnvFacts, to: string): void {
    const versions = facts.opsVersions;
    if (!versions) throw new BadInputError(`env ${facts.env} has no Ops stack`);
    if (compareMinor(to, versions.controlPlane) < 0) {
        throw new BadInputError(`--to ${to} is lower than the Ops control plane's ${versions.controlPlane}: downgrades are not supported`);
    }
    const lowest = [versions.controlPlane, versions.coreAddons, versions.nodeGroups].sort(compareMinor)[0];
    if (minorDistance(lowest, to) > 1) {
        throw new BadInputError(`--to ${to} is more than one minor ahead of the Ops cluster (${lowest}): in-place upgrades go one minor at a time, next is ${lowest.replace(/\d+$/, (m) => String(Number(m) + 1))}`);
    }
}

export type OpsUpgradeOutcome = OpsUpgradeResult & { preflight: PreflightFinding[] };

export async function opsUpgradeCommand(flags: OpsUpgradeFlags, io: EngineIo, invocation: Invocation): Promise<OpsUpgradeOutcome> {
    if (flags.to === undefined) throw new BadInputError("--to is required (the next Kubernetes minor of the Ops cluster)");
    const to = parseVersion("--to", flags.to, io.warn);
    const argoTimeoutMs = flags.argoTimeout !== undefined ? parseDuration("--argo-timeout", flags.argoTimeout, DURATION_LIMITS.argoTimeout) : UPGRADE_DEFAULTS.argoTimeoutMs;
    const skipOrderCheck = orderOverride(flags);
    const ports = await openEngine(flags, flags.env, io, { validate: (facts) => checkInPlaceTarget(facts, to) });
    let seen: EnvSnapshot | null = null;
    return preflightedRun(
        ports,
        invocation,
        flags.env,
        { recover: flags.recover ?? false, breakLease: flags.breakLease ?? false, what: "Ops upgrade" },
        (leased) => preflightInPlace(leased, flags.env, to, { runId: invocation.runId, skipOrderCheck, onSnapshot: (s) => (seen = s) }),
        async (leased, log, findings, blocking): Promise<OpsUpgradeOutcome> => {
            await journalOverride(log, skipOrderCheck, findings);
            await journalCycle(leased, log, seen, to);
            if (blocking.length > 0) {
                return { env: flags.env, stack: `ops-${flags.env}`, to, result: "failed", stages: [], durationMinutes: 0, engine: leased.kind, timeline: log.timeline, journal: leased.journal.locate(flags.env), preflight: findings };
            }
            const result = await runOpsUpgrade(leased, invocation, { env: flags.env, to, argoTimeoutMs, pollMs: UPGRADE_DEFAULTS.pollMs }, log);
            return { ...result, preflight: findings };
        },
    );
}

export function formatOpsUpgrade(result: OpsUpgradeOutcome): string {
    return [
        `Ops upgrade of ${result.env} to Kubernetes ${result.to}: ${resultHeadline(result.result)}`,
        ...result.stages.map((s) => `  ${s.stage.padEnd(15)} ${resultName(s.result)}${s.detail ? `  ${s.detail}` : ""}`),
        ...result.preflight.filter((f) => f.severity === "blocking").map((f) => `  blocking [${f.id}] ${f.message}`),
        durationLine(result.engine, result.durationMinutes, result.journal, result.stages.length > 0),
    ].join("\n");
}
