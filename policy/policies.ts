/**
 * The rules as @pulumi/policy resource policies. Kept apart from index.ts, which starts the analyzer server
 * on import, so the policies can be exercised without one.
 *
 * Generic `validateResource` rather than `validateResourceOfType`: a rule covers several type tokens (the
 * @pulumi/eks component and the AWS resource it creates), and matching on tokens keeps the provider SDKs out
 * of the pack.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { RULES, checkResource } from "./rules";

export const policies: ResourceValidationPolicy[] = RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    validateResource: async (args, reportViolation) => {
        if (!rule.types.includes(args.type)) args.notApplicable(`applies to ${rule.types.join(", ")}`);
        for (const message of await checkResource(rule, { type: args.type, name: args.name, inputs: args.props })) reportViolation(message);
    },
}));
