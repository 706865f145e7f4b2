/**
 * The long-lived edge of one region: VPC, internet-facing ALB, one IP target group per service per color,
 * host rules forwarding to both colors with the configured weights, and the region's latency records.
 * Clusters come and go behind it; only the weights change during an upgrade.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HttpsLoadBalancer } from "./httpsLoadBalancer";
import { COLORS, Color, loadBalancerName, targetGroupName, AWS_NAME_MAX } from "./naming";
import { Network } from "./network";
import { SubnetPlan } from "./subnetPlan";
import { throwIfProblems } from "./validation";
import { Weights, weightProblems } from "./weights";

export interface EdgeService {
    /** Short name, part of the target group names. */
    name: string;
    /** Host name the listener rule matches and the latency record publishes. */
    host: string;
    /** Port the pods listen on. */
    port: number;
    /** Target group health-check path. */
    healthCheckPath: string;
}

export interface RegionEdgeArgs {
    /** AWS provider of the region. */
    provider: aws.Provider;
    env: string;
    region: string;
    vpcCidr: string;
    availabilityZones: string[];
    privateSubnetPrefixLength: number;
    publicSubnetPrefixLength: number;
    /** NAT gateways. Default OnePerAz. */
    natGateways?: "OnePerAz" | "Single";
    /** ACM certificate covering every service host. */
    certificateArn: string;
    /** Public hosted zone of the service hosts. */
    hostedZoneId: string;
    /** Bucket for ALB access logs. */
    accessLogsBucket: string;
    services: EdgeService[];
    /** Percent of traffic per color, summing to 100. */
    weights: Weights;
    /** First listener-rule priority; services follow in steps of 10. Default 100. */
    firstRulePriority?: number;
}

export interface TargetGroupRef {
    arn: string;
    arnSuffix: string;
}

export function regionEdgeProblems(args: RegionEdgeArgs): string[] {
    const problems = weightProblems(args.weights);
    if (args.services.length === 0) problems.push("at least one service is needed");
    const names = args.services.map((s) => s.name);
    if (new Set(names).size !== names.length) problems.push(`service names repeat: ${names.join(", ")}`);
    for (const service of args.services) {
        const longest = targetGroupName(args.env, args.region, service.name, "green");
        if (longest.length > AWS_NAME_MAX) problems.push(`target group name ${longest} exceeds ${AWS_NAME_MAX} characters`);
        if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535) problems.push(`service ${service.name}: port ${service.port} is out of range`);
    }
    return problems;
}

export class RegionEdge extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateRouteTableIds: pulumi.Output<string[]>;
    readonly subnetPlan: SubnetPlan;
    readonly loadBalancer: HttpsLoadBalancer;
    /** Per service, per color. */
    readonly targetGroups: Record<string, Record<Color, pulumi.Output<TargetGroupRef>>>;
    /** Per service, the listener rule carrying the weights. */
    readonly ruleArns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: RegionEdgeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:edge:RegionEdge", name, {}, opts);
        throwIfProblems(`RegionEdge ${name}`, regionEdgeProblems(args));
        const child = { parent: this, provider: args.provider };

        const network = new Network(`${name}-net`, {
            provider: args.provider,
            vpcCidr: args.vpcCidr,
            availabilityZones: args.availabilityZones,
            privateSubnetPrefixLength: args.privateSubnetPrefixLength,
            publicSubnetPrefixLength: args.publicSubnetPrefixLength,
            natGateways: args.natGateways,
        }, { parent: this });

        this.loadBalancer = new HttpsLoadBalancer(`${name}-lb`, {
            provider: args.provider,
            loadBalancerName: loadBalancerName(args.env, args.region),
            internal: false,
            vpcId: network.vpcId,
            subnetIds: network.publicSubnetIds,
            certificateArn: args.certificateArn,
            accessLogsBucket: args.accessLogsBucket,
        }, { parent: this });

        this.targetGroups = {};
        this.ruleArns = {};
        args.services.forEach((service, index) => {
            const groups = {} as Record<Color, aws.lb.TargetGroup>;
            for (const color of COLORS) {
                groups[color] = new aws.lb.TargetGroup(`${name}-${service.name}-${color}`, {
                    name: targetGroupName(args.env, args.region, service.name, color),
                    targetType: "ip",
                    protocol: "HTTP",
                    port: service.port,
                    vpcId: network.vpcId,
                    deregistrationDelay: 30,
                    healthCheck: { path: service.healthCheckPath, matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 2, timeout: 5 },
                    tags: { "mitene.io/service": service.name, "mitene.io/color": color },
                }, child);
            }
            this.targetGroups[service.name] = Object.fromEntries(
                COLORS.map((color) => [color, pulumi.all([groups[color].arn, groups[color].arnSuffix]).apply(([arn, arnSuffix]) => ({ arn, arnSuffix }))]),
            ) as Record<Color, pulumi.Output<TargetGroupRef>>;

            const rule = new aws.lb.ListenerRule(`${name}-${service.name}`, {
                listenerArn: this.loadBalancer.httpsListenerArn,
                priority: (args.firstRulePriority ?? 100) + index * 10,
                conditions: [{ hostHeader: { values: [service.host] } }],
                actions: [
                    {
                        type: "forward",
                        forward: {
                            targetGroups: COLORS.map((color) => ({ arn: groups[color].arn, weight: args.weights[color] })),
                            stickiness: { enabled: false, duration: 1 },
                        },
                    },
                ],
                tags: { "mitene.io/service": service.name },
            }, child);
            this.ruleArns[service.name] = rule.arn;

            new aws.route53.Record(`${name}-${service.name}`, {
                zoneId: args.hostedZoneId,
                name: service.host,
                type: "A",
                setIdentifier: args.region,
                latencyRoutingPolicies: [{ region: args.region }],
                aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }],
            }, child);
        });

        this.subnetPlan = network.plan;
        this.vpcId = network.vpcId;
        this.privateSubnetIds = network.privateSubnetIds;
        this.publicSubnetIds = network.publicSubnetIds;
        this.privateRouteTableIds = network.privateRouteTableIds;
        this.registerOutputs({ vpcId: this.vpcId, albArn: this.loadBalancer.arn });
    }
}
