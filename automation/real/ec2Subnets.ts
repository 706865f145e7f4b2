/**
 * SubnetInspector on EC2: free IP addresses per subnet, for the preflight check that a second color's nodes
 * and pods fit beside the serving one.
 */
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { SubnetCapacity, SubnetInspector } from "../core/ports";
import { ClientFor } from "./clients";

export class Ec2Subnets implements SubnetInspector {
    constructor(private readonly ec2: ClientFor<EC2Client>) {}

    /** In the order asked. EC2 itself rejects unknown subnet IDs (InvalidSubnetID.NotFound), so all come back. */
    async freeIps(region: string, subnetIds: string[]): Promise<SubnetCapacity[]> {
        if (subnetIds.length === 0) return [];
        // Listing subnet IDs answers them all in one page (EC2 forbids MaxResults alongside SubnetIds).
        const { Subnets = [] } = await this.ec2(region).send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
        const byId = new Map(Subnets.map((s) => [s.SubnetId, s]));
        return subnetIds.map((subnetId) => {
            const subnet = byId.get(subnetId);
            if (subnet === undefined) throw new Error(`subnet ${subnetId} not found in ${region}`);
            return { subnetId, availabilityZone: subnet.AvailabilityZone ?? "unknown", freeIps: subnet.AvailableIpAddressCount ?? 0 };
        });
    }
}
