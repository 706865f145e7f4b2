import { strict as assert } from "node:assert";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { StsIdentity } from "../../automation/real/stsIdentity";

const sts = mockClient(STSClient);
const asked: string[] = [];
const identity = new StsIdentity((region) => (asked.push(region), new STSClient({ region })));

describe("real/StsIdentity", () => {
    beforeEach(() => {
        sts.reset();
        asked.length = 0;
    });

    it("answers the caller's account and ARN from GetCallerIdentity, in the region asked", async () => {
        sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:sts::123456789012:assumed-role/mitene-prod-deploy/ci", UserId: "AROA:ci" });
        assert.deepEqual(await identity.account("ap-northeast-1"), { accountId: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/mitene-prod-deploy/ci" });
        assert.deepEqual(asked, ["ap-northeast-1"]);
        assert.equal(sts.commandCalls(GetCallerIdentityCommand).length, 1);
    });

    it("refuses an answer without an account", async () => {
        sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::123456789012:user/x" });
        await assert.rejects(identity.account("us-west-2"), /without an account or ARN/);
    });

    it("passes STS errors on (expired credentials, no network)", async () => {
        sts.on(GetCallerIdentityCommand).rejects(new Error("ExpiredToken: The security token included in the request is expired"));
        await assert.rejects(identity.account("us-west-2"), /ExpiredToken/);
    });
});
