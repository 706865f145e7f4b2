/**
 * How long an operation would take on AWS, from what it changes: creating an EKS cluster is the long pole,
 * a label change is a minute. Durations come from the scenario (docs/cli.md gives the defaults). The sim and the local
 * engine both advance their virtual clocks by these, so their `durationMinutes` compare.
 *
 * The changes come in two shapes. The sim compares the graphs the mock runtime records, where a remote
 * component (`eks:index:Cluster`) shows its inputs. The local engine has the real engine's steps, where a
 * component has no inputs of its own and the change shows on its aws children (`aws:eks/cluster:Cluster`,
 * `aws:eks/addon:Addon`, `aws:eks/nodeGroup:NodeGroup`). The model reads both.
 */
import { parseStackName } from "../../components/naming";
import { Scenario } from "./scenario";

const MINUTE = 60_000;
const CONTROL_PLANES = new Set(["eks:index:Cluster", "aws:eks/cluster:Cluster"]);
const NODE_GROUPS = new Set(["eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup"]);
const ADDON = "aws:eks/addon:Addon";
/** The core add-on settings of `eks:index:Cluster`, as the mock runtime sees them. */
const ADDON_INPUTS = ["vpcCniOptions", "corednsAddonOptions", "kubeProxyAddonOptions"];

/** What the model needs of a resource of a stack's graph. */
export interface GraphResource {
    type: string;
    urn: string;
    inputs: Record<string, unknown>;
}

/** One resource an operation created, changed (top-level inputs `keys`) or deleted. */
export interface ResourceChange {
    type: string;
    urn: string;
    op: "create" | "update" | "delete";
    keys: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The changes between two graphs of a stack, by URN. */
export function graphChanges(before: GraphResource[], after: GraphResource[]): ResourceChange[] {
    const old = new Map(before.map((r) => [r.urn, r]));
    const next = new Set(after.map((r) => r.urn));
    const changes: ResourceChange[] = [];
    for (const r of after) {
        const previous = old.get(r.urn);
        if (!previous) {
            changes.push({ type: r.type, urn: r.urn, op: "create", keys: [] });
            continue;
        }
        const keys = [...new Set([...Object.keys(previous.inputs), ...Object.keys(r.inputs)])].filter((key) => !same(previous.inputs[key], r.inputs[key]));
        if (keys.length > 0) changes.push({ type: r.type, urn: r.urn, op: "update", keys });
    }
    for (const r of before) if (!next.has(r.urn)) changes.push({ type: r.type, urn: r.urn, op: "delete", keys: [] });
    return changes;
}

/** Virtual milliseconds an `up` of `stack` takes, given what it changed. */
export function upDuration(stack: string, changes: ResourceChange[], scenario: Scenario): number {
    const d = scenario.durations;
    if (changes.length === 0) return 0;
    const kind = parseStackName(stack)?.kind;
    if (kind === "region") return d.regionUp * MINUTE;
    const planes = changes.filter((c) => CONTROL_PLANES.has(c.type));
    const clusterCreated = planes.some((c) => c.op === "create");
    if (kind === "cluster") return (clusterCreated || planes.some((c) => c.op === "update") ? d.clusterUp : d.labelUp) * MINUTE;
    // The Ops cluster is upgraded in place: each kind of change has its own duration, and they add up.
    if (clusterCreated) return d.clusterUp * MINUTE;
    const updatedPlanes = planes.filter((c) => c.op === "update");
    let minutes = 0;
    if (updatedPlanes.some((c) => c.keys.includes("version"))) minutes += d.opsControlPlane;
    if (updatedPlanes.some((c) => c.keys.some((key) => ADDON_INPUTS.includes(key))) || changes.some((c) => c.type === ADDON && c.op !== "delete")) minutes += d.opsAddons;
    if (changes.some((c) => NODE_GROUPS.has(c.type) && c.op !== "delete")) minutes += d.opsNodes;
    return (minutes || d.labelUp) * MINUTE;
}

/** Virtual milliseconds a destroy of these resources takes. */
export function destroyDuration(resources: { type: string }[], scenario: Scenario): number {
    if (resources.length === 0) return 0;
    return (resources.some((r) => CONTROL_PLANES.has(r.type)) ? scenario.durations.clusterDestroy : scenario.durations.regionUp) * MINUTE;
}
