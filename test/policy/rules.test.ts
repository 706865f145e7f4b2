import * as assert from "node:assert/strict";
import { RULES, checkResource } from "../../policy/rules";
import { RULE_CASES } from "./cases";

describe("policy rules", () => {
    it("have unique kebab-case names, a description and a level, and a case table each", () => {
        const names = RULES.map((rule) => rule.name);
        assert.equal(new Set(names).size, names.length);
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(rule.description.length > 20, rule.name);
            assert.ok(["mandatory", "advisory"].includes(rule.enforcementLevel), rule.name);
        }
        assert.deepEqual(Object.keys(RULE_CASES).sort(), [...names].sort());
    });

    for (const rule of RULES) {
        describe(rule.name, () => {
            const cases = RULE_CASES[rule.name];
            cases.passes.forEach((resource, i) => {
                it(`passes ${resource.type} #${i}`, () => assert.deepEqual(checkResource(rule, resource), []));
            });
            cases.violations.forEach(({ resource, messages }, i) => {
                it(`flags ${resource.type} #${i}`, () => {
                    const found = checkResource(rule, resource);
                    assert.equal(found.length, messages.length, `got ${JSON.stringify(found)}`);
                    messages.forEach((message, j) => assert.match(found[j], message));
                });
            });
        });
    }

    it("leave resources of other types alone", () => {
        const kms = RULES.find((rule) => rule.name === "kms-key-rotation")!;
        assert.deepEqual(checkResource(kms, { type: "aws:s3/bucket:Bucket", name: "b", inputs: {} }), []);
    });

    // In a real preview the @pulumi/eks components may arrive without inputs; their AWS resources are judged.
    it("skip @pulumi/eks components registered without inputs, not the AWS resources they create", () => {
        const flaggedBy = (type: string) => RULES.filter((rule) => checkResource(rule, { type, name: "c", inputs: {} }).length > 0).map((rule) => rule.name);
        assert.deepEqual(flaggedBy("eks:index:Cluster"), []);
        assert.deepEqual(flaggedBy("eks:index:ManagedNodeGroup"), []);
        assert.deepEqual(flaggedBy("aws:eks/cluster:Cluster"), ["eks-private-endpoint", "eks-secrets-encryption", "eks-control-plane-logs", "eks-access-entries"]);
        assert.deepEqual(flaggedBy("aws:eks/nodeGroup:NodeGroup"), ["node-imdsv2"]);
    });
});
