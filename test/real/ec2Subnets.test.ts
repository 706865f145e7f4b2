import { strict as assert } from "node:assert";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { Ec2Subnets } from "../../automation/real/ec2Subnets";

const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: "us-west-2" });
const regions: string[] = [];
const subnets = new Ec2Subnets((region) => (regions.push(region), client));

describe("real/Ec2Subnets", () => {
    beforeEach(() => ec2.reset());

    it("asks for the subnets by ID in the region and answers in the order asked", async () => {
        ec2.on(DescribeSubnetsCommand).resolves({
            Subnets: [
                { SubnetId: "subnet-b", AvailabilityZone: "us-west-2b", AvailableIpAddressCount: 120 },
                { SubnetId: "subnet-a", AvailabilityZone: "us-west-2a", AvailableIpAddressCount: 4000 },
            ],
        });
        assert.deepEqual(await subnets.freeIps("us-west-2", ["subnet-a", "subnet-b"]), [
            { subnetId: "subnet-a", availabilityZone: "us-west-2a", freeIps: 4000 },
            { subnetId: "subnet-b", availabilityZone: "us-west-2b", freeIps: 120 },
        ]);
        assert.deepEqual(ec2.commandCalls(DescribeSubnetsCommand)[0].args[0].input, { SubnetIds: ["subnet-a", "subnet-b"] });
        assert.equal(regions.at(-1), "us-west-2");
    });

    it("makes no call for no subnets (an empty SubnetIds would list every subnet)", async () => {
        assert.deepEqual(await subnets.freeIps("us-west-2", []), []);
        assert.equal(ec2.calls().length, 0);
    });

    it("counts a subnet without an address count as full", async () => {
        ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-a", AvailabilityZone: "us-west-2a" }] });
        assert.equal((await subnets.freeIps("us-west-2", ["subnet-a"]))[0].freeIps, 0);
    });

    it("names the zone unknown when EC2 leaves it out", async () => {
        ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: "subnet-a", AvailableIpAddressCount: 10 }] });
        assert.equal((await subnets.freeIps("us-west-2", ["subnet-a"]))[0].availabilityZone, "unknown");
    });

    it("rejects when a subnet asked for is missing from the answer", async () => {
        ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
        await assert.rejects(subnets.freeIps("us-west-2", ["subnet-a"]), /subnet subnet-a not found in us-west-2/);
    });

    it("lets an EC2 error through", async () => {
        ec2.on(DescribeSubnetsCommand).rejects(new Error("InvalidSubnetID.NotFound"));
        await assert.rejects(subnets.freeIps("us-west-2", ["subnet-x"]), /InvalidSubnetID.NotFound/);
    });
});
