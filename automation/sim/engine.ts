/**
 * The sim StackEngine: Pulumi's semantics over a state directory. `up` runs the real stack program under the
 * mock runtime; the operation takes its AWS duration on the virtual clock; an operation marker exists from
 * its start to its end, so a run killed in between leaves pending operations, as Pulumi does.
 */
import { RecordedResource } from "../../fakecloud/mockRuntime";
import { CrashPlan, ProcessIdentity } from "../process";
import { ConfigChanges, OperationOptions, StackBusyError, StackConfig, StackEngine, StackState, UpResult } from "../ports";
import { Clock } from "../ports";
import { destroyDuration, graphChanges, upDuration } from "../scenario/durations";
import { Scenario } from "../scenario/scenario";
import { runStackProgram } from "../stackPrograms";
import { OperationMarker, SimStackRecord, SimStore } from "./store";

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
        return [...new Set([...this.store.stackNames(), ...this.store.markers().map((m) => m.stack)])].sort();
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
            pendingOperations: dead ? [{ description: `${marker.operation} interrupted (pid ${marker.pid} on ${marker.host}, started ${marker.startedAt})` }] : [],
        };
    }

    async createStack(name: string, config: StackConfig): Promise<void> {
        if (this.store.readStack(name)) throw new Error(`stack ${name} already exists`);
        await this.operate(name, "create", async () => {
            this.store.writeStack({ name, config, deployed: false, outputs: null, secretOutputs: [], resources: [], outputChangedAt: {} });
        });
    }

    async up(name: string, changes: ConfigChanges = {}, opts: OperationOptions = {}): Promise<UpResult> {
        const record = this.require(name);
        const config = applyChanges(record.config, changes);
        const run = await runStackProgram(name, config, (stack) => this.deployedOutputs(stack));
        const changed = graphChanges(record.resources, run.resources);
        const duration = upDuration(name, changed, this.scenario);
        const count = (op: string) => changed.filter((c) => c.op === op).length;
        const [created, updated, deleted] = [count("create"), count("update"), count("delete")];
        await this.operate(name, "update", async () => {
            opts.onOutput?.(`${name}: ${created} to create, ${updated} to update, ${deleted} to delete`);
            await this.clock.sleep(duration, opts.signal);
            const now = this.clock.now();
            const changedAt = { ...record.outputChangedAt };
            for (const [key, value] of Object.entries(run.outputs)) {
                if (!record.outputs || JSON.stringify(record.outputs[key]) !== JSON.stringify(value)) changedAt[key] = now;
            }
            this.store.writeStack({ name, config, deployed: true, outputs: run.outputs, secretOutputs: run.secretOutputs, resources: run.resources, outputChangedAt: changedAt });
        });
        return { outputs: run.outputs, changes: { create: created, update: updated, delete: deleted } };
    }

    async destroy(name: string, opts: OperationOptions = {}): Promise<void> {
        const record = this.require(name);
        await this.operate(name, "destroy", async () => {
            await this.clock.sleep(destroyDuration(record.resources, this.scenario), opts.signal);
            this.store.writeStack({ ...record, deployed: false, outputs: null, secretOutputs: [], resources: [], outputChangedAt: {} });
        });
    }

    async removeStack(name: string): Promise<void> {
        const record = this.require(name);
        if (record.resources.length > 0) throw new Error(`stack ${name} still has ${record.resources.length} resources: destroy it first`);
        await this.operate(name, "remove", async () => this.store.deleteStack(name));
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
        return marker.host !== this.identity.host || this.identity.isAlive(marker.pid);
    }

    /** Runs one state-changing operation between its marker's creation and removal. */
    private async operate(stack: string, operation: string, work: () => Promise<void>): Promise<void> {
        if (this.dead) return new Promise<never>(() => undefined);
        await this.waitWhileBusy(stack);
        const existing = this.store.readMarker(stack);
        if (existing) throw new Error(`stack ${stack} has pending operations from an interrupted ${existing.operation} (rerun with --recover)`);
        this.store.writeMarker({ stack, operation, pid: this.identity.pid, host: this.identity.host, startedAt: new Date().toISOString() });
        // Operations overlap in virtual time: "during" counts starts, "after" counts completions.
        if (this.crash?.during === ++this.started) await this.die();
        try {
            await work();
        } finally {
            this.store.clearMarker(stack);
        }
        this.operations++;
        this.store.writeClock(this.clock.now());
        if (this.crash?.after === this.operations) await this.die();
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

/** Config after `changes`; keys to set win over keys to remove. */
export function applyChanges(config: StackConfig, changes: ConfigChanges): StackConfig {
    const next = { ...config };
    for (const key of changes.remove ?? []) delete next[key];
    return { ...next, ...(changes.set ?? {}) };
}
