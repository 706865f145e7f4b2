/**
 * Test harness: runs a component or a stack program under the mock runtime (mocks/runtime.ts `runProgram`)
 * with a FakeCloud, and returns what was registered with convenience finders.
 *
 * Three views of every resource are joined:
 * - `inputs`: what the engine received, secrets masked (from runProgram),
 * - `revealed` / `state` / `provider`: what the fake cloud received and answered, secrets unwrapped,
 * - `opts`: the resource options at construction time (a stack transformation), e.g. `dependsOn`.
 * The transformation runs synchronously in every Resource constructor, so `constructed` also shows
 * resources whose registration never reached the cloud (a component that threw half-way).
 */
import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, StackOutputsLookup } from "../../fakecloud/cloud";
import { ProgramError, ProgramRun, RecordedResource, SECRET_MASK, runProgram } from "../../fakecloud/mockRuntime";
import { ProgramSettings } from "../../stacks/config/load";
import { programFor } from "../../stacks/programs";
import { engineConfig, readStackFile } from "../../stacks/stackFiles";

const PROJECT = "mitene";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** What the fake cloud was asked to create and what it answered. */
interface CloudCall {
    type: string;
    name: string;
    provider?: string;
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
    id: string;
}

/** Secrets unwrapped; live resource references replaced by a marker (they are not plain data). */
function reveal(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reveal);
    if (pulumi.Resource.isInstance(value)) return "[resource]";
    if (value && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[SIG_KEY] === SECRET_SIG) return reveal(object.value);
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

/** A FakeCloud that remembers every call, so tests can see providers, unmasked inputs and outputs. */
export class RecordingCloud extends FakeCloud {
    readonly calls: CloudCall[] = [];

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
        const result = await super.newResource(args);
        this.calls.push({
            type: args.type,
            name: args.name,
            provider: args.provider,
            inputs: reveal(args.inputs) as Record<string, unknown>,
            state: reveal(result.state) as Record<string, unknown>,
            id: result.id,
        });
        return result;
    }
}

/** Options of any resource: custom (provider, ...) or component (providers, ...). */
export type AnyResourceOptions = pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;

/** A resource construction seen by the stack transformation. */
export interface Constructed {
    type: string;
    name: string;
    resource: pulumi.Resource;
    opts: AnyResourceOptions;
}

export interface Resource extends RecordedResource {
    /** Inputs with secrets unwrapped. */
    revealed: Record<string, unknown>;
    /** State the fake cloud answered (the resource's outputs). */
    state: Record<string, unknown>;
    /** ID the fake cloud answered. */
    id?: string;
    /** Provider reference (`urn::id`) the resource was registered with, if any. */
    provider?: string;
    /** Options the resource was constructed with. */
    opts?: AnyResourceOptions;
    /** The live resource object. */
    object?: pulumi.Resource;
}

export class Run {
    constructor(
        readonly resources: Resource[],
        readonly outputs: Record<string, unknown>,
        readonly secretOutputs: string[],
        readonly constructed: Constructed[],
    ) {}

    ofType(type: string): Resource[] {
        return this.resources.filter((r) => r.type === type);
    }

    named(name: string): Resource[] {
        return this.resources.filter((r) => r.name === name);
    }

    /** The one resource of `type` (and `name`, if given); fails when there is none or more than one. */
    one(type: string, name?: string): Resource {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            const seen = this.ofType(type).map((r) => r.name).join(", ") || "none";
            throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (${type}: ${seen})`);
        }
        return found[0];
    }

    /** Whether `resource` lists `dependency` (a live resource) in its dependsOn. */
    dependsOn(resource: Resource, dependency: pulumi.Resource): boolean {
        const deps = resource.opts?.dependsOn;
        const list = Array.isArray(deps) ? deps : deps ? [deps] : [];
        return list.includes(dependency);
    }
}

export const isMasked = (value: unknown) => value === SECRET_MASK;

export interface HarnessOptions {
    stack?: string;
    /** Fully qualified config (`mitene:key`). */
    config?: Record<string, string>;
    secretKeys?: string[];
    /** Outputs of other stacks by stack name (not fully qualified). */
    stackOutputs?: Record<string, Record<string, unknown>>;
    /** Run as a preview (pulumi.runtime.isDryRun()). Default: as an update. */
    preview?: boolean;
}

const lookupFrom = (outputs: Record<string, Record<string, unknown>>): StackOutputsLookup => (name) => outputs[name.split("/").pop()!];

interface Prepared {
    cloud: RecordingCloud;
    constructed: Constructed[];
    wrapped: () => Promise<Record<string, unknown>>;
}

function prepare(stack: string, options: HarnessOptions, program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void): Prepared {
    const cloud = new RecordingCloud({ stack, stackOutputs: lookupFrom(options.stackOutputs ?? {}) });
    const constructed: Constructed[] = [];
    const wrapped = async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            // Resources read back by URN (references deserialized in the mock monitor) are not constructions.
            if (!args.opts.urn) constructed.push({ type: args.type, name: args.name, resource: args.resource, opts: args.opts });
            return undefined;
        });
        return (await program()) ?? {};
    };
    return { cloud, constructed, wrapped };
}

function join(run: ProgramRun, cloud: RecordingCloud, constructed: Constructed[]): Run {
    const unusedCalls = [...cloud.calls];
    const unusedConstructions = [...constructed];
    const take = <T extends { type: string; name: string }>(list: T[], r: RecordedResource) => {
        const index = list.findIndex((c) => c.type === r.type && c.name === r.name);
        return index < 0 ? undefined : list.splice(index, 1)[0];
    };
    const resources = run.resources.map((r): Resource => {
        const call = take(unusedCalls, r);
        const construction = take(unusedConstructions, r);
        return {
            ...r,
            revealed: call?.inputs ?? {},
            state: call?.state ?? {},
            id: call?.id,
            provider: call?.provider || undefined,
            opts: construction?.opts,
            object: construction?.resource,
        };
    });
    return new Run(resources, run.outputs, run.secretOutputs, constructed);
}

/** Runs `program` (which typically constructs one component) to completion. */
export async function runComponent(
    program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
    options: HarnessOptions = {},
): Promise<Run> {
    const stack = options.stack ?? "test";
    const { cloud, constructed, wrapped } = prepare(stack, options, program);
    const run = await runProgram({ project: PROJECT, stack, config: options.config ?? {}, secretKeys: options.secretKeys, cloud, program: wrapped, preview: options.preview });
    return join(run, cloud, constructed);
}

export interface FailedRun {
    error: ProgramError;
    /** Every resource whose constructor ran, in order (the root Stack is not among them). */
    constructed: Constructed[];
}

/** Runs a program that must fail; returns the error and what was constructed before it. */
export async function runFailing(
    program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
    options: HarnessOptions = {},
): Promise<FailedRun> {
    const stack = options.stack ?? "test";
    const { cloud, constructed, wrapped } = prepare(stack, options, program);
    try {
        await runProgram({ project: PROJECT, stack, config: options.config ?? {}, secretKeys: options.secretKeys, cloud, program: wrapped, preview: options.preview });
    } catch (error) {
        if (error instanceof ProgramError) return { error, constructed };
        throw error;
    }
    throw new Error("expected the program to fail, but it completed");
}

/** A committed stack's engine config (stacks/Pulumi.<stack>.yaml). */
export function stackConfig(stack: string) {
    return engineConfig(readStackFile(stack));
}

/** How a committed stack runs: as whom (MITENE_ACCESS) and whether as a preview. */
export interface StackRunOptions {
    settings?: ProgramSettings;
    preview?: boolean;
}

/** Runs a committed stack's program with its committed config; other stacks' outputs answer its references. */
export async function runStack(stack: string, stackOutputs: Record<string, Record<string, unknown>> = {}, run: StackRunOptions = {}): Promise<Run> {
    const { values, secretKeys } = stackConfig(stack);
    return runComponent(() => programFor(stack)(values, run.settings), { stack, config: values, secretKeys, stackOutputs, preview: run.preview });
}

/** Runs a committed stack's program that must fail. */
export async function runStackFailing(stack: string, stackOutputs: Record<string, Record<string, unknown>> = {}, run: StackRunOptions = {}): Promise<FailedRun> {
    const { values, secretKeys } = stackConfig(stack);
    return runFailing(() => programFor(stack)(values, run.settings), { stack, config: values, secretKeys, stackOutputs, preview: run.preview });
}

/** JSON.parse of a policy document input (IAM policies travel as JSON strings). */
export const parseJson = <T = Record<string, unknown>>(value: unknown): T => {
    if (typeof value !== "string") throw new Error(`expected a JSON string, got ${JSON.stringify(value)}`);
    return JSON.parse(value) as T;
};

/** What was constructed after the component of `type`: empty when its validation threw before any child. */
export function constructedAfter(failed: FailedRun, type: string): Constructed[] {
    const index = failed.constructed.findIndex((c) => c.type === type);
    if (index < 0) throw new Error(`${type} was never constructed; constructed: ${failed.constructed.map((c) => c.type).join(", ")}`);
    return failed.constructed.slice(index + 1);
}

/** The messages of a failed run's causes. */
export const causeMessages = (failed: FailedRun) => failed.error.causes.map((c) => (c instanceof Error ? c.message : String(c)));

/** Whether a recorded resource was registered with `provider` (a provider resource of the same run). */
export const usesProvider = (resource: Resource, provider: Resource) => resource.provider?.startsWith(`${provider.urn}::`) ?? false;
