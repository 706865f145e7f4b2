/**
 * The rules as @pulumi/policy policies, called the way the policy SDK's analyzer calls them, without a server.
 */
import * as assert from "node:assert/strict";
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { PolicyResource, RULES } from "../../policy/rules";
import { RULE_CASES } from "./cases";

class NotApplicable extends Error {}

/** Runs one policy on one resource: the messages it reports, or NotApplicable. */
async function validate(name: string, { type, name: resourceName, inputs }: PolicyResource): Promise<string[]> {
    const policy = policies.find((p) => p.name === name)!;
    const reported: string[] = [];
    const args = {
        type,
        name: resourceName,
        urn: `urn:pulumi:ops-prod::mitene::${type}::${resourceName}`,
        props: inputs,
        notApplicable: (reason?: string) => {
            throw new NotApplicable(reason);
        },
    } as unknown as ResourceValidationArgs;
    await (policy.validateResource as ResourceValidation)(args, (message) => reported.push(message));
    return reported;
}

describe("policy pack policies", () => {
    it("are the rules, by name, description and enforcement level", () => {
        assert.deepEqual(
            policies.map((p) => [p.name, p.description, p.enforcementLevel]),
            RULES.map((rule) => [rule.name, rule.description, rule.enforcementLevel]),
        );
    });

    it("report every message of a violation and nothing for a compliant resource", async () => {
        for (const [name, cases] of Object.entries(RULE_CASES)) {
            for (const resource of cases.passes) assert.deepEqual(await validate(name, resource), [], `${name} ${resource.type}`);
            for (const { resource, messages } of cases.violations) assert.equal((await validate(name, resource)).length, messages.length, `${name} ${resource.type}`);
        }
    });

    it("declare themselves not applicable to other resource types", async () => {
        await assert.rejects(() => validate("kms-key-rotation", { type: "aws:s3/bucket:Bucket", name: "logs", inputs: {} }), NotApplicable);
    });
});
