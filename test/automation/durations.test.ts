/**
 * The sim's durations of an Ops update classify the core add-ons stage by what changed: the Cluster
 * component's vpc-cni/kube-proxy options and, since CoreDNS is its own EKS add-on created after the node
 * groups, the version of that add-on resource.
 */
import { strict as assert } from "node:assert";
import { upDuration } from "../../automation/sim/durations";
import { DEFAULT_SCENARIO } from "../../automation/sim/scenario";
import { RecordedResource } from "../../mocks/runtime";

const MINUTE = 60_000;
const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
    type,
    name,
    urn: `urn:pulumi:ops-prod::mitene::${type}::${name}`,
    parent: null,
    custom: true,
    inputs,
});
const cluster = (version: string, kubeProxy: string) => resource("eks:index:Cluster", "ops-cluster-eks", { version, kubeProxyAddonOptions: { version: kubeProxy } });
const coredns = (addonVersion: string) => resource("aws:eks/addon:Addon", "ops-cluster-coredns", { addonName: "coredns", addonVersion });
const { opsAddons, opsControlPlane } = DEFAULT_SCENARIO.durations;

describe("sim durations: the Ops cluster's core add-ons stage", () => {
    it("counts a CoreDNS add-on version change as the core add-ons stage", () => {
        const before = [cluster("1.35", "v1.34"), coredns("v1.13")];
        assert.equal(upDuration("ops-prod", before, [cluster("1.35", "v1.34"), coredns("v1.14")], DEFAULT_SCENARIO), opsAddons * MINUTE);
    });

    it("counts the stage once when the Cluster's add-on options and CoreDNS move together", () => {
        const before = [cluster("1.35", "v1.34"), coredns("v1.13")];
        assert.equal(upDuration("ops-prod", before, [cluster("1.35", "v1.35"), coredns("v1.14")], DEFAULT_SCENARIO), opsAddons * MINUTE);
    });

    it("adds the control plane and the add-ons when both change", () => {
        const before = [cluster("1.34", "v1.34"), coredns("v1.13")];
        assert.equal(upDuration("ops-prod", before, [cluster("1.35", "v1.34"), coredns("v1.14")], DEFAULT_SCENARIO), (opsControlPlane + opsAddons) * MINUTE);
    });
});
