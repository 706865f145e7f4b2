/**
 * Seeding: a sim state without an env is filled by deploying every committed stack of that env, as if
 * production stood exactly as the stack files say. Every program runs first, in memory: a broken stack file
 * is bad input naming it, and nothing is written; then the records are written between a marker's creation
 * and removal, so an interrupted seeding is redone. Takes no virtual time and counts as no operation.
 */
import { parseStackName } from "../../components/naming";
import { readStackFile, stackFilePath } from "../../stacks/stackFiles";
import { committedStacks } from "../programs/committedStacks";
import { BadInputError } from "../core/errors";
import { runStackProgram } from "../programs/stackPrograms";
import { SimStackRecord, SimStore } from "./store";

const marker = (env: string) => `seeding-${env}`;

/** True when the env has never been seeded here, or a previous seeding was interrupted. */
export function needsSeeding(store: SimStore, env: string): boolean {
    return store.exists(marker(env)) || !store.stackNames().some((s) => parseStackName(s)?.env === env);
}

/** The records seeding would write, computed in memory; a stack file that does not deploy is bad input. */
export async function seedRecords(env: string, stacksDir?: string): Promise<SimStackRecord[]> {
    const outputs = new Map<string, Record<string, unknown>>();
    const records: SimStackRecord[] = [];
    for (const name of committedStacks(env, stacksDir)) {
        const file = stackFilePath(name, stacksDir);
        try {
            const config = readStackFile(name, stacksDir);
            const run = await runStackProgram(name, config, (stack) => outputs.get(stack));
            outputs.set(name, run.outputs);
            records.push({ name, config, deployed: true, outputs: run.outputs, secretOutputs: run.secretOutputs, resources: run.resources, outputChangedAt: {} });
        } catch (error) {
            throw new BadInputError(`cannot seed env ${env}: stack file ${file} does not deploy: ${(error as Error).message}`);
        }
    }
    return records;
}

export async function seedEnv(store: SimStore, env: string, stacksDir?: string): Promise<string[]> {
    const records = await seedRecords(env, stacksDir);
    store.writeJson(marker(env), { startedAt: new Date().toISOString() });
    for (const record of records) store.writeStack(record);
    store.remove(marker(env));
    return records.map((r) => r.name);
}
