/**
 * One kind of the env's CI runners: an AWS CodeBuild project acting as a GitHub Actions runner inside the Ops
 * VPC, so jobs reach the private cluster APIs (Argo CD's path, peered to every region) without running on any
 * cluster they change. The env has two (CI_RUNNERS): one for the workflows that deploy, one for the pull-request
 * preview, each with its own project, service role and security group. A job asks for one with
 * `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`; the webhook's
 * WORKFLOW_JOB_QUEUED filter starts a build for it (CodeBuild User Guide, "CodeBuild-hosted GitHub Actions
 * runners").
 *
 * The runner's own role holds nothing of the deploy path: logs, its builds' network interfaces, the GitHub
 * connection. Every AWS right a job has comes from GitHub OIDC, pinned by the role trusts to the repository
 * and the job's GitHub environment (components/identity/). A job that lands on the wrong runner gains nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runnerRolePolicy, serviceTrustPolicy } from "./iamPolicies";
import { throwIfProblems } from "./validation";

/** CodeBuild's curated Amazon Linux 2023 image (Node.js, the AWS CLI and git included). */
export const DEFAULT_RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

export type RunnerKind = "deploy" | "preview";

/**
 * The env's two runners: which workflows each takes (their `name:`) and its build timeout, at least the
 * `timeout-minutes` of every job it runs (test/workflows/runners.test.ts reads the workflows and holds this).
 * The deploy runner runs run-driver.yml's job (600 minutes: an upgrade with holds, or waiting on cron jobs)
 * and deploy-env.yml's; the preview runner only preview.yml's.
 */
export const CI_RUNNERS: Record<RunnerKind, { workflowNames: string[]; buildTimeoutMinutes: number }> = {
    deploy: { workflowNames: ["Deploy", "Upgrade", "Ops upgrade", "Rollback", "Discard", "Stop the line"], buildTimeoutMinutes: 600 },
    preview: { workflowNames: ["Preview"], buildTimeoutMinutes: 60 },
};

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
    /**
     * Names of the workflows whose jobs this runner takes (the webhook's WORKFLOW_NAME filter). A reusable
     * workflow's job carries its caller's name.
     */
    workflowNames: string[];
    /** GitHub account IDs whose jobs start a build (the webhook's ACTOR_ACCOUNT_ID filter). Default: any actor. */
    actorAccountIds?: string[];
    /** Build host size. Default BUILD_GENERAL1_MEDIUM. */
    computeType?: string;
    /** Build image. Default DEFAULT_RUNNER_IMAGE. */
    image?: string;
    /** Longest job in minutes: at least the `timeout-minutes` of every job it runs (CI_RUNNERS). */
    buildTimeoutMinutes: number;
    /** Days of runner logs kept. Default 90. */
    logRetentionDays?: number;
}

export function ciRunnerProblems(args: CiRunnerArgs): string[] {
    const problems: string[] = [];
    // Also the runner role's name: IAM allows 64 characters.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/.test(args.projectName)) problems.push(`projectName "${args.projectName}" is not a CodeBuild project and IAM role name`);
    if (!/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/.test(args.repositoryUrl)) problems.push(`repositoryUrl "${args.repositoryUrl}" must be https://github.com/<owner>/<repo>`);
    if (!/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/.test(args.connectionArn)) problems.push(`connectionArn "${args.connectionArn}" is not a CodeConnections connection ARN`);
    if (args.workflowNames.length === 0) problems.push("workflowNames is empty: the runner would take no job");
    for (const name of args.workflowNames.filter((n) => n.trim() === "" || /[\r\n]/.test(n))) problems.push(`workflow name ${JSON.stringify(name)} is not a workflow name`);
    for (const id of (args.actorAccountIds ?? []).filter((i) => !/^\d{1,20}$/.test(i))) problems.push(`actor account ID ${JSON.stringify(id)} is not a GitHub account ID (a number)`);
    const timeout = args.buildTimeoutMinutes;
    if (!Number.isInteger(timeout) || timeout < 5 || timeout > 2160) problems.push(`buildTimeoutMinutes ${timeout} is outside CodeBuild's 5..2160`);
    return problems;
}

/**
 * The webhook's one filter group. Which filter types a WORKFLOW_JOB_QUEUED event can be matched on (CodeBuild
 * API Reference, WebhookFilter, read 2026-12-04 in the CloudFormation WebhookFilter page and the AWS SDKs'
 * copies of it): EVENT; WORKFLOW_NAME ("works with WORKFLOW_JOB_QUEUED events only"); ACTOR_ACCOUNT_ID (any
 * event). HEAD_REF and BASE_REF work with push and pull-request events only, and REPOSITORY_NAME /
 * ORGANIZATION_NAME "with GitHub global or organization webhooks only": this project's webhook belongs to the
 * one repository of the project's source, so it never sees another repository's jobs. A workflow name is
 * chosen by whoever edits the workflow file, so the filter keeps jobs apart, it does not authorize them: the
 * OIDC trusts and the GitHub environments' branch rules do. ACTOR_ACCOUNT_ID, when given, narrows who can start
 * a build at all (a job queued by anyone else never reaches the runner).
 */
export function runnerWebhookFilters(workflowNames: readonly string[], actorAccountIds: readonly string[] = []): { type: string; pattern: string }[] {
    const names = [...workflowNames].sort().map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return [
        { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
        { type: "WORKFLOW_NAME", pattern: `^(${names.join("|")})$` },
        ...(actorAccountIds.length > 0 ? [{ type: "ACTOR_ACCOUNT_ID", pattern: `^(${[...actorAccountIds].sort().join("|")})$` }] : []),
    ];
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
                    }))),
        }, child);

        // CodeBuild checks the role's VPC permissions when the project is created: the policy comes first.
        const project = new aws.codebuild.Project(`${name}-runner`, {
            name: args.projectName,
            description: `GitHub Actions runners inside the Ops VPC for: ${args.workflowNames.join(", ")}`.slice(0, 255),
            serviceRole: role.arn,
            source: { type: "GITHUB", location: args.repositoryUrl, auth: { type: "CODECONNECTIONS", resource: args.connectionArn } },
            artifacts: { type: "NO_ARTIFACTS" },
            environment: { type: "LINUX_CONTAINER", computeType: args.computeType ?? "BUILD_GENERAL1_MEDIUM", image: args.image ?? DEFAULT_RUNNER_IMAGE },
            vpcConfig: { vpcId: args.vpcId, subnets: args.subnetIds, securityGroupIds: [securityGroup.id] },
            buildTimeout: args.buildTimeoutMinutes,
            logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" } },
        }, { ...child, dependsOn: [rolePolicy] });
        new aws.codebuild.Webhook(`${name}-runner`, {
            projectName: project.name,
            buildType: "BUILD",
            filterGroups: [{ filters: runnerWebhookFilters(args.workflowNames, args.actorAccountIds) }],
        }, child);

        this.projectName = project.name;
        this.roleArn = role.arn;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({ projectName: this.projectName, roleArn: this.roleArn, securityGroupId: this.securityGroupId });
    }
}
