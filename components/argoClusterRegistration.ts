/**
 * Registers a service cluster in Argo CD on the Ops cluster: the declarative cluster Secret. Its labels are
 * what the GitOps repository's ApplicationSets select on (env, region, color, and cron for the batch jobs).
 * A rollback moves the cron label back under the rollback role, so the registration also lets that role's
 * group (clusterAccess.ts ROLLBACK_GROUP) get and patch this one Secret, and nothing else in the namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ROLLBACK_GROUP } from "./clusterAccess";
import { Color } from "./naming";

export const ARGOCD_NAMESPACE = "argocd";
export const CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type";

export interface ClusterLabels {
    env: string;
    region: string;
    color: Color;
    /** Whether the cron jobs run on this cluster. */
    cron: boolean;
}

export interface ArgoClusterSecretInput {
    /** EKS cluster name, also the Argo CD cluster name. */
    clusterName: string;
    /** API server URL. */
    server: string;
    /** Base64 cluster CA. */
    caData: string;
    /** Role Argo CD assumes to reach the cluster (it has an access entry there). */
    roleArn: string;
    labels: ClusterLabels;
}

/** Labels as Argo CD cluster generators see them. */
export const clusterLabels = (labels: ClusterLabels): Record<string, string> => ({
    [CLUSTER_SECRET_LABEL]: "cluster",
    "mitene.io/env": labels.env,
    "mitene.io/region": labels.region,
    "mitene.io/color": labels.color,
    "mitene.io/cron": String(labels.cron),
});

export const argoClusterSecretName = (clusterName: string) => `cluster-${clusterName}`;

export const argoClusterSecretMetadata = (clusterName: string, labels: ClusterLabels) => ({
    name: argoClusterSecretName(clusterName),
    namespace: ARGOCD_NAMESPACE,
    labels: clusterLabels(labels),
});

/**
 * What a rollback may do to the registration: read it and patch it (server-side apply is a PATCH, and
 * pulumi-kubernetes reads the live object first: provider/pkg/await/await.go, Update), by name, so no other
 * Secret of Argo CD (its repository credentials, its admin secret) is within reach.
 */
export const rollbackSecretRule = (clusterName: string) => ({
    apiGroups: [""],
    resources: ["secrets"],
    resourceNames: [argoClusterSecretName(clusterName)],
    verbs: ["get", "patch"],
});

/** The Secret's data, as Argo CD's declarative setup defines it for EKS (IAM auth, no static token). */
export const argoClusterSecretData = (input: Omit<ArgoClusterSecretInput, "labels">) => ({
    name: input.clusterName,
    server: input.server,
    config: JSON.stringify({
        awsAuthConfig: { clusterName: input.clusterName, roleARN: input.roleArn },
        tlsClientConfig: { insecure: false, caData: input.caData },
    }),
});

export interface ArgoClusterRegistrationArgs {
    /** Provider of the Ops cluster, where Argo CD runs. */
    opsProvider: k8s.Provider;
    clusterName: string;
    server: pulumi.Input<string>;
    caData: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
    labels: ClusterLabels;
}

export class ArgoClusterRegistration extends pulumi.ComponentResource {
    readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: ArgoClusterRegistrationArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:argocd:ClusterRegistration", name, {}, opts);
        const resource = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: argoClusterSecretMetadata(args.clusterName, args.labels),
            type: "Opaque",
            stringData: pulumi
                .all([args.server, args.caData, args.roleArn])
                .apply(([server, caData, roleArn]) => argoClusterSecretData({ clusterName: args.clusterName, server, caData, roleArn })),
        }, { parent: this, provider: args.opsProvider });
        const rollbackName = `mitene-rollback-${args.clusterName}`;
        const role = new k8s.rbac.v1.Role(`${name}-rollback`, {
            metadata: { name: rollbackName, namespace: ARGOCD_NAMESPACE },
            rules: [rollbackSecretRule(args.clusterName)],
        }, { parent: this, provider: args.opsProvider });
        new k8s.rbac.v1.RoleBinding(`${name}-rollback`, {
            metadata: { name: rollbackName, namespace: ARGOCD_NAMESPACE },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: ROLLBACK_GROUP }],
        }, { parent: this, provider: args.opsProvider });
        this.secretName = resource.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}
