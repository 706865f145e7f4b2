/**
 * The graph half of `read-only-principals`: a read-only principal (iamAccess.ts) holds whatever a role it can
 * assume holds. So every role whose trust admits one to sts:AssumeRole (its Principal names the principal's
 * role ARN, or is "*"), or admits a role so reached, and so on, may hold reads only: its inline policies, the
 * role policies naming it and its attached managed policies (whose rights the rule cannot see) are judged with
 * the IAM catalog's access levels, like the principal's own policies but with no allowance at all. A trust on
 * the account (`:root`) defers to the caller's own policy, which the per-resource half keeps from assuming any
 * role but itself.
 *
 * Over rendered graphs only (`mitene policy`, and `npm test` over the committed render): a role policy is a
 * resource of its own, linked to its role by name, which a real preview's per-resource analyzer cannot follow.
 */
import { catalogActions, inlinePolicies, oneOrMany, policyDocument, readOnlyPrincipal, writeProblems } from "./iamAccess";
import { asList, asRecord } from "./inputs";
import type { EnvGraphResource, EnvRule, EnvStackGraph, EnvViolation } from "./envGraph";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const EVERYONE = "*";

async function coversAssumeRole(patterns: unknown[]): Promise<boolean> {
    for (const pattern of patterns.map(String)) {
        if (pattern === "*" || (await catalogActions(pattern)).some((a) => a.action.toLowerCase() === "sts:assumerole")) return true;
    }
    return false;
}

/** The principals a trust lets call sts:AssumeRole: role ARNs as written, or "*" for anyone. */
async function assumers(assumeRolePolicy: unknown): Promise<string[]> {
    const found: string[] = [];
    for (const statement of oneOrMany(policyDocument(assumeRolePolicy)?.Statement).map(asRecord)) {
        if (statement.Effect !== "Allow") continue;
        const admits = statement.NotAction !== undefined ? !(await coversAssumeRole(oneOrMany(statement.NotAction))) : await coversAssumeRole(oneOrMany(statement.Action));
        if (!admits) continue;
        const principal = statement.Principal;
        found.push(...(principal === EVERYONE ? [EVERYONE] : oneOrMany(asRecord(principal).AWS).map(String)));
    }
    return found;
}

/** The role name of a role ARN (its path left out); undefined for anything else. */
const roleNameOf = (arn: string) => arn.match(/^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/)?.[1];

/** Whether `name` names this Role: its `name` input, else Pulumi's auto-name `<logical name>-<7 hex>`. */
function isNamed(role: EnvGraphResource, name: unknown): boolean {
    if (typeof name !== "string") return false;
    if (typeof role.inputs.name === "string") return role.inputs.name === name;
    if (typeof role.inputs.namePrefix === "string") return name.startsWith(role.inputs.namePrefix);
    return name.startsWith(`${role.name}-`) && /^[0-9a-f]{7}$/.test(name.slice(role.name.length + 1));
}

const nameOf = (role: EnvGraphResource) => (typeof role.inputs.name === "string" ? role.inputs.name : role.name);

interface Located {
    stack: string;
    resource: EnvGraphResource;
}

/**
 * The roles read-only principals can reach by assuming them, each with who reaches it (`via`). The named
 * principals themselves are left out: the per-resource half judges them with their allowance.
 */
async function reachedRoles(graphs: readonly EnvStackGraph[]): Promise<Map<Located, string>> {
    const roles = graphs.flatMap((g) => g.resources.filter((r) => r.type === ROLE && !readOnlyPrincipal(r.inputs.name)).map((resource) => ({ stack: g.stack, resource })));
    const trusts = await Promise.all(roles.map((role) => assumers(role.resource.inputs.assumeRolePolicy)));
    const reached = new Map<Located, string>();
    const reacher = (principal: string): string | undefined => {
        if (principal === EVERYONE) return `any principal ("*"), read-only ones included`;
        const name = roleNameOf(principal);
        if (readOnlyPrincipal(name)) return `read-only ${name}`;
        const via = [...reached].find(([role]) => isNamed(role.resource, name));
        return via && `${nameOf(via[0].resource)}, which ${via[1]} can assume`;
    };
    // Until no role is added: a role reached through another may come before it.
    for (let grew = true; grew; ) {
        grew = false;
        roles.forEach((role, i) => {
            if (reached.has(role)) return;
            const via = trusts[i].map(reacher).find((v) => v !== undefined);
            if (via) {
                reached.set(role, via);
                grew = true;
            }
        });
    }
    return reached;
}

const unseen = (subject: string, arn: unknown) => `${subject} has the managed policy ${String(arn)} attached, whose rights this rule cannot see`;

export const readOnlyReach: EnvRule = {
    name: "read-only-principals",
    description: "No role that the preview role or a CI runner's role can assume, directly or through other roles, holds a write right (the graph half of the resource rule).",
    enforcementLevel: "mandatory",
    async check(graphs) {
        const reached = await reachedRoles(graphs);
        const resources = graphs.flatMap((g) => g.resources.map((resource) => ({ stack: g.stack, resource })));
        const violations: EnvViolation[] = [];
        const report = ({ stack, resource }: Located, messages: string[]) =>
            violations.push(...messages.map((message) => ({ stack, resource: `${resource.type}::${resource.name}`, message })));
        for (const [role, via] of reached) {
            const subject = `role ${nameOf(role.resource)} (assumable by ${via})`;
            const inline = await Promise.all(inlinePolicies(role.resource.inputs).map((document) => writeProblems(subject, document)));
            report(role, [...inline.flat(), ...asList(role.resource.inputs.managedPolicyArns).map((arn) => unseen(subject, arn))]);
            for (const linked of resources.filter((r) => isNamed(role.resource, r.resource.inputs.role))) {
                if (linked.resource.type === ROLE_POLICY) report(linked, await writeProblems(subject, linked.resource.inputs.policy));
                if (linked.resource.type === ATTACHMENT) report(linked, [unseen(subject, linked.resource.inputs.policyArn)]);
            }
        }
        return violations;
    },
};
