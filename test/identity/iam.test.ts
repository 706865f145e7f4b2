/**
 * Who can do what, evaluated by the IAM policy simulator (test/identity/simulator.ts) over the documents the
 * project generates (`mitene identity`: deploy, preview, rollback, the state key) and the roles the stacks
 * render (runners, IRSA, nodes, Argo CD), for every committed env: principal x action x resource (x context:
 * OIDC subjects, tags, the key alias) with the expected decision. docs/security.md is this table in words.
 */
import { strict as assert } from "node:assert";
import { stateKeyPolicy } from "../../components/identity/policies";
import { GITHUB_OIDC_HOST, githubOidcProviderArn } from "../../components/identity/roles";
import { loadBalancerName, targetGroupName } from "../../components/naming";
import { committedEnvs } from "../../automation/programs/committedStacks";
import { EnvPrincipals, envPrincipals } from "./principals";
import { Principal, Request, decide } from "./simulator";

type Expect = "allow" | "deny" | "explicit deny";

interface Row {
    /** What the row proves, in the words of docs/security.md. */
    says: string;
    request: (p: EnvPrincipals) => Request;
    expect: Expect;
}

const decisionOf = { allow: "Allowed", deny: "ImplicitlyDenied", "explicit deny": "ExplicitlyDenied" } as const;

// Short names for the env's ARNs.
const acct = (p: EnvPrincipals) => p.scope.accountId;
const region = (p: EnvPrincipals) => p.scope.regions[0];
const stateObject = (p: EnvPrincipals, key: string) => `arn:aws:s3:::${p.scope.stateBucket}/.pulumi/${key}`;
const listenerRule = (p: EnvPrincipals, lb = loadBalancerName(p.env, region(p))) => `arn:aws:elasticloadbalancing:${region(p)}:${acct(p)}:listener-rule/app/${lb}/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const role = (p: EnvPrincipals, name: string) => `arn:aws:iam::${acct(p)}:role/${name}`;
const stateKey = (p: EnvPrincipals) => `arn:aws:kms:${p.scope.opsRegion}:${acct(p)}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const cluster = (p: EnvPrincipals) => `arn:aws:eks:${region(p)}:${acct(p)}:cluster/mitene-${p.env}-x-blue`;
const otherEnv = (p: EnvPrincipals) => (p.env === "prod" ? "staging" : "prod");
const parameter = (p: EnvPrincipals, name: string) => `arn:aws:ssm:${region(p)}:${acct(p)}:parameter/${name}`;

const access = (name: "deploy" | "preview" | "rollback") => (p: EnvPrincipals) => p.access[name];
const deployRunner = (p: EnvPrincipals) => p.role("ops-", "ci-deploy-runner");
const previewRunner = (p: EnvPrincipals) => p.role("ops-", "ci-preview-runner");
const operator = (p: EnvPrincipals): Principal => ({
    label: "operator (SSO)",
    arn: role(p, "aws-reserved/sso.amazonaws.com/ap-northeast-1/AWSReservedSSO_MiteneAdmin_0123456789abcdef"),
    trust: {},
    policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "*" }] }],
});
const someRole = (p: EnvPrincipals): Principal => ({ label: "another role of the account", arn: role(p, "some-app"), trust: {}, policies: operator(p).policies });

/** A principal calling `action` on `resource` with `context`. */
const call = (caller: (p: EnvPrincipals) => Principal, action: string, resource: (p: EnvPrincipals) => string, context?: (p: EnvPrincipals) => Record<string, string | string[]>) =>
    (p: EnvPrincipals): Request => ({ caller: caller(p), action, resource: resource(p), context: context?.(p) });
/** A principal assuming a role (the target's trust and the caller's policy both decide). */
const assume = (caller: (p: EnvPrincipals) => Principal, target: (p: EnvPrincipals) => Principal) =>
    (p: EnvPrincipals): Request => ({ caller: caller(p), action: "sts:AssumeRole", resource: target(p).arn, target: target(p) });
/** A GitHub Actions job with this OIDC subject (and audience) assuming a role. */
const github = (subject: (p: EnvPrincipals) => string, target: (p: EnvPrincipals) => Principal, audience = "sts.amazonaws.com") =>
    (p: EnvPrincipals): Request => ({
        caller: githubOidcProviderArn(p.scope),
        action: "sts:AssumeRoleWithWebIdentity",
        resource: target(p).arn,
        target: target(p),
        context: { [`${GITHUB_OIDC_HOST}:sub`]: subject(p), [`${GITHUB_OIDC_HOST}:aud`]: audience },
    });
const sub = (suffix: (p: EnvPrincipals) => string) => (p: EnvPrincipals) => `repo:${p.scope.repository}:${suffix(p)}`;
const withKey = (caller: (p: EnvPrincipals) => Principal, action: string, alias = (p: EnvPrincipals) => p.scope.secretsKeyAlias) =>
    (p: EnvPrincipals): Request => ({ caller: caller(p), action, resource: stateKey(p), context: { "kms:ResourceAliases": [alias(p)] }, resourcePolicy: { ...stateKeyPolicy(p.scope) } });
const envTag = (p: EnvPrincipals) => ({ "aws:ResourceTag/mitene.io/env": p.env });

const OIDC: Row[] = [
    { says: "a pull-request job without an environment cannot assume preview", request: github(sub(() => "pull_request"), access("preview")), expect: "deny" },
    { says: "a pull request cannot assume deploy", request: github(sub(() => "pull_request"), access("deploy")), expect: "deny" },
    { says: "a pull request cannot assume rollback", request: github(sub(() => "pull_request"), access("rollback")), expect: "deny" },
    { says: "the env's environment assumes deploy", request: github(sub((p) => `environment:${p.env}`), access("deploy")), expect: "allow" },
    { says: "the approval environment assumes deploy", request: github(sub((p) => `environment:${p.env}-approval`), access("deploy")), expect: "allow" },
    { says: "the env's environment cannot assume rollback", request: github(sub((p) => `environment:${p.env}`), access("rollback")), expect: "deny" },
    { says: "the env's environment cannot assume preview", request: github(sub((p) => `environment:${p.env}`), access("preview")), expect: "deny" },
    { says: "the rollback environment assumes rollback", request: github(sub((p) => `environment:${p.env}-rollback`), access("rollback")), expect: "allow" },
    { says: "the rollback environment cannot assume deploy", request: github(sub((p) => `environment:${p.env}-rollback`), access("deploy")), expect: "deny" },
    { says: "the preview environment assumes preview", request: github(sub((p) => `environment:${p.env}-preview`), access("preview")), expect: "allow" },
    { says: "the preview environment cannot assume deploy", request: github(sub((p) => `environment:${p.env}-preview`), access("deploy")), expect: "deny" },
    { says: "the preview environment cannot assume rollback", request: github(sub((p) => `environment:${p.env}-preview`), access("rollback")), expect: "deny" },
    { says: "another env's environment cannot assume this env's deploy", request: github(sub((p) => `environment:${otherEnv(p)}`), access("deploy")), expect: "deny" },
    { says: "a branch job without an environment cannot assume deploy", request: github(sub(() => "ref:refs/heads/main"), access("deploy")), expect: "deny" },
    { says: "a branch job without an environment cannot assume preview", request: github(sub(() => "ref:refs/heads/main"), access("preview")), expect: "deny" },
    { says: "another repository's environment cannot assume deploy", request: github((p) => `repo:mallory/${p.scope.repository.split("/")[1]}:environment:${p.env}`, access("deploy")), expect: "deny" },
    { says: "another repository's preview environment cannot assume preview", request: github((p) => `repo:mallory/platform:environment:${p.env}-preview`, access("preview")), expect: "deny" },
    { says: "another repository's rollback environment cannot assume rollback", request: github((p) => `repo:mallory/platform:environment:${p.env}-rollback`, access("rollback")), expect: "deny" },
    { says: "a token for another audience cannot assume deploy", request: github(sub((p) => `environment:${p.env}`), access("deploy"), "https://github.com/mitene"), expect: "deny" },
];

const ROLES: Row[] = [
    { says: "deploy re-assumes itself (providers, eks get-token)", request: assume(access("deploy"), access("deploy")), expect: "allow" },
    { says: "preview re-assumes itself", request: assume(access("preview"), access("preview")), expect: "allow" },
    { says: "rollback re-assumes itself", request: assume(access("rollback"), access("rollback")), expect: "allow" },
    { says: "preview cannot assume deploy", request: assume(access("preview"), access("deploy")), expect: "deny" },
    { says: "preview cannot assume rollback", request: assume(access("preview"), access("rollback")), expect: "deny" },
    { says: "rollback cannot assume deploy", request: assume(access("rollback"), access("deploy")), expect: "deny" },
    { says: "deploy cannot assume rollback", request: assume(access("deploy"), access("rollback")), expect: "deny" },
    { says: "an operator breaks glass into deploy", request: assume(operator, access("deploy")), expect: "allow" },
    { says: "an operator breaks glass into rollback", request: assume(operator, access("rollback")), expect: "allow" },
    { says: "an operator does not need preview", request: assume(operator, access("preview")), expect: "deny" },
    { says: "another role of the account cannot assume deploy", request: assume(someRole, access("deploy")), expect: "deny" },
    { says: "another role of the account cannot assume rollback", request: assume(someRole, access("rollback")), expect: "deny" },
    { says: "the deploy runner cannot assume deploy", request: assume(deployRunner, access("deploy")), expect: "deny" },
    { says: "the deploy runner cannot assume rollback", request: assume(deployRunner, access("rollback")), expect: "deny" },
    { says: "the preview runner cannot assume preview", request: assume(previewRunner, access("preview")), expect: "deny" },
    { says: "the preview runner cannot assume deploy", request: assume(previewRunner, access("deploy")), expect: "deny" },
];

/** Writes the preview role must never have, on the env's own resources. */
const PREVIEW_WRITES: [string, (p: EnvPrincipals) => string][] = [
    ["s3:PutObject", (p) => stateObject(p, `stacks/mitene/region-${p.env}-${region(p)}.json`)],
    ["s3:DeleteObject", (p) => stateObject(p, `locks/organization/mitene/ops-${p.env}/x.json`)],
    ["ec2:CreateVpc", (p) => `arn:aws:ec2:${region(p)}:${acct(p)}:vpc/*`],
    ["ec2:AuthorizeSecurityGroupIngress", (p) => `arn:aws:ec2:${region(p)}:${acct(p)}:security-group/sg-0123456789abcdef0`],
    // Creating a cluster has no resource-level permission: the catalog's resource is "*".
    ["eks:CreateCluster", () => "*"],
    ["eks:UpdateClusterConfig", cluster],
    ["eks:CreateAccessEntry", cluster],
    ["elasticloadbalancing:ModifyRule", (p) => listenerRule(p)],
    ["iam:CreateRole", (p) => role(p, "anything")],
    ["iam:PassRole", (p) => role(p, `mitene-${p.env}-deploy`)],
    ["iam:PutRolePolicy", (p) => role(p, `mitene-${p.env}-preview`)],
    ["dynamodb:PutItem", (p) => `arn:aws:dynamodb:${p.scope.leaseRegion}:${acct(p)}:table/${p.scope.leaseTable}`],
    ["route53:ChangeResourceRecordSets", () => "arn:aws:route53:::hostedzone/Z0123456789"],
    ["codebuild:StartBuild", (p) => `arn:aws:codebuild:${p.scope.opsRegion}:${acct(p)}:project/mitene-${p.env}-deploy-runner`],
    ["logs:DeleteLogGroup", (p) => `arn:aws:logs:${region(p)}:${acct(p)}:log-group:/aws/eks/mitene-${p.env}-x-blue/cluster`],
];

const PREVIEW: Row[] = [
    { says: "preview describes VPCs", request: call(access("preview"), "ec2:DescribeVpcs", () => "*"), expect: "allow" },
    { says: "preview describes the env's clusters", request: call(access("preview"), "eks:DescribeCluster", cluster), expect: "allow" },
    { says: "preview reads listener rules", request: call(access("preview"), "elasticloadbalancing:DescribeRules", () => "*"), expect: "allow" },
    { says: "preview reads the state", request: call(access("preview"), "s3:GetObject", (p) => stateObject(p, `stacks/mitene/ops-${p.env}.json`)), expect: "allow" },
    { says: "preview lists the state", request: call(access("preview"), "s3:ListBucket", (p) => `arn:aws:s3:::${p.scope.stateBucket}`), expect: "allow" },
    { says: "preview decrypts with the state key", request: withKey(access("preview"), "kms:Decrypt"), expect: "allow" },
    { says: "preview cannot encrypt with the state key", request: withKey(access("preview"), "kms:Encrypt"), expect: "deny" },
    { says: "preview cannot decrypt with another key", request: withKey(access("preview"), "kms:Decrypt", () => "alias/other"), expect: "deny" },
    { says: "preview reads the Argo CD SSO secret the Ops program needs", request: call(access("preview"), "ssm:GetParameter", (p) => `arn:aws:ssm:${p.scope.opsRegion}:${acct(p)}:parameter${p.scope.ssoClientSecretParameter}`), expect: "allow" },
    { says: "preview reads no other parameter", request: call(access("preview"), "ssm:GetParameter", (p) => `arn:aws:ssm:${p.scope.opsRegion}:${acct(p)}:parameter/mitene/${p.env}/db-password`), expect: "deny" },
    ...PREVIEW_WRITES.map(([action, resource]): Row => ({ says: `preview cannot ${action}`, request: call(access("preview"), action, resource), expect: "deny" })),
];

const ROLLBACK: Row[] = [
    { says: "rollback modifies the env's listener rules", request: call(access("rollback"), "elasticloadbalancing:ModifyRule", (p) => listenerRule(p)), expect: "allow" },
    { says: "rollback modifies the listener rules of every region", request: call(access("rollback"), "elasticloadbalancing:ModifyRule", (p) => listenerRule(p, loadBalancerName(p.env, p.scope.regions[p.scope.regions.length - 1])).replace(region(p), p.scope.regions[p.scope.regions.length - 1])), expect: "allow" },
    { says: "rollback cannot modify another env's listener rules", request: call(access("rollback"), "elasticloadbalancing:ModifyRule", (p) => listenerRule(p, loadBalancerName(otherEnv(p), region(p)))), expect: "deny" },
    { says: "rollback cannot modify the Ops tools load balancer's rules", request: call(access("rollback"), "elasticloadbalancing:ModifyRule", (p) => listenerRule(p, `ops-${p.env}-tools`)), expect: "deny" },
    { says: "rollback cannot change a listener", request: call(access("rollback"), "elasticloadbalancing:ModifyListener", (p) => `arn:aws:elasticloadbalancing:${region(p)}:${acct(p)}:listener/app/${loadBalancerName(p.env, region(p))}/50dc6c495c0c9188/f2f7dc8efc522ab2`), expect: "deny" },
    { says: "rollback cannot delete a rule", request: call(access("rollback"), "elasticloadbalancing:DeleteRule", (p) => listenerRule(p)), expect: "deny" },
    { says: "rollback writes a region stack's state", request: call(access("rollback"), "s3:PutObject", (p) => stateObject(p, `stacks/mitene/region-${p.env}-${region(p)}.json`)), expect: "allow" },
    { says: "rollback writes a cluster stack's state", request: call(access("rollback"), "s3:PutObject", (p) => stateObject(p, `stacks/mitene/mitene-${p.env}-${region(p)}-green.json`)), expect: "allow" },
    { says: "rollback takes and drops a region stack's lock", request: call(access("rollback"), "s3:DeleteObject", (p) => stateObject(p, `locks/organization/mitene/region-${p.env}-${region(p)}/4c1a.json`)), expect: "allow" },
    { says: "rollback cannot write the Ops stack's state", request: call(access("rollback"), "s3:PutObject", (p) => stateObject(p, `stacks/mitene/ops-${p.env}.json`)), expect: "deny" },
    { says: "rollback cannot write another env's state", request: call(access("rollback"), "s3:PutObject", (p) => stateObject(p, `stacks/mitene/region-${otherEnv(p)}-${region(p)}.json`)), expect: "deny" },
    { says: "rollback writes the lease and halt table", request: call(access("rollback"), "dynamodb:PutItem", (p) => `arn:aws:dynamodb:${p.scope.leaseRegion}:${acct(p)}:table/${p.scope.leaseTable}`), expect: "allow" },
    { says: "rollback decrypts with the state key", request: withKey(access("rollback"), "kms:Decrypt"), expect: "allow" },
    { says: "rollback cannot create a cluster", request: call(access("rollback"), "eks:CreateCluster", () => "*"), expect: "deny" },
    { says: "rollback cannot delete a cluster", request: call(access("rollback"), "eks:DeleteCluster", cluster), expect: "deny" },
    { says: "rollback cannot delete a VPC", request: call(access("rollback"), "ec2:DeleteVpc", (p) => `arn:aws:ec2:${region(p)}:${acct(p)}:vpc/vpc-0123456789abcdef0`), expect: "deny" },
    { says: "rollback cannot create a role", request: call(access("rollback"), "iam:CreateRole", (p) => role(p, "anything")), expect: "deny" },
    { says: "rollback cannot pass a role", request: call(access("rollback"), "iam:PassRole", (p) => role(p, `mitene-${p.env}-deploy`)), expect: "deny" },
    { says: "rollback cannot schedule the deletion of a key", request: withKey(access("rollback"), "kms:ScheduleKeyDeletion"), expect: "deny" },
];

const DEPLOY: Row[] = [
    { says: "deploy creates clusters", request: call(access("deploy"), "eks:CreateCluster", () => "*"), expect: "allow" },
    { says: "deploy creates VPCs", request: call(access("deploy"), "ec2:CreateVpc", (p) => `arn:aws:ec2:${region(p)}:${acct(p)}:vpc/*`), expect: "allow" },
    { says: "deploy writes any stack's state", request: call(access("deploy"), "s3:PutObject", (p) => stateObject(p, `stacks/mitene/ops-${p.env}.json`)), expect: "allow" },
    { says: "deploy encrypts with the state key (new stacks)", request: withKey(access("deploy"), "kms:GenerateDataKey"), expect: "allow" },
    { says: "deploy takes the lease", request: call(access("deploy"), "dynamodb:PutItem", (p) => `arn:aws:dynamodb:${p.scope.leaseRegion}:${acct(p)}:table/${p.scope.leaseTable}`), expect: "allow" },
    { says: "deploy creates roles tagged with its env", request: call(access("deploy"), "iam:CreateRole", (p) => role(p, "svc-fluent-bit-irsa-1a2b3c"), (p) => ({ "aws:RequestTag/mitene.io/env": p.env })), expect: "allow" },
    { says: "deploy cannot create untagged roles", request: call(access("deploy"), "iam:CreateRole", (p) => role(p, "svc-fluent-bit-irsa-1a2b3c")), expect: "deny" },
    { says: "deploy cannot create roles of another env", request: call(access("deploy"), "iam:CreateRole", (p) => role(p, "x"), (p) => ({ "aws:RequestTag/mitene.io/env": otherEnv(p) })), expect: "deny" },
    { says: "deploy writes the policy of its env's roles", request: call(access("deploy"), "iam:PutRolePolicy", (p) => role(p, "svc-fluent-bit-irsa-1a2b3c"), envTag), expect: "allow" },
    { says: "deploy cannot write another role's policy", request: call(access("deploy"), "iam:PutRolePolicy", (p) => role(p, "some-app"), () => ({ "aws:ResourceTag/mitene.io/env": "other" })), expect: "deny" },
    { says: "deploy can never rewrite its own trust", request: call(access("deploy"), "iam:UpdateAssumeRolePolicy", (p) => role(p, `mitene-${p.env}-deploy`), envTag), expect: "explicit deny" },
    { says: "deploy can never widen the preview role", request: call(access("deploy"), "iam:PutRolePolicy", (p) => role(p, `mitene-${p.env}-preview`), envTag), expect: "explicit deny" },
    { says: "deploy attaches the node role's managed policies", request: call(access("deploy"), "iam:AttachRolePolicy", (p) => role(p, "svc-cluster-node-1a2b3c"), (p) => ({ ...envTag(p), "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" })), expect: "allow" },
    { says: "deploy cannot attach AdministratorAccess", request: call(access("deploy"), "iam:AttachRolePolicy", (p) => role(p, "svc-cluster-node-1a2b3c"), (p) => ({ ...envTag(p), "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" })), expect: "deny" },
    { says: "deploy passes its env's roles to EKS", request: call(access("deploy"), "iam:PassRole", (p) => role(p, "svc-cluster-node-1a2b3c"), (p) => ({ ...envTag(p), "iam:PassedToService": "eks.amazonaws.com" })), expect: "allow" },
    { says: "deploy cannot pass roles to Lambda", request: call(access("deploy"), "iam:PassRole", (p) => role(p, "svc-cluster-node-1a2b3c"), (p) => ({ ...envTag(p), "iam:PassedToService": "lambda.amazonaws.com" })), expect: "deny" },
    { says: "deploy cannot create users", request: call(access("deploy"), "iam:CreateUser", (p) => `arn:aws:iam::${acct(p)}:user/x`), expect: "deny" },
    { says: "deploy cannot create access keys", request: call(access("deploy"), "iam:CreateAccessKey", (p) => `arn:aws:iam::${acct(p)}:user/x`), expect: "deny" },
    { says: "deploy cannot write other buckets", request: call(access("deploy"), "s3:PutObject", (p) => `arn:aws:s3:::mitene-${p.env}-alb-logs-${region(p)}/x`), expect: "deny" },
];

const RUNNERS: Row[] = [
    ...([["deploy", deployRunner], ["preview", previewRunner]] as const).flatMap(([kind, runner]): Row[] => [
        { says: `the ${kind} runner writes its own logs`, request: call(runner, "logs:PutLogEvents", (p) => `arn:aws:logs:${p.scope.opsRegion}:${acct(p)}:log-group:/mitene/ci/mitene-${p.env}-${kind}-runner:log-stream:build-1`), expect: "allow" },
        { says: `the ${kind} runner cannot write the other runner's logs`, request: call(runner, "logs:PutLogEvents", (p) => `arn:aws:logs:${p.scope.opsRegion}:${acct(p)}:log-group:/mitene/ci/mitene-${p.env}-${kind === "deploy" ? "preview" : "deploy"}-runner:log-stream:build-1`), expect: "deny" },
        { says: `the ${kind} runner reads its GitHub connection`, request: call(runner, "codeconnections:GetConnectionToken", (p) => `arn:aws:codeconnections:${p.scope.opsRegion}:${acct(p)}:connection/00000000-0000-4000-8000-000000000000`), expect: "allow" },
        { says: `the ${kind} runner cannot read the state`, request: call(runner, "s3:GetObject", (p) => stateObject(p, `stacks/mitene/ops-${p.env}.json`)), expect: "deny" },
        { says: `the ${kind} runner cannot decrypt with the state key`, request: withKey(runner, "kms:Decrypt"), expect: "deny" },
        { says: `the ${kind} runner cannot move traffic`, request: call(runner, "elasticloadbalancing:ModifyRule", (p) => listenerRule(p)), expect: "deny" },
        { says: `the ${kind} runner cannot describe clusters`, request: call(runner, "eks:DescribeCluster", cluster), expect: "deny" },
        { says: `the ${kind} runner cannot pass a role`, request: call(runner, "iam:PassRole", (p) => role(p, `mitene-${p.env}-deploy`)), expect: "deny" },
        { says: `the ${kind} runner cannot start builds`, request: call(runner, "codebuild:StartBuild", (p) => `arn:aws:codebuild:${p.scope.opsRegion}:${acct(p)}:project/mitene-${p.env}-deploy-runner`), expect: "deny" },
        { says: `the ${kind} runner's role is CodeBuild's`, request: (p) => ({ caller: "codebuild.amazonaws.com", action: "sts:AssumeRole", resource: runner(p).arn, target: runner(p) }), expect: "allow" },
        { says: `the ${kind} runner's role is no one else's`, request: (p) => ({ caller: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: runner(p).arn, target: runner(p) }), expect: "deny" },
    ]),
];

/** The Argo CD role (the Ops stack's `argocdRoleArn`) and the IRSA roles of Argo CD's pods. */
const argocd = (p: EnvPrincipals) => p.rendered.find((r) => r.arn === p.graphs.find((g) => g.stack === `ops-${p.env}`)!.outputs.argocdRoleArn)!;
const argocdController = (p: EnvPrincipals) => p.role("ops-", "ops-argocd-controller");
const ARGOCD: Row[] = [
    { says: "Argo CD's controller assumes the Argo CD role", request: assume(argocdController, argocd), expect: "allow" },
    { says: "Argo CD's server assumes the Argo CD role", request: assume((p) => p.role("ops-", "ops-argocd-server"), argocd), expect: "allow" },
    { says: "Argo CD's controller cannot assume deploy", request: assume(argocdController, access("deploy")), expect: "deny" },
    { says: "the deploy role cannot become Argo CD", request: assume(access("deploy"), argocd), expect: "deny" },
    { says: "the Argo CD role cannot assume deploy", request: assume(argocd, access("deploy")), expect: "deny" },
    { says: "the Argo CD role holds no AWS right: not even reading clusters", request: call(argocd, "eks:DescribeCluster", cluster), expect: "deny" },
    { says: "the Argo CD role cannot create clusters", request: call(argocd, "eks:CreateCluster", () => "*"), expect: "deny" },
    { says: "Argo CD's controller holds nothing but the assume", request: call(argocdController, "ec2:DescribeVpcs", () => "*"), expect: "deny" },
];

/** The service clusters' IRSA and node roles, in the env's first cluster stack. */
const svc = (logical: string) => (p: EnvPrincipals) => p.role(`mitene-${p.env}-${region(p)}-`, logical);
const tg = (p: EnvPrincipals, color: "blue" | "green") => `arn:aws:elasticloadbalancing:${region(p)}:${acct(p)}:targetgroup/${targetGroupName(p.env, region(p), "api", color)}/73e2d6bc24d8a067`;
const irsaIssuer = (p: EnvPrincipals, logical: string) => {
    const statement = (svc(logical)(p).trust as { Statement: { Principal: { Federated: string } }[] }).Statement[0];
    return { provider: statement.Principal.Federated, issuer: statement.Principal.Federated.replace(/^arn:aws:iam::\d+:oidc-provider\//, "") };
};
const serviceAccount = (logical: string, subject: (p: EnvPrincipals) => string) => (p: EnvPrincipals): Request => {
    const { provider, issuer } = irsaIssuer(p, logical);
    return { caller: provider, action: "sts:AssumeRoleWithWebIdentity", resource: svc(logical)(p).arn, target: svc(logical)(p), context: { [`${issuer}:sub`]: subject(p), [`${issuer}:aud`]: "sts.amazonaws.com" } };
};
const SERVICE_CLUSTER: Row[] = [
    { says: "the load balancer controller registers pods in its own color's target groups", request: call(svc("svc-aws-load-balancer-controller-irsa"), "elasticloadbalancing:RegisterTargets", (p) => tg(p, "blue")), expect: "allow" },
    { says: "the load balancer controller cannot register into the other color's", request: call(svc("svc-aws-load-balancer-controller-irsa"), "elasticloadbalancing:RegisterTargets", (p) => tg(p, "green")), expect: "deny" },
    { says: "the load balancer controller cannot move traffic", request: call(svc("svc-aws-load-balancer-controller-irsa"), "elasticloadbalancing:ModifyRule", (p) => listenerRule(p)), expect: "deny" },
    { says: "the load balancer controller cannot create load balancers", request: call(svc("svc-aws-load-balancer-controller-irsa"), "elasticloadbalancing:CreateLoadBalancer", (p) => `arn:aws:elasticloadbalancing:${region(p)}:${acct(p)}:loadbalancer/app/x/1`), expect: "deny" },
    { says: "the autoscaler scales groups its cluster owns", request: call(svc("svc-cluster-autoscaler-irsa"), "autoscaling:SetDesiredCapacity", (p) => `arn:aws:autoscaling:${region(p)}:${acct(p)}:autoScalingGroup:1a2b:autoScalingGroupName/eks-x`, (p) => ({ [`aws:ResourceTag/k8s.io/cluster-autoscaler/mitene-${p.env}-${regionCodeOf(p)}-blue`]: "owned" })), expect: "allow" },
    { says: "the autoscaler cannot scale other groups", request: call(svc("svc-cluster-autoscaler-irsa"), "autoscaling:SetDesiredCapacity", (p) => `arn:aws:autoscaling:${region(p)}:${acct(p)}:autoScalingGroup:1a2b:autoScalingGroupName/other`), expect: "deny" },
    { says: "external-secrets reads its env's parameters", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParameter", (p) => parameter(p, `mitene/${p.env}/db-password`)), expect: "allow" },
    { says: "external-secrets reads them in batches", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParameters", (p) => parameter(p, `mitene/${p.env}/db-password`)), expect: "allow" },
    { says: "external-secrets cannot read another env's", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParameter", (p) => parameter(p, `mitene/${otherEnv(p)}/db-password`)), expect: "deny" },
    { says: "external-secrets cannot read a sibling path sharing its env's prefix", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParameter", (p) => parameter(p, `mitene/${p.env}x/db-password`)), expect: "deny" },
    // SSM user guide, "How Parameter Store authorizes parameter retrieval": GetParametersByPath is authorized
    // against the path in the request, not the parameters it returns.
    { says: "external-secrets lists its env's path itself", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParametersByPath", (p) => parameter(p, `mitene/${p.env}`)), expect: "allow" },
    { says: "external-secrets lists a path below its env's", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParametersByPath", (p) => parameter(p, `mitene/${p.env}/argocd`)), expect: "allow" },
    { says: "external-secrets cannot list another env's path", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParametersByPath", (p) => parameter(p, `mitene/${otherEnv(p)}`)), expect: "deny" },
    { says: "external-secrets cannot list the path above its env's", request: call(svc("svc-external-secrets-irsa"), "ssm:GetParametersByPath", (p) => parameter(p, "mitene")), expect: "deny" },
    { says: "external-secrets cannot write parameters", request: call(svc("svc-external-secrets-irsa"), "ssm:PutParameter", (p) => `arn:aws:ssm:${region(p)}:${acct(p)}:parameter/mitene/${p.env}/db-password`), expect: "deny" },
    { says: "the Prometheus agent cannot delete its workspace", request: call(svc("svc-prometheus-agent-irsa"), "aps:DeleteWorkspace", (p) => `arn:aws:aps:${region(p)}:${acct(p)}:workspace/ws-x`), expect: "deny" },
    { says: "Fluent Bit cannot delete log groups", request: call(svc("svc-fluent-bit-irsa"), "logs:DeleteLogGroup", (p) => `arn:aws:logs:${region(p)}:${acct(p)}:log-group:x`), expect: "deny" },
    { says: "an IRSA role is its service account's", request: serviceAccount("svc-cluster-autoscaler-irsa", () => "system:serviceaccount:kube-system:cluster-autoscaler"), expect: "allow" },
    { says: "an IRSA role is no other service account's", request: serviceAccount("svc-cluster-autoscaler-irsa", () => "system:serviceaccount:default:default"), expect: "deny" },
    { says: "nodes get the node role", request: (p) => ({ caller: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: svc("svc-cluster-node")(p).arn, target: svc("svc-cluster-node")(p) }), expect: "allow" },
    { says: "nothing else gets the node role", request: (p) => ({ caller: "eks.amazonaws.com", action: "sts:AssumeRole", resource: svc("svc-cluster-node")(p).arn, target: svc("svc-cluster-node")(p) }), expect: "deny" },
];
const regionCodeOf = (p: EnvPrincipals) => loadBalancerName(p.env, region(p)).replace(`mitene-${p.env}-`, "");

export const TABLE: Record<string, Row[]> = { "GitHub OIDC": OIDC, "roles assuming roles": ROLES, preview: PREVIEW, rollback: ROLLBACK, deploy: DEPLOY, "CI runners": RUNNERS, "Argo CD": ARGOCD, "service clusters": SERVICE_CLUSTER };

for (const env of committedEnvs()) {
    describe(`IAM, simulated: who can do what in ${env}`, function () {
        let principals: EnvPrincipals;
        before(async () => {
            principals = await envPrincipals(env);
        });

        for (const [group, rows] of Object.entries(TABLE)) {
            describe(group, () => {
                for (const row of rows) {
                    it(`${row.says}: ${row.expect}`, async () => {
                        const request = row.request(principals);
                        assert.equal(await decide(request), decisionOf[row.expect], `${request.action} on ${request.resource}`);
                    });
                }
            });
        }

        it("node roles carry exactly the AWS managed policies the deploy role may attach", () => {
            for (const node of principals.rendered.filter((r) => r.logical.endsWith("-cluster-node"))) {
                assert.deepEqual(node.managed.map((arn) => arn.split("/").pop()).sort(), ["AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"], node.label);
            }
        });
    });
}
