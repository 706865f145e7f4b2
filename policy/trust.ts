/**
 * IRSA trust policies: which statements let a web identity assume a role, and whether each is pinned to one
 * Kubernetes service account of one cluster for the STS audience.
 */
import { catalogActions } from "./iamAccess";
import { asRecord } from "./inputs";

const WEB_IDENTITY = "sts:assumerolewithwebidentity";
const SERVICE_ACCOUNT = /^system:serviceaccount:[a-z0-9][-a-z0-9.]*:[a-z0-9][-a-z0-9.]*$/;

/** Whether an IAM action pattern covers AssumeRoleWithWebIdentity, as the IAM action catalog expands it. */
async function grantsWebIdentity(action: unknown): Promise<boolean> {
    if (typeof action !== "string") return false;
    if (action === "*") return true;
    return (await catalogActions(action)).some((covered) => covered.action.toLowerCase() === WEB_IDENTITY);
}

/** The value of a condition holding exactly one (a string or a one-element list); otherwise undefined. */
function onlyValue(value: unknown): unknown {
    if (!Array.isArray(value)) return value;
    return value.length === 1 ? value[0] : undefined;
}

/** Problems of one statement granting web identity. The condition keys are named after its OIDC provider. */
function statementProblems(statement: Record<string, unknown>): string[] {
    const federated = asRecord(statement.Principal).Federated;
    if (typeof federated !== "string") return ["a web-identity statement must name exactly one Federated OIDC provider"];
    const issuer = federated.replace(/^arn:[^:]+:iam::\d*:oidc-provider\//, "");
    const conditions = asRecord(statement.Condition);
    const equals = asRecord(conditions.StringEquals);
    const problems: string[] = [];
    const subject = onlyValue(equals[`${issuer}:sub`]);
    if (typeof subject !== "string" || !SERVICE_ACCOUNT.test(subject)) {
        problems.push(`StringEquals on ${issuer}:sub must name exactly one system:serviceaccount:<namespace>:<name>, got ${JSON.stringify(equals[`${issuer}:sub`] ?? null)}`);
    }
    if (onlyValue(equals[`${issuer}:aud`]) !== "sts.amazonaws.com") problems.push(`StringEquals on ${issuer}:aud must be sts.amazonaws.com`);
    for (const operator of Object.keys(conditions).filter((name) => /StringLike/i.test(name))) {
        if (Object.keys(asRecord(conditions[operator])).some((key) => key.endsWith(":sub"))) {
            problems.push(`${operator} on ${issuer}:sub lets more than one service account assume the role`);
        }
    }
    return problems;
}

/** Problems of a trust policy (a JSON string, or the document itself); none if nothing grants web identity. */
export async function webIdentityTrustProblems(assumeRolePolicy: unknown): Promise<string[]> {
    let document = assumeRolePolicy;
    if (typeof assumeRolePolicy === "string") {
        try {
            document = JSON.parse(assumeRolePolicy);
        } catch {
            return ["assumeRolePolicy is not a JSON policy document, so its trust cannot be checked"];
        }
    }
    // IAM accepts a single statement or action in place of a list.
    const statement = asRecord(document).Statement;
    const statements = (Array.isArray(statement) ? statement : [statement]).map(asRecord);
    const problems: string[] = [];
    for (const statement of statements.filter((s) => s.Effect === "Allow")) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        const grants = await Promise.all(actions.map(grantsWebIdentity));
        if (grants.some(Boolean)) problems.push(...statementProblems(statement));
    }
    return problems;
}
