import { strict as assert } from "node:assert";
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { StateFileError } from "../../automation/core/errors";
import { Halt } from "../../automation/core/ports";
import { DynamoEnvControl } from "../../automation/real/dynamoControl";

const HALT: Halt = { by: "alice (GitHub Actions run 42)", at: "2026-03-01T09:00:00.000Z", reason: "payments errors" };
const item = (halt: Halt) => ({ env: { S: "prod#halt" }, by: { S: halt.by }, at: { S: halt.at }, reason: { S: halt.reason } });

const ddb = mockClient(DynamoDBClient);
const control = new DynamoEnvControl(new DynamoDBClient({ region: "ap-northeast-1" }), "mitene-leases");

describe("real/DynamoEnvControl: the stop-the-line switch and the rollout plan beside the lease", () => {
    beforeEach(() => ddb.reset());

    it("pulls the switch with a conditional put of the item <env>#halt: the first halt stands", async () => {
        ddb.on(PutItemCommand).resolves({});
        assert.deepEqual(await control.setHalt("prod", HALT), { halt: HALT, already: false });
        assert.deepEqual(ddb.commandCalls(PutItemCommand)[0].args[0].input, {
            TableName: "mitene-leases",
            Item: item(HALT),
            ConditionExpression: "attribute_not_exists(#env)",
            ExpressionAttributeNames: { "#env": "env" },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        });
    });

    it("a second halt is told the first (the item the failed condition returns), and changes nothing", async () => {
        const first = { ...HALT, by: "bob@laptop" };
        ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "failed", $metadata: {}, Item: item(first) }));
        assert.deepEqual(await control.setHalt("prod", HALT), { halt: first, already: true });
    });

    it("reads the switch consistently, and none when there is no item", async () => {
        ddb.on(GetItemCommand).resolvesOnce({ Item: item(HALT) }).resolvesOnce({});
        assert.deepEqual(await control.halt("prod"), HALT);
        assert.equal(await control.halt("prod"), null);
        assert.deepEqual(ddb.commandCalls(GetItemCommand)[0].args[0].input, { TableName: "mitene-leases", Key: { env: { S: "prod#halt" } }, ConsistentRead: true });
    });

    it("resume deletes the item and says what it lifted", async () => {
        ddb.on(DeleteItemCommand).resolvesOnce({ Attributes: item(HALT) }).resolvesOnce({});
        assert.deepEqual(await control.clearHalt("prod"), HALT);
        assert.equal(await control.clearHalt("prod"), null);
        assert.deepEqual(ddb.commandCalls(DeleteItemCommand)[0].args[0].input, { TableName: "mitene-leases", Key: { env: { S: "prod#halt" } }, ReturnValues: "ALL_OLD" });
    });

    it("refuses an item that is not a switch (edited by hand), naming it", async () => {
        ddb.on(GetItemCommand).resolves({ Item: { env: { S: "prod#halt" }, by: { S: "x" }, at: { S: "yesterday" }, reason: { S: "" } } });
        await assert.rejects(control.halt("prod"), (e: Error) => e instanceof StateFileError && /item "prod#halt" of DynamoDB table mitene-leases is not a stop-the-line switch \(at: expected an ISO time; reason:/.test(e.message));
    });

    it("keeps the latest rollout plan as JSON in the item <env>#rollout, and checks it when read back", async () => {
        const plan = { runId: "r1", to: "1.35", at: "2026-03-01T09:00:00.000Z", waves: [["ap-northeast-1"], ["us-west-2"]] };
        ddb.on(PutItemCommand).resolves({});
        await control.setRollout("prod", plan);
        assert.deepEqual(ddb.commandCalls(PutItemCommand)[0].args[0].input, { TableName: "mitene-leases", Item: { env: { S: "prod#rollout" }, plan: { S: JSON.stringify(plan) } } });
        ddb.on(GetItemCommand).resolvesOnce({ Item: { env: { S: "prod#rollout" }, plan: { S: JSON.stringify(plan) } } }).resolvesOnce({ Item: { env: { S: "prod#rollout" }, plan: { S: "{" } } });
        assert.deepEqual(await control.rollout("prod"), plan);
        await assert.rejects(control.rollout("prod"), /item "prod#rollout" of DynamoDB table mitene-leases is not a rollout plan/);
    });
});
