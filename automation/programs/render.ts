/**
 * `render`: every stack's resource graph (type, name, parent, inputs) from the committed stack files, under
 * the mock runtime: no credentials, no cloud. StackReferences are answered by the renders of the stacks
 * they point at, so a cluster stack renders against its own region's and Ops' outputs.
 */
import { ArgsError } from "../../components/validation";
import { ProgramError, RecordedResource, SECRET_MASK } from "../../fakecloud/mockRuntime";
import { ConfigError } from "../../stacks/config/load";
import { readStackFile, stackFilePath } from "../../stacks/stackFiles";
import { BadInputError } from "../core/errors";
import { runStackProgram } from "./stackPrograms";
import { committedStacks } from "./committedStacks";

export interface RenderedResource {
    type: string;
    name: string;
    /** `type::name` of the parent; null under the stack itself. */
    parent: string | null;
    inputs: Record<string, unknown>;
}

export interface RenderedStack {
    stack: string;
    resources: RenderedResource[];
    outputs: Record<string, unknown>;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>` -> `type::name`. */
export function urnKey(urn: string): string {
    const [, , qualifiedType, name] = urn.split("::");
    return `${qualifiedType.split("$").pop()}::${name}`;
}

/** The graph as reviewers see it: the root stack resource left out, sorted, secrets masked. */
export function renderedGraph(stack: string, resources: RecordedResource[], outputs: Record<string, unknown>, secretOutputs: string[]): RenderedStack {
    return {
        stack,
        resources: resources
            .filter((r) => r.type !== STACK_TYPE)
            .map((r) => {
                const parent = r.parent ? urnKey(r.parent) : null;
                return { type: r.type, name: r.name, parent: parent?.startsWith(`${STACK_TYPE}::`) ? null : parent, inputs: r.inputs };
            })
            .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name)),
        outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, secretOutputs.includes(key) ? SECRET_MASK : value])),
    };
}

/** A program that stopped on its stack file's configuration (every problem listed): the file is bad input. */
function invalidConfiguration(error: unknown): boolean {
    // ArgsError: a component refused the values the stack file gave it (its validation runs before any resource).
    const fromFile = (e: unknown) => e instanceof ConfigError || e instanceof ArgsError;
    if (fromFile(error)) return true;
    return error instanceof ProgramError && error.causes.length > 0 && error.causes.every(fromFile);
}

/** Renders the committed stacks of `env` (or only `only`), in dependency order. */
export async function renderEnv(env: string, only?: string, stacksDir?: string): Promise<RenderedStack[]> {
    const stacks = committedStacks(env, stacksDir);
    const outputs = new Map<string, Record<string, unknown>>();
    const rendered: RenderedStack[] = [];
    for (const stack of stacks) {
        const run = await runStackProgram(stack, readStackFile(stack, stacksDir), (s) => outputs.get(s)).catch((error: unknown) => {
            throw invalidConfiguration(error) ? new BadInputError(`stack file ${stackFilePath(stack, stacksDir)}: ${(error as Error).message}`) : error;
        });
        outputs.set(stack, run.outputs);
        if (!only || only === stack) rendered.push(renderedGraph(stack, run.resources, run.outputs, run.secretOutputs));
    }
    return rendered;
}
