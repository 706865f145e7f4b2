/**
 * LeaseStore on a DynamoDB table (partition key `env`, a string): one item per env names the run that may
 * change it. Every change is a conditional write, so two runs racing for the same env cannot both win, and
 * a failed condition returns the item that won (ReturnValuesOnConditionCheckFailure) in the same call, so
 * the holder we report is the one that beat us, not whatever a second read finds.
 */
import {
    AttributeValue,
    ConditionalCheckFailedException,
    DeleteItemCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    PutItemCommandInput,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { AcquireResult, Lease, LeaseHolder, LeaseStore } from "../core/ports";
import { StateFileError } from "../core/errors";
import { checkLease } from "../core/records";

type Item = Record<string, AttributeValue>;

export interface DynamoLeaseOptions {
    /** How long a lease lives without renewal; the driver renews well within it (every minute). */
    durationMs?: number;
    now?: () => number;
}

/** Every attribute goes through a name placeholder: DynamoDB reserves hundreds of plain words. */
const NAMES = { "#env": "env", "#runId": "runId", "#expiresAt": "expiresAt" };

function toItem(env: string, holder: LeaseHolder, expiresAt: string): Item {
    return {
        env: { S: env },
        runId: { S: holder.runId },
        command: { S: holder.command },
        host: { S: holder.host },
        pid: { N: String(holder.pid) },
        startedAt: { S: holder.startedAt },
        ...(holder.regions ? { regions: { L: holder.regions.map((r) => ({ S: r })) } } : {}),
        ...(holder.to ? { to: { S: holder.to } } : {}),
        expiresAt: { S: expiresAt },
    };
}

/** The lease an item holds; one that does not hold a lease is refused, naming the table and the field. */
function fromItem(item: Item, table: string, env: string): Lease {
    const lease = {
        env: item.env?.S,
        holder: {
            runId: item.runId?.S,
            command: item.command?.S,
            host: item.host?.S,
            pid: item.pid?.N === undefined ? undefined : Number(item.pid.N),
            startedAt: item.startedAt?.S,
            ...(item.regions ? { regions: item.regions.L?.map((r) => r.S) } : {}),
            ...(item.to ? { to: item.to.S } : {}),
        },
        expiresAt: item.expiresAt?.S,
    };
    return checkLease(lease, env, `the lease of env ${env} in DynamoDB table ${table}`);
}

function readableHolder(item: Item, table: string, env: string): LeaseHolder | undefined {
    try {
        return fromItem(item, table, env).holder;
    } catch (error) {
        if (error instanceof StateFileError) return undefined;
        throw error;
    }
}

export class DynamoLeaseStore implements LeaseStore {
    private readonly durationMs: number;
    private readonly now: () => number;

    constructor(
        private readonly dynamodb: DynamoDBClient,
        private readonly table: string,
        options: DynamoLeaseOptions = {},
    ) {
        this.durationMs = options.durationMs ?? 5 * 60_000;
        this.now = options.now ?? Date.now;
    }

    /**
     * Free, expired (its holder stopped renewing) or already ours: take it. `breakLease` takes it whatever
     * its state. ISO times in UTC compare correctly as strings, which is what the condition relies on.
     */
    async acquire(env: string, holder: LeaseHolder, options: { breakLease: boolean }): Promise<AcquireResult> {
        const input: PutItemCommandInput = { TableName: this.table, Item: toItem(env, holder, this.expiry()), ReturnValues: "ALL_OLD" };
        if (!options.breakLease) {
            input.ConditionExpression = "attribute_not_exists(#env) OR #expiresAt < :now OR #runId = :runId";
            input.ExpressionAttributeNames = NAMES;
            input.ExpressionAttributeValues = { ":now": { S: this.iso(0) }, ":runId": { S: holder.runId } };
            input.ReturnValuesOnConditionCheckFailure = "ALL_OLD";
        }
        try {
            const { Attributes } = await this.dynamodb.send(new PutItemCommand(input));
            // Ours now: a previous item that is not a lease names nobody, and must not make us leave the lease behind.
            const previous = Attributes ? readableHolder(Attributes, this.table, env) : undefined;
            return previous && previous.runId !== holder.runId ? { acquired: true, tookOverFrom: previous } : { acquired: true };
        } catch (error) {
            if (error instanceof ConditionalCheckFailedException && error.Item) return { acquired: false, heldBy: fromItem(error.Item, this.table, env).holder };
            throw error;
        }
    }

    /**
     * Takes the lease from `from`, a holder known to be dead, only if `from` still holds it: two runs that
     * both found it dead cannot both take it (the second gets the first as the holder).
     */
    async takeOver(env: string, holder: LeaseHolder, from: LeaseHolder): Promise<AcquireResult> {
        try {
            await this.dynamodb.send(
                new PutItemCommand({
                    TableName: this.table,
                    Item: toItem(env, holder, this.expiry()),
                    ConditionExpression: "#runId = :previous",
                    ExpressionAttributeNames: { "#runId": NAMES["#runId"] },
                    ExpressionAttributeValues: { ":previous": { S: from.runId } },
                    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                }),
            );
            return { acquired: true, tookOverFrom: from };
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            // Released meanwhile: an ordinary acquire decides; taken by someone else: they hold it.
            return error.Item ? { acquired: false, heldBy: fromItem(error.Item, this.table, env).holder } : this.acquire(env, holder, { breakLease: false });
        }
    }

    /** Throws when the lease is no longer ours (broken by another run): the caller must stop changing things. */
    async renew(env: string, holder: LeaseHolder): Promise<void> {
        try {
            await this.dynamodb.send(
                new UpdateItemCommand({
                    TableName: this.table,
                    Key: { env: { S: env } },
                    UpdateExpression: "SET #expiresAt = :expiresAt",
                    ConditionExpression: "#runId = :runId",
                    ExpressionAttributeNames: { "#expiresAt": NAMES["#expiresAt"], "#runId": NAMES["#runId"] },
                    ExpressionAttributeValues: { ":expiresAt": { S: this.expiry() }, ":runId": { S: holder.runId } },
                    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                }),
            );
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            const now = error.Item ? `now held by run ${readableHolder(error.Item, this.table, env)?.runId ?? "(an item that is not a lease)"}` : "released";
            throw new Error(`lease on ${env} lost by run ${holder.runId}: ${now}`);
        }
    }

    /** Releasing a lease we do not hold (expired and taken, or broken) changes nothing. */
    async release(env: string, holder: LeaseHolder): Promise<void> {
        try {
            await this.dynamodb.send(
                new DeleteItemCommand({
                    TableName: this.table,
                    Key: { env: { S: env } },
                    ConditionExpression: "#runId = :runId",
                    ExpressionAttributeNames: { "#runId": NAMES["#runId"] },
                    ExpressionAttributeValues: { ":runId": { S: holder.runId } },
                }),
            );
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
    }

    async current(env: string): Promise<Lease | null> {
        const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: { env: { S: env } }, ConsistentRead: true }));
        return Item ? fromItem(Item, this.table, env) : null;
    }

    /** A holder that stopped renewing is presumed gone once its lease expired. */
    alive(lease: Lease): boolean {
        return lease.expiresAt >= this.iso(0);
    }

    private iso(offsetMs: number): string {
        return new Date(this.now() + offsetMs).toISOString();
    }

    private expiry(): string {
        return this.iso(this.durationMs);
    }
}
