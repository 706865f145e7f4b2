/**
 * EnvControl on the DynamoDB table of the env leases (partition key `env`, a string), modelled on
 * dynamoLease.ts: the stop-the-line switch is the item `<env>#halt`, the latest rollout plan `<env>#rollout`.
 * Beside the lease, not in it: anyone may pull the switch while a run holds the lease, and every running
 * upgrade reads it at each step. Env names are DNS labels, so these keys never meet an env's lease item.
 * Turning the switch on is a conditional write (the first halt stands: a second operator is told who was first).
 */
import { AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { parseHalt, parseRollout } from "../core/control";
import { EnvControl, Halt, RecordedRollout } from "../core/ports";

type Item = Record<string, AttributeValue>;

const haltKey = (env: string) => `${env}#halt`;
const rolloutKey = (env: string) => `${env}#rollout`;

export class DynamoEnvControl implements EnvControl {
    constructor(
        private readonly dynamodb: DynamoDBClient,
        private readonly table: string,
    ) {}

    private where = (key: string) => `item "${key}" of DynamoDB table ${this.table}`;

    private toHalt(item: Item, key: string): Halt {
        return parseHalt({ by: item.by?.S, at: item.at?.S, reason: item.reason?.S }, this.where(key));
    }

    async halt(env: string): Promise<Halt | null> {
        const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: { env: { S: haltKey(env) } }, ConsistentRead: true }));
        return Item ? this.toHalt(Item, haltKey(env)) : null;
    }

    async setHalt(env: string, halt: Halt): Promise<{ halt: Halt; already: boolean }> {
        try {
            await this.dynamodb.send(
                new PutItemCommand({
                    TableName: this.table,
                    Item: { env: { S: haltKey(env) }, by: { S: halt.by }, at: { S: halt.at }, reason: { S: halt.reason } },
                    ConditionExpression: "attribute_not_exists(#env)",
                    ExpressionAttributeNames: { "#env": "env" },
                    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                }),
            );
            return { halt, already: false };
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            if (error.Item) return { halt: this.toHalt(error.Item, haltKey(env)), already: true };
            // Lifted between the check and the answer: try again.
            return this.setHalt(env, halt);
        }
    }

    async clearHalt(env: string): Promise<Halt | null> {
        const { Attributes } = await this.dynamodb.send(new DeleteItemCommand({ TableName: this.table, Key: { env: { S: haltKey(env) } }, ReturnValues: "ALL_OLD" }));
        return Attributes ? this.toHalt(Attributes, haltKey(env)) : null;
    }

    async rollout(env: string): Promise<RecordedRollout | null> {
        const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: { env: { S: rolloutKey(env) } }, ConsistentRead: true }));
        if (!Item) return null;
        let plan: unknown;
        try {
            plan = JSON.parse(Item.plan?.S ?? "");
        } catch {
            plan = undefined;
        }
        return parseRollout(plan, this.where(rolloutKey(env)));
    }

    async setRollout(env: string, rollout: RecordedRollout): Promise<void> {
        await this.dynamodb.send(new PutItemCommand({ TableName: this.table, Item: { env: { S: rolloutKey(env) }, plan: { S: JSON.stringify(rollout) } } }));
    }
}
