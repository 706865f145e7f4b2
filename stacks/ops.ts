/**
 * Stack program `ops-<env>`: the Ops VPC and cluster, Argo CD, and the env's CI runners.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CI_RUNNERS, CiRunner, RunnerKind } from "../components/ciRunner";
import { Network } from "../components/network";
import { ciRunnerProjectName, opsClusterName } from "../components/naming";
import { OpsCluster } from "../components/opsCluster";
import { ProgramSettings, isProgramConfigSecret, loadStackConfig } from "./config/load";
import { OpsConfig, opsConfigSchema } from "./config/schema";
import { OpsOutputs, ProgramOutputs } from "./outputs";
import { awsProvider } from "./providers";

export async function opsProgram(stack: string, env: string, raw: Record<string, string>, settings: ProgramSettings): Promise<ProgramOutputs<OpsOutputs>> {
    const { config, run } = loadStackConfig(stack, env, opsConfigSchema, raw, settings, { secretKeys: ["argocdSsoClientSecret"], isSecret: isProgramConfigSecret });
    const provider = awsProvider(config.region, stack, env, { accountId: config.accountId, roleArn: run.roleArn });
    const network = new Network("ops", {
        provider,
        vpcCidr: config.vpcCidr,
        availabilityZones: config.availabilityZones,
        privateSubnetPrefixLength: config.privateSubnetPrefixLength,
        publicSubnetPrefixLength: config.publicSubnetPrefixLength,
        natGateways: config.natGateways,
    });
    // The runners sit in the Ops VPC: peered to every region, and never on a cluster they upgrade. Two of them,
    // so pull-request previews never share a project, role or security group with the jobs that deploy.
    const ciRunner = config.ciRunner;
    const newRunner = (kind: RunnerKind, settings: NonNullable<typeof ciRunner>) => new CiRunner(`ci-${kind}`, {
        provider,
        projectName: ciRunnerProjectName(env, kind),
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        repositoryUrl: settings.repositoryUrl,
        connectionArn: settings.connectionArn,
        computeType: settings.computeType,
        // Pull requests come from anyone: only the deploy runner is narrowed to the listed actors.
        actorAccountIds: kind === "deploy" ? settings.deployActorAccountIds : undefined,
        ...CI_RUNNERS[kind],
    });
    const runners = ciRunner ? { deploy: newRunner("deploy", ciRunner), preview: newRunner("preview", ciRunner) } : undefined;
    const ops = new OpsCluster("ops", {
        provider,
        env,
        region: config.region,
        clusterName: opsClusterName(env),
        vpcId: network.vpcId,
        vpcCidr: config.vpcCidr,
        privateSubnetIds: network.privateSubnetIds,
        kubernetesVersion: config.kubernetesVersion,
        coreAddonsVersion: config.coreAddonsVersion,
        nodeGroupVersion: config.nodeGroupVersion,
        nodeGroups: config.nodeGroups,
        kubernetesRoleArn: run.roleArn,
        roles: { deploy: config.deployRoleArn, preview: config.previewRoleArn, rollback: config.rollbackRoleArn },
        operators: config.operatorAccess,
        supportType: config.supportType,
        controlPlaneLogRetentionDays: config.controlPlaneLogRetentionDays,
        publicAccessCidrs: config.publicAccessCidrs,
        // ops-upgrade and the ops stack's own deploys run on the runners.
        apiClients: Object.entries(runners ?? {}).map(([kind, runner]) => ({ description: `the ${kind} CI runners`, securityGroupId: runner.securityGroupId })),
        accessLogsBucket: config.accessLogsBucket,
        argocd: { ...config.argocd, clientSecret: ssoClientSecret(config, provider) },
        grafana: config.grafana,
    });
    return {
        region: config.region,
        accountId: config.accountId,
        vpcId: network.vpcId,
        vpcCidr: config.vpcCidr,
        privateRouteTableIds: network.privateRouteTableIds,
        ciRunnerProjects: runners ? { deploy: runners.deploy.projectName, preview: runners.preview.projectName } : null,
        clusterName: ops.cluster.clusterName,
        clusterEndpoint: ops.cluster.endpoint,
        clusterCertificateAuthority: ops.cluster.certificateAuthority,
        kubernetesVersion: config.kubernetesVersion,
        coreAddonsVersion: config.coreAddonsVersion,
        nodeGroupVersion: config.nodeGroupVersion,
        argocdRoleArn: ops.argocdRoleArn,
        argocdUrl: ops.argocdUrl,
    };
}

/** The SSO client secret: from secret config, else from an SSM SecureString; a secret Output either way. */
function ssoClientSecret(config: Omit<OpsConfig, "argocdSsoClientSecret"> & { argocdSsoClientSecret?: pulumi.Output<string> }, provider: aws.Provider): pulumi.Output<string> {
    if (config.argocdSsoClientSecret) return config.argocdSsoClientSecret;
    // The schema requires one of the two.
    const parameter = config.argocd.sso.clientSecretParameter as string;
    return pulumi.secret(aws.ssm.getParameterOutput({ name: parameter, withDecryption: true }, { provider }).value);
}
