import { strict as assert } from "node:assert";
import fc from "fast-check";
import { GraphResource, ResourceChange, destroyDuration, graphChanges, upDuration } from "../../automation/scenario/durations";
import { DEFAULT_SCENARIO } from "../../automation/scenario/scenario";

const MINUTE = 60_000;
const d = DEFAULT_SCENARIO.durations;
const change = (type: string, op: ResourceChange["op"], keys: string[] = []): ResourceChange => ({ type, urn: `urn:${type}`, op, keys });

describe("scenario/durations: what an operation costs in virtual time", () => {
    const cases: [string, string, ResourceChange[], number][] = [
        ["nothing changed", "mitene-prod-us-west-2-green", [], 0],
        ["a region stack change", "region-prod-us-west-2", [change("aws:lb/listenerRule:ListenerRule", "update", ["actions"])], d.regionUp],
        ["a new cluster (mock runtime graph)", "mitene-prod-us-west-2-green", [change("eks:index:Cluster", "create")], d.clusterUp],
        ["a new cluster (engine steps)", "mitene-prod-us-west-2-green", [change("aws:eks/cluster:Cluster", "create")], d.clusterUp],
        ["a cluster version change (engine steps)", "mitene-prod-us-west-2-green", [change("aws:eks/cluster:Cluster", "update", ["version"])], d.clusterUp],
        ["a label change on a service cluster", "mitene-prod-us-west-2-green", [change("kubernetes:core/v1:Secret", "update", ["metadata"])], d.labelUp],
        ["the Ops control plane (mock)", "ops-prod", [change("eks:index:Cluster", "update", ["version"])], d.opsControlPlane],
        ["the Ops control plane (engine)", "ops-prod", [change("aws:eks/cluster:Cluster", "update", ["version"])], d.opsControlPlane],
        ["the Ops add-ons (mock)", "ops-prod", [change("eks:index:Cluster", "update", ["corednsAddonOptions"])], d.opsAddons],
        ["the Ops add-ons (engine)", "ops-prod", [change("aws:eks/addon:Addon", "update", ["addonVersion"])], d.opsAddons],
        ["the Ops node groups (engine)", "ops-prod", [change("aws:eks/nodeGroup:NodeGroup", "update", ["version"])], d.opsNodes],
        ["the add-on options and CoreDNS moving together count once", "ops-prod", [change("eks:index:Cluster", "update", ["kubeProxyAddonOptions"]), change("aws:eks/addon:Addon", "update", ["addonVersion"])], d.opsAddons],
        ["the control plane and CoreDNS add up", "ops-prod", [change("eks:index:Cluster", "update", ["version"]), change("aws:eks/addon:Addon", "update", ["addonVersion"])], d.opsControlPlane + d.opsAddons],
        ["Ops stages add up", "ops-prod", [change("eks:index:Cluster", "update", ["version", "vpcCniOptions"]), change("eks:index:ManagedNodeGroup", "update", ["version"])], d.opsControlPlane + d.opsAddons + d.opsNodes],
        ["anything else on Ops is a label change", "ops-prod", [change("kubernetes:helm.sh/v3:Release", "update", ["values"])], d.labelUp],
        ["a new Ops cluster", "ops-prod", [change("aws:eks/cluster:Cluster", "create")], d.clusterUp],
    ];
    for (const [what, stack, changes, minutes] of cases) {
        it(`${what}: ${minutes} min`, () => assert.equal(upDuration(stack, changes, DEFAULT_SCENARIO), minutes * MINUTE));
    }

    it("destroying a cluster takes clusterDestroy, anything else regionUp, nothing 0", () => {
        assert.equal(destroyDuration([{ type: "aws:iam/role:Role" }, { type: "aws:eks/cluster:Cluster" }], DEFAULT_SCENARIO), d.clusterDestroy * MINUTE);
        assert.equal(destroyDuration([{ type: "eks:index:Cluster" }], DEFAULT_SCENARIO), d.clusterDestroy * MINUTE);
        assert.equal(destroyDuration([{ type: "aws:iam/role:Role" }], DEFAULT_SCENARIO), d.regionUp * MINUTE);
        assert.equal(destroyDuration([], DEFAULT_SCENARIO), 0);
    });

    const graph = fc.uniqueArray(
        fc.record({ type: fc.constantFrom("eks:index:Cluster", "aws:iam/role:Role"), urn: fc.string({ minLength: 1 }), inputs: fc.dictionary(fc.constantFrom("a", "b", "version"), fc.jsonValue()) }),
        { selector: (r) => r.urn, maxLength: 6 },
    );

    it("a graph compared with itself has no changes", () => {
        fc.assert(fc.property(graph, (g: GraphResource[]) => graphChanges(g, structuredClone(g)).length === 0));
    });

    it("every resource of either graph that differs is one change, with the keys that differ", () => {
        fc.assert(
            fc.property(graph, graph, (before: GraphResource[], after: GraphResource[]) => {
                const changes = graphChanges(before, after);
                const urns = new Set([...before, ...after].map((r) => r.urn));
                for (const urn of urns) {
                    const [b, a] = [before.find((r) => r.urn === urn), after.find((r) => r.urn === urn)];
                    const found = changes.filter((c) => c.urn === urn);
                    const expected = !b ? "create" : !a ? "delete" : JSON.stringify(b.inputs) === JSON.stringify(a.inputs) && Object.keys(b.inputs).length === Object.keys(a.inputs).length ? undefined : "update";
                    if (expected === undefined) {
                        if (found.length > 0 && found[0].keys.length > 0) return false;
                        continue;
                    }
                    if (found.length !== 1 || found[0].op !== expected) return false;
                    if (expected === "update" && !found[0].keys.every((key) => JSON.stringify(b!.inputs[key]) !== JSON.stringify(a!.inputs[key]))) return false;
                }
                return true;
            }),
        );
    });
});
