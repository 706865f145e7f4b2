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
                it(`passes ${resource.type} #${i}`, async () => assert.deepEqual(await checkResource(rule, resource), []));
            });
            cases.violations.forEach(({ resource, messages }, i) => {
                it(`flags ${resource.type} #${i}`, async () => {
                    const found = await checkResource(rule, resource);
                    assert.equal(found.length, messages.length, `got ${JSON.stringify(found)}`);
                    messages.forEach((message, j) => assert.match(found[j], message));
                });
            });
        });
    }

    it("leave resources of other types alone", async () => {
        const kms = RULES.find((rule) => rule.name === "kms-key-rotation")!;
        assert.deepEqual(await checkResource(kms, { type: "aws:s3/bucket:Bucket", name: "b", inputs: {} }), []);
    });

    // In a real preview the @pulumi/eks components may arrive without inputs; their AWS resources are judged.
    it("skip @pulumi/eks components registered without inputs, not the AWS resources they create", async () => {
        const flaggedBy = async (type: string) => {
            const flagged = await Promise.all(RULES.map(async (rule) => ((await checkResource(rule, { type, name: "c", inputs: {} })).length > 0 ? [rule.name] : [])));
            return flagged.flat();
        };
        assert.deepEqual(await flaggedBy("eks:index:Cluster"), []);
        assert.deepEqual(await flaggedBy("eks:index:ManagedNodeGroup"), []);
        assert.deepEqual(await flaggedBy("aws:eks/cluster:Cluster"), ["eks-private-endpoint", "eks-secrets-encryption", "eks-control-plane-logs", "eks-access-entries"]);
        assert.deepEqual(await flaggedBy("aws:eks/nodeGroup:NodeGroup"), ["node-imdsv2"]);
    });
});
