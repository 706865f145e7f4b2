import { strict as assert } from "node:assert";
import { awsClients, perRegion } from "../../automation/real/clients";

describe("real/clients", () => {
    it("creates one client per region and reuses it", () => {
        const created: string[] = [];
        const clientFor = perRegion((region) => (created.push(region), { region }));
        const first = clientFor("us-west-2");
        assert.equal(clientFor("us-west-2"), first);
        assert.notEqual(clientFor("ap-northeast-1"), first);
        assert.deepEqual(created, ["us-west-2", "ap-northeast-1"]);
    });

    it("configures each AWS client for the region it is asked for", async () => {
        const clients = awsClients();
        const regions = await Promise.all([clients.cloudwatch, clients.elbv2, clients.ec2, clients.eks, clients.dynamodb, clients.sts].map((clientFor) => clientFor("eu-west-1").config.region()));
        assert.deepEqual(regions, Array(6).fill("eu-west-1"));
    });
});
