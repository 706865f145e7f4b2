/**
 * Who may call a cluster's API, as access entries: the env's three run roles, operators, and (on service
 * clusters) Argo CD. Every cluster is created without the creator's implicit admin entry (eksCluster.ts,
 * withoutCreatorAdmin), so these entries are the whole list, reviewed in the stack like any resource.
 *
 * - deploy: cluster admin. It creates the cluster and everything in it.
 * - preview: AmazonEKSViewPolicy. A preview reads (no Secrets, no writes); docs/identity-kubernetes.md shows
 *   from pulumi-kubernetes's source that a preview needs nothing more.
 * - rollback: AmazonEKSViewPolicy, which also covers the driver's read of running Jobs on the cluster losing
 *   the cron jobs; on the Ops cluster also the group ROLLBACK_GROUP, which each service cluster's stack binds
 *   to get and patch its own Argo CD cluster Secret (argoClusterRegistration.ts): the cron label is the only
 *   Kubernetes object a rollback changes.
 */
import { AccessPolicy, ClusterAccess } from "./eksCluster";

/** The Kubernetes group of the rollback role on the Ops cluster (EKS forbids the system:, eks:, aws:, amazon: and iam: prefixes). */
export const ROLLBACK_GROUP = "mitene:rollback";

export interface EnvRoleArns {
    deploy: string;
    preview: string;
    rollback: string;
}

export interface OperatorAccess {
    name: string;
    principalArn: string;
    access: AccessPolicy;
}

/** The access entries of a cluster of the env; `opsCluster` adds the rollback role's group for the cron switch. */
export function envAccessEntries(roles: EnvRoleArns, operators: readonly OperatorAccess[], opsCluster: boolean): ClusterAccess[] {
    return [
        { name: "deploy", principalArn: roles.deploy, policy: "admin" },
        { name: "preview", principalArn: roles.preview, policy: "view" },
        { name: "rollback", principalArn: roles.rollback, policy: "view", ...(opsCluster ? { kubernetesGroups: [ROLLBACK_GROUP] } : {}) },
        ...operators.map((operator) => ({ name: operator.name, principalArn: operator.principalArn, policy: operator.access })),
    ];
}
