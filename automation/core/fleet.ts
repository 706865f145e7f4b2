/**
 * What the stacks of an env say, read once and shaped for the driver: per region, the deployed weights and
 * cron owner, and each color's cluster. Deployed outputs are the truth; configuration is only intent.
 */
import { COLORS, Color, clusterStack, opsStack, parseStackName, regionStack } from "../../components/naming";
import { ClusterOutputs, OpsOutputs, RegionOutputs } from "../../stacks/outputs";
import { clusterOutputsSchema, opsOutputsSchema, regionOutputsSchema } from "../../stacks/outputSchemas";
import { toEngineValue } from "../../stacks/stackFiles";
import { z } from "zod";
import { StackConfig, StackEngine, StackState } from "./ports";
import { checkRecord, refuseRecord } from "./records";

export interface ClusterView {
    color: Color;
    stack: string;
    config: StackConfig;
    /** null until deployed, and again once destroyed. */
    outputs: ClusterOutputs | null;
    resourceCount: number;
    /** Kubernetes version: deployed, else configured. */
    version: string;
    pending: boolean;
}

export interface RegionView {
    region: string;
    stack: string;
    config: StackConfig;
    outputs: RegionOutputs | null;
    clusters: Partial<Record<Color, ClusterView>>;
    pending: boolean;
}

export interface EnvView {
    env: string;
    ops: { stack: string; outputs: OpsOutputs | null; config: StackConfig; pending: boolean } | null;
    regions: RegionView[];
}

/** A `mitene:` config value as text (what the stack file says), or undefined when unset. */
export function configText(config: StackConfig, key: string): string | undefined {
    const value = config[`mitene:${key}`];
    return value === undefined ? undefined : toEngineValue(value);
}

/**
 * A stack's deployed outputs, checked against what its program exports (stacks/outputSchemas.ts): a state
 * edited by hand is refused, naming where it lives and the field, rather than believed. A program registers
 * its outputs at the end of its first update, all at once: none yet (that update is under way, or was
 * interrupted) is a stack not deployed yet.
 */
function deployedOutputs<T>(engine: StackEngine, state: StackState, schema: z.ZodType): T | null {
    if (state.outputs === null || Object.keys(state.outputs).length === 0) return null;
    return checkRecord(schema, state.outputs, whereIs(engine, state.name), ["outputs"]) as T;
}

const whereIs = (engine: StackEngine, stack: string) => engine.locationOf?.(stack) ?? `the deployed state of stack ${stack}`;

export function clusterView(color: Color, state: StackState, engine: StackEngine): ClusterView {
    const outputs = deployedOutputs<ClusterOutputs>(engine, state, clusterOutputsSchema);
    if (outputs && outputs.color !== color) refuseRecord(whereIs(engine, state.name), [`outputs.color: ${JSON.stringify(outputs.color)}, but this is the ${color} cluster's stack`]);
    return {
        color,
        stack: state.name,
        config: state.config,
        outputs,
        resourceCount: state.resourceCount,
        version: outputs?.kubernetesVersion ?? configText(state.config, "kubernetesVersion") ?? "unknown",
        pending: state.pendingOperations.length > 0,
    };
}

export async function observeRegion(engine: StackEngine, env: string, region: string): Promise<RegionView> {
    const stack = regionStack(env, region);
    const state = await engine.getStack(stack);
    if (!state) throw new Error(`stack ${stack} does not exist`);
    const clusters: Partial<Record<Color, ClusterView>> = {};
    for (const color of COLORS) {
        const cluster = await engine.getStack(clusterStack(env, region, color));
        if (cluster) clusters[color] = clusterView(color, cluster, engine);
    }
    return { region, stack, config: state.config, outputs: deployedOutputs<RegionOutputs>(engine, state, regionOutputsSchema), clusters, pending: state.pendingOperations.length > 0 };
}

/** Regions of an env that have a region stack, sorted (the first is the canary unless told otherwise). */
export async function envRegions(engine: StackEngine, env: string): Promise<string[]> {
    return (await engine.listStacks())
        .map((name) => parseStackName(name))
        .filter((id) => id?.kind === "region" && id.env === env)
        .map((id) => (id as { region: string }).region)
        .sort();
}

/** The Ops stack's deployed outputs, or null when it is not deployed. */
export async function opsOutputs(engine: StackEngine, env: string): Promise<OpsOutputs | null> {
    const state = await engine.getStack(opsStack(env));
    return state ? deployedOutputs<OpsOutputs>(engine, state, opsOutputsSchema) : null;
}

export async function observeEnv(engine: StackEngine, env: string): Promise<EnvView> {
    const opsState = await engine.getStack(opsStack(env));
    const regions = await Promise.all((await envRegions(engine, env)).map((region) => observeRegion(engine, env, region)));
    return {
        env,
        ops: opsState
            ? { stack: opsState.name, outputs: deployedOutputs<OpsOutputs>(engine, opsState, opsOutputsSchema), config: opsState.config, pending: opsState.pendingOperations.length > 0 }
            : null,
        regions,
    };
}

/** The color that owns the cron jobs, i.e. the one serving (between upgrades, the only one). */
export const cronOwner = (view: RegionView): Color | null => view.outputs?.cronColor ?? null;

/** Stacks of the env with pending operations. */
export function pendingStacks(view: EnvView): string[] {
    const stacks: string[] = [];
    if (view.ops?.pending) stacks.push(view.ops.stack);
    for (const region of view.regions) {
        if (region.pending) stacks.push(region.stack);
        for (const cluster of Object.values(region.clusters)) if (cluster?.pending) stacks.push(cluster.stack);
    }
    return stacks;
}
