/**
 * Stack program `region-<env>-<region>`: the region's VPC, ALB, target groups, weighted rules and records, and
 * the VPC peering with the Ops VPC (read through a StackReference: data still flows one way, ops -> region).
 */
import { opsStack } from "../components/naming";
import { OpsPeering } from "../components/opsPeering";
import { RegionEdge } from "../components/regionEdge";
import { ConfigError, ProgramSettings, loadStackConfig } from "./config/load";
import { regionConfigSchema, targetGroupNameProblems } from "./config/schema";
import { OpsOutputs, ProgramOutputs, RegionOutputs } from "./outputs";
import { awsProvider } from "./providers";
import { TypedStackReference } from "./references";
import { recordTransitionProblem } from "./upgradeRecord";

export async function regionProgram(stack: string, env: string, region: string, raw: Record<string, string>, settings: ProgramSettings): Promise<ProgramOutputs<RegionOutputs>> {
    const { config, run } = loadStackConfig(stack, env, regionConfigSchema, raw, settings);
    const nameProblems = targetGroupNameProblems(env, region, config.services);
    if (nameProblems.length > 0) throw new ConfigError(stack, nameProblems.map((p) => `mitene:services: ${p}`));
    // The upgrade record is a compare-and-set between concurrent writers (stacks/upgradeRecord.ts): checked
    // against what is deployed, read here under this update's stack lock.
    const self = new TypedStackReference<RegionOutputs>(stack);
    const [deployed, weights, cronColor] = await Promise.all([self.valueOrUndefined("upgrade"), self.valueOrUndefined("weights"), self.valueOrUndefined("cronColor")]);
    const transition = recordTransitionProblem(deployed ?? null, config.upgrade ?? null, weights && cronColor ? { weights, cronColor } : undefined);
    if (transition) throw new ConfigError(stack, [`mitene:upgrade: ${transition}`]);

    const ops = new TypedStackReference<OpsOutputs>(opsStack(env));
    // Which resources exist depends on these (one route per Ops route table), so they are read as plain values.
    const [opsAccount, opsRegion, opsVpcId, opsVpcCidr, opsRouteTableIds] = await Promise.all([
        ops.value("accountId"), ops.value("region"), ops.value("vpcId"), ops.value("vpcCidr"), ops.value("privateRouteTableIds"),
    ]);
    if (opsAccount !== config.accountId) {
        throw new ConfigError(stack, [`mitene:accountId: ${config.accountId} differs from the Ops stack's ${opsAccount}: every stack of ${env} lives in one account`]);
    }

    const account = { accountId: config.accountId, roleArn: run.roleArn };
    const provider = awsProvider(region, stack, env, account);
    const opsProvider = awsProvider(opsRegion, stack, env, account, `aws-ops-${opsRegion}`);
    const edge = new RegionEdge("edge", {
        provider,
        env,
        region,
        vpcCidr: config.vpcCidr,
        availabilityZones: config.availabilityZones,
        privateSubnetPrefixLength: config.privateSubnetPrefixLength,
        publicSubnetPrefixLength: config.publicSubnetPrefixLength,
        natGateways: config.natGateways,
        certificateArn: config.certificateArn,
        hostedZoneId: config.hostedZoneId,
        accessLogsBucket: config.accessLogsBucket,
        services: config.services,
        weights: config.weights,
    });
    const peering = new OpsPeering("ops-peering", {
        provider,
        opsProvider,
        accountId: config.accountId,
        region: {
            region,
            vpcId: edge.vpcId,
            cidr: config.vpcCidr,
            // One route table per private subnet, and one private subnet per AZ.
            privateRouteTableIds: edge.subnetPlan.private.map((_, i) => edge.privateRouteTableIds.apply((ids) => ids[i])),
        },
        ops: { region: opsRegion, vpcId: opsVpcId, cidr: opsVpcCidr, privateRouteTableIds: opsRouteTableIds },
    });
    const lb = edge.loadBalancer;
    return {
        region,
        accountId: config.accountId,
        vpcId: edge.vpcId,
        vpcCidr: config.vpcCidr,
        privateRouteTableIds: edge.privateRouteTableIds,
        opsPeeringConnectionId: peering.peeringConnectionId,
        privateSubnetIds: edge.privateSubnetIds,
        publicSubnetIds: edge.publicSubnetIds,
        privateSubnetCidrs: edge.subnetPlan.private.map((s) => s.cidr),
        loadBalancer: {
            arn: lb.arn,
            arnSuffix: lb.arnSuffix,
            dnsName: lb.dnsName,
            securityGroupId: lb.securityGroupId,
            httpsListenerArn: lb.httpsListenerArn,
        },
        services: config.services.map((s) => ({
            name: s.name,
            host: s.host,
            namespace: s.namespace,
            serviceName: s.serviceName ?? s.name,
            port: s.port,
            servicePort: s.servicePort ?? s.port,
        })),
        targetGroups: edge.targetGroups,
        ruleArns: edge.ruleArns,
        weights: config.weights,
        cronColor: config.cronColor,
        gate: config.gate,
        upgrade: config.upgrade ?? null,
    };
}
