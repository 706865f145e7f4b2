/**
 * What every step of an upgrade, a rollback or a discard works from: the region as its stacks say it stands,
 * read fresh, and the protocol writes to the region stack (stacks/upgradeRecord.ts) that only land on the
 * state they were computed from.
 */
import { isDeepStrictEqual } from "node:util";
import { Color, clusterStack, otherColor, regionStack, serviceClusterName } from "../../components/naming";
import { Weights, formatWeights } from "../../components/weights";
import { UpgradeRecord, oldColorOf } from "../../stacks/upgradeRecord";
import { DriverPorts } from "../core/context";
import { StateDamagedError } from "../core/errors";
import { RegionView, observeRegion } from "../core/fleet";
import { ClusterRef, PreconditionFailedError, RuleRef, UpResult } from "../core/ports";
import { RegionOutputs } from "../../stacks/outputs";
import { EventOptions, RunLog } from "../record/runLog";

const KEY = (key: string) => `mitene:${key}`;

/** What a step needs to act on one region, whoever runs it (upgrade, rollback, discard). */
export interface RegionContext {
    ports: DriverPorts;
    env: string;
    region: string;
    signal: AbortSignal;
    /** Interval between checks while waiting (Argo CD, running jobs, the hold). */
    pollMs: number;
    /** Records an event in the journal, the timeline and the progress output. */
    event(text: string, options: EventOptions): Promise<void>;
    /** The live view's line for the region. */
    status(text: string): void;
}

/** The context of `region` for a run journaled by `log`. */
export function regionContext(ports: DriverPorts, log: RunLog, env: string, region: string, signal: AbortSignal, pollMs: number): RegionContext {
    return { ports, env, region, signal, pollMs, event: (text, options) => log.event(region, text, options), status: (text) => log.status(region, text) };
}

export interface RegionState {
    view: RegionView;
    outputs: RegionOutputs;
    /** The deployed upgrade record. */
    record: UpgradeRecord | null;
    /** The deployed cron owner. */
    owner: Color;
}

/** The region as deployed; a region stack that is missing or not deployed is a damaged state. */
export async function readRegion(ctx: Pick<RegionContext, "ports" | "env" | "region">): Promise<RegionState> {
    const view = await observeRegion(ctx.ports.engine, ctx.env, ctx.region);
    if (!view.outputs) throw new StateDamagedError(`region stack ${view.stack} has no deployed state`, [view.stack]);
    return { view, outputs: view.outputs, record: view.outputs.upgrade ?? null, owner: view.outputs.cronColor };
}

/** The color that served before the upgrade in progress (or the only one), and the one it introduces. */
export function colorsOf(state: RegionState): { old: Color; fresh: Color } {
    if (state.record) return { old: oldColorOf(state.record), fresh: state.record.newColor };
    return { old: state.owner, fresh: otherColor(state.owner) };
}

/** The weight rules of a region, from its outputs. */
export function ruleRefs(outputs: RegionOutputs): RuleRef[] {
    return outputs.services.map((service) => ({
        service: service.name,
        ruleArn: outputs.ruleArns[service.name],
        targetGroupArns: { blue: outputs.targetGroups[service.name].blue.arn, green: outputs.targetGroups[service.name].green.arn },
    }));
}

/** Weights the load balancer actually forwards with: the same in every rule, or the state is not one we made. */
export async function loadBalancerWeights(ctx: Pick<RegionContext, "ports" | "region">, outputs: RegionOutputs): Promise<Weights> {
    const perService = await ctx.ports.loadBalancer.read(ctx.region, ruleRefs(outputs));
    const distinct = [...new Set(Object.values(perService).map((w) => JSON.stringify(w)))];
    if (distinct.length !== 1) throw new Error(`listener rules of ${ctx.region} disagree: ${Object.entries(perService).map(([s, w]) => `${s} ${formatWeights(w)}`).join(", ")}`);
    return JSON.parse(distinct[0]) as Weights;
}

export function clusterRef(ctx: Pick<RegionContext, "env" | "region">, view: RegionView, color: Color): ClusterRef {
    const cluster = view.clusters[color];
    return { region: ctx.region, color, clusterName: cluster?.outputs?.clusterName ?? serviceClusterName(ctx.env, ctx.region, color), endpoint: cluster?.outputs?.endpoint ?? "" };
}

/** Another writer changed the region (a rollback, another run): the write did not land. */
export class RegionChangedError extends Error {
    constructor(readonly region: string, readonly detail: string) {
        super(`${region}: ${detail}`);
        this.name = "RegionChangedError";
    }
}

/**
 * A refusal by the stack programs' interlocks (the upgrade record's compare-and-set, the cron interlock),
 * which is how another machine's concurrent write shows up: the engine reports the program's message.
 */
export function protocolRefusal(error: unknown): string | undefined {
    const message = error instanceof Error ? error.message : String(error);
    return message.match(/mitene:(?:upgrade|cron): ([^\n]*)/)?.[1];
}

/** Runs a write, turning a precondition failure or a protocol refusal into RegionChangedError. */
export async function guarded<T>(region: string, write: () => Promise<T>): Promise<T> {
    try {
        return await write();
    } catch (error) {
        if (error instanceof PreconditionFailedError) throw new RegionChangedError(region, error.reason);
        const refusal = protocolRefusal(error);
        if (refusal) throw new RegionChangedError(region, refusal);
        throw error;
    }
}

const same = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);

export interface RegionChange {
    weights?: Weights;
    cronColor?: Color;
    /** The next upgrade record (null removes it); absent leaves it as it is. */
    record?: UpgradeRecord | null;
}

/**
 * Deploys the region stack with `change`, only onto the record `state` was read with. The weights, the cron
 * owner and the record are always written, the unchanged ones as deployed: a stack file that is behind what
 * is deployed (a rollback from a checkout of main while an upgrade's edits live on its runner) cannot move
 * them back.
 */
export function writeRegion(ctx: Pick<RegionContext, "ports" | "env" | "region" | "signal">, state: RegionState, change: RegionChange): Promise<UpResult> {
    const record = change.record !== undefined ? change.record : state.record;
    const set: Record<string, unknown> = { [KEY("weights")]: change.weights ?? state.outputs.weights, [KEY("cronColor")]: change.cronColor ?? state.owner };
    const remove: string[] = [];
    if (record) set[KEY("upgrade")] = record;
    else remove.push(KEY("upgrade"));
    return guarded(ctx.region, () =>
        ctx.ports.engine.up(regionStack(ctx.env, ctx.region), { set, remove }, {
            signal: ctx.signal,
            precondition: (deployed) => {
                const current = (deployed.outputs as RegionOutputs | null)?.upgrade ?? null;
                return same(current, state.record) ? undefined : `the upgrade record changed since it was read (now ${current ? `${current.state}, revision ${current.seq}` : "none"})`;
            },
        }),
    );
}

/** Deploys a cluster stack with config changes (cron, Argo CD registration), turning interlock refusals into RegionChangedError. */
export function writeCluster(ctx: Pick<RegionContext, "ports" | "env" | "region" | "signal">, color: Color, set: Record<string, unknown>): Promise<UpResult> {
    return guarded(ctx.region, () => ctx.ports.engine.up(clusterStack(ctx.env, ctx.region, color), { set: Object.fromEntries(Object.entries(set).map(([k, v]) => [KEY(k), v])) }, { signal: ctx.signal }));
}
