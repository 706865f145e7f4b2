/**
 * The order of a version cycle (docs/operations.md "A version cycle, in order"): within an env the Ops cluster
 * (in place, one minor at a time) before the service clusters; across envs, an env named in another's
 * `mitene:versionCycle.after` serves the version for `soakDays` before that env moves to it. Plan shows these
 * steps; preflight blocks `upgrade` and `ops-upgrade` out of order unless overridden on purpose.
 */
import { compareMinor, nextMinor } from "../../components/kubernetesVersions";
import type { PreflightFinding } from "../preflight/finding";
import { EnvSnapshot, opsOf, servingClusters } from "./snapshot";
import { count } from "../core/wording";

const DAY = 86_400_000;

/** The flag that overrides the order, with a reason the journal keeps. */
export const ORDER_OVERRIDE_FLAG = "--skip-order-check";

/** The env's Ops cluster must be at or ahead of a blue/green target. */
export function opsFirstFindings(env: EnvSnapshot, target: string): PreflightFinding[] {
    const ops = opsOf(env);
    if (!ops || ops.version === "unknown" || compareMinor(ops.version, target) >= 0) return [];
    return [{
        id: "ops-order",
        severity: "blocking",
        message: `the Ops cluster of ${env.env} runs Kubernetes ${ops.version}, behind the target ${target}: upgrade it first, in place one minor at a time (mitene ops-upgrade --env ${env.env} --to ${nextMinor(ops.version)}), see docs/operations.md`,
    }];
}

/** Why `before` has not yet served `target` for `soakDays` at `nowMs`; empty when it has. */
export function soakProblems(before: EnvSnapshot, target: string, soakDays: number, nowMs: number): string[] {
    const problems: string[] = [];
    const ops = opsOf(before);
    if (ops && compareMinor(ops.version, target) < 0) problems.push(`its Ops cluster runs ${ops.version}`);
    for (const cluster of servingClusters(before).filter((c) => c.role === "service")) {
        if (compareMinor(cluster.version, target) < 0) {
            problems.push(`${cluster.region} serves ${cluster.version}`);
        } else if (soakDays > 0) {
            if (!cluster.servingSince) {
                problems.push(`${cluster.stack} serves ${cluster.version} but does not say since when (mitene:servingSince is written at the cron cut-over)`);
                continue;
            }
            const days = (nowMs - Date.parse(cluster.servingSince)) / DAY;
            if (days < soakDays) {
                const ready = new Date(Date.parse(cluster.servingSince) + soakDays * DAY).toISOString().slice(0, 16).replace("T", " ");
                problems.push(`${cluster.region} has served ${cluster.version} for ${days.toFixed(1)} of ${soakDays} days (since ${cluster.servingSince}; soaked at ${ready} UTC)`);
            }
        }
    }
    return problems;
}

/** The env named before this one in the cycle must have served the target long enough. */
export function envOrderFindings(env: EnvSnapshot, before: EnvSnapshot | null, target: string, nowMs: number): PreflightFinding[] {
    if (!env.cycle) return [];
    const { after, soakDays } = env.cycle;
    if (!before) return [{ id: "env-order", severity: "blocking", message: `${env.env} follows ${after} in the version cycle, but no stack of ${after} was found` }];
    const problems = soakProblems(before, target, soakDays, nowMs);
    if (problems.length === 0) return [];
    return [{
        id: "env-order",
        severity: "blocking",
        message: `${env.env} moves to ${target} only after ${after} has served it for ${count(soakDays, "day")}: ${problems.join("; ")}. Upgrade ${after} first (mitene plan --env ${env.env} lists the steps)`,
    }];
}

/** The order findings of an upgrade (`blue-green`) or an Ops upgrade (`in-place`) of `env` to `target`. */
export function orderFindings(env: EnvSnapshot, before: EnvSnapshot | null, target: string, mode: "blue-green" | "in-place", nowMs: number): PreflightFinding[] {
    return [...(mode === "blue-green" ? opsFirstFindings(env, target) : []), ...envOrderFindings(env, before, target, nowMs)];
}

/** A deliberate override: the order findings stay visible, as warnings naming the reason. */
export function overrideOrder(findings: PreflightFinding[], reason: string | undefined): PreflightFinding[] {
    if (reason === undefined) return findings;
    return findings.map((f) => (f.id === "ops-order" || f.id === "env-order" ? { ...f, severity: "warning", message: `${f.message} [order check skipped: ${reason}]` } : f));
}
