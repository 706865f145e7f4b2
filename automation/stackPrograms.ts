/**
 * Runs the real stack programs under the mock runtime for the sim engine and `render`. A program's graph is
 * a function of its configuration and the outputs it references, so runs are memoized on exactly those:
 * rehearsals and the crash tests repeat the same deployments many times.
 */
import { createHash } from "node:crypto";
import { FakeCloud } from "../fakecloud/cloud";
import { ProgramRun, runProgram } from "../fakecloud/mockRuntime";
import { opsStack, parseStackName, regionStack } from "../components/naming";
import { programFor } from "../stacks/programs";
import { engineConfig } from "../stacks/stackFiles";
import { StackConfig } from "./ports";

export const PROJECT = "mitene";

/** Stacks whose outputs a stack's program reads through StackReferences. */
export function referencedStacks(stack: string): string[] {
    const id = parseStackName(stack);
    return id?.kind === "cluster" ? [regionStack(id.env, id.region), opsStack(id.env)] : [];
}

/** Outputs of a deployed stack, or undefined. */
export type OutputsLookup = (stack: string) => Record<string, unknown> | undefined;

const cache = new Map<string, Promise<ProgramRun>>();

/** Runs `stack`'s program with `config`; StackReferences are answered by `lookup`. */
export function runStackProgram(stack: string, config: StackConfig, lookup: OutputsLookup): Promise<ProgramRun> {
    const references = Object.fromEntries(referencedStacks(stack).map((s) => [s, lookup(s) ?? null]));
    const key = createHash("sha256").update(JSON.stringify([stack, config, references])).digest("hex");
    let run = cache.get(key);
    if (!run) {
        const { values, secretKeys } = engineConfig(config);
        const cloud = new FakeCloud({ stack, stackOutputs: (reference) => lookup(reference.split("/").pop()!) });
        run = runProgram({ project: PROJECT, stack, config: values, secretKeys, cloud, program: () => programFor(stack)(values) });
        // Failures are not cached: the same inputs must fail again with the same message, freshly.
        run.catch(() => cache.delete(key));
        cache.set(key, run);
    }
    return run;
}
