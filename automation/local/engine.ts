/**
 * The local engine's StackEngine: the production PulumiEngine (the real CLI, a file backend, the fake-cloud
 * plugins), with what a rehearsal adds around each state-changing operation: the virtual clock moves on by
 * the operation's AWS duration (the durations model the sim uses, fed with the engine's own steps), the
 * outputs' history is kept for the scenario's observers, and `--crash-after N` kills the process right after
 * the N-th operation that changed a stack. Operations are counted as the sim counts them (create, destroy,
 * remove, and an up that changed resources or outputs), so a crash index means the same point of the runbook
 * on both engines.
 *
 * Each Pulumi operation runs outside the virtual clock: it takes none of its time, and while it runs the
 * driver's other tasks go on, so two regions' operations overlap in wall time as they do in virtual time.
 */
import { VirtualClock } from "../core/clock";
import { CrashPlan } from "../core/process";
import { ConfigChanges, OperationOptions, StackConfig, StackEngine, StackState, UpResult } from "../core/ports";
import { ResourceChange, destroyDuration, upDuration } from "../scenario/durations";
import { Scenario } from "../scenario/scenario";
import { OutputHistory } from "./history";

/** A stack engine that tells what each `up` did to each resource, and what a stack holds (the real PulumiEngine). */
export interface SteppedStackEngine extends StackEngine {
    up(name: string, changes?: ConfigChanges, opts?: OperationOptions): Promise<UpResult & { steps: ResourceChange[] }>;
    resourceTypes(name: string): Promise<string[]>;
}

export class LocalEngine implements StackEngine {
    private operations = 0;
    /** Set when the crash plan fires: a dead process changes nothing more (in tests, its other tasks live on). */
    private dead = false;

    constructor(
        readonly pulumi: SteppedStackEngine,
        private readonly clock: VirtualClock,
        private readonly scenario: Scenario,
        private readonly history: OutputHistory,
        private readonly onOperation: () => void,
        private readonly crash?: CrashPlan,
    ) {}

    listStacks(): Promise<string[]> {
        return this.pulumi.listStacks();
    }

    getStack(name: string): Promise<StackState | undefined> {
        return this.pulumi.getStack(name);
    }

    async createStack(name: string, config: StackConfig, opts?: OperationOptions): Promise<void> {
        await this.alive();
        await this.clock.outside(() => this.pulumi.createStack(name, config, opts));
        await this.completed();
    }

    async up(name: string, changes?: ConfigChanges, opts: OperationOptions = {}): Promise<UpResult> {
        await this.alive();
        const before = this.history.known(name)?.outputs;
        const { outputs, changes: counts, steps } = await this.clock.outside(() => this.pulumi.up(name, changes, opts));
        await this.clock.sleep(upDuration(name, steps, this.scenario), opts.signal);
        this.history.record(name, outputs, this.clock.now());
        // An update that changed nothing is no point of the runbook: --crash-after does not count it.
        if (steps.length > 0 || JSON.stringify(before) !== JSON.stringify(outputs)) await this.completed();
        return { outputs, changes: counts };
    }

    async destroy(name: string, opts: OperationOptions = {}): Promise<void> {
        await this.alive();
        const types = await this.pulumi.resourceTypes(name);
        await this.clock.outside(() => this.pulumi.destroy(name, opts));
        await this.clock.sleep(destroyDuration(types.map((type) => ({ type })), this.scenario), opts.signal);
        this.history.forget(name);
        await this.completed();
    }

    async removeStack(name: string, opts?: OperationOptions): Promise<void> {
        await this.alive();
        await this.clock.outside(() => this.pulumi.removeStack(name, opts));
        this.history.forget(name);
        await this.completed();
    }

    resolvePendingOperations(name: string): Promise<void> {
        return this.clock.outside(() => this.pulumi.resolvePendingOperations(name));
    }

    private async completed(): Promise<void> {
        this.operations++;
        this.onOperation();
        if (this.crash?.after === this.operations) {
            this.dead = true;
            await this.crash.die();
        }
    }

    private alive(): Promise<void> {
        return this.dead ? new Promise<never>(() => undefined) : Promise.resolve();
    }
}
