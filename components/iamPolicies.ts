/**
 * IAM policy documents for the platform add-ons, least privilege: every write is scoped to this cluster's
 * resources by ARN or by the tags the controllers put on what they create.
 */

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    /** Only in trust (resource) policies. */
    Principal?: Record<string, string | string[]>;
    Action: string[];
    /** Only in identity policies. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** What a policy may refer to. */
export interface PolicyScope {
    partition: string;
    accountId: string;
    region: string;
    clusterName: string;
}

const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * AWS Load Balancer Controller. Follows the controller's published iam_policy.json (v3.5): read-only
 * describes everywhere, writes only on load balancers, target groups and security groups tagged
 * `elbv2.k8s.aws/cluster`. Re-check it against the policy of the chart's app version on every bump.
 */
export function loadBalancerControllerPolicy(scope: PolicyScope): PolicyDocument {
    const p = scope.partition;
    const tagged = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };
    const requestTagged = { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } };
    return policy(
        {
            Sid: "ServiceLinkedRole",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: "*",
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation",
                "acm:ListCertificates", "acm:DescribeCertificate",
            ],
            Resource: "*",
        },
        {
            Sid: "SecurityGroupRules",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "*",
        },
        {
            Sid: "CreateSecurityGroup",
            Effect: "Allow",
            Action: ["ec2:CreateSecurityGroup"],
            Resource: "*",
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: `arn:${p}:ec2:*:*:security-group/*`,
            Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...requestTagged },
        },
        {
            Sid: "ManageOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags", "ec2:DeleteSecurityGroup"],
            Resource: `arn:${p}:ec2:*:*:security-group/*`,
            Condition: tagged,
        },
        {
            Sid: "CreateLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: "*",
            Condition: requestTagged,
        },
        {
            Sid: "Listeners",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
            ],
            Resource: "*",
        },
        {
            Sid: "Tags",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: [
                `arn:${p}:elasticloadbalancing:*:*:targetgroup/*/*`,
                `arn:${p}:elasticloadbalancing:*:*:loadbalancer/net/*/*`,
                `arn:${p}:elasticloadbalancing:*:*:loadbalancer/app/*/*`,
            ],
            Condition: tagged,
        },
        {
            Sid: "ManageOwnLoadBalancers",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            Resource: "*",
            Condition: tagged,
        },
        {
            Sid: "Targets",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: `arn:${p}:elasticloadbalancing:${scope.region}:${scope.accountId}:targetgroup/*/*`,
        },
        {
            Sid: "ListenerSettings",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            Resource: "*",
        },
    );
}

/** Cluster autoscaler: scales only the Auto Scaling groups EKS tagged as owned by this cluster. */
export function clusterAutoscalerPolicy(scope: PolicyScope): PolicyDocument {
    return policy(
        {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
                "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
            Resource: "*",
        },
        {
            Sid: "NodeGroups",
            Effect: "Allow",
            Action: ["eks:DescribeNodegroup"],
            Resource: `arn:${scope.partition}:eks:${scope.region}:${scope.accountId}:nodegroup/${scope.clusterName}/*`,
        },
        {
            Sid: "ScaleOwnGroups",
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${scope.clusterName}`]: "owned" } },
        },
    );
}

/** external-secrets: read the env's parameters under one path, nothing else. */
export function externalSecretsPolicy(scope: PolicyScope, parameterPath: string): PolicyDocument {
    const path = parameterPath.replace(/^\/+|\/+$/g, "");
    return policy({
        Sid: "ReadParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:DescribeParameters"],
        Resource: `arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:parameter/${path}/*`,
    });
}

/** Fluent Bit: write streams of one pre-created log group. */
export function fluentBitPolicy(scope: PolicyScope, logGroupName: string): PolicyDocument {
    const group = `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${logGroupName}`;
    return policy({
        Sid: "WriteLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [group, `${group}:log-stream:*`],
    });
}

/** Prometheus agent: remote-write into one Amazon Managed Prometheus workspace. */
export function prometheusRemoteWritePolicy(scope: PolicyScope, workspaceId: string): PolicyDocument {
    return policy({
        Sid: "RemoteWrite",
        Effect: "Allow",
        Action: ["aps:RemoteWrite"],
        Resource: `arn:${scope.partition}:aps:${scope.region}:${scope.accountId}:workspace/${workspaceId}`,
    });
}

/** Trust policy of an IRSA role: exactly one Kubernetes service account of one cluster may assume it. */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuerUrl: string, namespace: string, serviceAccount: string): PolicyDocument {
    const issuer = oidcIssuerUrl.replace(/^https:\/\//, "");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: ["sts:AssumeRoleWithWebIdentity"],
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

/** Trust policy letting one AWS service (e.g. `ec2.amazonaws.com`) assume a role. */
export const serviceTrustPolicy = (service: string): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }],
});

/** Trust policy letting specific roles assume a role. */
export const roleTrustPolicy = (roleArns: string[]): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: roleArns }, Action: ["sts:AssumeRole"] }],
});
