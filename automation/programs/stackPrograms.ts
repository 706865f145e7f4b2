/**
 * Runs the real stack programs under the mock runtime for the sim engine and `render`. A program's graph is
 * a function of its configuration and the outputs it references, so runs are memoized on exactly those:
 * rehearsals and the crash tests repeat the same deployments many times.
 */
import { createHash } from "node:crypto";
import { FakeCloud } from "../../fakecloud/cloud";
import { ProgramRun, runProgram } from "../../fakecloud/mockRuntime";
import { opsStack, parseStackName, regionStack } from "../../components/naming";
import { programFor } from "../../stacks/programs";
import { engineConfig } from "../../stacks/stackFiles";
import { StackConfig } from "../core/ports";

export const PROJECT = "mitene";

/** Stacks whose outputs a stack's program reads through StackReferences (a region reads its own record). */
export function referencedStacks(stack: string): string[] {
    const id = parseStackName(stack);
    if (id?.kind === "cluster") return [regionStack(id.env, id.region), opsStack(id.env)];
    // A region reads its own upgrade record, and peers its VPC with the Ops VPC.
    if (id?.kind === "region") return [stack, opsStack(id.env)];
    return [];
}

/** Outputs of a deployed stack, or undefined. */
export type OutputsLookup = (stack: string) => Record<string, unknown> | undefined;

const cache = new Map<string, Promise<ProgramRun>>();

/**
 * What a program reads of a stack it references, and no more: runs are memoized on it, so bookkeeping the
 * program never looks at (the traffic weights, who rolled back and why) does not make a rerun of the same
 * deployment miss the cache. A cluster reads its region's cron owner and the upgrade record's color and
 * state; a region reads its own upgrade record (and, between upgrades, who serves); everything else is read whole.
 */
export function visibleOutputs(stack: string, referenced: string, outputs: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!outputs) return undefined;
    const record = outputs.upgrade as { newColor: string; state: string } | null | undefined;
    // Without a record it also checks who serves (a new attempt starts from the old color serving everything).
    if (referenced === stack) return record ? { upgrade: record } : { upgrade: null, weights: outputs.weights, cronColor: outputs.cronColor };
    if (parseStackName(stack)?.kind === "cluster" && parseStackName(referenced)?.kind === "region") {
        const { weights, gate, ...read } = outputs;
        return { ...read, upgrade: record ? { newColor: record.newColor, state: record.state } : null };
    }
    return outputs;
}

/** Runs `stack`'s program with `config`; StackReferences are answered by `lookup`. */
export function runStackProgram(stack: string, config: StackConfig, lookup: OutputsLookup): Promise<ProgramRun> {
    const visible = (referenced: string) => visibleOutputs(stack, referenced, lookup(referenced));
    const references = Object.fromEntries(referencedStacks(stack).map((s) => [s, visible(s) ?? null]));
    const key = createHash("sha256").update(JSON.stringify([stack, config, references])).digest("hex");
    let run = cache.get(key);
    if (!run) {
        const { values, secretKeys } = engineConfig(config);
        const cloud = new FakeCloud({ stack, stackOutputs: (reference) => visible(reference.split("/").pop()!) });
        run = runProgram({ project: PROJECT, stack, config: values, secretKeys, cloud, program: () => programFor(stack)(values) });
        // Failures are not cached: the same inputs must fail again with the same message, freshly.
        run.catch(() => cache.delete(key));
        cache.set(key, run);
    }
    return run;
}
