/**
 * The connection from a region's VPC to the Ops VPC, so Argo CD and the CI runners (both in the Ops VPC) reach
 * the private API endpoints of the region's clusters: a VPC peering requested from the region, and a route to
 * the other VPC's CIDR in every private route table on both sides. Both VPCs are in the env's account; in the
 * same region the connection is one object, accepted by its own `autoAccept` (which the SDK allows only for
 * same-account, same-region peering): an accepter resource there would manage the very same object, and its
 * tags would fight the requester's on every update. Across regions the accepter's side is a resource of its
 * own in the Ops region (VpcPeeringConnectionAccepter docs), accepted with the Ops region's provider. A
 * private-only EKS endpoint's name resolves to its private addresses from anywhere (EKS publishes them in
 * public DNS), so no DNS setting is needed across the peering.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrsOverlap } from "./subnetPlan";
import { throwIfProblems } from "./validation";

export interface PeeredVpc {
    vpcId: pulumi.Input<string>;
    cidr: string;
    /** The private subnets' route tables (their count is known from the subnet plan before they exist). */
    privateRouteTableIds: pulumi.Input<string>[];
}

export interface OpsPeeringArgs {
    /** AWS provider of the region (the requester side). */
    provider: aws.Provider;
    /** AWS provider of the Ops region (the accepter side). */
    opsProvider: aws.Provider;
    /** The env's account: both VPCs live in it. */
    accountId: string;
    region: PeeredVpc & { region: string };
    ops: PeeredVpc & { region: string };
}

export function opsPeeringProblems(args: OpsPeeringArgs): string[] {
    const problems: string[] = [];
    if (cidrsOverlap(args.region.cidr, args.ops.cidr)) problems.push(`the region VPC ${args.region.cidr} overlaps the Ops VPC ${args.ops.cidr}: peered VPCs need distinct CIDRs`);
    if (args.region.privateRouteTableIds.length === 0) problems.push("the region VPC has no private route tables to route to the Ops VPC");
    if (args.ops.privateRouteTableIds.length === 0) problems.push("the Ops VPC has no private route tables to route to the region");
    return problems;
}

export class OpsPeering extends pulumi.ComponentResource {
    readonly peeringConnectionId: pulumi.Output<string>;

    constructor(name: string, args: OpsPeeringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:network:OpsPeering", name, {}, opts);
        throwIfProblems(`OpsPeering ${name}`, opsPeeringProblems(args));

        const sameRegion = args.region.region === args.ops.region;
        const peering = new aws.ec2.VpcPeeringConnection(name, {
            vpcId: args.region.vpcId,
            peerVpcId: args.ops.vpcId,
            peerOwnerId: args.accountId,
            ...(sameRegion ? { autoAccept: true } : { peerRegion: args.ops.region }),
            tags: { Name: `${name} to the Ops VPC` },
        }, { parent: this, provider: args.provider });
        const accepted = sameRegion
            ? peering
            : new aws.ec2.VpcPeeringConnectionAccepter(`${name}-accept`, {
                  vpcPeeringConnectionId: peering.id,
                  autoAccept: true,
                  tags: { Name: `${name} from a region VPC` },
              }, { parent: this, provider: args.opsProvider });

        // Routes name the accepted side's id (the same connection), so they wait until it is active.
        const route = (side: string, tableId: pulumi.Input<string>, index: number, destination: string, provider: aws.Provider) =>
            new aws.ec2.Route(`${name}-${side}-${index}`, {
                routeTableId: tableId,
                destinationCidrBlock: destination,
                vpcPeeringConnectionId: accepted.id,
            }, { parent: this, provider });
        args.region.privateRouteTableIds.forEach((table, i) => route("to-ops", table, i, args.ops.cidr, args.provider));
        args.ops.privateRouteTableIds.forEach((table, i) => route("from-ops", table, i, args.region.cidr, args.opsProvider));

        this.peeringConnectionId = accepted.id;
        this.registerOutputs({ peeringConnectionId: this.peeringConnectionId });
    }
}
