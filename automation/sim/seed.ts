/**
 * Seeding: a sim state without an env is filled by deploying every committed stack of that env, as if
 * production stood exactly as the stack files say. Takes no virtual time and counts as no operation.
 */
import { parseStackName } from "../../components/naming";
import { readStackFile } from "../../stacks/stackFiles";
import { committedStacks } from "../committedStacks";
import { runStackProgram } from "../stackPrograms";
import { SimStore } from "./store";

const marker = (env: string) => `seeding-${env}`;

/** True when the env has never been seeded here, or a previous seeding was interrupted. */
export function needsSeeding(store: SimStore, env: string): boolean {
    return store.exists(marker(env)) || !store.stackNames().some((s) => parseStackName(s)?.env === env);
}

export async function seedEnv(store: SimStore, env: string, stacksDir?: string): Promise<string[]> {
    const stacks = committedStacks(env, stacksDir);
    store.writeJson(marker(env), { startedAt: new Date().toISOString() });
    const outputs = new Map<string, Record<string, unknown>>();
    for (const name of stacks) {
        const config = readStackFile(name, stacksDir);
        const run = await runStackProgram(name, config, (stack) => outputs.get(stack));
        outputs.set(name, run.outputs);
        store.writeStack({ name, config, deployed: true, outputs: run.outputs, secretOutputs: run.secretOutputs, resources: run.resources, outputChangedAt: {} });
    }
    store.remove(marker(env));
    return stacks;
}
