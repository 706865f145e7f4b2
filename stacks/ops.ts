/**
 * Stack program `ops-<env>`: the Ops VPC and cluster, Argo CD, and the env's CI runners.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CiRunner } from "../components/ciRunner";
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
    // The runners sit in the Ops VPC: peered to every region, and never on a cluster they upgrade.
    const runner = config.ciRunner
        ? new CiRunner("ci", {
              provider,
              projectName: ciRunnerProjectName(env),
              vpcId: network.vpcId,
              subnetIds: network.privateSubnetIds,
              repositoryUrl: config.ciRunner.repositoryUrl,
              connectionArn: config.ciRunner.connectionArn,
              deployRoleArn: config.deployRoleArn,
              computeType: config.ciRunner.computeType,
          })
        : undefined;
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
        apiClients: runner ? [{ description: "the CI runners", securityGroupId: runner.securityGroupId }] : [],
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
        ciRunnerProject: runner ? runner.projectName : null,
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
