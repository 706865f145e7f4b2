/**
 * The platform add-on catalog: every Helm chart a service cluster gets, as data. Chart versions are pinned;
 * `kubernetes` says which Kubernetes minors each pinned version is known to work on, and preflight refuses
 * an upgrade to a version outside it. Chart, repository and version come from the verified upstream facts
 * (components/upstream/charts.ts): bump a chart there, after reading its index and values.yaml, and its range here.
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
import { CHARTS, ChartName } from "./upstream/charts";

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
    /** The chart's upstream facts (components/upstream/charts.ts): chart, repository and version come from there. */
    upstream: ChartName;
    /** Set when the add-on is off unless a cluster opts in: why it is not installed by default. */
    optIn?: string;
    namespace: string;
    /** Service account the chart runs as; its IRSA role trusts exactly this one. */
    serviceAccount: string;
    /**
     * Whether the release's `atomic` wait needs nodes (and CoreDNS): a Deployment's pods must schedule and
     * resolve names before Helm calls it ready. A DaemonSet-only chart is ready on a cluster without nodes
     * (Helm's readiness check counts desiredNumberScheduled, 0 there), so it need not wait for them.
     */
    needsNodes: boolean;
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

/** Chart, repository and pinned version of a chart, exactly as verified upstream. */
const pinned = (upstream: ChartName) => ({ upstream, chart: CHARTS[upstream].chart, repository: CHARTS[upstream].repository, version: CHARTS[upstream].version });

export const ADDON_CATALOG: readonly AddonSpec[] = [
    {
        name: "aws-load-balancer-controller",
        ...pinned("aws-load-balancer-controller"),
        namespace: "kube-system",
        serviceAccount: "aws-load-balancer-controller",
        needsNodes: true,
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
        ...pinned("cluster-autoscaler"),
        namespace: "kube-system",
        serviceAccount: "cluster-autoscaler",
        needsNodes: true,
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
        ...pinned("aws-node-termination-handler"),
        namespace: "kube-system",
        serviceAccount: "aws-node-termination-handler",
        // IMDS mode (values.yaml enableSqsTerminationDraining: false) is a DaemonSet and nothing else.
        needsNodes: false,
        // 0.27.0 (NTH 1.25.0) predates Kubernetes 1.36 and was never run against it.
        kubernetes: { min: "1.30", max: "1.35" },
        // NTH's README (v1.25.0): "If you're using EKS managed node groups, you don't need the
        // aws-node-termination-handler": EKS drains a spot node on its rebalance recommendation itself. Teams on
        // self-managed spot nodes have seen it cure 502/504s during interruptions, so it stays a per-cluster choice.
        optIn: "EKS managed node groups drain interrupted spot nodes themselves (NTH README); opt in for self-managed nodes",
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
        ...pinned("external-secrets"),
        namespace: "external-secrets",
        serviceAccount: "external-secrets",
        needsNodes: true,
        kubernetes: { min: "1.30", max: "1.36" },
        policy: (ctx) => externalSecretsPolicy(ctx, ctx.parameterPath),
        values: (ctx) => ({
            installCRDs: true,
            serviceAccount: irsa(ctx, "external-secrets"),
            extraEnv: [{ name: "AWS_REGION", value: ctx.region }],
        }),
    },
    {
        name: "metrics-server",
        ...pinned("metrics-server"),
        namespace: "kube-system",
        serviceAccount: "metrics-server",
        needsNodes: true,
        kubernetes: { min: "1.31", max: "1.36" },
        values: () => ({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } }),
    },
    {
        name: "fluent-bit",
        ...pinned("fluent-bit"),
        namespace: "logging",
        serviceAccount: "fluent-bit",
        // values.yaml `kind: DaemonSet` (chart 0.57.2): nothing to schedule before nodes exist.
        needsNodes: false,
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
        ...pinned("prometheus"),
        namespace: "monitoring",
        serviceAccount: "prometheus-agent",
        needsNodes: true,
        kubernetes: { min: "1.30", max: "1.36" },
        policy: (ctx) => prometheusRemoteWritePolicy(ctx, ctx.ampWorkspaceId),
        values: (ctx) => ({
            serviceAccounts: { server: irsa(ctx, "prometheus-agent") },
            server: {
                // Replaces every default flag, so the one the config reloader needs (POST /-/reload) is repeated.
                defaultFlagsOverride: ["--agent", "--config.file=/etc/config/prometheus.yml", "--storage.agent.path=/data", "--web.enable-lifecycle"],
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
            // Agent mode refuses a non-empty rule_files, and the chart's default prometheus.yml lists four.
            serverFiles: { "prometheus.yml": { rule_files: [] } },
            alertmanager: { enabled: false },
            "prometheus-pushgateway": { enabled: false },
            "prometheus-node-exporter": { enabled: true },
            "kube-state-metrics": { enabled: true },
        }),
    },
];

/** The catalog add-ons a cluster installs: all but the opt-in ones it did not choose. */
export const selectAddons = (optedIn: readonly string[], catalog: readonly AddonSpec[] = ADDON_CATALOG) =>
    catalog.filter((addon) => !addon.optIn || optedIn.includes(addon.name));

/** Add-ons on the Ops cluster; same shape so preflight checks them the same way. */
export const OPS_CHARTS = {
    argocd: { name: "argocd", ...pinned("argo-cd"), namespace: "argocd", kubernetes: { min: "1.31", max: "1.36" } },
    grafana: { name: "grafana", ...pinned("grafana"), namespace: "grafana", kubernetes: { min: "1.30", max: "1.36" } },
} as const;

export type ChartSupport = { name: string; version: string; kubernetes: { min: string; max: string } };

/** Whether a chart's pinned version is known to support a Kubernetes minor. */
export const chartSupports = (chart: ChartSupport, kubernetesVersion: string) =>
    compareMinor(kubernetesVersion, chart.kubernetes.min) >= 0 && compareMinor(kubernetesVersion, chart.kubernetes.max) <= 0;

/** The charts (service-cluster catalog or Ops) whose pinned version does not support `kubernetesVersion`. */
export const unsupportedCharts = (charts: readonly ChartSupport[], kubernetesVersion: string) =>
    charts.filter((chart) => !chartSupports(chart, kubernetesVersion));
