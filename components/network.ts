/**
 * A VPC with one private and one public subnet per availability zone, laid out by `planSubnets`.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { SubnetPlan, planSubnets, subnetPlanProblems } from "./subnetPlan";
import { throwIfProblems } from "./validation";

export interface NetworkArgs {
    /** AWS provider of the region. */
    provider: aws.Provider;
    /** VPC CIDR. */
    vpcCidr: string;
    /** Availability zones, in order. */
    availabilityZones: string[];
    /** Private subnet prefix length (/20 or larger). */
    privateSubnetPrefixLength: number;
    /** Public subnet prefix length. */
    publicSubnetPrefixLength: number;
    /** NAT gateways: one per AZ, or a single one. Default OnePerAz. */
    natGateways?: "OnePerAz" | "Single";
}

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Route tables of the private subnets (awsx gives each subnet its own), in the private subnets' order. */
    readonly privateRouteTableIds: pulumi.Output<string[]>;
    readonly plan: SubnetPlan;

    constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:network:Network", name, {}, opts);
        const planInput = {
            vpcCidr: args.vpcCidr,
            availabilityZones: args.availabilityZones,
            privatePrefixLength: args.privateSubnetPrefixLength,
            publicPrefixLength: args.publicSubnetPrefixLength,
        };
        throwIfProblems(`Network ${name}`, subnetPlanProblems(planInput));
        this.plan = planSubnets(planInput);

        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.vpcCidr,
            availabilityZoneNames: args.availabilityZones,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            natGateways: { strategy: args.natGateways ?? "OnePerAz" },
            subnetSpecs: [
                {
                    type: "Private",
                    name: "private",
                    cidrBlocks: this.plan.private.map((s) => s.cidr),
                    tags: { "kubernetes.io/role/internal-elb": "1" },
                },
                {
                    type: "Public",
                    name: "public",
                    cidrBlocks: this.plan.public.map((s) => s.cidr),
                    tags: { "kubernetes.io/role/elb": "1" },
                },
            ],
            subnetStrategy: "Auto",
            tags: { Name: name },
        }, { parent: this, providers: { aws: args.provider } });

        this.vpcId = vpc.vpcId;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateRouteTableIds = privateRouteTables(vpc.privateSubnetIds, vpc.routeTableAssociations);
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds, privateRouteTableIds: this.privateRouteTableIds });
    }
}

/**
 * The route table of each private subnet, from awsx's route table associations (resource references whose
 * fields are Outputs in a real run, plain values under mocks: pulumi.all takes both).
 */
function privateRouteTables(
    privateSubnetIds: pulumi.Output<string[]>,
    associations: pulumi.Output<{ subnetId: pulumi.Input<string | undefined>; routeTableId: pulumi.Input<string> }[]>,
): pulumi.Output<string[]> {
    const pairs = associations.apply((list) => pulumi.all(list.map((a) => pulumi.all([a.subnetId, a.routeTableId]))));
    return pulumi.all([privateSubnetIds, pairs]).apply(([subnets, known]) =>
        subnets.map((subnet) => {
            const match = known.find(([associated]) => associated === subnet);
            if (!match) throw new Error(`awsx created no route table association for private subnet ${subnet}`);
            return match[1];
        }),
    );
}
