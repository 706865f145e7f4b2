/**
 * Kubernetes API versions deprecated or removed per release: the facts pluto and kubent check, as data.
 * Source: Kubernetes "Deprecated API Migration Guide" (kubernetes.io/docs/reference/using-api/deprecation-guide)
 * and FairwindsOps/pluto versions.yaml, read 2026-11-21; each deprecated/removed minor re-checked against the
 * generated APILifecycleDeprecated/Removed of kubernetes/api (2026-11-27). `.ci/run` compares the table with
 * pluto's; where pluto is wrong the waiver in .ci/waivers.yaml says so. No API version is removed in
 * 1.33-1.36; add rows when a release announces removals.
 */
import { compareMinor } from "../../components/kubernetesVersions";

export interface ApiDeprecation {
    apiVersion: string;
    kind: string;
    deprecatedIn: string;
    /** null: deprecated with no removal scheduled. */
    removedIn: string | null;
    replacement: string;
}

export const API_DEPRECATIONS: readonly ApiDeprecation[] = [
    { apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", deprecatedIn: "1.21", removedIn: "1.25", replacement: "Pod Security Admission" },
    { apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", deprecatedIn: "1.21", removedIn: "1.25", replacement: "policy/v1" },
    { apiVersion: "batch/v1beta1", kind: "CronJob", deprecatedIn: "1.21", removedIn: "1.25", replacement: "batch/v1" },
    { apiVersion: "discovery.k8s.io/v1beta1", kind: "EndpointSlice", deprecatedIn: "1.21", removedIn: "1.25", replacement: "discovery.k8s.io/v1" },
    { apiVersion: "events.k8s.io/v1beta1", kind: "Event", deprecatedIn: "1.22", removedIn: "1.25", replacement: "events.k8s.io/v1" },
    { apiVersion: "node.k8s.io/v1beta1", kind: "RuntimeClass", deprecatedIn: "1.22", removedIn: "1.25", replacement: "node.k8s.io/v1" },
    { apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler", deprecatedIn: "1.22", removedIn: "1.25", replacement: "autoscaling/v2" },
    { apiVersion: "autoscaling/v2beta2", kind: "HorizontalPodAutoscaler", deprecatedIn: "1.23", removedIn: "1.26", replacement: "autoscaling/v2" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", kind: "FlowSchema", deprecatedIn: "1.23", removedIn: "1.26", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", kind: "PriorityLevelConfiguration", deprecatedIn: "1.23", removedIn: "1.26", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "storage.k8s.io/v1beta1", kind: "CSIStorageCapacity", deprecatedIn: "1.24", removedIn: "1.27", replacement: "storage.k8s.io/v1" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", kind: "FlowSchema", deprecatedIn: "1.26", removedIn: "1.29", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", kind: "PriorityLevelConfiguration", deprecatedIn: "1.26", removedIn: "1.29", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "FlowSchema", deprecatedIn: "1.29", removedIn: "1.32", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "PriorityLevelConfiguration", deprecatedIn: "1.29", removedIn: "1.32", replacement: "flowcontrol.apiserver.k8s.io/v1" },
    { apiVersion: "v1", kind: "Endpoints", deprecatedIn: "1.33", removedIn: null, replacement: "discovery.k8s.io/v1 EndpointSlice" },
];

/** `kubernetes:policy/v1beta1:PodDisruptionBudget` -> `{ apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget" }`. */
export function kubernetesApiOf(type: string): { apiVersion: string; kind: string } | undefined {
    const match = type.match(/^kubernetes:([^:]+):([A-Za-z]+)$/);
    if (!match || match[1].startsWith("helm.sh/") || match[1].startsWith("yaml/")) return undefined;
    return { apiVersion: match[1].replace(/^core\//, ""), kind: match[2] };
}

export interface ApiUse {
    /** Resource type and name in the graph. */
    resource: string;
    deprecation: ApiDeprecation;
    removed: boolean;
}

/** Resources of a graph whose API version is removed in (or deprecated by) `target`. */
export function apiUses(resources: readonly { type: string; name: string }[], target: string): ApiUse[] {
    const uses: ApiUse[] = [];
    for (const resource of resources) {
        const api = kubernetesApiOf(resource.type);
        if (!api) continue;
        const deprecation = API_DEPRECATIONS.find((d) => d.apiVersion === api.apiVersion && d.kind === api.kind);
        if (!deprecation || compareMinor(target, deprecation.deprecatedIn) < 0) continue;
        const removed = deprecation.removedIn !== null && compareMinor(target, deprecation.removedIn) >= 0;
        uses.push({ resource: `${resource.type}::${resource.name}`, deprecation, removed });
    }
    return uses;
}
