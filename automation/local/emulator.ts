/**
 * The AWS API emulator of a local state: one moto server per state directory, on a loopback port, started
 * on first use and reused by every later command on that state (the cloud it holds lives as long as the
 * state: the server stops itself once the directory is removed). `MITENE_AWS_ENDPOINT` names an emulator
 * someone else runs (a test harness) instead.
 *
 * On first start it is given what the account would already have before the first `pulumi up` (README:
 * "Deploying the stacks for real"): the lease table and the SSM parameters the Ops stacks read.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { ParameterAlreadyExists, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { CommandFailedError } from "../core/errors";
import { processExists } from "../core/process";
import { Toolchain } from "./toolchain";

export const EMULATOR_CREDENTIALS = { accessKeyId: "mitene-local", secretAccessKey: "mitene-local" };
export const LEASE_TABLE = "mitene-leases";

interface EmulatorRecord {
    endpoint: string;
    pid: number;
}

const recordFile = (stateDir: string) => path.join(stateDir, "emulator.json");

async function answers(endpoint: string): Promise<boolean> {
    try {
        const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
    } catch {
        return false;
    }
}

/** The endpoint of the state's emulator, starting it when there is none; `fresh` when just started. */
export async function ensureEmulator(stateDir: string, toolchain: Toolchain, env: NodeJS.ProcessEnv = process.env): Promise<{ endpoint: string; fresh: boolean }> {
    if (env.MITENE_AWS_ENDPOINT) return { endpoint: env.MITENE_AWS_ENDPOINT, fresh: false };
    const file = recordFile(stateDir);
    if (existsSync(file)) {
        const record = JSON.parse(readFileSync(file, "utf8")) as EmulatorRecord;
        if (processExists(record.pid) && (await answers(record.endpoint))) return { endpoint: record.endpoint, fresh: false };
        throw new CommandFailedError(
            `the AWS emulator that held this local state's cloud (pid ${record.pid}, ${record.endpoint}) is gone, and the load balancers and VPCs the stacks recorded with it: remove ${stateDir} to start over`,
        );
    }
    const log = openSync(path.join(stateDir, "emulator.log"), "a");
    const child = spawn(toolchain.emulatorPython, [toolchain.emulatorScript, "--state-dir", stateDir], { detached: true, stdio: ["ignore", "pipe", log] });
    closeSync(log);
    const line = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout! });
        lines.once("line", resolve);
        child.once("error", reject);
        child.once("exit", (code) => reject(new CommandFailedError(`the AWS emulator exited with code ${code} before it started; see ${path.join(stateDir, "emulator.log")}`)));
    });
    const record = JSON.parse(line) as EmulatorRecord;
    child.stdout!.destroy();
    child.removeAllListeners();
    child.unref();
    writeFileSync(file, JSON.stringify(record));
    return { endpoint: record.endpoint, fresh: true };
}

/** Stops the state's emulator, if this state started one (tests; `rm -rf` of the state does it too). */
export function stopEmulator(stateDir: string): void {
    const file = recordFile(stateDir);
    if (!existsSync(file)) return;
    const { pid } = JSON.parse(readFileSync(file, "utf8")) as EmulatorRecord;
    if (processExists(pid)) process.kill(pid, "SIGTERM");
}

export interface AccountPreconditions {
    leaseRegion: string;
    /** SSM SecureString parameters by region (name -> value). */
    parameters: { region: string; name: string; value: string }[];
}

/** Creates what the account holds before any stack exists; what already exists is left as it is. */
export async function provisionAccount(endpoint: string, account: AccountPreconditions): Promise<void> {
    const options = (region: string) => ({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
    try {
        await new DynamoDBClient(options(account.leaseRegion)).send(
            new CreateTableCommand({
                TableName: LEASE_TABLE,
                KeySchema: [{ AttributeName: "env", KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: "env", AttributeType: "S" }],
                BillingMode: "PAY_PER_REQUEST",
            }),
        );
    } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (const parameter of account.parameters) {
        try {
            await new SSMClient(options(parameter.region)).send(new PutParameterCommand({ Name: parameter.name, Value: parameter.value, Type: "SecureString" }));
        } catch (error) {
            if (!(error instanceof ParameterAlreadyExists)) throw error;
        }
    }
}
