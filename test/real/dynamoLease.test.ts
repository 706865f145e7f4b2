import { strict as assert } from "node:assert";
import {
    ConditionalCheckFailedException,
    DeleteItemCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoLeaseStore } from "../../automation/real/dynamoLease";
import { LeaseHolder } from "../../automation/core/ports";

const NOW = Date.parse("2026-03-01T09:00:00.000Z");
const me: LeaseHolder = { runId: "run-me", command: "upgrade", host: "ci-1", pid: 4242, startedAt: "2026-03-01T08:59:00.000Z" };
const other: LeaseHolder = { runId: "run-other", command: "rollback", host: "laptop", pid: 7, startedAt: "2026-03-01T08:00:00.000Z" };
const item = (h: LeaseHolder, expiresAt: string) => ({
    env: { S: "prod" },
    runId: { S: h.runId },
    command: { S: h.command },
    host: { S: h.host },
    pid: { N: String(h.pid) },
    startedAt: { S: h.startedAt },
    expiresAt: { S: expiresAt },
});
const conditionFailed = (held?: ReturnType<typeof item>) =>
    new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {}, Item: held });

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: "ap-northeast-1" });
const store = new DynamoLeaseStore(client, "mitene-leases", { now: () => NOW });

describe("real/DynamoLeaseStore", () => {
    beforeEach(() => ddb.reset());

    it("acquires a free lease with a conditional put that expires in 5 minutes by default", async () => {
        ddb.on(PutItemCommand).resolves({});
        assert.deepEqual(await store.acquire("prod", me, { breakLease: false }), { acquired: true });
        assert.deepEqual(ddb.commandCalls(PutItemCommand)[0].args[0].input, {
            TableName: "mitene-leases",
            Item: item(me, "2026-03-01T09:05:00.000Z"),
            ReturnValues: "ALL_OLD",
            ConditionExpression: "attribute_not_exists(#env) OR #expiresAt < :now OR #runId = :runId",
            ExpressionAttributeNames: { "#env": "env", "#runId": "runId", "#expiresAt": "expiresAt" },
            ExpressionAttributeValues: { ":now": { S: "2026-03-01T09:00:00.000Z" }, ":runId": { S: "run-me" } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        });
    });

    it("reads the clock from Date.now by default", async () => {
        ddb.on(PutItemCommand).resolves({});
        const before = Date.now();
        await new DynamoLeaseStore(client, "t").acquire("prod", me, { breakLease: false });
        const expiresAt = Date.parse(ddb.commandCalls(PutItemCommand)[0].args[0].input.Item!.expiresAt.S!);
        assert.ok(expiresAt >= before + 300_000 && expiresAt <= Date.now() + 300_000);
    });

    it("takes over an expired lease and names the previous holder", async () => {
        ddb.on(PutItemCommand).resolves({ Attributes: item(other, "2026-03-01T08:10:00.000Z") });
        assert.deepEqual(await store.acquire("prod", me, { breakLease: false }), { acquired: true, tookOverFrom: other });
    });

    it("re-acquiring its own lease is not a takeover", async () => {
        ddb.on(PutItemCommand).resolves({ Attributes: item(me, "2026-03-01T09:04:00.000Z") });
        assert.deepEqual(await store.acquire("prod", me, { breakLease: false }), { acquired: true });
    });

    it("reports the live holder when the condition fails", async () => {
        ddb.on(PutItemCommand).rejects(conditionFailed(item(other, "2026-03-01T09:03:00.000Z")));
        assert.deepEqual(await store.acquire("prod", me, { breakLease: false }), { acquired: false, heldBy: other });
        assert.equal(ddb.commandCalls(GetItemCommand).length, 0);
    });

    it("breaks a live lease with an unconditional put, naming whom it took it from", async () => {
        ddb.on(PutItemCommand).resolves({ Attributes: item(other, "2026-03-01T09:03:00.000Z") });
        assert.deepEqual(await store.acquire("prod", me, { breakLease: true }), { acquired: true, tookOverFrom: other });
        const input = ddb.commandCalls(PutItemCommand)[0].args[0].input;
        assert.deepEqual(Object.keys(input).sort(), ["Item", "ReturnValues", "TableName"]);
    });

    it("lets other DynamoDB errors through on acquire", async () => {
        ddb.on(PutItemCommand).rejects(new Error("ResourceNotFoundException: table mitene-leases"));
        await assert.rejects(store.acquire("prod", me, { breakLease: false }), /ResourceNotFoundException/);
    });

    it("renews only its own lease, by the configured duration", async () => {
        ddb.on(UpdateItemCommand).resolves({});
        await new DynamoLeaseStore(client, "mitene-leases", { now: () => NOW, durationMs: 120_000 }).renew("prod", me);
        assert.deepEqual(ddb.commandCalls(UpdateItemCommand)[0].args[0].input, {
            TableName: "mitene-leases",
            Key: { env: { S: "prod" } },
            UpdateExpression: "SET #expiresAt = :expiresAt",
            ConditionExpression: "#runId = :runId",
            ExpressionAttributeNames: { "#expiresAt": "expiresAt", "#runId": "runId" },
            ExpressionAttributeValues: { ":expiresAt": { S: "2026-03-01T09:02:00.000Z" }, ":runId": { S: "run-me" } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        });
    });

    it("fails a renewal after another run broke the lease, naming that run", async () => {
        ddb.on(UpdateItemCommand).rejects(conditionFailed(item(other, "2026-03-01T09:05:00.000Z")));
        await assert.rejects(store.renew("prod", me), /^Error: lease on prod lost by run run-me: now held by run run-other$/);
    });

    it("fails a renewal of a lease that is gone", async () => {
        ddb.on(UpdateItemCommand).rejects(conditionFailed());
        await assert.rejects(store.renew("prod", me), /lost by run run-me: released$/);
    });

    it("lets other DynamoDB errors through on renew", async () => {
        ddb.on(UpdateItemCommand).rejects(new Error("ProvisionedThroughputExceededException"));
        await assert.rejects(store.renew("prod", me), /ProvisionedThroughputExceededException/);
    });

    it("releases with a delete conditional on its run id", async () => {
        ddb.on(DeleteItemCommand).resolves({});
        await store.release("prod", me);
        assert.deepEqual(ddb.commandCalls(DeleteItemCommand)[0].args[0].input, {
            TableName: "mitene-leases",
            Key: { env: { S: "prod" } },
            ConditionExpression: "#runId = :runId",
            ExpressionAttributeNames: { "#runId": "runId" },
            ExpressionAttributeValues: { ":runId": { S: "run-me" } },
        });
    });

    it("treats releasing a lease it does not hold as done", async () => {
        ddb.on(DeleteItemCommand).rejects(conditionFailed());
        await store.release("prod", me);
    });

    it("lets other DynamoDB errors through on release", async () => {
        ddb.on(DeleteItemCommand).rejects(new Error("InternalServerError"));
        await assert.rejects(store.release("prod", me), /InternalServerError/);
    });

    it("reads the current lease with a consistent read", async () => {
        ddb.on(GetItemCommand).resolves({ Item: item(other, "2026-03-01T09:03:00.000Z") });
        assert.deepEqual(await store.current("prod"), { env: "prod", holder: other, expiresAt: "2026-03-01T09:03:00.000Z" });
        assert.deepEqual(ddb.commandCalls(GetItemCommand)[0].args[0].input, { TableName: "mitene-leases", Key: { env: { S: "prod" } }, ConsistentRead: true });
    });

    it("reads no lease as null", async () => {
        ddb.on(GetItemCommand).resolves({});
        assert.equal(await store.current("prod"), null);
    });
});
