/**
 * Stack program `region-<env>-<region>`: the region's VPC, ALB, target groups, weighted rules and records.
 */
import { RegionEdge } from "../components/regionEdge";
import { ConfigError, parseStackConfig } from "./config/load";
import { regionConfigSchema, targetGroupNameProblems } from "./config/schema";
import { ProgramOutputs, RegionOutputs } from "./outputs";
import { awsProvider } from "./providers";
import { TypedStackReference } from "./references";
import { recordTransitionProblem } from "./upgradeRecord";

export async function regionProgram(stack: string, env: string, region: string, raw: Record<string, string>): Promise<ProgramOutputs<RegionOutputs>> {
    const config = parseStackConfig(stack, regionConfigSchema, raw);
    const nameProblems = targetGroupNameProblems(env, region, config.services);
    if (nameProblems.length > 0) throw new ConfigError(stack, nameProblems.map((p) => `mitene:services: ${p}`));
    // The upgrade record is a compare-and-set between concurrent writers (stacks/upgradeRecord.ts): checked
    // against what is deployed, read here under this update's stack lock.
    const deployed = (await new TypedStackReference<RegionOutputs>(stack).valueOrUndefined("upgrade")) ?? null;
    const transition = recordTransitionProblem(deployed, config.upgrade ?? null);
    if (transition) throw new ConfigError(stack, [`mitene:upgrade: ${transition}`]);

    const provider = awsProvider(region, stack, env);
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
    const lb = edge.loadBalancer;
    return {
        region,
        vpcId: edge.vpcId,
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
        services: config.services.map((s) => ({ name: s.name, host: s.host, namespace: s.namespace, serviceName: s.serviceName ?? s.name, port: s.port })),
        targetGroups: edge.targetGroups,
        ruleArns: edge.ruleArns,
        weights: config.weights,
        cronColor: config.cronColor,
        gate: config.gate,
        upgrade: config.upgrade ?? null,
    };
}
