/**
 * The principals of an env as the IAM tests see them: the roles the stacks render (runner, IRSA, node and Argo
 * CD roles, read from `renderEnv`, the graphs `mitene render` writes) and the roles `mitene identity`
 * generates (deploy, preview, rollback), each with its ARN, trust and permission documents.
 */
import { renderEnv, RenderedResource, RenderedStack } from "../../automation/programs/render";
import { FAKE_ACCOUNT_ID } from "../../fakecloud/resources";
import { identityScope } from "../../automation/commands/identity";
import { accessRolePolicy } from "../../components/identity/policies";
import { ACCESS_ROLES, AccessRole, IdentityScope, accessRoleArn, accessRoleTrust } from "../../components/identity/roles";
import { Principal } from "./simulator";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const json = (value: unknown): Record<string, unknown> => (typeof value === "string" ? (JSON.parse(value) as Record<string, unknown>) : (value as Record<string, unknown>));

export interface RenderedRole extends Principal {
    stack: string;
    /** The Role resource's logical name (`ci-deploy-runner`, `svc-fluent-bit-irsa`, ...). */
    logical: string;
    /** AWS managed policies attached by ARN. */
    managed: string[];
}

/**
 * Each Role of a graph with what belongs to it. The project gives a role's RolePolicy the role's logical name
 * and parent, and its attachments `<role>-<policy>`; the role's name is its `name` input, else the name the
 * fake cloud gave it, which its RolePolicy or attachments carry in `role`.
 */
export function renderedRoles(graph: RenderedStack, accountId: string): RenderedRole[] {
    const sibling = (role: RenderedResource, type: string, match: (r: RenderedResource) => boolean) =>
        graph.resources.filter((r) => r.type === type && r.parent === role.parent && match(r));
    return graph.resources.filter((r) => r.type === ROLE).map((role) => {
        const policies = sibling(role, ROLE_POLICY, (r) => r.name === role.name);
        const attachments = sibling(role, ATTACHMENT, (r) => r.name.startsWith(`${role.name}-`));
        const name = [role.inputs.name, policies[0]?.inputs.role, attachments[0]?.inputs.role].find((n): n is string => typeof n === "string") ?? role.name;
        const inline = ((role.inputs.inlinePolicies as { policy: unknown }[] | undefined) ?? []).map((p) => json(p.policy));
        return {
            stack: graph.stack,
            logical: role.name,
            label: `${graph.stack} ${role.name}`,
            arn: `arn:aws:iam::${accountId}:role/${name}`,
            trust: json(role.inputs.assumeRolePolicy),
            policies: [...policies.map((p) => json(p.inputs.policy)), ...inline],
            managed: attachments.map((a) => String(a.inputs.policyArn)),
        };
    });
}

/** An operator's SSO role in the tests' scope (AWS IAM Identity Center names roles like this). */
export const OPERATOR_PATTERN = (accountId: string) => `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_MiteneAdmin_*`;

export interface EnvPrincipals {
    env: string;
    scope: IdentityScope;
    graphs: RenderedStack[];
    rendered: RenderedRole[];
    access: Record<AccessRole, Principal>;
    /** The rendered role of `logical` in the stack whose name starts with `stackPrefix`. */
    role(stackPrefix: string, logical: string): RenderedRole;
}

/**
 * The graphs as AWS would render them in the env's account. The fake cloud answers getCallerIdentity with one
 * account for every env, so a staging render names the prod account in the ARNs the stacks build from it; on
 * AWS the providers are pinned to the env's account (allowedAccountIds), whose id getCallerIdentity returns.
 */
function inAccount(graphs: RenderedStack[], accountId: string): RenderedStack[] {
    return JSON.parse(JSON.stringify(graphs).split(`:${FAKE_ACCOUNT_ID}:`).join(`:${accountId}:`)) as RenderedStack[];
}

export async function envPrincipals(env: string): Promise<EnvPrincipals> {
    const probe = identityScope({ env, operatorRole: [] });
    const graphs = inAccount(await renderEnv(env), probe.accountId);
    const scope = identityScope({ env, operatorRole: [OPERATOR_PATTERN(probe.accountId)] });
    const rendered = graphs.flatMap((graph) => renderedRoles(graph, scope.accountId));
    const access = Object.fromEntries(ACCESS_ROLES.map((role) => [role, {
        label: `${role} role`,
        arn: accessRoleArn(scope, role),
        trust: accessRoleTrust(scope, role),
        policies: [accessRolePolicy(scope, role)],
    }])) as Record<AccessRole, Principal>;
    return {
        env,
        scope,
        graphs,
        rendered,
        access,
        role(stackPrefix, logical) {
            const found = rendered.filter((r) => r.stack.startsWith(stackPrefix) && r.logical === logical);
            if (found.length === 0) throw new Error(`no rendered role ${logical} in ${stackPrefix}*: ${rendered.map((r) => `${r.stack}/${r.logical}`).join(", ")}`);
            return found[0];
        },
    };
}
