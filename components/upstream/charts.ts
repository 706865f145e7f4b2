/**
 * Upstream facts about every Helm chart the project pins, written down with where and when they were read:
 * the version as published in the chart repository's index, and the values keys the project sets as they
 * appear in that version's values.yaml. Facts, not copies of upstream files. On a bump, read the new
 * version's index entry and values.yaml again and update the entry (the tests compare what the project
 * sets against `values.keys`).
 *
 * Key paths are dotted; a segment holding a dot or a slash is quoted (components/upstream/paths.ts). Lists
 * are leaves: their items are data the chart renders whole, not chart keys.
 */

export interface PassThroughMap {
    /** What the chart does with the map and where its keys were verified. */
    source: string;
    /** Keys the project may set below the map, verified in `source`; "*" for free-form maps (annotations). */
    keys: readonly string[] | "*";
}

export interface ChartFacts {
    chart: string;
    repository: string;
    version: string;
    /** Where this version was found published (the repository's index, or its release tag), read when. */
    published: string;
    values: {
        /** The values.yaml read (repository, tag or commit, path). */
        source: string;
        /** Leaf keys the project sets, each present in that values.yaml. */
        keys: readonly string[];
        /** Maps the chart passes through to another program's configuration, by key path. */
        passThrough: Readonly<Record<string, PassThroughMap>>;
    };
}

const READ = "read 2026-11-27";
const ANNOTATIONS: PassThroughMap = { source: "Kubernetes object annotations (free-form)", keys: "*" };

export const CHARTS = {
    "aws-load-balancer-controller": {
        chart: "aws-load-balancer-controller",
        repository: "https://aws.github.io/eks-charts",
        version: "3.5.0",
        published: `aws/eks-charts gh-pages index.yaml (generated 2026-08-03): 3.5.0 created 2026-08-03, newest; ${READ}`,
        values: {
            source: "aws/eks-charts@5239609 stable/aws-load-balancer-controller/values.yaml (chart 3.5.0)",
            keys: ["clusterName", "region", "vpcId", "replicaCount", "serviceAccount.create", "serviceAccount.name", "enableServiceMutatorWebhook"],
            passThrough: { "serviceAccount.annotations": ANNOTATIONS },
        },
    },
    "cluster-autoscaler": {
        chart: "cluster-autoscaler",
        repository: "https://kubernetes.github.io/autoscaler",
        version: "9.58.0",
        published: `kubernetes/autoscaler gh-pages index.yaml (generated 2026-07-26): 9.58.0 created 2026-06-18 (9.59.0 is newer); ${READ}`,
        values: {
            source: "kubernetes/autoscaler@cluster-autoscaler-chart-9.58.0 charts/cluster-autoscaler/values.yaml",
            keys: ["cloudProvider", "awsRegion", "autoDiscovery.clusterName", "image.tag", "rbac.serviceAccount.create", "rbac.serviceAccount.name"],
            passThrough: {
                "rbac.serviceAccount.annotations": ANNOTATIONS,
                // The chart turns each key into a --flag of the autoscaler.
                extraArgs: {
                    source: "cluster-autoscaler FAQ \"What are the parameters to CA?\" (kubernetes/autoscaler cluster-autoscaler/FAQ.md)",
                    keys: ["balance-similar-node-groups", "skip-nodes-with-system-pods", "expander"],
                },
            },
        },
    },
    "aws-node-termination-handler": {
        chart: "aws-node-termination-handler",
        repository: "oci://public.ecr.aws/aws-ec2/helm",
        version: "0.27.0",
        // The OCI registry has no index to read; aws/eks-charts stopped at 0.21.0.
        published: `aws/aws-node-termination-handler tag v1.25.0 (2025-02-28) sets chart version 0.27.0, which the release publishes to public.ecr.aws/aws-ec2/helm (the OCI registry itself could not be read); ${READ}`,
        values: {
            source: "aws/aws-node-termination-handler@286ed54 (v1.25.0) config/helm/aws-node-termination-handler/values.yaml",
            keys: ["enableSpotInterruptionDraining", "enableRebalanceMonitoring", "enableScheduledEventDraining", "serviceAccount.create", "serviceAccount.name"],
            passThrough: { "serviceAccount.annotations": ANNOTATIONS },
        },
    },
    "external-secrets": {
        chart: "external-secrets",
        repository: "https://charts.external-secrets.io",
        // 2.10.0 (the previous pin) is not in the index read: the newest published there is 2.9.0.
        version: "2.9.0",
        published: `external-secrets/external-secrets gh-pages index.yaml (generated 2026-08-08): 2.9.0 created 2026-08-08, newest; no 2.10.0; ${READ}`,
        values: {
            source: "external-secrets/external-secrets@helm-chart-2.9.0 deploy/charts/external-secrets/values.yaml and values.schema.json (extraEnv: array)",
            keys: ["installCRDs", "serviceAccount.create", "serviceAccount.name", "extraEnv"],
            passThrough: { "serviceAccount.annotations": ANNOTATIONS },
        },
    },
    "metrics-server": {
        chart: "metrics-server",
        repository: "https://kubernetes-sigs.github.io/metrics-server/",
        version: "3.13.0",
        published: `kubernetes-sigs/metrics-server gh-pages index.yaml (generated 2026-06-11): 3.13.0 created 2025-07-22 (3.13.1 is newer); ${READ}`,
        values: {
            source: "kubernetes-sigs/metrics-server@e8b1075e charts/metrics-server/values.yaml (chart 3.13.0)",
            keys: ["replicas", "podDisruptionBudget.enabled", "podDisruptionBudget.minAvailable"],
            passThrough: {},
        },
    },
    "fluent-bit": {
        chart: "fluent-bit",
        repository: "https://fluent.github.io/helm-charts",
        version: "0.57.2",
        published: `fluent/helm-charts gh-pages index.yaml (generated 2026-08-18): 0.57.2 created 2026-04-02 (0.58.1 is newer); ${READ}`,
        values: {
            source: "fluent/helm-charts@f320c83 charts/fluent-bit/values.yaml (chart 0.57.2)",
            keys: ["serviceAccount.create", "serviceAccount.name", "config.outputs"],
            passThrough: { "serviceAccount.annotations": ANNOTATIONS },
        },
    },
    prometheus: {
        chart: "prometheus",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "29.27.0",
        // The gh-pages index.yaml blob was absent from the snapshot read; chart-releaser tags each release it indexes.
        published: `prometheus-community/helm-charts release tag prometheus-29.27.0 (2026-08-18), made by chart-releaser when it publishes to the index (index.yaml itself could not be read); ${READ}`,
        values: {
            source: "prometheus-community/helm-charts@prometheus-29.27.0 charts/prometheus/values.yaml and templates/cm.yaml",
            keys: [
                "serviceAccounts.server.create",
                "serviceAccounts.server.name",
                "server.defaultFlagsOverride",
                "server.persistentVolume.enabled",
                "server.remoteWrite",
                'serverFiles."prometheus.yml".rule_files',
                "alertmanager.enabled",
                "prometheus-pushgateway.enabled",
                "prometheus-node-exporter.enabled",
                "kube-state-metrics.enabled",
            ],
            passThrough: {
                "serviceAccounts.server.annotations": ANNOTATIONS,
                // templates/cm.yaml renders server.global verbatim as prometheus.yml's `global:` block.
                "server.global": { source: "Prometheus configuration docs, <global> block", keys: ["external_labels"] },
            },
        },
    },
    "argo-cd": {
        chart: "argo-cd",
        repository: "https://argoproj.github.io/argo-helm",
        // 10.9.0 (the previous pin) could not be found in an index: the newest in the index read is 10.1.1.
        version: "10.1.1",
        published: `argoproj/argo-helm gh-pages index.yaml (generated 2026-07-02): 10.1.1 created 2026-07-02, newest (app v3.4.4); ${READ}`,
        values: {
            source: "argoproj/argo-helm@argo-cd-10.1.1 charts/argo-cd/values.yaml",
            keys: [
                "global.domain",
                'configs.rbac."policy.default"',
                'configs.rbac."policy.csv"',
                "configs.rbac.scopes",
                "controller.replicas",
                "server.replicas",
                "server.service.type",
                "repoServer.replicas",
                "applicationSet.replicas",
                "dex.enabled",
            ],
            passThrough: {
                "controller.serviceAccount.annotations": ANNOTATIONS,
                "server.serviceAccount.annotations": ANNOTATIONS,
                "applicationSet.serviceAccount.annotations": ANNOTATIONS,
                // values.yaml: "Any values you put under .configs.cm are passed to argocd-cm ConfigMap".
                "configs.cm": { source: "argo-cd docs/operator-manual/argocd-cm.yaml at v3.4.7", keys: ["url", '"admin.enabled"', '"oidc.config"'] },
                "configs.params": { source: "argo-cd docs/operator-manual/argocd-cmd-params-cm.yaml at v3.4.7", keys: ['"server.insecure"'] },
                // Extra keys of argocd-secret, referenced from argocd-cm as $<key>.
                "configs.secret.extra": { source: "argo-cd docs/operator-manual/user-management/index.md at v3.4.7 (secret keys referenced as $<key>, e.g. oidc.auth0.clientSecret)", keys: ['"oidc.clientSecret"'] },
            },
        },
    },
    grafana: {
        chart: "grafana",
        // The chart left grafana.github.io/helm-charts (deprecated there 2026-01-30, last 10.5.15).
        repository: "https://grafana-community.github.io/helm-charts",
        version: "12.11.1",
        published: `grafana-community/helm-charts gh-pages index.yaml (generated 2026-08-20): 12.11.1 created 2026-08-19, newest (app 13.2.0); ${READ}`,
        values: {
            source: "grafana-community/helm-charts@grafana-12.11.1 charts/grafana/values.yaml",
            keys: ["service.type", "service.port"],
            passThrough: {
                // Rendered into grafana.ini; values.yaml documents server.root_url in its grafana.ini comments.
                '"grafana.ini"': { source: "Grafana configuration docs, [server] root_url", keys: ["server.root_url"] },
            },
        },
    },
} as const satisfies Record<string, ChartFacts>;

export type ChartName = keyof typeof CHARTS;

/**
 * Ports of the web UIs exposed through the Ops ALB: the Service port (a TargetGroupBinding's serviceRef) and
 * the port the pods listen on (its networking rule and the IP target group, with `targetType: ip`).
 */
export const UI_PORTS = {
    /** argo-cd 10.1.1 values.yaml: server.service.servicePortHttp 80, server.containerPorts.server 8080. */
    argocdServer: { service: "argocd-server", servicePort: 80, containerPort: 8080, healthCheckPath: "/healthz" },
    /** grafana 12.11.1 values.yaml: service.port 80, service.targetPort 3000; probes use /api/health. */
    grafana: { service: "grafana", servicePort: 80, containerPort: 3000, healthCheckPath: "/api/health" },
} as const;
