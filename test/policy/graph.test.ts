import * as assert from "node:assert/strict";
import { evaluatePolicies } from "../../policy/graph";

const unrotatedKey = { type: "aws:kms/key:Key", name: "ops-cluster-secrets", parent: "urn:pulumi:ops-prod::mitene::mitene:eks:EksCluster::ops-cluster", inputs: { enableKeyRotation: false } };
const unprotectedAlb = {
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: "edge-lb-alb",
    inputs: { dropInvalidHeaderFields: true, enableDeletionProtection: false, accessLogs: { bucket: "logs", enabled: true } },
};
const rotatedKey = { type: "aws:kms/key:Key", name: "svc-cluster-secrets", inputs: { enableKeyRotation: true } };

describe("policy graph evaluation", () => {
    it("reports each violation with its stack, resource, rule, level and message, in stack order", async () => {
        const violations = await evaluatePolicies([
            { stack: "ops-prod", resources: [unrotatedKey] },
            { stack: "mitene-prod-us-west-2-blue", resources: [rotatedKey] },
            { stack: "region-prod-us-west-2", resources: [unprotectedAlb] },
        ]);
        assert.deepEqual(violations, [
            { stack: "ops-prod", resource: "aws:kms/key:Key::ops-cluster-secrets", rule: "kms-key-rotation", level: "mandatory", message: "enableKeyRotation must be true" },
            {
                stack: "region-prod-us-west-2",
                resource: "aws:lb/loadBalancer:LoadBalancer::edge-lb-alb",
                rule: "alb-deletion-protection",
                level: "advisory",
                message: "enableDeletionProtection should be true",
            },
        ]);
    });

    it("finds nothing in graphs without resources the rules look at", async () => {
        assert.deepEqual(await evaluatePolicies([{ stack: "ops-prod", resources: [{ type: "pulumi:pulumi:Stack", name: "mitene-ops-prod", inputs: {} }] }]), []);
    });
});
