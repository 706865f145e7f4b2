/**
 * The env's CI runners: an AWS CodeBuild project acting as a GitHub Actions runner inside the Ops VPC, so the
 * jobs that deploy and upgrade reach the private cluster APIs (Argo CD's path, peered to every region) without
 * running on any cluster they change. A job asks for one with
 * `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`; the webhook's
 * WORKFLOW_JOB_QUEUED filter starts a build for it (CodeBuild User Guide, "CodeBuild-hosted GitHub Actions
 * runners"). The role may only assume the env's deploy role.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runnerRolePolicy, serviceTrustPolicy } from "./iamPolicies";
import { throwIfProblems } from "./validation";

/** CodeBuild's curated Amazon Linux 2023 image (Node.js, the AWS CLI and git included). */
export const DEFAULT_RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

export interface CiRunnerArgs {
    /** AWS provider of the Ops region. */
    provider: aws.Provider;
    /** CodeBuild project name; the workflow label starts with `codebuild-<projectName>-`. */
    projectName: string;
    vpcId: pulumi.Input<string>;
    /** Private subnets of the Ops VPC (NAT for GitHub and the registries). */
    subnetIds: pulumi.Input<string[]>;
    /** The GitHub repository, https://github.com/<owner>/<repo>. */
    repositoryUrl: string;
    /** CodeConnections connection to GitHub (created once by hand: it needs a GitHub app authorization). */
    connectionArn: string;
    /** The env's deploy role, which jobs assume. */
    deployRoleArn: string;
    /** Build host size. Default BUILD_GENERAL1_MEDIUM. */
    computeType?: string;
    /** Build image. Default DEFAULT_RUNNER_IMAGE. */
    image?: string;
    /** Longest job in minutes (a whole prod upgrade with holds is about 3 h). Default 480. */
    buildTimeoutMinutes?: number;
    /** Days of runner logs kept. Default 90. */
    logRetentionDays?: number;
}

export function ciRunnerProblems(args: CiRunnerArgs): string[] {
    const problems: string[] = [];
    // Also the runner role's name: IAM allows 64 characters.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/.test(args.projectName)) problems.push(`projectName "${args.projectName}" is not a CodeBuild project and IAM role name`);
    if (!/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/.test(args.repositoryUrl)) problems.push(`repositoryUrl "${args.repositoryUrl}" must be https://github.com/<owner>/<repo>`);
    if (!/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/.test(args.connectionArn)) problems.push(`connectionArn "${args.connectionArn}" is not a CodeConnections connection ARN`);
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(args.deployRoleArn)) problems.push(`deployRoleArn "${args.deployRoleArn}" is not an IAM role ARN`);
    const timeout = args.buildTimeoutMinutes ?? 480;
    if (!Number.isInteger(timeout) || timeout < 5 || timeout > 2160) problems.push(`buildTimeoutMinutes ${timeout} is outside CodeBuild's 5..2160`);
    return problems;
}

export class CiRunner extends pulumi.ComponentResource {
    readonly projectName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    /** The runners' security group: clusters in the Ops VPC admit it on 443. */
    readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: CiRunnerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:ci:CiRunner", name, {}, opts);
        throwIfProblems(`CiRunner ${name}`, ciRunnerProblems(args));
        const child = { parent: this, provider: args.provider };

        // Outbound only: jobs call GitHub, registries and AWS; nothing calls the runner.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-runner`, {
            vpcId: args.vpcId,
            description: `${args.projectName} GitHub Actions runners`,
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "GitHub, registries, AWS APIs, cluster APIs" }],
        }, child);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-runner`, {
            name: `/mitene/ci/${args.projectName}`,
            retentionInDays: args.logRetentionDays ?? 90,
        }, child);
        // Named after the project, so the deploy role's trust policy can name it before it exists.
        const role = new aws.iam.Role(`${name}-runner`, {
            name: args.projectName,
            description: `Service role of the ${args.projectName} CodeBuild runners`,
            assumeRolePolicy: JSON.stringify(serviceTrustPolicy("codebuild.amazonaws.com")),
        }, child);
        const identity = aws.getCallerIdentityOutput({}, child);
        const partition = aws.getPartitionOutput({}, child);
        const region = aws.getRegionOutput({}, child);
        const rolePolicy = new aws.iam.RolePolicy(`${name}-runner`, {
            role: role.name,
            policy: pulumi
                .all([identity.accountId, partition.partition, region.region, logGroup.name, pulumi.output(args.subnetIds)])
                .apply(([accountId, partitionName, regionName, logGroupName, subnetIds]) =>
                    JSON.stringify(runnerRolePolicy({
                        partition: partitionName,
                        accountId,
                        region: regionName,
                        logGroupName,
                        subnetIds,
                        connectionArn: args.connectionArn,
                        deployRoleArn: args.deployRoleArn,
                    }))),
        }, child);

        // CodeBuild checks the role's VPC permissions when the project is created: the policy comes first.
        const project = new aws.codebuild.Project(`${name}-runner`, {
            name: args.projectName,
            description: "GitHub Actions runners inside the Ops VPC (deploy, upgrade, rollback, ops-upgrade)",
            serviceRole: role.arn,
            source: { type: "GITHUB", location: args.repositoryUrl, auth: { type: "CODECONNECTIONS", resource: args.connectionArn } },
            artifacts: { type: "NO_ARTIFACTS" },
            environment: { type: "LINUX_CONTAINER", computeType: args.computeType ?? "BUILD_GENERAL1_MEDIUM", image: args.image ?? DEFAULT_RUNNER_IMAGE },
            vpcConfig: { vpcId: args.vpcId, subnets: args.subnetIds, securityGroupIds: [securityGroup.id] },
            buildTimeout: args.buildTimeoutMinutes ?? 480,
            logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" } },
        }, { ...child, dependsOn: [rolePolicy] });
        new aws.codebuild.Webhook(`${name}-runner`, {
            projectName: project.name,
            buildType: "BUILD",
            filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
        }, child);

        this.projectName = project.name;
        this.roleArn = role.arn;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({ projectName: this.projectName, roleArn: this.roleArn, securityGroupId: this.securityGroupId });
    }
}
