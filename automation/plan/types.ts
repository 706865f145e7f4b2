/**
 * The readiness ledger's rows and the plan's steps (the JSON shape of `plan --json`, docs/cli.md).
 */

export type Severity = "ok" | "warning" | "blocking";

/** addon: a catalog chart; core-addon: vpc-cni, coredns, kube-proxy; insight: an EKS upgrade insight; api: a manifest; calendar: a version's support. */
export type LedgerKind = "addon" | "core-addon" | "insight" | "api" | "calendar";

export interface LedgerItem {
    /** The cluster's stack (the calendar row's `cluster`), or `*` for the env as a whole. */
    cluster: string;
    item: string;
    kind: LedgerKind;
    /** What is pinned or running now. */
    pinned: string | null;
    supportsTarget: boolean;
    /** The version to move to for the target, when one must move and a verified one exists. */
    moveTo: string | null;
    /** Where the fact comes from (URL, repository and path, date read). */
    source: string;
    severity: Severity;
    /** What it means, and for anything not ok what to do. */
    detail: string;
    /** api: the manifest file (relative to --manifests). */
    file?: string;
    /** addon: the Kubernetes range the pinned version supports, as `min-max`. */
    range?: string;
}

export interface PlanStep {
    order: number;
    env: string;
    action: "ops-upgrade" | "upgrade" | "soak";
    to: string;
    /** The command that takes the step (or what the soak waits for). */
    command: string;
    detail: string;
    /** soak: days still to wait (0 when done), out of `soakDays`. */
    daysLeft?: number;
    soakDays?: number;
}

export const severityRank: Record<Severity, number> = { blocking: 0, warning: 1, ok: 2 };
