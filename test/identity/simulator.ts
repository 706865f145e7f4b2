/**
 * The IAM policy simulator (@cloud-copilot/iam-simulate) over the project's principals: a principal is a role
 * ARN, its trust and its permission policies. `decide` evaluates one request as AWS would (identity and
 * resource policies, same-account rules, explicit denies, conditions) and returns Allowed, ImplicitlyDenied or
 * ExplicitlyDenied; a request the simulator rejects (an unknown action, a malformed policy) fails the test.
 *
 * Two paths:
 * - Everything is evaluated by `runSimulation`, which validates the action, the resource type and the policies
 *   against the IAM catalog first.
 * - Web-identity trusts (GitHub OIDC, IRSA) name condition keys the catalog does not list for
 *   sts:AssumeRoleWithWebIdentity (`<issuer>:sub` and `:aud`: iam-data 0.21 lists GitHub's `actor`,
 *   `environment`, `repository`, ... but not the standard OIDC claims), so `runSimulation` drops them as
 *   "ignored context keys" and would deny every such request. Those rows run through `runUnsafeSimulation`,
 *   which keeps every context key, after the trust has passed iam-policy's trust-policy validation.
 */
import { strict as assert } from "node:assert";
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../../components/iamPolicies";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface Principal {
    /** Who it is in the table (`preview role`, `deploy runner`, ...). */
    label: string;
    arn: string;
    trust: PolicyDocument | Record<string, unknown>;
    policies: (PolicyDocument | Record<string, unknown>)[];
}

export interface Request {
    /** The caller: a principal of the table, or a bare ARN or service (OIDC provider, `ec2.amazonaws.com`). */
    caller: Principal | string;
    action: string;
    resource: string;
    /** The target principal when the request assumes a role: its trust is the resource policy. */
    target?: Principal;
    /** Otherwise the resource's own policy, if it has one (a KMS key policy). */
    resourcePolicy?: Record<string, unknown>;
    context?: Record<string, string | string[]>;
}

const callerArn = (caller: Principal | string) => (typeof caller === "string" ? caller : caller.arn);
/** The account a request's resource lives in: the ARN's, or (S3, "*") the caller's. */
const accountOf = (resource: string, caller: string) => resource.split(":")[4] || caller.split(":")[4];

export async function decide(request: Request): Promise<Decision> {
    const caller = request.caller;
    const identityPolicies = typeof caller === "string" ? [] : caller.policies.map((policy, i) => ({ name: `${caller.label} #${i}`, policy }));
    for (const { name, policy } of identityPolicies) assert.deepEqual(validateIdentityPolicy(policy), [], `${name} is a valid identity policy`);
    const trust = request.target?.trust ?? request.resourcePolicy;
    if (request.target) assert.deepEqual(validateTrustPolicy(request.target.trust), [], `${request.target.label}'s trust is a valid trust policy`);
    const simulation = {
        request: {
            principal: callerArn(caller),
            action: request.action,
            resource: { resource: request.resource, accountId: accountOf(request.target?.arn ?? request.resource, request.target?.arn ?? callerArn(caller)) },
            // AWS sets aws:PrincipalArn on every request by a role; the simulator takes context as given.
            contextVariables: { ...(/:role\//.test(callerArn(caller)) ? { "aws:PrincipalArn": callerArn(caller) } : {}), ...request.context },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    };
    if (request.action.toLowerCase() === "sts:assumerolewithwebidentity") {
        assert.ok(trust, "a web-identity request names the role it assumes");
        return runUnsafeSimulation({ ...simulation, resourcePolicy: createValidatedPolicy(trust, validateTrustPolicy, { name: "trust" }) }, {});
    }
    const response = await runSimulation({ ...simulation, resourcePolicy: trust }, {});
    assert.notEqual(response.resultType, "error", `the simulator rejected ${request.action} on ${request.resource}: ${JSON.stringify(response.resultType === "error" ? response.errors : "")}`);
    if (response.resultType === "error") throw new Error("unreachable");
    const ignored = response.resultType === "single" ? response.result.ignoredContextKeys ?? [] : [];
    assert.deepEqual(ignored, [], `context keys the simulator ignored for ${request.action}: the row would not test them`);
    return response.overallResult;
}
