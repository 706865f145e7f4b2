/**
 * The platform add-on catalog: every Helm chart a service cluster gets, as data. Chart versions are pinned;
 * `kubernetes` says which Kubernetes minors each pinned version is known to work on, and preflight refuses
 * an upgrade to a version outside it. Bump a chart here, in one place, and its range with it.
 */
import {
    PolicyDocument,
    PolicyScope,
    clusterAutoscalerPolicy,
    externalSecretsPolicy,
    fluentBitPolicy,
    loadBalancerControllerPolicy,
    prometheusRemoteWritePolicy,
} from "./iamPolicies";
import { compareMinor } from "./kubernetesVersions";

/** Everything an add-on's values and policy may depend on, resolved (no Outputs). */
export interface AddonContext extends PolicyScope {
    vpcId: string;
    kubernetesVersion: string;
    /** IRSA role ARN of the add-on's service account; empty for add-ons without AWS access. */
    roleArn: string;
    /** Amazon Managed Prometheus workspace id the Prometheus agent writes to. */
    ampWorkspaceId: string;
    /** CloudWatch Logs group Fluent Bit ships container logs to. */
    logGroupName: string;
    /** SSM Parameter Store path external-secrets may read, e.g. `/mitene/prod`. */
    parameterPath: string;
    /** Target groups the load balancer controller may register pods in, e.g. `prod-usw2-*-green`. */
    targetGroupPattern: string;
}

export interface AddonSpec {
    /** Helm release name, also the key in config overrides. */
    name: string;
    chart: string;
    repository: string;
    /** Pinned chart version. */
    version: string;
    namespace: string;
    /** Service account the chart runs as; its IRSA role trusts exactly this one. */
    serviceAccount: string;
    /** Kubernetes minors this chart version is known to support, inclusive. */
    kubernetes: { min: string; max: string };
    /** Least-privilege IAM policy for the service account; absent when the add-on needs no AWS access. */
    policy?: (ctx: AddonContext) => PolicyDocument;
    values: (ctx: AddonContext) => Record<string, unknown>;
}

/** Cluster autoscaler images must match the cluster's minor (the project tests no other pairing). */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<string, string>> = {
    "1.32": "v1.32.5",
    "1.33": "v1.33.5",
    "1.34": "v1.34.4",
    "1.35": "v1.35.1",
    "1.36": "v1.36.0",
};

const irsa = (ctx: AddonContext, name: string) => ({
    create: true,
    name,
    annotations: { "eks.amazonaws.com/role-arn": ctx.roleArn },
});

export const ADDON_CATALOG: readonly AddonSpec[] = [
    {
        name: "aws-load-balancer-controller",
        chart: "aws-load-balancer-controller",
        repository: "https://aws.github.io/eks-charts",
        version: "3.5.0",
        namespace: "kube-system",
        serviceAccount: "aws-load-balancer-controller",
        kubernetes: { min: "1.30", max: "1.36" },
        policy: loadBalancerControllerPolicy,
        // Pods cannot reach instance metadata (IMDSv2, hop limit 1): region and VPC must be given.
        values: (ctx) => ({
            clusterName: ctx.clusterName,
            region: ctx.region,
            vpcId: ctx.vpcId,
            replicaCount: 2,
            serviceAccount: irsa(ctx, "aws-load-balancer-controller"),
            enableServiceMutatorWebhook: false,
        }),
    },
    {
        name: "cluster-autoscaler",
        chart: "cluster-autoscaler",
        repository: "https://kubernetes.github.io/autoscaler",
        version: "9.58.0",
        namespace: "kube-system",
        serviceAccount: "cluster-autoscaler",
        kubernetes: { min: "1.32", max: "1.36" },
        policy: clusterAutoscalerPolicy,
        values: (ctx) => ({
            cloudProvider: "aws",
            awsRegion: ctx.region,
            autoDiscovery: { clusterName: ctx.clusterName },
            image: { tag: CLUSTER_AUTOSCALER_IMAGES[ctx.kubernetesVersion] },
            rbac: { serviceAccount: irsa(ctx, "cluster-autoscaler") },
            extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false, expander: "least-waste" },
        }),
    },
    {
        name: "aws-node-termination-handler",
        chart: "aws-node-termination-handler",
        repository: "oci://public.ecr.aws/aws-ec2/helm",
        version: "0.27.0",
        namespace: "kube-system",
        serviceAccount: "aws-node-termination-handler",
        // 0.27.0 (NTH 1.25.0) predates Kubernetes 1.36 and was never run against it.
        kubernetes: { min: "1.30", max: "1.35" },
        // IMDS mode: a host-network DaemonSet, so the hop limit does not hide metadata from it.
        values: () => ({
            enableSpotInterruptionDraining: true,
            enableRebalanceMonitoring: true,
            enableScheduledEventDraining: true,
            serviceAccount: { create: true, name: "aws-node-termination-handler" },
        }),
    },
    {
        name: "external-secrets",
        chart: "external-secrets",
        repository: "https://charts.external-secrets.io",
        version: "2.10.0",
        namespace: "external-secrets",
        serviceAccount: "external-secrets",
        kubernetes: { min: "1.30", max: "1.36" },
        policy: (ctx) => externalSecretsPolicy(ctx, ctx.parameterPath),
        values: (ctx) => ({
            installCRDs: true,
            serviceAccount: irsa(ctx, "external-secrets"),
            env: { AWS_REGION: ctx.region },
        }),
    },
    {
        name: "metrics-server",
        chart: "metrics-server",
        repository: "https://kubernetes-sigs.github.io/metrics-server/",
        version: "3.13.0",
        namespace: "kube-system",
        serviceAccount: "metrics-server",
        kubernetes: { min: "1.31", max: "1.36" },
        values: () => ({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } }),
    },
    {
        name: "fluent-bit",
        chart: "fluent-bit",
        repository: "https://fluent.github.io/helm-charts",
        version: "0.57.2",
        namespace: "logging",
        serviceAccount: "fluent-bit",
        kubernetes: { min: "1.30", max: "1.36" },
        policy: (ctx) => fluentBitPolicy(ctx, ctx.logGroupName),
        values: (ctx) => ({
            serviceAccount: irsa(ctx, "fluent-bit"),
            config: {
                outputs: [
                    "[OUTPUT]",
                    "    Name cloudwatch_logs",
                    "    Match kube.*",
                    `    region ${ctx.region}`,
                    `    log_group_name ${ctx.logGroupName}`,
                    "    log_stream_prefix ${HOSTNAME}-",
                    "    auto_create_group false",
                ].join("\n"),
            },
        }),
    },
    {
        name: "prometheus-agent",
        chart: "prometheus",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "29.27.0",
        namespace: "monitoring",
        serviceAccount: "prometheus-agent",
        kubernetes: { min: "1.30", max: "1.36" },
        policy: (ctx) => prometheusRemoteWritePolicy(ctx, ctx.ampWorkspaceId),
        values: (ctx) => ({
            serviceAccounts: { server: irsa(ctx, "prometheus-agent") },
            server: {
                defaultFlagsOverride: ["--agent", "--config.file=/etc/config/prometheus.yml", "--storage.agent.path=/data"],
                persistentVolume: { enabled: false },
                remoteWrite: [
                    {
                        url: `https://aps-workspaces.${ctx.region}.amazonaws.com/workspaces/${ctx.ampWorkspaceId}/api/v1/remote_write`,
                        sigv4: { region: ctx.region },
                        queue_config: { max_samples_per_send: 1000, max_shards: 200, capacity: 2500 },
                    },
                ],
                global: { external_labels: { cluster: ctx.clusterName } },
            },
            alertmanager: { enabled: false },
            "prometheus-pushgateway": { enabled: false },
            "prometheus-node-exporter": { enabled: true },
            "kube-state-metrics": { enabled: true },
        }),
    },
];

/** Add-ons on the Ops cluster; same shape so preflight checks them the same way. */
export const OPS_CHARTS = {
    argocd: {
        name: "argocd",
        chart: "argo-cd",
        repository: "https://argoproj.github.io/argo-helm",
        version: "10.9.0",
        namespace: "argocd",
        kubernetes: { min: "1.31", max: "1.36" },
    },
    grafana: {
        name: "grafana",
        chart: "grafana",
        repository: "https://grafana.github.io/helm-charts",
        version: "13.2.4",
        namespace: "grafana",
        kubernetes: { min: "1.30", max: "1.36" },
    },
} as const;

export type ChartSupport = { name: string; version: string; kubernetes: { min: string; max: string } };

/** Whether a chart's pinned version is known to support a Kubernetes minor. */
export const chartSupports = (chart: ChartSupport, kubernetesVersion: string) =>
    compareMinor(kubernetesVersion, chart.kubernetes.min) >= 0 && compareMinor(kubernetesVersion, chart.kubernetes.max) <= 0;

/** The charts (service-cluster catalog or Ops) whose pinned version does not support `kubernetesVersion`. */
export const unsupportedCharts = (charts: readonly ChartSupport[], kubernetesVersion: string) =>
    charts.filter((chart) => !chartSupports(chart, kubernetesVersion));
