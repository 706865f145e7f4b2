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

/** What the load balancer controller of one cluster may touch. */
export interface LoadBalancerControllerScope extends PolicyScope {
    /** The cluster's VPC: security-group rules only there. */
    vpcId: string;
    /** Names of the target groups it may register pods in, e.g. `prod-usw2-*-green`. */
    targetGroupPattern: string;
}

/**
 * AWS Load Balancer Controller in TargetGroupBinding-only use. The load balancers, listeners, rules (which
 * carry the blue/green weights) and target groups belong to Pulumi; the controller only registers pod IPs
 * in its own color's target groups and opens the pods' port to the load balancer's security group. So no
 * workload can create a load balancer or move traffic by annotating an Ingress, and green cannot register
 * into blue's target groups. Re-check the read list against the controller's iam_policy.json on each bump.
 */
export function loadBalancerControllerPolicy(scope: LoadBalancerControllerScope): PolicyDocument {
    const p = scope.partition;
    return policy(
        {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAvailabilityZones", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
            ],
            Resource: "*",
        },
        {
            Sid: "RegisterOwnTargets",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: `arn:${p}:elasticloadbalancing:${scope.region}:${scope.accountId}:targetgroup/${scope.targetGroupPattern}/*`,
        },
        {
            Sid: "PodIngressInOwnVpc",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: `arn:${p}:ec2:${scope.region}:${scope.accountId}:security-group/*`,
            Condition: { ArnEquals: { "ec2:Vpc": `arn:${p}:ec2:${scope.region}:${scope.accountId}:vpc/${scope.vpcId}` } },
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

/**
 * external-secrets: read the env's parameters under one path. GetParameter(s) are authorized on each
 * parameter asked for (`parameter/<path>/*`); GetParametersByPath on the path in the request, not on the
 * parameters it returns (SSM user guide, "How Parameter Store authorizes parameter retrieval"), so on the
 * path itself (`parameter/<path>`) and on the sub-paths a recursive `find` may ask for. DescribeParameters (a `find` by name) has no resource-level
 * permissions, so it is granted on "*" as external-secrets documents (docs/provider/aws-parameter-store.md);
 * it lists names and metadata, never values. A `find` by tag would also need tag:GetResources on "*": not
 * granted, the platform does not use it.
 */
export function externalSecretsPolicy(scope: PolicyScope, parameterPath: string): PolicyDocument {
    const path = parameterPath.replace(/^\/+|\/+$/g, "");
    const parameters = `arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:parameter/${path}`;
    return policy(
        {
            Sid: "ReadParameters",
            Effect: "Allow",
            Action: ["ssm:GetParameter", "ssm:GetParameters"],
            Resource: `${parameters}/*`,
        },
        {
            Sid: "ReadParametersByPath",
            Effect: "Allow",
            Action: ["ssm:GetParametersByPath"],
            Resource: [parameters, `${parameters}/*`],
        },
        { Sid: "FindParameters", Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: "*" },
    );
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

/** What a CodeBuild-hosted GitHub Actions runner in a VPC may do. */
export interface RunnerScope {
    partition: string;
    accountId: string;
    region: string;
    /** Its CloudWatch Logs group. */
    logGroupName: string;
    /** The subnets its network interfaces go into. */
    subnetIds: string[];
    /** CodeConnections (or older codestar-connections) connection to GitHub. */
    connectionArn: string;
}

/**
 * The runner's service role: write its own logs, manage the network interfaces of builds in its own subnets
 * (CodeBuild User Guide, "Allow CodeBuild access to AWS services required to create a VPC network
 * interface"), use its GitHub connection. Nothing else, and no role to assume: a job gets its AWS rights from
 * GitHub OIDC (the role trusts pin repository and GitHub environment), so whatever runs on the runner, a
 * pull request's code included, holds nothing of the deploy path through the runner itself.
 */
export function runnerRolePolicy(scope: RunnerScope): PolicyDocument {
    const p = scope.partition;
    const logGroup = `arn:${p}:logs:${scope.region}:${scope.accountId}:log-group:${scope.logGroupName}`;
    // The connection's own service prefix names its actions (codeconnections, or codestar-connections for older ones).
    const connectionService = scope.connectionArn.split(":")[2];
    return policy(
        { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroup, `${logGroup}:log-stream:*`] },
        {
            Sid: "VpcNetworkInterfaces",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs",
            ],
            Resource: "*",
        },
        {
            Sid: "VpcNetworkInterfacePermission",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterfacePermission"],
            Resource: `arn:${p}:ec2:${scope.region}:${scope.accountId}:network-interface/*`,
            Condition: {
                StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
                ArnEquals: { "ec2:Subnet": scope.subnetIds.map((id) => `arn:${p}:ec2:${scope.region}:${scope.accountId}:subnet/${id}`) },
            },
        },
        { Sid: "GitHubConnection", Effect: "Allow", Action: [`${connectionService}:GetConnectionToken`, `${connectionService}:GetConnection`], Resource: scope.connectionArn },
    );
}
