/**
 * Stack program `ops-<env>`: the Ops cluster and Argo CD.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Network } from "../components/network";
import { opsClusterName } from "../components/naming";
import { OpsCluster } from "../components/opsCluster";
import { isProgramConfigSecret, parseStackConfig } from "./config/load";
import { OpsConfig, opsConfigSchema } from "./config/schema";
import { OpsOutputs, ProgramOutputs } from "./outputs";
import { awsProvider } from "./providers";

export async function opsProgram(stack: string, env: string, raw: Record<string, string>): Promise<ProgramOutputs<OpsOutputs>> {
    const config = parseStackConfig(stack, opsConfigSchema, raw, { secretKeys: ["argocdSsoClientSecret"], isSecret: isProgramConfigSecret });
    const provider = awsProvider(config.region, stack, env);
    const network = new Network("ops", {
        provider,
        vpcCidr: config.vpcCidr,
        availabilityZones: config.availabilityZones,
        privateSubnetPrefixLength: config.privateSubnetPrefixLength,
        publicSubnetPrefixLength: config.publicSubnetPrefixLength,
        natGateways: config.natGateways,
    });
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
        publicAccessCidrs: config.publicAccessCidrs,
        accessLogsBucket: config.accessLogsBucket,
        argocd: { ...config.argocd, clientSecret: ssoClientSecret(config, provider) },
        grafana: config.grafana,
    });
    return {
        clusterName: ops.cluster.clusterName,
        kubeconfig: ops.cluster.kubeconfig,
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
