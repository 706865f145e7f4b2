/**
 * The support calendar of an env's clusters on a date: where each version stands in EKS's calendar, how many
 * days of standard support are left, and what extended support costs. Pure functions over the version table
 * (components/kubernetesVersions.ts), whose rows say whether their dates were read in AWS's own calendar.
 */
import { EKS_PRICING, SupportPhase, eksSupport, extendedSupportExtraPerMonthUsd, supportPhase } from "../../components/kubernetesVersions";
import { ClusterFacts } from "./snapshot";
import { LedgerItem } from "./types";
import { count } from "../core/wording";

/** Preflight and plan warn this many days before a version leaves standard support. */
export const STANDARD_SUPPORT_WARNING_DAYS = 60;

/** What EKS does when the stack sets no upgrade policy (UpgradePolicyRequest: "The default value is EXTENDED"). */
export const DEFAULT_UPGRADE_POLICY = "EXTENDED (EKS default)";
export const UPGRADE_POLICY_SOURCE = "EKS API reference, UpgradePolicyRequest (docs.aws.amazon.com/eks/latest/APIReference/API_UpgradePolicyRequest.html): default EXTENDED; STANDARD is upgraded automatically at the end of standard support; read 2026-12-04";

export interface CalendarRow {
    /** The cluster as the project names it: its stack (CONTRACT); `eksCluster` is the name EKS knows it by. */
    cluster: string;
    stack: string;
    eksCluster: string;
    role: "ops" | "service";
    region: string;
    version: string;
    upgradePolicy: string;
    phase: SupportPhase;
    endOfStandardSupport: string | null;
    endOfExtendedSupport: string | null;
    /** Days from `at` to the end of standard support (negative once it passed); null for an unknown version. */
    daysLeft: number | null;
    extraCostPerMonthUsd: number;
    /** Where the figure comes from. */
    costSource: string;
    /** The version's dates were read in AWS's own calendar. */
    datesVerified: boolean;
    datesSource: string;
}

const DAY = 86_400_000;

/** Whole days from `from` to `to` (ISO dates). */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/** The policy a cluster runs under: what its stack sets, else EKS's default. */
export const effectivePolicy = (policy: string | null) => policy ?? DEFAULT_UPGRADE_POLICY;
const pays = (policy: string) => !policy.startsWith("STANDARD");

export function calendarRow(cluster: ClusterFacts, at: string): CalendarRow {
    const support = eksSupport(cluster.version);
    const phase = supportPhase(cluster.version, at);
    const policy = effectivePolicy(cluster.upgradePolicy);
    const inExtended = phase === "extended" && pays(policy);
    return {
        cluster: cluster.stack,
        stack: cluster.stack,
        eksCluster: cluster.cluster,
        role: cluster.role,
        region: cluster.region,
        version: cluster.version,
        upgradePolicy: policy,
        phase,
        endOfStandardSupport: support?.endOfStandardSupport ?? null,
        endOfExtendedSupport: support?.endOfExtendedSupport ?? null,
        daysLeft: support ? daysBetween(at, support.endOfStandardSupport) : null,
        extraCostPerMonthUsd: inExtended ? extendedSupportExtraPerMonthUsd() : 0,
        costSource: EKS_PRICING.source,
        datesVerified: support?.verified ?? false,
        datesSource: support?.source ?? "not in the project's EKS version table (components/kubernetesVersions.ts)",
    };
}

const unverified = (row: { datesVerified: boolean }) => (row.datesVerified ? "" : " (dates NOT verified against AWS's calendar)");

/** The calendar as ledger items: what blocks, what warns, what is fine. */
export function calendarItem(row: CalendarRow): LedgerItem {
    const base = { cluster: row.cluster, item: `Kubernetes ${row.version}`, kind: "calendar" as const, pinned: row.version, moveTo: null, source: row.datesSource };
    const money = row.extraCostPerMonthUsd > 0 ? `; extended support adds $${row.extraCostPerMonthUsd}/month (${EKS_PRICING.source})` : "";
    switch (row.phase) {
        case "unknown":
            return { ...base, supportsTarget: false, severity: "blocking", detail: `Kubernetes ${row.version} is not in the EKS calendar of this project: add its row (components/kubernetesVersions.ts)` };
        case "unsupported":
            return { ...base, supportsTarget: false, severity: "blocking", detail: `left EKS extended support on ${row.endOfExtendedSupport}${unverified(row)}: EKS upgrades it in place on its own; upgrade it now` };
        case "extended":
            return !pays(row.upgradePolicy)
                ? { ...base, supportsTarget: false, severity: "blocking", detail: `standard support ended ${row.endOfStandardSupport}${unverified(row)} and the stack sets upgradePolicy STANDARD: EKS upgrades this cluster in place at any time (${UPGRADE_POLICY_SOURCE}); upgrade it blue/green now` }
                : { ...base, supportsTarget: true, severity: "warning", detail: `in EKS extended support since ${row.endOfStandardSupport}${unverified(row)}, for ${count(-row.daysLeft!, "day")}${money}` };
        case "standard":
            if (row.daysLeft !== null && row.daysLeft <= STANDARD_SUPPORT_WARNING_DAYS) {
                return { ...base, supportsTarget: true, severity: "warning", detail: `standard support ends ${row.endOfStandardSupport}${unverified(row)}, in ${count(row.daysLeft, "day")}` };
            }
            return { ...base, supportsTarget: true, severity: row.datesVerified ? "ok" : "warning", detail: `standard support until ${row.endOfStandardSupport}${unverified(row)}` };
    }
}

/** The target version's own place in the calendar on `at`. */
export function targetCalendarItem(target: string, at: string): LedgerItem {
    const support = eksSupport(target);
    const phase = supportPhase(target, at);
    const base = { cluster: "*", item: `target Kubernetes ${target}`, kind: "calendar" as const, pinned: null, moveTo: null, source: support?.source ?? "components/kubernetesVersions.ts" };
    const note = support && !support.verified ? " (dates NOT verified against AWS's calendar)" : "";
    if (phase === "unknown") return { ...base, supportsTarget: false, severity: "blocking", detail: `Kubernetes ${target} is not on EKS on ${at} per the project's calendar: pick a released version` };
    if (phase === "unsupported") return { ...base, supportsTarget: false, severity: "blocking", detail: `Kubernetes ${target} left EKS extended support on ${support!.endOfExtendedSupport}` };
    if (phase === "extended") return { ...base, supportsTarget: true, severity: "warning", detail: `Kubernetes ${target} is already in extended support (since ${support!.endOfStandardSupport})${note}: pick a newer version` };
    return { ...base, supportsTarget: true, severity: support!.verified ? "ok" : "warning", detail: `standard support until ${support!.endOfStandardSupport}${note}` };
}
