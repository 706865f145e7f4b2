/**
 * Registers a service cluster in Argo CD on the Ops cluster: the declarative cluster Secret. Its labels are
 * what the GitOps repository's ApplicationSets select on (env, region, color, and cron for the batch jobs).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
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

export const argoClusterSecretMetadata = (clusterName: string, labels: ClusterLabels) => ({
    name: `cluster-${clusterName}`,
    namespace: ARGOCD_NAMESPACE,
    labels: clusterLabels(labels),
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
        this.secretName = resource.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}
