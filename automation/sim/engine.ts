/**
 * The sim StackEngine: Pulumi's semantics over a state directory. `up` runs the real stack program under the
 * mock runtime; the operation takes its AWS duration on the virtual clock; an operation marker exists from
 * its start to its end, so a run killed in between leaves pending operations, as Pulumi does.
 */
import * as path from "node:path";
import { RecordedResource } from "../../fakecloud/mockRuntime";
import { CrashPlan, ProcessIdentity } from "../core/process";
import { ConfigChanges, OperationOptions, PreconditionFailedError, StackBusyError, StackConfig, StackEngine, StackState, UpResult } from "../core/ports";
import { Clock } from "../core/ports";
import { Weights } from "../../components/weights";
import { appendWeights } from "../scenario/forwarding";
import { destroyDuration, graphChanges, upDuration } from "../scenario/durations";
import { Scenario } from "../scenario/scenario";
import { runStackProgram } from "../programs/stackPrograms";
import { OperationMarker, SimStackRecord, SimStore } from "./store";
import { count } from "../core/wording";

export class StackNotFoundError extends Error {
    constructor(stack: string) {
        super(`stack ${stack} does not exist`);
    }
}

export class SimEngine implements StackEngine {
    private operations = 0;
    private started = 0;
    /** Set when the crash plan fires: a dead process changes nothing more (in tests, other tasks live on). */
    private dead = false;
    /** Holders whose lease was broken (--break-lease): their markers are interrupted operations. */
    private readonly presumedDead: { pid: number; host: string }[] = [];

    constructor(
        private readonly store: SimStore,
        private readonly clock: Clock,
        private readonly scenario: Scenario,
        private readonly identity: ProcessIdentity,
        private readonly crash?: CrashPlan,
    ) {}

    /** State-changing operations completed by this engine. */
    get operationCount(): number {
        return this.operations;
    }

    /** Stacks with state, and those a killed run was creating (they exist only as pending operations). */
    async listStacks(): Promise<string[]> {
        return [...new Set([...this.store.stackNames(), ...this.store.markedStacks()])].sort();
    }

    private stateOf(record: SimStackRecord): StackState {
        return { name: record.name, config: record.config, outputs: record.deployed ? record.outputs : null, resourceCount: record.resources.length, pendingOperations: [] };
    }

    async getStack(name: string): Promise<StackState | undefined> {
        const record = this.store.readStack(name);
        const marker = this.store.readMarker(name);
        const dead = marker !== undefined && !this.isHolderAlive(marker);
        if (!record && !dead) return undefined;
        return {
            name,
            config: record?.config ?? {},
            outputs: record?.deployed ? record.outputs : null,
            resourceCount: record?.resources.length ?? 0,
            pendingOperations: dead ? [{ description: marker.pid < 0 ? marker.operation : `${marker.operation} interrupted: pid ${marker.pid} on ${marker.host}, started ${marker.startedAt}` }] : [],
        };
    }

    async createStack(name: string, config: StackConfig, opts: OperationOptions = {}): Promise<void> {
        if (this.store.readStack(name)) throw new Error(`stack ${name} already exists`);
        await this.operate(name, "create", opts, async () => {
            this.store.writeStack({ name, config, deployed: false, outputs: null, secretOutputs: [], resources: [], outputChangedAt: {} });
            return true;
        });
    }

    /**
     * Everything is read once the stack is held, as Pulumi does under its lock: the stack's own config and
     * state, and the outputs its StackReferences see. A change computed before waiting cannot land.
     */
    async up(name: string, changes: ConfigChanges = {}, opts: OperationOptions = {}): Promise<UpResult> {
        this.require(name);
        let result!: UpResult;
        await this.operate(name, "update", opts, async (record) => {
            const config = applyChanges(record.config, changes);
            const run = await runStackProgram(name, config, (stack) => this.deployedOutputs(stack));
            const changed = graphChanges(record.resources, run.resources);
            const count = (op: string) => changed.filter((c) => c.op === op).length;
            const [created, updated, deleted] = [count("create"), count("update"), count("delete")];
            opts.onOutput?.(`${name}: ${created} to create, ${updated} to update, ${deleted} to delete`);
            await this.clock.sleep(upDuration(name, changed, this.scenario), opts.signal);
            const now = this.clock.now();
            const changedAt = { ...record.outputChangedAt };
            for (const [key, value] of Object.entries(run.outputs)) {
                if (!record.outputs || JSON.stringify(record.outputs[key]) !== JSON.stringify(value)) changedAt[key] = now;
            }
            this.store.writeStack({
                name,
                config,
                deployed: true,
                outputs: run.outputs,
                secretOutputs: run.secretOutputs,
                resources: run.resources,
                outputChangedAt: changedAt,
                ...weightHistory(record, run.outputs, now),
            });
            result = { outputs: run.outputs, changes: { create: created, update: updated, delete: deleted } };
            return changed.length > 0 || !same(record.outputs, run.outputs) || !same(record.config, config);
        });
        return result;
    }

    async destroy(name: string, opts: OperationOptions = {}): Promise<void> {
        this.require(name);
        await this.operate(name, "destroy", opts, async (record) => {
            await this.clock.sleep(destroyDuration(record.resources, this.scenario), opts.signal);
            this.store.writeStack({ ...record, deployed: false, outputs: null, secretOutputs: [], resources: [], outputChangedAt: {} });
            return true;
        });
    }

    async removeStack(name: string, opts: OperationOptions = {}): Promise<void> {
        this.require(name);
        await this.operate(name, "remove", opts, async (record) => {
            if (record.resources.length > 0) throw new Error(`stack ${name} still has ${count(record.resources.length, "resource")}: destroy it first`);
            this.store.deleteStack(name);
            return true;
        });
    }

    async resolvePendingOperations(name: string): Promise<void> {
        const marker = this.store.readMarker(name);
        if (marker && !this.isHolderAlive(marker)) this.store.clearMarker(name);
    }

    /** Outputs of a stack as StackReferences see them. */
    deployedOutputs(name: string): Record<string, unknown> | undefined {
        const record = this.store.readStack(name);
        return record?.deployed && record.outputs ? record.outputs : undefined;
    }

    /** The graph a stack last deployed (the sim's view of what exists in AWS). */
    resources(name: string): RecordedResource[] {
        return this.store.readStack(name)?.resources ?? [];
    }

    record(name: string): SimStackRecord | undefined {
        return this.store.readStack(name);
    }

    private require(name: string): SimStackRecord {
        const record = this.store.readStack(name);
        if (!record) throw new StackNotFoundError(name);
        return record;
    }

    private isHolderAlive(marker: OperationMarker): boolean {
        if (marker.pid < 0) return false;
        if (this.presumedDead.some((h) => h.pid === marker.pid && h.host === marker.host)) return false;
        return marker.host !== this.identity.host || this.identity.isAlive(marker.pid, marker.startedAt);
    }

    presumeDead(holder: { pid: number; host: string }): void {
        this.presumedDead.push(holder);
    }

    locationOf(name: string): string {
        return `state file ${path.join(this.store.dir, "stacks", `${name}.json`)}`;
    }

    /**
     * Runs one operation between its marker's creation and removal; `work` gets the stack's record as it is
     * once the marker is held, after the precondition passed on it, and says whether it changed the stack
     * (`--crash-after` counts those: an update that changes nothing is no point of the runbook).
     */
    private async operate(stack: string, operation: string, opts: OperationOptions, work: (record: SimStackRecord) => Promise<boolean>): Promise<void> {
        if (this.dead) return new Promise<never>(() => undefined);
        if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error("aborted");
        await this.waitWhileBusy(stack);
        const existing = this.store.readMarker(stack);
        if (existing) throw new Error(`stack ${stack} has pending operations from an interrupted ${existing.operation} (rerun with --recover)`);
        this.store.writeMarker({ stack, operation, pid: this.identity.pid, host: this.identity.host, startedAt: new Date().toISOString() });
        let changed = false;
        try {
            const record = this.store.readStack(stack);
            const refusal = record && opts.precondition?.(this.stateOf(record));
            if (refusal) throw new PreconditionFailedError(stack, refusal);
            // Operations overlap in virtual time: "during" counts starts, "after" counts completions.
            if (this.crash?.during === ++this.started) await this.die();
            changed = await work(record ?? { name: stack, config: {}, deployed: false, outputs: null, secretOutputs: [], resources: [], outputChangedAt: {} });
        } finally {
            if (!this.dead) this.store.clearMarker(stack);
        }
        this.store.writeClock(this.clock.now());
        if (changed && this.crash?.after === ++this.operations) await this.die();
    }

    /**
     * Another live process holds the stack (Pulumi's ConcurrentUpdateError): wait for it in real time, since
     * its operation is real work of a few milliseconds, then give up.
     */
    private async waitWhileBusy(stack: string, attempts = 50): Promise<void> {
        for (let attempt = 1; ; attempt++) {
            const marker = this.store.readMarker(stack);
            if (!marker || !this.isHolderAlive(marker)) return;
            if (attempt >= attempts) throw new StackBusyError(stack, `${marker.operation} in progress by pid ${marker.pid} on ${marker.host}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }

    private die(): Promise<never> {
        this.dead = true;
        return this.crash!.die();
    }
}

/** A region stack's weight history with this update's weights appended when they changed. */
function weightHistory(record: SimStackRecord, outputs: Record<string, unknown>, now: number): Pick<SimStackRecord, "weightHistory"> {
    const history = appendWeights(record.weightHistory, record.outputs?.weights as Weights | undefined, outputs.weights as Weights | undefined, now);
    return history ? { weightHistory: history } : {};
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Config after `changes`; keys to set win over keys to remove. */
export function applyChanges(config: StackConfig, changes: ConfigChanges): StackConfig {
    const next = { ...config };
    for (const key of changes.remove ?? []) delete next[key];
    return { ...next, ...(changes.set ?? {}) };
}
