/**
 * For every rule, resources that comply and resources that violate it, with the message each violation must
 * carry. Compliant inputs are trimmed copies of what the components produce under the mock runtime (and of
 * the raw AWS resources @pulumi/eks creates in a real preview); each violation changes one thing.
 */
import { PolicyResource } from "../../policy/rules";

export interface RuleCases {
    passes: PolicyResource[];
    violations: { resource: PolicyResource; messages: RegExp[] }[];
}

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const readOnlyDocument = (statements: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement: statements });
const runnerStatements = [
    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/mitene/ci/x:*" },
    { Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:Describe*"], Resource: "*" },
    { Effect: "Allow", Action: ["ec2:CreateNetworkInterfacePermission"], Resource: "*" },
    { Effect: "Allow", Action: ["codeconnections:GetConnectionToken", "codeconnections:GetConnection"], Resource: "*" },
];
const previewStatements = [
    { Effect: "Allow", Action: ["ec2:Describe*", "eks:List*", "s3:GetObject"], Resource: "*" },
    { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "*" },
    { Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::123456789012:role/mitene-prod-preview" },
];
const resource = (type: string, inputs: Record<string, unknown>, name = "subject"): PolicyResource => ({ type, name, inputs });
const violation = (type: string, inputs: Record<string, unknown>, ...messages: RegExp[]) => ({ resource: resource(type, inputs), messages });

const KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/becc8874-becc-4bec-abec-becc88740cb1";
const ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const EKS = "eks:index:Cluster";
const AWS_EKS = "aws:eks/cluster:Cluster";
const eks = {
    endpointPrivateAccess: true,
    endpointPublicAccess: false,
    authenticationMode: "API",
    encryptionConfigKeyArn: KEY_ARN,
    enabledClusterLogTypes: ALL_LOGS,
};
const awsEks = {
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["subnet-1"] },
    accessConfig: { authenticationMode: "API" },
    encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: ["secrets"] },
    enabledClusterLogTypes: ALL_LOGS,
};

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const launchTemplate = { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }, updateDefaultVersion: true };
const MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";
const AWS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const nodeGroup = { capacityType: "SPOT", launchTemplate: { id: "lt-0123", version: "1" }, scalingConfig: { minSize: 2, maxSize: 40, desiredSize: 3 } };

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const albSecurityGroup = {
    ingress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
};
const sshFrom = (cidrBlocks: string[], protocol = "tcp", fromPort = 22, toPort = 22) => ({ ingress: [{ protocol, fromPort, toPort, cidrBlocks }] });

const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
const alb = {
    loadBalancerType: "application",
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { bucket: "mitene-prod-alb-logs-ap-northeast-1", enabled: true, prefix: "mitene-prod-apne1" },
};
const nlb = { loadBalancerType: "network", subnets: ["subnet-1"] };

const LISTENER = "aws:lb/listener:Listener";
const https = (sslPolicy?: string) => ({ port: 443, protocol: "HTTPS", sslPolicy, defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }] });
const http = (...defaultActions: Record<string, unknown>[]) => ({ port: 80, protocol: "HTTP", defaultActions });
const redirect = (protocol: string) => ({ type: "redirect", redirect: { protocol, port: "443", statusCode: "HTTP_301" } });
const forward = { type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1" };

const ROLE = "aws:iam/role:Role";
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-1.amazonaws.com/id/12251D815423CFA19E2BC97C30FFCF14";
const ISSUER = "oidc.eks.ap-northeast-1.amazonaws.com/id/12251D815423CFA19E2BC97C30FFCF14";
const trust = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const webIdentity = (condition: Record<string, unknown> | undefined, action: unknown = ["sts:AssumeRoleWithWebIdentity"], federated: unknown = PROVIDER) => ({
    Effect: "Allow",
    Principal: { Federated: federated },
    Action: action,
    Condition: condition,
});
const scoped = { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:aws-load-balancer-controller", [`${ISSUER}:aud`]: "sts.amazonaws.com" } };
const audienceOnly = { [`${ISSUER}:aud`]: "sts.amazonaws.com" };

const LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";
const weighted = (...weights: unknown[]) => ({
    type: "forward",
    forward: { targetGroups: weights.map((weight, i) => ({ arn: `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg-${i}/1`, weight })) },
});

export const RULE_CASES: Record<string, RuleCases> = {
    "eks-private-endpoint": {
        passes: [
            resource(EKS, eks),
            resource(EKS, { ...eks, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
            resource(AWS_EKS, awsEks),
        ],
        violations: [
            violation(EKS, { ...eks, endpointPrivateAccess: false }, /endpointPrivateAccess must be true/),
            violation(EKS, { ...eks, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }, /must not contain 0\.0\.0\.0\/0/),
            // Public access is the default when unset, and AWS then opens it to everyone.
            violation(EKS, { ...eks, endpointPublicAccess: undefined }, /without publicAccessCidrs/),
            violation(AWS_EKS, { ...awsEks, vpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: ["::/0"] } }, /must not contain ::\/0/),
        ],
    },
    "eks-secrets-encryption": {
        passes: [resource(EKS, eks), resource(AWS_EKS, awsEks)],
        violations: [
            violation(EKS, { ...eks, encryptionConfigKeyArn: undefined }, /customer KMS key/),
            violation(EKS, { ...eks, encryptionConfigKeyArn: "" }, /customer KMS key/),
            violation(AWS_EKS, { ...awsEks, encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: [] } }, /customer KMS key/),
            violation(AWS_EKS, { ...awsEks, encryptionConfig: undefined }, /customer KMS key/),
        ],
    },
    "eks-control-plane-logs": {
        passes: [resource(EKS, eks), resource(AWS_EKS, awsEks)],
        violations: [
            violation(EKS, { ...eks, enabledClusterLogTypes: ["api", "audit"] }, /misses authenticator, controllerManager, scheduler$/),
            violation(AWS_EKS, { ...awsEks, enabledClusterLogTypes: undefined }, /misses api, audit, authenticator, controllerManager, scheduler$/),
        ],
    },
    "eks-access-entries": {
        passes: [
            resource(EKS, eks),
            resource(AWS_EKS, awsEks),
            resource("kubernetes:core/v1:ConfigMap", { metadata: { name: "coredns-custom", namespace: "kube-system" } }),
            resource("kubernetes:core/v1:ConfigMap", { metadata: { name: "aws-auth", namespace: "mitene" } }),
        ],
        violations: [
            violation(EKS, { ...eks, authenticationMode: "API_AND_CONFIG_MAP" }, /must be API, got "API_AND_CONFIG_MAP"/),
            violation(EKS, { ...eks, authenticationMode: undefined }, /CONFIG_MAP \(the default\)/),
            violation(AWS_EKS, { ...awsEks, accessConfig: undefined }, /must be API/),
            violation("kubernetes:core/v1:ConfigMap", { metadata: { name: "aws-auth", namespace: "kube-system" }, data: { mapRoles: "[]" } }, /aws-auth/),
            violation("kubernetes:core/v1:ConfigMapPatch", { metadata: { name: "aws-auth" } }, /aws-auth/),
        ],
    },
    "node-imdsv2": {
        passes: [resource(LAUNCH_TEMPLATE, launchTemplate), resource(MANAGED_NODE_GROUP, nodeGroup), resource(AWS_NODE_GROUP, nodeGroup)],
        violations: [
            violation(LAUNCH_TEMPLATE, { metadataOptions: { ...launchTemplate.metadataOptions, httpTokens: "optional" } }, /httpTokens must be "required", got "optional"/),
            violation(LAUNCH_TEMPLATE, { metadataOptions: { ...launchTemplate.metadataOptions, httpPutResponseHopLimit: 2 } }, /HopLimit must be 1, got 2/),
            violation(LAUNCH_TEMPLATE, { updateDefaultVersion: true }, /httpTokens/, /HopLimit/),
            violation(MANAGED_NODE_GROUP, { ...nodeGroup, launchTemplate: undefined }, /needs a launch template/),
        ],
    },
    "no-ssh": {
        passes: [
            resource(LAUNCH_TEMPLATE, launchTemplate),
            resource(MANAGED_NODE_GROUP, nodeGroup),
            resource(SECURITY_GROUP, albSecurityGroup),
            resource(SECURITY_GROUP, sshFrom(["10.0.0.0/8"])),
            // SSH is TCP: UDP to every port is another rule's business.
            resource(SECURITY_GROUP, sshFrom(["0.0.0.0/0"], "udp", 0, 65535)),
            resource(SECURITY_GROUP_RULE, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
            resource(SECURITY_GROUP_RULE, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, sourceSecurityGroupId: "sg-1" }),
            resource(INGRESS_RULE, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
        ],
        violations: [
            violation(LAUNCH_TEMPLATE, { ...launchTemplate, keyName: "ops" }, /must not set keyName/),
            violation(MANAGED_NODE_GROUP, { ...nodeGroup, remoteAccess: { ec2SshKey: "ops" } }, /must not set remoteAccess/),
            violation(AWS_NODE_GROUP, { ...nodeGroup, remoteAccess: { ec2SshKey: "ops" } }, /must not set remoteAccess/),
            violation(SECURITY_GROUP, sshFrom(["10.0.0.0/8", "0.0.0.0/0"]), /^ingress allows port 22 from 0\.0\.0\.0\/0$/),
            violation(SECURITY_GROUP, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }, /from ::\/0/),
            violation(SECURITY_GROUP, sshFrom(["0.0.0.0/0"], "6", 0, 65535), /from 0\.0\.0\.0\/0/),
            violation(SECURITY_GROUP_RULE, { type: "ingress", protocol: "tcp", fromPort: 20, toPort: 30, cidrBlocks: ["0.0.0.0/0"] }, /port 22/),
            violation(SECURITY_GROUP_RULE, { type: "ingress", protocol: "all", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }, /port 22/),
            violation(INGRESS_RULE, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, /port 22 from 0\.0\.0\.0\/0/),
            // Ports left out read as every port.
            violation(INGRESS_RULE, { ipProtocol: "tcp", cidrIpv6: "::/0" }, /port 22 from ::\/0/),
        ],
    },
    "alb-drop-invalid-headers": {
        passes: [resource(LOAD_BALANCER, alb), resource(LOAD_BALANCER, nlb)],
        violations: [
            violation(LOAD_BALANCER, { ...alb, dropInvalidHeaderFields: false }, /dropInvalidHeaderFields/),
            // No loadBalancerType: an ALB.
            violation("aws:alb/loadBalancer:LoadBalancer", { ...alb, loadBalancerType: undefined, dropInvalidHeaderFields: undefined }, /dropInvalidHeaderFields/),
        ],
    },
    "alb-deletion-protection": {
        passes: [resource(LOAD_BALANCER, alb), resource(LOAD_BALANCER, nlb)],
        violations: [violation(LOAD_BALANCER, { ...alb, enableDeletionProtection: undefined }, /enableDeletionProtection/)],
    },
    "alb-access-logs": {
        passes: [resource(LOAD_BALANCER, alb), resource(LOAD_BALANCER, nlb)],
        violations: [
            violation(LOAD_BALANCER, { ...alb, accessLogs: { ...alb.accessLogs, enabled: false } }, /accessLogs/),
            violation(LOAD_BALANCER, { ...alb, accessLogs: { enabled: true, bucket: "" } }, /accessLogs/),
            violation(LOAD_BALANCER, { ...alb, accessLogs: undefined }, /accessLogs/),
        ],
    },
    "listener-tls12": {
        passes: [
            resource(LISTENER, https("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")),
            resource(LISTENER, https("ELBSecurityPolicy-TLS13-1-3-2021-06")),
            resource(LISTENER, https("ELBSecurityPolicy-TLS-1-2-Ext-2018-06")),
            resource(LISTENER, https("ELBSecurityPolicy-FS-1-2-Res-2020-10")),
            resource(LISTENER, http(redirect("HTTPS"))),
        ],
        violations: [
            violation(LISTENER, https(), /AWS default policy still accepts TLS 1\.0/),
            violation(LISTENER, https("ELBSecurityPolicy-2016-08"), /"ELBSecurityPolicy-2016-08" accepts TLS older than 1\.2/),
            violation(LISTENER, https("ELBSecurityPolicy-TLS13-1-1-2021-06"), /older than 1\.2/),
            violation(LISTENER, https("ELBSecurityPolicy-FS-1-1-2019-08"), /older than 1\.2/),
            violation("aws:alb/listener:Listener", { ...https("ELBSecurityPolicy-TLS-1-1-2017-01"), protocol: "TLS" }, /older than 1\.2/),
        ],
    },
    "listener-http-redirect": {
        passes: [resource(LISTENER, http(redirect("HTTPS"))), resource(LISTENER, https("ELBSecurityPolicy-TLS13-1-2-2021-06"))],
        violations: [
            violation(LISTENER, http(forward), /only redirect to HTTPS/),
            violation(LISTENER, http(redirect("HTTP")), /only redirect to HTTPS/),
            violation(LISTENER, http(), /only redirect to HTTPS/),
            // No protocol: HTTP.
            violation(LISTENER, { port: 8080, defaultActions: [forward] }, /only redirect to HTTPS/),
        ],
    },
    "irsa-trust-scoped": {
        passes: [
            resource(ROLE, { assumeRolePolicy: trust(webIdentity(scoped)) }),
            // The trust as a document rather than its JSON, and a single statement and action instead of lists.
            resource(ROLE, { assumeRolePolicy: { Version: "2012-10-17", Statement: webIdentity(scoped, "sts:AssumeRoleWithWebIdentity") } }),
            resource(ROLE, { assumeRolePolicy: trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] }) }),
            // A Deny grants nothing.
            resource(ROLE, { assumeRolePolicy: trust({ ...webIdentity(undefined), Effect: "Deny" }) }),
        ],
        violations: [
            violation(ROLE, { assumeRolePolicy: trust(webIdentity({ StringEquals: { ...scoped.StringEquals, [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:*" } })) }, /must name exactly one system:serviceaccount/),
            violation(ROLE, { assumeRolePolicy: trust(webIdentity({ StringEquals: audienceOnly, StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:*" } })) }, /:sub must name exactly one/, /StringLike on .*:sub lets more than one/),
            violation(ROLE, { assumeRolePolicy: trust(webIdentity({ StringEquals: { ...scoped.StringEquals, [`${ISSUER}:sub`]: ["system:serviceaccount:a:x", "system:serviceaccount:b:y"] } })) }, /must name exactly one/),
            violation(ROLE, { assumeRolePolicy: trust(webIdentity({ StringEquals: { [`${ISSUER}:sub`]: scoped.StringEquals[`${ISSUER}:sub`] } })) }, /:aud must be sts\.amazonaws\.com/),
            violation(ROLE, { assumeRolePolicy: trust(webIdentity(undefined)) }, /:sub must name exactly one/, /:aud must be/),
            // A wildcard action covers web identity too.
            violation(ROLE, { assumeRolePolicy: trust(webIdentity(undefined, "sts:*")) }, /:sub must name exactly one/, /:aud must be/),
            violation(ROLE, { assumeRolePolicy: trust(webIdentity(scoped, ["sts:AssumeRoleWithWebIdentity"], [PROVIDER, PROVIDER])) }, /exactly one Federated OIDC provider/),
            violation(ROLE, { assumeRolePolicy: "{not json" }, /not a JSON policy document/),
        ],
    },
    "kms-key-rotation": {
        passes: [
            resource("aws:kms/key:Key", { enableKeyRotation: true, deletionWindowInDays: 30 }),
            // Asymmetric keys cannot rotate.
            resource("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
        ],
        violations: [
            violation("aws:kms/key:Key", { enableKeyRotation: false }, /enableKeyRotation must be true/),
            violation("aws:kms/key:Key", { customerMasterKeySpec: "SYMMETRIC_DEFAULT" }, /enableKeyRotation must be true/),
        ],
    },
    "forward-weights-percent": {
        passes: [
            resource(LISTENER_RULE, { priority: 100, actions: [weighted(100, 0)] }),
            resource(LISTENER_RULE, { priority: 100, actions: [weighted(95, 5)] }),
            resource(LISTENER_RULE, { priority: 100, actions: [forward] }),
            resource(LISTENER_RULE, { priority: 100, actions: [weighted(undefined)] }),
            resource(LISTENER, { ...https("ELBSecurityPolicy-TLS13-1-2-2021-06"), defaultActions: [weighted(50, 50)] }),
        ],
        violations: [
            violation(LISTENER_RULE, { actions: [weighted(60, 60)] }, /must sum to 100, got 120 \(60 \+ 60\)/),
            violation(LISTENER_RULE, { actions: [weighted(50.5, 49.5)] }, /integer percentages/),
            violation(LISTENER_RULE, { actions: [weighted(100, undefined)] }, /integer percentages/),
            violation(LISTENER_RULE, { actions: [weighted(60, 50, -10)] }, /integer percentages/),
            // Two target groups without weights are a split nobody sized.
            violation(LISTENER_RULE, { actions: [weighted(undefined, undefined)] }, /integer percentages/),
            violation(LISTENER, { ...https("ELBSecurityPolicy-TLS13-1-2-2021-06"), defaultActions: [weighted(90, 5)] }, /got 95/),
        ],
    },
    "read-only-principals": {
        passes: [
            // The runner's policy as the stacks render it: its logs, its network interfaces, the connection.
            resource(ROLE_POLICY, { role: "mitene-prod-preview-runner", policy: JSON.stringify(readOnlyDocument(runnerStatements)) }),
            resource(ROLE_POLICY, { role: "mitene-prod-deploy-runner", policy: readOnlyDocument(runnerStatements) }),
            resource(ROLE, { name: "mitene-prod-preview", inlinePolicies: [{ name: "read", policy: JSON.stringify(readOnlyDocument(previewStatements)) }] }),
            // A Deny takes nothing away from the check; other roles are not read-only principals.
            resource(ROLE_POLICY, { role: "mitene-prod-preview", policy: readOnlyDocument([{ Effect: "Deny", Action: ["*"], Resource: "*" }]) }),
            resource(ROLE_POLICY, { role: "mitene-prod-deploy", policy: readOnlyDocument([{ Effect: "Allow", Action: ["ec2:*"], Resource: "*" }]) }),
            resource(ATTACHMENT, { role: "svc-cluster-node-1a2b3c", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }),
        ],
        violations: [
            violation(ROLE_POLICY, { role: "mitene-prod-preview-runner", policy: readOnlyDocument([...runnerStatements, { Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::123456789012:role/mitene-prod-deploy" }]) }, /granted sts:AssumeRole \(Write\) on arn:aws:iam::123456789012:role\/mitene-prod-deploy/),
            violation(ROLE, { name: "mitene-prod-preview", inlinePolicies: [{ policy: readOnlyDocument([...previewStatements, { Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::state/*" }]) }] }, /granted s3:PutObject \(Write\)/),
            // A wildcard reaches writes: every one it covers is named.
            violation(ROLE_POLICY, { role: "mitene-prod-preview", policy: readOnlyDocument([{ Effect: "Allow", Action: ["elasticloadbalancing:Modify*Rule*"], Resource: "*" }]) }, /ModifyRule \(Write, through elasticloadbalancing:Modify\*Rule\*\)/),
            // The preview role may assume itself, not another role; a runner not even itself.
            violation(ROLE_POLICY, { role: "mitene-prod-preview", policy: readOnlyDocument([{ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::123456789012:role/mitene-prod-preview", "arn:aws:iam::123456789012:role/mitene-prod-rollback"] }]) }, /granted sts:AssumeRole/),
            violation(ROLE_POLICY, { role: "mitene-prod-deploy-runner", policy: readOnlyDocument([{ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "arn:aws:iam::123456789012:role/mitene-prod-deploy-runner" }]) }, /granted sts:AssumeRole/),
            violation(ROLE_POLICY, { role: "mitene-prod-deploy-runner", policy: readOnlyDocument([{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }]) }, /NotAction or NotResource/),
            violation(ROLE_POLICY, { role: "mitene-prod-deploy-runner", policy: readOnlyDocument([{ Effect: "Allow", Action: ["ec2:DescribeEverything"], Resource: "*" }]) }, /no action of the IAM catalog/),
            // "*" names no service of the catalog: it is every action, not an unknown one.
            violation(ROLE_POLICY, { role: "mitene-prod-preview", policy: readOnlyDocument([{ Effect: "Allow", Action: "*", Resource: "*" }]) }, /^read-only mitene-prod-preview is granted every action \(\*\) on \*$/),
            violation(ROLE_POLICY, { role: "mitene-prod-preview", policy: "{not json" }, /not a JSON policy document/),
            violation(ATTACHMENT, { role: "mitene-prod-preview", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, /managed policy .*ReadOnlyAccess attached/),
            violation(ROLE, { name: "mitene-staging-preview-runner", managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }, /managed policy .*AdministratorAccess/),
        ],
    },
};
