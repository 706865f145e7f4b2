/**
 * What the deploy, preview and rollback roles may do (their trusts are in roles.ts). Written for what the
 * stacks and the driver call, proven by test/identity/ with the IAM policy simulator, checked against the IAM
 * action catalog, and held by the policy pack's `read-only-principals` rule for the preview role.
 */
import { PolicyDocument, PolicyStatement } from "../iamPolicies";
import { AccessRole, IdentityScope, accessRoleArn, loadBalancerNames } from "./roles";

/** The Pulumi project (Pulumi.yaml `name`), which the self-managed backend puts in every state path. */
const PROJECT = "mitene";

const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * What a preview refreshes and reads: Describe, List and Get of every service the stacks hold resources in
 * (the Ops, region and cluster programs; pulumi-eks and awsx create EC2, EKS, IAM, KMS, Logs and Auto Scaling
 * resources underneath). Reads only: the iam-data catalog's access level of each action is Read or List
 * (test/identity/catalog.test.ts).
 */
const READ_ACTIONS = [
    "acm:DescribeCertificate", "acm:ListTagsForCertificate",
    "autoscaling:Describe*",
    "codebuild:BatchGetProjects",
    "codeconnections:GetConnection",
    "ec2:Describe*",
    "eks:Describe*", "eks:List*",
    "elasticloadbalancing:Describe*",
    "iam:GetOpenIDConnectProvider", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListInstanceProfilesForRole",
    "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListResourceTags",
    "logs:DescribeLogGroups", "logs:ListTagsForResource",
    "route53:GetChange", "route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource",
    "cloudwatch:GetMetricData",
];

const bucketArn = (scope: IdentityScope) => `arn:${scope.partition}:s3:::${scope.stateBucket}`;

/** The state key, by its alias: the key id need not be known when the policy is written (kms:ResourceAliases). */
const stateKey = (scope: IdentityScope, actions: string[]): PolicyStatement => ({
    Sid: "StateSecretsKey",
    Effect: "Allow",
    Action: actions,
    Resource: `arn:${scope.partition}:kms:*:${scope.accountId}:key/*`,
    Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": scope.secretsKeyAlias } },
});

const leaseTableArn = (scope: IdentityScope) => `arn:${scope.partition}:dynamodb:${scope.leaseRegion}:${scope.accountId}:table/${scope.leaseTable}`;

const LEASE_ACTIONS = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

const itself = (scope: IdentityScope, access: AccessRole): PolicyStatement => ({
    Sid: "AssumeItself",
    Effect: "Allow",
    Action: ["sts:AssumeRole"],
    Resource: accessRoleArn(scope, access),
});

/** The statements every role has: read what the stacks hold, read the state, re-assume itself. */
function readStatements(scope: IdentityScope, access: AccessRole): PolicyStatement[] {
    const statements: PolicyStatement[] = [
        { Sid: "ReadStackResources", Effect: "Allow", Action: READ_ACTIONS, Resource: "*" },
        { Sid: "ListState", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn(scope) },
        { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn(scope)}/*` },
        stateKey(scope, ["kms:Decrypt", "kms:DescribeKey"]),
        itself(scope, access),
    ];
    // The Ops program reads Argo CD's SSO client secret on every run, a preview included.
    if (scope.ssoClientSecretParameter) {
        const name = scope.ssoClientSecretParameter.replace(/^\/+/, "");
        statements.push({
            Sid: "ReadSsoClientSecret",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: `arn:${scope.partition}:ssm:${scope.opsRegion}:${scope.accountId}:parameter/${name}`,
        });
    }
    return statements;
}

/**
 * Preview: read only, end to end. A preview on a self-managed backend takes no lock and writes nothing
 * (pulumi/pulumi v3.248.0 pkg/backend/diy/backend.go: `Preview` applies with DryRun and never calls Lock),
 * so reading the state is enough.
 */
export function previewRolePolicy(scope: IdentityScope): PolicyDocument {
    return policy(...readStatements(scope, "preview"));
}

/** State paths of the region and cluster stacks (pkg/backend/diy store.go and lock.go of Pulumi v3.248.0). */
function regionAndClusterStatePaths(scope: IdentityScope): string[] {
    const stacks = [`region-${scope.env}-*`, `${PROJECT}-${scope.env}-*`];
    const dirs = [`.pulumi/stacks/${PROJECT}`, `.pulumi/history/${PROJECT}`, `.pulumi/backups/${PROJECT}`, `.pulumi/locks/organization/${PROJECT}`];
    return dirs.flatMap((dir) => stacks.map((stack) => `${bucketArn(scope)}/${dir}/${stack}`));
}

/**
 * Rollback: read as preview, plus exactly what a rollback writes: the env's listener rules (ModifyRule: the
 * weights, by the stack update or directly with --fast-rollback), the state of the region and cluster stacks
 * (never the Ops stack's), and the lease/halt table. Its Kubernetes rights come from its access entries. It
 * cannot create or delete a cluster, a VPC or an IAM object, nor assume the deploy role.
 */
export function rollbackRolePolicy(scope: IdentityScope): PolicyDocument {
    return policy(
        ...readStatements(scope, "rollback"),
        {
            Sid: "ModifyListenerRules",
            Effect: "Allow",
            Action: ["elasticloadbalancing:ModifyRule"],
            Resource: loadBalancerNames(scope).map(({ region, name }) => `arn:${scope.partition}:elasticloadbalancing:${region}:${scope.accountId}:listener-rule/app/${name}/*`),
        },
        { Sid: "WriteRegionAndClusterState", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: regionAndClusterStatePaths(scope) },
        { Sid: "LeaseAndHalt", Effect: "Allow", Action: LEASE_ACTIONS, Resource: leaseTableArn(scope) },
    );
}

/**
 * AWS managed policies the stacks attach, and no other: the node role's (components/eksCluster.ts) and the
 * cluster service role's that pulumi-eks creates itself (pulumi-eks v4.3.0 nodejs/eks/cluster/cluster.ts:
 * `AmazonEKSClusterPolicy` when no serviceRole is given).
 */
export const ATTACHABLE_MANAGED_POLICIES = [
    "AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore",
];

/** Services whose resources the stacks create and delete wholesale. */
const OWNED_SERVICES = ["autoscaling", "codebuild", "ec2", "eks", "elasticloadbalancing", "kms", "logs", "route53"];

const ROLE_WRITES = [
    "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:TagRole", "iam:UntagRole",
];

/**
 * Deploy: everything the stacks own. Service-wide on the services whose resources the stacks create, plus
 * IAM narrowed three ways: only roles and OIDC providers carrying the env's tag (every provider sets
 * `mitene.io/env` as a default tag, stacks/providers.ts), only the AWS managed policies the node role needs,
 * and never the three bootstrap roles themselves (an explicit deny: the deploy role cannot rewrite its own
 * trust or rights, nor the preview's or the rollback's).
 */
export function deployRolePolicy(scope: IdentityScope): PolicyDocument {
    const p = scope.partition;
    const envTag = { [`aws:ResourceTag/mitene.io/env`]: scope.env };
    const roles = `arn:${p}:iam::${scope.accountId}:role/*`;
    const oidcProviders = `arn:${p}:iam::${scope.accountId}:oidc-provider/*`;
    const bootstrapRoles = (["deploy", "preview", "rollback"] as const).map((access) => accessRoleArn(scope, access));
    return policy(
        ...readStatements(scope, "deploy"),
        { Sid: "OwnedServices", Effect: "Allow", Action: OWNED_SERVICES.map((service) => `${service}:*`), Resource: "*" },
        { Sid: "CreateTaggedRoles", Effect: "Allow", Action: ["iam:CreateRole", "iam:CreateOpenIDConnectProvider"], Resource: [roles, oidcProviders], Condition: { StringEquals: { "aws:RequestTag/mitene.io/env": scope.env } } },
        { Sid: "TaggedRoles", Effect: "Allow", Action: ROLE_WRITES.filter((a) => a !== "iam:AttachRolePolicy"), Resource: roles, Condition: { StringEquals: envTag } },
        {
            Sid: "AttachNodePolicies",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy"],
            Resource: roles,
            Condition: { StringEquals: envTag, ArnEquals: { "iam:PolicyARN": ATTACHABLE_MANAGED_POLICIES.map((name) => `arn:${p}:iam::aws:policy/${name}`) } },
        },
        {
            Sid: "TaggedOidcProviders",
            Effect: "Allow",
            Action: ["iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider"],
            Resource: oidcProviders,
            Condition: { StringEquals: envTag },
        },
        {
            Sid: "PassTaggedRoles",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: roles,
            Condition: { StringEquals: { ...envTag, "iam:PassedToService": ["eks.amazonaws.com", "ec2.amazonaws.com", "codebuild.amazonaws.com"] } },
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: `arn:${p}:iam::${scope.accountId}:role/aws-service-role/*`,
            Condition: { StringEquals: { "iam:AWSServiceName": ["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com"] } },
        },
        { Sid: "UseGitHubConnection", Effect: "Allow", Action: ["codeconnections:UseConnection", "codeconnections:PassConnection"], Resource: `arn:${p}:codeconnections:${scope.opsRegion}:${scope.accountId}:connection/*` },
        { Sid: "WriteState", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn(scope)}/.pulumi/*` },
        stateKey(scope, ["kms:Encrypt", "kms:GenerateDataKey"]),
        { Sid: "LeaseAndHalt", Effect: "Allow", Action: LEASE_ACTIONS, Resource: leaseTableArn(scope) },
        { Sid: "NeverTheBootstrapRoles", Effect: "Deny", Action: ["iam:*"], Resource: bootstrapRoles },
    );
}

/**
 * The key policy of the state's secrets key: the account's IAM policies decide (AWS KMS, "Default key policy":
 * the `arn:<partition>:iam::<account>:root` statement delegates to IAM). Without it no role policy could use the
 * key, whatever it says.
 */
export function stateKeyPolicy(scope: IdentityScope): PolicyDocument {
    return policy({
        Sid: "DelegateToIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
        Action: ["kms:*"],
        Resource: "*",
    });
}

/** The permission policy of each role. */
export function accessRolePolicy(scope: IdentityScope, access: AccessRole): PolicyDocument {
    switch (access) {
        case "deploy":
            return deployRolePolicy(scope);
        case "preview":
            return previewRolePolicy(scope);
        case "rollback":
            return rollbackRolePolicy(scope);
    }
}
