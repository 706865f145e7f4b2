/**
 * Stack program `mitene-<env>-<region>-<color>`: one blue or green service cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectAddons } from "../components/addonCatalog";
import { eksKubeconfig } from "../components/kubeconfig";
import { Color, opsStack, regionStack, serviceClusterName } from "../components/naming";
import { ServiceCluster } from "../components/serviceCluster";
import { ConfigError, ProgramSettings, loadStackConfig } from "./config/load";
import { clusterConfigSchema } from "./config/schema";
import { ClusterOutputs, OpsOutputs, ProgramOutputs, RegionOutputs } from "./outputs";
import { awsProvider } from "./providers";
import { TypedStackReference } from "./references";
import { cronInterlockProblem } from "./upgradeRecord";

export async function clusterProgram(stack: string, env: string, region: string, color: Color, raw: Record<string, string>, settings: ProgramSettings): Promise<ProgramOutputs<ClusterOutputs>> {
    const { config, run } = loadStackConfig(stack, env, clusterConfigSchema, raw, settings);
    const edge = new TypedStackReference<RegionOutputs>(regionStack(env, region));
    // Interlock, read under this update's lock: cron jobs never run in both colors, and never stop on the
    // color a rollback went back to (stacks/upgradeRecord.ts).
    const cronProblem = cronInterlockProblem(color, config.cron, await edge.value("cronColor"), (await edge.valueOrUndefined("upgrade")) ?? null);
    if (cronProblem) throw new ConfigError(stack, [`mitene:cron: ${cronProblem}`]);
    const ops = new TypedStackReference<OpsOutputs>(opsStack(env));
    const [opsAccount, opsVpcCidr] = await Promise.all([ops.value("accountId"), ops.value("vpcCidr")]);
    if (opsAccount !== config.accountId) {
        throw new ConfigError(stack, [`mitene:accountId: ${config.accountId} differs from the Ops stack's ${opsAccount}: every stack of ${env} lives in one account`]);
    }
    const provider = awsProvider(region, stack, env, { accountId: config.accountId, roleArn: run.roleArn });
    // The Ops cluster as the Ops stack publishes it, reached with this run's role (never one the Ops deploy chose).
    const opsKubeconfig = pulumi
        .all([ops.output("clusterName"), ops.output("clusterEndpoint"), ops.output("clusterCertificateAuthority"), ops.output("region")])
        .apply(([clusterName, endpoint, caData, opsRegion]) => eksKubeconfig({ clusterName, endpoint, caData, region: opsRegion, roleArn: run.roleArn }));
    const opsProvider = new k8s.Provider("ops", { kubeconfig: opsKubeconfig, enableServerSideApply: true });

    // The services are known only once the region stack answers; the bindings are created from them.
    const services = await edge.value("services");
    const targetGroups = edge.output("targetGroups");
    const clusterName = serviceClusterName(env, region, color);
    const addons = selectAddons(config.nodeTerminationHandler ? ["aws-node-termination-handler"] : []);

    const cluster = new ServiceCluster("svc", {
        provider,
        env,
        region,
        color,
        clusterName,
        kubernetesVersion: config.kubernetesVersion,
        nodeGroups: config.nodeGroups,
        kubernetesRoleArn: run.roleArn,
        roles: { deploy: config.deployRoleArn, preview: config.previewRoleArn, rollback: config.rollbackRoleArn },
        operators: config.operatorAccess,
        supportType: config.supportType,
        controlPlaneLogRetentionDays: config.controlPlaneLogRetentionDays,
        publicAccessCidrs: config.publicAccessCidrs,
        // Argo CD and the CI runners live in the Ops VPC, peered with this region's VPC.
        apiClients: [{ description: "the Ops VPC (Argo CD, CI runners)", cidr: opsVpcCidr }],
        cron: config.cron,
        argocdRegistered: config.argocdRegistered,
        vpcId: edge.output("vpcId"),
        privateSubnetIds: edge.output("privateSubnetIds"),
        loadBalancerSecurityGroupId: edge.output("loadBalancer").apply((lb) => lb.securityGroupId),
        services: services.map((service) => ({
            name: service.name,
            namespace: service.namespace,
            serviceName: service.serviceName,
            port: service.port,
            // Region stacks deployed before servicePort existed export only the pods' port.
            servicePort: service.servicePort ?? service.port,
            targetGroupArn: targetGroups.apply((groups) => groups[service.name][color].arn),
        })),
        opsKubernetesProvider: opsProvider,
        argocdRoleArn: ops.output("argocdRoleArn"),
        ampWorkspaceId: config.ampWorkspaceId,
        parameterPath: config.parameterPath ?? `/mitene/${env}`,
        logRetentionDays: config.logRetentionDays,
        addons,
    });

    return {
        clusterName,
        color,
        kubernetesVersion: config.kubernetesVersion,
        cron: config.cron,
        argocdRegistered: config.argocdRegistered,
        endpoint: cluster.cluster.endpoint,
        clusterSecurityGroupId: cluster.cluster.clusterSecurityGroupId,
        nodeGroups: config.nodeGroups.map((g) => ({ name: g.name, maxSize: g.maxSize, maxPodsPerNode: g.maxPodsPerNode })),
        addons: addons.map((addon) => addon.name),
    };
}
