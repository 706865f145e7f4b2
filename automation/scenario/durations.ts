/**
 * How long an operation would take on AWS, from what it changes: creating an EKS cluster is the long pole,
 * a label change is a minute. Durations come from the scenario (CONTRACT.md defaults). The sim and the local
 * engine both advance their virtual clocks by these, so their `durationMinutes` compare.
 */
import { parseStackName } from "../../components/naming";
import { Scenario } from "./scenario";

/** What the model needs of a resource of a stack's graph: from the mock runtime (sim) or a Pulumi checkpoint (local). */
export interface GraphResource {
    type: string;
    urn: string;
    inputs: Record<string, unknown>;
}

const MINUTE = 60_000;
const CLUSTER = "eks:index:Cluster";
const NODE_GROUP = "eks:index:ManagedNodeGroup";
const ADDON_INPUTS = ["vpcCniOptions", "corednsAddonOptions", "kubeProxyAddonOptions"];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Resources created or whose inputs changed, by URN. */
export function changedResources<R extends GraphResource>(before: R[], after: R[]) {
    const old = new Map(before.map((r) => [r.urn, r]));
    const next = new Map(after.map((r) => [r.urn, r]));
    const created = after.filter((r) => !old.has(r.urn));
    const updated = after.filter((r) => old.has(r.urn) && !same(old.get(r.urn)!.inputs, r.inputs));
    const deleted = before.filter((r) => !next.has(r.urn));
    return { created, updated, deleted, old };
}

/** Virtual milliseconds an `up` takes, given the graphs before and after. */
export function upDuration(stack: string, before: GraphResource[], after: GraphResource[], scenario: Scenario): number {
    const d = scenario.durations;
    const { created, updated, deleted, old } = changedResources(before, after);
    if (created.length + updated.length + deleted.length === 0) return 0;
    const kind = parseStackName(stack)?.kind;
    if (kind === "region") return d.regionUp * MINUTE;
    const clusterCreated = created.some((r) => r.type === CLUSTER);
    if (kind === "cluster") return (clusterCreated || updated.some((r) => r.type === CLUSTER) ? d.clusterUp : d.labelUp) * MINUTE;
    // The Ops cluster is upgraded in place: each kind of change has its own duration, and they add up.
    if (clusterCreated) return d.clusterUp * MINUTE;
    let minutes = 0;
    for (const resource of updated) {
        const previous = old.get(resource.urn)!.inputs;
        if (resource.type === CLUSTER && !same(previous.version, resource.inputs.version)) minutes += d.opsControlPlane;
        if (resource.type === CLUSTER && ADDON_INPUTS.some((key) => !same(previous[key], resource.inputs[key]))) minutes += d.opsAddons;
    }
    if ([...created, ...updated].some((r) => r.type === NODE_GROUP)) minutes += d.opsNodes;
    return (minutes || d.labelUp) * MINUTE;
}

/** Virtual milliseconds a destroy takes. */
export function destroyDuration(resources: GraphResource[], scenario: Scenario): number {
    if (resources.length === 0) return 0;
    return (resources.some((r) => r.type === CLUSTER) ? scenario.durations.clusterDestroy : scenario.durations.regionUp) * MINUTE;
}
