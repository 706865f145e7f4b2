/**
 * Upstream facts about the Kubernetes objects the project writes whose schema lives outside Kubernetes
 * itself: the CRDs of the TargetGroupBinding and the Argo CD Application, and Argo CD's declarative cluster
 * Secret. Field paths (`spec.networking.ingress.[].ports.[].port`; `[]` is a list item) were read from the
 * CRD's openAPIV3Schema at the pinned version and are kept as data with their source; a manifest field not
 * listed here is a field the controller would drop or reject. Only the paths under what the project writes
 * are recorded; add one after reading it in the CRD of the pinned version.
 */
import { fieldPaths, formatPath } from "./paths";

export interface ManifestSchema {
    apiVersion: string;
    kind: string;
    source: string;
    /** Every field path below `spec` the CRD defines in the recorded subtrees. */
    specPaths: readonly string[];
}

/** Object metadata the project sets on custom resources (ObjectMeta, Kubernetes core). */
const METADATA_PATHS = ["metadata", "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations"];

export const TARGET_GROUP_BINDING_SCHEMA: ManifestSchema = {
    apiVersion: "elbv2.k8s.aws/v1beta1",
    kind: "TargetGroupBinding",
    source: "kubernetes-sigs/aws-load-balancer-controller@v3.5.0 config/crd/bases/elbv2.k8s.aws_targetgroupbindings.yaml, version v1beta1 (served, storage); all spec paths",
    specPaths: [
        "spec",
        "spec.assumeRoleExternalId",
        "spec.iamRoleArnToAssume",
        "spec.ipAddressType",
        "spec.multiClusterTargetGroup",
        "spec.networking",
        "spec.networking.ingress",
        "spec.networking.ingress.[].from",
        "spec.networking.ingress.[].from.[].ipBlock",
        "spec.networking.ingress.[].from.[].ipBlock.cidr",
        "spec.networking.ingress.[].from.[].securityGroup",
        "spec.networking.ingress.[].from.[].securityGroup.groupID",
        "spec.networking.ingress.[].ports",
        "spec.networking.ingress.[].ports.[].port",
        "spec.networking.ingress.[].ports.[].protocol",
        "spec.nodeSelector",
        "spec.nodeSelector.matchExpressions",
        "spec.nodeSelector.matchLabels",
        "spec.serviceRef",
        "spec.serviceRef.name",
        "spec.serviceRef.port",
        "spec.targetGroupARN",
        "spec.targetGroupName",
        "spec.targetGroupProtocol",
        "spec.targetType",
        "spec.vpcID",
    ],
};

export const APPLICATION_SCHEMA: ManifestSchema = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    source: "argoproj/argo-helm@argo-cd-10.1.1 charts/argo-cd/templates/crds/crd-application.yaml, version v1alpha1; spec's own fields, spec.destination, spec.source (scalar fields), spec.syncPolicy",
    specPaths: [
        "spec",
        "spec.destination",
        "spec.destination.name",
        "spec.destination.namespace",
        "spec.destination.server",
        "spec.ignoreDifferences",
        "spec.info",
        "spec.project",
        "spec.revisionHistoryLimit",
        "spec.source",
        "spec.source.chart",
        "spec.source.name",
        "spec.source.path",
        "spec.source.ref",
        "spec.source.repoURL",
        "spec.source.targetRevision",
        "spec.sources",
        "spec.syncPolicy",
        "spec.syncPolicy.automated",
        "spec.syncPolicy.automated.allowEmpty",
        "spec.syncPolicy.automated.enabled",
        "spec.syncPolicy.automated.prune",
        "spec.syncPolicy.automated.selfHeal",
        "spec.syncPolicy.managedNamespaceMetadata",
        "spec.syncPolicy.managedNamespaceMetadata.annotations",
        "spec.syncPolicy.managedNamespaceMetadata.labels",
        "spec.syncPolicy.retry",
        "spec.syncPolicy.retry.backoff",
        "spec.syncPolicy.retry.backoff.duration",
        "spec.syncPolicy.retry.backoff.factor",
        "spec.syncPolicy.retry.backoff.maxDuration",
        "spec.syncPolicy.retry.limit",
        "spec.syncPolicy.retry.refresh",
        "spec.syncPolicy.syncOptions",
    ],
};

/**
 * Argo CD's declarative cluster Secret: the keys of its data and of the `config` JSON it holds. Argo CD reads
 * the config into its cluster type, so an unknown key there is silently ignored (a typo in roleARN means no
 * IAM authentication at all).
 */
export const ARGOCD_CLUSTER_SECRET = {
    source: "argoproj/argo-cd docs/operator-manual/declarative-setup.md (Clusters, EKS) at v3.4.7, read 2026-11-27",
    label: "argocd.argoproj.io/secret-type",
    dataKeys: ["name", "server", "namespaces", "clusterResources", "project", "config"],
    configPaths: [
        "username",
        "password",
        "bearerToken",
        "awsAuthConfig",
        "awsAuthConfig.clusterName",
        "awsAuthConfig.roleARN",
        "awsAuthConfig.profile",
        "execProviderConfig",
        "execProviderConfig.command",
        "execProviderConfig.args",
        "execProviderConfig.env",
        "execProviderConfig.apiVersion",
        "execProviderConfig.installHint",
        "proxyUrl",
        "tlsClientConfig",
        "tlsClientConfig.caData",
        "tlsClientConfig.certData",
        "tlsClientConfig.insecure",
        "tlsClientConfig.keyData",
        "tlsClientConfig.serverName",
        "disableCompression",
    ],
} as const;

/** Field paths of `manifest` that `schema` does not define (apiVersion and kind must match it too). */
export function unknownManifestFields(manifest: Record<string, unknown>, schema: ManifestSchema): string[] {
    const problems: string[] = [];
    if (manifest.apiVersion !== schema.apiVersion || manifest.kind !== schema.kind) {
        problems.push(`expected ${schema.apiVersion} ${schema.kind}, got ${String(manifest.apiVersion)} ${String(manifest.kind)}`);
    }
    const known = new Set<string>(["apiVersion", "kind", ...METADATA_PATHS, ...schema.specPaths]);
    // Labels and annotations are free-form maps.
    const freeForm = (path: string) => /^metadata\.(labels|annotations)\./.test(path) || path.startsWith("spec.syncPolicy.managedNamespaceMetadata.labels.");
    for (const segments of fieldPaths(manifest)) {
        const path = formatPath(segments);
        if (!known.has(path) && !freeForm(path)) problems.push(`${schema.kind} has no field ${path} (${schema.source})`);
    }
    return problems;
}

/** Keys of a cluster Secret's data, and of its config JSON, that Argo CD does not define. */
export function unknownClusterSecretFields(data: Record<string, string>): string[] {
    const problems = Object.keys(data)
        .filter((key) => !(ARGOCD_CLUSTER_SECRET.dataKeys as readonly string[]).includes(key))
        .map((key) => `cluster Secret has no data key ${key}`);
    let config: unknown = {};
    try {
        config = JSON.parse(data.config ?? "{}");
    } catch {
        return [...problems, "cluster Secret config is not JSON"];
    }
    for (const segments of fieldPaths(config)) {
        const path = segments.join(".");
        // execProviderConfig.env is a free-form map.
        if (!(ARGOCD_CLUSTER_SECRET.configPaths as readonly string[]).includes(path) && !path.startsWith("execProviderConfig.env.")) {
            problems.push(`cluster Secret config has no field ${path}`);
        }
    }
    return problems;
}
