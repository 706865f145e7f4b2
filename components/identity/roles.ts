/**
 * The env's three roles that must exist before the first `pulumi up` (the stacks cannot create the role they
 * run as): deploy, preview and rollback. Their names are fixed by convention, so trusts and stack config can
 * name them before they exist; this file says who may assume each (the trust policies), policies.ts what each
 * may do. One source for docs/first-deploy.md (`mitene identity`), the stack files and the IAM tests.
 */
import { PolicyDocument, PolicyStatement } from "../iamPolicies";
import { loadBalancerName } from "../naming";

export const ACCESS_ROLES = ["deploy", "preview", "rollback"] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

/** Everything the documents name, read from the env's stack files and the bootstrap choices. */
export interface IdentityScope {
    partition: string;
    env: string;
    accountId: string;
    /** The Ops region (the Ops cluster, the runners). */
    opsRegion: string;
    /** The service regions (a region stack each). */
    regions: string[];
    /** `<owner>/<repo>` whose workflows assume the roles. */
    repository: string;
    /** The Pulumi state bucket (`pulumi login s3://<bucket>`). */
    stateBucket: string;
    /** Alias of the KMS key of the `awskms://` secrets provider, `alias/...`. */
    secretsKeyAlias: string;
    /** The DynamoDB table of leases and halts, and its region. */
    leaseTable: string;
    leaseRegion: string;
    /** The Argo CD SSO client secret (SSM SecureString) the Ops program reads, e.g. `/mitene/prod/argocd/sso-client-secret`. */
    ssoClientSecretParameter?: string;
    /**
     * Operators' roles that may assume deploy and rollback (break-glass), as `aws:PrincipalArn` patterns, e.g.
     * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/*\/AWSReservedSSO_MiteneAdmin_*`.
     */
    operatorRolePatterns: string[];
}

/** `mitene-<env>-<access>`: `mitene:deployRoleArn`, `mitene:previewRoleArn`, `mitene:rollbackRoleArn`. */
export const accessRoleName = (env: string, access: AccessRole) => `mitene-${env}-${access}`;
export const accessRoleArn = (scope: Pick<IdentityScope, "partition" | "accountId" | "env">, access: AccessRole) =>
    `arn:${scope.partition}:iam::${scope.accountId}:role/${accessRoleName(scope.env, access)}`;

/** GitHub's OIDC issuer (GitHub docs, "Configuring OpenID Connect in Amazon Web Services"). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const githubOidcProviderArn = (scope: Pick<IdentityScope, "partition" | "accountId">) =>
    `arn:${scope.partition}:iam::${scope.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;

/**
 * The GitHub environments of an env and which role each job behind them assumes. A job that names an
 * environment gets the OIDC subject `repo:<owner>/<repo>:environment:<name>`, whatever its event, a pull
 * request's included (GitHub docs, "About security hardening with OpenID Connect", example subject claims).
 * Forks' pull requests get no OIDC token at all.
 */
export function githubEnvironments(env: string): { name: string; role: AccessRole; defaultBranchOnly: boolean; purpose: string }[] {
    return [
        { name: env, role: "deploy", defaultBranchOnly: true, purpose: "deploy, upgrade, ops-upgrade, discard: starts the run" },
        { name: `${env}-approval`, role: "deploy", defaultBranchOnly: true, purpose: "the reviewed step: apply a saved plan, finish an upgrade paused at --stop-at (required reviewers)" },
        { name: `${env}-rollback`, role: "rollback", defaultBranchOnly: true, purpose: "rollback (no reviewers: an emergency must not wait)" },
        { name: `${env}-preview`, role: "preview", defaultBranchOnly: false, purpose: "pull-request previews, read only" },
    ];
}

/**
 * The OIDC subjects each role trusts: its environments' only. Every job assuming the preview role (preview.yml,
 * plan.yml) names `<env>-preview`, so a pull-request job without an environment (`...:pull_request`) gets none.
 */
export function trustedSubjects(scope: Pick<IdentityScope, "env" | "repository">, access: AccessRole): string[] {
    return githubEnvironments(scope.env).filter((e) => e.role === access).map((e) => `repo:${scope.repository}:environment:${e.name}`);
}

/**
 * Who may assume a role: GitHub OIDC with the STS audience and one of its subjects (StringEquals: no wildcard
 * can widen it to another repository or environment); the role itself, because a role does not trust itself
 * implicitly since 2022 (AWS, "Announcing an update to IAM role trust policy behavior") and the providers and
 * `aws eks get-token --role-arn` re-assume the run's role; and, for deploy and rollback, the operators'
 * break-glass roles, matched on `aws:PrincipalArn` because SSO role names carry a random suffix. The role
 * itself is named the same way, through the account principal: IAM refuses a trust naming a role that does
 * not exist yet (so the role could not be created with it), and a role ARN as principal turns into a stale
 * unique id if the role is ever recreated. The account principal delegates to identity policies, and each
 * role's own policy allows assuming only itself (policies.ts).
 */
export function accessRoleTrust(scope: IdentityScope, access: AccessRole): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "GitHubActions",
            Effect: "Allow",
            Principal: { Federated: githubOidcProviderArn(scope) },
            Action: ["sts:AssumeRoleWithWebIdentity"],
            Condition: {
                StringEquals: {
                    [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
                    [`${GITHUB_OIDC_HOST}:sub`]: trustedSubjects(scope, access),
                },
            },
        },
        {
            Sid: "Itself",
            Effect: "Allow",
            Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
            Action: ["sts:AssumeRole"],
            Condition: { ArnEquals: { "aws:PrincipalArn": accessRoleArn(scope, access) } },
        },
    ];
    if (access !== "preview" && scope.operatorRolePatterns.length > 0) {
        statements.push({
            Sid: "Operators",
            Effect: "Allow",
            Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
            Action: ["sts:AssumeRole"],
            Condition: { ArnLike: { "aws:PrincipalArn": scope.operatorRolePatterns } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The env's application load balancers, one per service region (components/naming.ts loadBalancerName). */
export const loadBalancerNames = (scope: Pick<IdentityScope, "env" | "regions">) => scope.regions.map((region) => ({ region, name: loadBalancerName(scope.env, region) }));
