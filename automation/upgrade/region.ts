/**
 * The blue/green upgrade of one region, as idempotent steps. Each step first looks at the stacks (deployed
 * outputs, and the load balancer itself for weights) and does only what is missing, so a run that starts
 * after any interruption picks up exactly where the last one stopped.
 */
import { Color, clusterStack, otherColor, regionStack, serviceClusterName } from "../../components/naming";
import { compareMinor } from "../../components/kubernetesVersions";
import { ALL_ON, Weights, formatWeights, weightsFor } from "../../components/weights";
import { UpgradeRecord } from "../../stacks/config/schema";
import { RegionOutputs } from "../../stacks/outputs";
import { DriverPorts, Invocation } from "../context";
import { ClusterView, RegionView, cronOwner, observeRegion } from "../fleet";
import { GateResult, evaluateGate, metricsUnavailable } from "../gate";
import { ClusterRef, MetricsUnavailableError, RuleRef, StackConfig, UpResult } from "../ports";
import { RunLog } from "../runLog";
import { RegionResult, UpgradeOptions } from "./types";

const KEY = (key: string) => `mitene:${key}`;

/** Raised inside a region to stop it with a result; the orchestrator records it. */
class RegionStop extends Error {
    constructor(readonly outcome: "failed" | "rolled_back", readonly reason: string) {
        super(reason);
    }
}

/** The configuration of the new color's stack: the serving color's, at the new version, without cron. */
export function newClusterConfig(serving: StackConfig, version: string): StackConfig {
    return { ...serving, [KEY("kubernetesVersion")]: version, [KEY("cron")]: false, [KEY("argocdRegistered")]: true };
}

/** The weight rules of a region, from its outputs. */
export function ruleRefs(outputs: RegionOutputs): RuleRef[] {
    return outputs.services.map((service) => ({
        service: service.name,
        ruleArn: outputs.ruleArns[service.name],
        targetGroupArns: { blue: outputs.targetGroups[service.name].blue.arn, green: outputs.targetGroups[service.name].green.arn },
    }));
}

export type RegionPlan = "traffic" | "tail" | "done";

export class RegionUpgrade {
    readonly result: RegionResult;
    private from!: Color;
    private to!: Color;
    /** New-color weight this run last deployed, to notice when someone else moves traffic. */
    private expectedNewWeight: number | undefined;

    constructor(
        private readonly ports: DriverPorts,
        private readonly invocation: Invocation,
        private readonly log: RunLog,
        private readonly options: UpgradeOptions,
        readonly region: string,
    ) {
        this.result = { region, from: null, to: null, result: "nothing_to_do", reason: null, steps: [] };
    }

    private get env() {
        return this.options.env;
    }

    private observe(): Promise<RegionView> {
        return observeRegion(this.ports.engine, this.env, this.region);
    }

    private event(text: string, detail?: Record<string, unknown>, result?: string) {
        return this.log.event(this.region, text, detail, result);
    }

    private phase(phase: string, weights?: Weights) {
        this.log.update(this.region, { phase, ...(weights ? { weights: formatWeights(weights) } : {}) });
    }

    private checkCancelled() {
        if (this.invocation.signal.aborted) throw new RegionStop("failed", "cancelled (SIGINT/SIGTERM): the running operation was stopped cleanly");
    }

    /** Decides what is left: shifting traffic, only the tail (cut-over, teardown), or nothing. */
    async plan(): Promise<RegionPlan> {
        const view = await this.observe();
        const owner = cronOwner(view);
        const serving = owner ? view.clusters[owner] : undefined;
        if (!owner || !serving?.outputs) throw new Error(`region ${this.region}: the serving cluster is not deployed (stack ${owner ? clusterStack(this.env, this.region, owner) : view.stack})`);
        const other = view.clusters[otherColor(owner)];
        if (serving.version === this.options.to) {
            this.from = otherColor(owner);
            this.to = owner;
            Object.assign(this.result, { from: other ? this.from : null, to: owner });
            const tailLeft = serving.outputs.cron !== true || (other !== undefined && this.options.destroy);
            return tailLeft ? "tail" : "done";
        }
        if (compareMinor(serving.version, this.options.to) > 0) throw new Error(`region ${this.region} runs ${serving.version}, above the target ${this.options.to}`);
        this.from = owner;
        this.to = otherColor(owner);
        Object.assign(this.result, { from: this.from, to: this.to });
        const record = view.outputs?.upgrade;
        if (record?.state === "rolled_back" && record.newColor === this.to && !this.options.retry) {
            this.stop("rolled_back", `${record.reason ?? "rolled back earlier"} (the ${this.to} cluster is kept for inspection; rerun with --retry to try again)`);
            return "done";
        }
        return "traffic";
    }

    private stop(outcome: "failed" | "rolled_back" | "completed" | "skipped", reason: string | null) {
        this.result.result = outcome;
        this.result.reason = reason;
    }

    /**
     * Runs `work`, turning a stop, or any error (a failed update, an AWS error), into the region's result:
     * the other regions go on, and the run still reports and releases its lease. Returns whether the
     * region may go on.
     */
    async guard(work: () => Promise<void>): Promise<boolean> {
        try {
            await work();
            return true;
        } catch (error) {
            const stop = error instanceof RegionStop ? error : new RegionStop("failed", this.invocation.signal.aborted ? "cancelled (SIGINT/SIGTERM): the running operation was stopped cleanly" : (error as Error).message);
            this.stop(stop.outcome, stop.reason);
            this.phase(stop.outcome === "failed" ? "failed" : "rolled back");
            const detail = stop === error ? undefined : { error: (error as Error).stack ?? String(error) };
            await this.event(stop.outcome === "failed" ? `failed: ${stop.reason}` : `rolled back: ${stop.reason}`, detail, stop.outcome);
            return false;
        }
    }

    skip(reason: string) {
        this.stop("skipped", reason);
        this.phase("skipped");
    }

    // ------------------------------------------------------------ bring-up

    /** The new color's cluster exists at the target version, registered, with its apps Synced and Healthy. */
    async bringUp(): Promise<void> {
        const stack = clusterStack(this.env, this.region, this.to);
        let view = await this.observe();
        let cluster = view.clusters[this.to];
        if (cluster && cluster.version !== this.options.to) {
            await this.event(`a ${this.to} cluster at ${cluster.version} is left over from an earlier attempt: tearing it down first`);
            await this.teardown(this.to);
            view = await this.observe();
            cluster = undefined;
        }
        if (!cluster) {
            this.phase(`creating ${this.to}`);
            await this.event(`create ${this.to} stack`, { stack, version: this.options.to });
            await this.ports.engine.createStack(stack, newClusterConfig(view.clusters[this.from]!.config, this.options.to), { signal: this.invocation.signal });
            view = await this.observe();
            cluster = view.clusters[this.to]!;
        }
        const outputs = cluster.outputs;
        if (!outputs || outputs.kubernetesVersion !== this.options.to || outputs.cron !== false || outputs.argocdRegistered !== true) {
            this.phase(`deploying ${this.to}`);
            await this.event(`deploy ${this.to} cluster (Kubernetes ${this.options.to})`);
            await this.ports.engine.up(stack, { set: { [KEY("kubernetesVersion")]: this.options.to, [KEY("cron")]: false, [KEY("argocdRegistered")]: true } }, { signal: this.invocation.signal });
            await this.event(`${this.to} cluster is up`);
        }
        if ((view.outputs?.weights[this.to] ?? 0) === 0) await this.waitForArgo();
    }

    private clusterRef(view: RegionView, color: Color): ClusterRef {
        const cluster = view.clusters[color];
        return { region: this.region, color, clusterName: cluster?.outputs?.clusterName ?? serviceClusterName(this.env, this.region, color), endpoint: cluster?.outputs?.endpoint ?? "" };
    }

    private async waitForArgo(): Promise<void> {
        this.phase("waiting for Argo CD");
        const cluster = this.clusterRef(await this.observe(), this.to);
        const deadline = this.ports.clock.now() + this.options.argoTimeoutMs;
        for (;;) {
            this.checkCancelled();
            const health = await this.ports.argo.applications(this.env, cluster);
            if (health.total > 0 && health.notReady.length === 0) {
                await this.event(`Argo CD: ${health.total} apps on ${cluster.clusterName} Synced and Healthy`);
                return;
            }
            if (this.ports.clock.now() >= deadline) {
                const waiting = health.notReady.map((a) => `${a.name} (${a.sync}/${a.health})`).join(", ") || "no applications target the cluster";
                throw new RegionStop("failed", `Argo CD apps on ${cluster.clusterName} not Synced and Healthy after ${Math.round(this.options.argoTimeoutMs / 60_000)}m: ${waiting}; no traffic was moved`);
            }
            await this.ports.clock.sleep(this.options.pollMs, this.invocation.signal);
        }
    }

    // ------------------------------------------------------------ traffic

    /** Weights the load balancer actually forwards with (the same in every rule, or it is an error). */
    private async loadBalancerWeights(view: RegionView): Promise<Weights> {
        const perService = await this.ports.loadBalancer.read(this.region, ruleRefs(view.outputs!));
        const distinct = [...new Set(Object.values(perService).map((w) => JSON.stringify(w)))];
        if (distinct.length !== 1) throw new RegionStop("failed", `listener rules disagree: ${Object.entries(perService).map(([s, w]) => `${s} ${formatWeights(w)}`).join(", ")}`);
        return JSON.parse(distinct[0]) as Weights;
    }

    /** Stops the region if traffic was moved by someone else (`mitene rollback`) since this run moved it. */
    private async checkNotOverridden(): Promise<{ view: RegionView; weights: Weights }> {
        const view = await this.observe();
        const record = view.outputs?.upgrade;
        // --retry starts over from an earlier rollback; a rollback after this run moved traffic still stops it.
        const retrying = this.options.retry && this.expectedNewWeight === undefined;
        if (record?.state === "rolled_back" && !retrying) throw new RegionStop("rolled_back", `${record.reason ?? "rolled back"}; this run moved no traffic after it`);
        const weights = await this.loadBalancerWeights(view);
        if (this.expectedNewWeight !== undefined && weights[this.to] !== this.expectedNewWeight) {
            throw new RegionStop("rolled_back", `traffic was moved outside this run (load balancer: ${formatWeights(weights)}, expected ${this.to} ${this.expectedNewWeight}%); this run moved no traffic after it`);
        }
        return { view, weights };
    }

    private deployWeights(weights: Weights, record: UpgradeRecord): Promise<UpResult> {
        return this.ports.engine.up(regionStack(this.env, this.region), { set: { [KEY("weights")]: weights, [KEY("upgrade")]: record } }, { signal: this.invocation.signal });
    }

    /** Moves traffic step by step, each step gated; a failed gate puts everything back on the old color. */
    async shiftTraffic(): Promise<void> {
        let { weights } = await this.checkNotOverridden();
        this.expectedNewWeight = weights[this.to];
        for (const step of this.options.steps) {
            if (weights[this.to] > step) continue;
            this.checkCancelled();
            if (weights[this.to] < step) {
                const target = weightsFor(this.to, step);
                this.phase("shifting", target);
                await this.event(`set weights ${formatWeights(target)}`);
                await this.deployWeights(target, { newColor: this.to, state: "shifting" });
                this.expectedNewWeight = step;
                ({ weights } = await this.checkNotOverridden());
                if (weights[this.to] !== step) throw new RegionStop("failed", `the load balancer forwards ${formatWeights(weights)} after ${this.to} ${step}% was deployed`);
                await this.event(`load balancer confirms ${formatWeights(weights)}`);
            }
            await this.bakeAndGate(step);
            ({ weights } = await this.checkNotOverridden());
        }
    }

    private async bakeAndGate(step: number): Promise<void> {
        const gateConfig = (await this.observe()).outputs!.gate;
        const giveUpAt = this.ports.clock.now() + gateConfig.inconclusiveTimeoutMinutes * 60_000;
        for (;;) {
            this.phase(`baking ${step}%`);
            await this.ports.clock.sleep(this.options.bakeMs, this.invocation.signal);
            const { view } = await this.checkNotOverridden();
            const verdict = await this.evaluate(view);
            this.result.steps.push({ weight: step, gate: verdict.verdict, ...(verdict.findings.length ? { findings: verdict.findings.map((f) => f.message) } : {}) });
            this.log.update(this.region, { lastGate: `${verdict.verdict} at ${step}%` });
            await this.event(`gate at ${this.to} ${step}%: ${verdict.verdict}${verdict.findings.length ? ` (${verdict.findings.map((f) => f.message).join("; ")})` : ""}`, { findings: verdict.findings });
            if (verdict.verdict === "pass") return;
            if (verdict.verdict === "fail") {
                await this.rollBack(`gate failed at ${this.to} ${step}%: ${verdict.findings.map((f) => f.message).join("; ")}`);
            }
            if (this.ports.clock.now() >= giveUpAt) {
                await this.rollBack(`gate inconclusive for ${gateConfig.inconclusiveTimeoutMinutes}m at ${this.to} ${step}%: ${verdict.findings.map((f) => f.message).join("; ")}`);
            }
        }
    }

    private async evaluate(view: RegionView): Promise<GateResult> {
        const outputs = view.outputs!;
        const window = { to: this.ports.clock.now(), from: this.ports.clock.now() - this.options.bakeMs };
        const query = (color: Color) =>
            this.ports.metrics.colorMetrics({
                region: this.region,
                color,
                loadBalancer: outputs.loadBalancer.arnSuffix,
                targetGroups: outputs.services.map((s) => ({ service: s.name, targetGroup: outputs.targetGroups[s.name][color].arnSuffix })),
                ...window,
            });
        try {
            return evaluateGate(outputs.gate, await query(this.to), await query(this.from));
        } catch (error) {
            if (error instanceof MetricsUnavailableError) return metricsUnavailable(error.detail);
            throw error;
        }
    }

    /** Everything back on the old color in one region-stack update (the listener rules first when asked). */
    private async rollBack(reason: string): Promise<never> {
        const weights = ALL_ON(this.from);
        this.phase("rolling back", weights);
        const rules = ruleRefs((await this.observe()).outputs!);
        if (this.options.fastRollback) {
            await this.ports.loadBalancer.write(this.region, rules, weights);
            await this.event(`listener rules set to ${formatWeights(weights)} directly; reconciling the region stack`, { path: "direct", modifyRuleCalls: rules.length });
        }
        const update = await this.deployWeights(weights, { newColor: this.to, state: "rolled_back", reason });
        this.expectedNewWeight = 0;
        await this.event(`region stack updated: ${formatWeights(weights)}`, { path: "stack", stackUpdates: 1, resourcesUpdated: update.changes.update ?? 0 });
        throw new RegionStop("rolled_back", reason);
    }

    // ------------------------------------------------------------ cron cut-over, hold, teardown

    /** Moves the cron jobs: off on the old cluster, its running jobs finished, ownership and label to the new. */
    async cutOver(): Promise<void> {
        let view = await this.observe();
        if (cronOwner(view) === this.from) {
            const old = view.clusters[this.from]!;
            if (old.outputs?.cron !== false) {
                this.phase("cron cut-over");
                await this.event(`turn cron off on ${this.from}`);
                await this.ports.engine.up(old.stack, { set: { [KEY("cron")]: false } }, { signal: this.invocation.signal });
            }
            await this.waitForJobs(this.clusterRef(view, this.from));
            await this.event(`cron jobs move to ${this.to}`);
            await this.ports.engine.up(view.stack, { set: { [KEY("cronColor")]: this.to }, remove: [KEY("upgrade")] }, { signal: this.invocation.signal });
            view = await this.observe();
        }
        const fresh = view.clusters[this.to]!;
        if (fresh.outputs?.cron !== true) {
            await this.event(`turn cron on on ${this.to}`);
            await this.ports.engine.up(fresh.stack, { set: { [KEY("cron")]: true } }, { signal: this.invocation.signal });
        }
    }

    private async waitForJobs(cluster: ClusterRef): Promise<void> {
        this.phase("waiting for cron jobs");
        const deadline = this.ports.clock.now() + this.options.jobsTimeoutMs;
        for (;;) {
            this.checkCancelled();
            const running = await this.ports.jobs.runningCronJobs(cluster);
            if (running.length === 0) return;
            if (this.ports.clock.now() >= deadline) {
                throw new RegionStop("failed", `cron jobs still running on ${cluster.clusterName} after ${Math.round(this.options.jobsTimeoutMs / 60_000)}m: ${running.join(", ")}; cron stays with ${this.from} (off) until they end`);
            }
            await this.ports.clock.sleep(this.options.pollMs, this.invocation.signal);
        }
    }

    /** Holds, then removes the old cluster (unless `--no-destroy`). */
    async retireOld(): Promise<void> {
        const old = (await this.observe()).clusters[this.from];
        if (!old || !this.options.destroy) return;
        if (old.outputs && old.outputs.argocdRegistered !== false) {
            this.phase("holding");
            await this.event(`hold ${Math.round(this.options.holdMs / 60_000)}m before tearing ${this.from} down`);
            await this.ports.clock.sleep(this.options.holdMs, this.invocation.signal);
        }
        await this.teardown(this.from);
    }

    /** Safe order: deregister from Argo CD, destroy (in-cluster resources first), remove the stack. */
    private async teardown(color: Color): Promise<void> {
        const view = await this.observe();
        const cluster: ClusterView | undefined = view.clusters[color];
        if (!cluster) return;
        const weights = await this.loadBalancerWeights(view);
        // Destroying the cluster deletes its TargetGroupBindings, which deregister its targets.
        if (weights[color] !== 0) throw new RegionStop("failed", `refusing to tear down ${color}: it still carries ${weights[color]}% of the traffic`);
        if (cronOwner(view) === color) throw new RegionStop("failed", `refusing to tear down ${color}: it owns the cron jobs`);
        this.phase(`tearing down ${color}`);
        if (cluster.outputs && cluster.outputs.argocdRegistered !== false) {
            await this.event(`deregister ${color} from Argo CD`);
            await this.ports.engine.up(cluster.stack, { set: { [KEY("argocdRegistered")]: false } }, { signal: this.invocation.signal });
        }
        if (cluster.resourceCount > 0) {
            await this.event(`destroy ${color} cluster`);
            await this.ports.engine.destroy(cluster.stack, { signal: this.invocation.signal });
        }
        await this.event(`remove ${color} stack`);
        await this.ports.engine.removeStack(cluster.stack, { signal: this.invocation.signal });
    }

    /** Marks the region done. */
    async complete(): Promise<void> {
        this.stop("completed", null);
        this.phase("done");
        await this.event(`completed: ${this.to} serves Kubernetes ${this.options.to}`, undefined, "completed");
    }
}
