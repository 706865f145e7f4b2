/**
 * The blue/green upgrade of one region, as idempotent steps over the region's stacks and its upgrade record
 * (stacks/upgradeRecord.ts). Each step reads the region first and does only what is missing, so a run that
 * starts after any interruption picks up where the last one stopped; each step also checks that nobody rolled
 * the region back meanwhile, and every write to the region stack only lands on the state it was computed from.
 */
import { Color, clusterStack, otherColor } from "../../components/naming";
import { compareMinor } from "../../components/kubernetesVersions";
import { formatWeights, weightsFor } from "../../components/weights";
import { nextRecord } from "../../stacks/upgradeRecord";
import { StackConfig } from "../core/ports";
import { DriverPorts, Invocation } from "../core/context";
import { StateDamagedError } from "../core/errors";
import { AnalysisIo, Look, analyzeStep } from "../gate/analysis";
import { RunLog } from "../record/runLog";
import { JobsStillRunningError, moveCron } from "./cron";
import { RegionChangedError, RegionContext, RegionState, clusterRef, loadBalancerWeights, readRegion, regionContext, writeCluster, writeRegion } from "./regionState";
import { rollbackRegion } from "./rollback";
import { tearDown } from "./teardown";
import { RegionResult, StepRecord, UpgradeOptions } from "./types";
import { count, resultName } from "../core/wording";

const KEY = (key: string) => `mitene:${key}`;

/** The configuration of the new color's stack: the serving color's, at the new version, without cron. */
export function newClusterConfig(serving: StackConfig, version: string): StackConfig {
    return { ...serving, [KEY("kubernetesVersion")]: version, [KEY("cron")]: false, [KEY("argocdRegistered")]: true };
}

/** Stops a region with a result; the orchestrator records it. */
export class RegionStop extends Error {
    constructor(readonly outcome: "failed" | "rolled_back" | "paused", readonly reason: string) {
        super(reason);
    }
}

export type RegionPlan = "traffic" | "tail" | "done";

/** Where a region stands in its upgrade, for the time-left estimate. */
export type RegionStage = "waiting" | "bring-up" | "queued" | "traffic" | "tail" | "done";

export class RegionUpgrade {
    readonly result: RegionResult;
    readonly ctx: RegionContext;
    stage: RegionStage = "waiting";
    /** Steps left, and when the current phase began (time-left estimate). */
    stepsLeft: number;
    phaseStartedAt = 0;
    private old!: Color;
    private fresh!: Color;
    /** The attempt this run works on (named when its first step is written), and the rolled-back one it replaces. */
    private attempt: string | undefined;
    private retryOf: string | undefined;
    /** New-color weight this run last set, to notice when someone else moves traffic. */
    private expectedWeight: number | undefined;

    constructor(
        private readonly ports: DriverPorts,
        private readonly invocation: Invocation,
        log: RunLog,
        private readonly options: UpgradeOptions,
        readonly region: string,
    ) {
        this.result = { region, from: null, to: null, result: "nothing_to_do", reason: null, steps: [] };
        this.stepsLeft = options.steps.length;
        this.ctx = regionContext(ports, log, options.env, region, invocation.signal, options.pollMs);
    }

    /** A new stage starts its clock; a new activity within the same stage (Argo CD after the cluster) does not. */
    private enter(stage: RegionStage, status: string) {
        if (stage !== this.stage) this.phaseStartedAt = this.ports.clock.now();
        this.stage = stage;
        this.ctx.status(status);
    }

    /** Decides what is left: shifting traffic, only the tail (cut-over, teardown), or nothing. */
    async plan(): Promise<RegionPlan> {
        const state = await readRegion(this.ctx);
        const record = state.record;
        const serving = state.view.clusters[state.owner];
        if (!serving?.outputs) throw new StateDamagedError(`${this.region}: the cron owner ${state.owner} has no deployed cluster (stack ${clusterStack(this.options.env, this.region, state.owner)})`, [clusterStack(this.options.env, this.region, state.owner)]);
        if (!record) {
            this.setColors(state.owner, otherColor(state.owner));
            if (serving.version === this.options.to) return this.done(state);
            if (compareMinor(serving.version, this.options.to) > 0) throw new Error(`region ${this.region} runs ${serving.version}, above the target ${this.options.to}`);
            return "traffic";
        }
        this.setColors(otherColor(record.newColor), record.newColor);
        const fresh = state.view.clusters[record.newColor];
        const freshVersion = fresh?.version;
        switch (record.state) {
            case "rolled_back":
                if (!this.options.retry) {
                    this.stop("rolled_back", `rolled back earlier: ${record.reason ?? "no reason recorded"}; ${record.newColor} is kept for inspection (upgrade --retry tries again, discard removes it)`);
                    return "done";
                }
                this.retryOf = record.attempt;
                return "traffic";
            case "shifting":
                this.attempt = record.attempt;
                this.retryOf = record.retryOf;
                if (freshVersion !== this.options.to) return this.blocked(`an upgrade of ${this.region} to ${freshVersion ?? "an unknown version"} (attempt ${record.attempt}) is under way: finish it with --to ${freshVersion} or roll it back`);
                return "traffic";
            case "retiring":
            case "tearing-down":
                this.attempt = record.attempt;
                if (freshVersion !== this.options.to) return this.blocked(`the upgrade of ${this.region} to ${freshVersion} still keeps ${this.old} (${record.state}): finish it with upgrade --to ${freshVersion} first`);
                if (record.state === "retiring" && record.keep && !this.options.destroy && this.cronSettled(state)) {
                    this.stop("nothing_to_do", `${this.old} kept (--no-destroy): an upgrade without --no-destroy tears it down`);
                    this.stage = "done";
                    return "done";
                }
                return "tail";
            case "discarding":
                return this.blocked(`${record.newColor} of a rolled-back attempt is being discarded: rerun \`mitene discard --env ${this.options.env} --region ${this.region}\``);
        }
    }

    private setColors(old: Color, fresh: Color) {
        this.old = old;
        this.fresh = fresh;
        Object.assign(this.result, { from: old, to: fresh });
    }

    private done(state: RegionState): RegionPlan {
        if (state.view.clusters[otherColor(state.owner)]) {
            throw new StateDamagedError(`${this.region}: ${otherColor(state.owner)} exists beside the serving ${state.owner} with no upgrade record to explain it (stack ${clusterStack(this.options.env, this.region, otherColor(state.owner))})`, [clusterStack(this.options.env, this.region, otherColor(state.owner))]);
        }
        Object.assign(this.result, { from: null, to: state.owner });
        this.stage = "done";
        return "done";
    }

    private blocked(reason: string): RegionPlan {
        this.stop("failed", reason);
        this.stage = "done";
        return "done";
    }

    private stop(outcome: RegionResult["result"], reason: string | null) {
        this.result.result = outcome;
        this.result.reason = reason;
    }

    /**
     * Runs `work`, turning a stop, or any error (a failed update, an AWS error), into the region's result: the
     * other regions go on, and the run still reports and releases its lease. Returns whether the region may go on.
     */
    async guard(work: () => Promise<void>): Promise<boolean> {
        try {
            await work();
            return true;
        } catch (error) {
            const stop = await this.stopFor(error);
            this.stop(stop.outcome, stop.reason);
            this.stage = "done";
            this.ctx.status(stop.outcome === "paused" ? `paused at ${this.fresh} ${this.expectedWeight}%` : resultName(stop.outcome));
            if (stop.outcome !== "paused") {
                const detail = stop === error || error instanceof RegionChangedError ? undefined : { error: (error as Error).stack ?? String(error) };
                await this.ctx.event(`${stop.outcome === "failed" ? "failed" : "rolled back"}: ${stop.reason}`, { result: stop.outcome, detail, phase: "outcome" });
            }
            return false;
        }
    }

    private async stopFor(error: unknown): Promise<RegionStop> {
        if (error instanceof RegionStop) return error;
        if (this.invocation.signal.aborted) return new RegionStop("failed", "cancelled (SIGINT/SIGTERM): the running operation was stopped cleanly");
        if (error instanceof RegionChangedError) {
            // Somebody else wrote the region: a rollback, usually. Say what it is now.
            const record = (await readRegion(this.ctx)).record;
            if (record?.state === "rolled_back") return new RegionStop("rolled_back", `${record.reason ?? "rolled back by someone else"}; this run moved no traffic after it`);
            return new RegionStop("failed", `the region changed under this run (${error.detail}): stopped without changing anything more`);
        }
        return new RegionStop("failed", (error as Error).message);
    }

    /** Leaves the region alone for `reason`, unless it was rolled back meanwhile: then that is its result. */
    async skip(reason: string): Promise<void> {
        if (!(await this.guard(async () => void (await this.checkpoint())))) return;
        this.stop("skipped", reason);
        this.stage = "done";
        this.ctx.status("skipped");
        await this.ctx.event(`skipped: ${reason}`, { phase: "outcome", result: "skipped" });
    }

    /** Reads the region and stops if the upgrade was rolled back or someone moved traffic since this run did. */
    private async checkpoint(): Promise<RegionState> {
        if (this.invocation.signal.aborted) throw new RegionStop("failed", "cancelled (SIGINT/SIGTERM): the running operation was stopped cleanly");
        const state = await readRegion(this.ctx);
        const record = state.record;
        const replacing = this.retryOf !== undefined && record?.attempt === this.retryOf;
        if (record?.state === "rolled_back" && !replacing) throw new RegionStop("rolled_back", `${record.reason ?? "rolled back by someone else"}; this run moved no traffic after it`);
        if (record?.state === "discarding") throw new RegionStop("failed", `${record.newColor} is being discarded by another run`);
        if (this.expectedWeight !== undefined) {
            const weights = await loadBalancerWeights(this.ctx, state.outputs);
            if (weights[this.fresh] !== this.expectedWeight) {
                throw new RegionStop("rolled_back", `traffic was moved outside this run (load balancer: ${formatWeights(weights)}, expected ${this.fresh} ${this.expectedWeight}%); this run moved no traffic after it`);
            }
        }
        return state;
    }

    // ------------------------------------------------------------ bring-up

    /** The new color's cluster exists at the target version, registered, with its apps Synced and Healthy. */
    async bringUp(): Promise<void> {
        this.enter("bring-up", `bringing up ${this.fresh}`);
        let state = await this.checkpoint();
        if (this.retryOf) {
            // A rollback that was interrupted may have left its cron move unfinished: finish it first.
            await moveCron(this.ctx, { to: this.old, jobsTimeoutMs: this.options.jobsTimeoutMs, checkpoint: () => this.checkpoint() });
        }
        const stack = clusterStack(this.options.env, this.region, this.fresh);
        let cluster = state.view.clusters[this.fresh];
        if (cluster && cluster.version !== this.options.to) {
            const weight = (await loadBalancerWeights(this.ctx, state.outputs))[this.fresh];
            if (weight !== 0 || state.owner === this.fresh) throw new RegionStop("failed", `${this.fresh} at ${cluster.version} carries ${weight}% or the cron jobs: refusing to replace it`);
            await this.ctx.event(`a ${this.fresh} cluster at ${cluster.version} is left over from an earlier attempt: tearing it down first`, { phase: "bring-up" });
            await tearDown(this.ctx, this.fresh);
            state = await this.checkpoint();
            cluster = undefined;
        }
        if (!cluster) {
            this.ctx.status(`creating ${this.fresh}`);
            await this.ctx.event(`create ${this.fresh} stack`, { phase: "bring-up", detail: { stack, version: this.options.to } });
            await this.ports.engine.createStack(stack, newClusterConfig(state.view.clusters[this.old]!.config, this.options.to), { signal: this.invocation.signal });
            state = await this.checkpoint();
            cluster = state.view.clusters[this.fresh]!;
        }
        const outputs = cluster.outputs;
        if (!outputs || outputs.kubernetesVersion !== this.options.to || outputs.cron !== false || outputs.argocdRegistered !== true) {
            this.ctx.status(`deploying ${this.fresh} (Kubernetes ${this.options.to})`);
            await this.ctx.event(`deploy ${this.fresh} cluster (Kubernetes ${this.options.to})`, { phase: "bring-up" });
            await writeCluster(this.ctx, this.fresh, { kubernetesVersion: this.options.to, cron: false, argocdRegistered: true });
            await this.ctx.event(`${this.fresh} cluster is up`, { phase: "bring-up" });
            state = await this.checkpoint();
        }
        if (state.outputs.weights[this.fresh] === 0) await this.waitForArgo();
    }

    private async waitForArgo(): Promise<void> {
        this.enter("bring-up", "waiting for Argo CD");
        const deadline = this.ports.clock.now() + this.options.argoTimeoutMs;
        for (;;) {
            const cluster = clusterRef(this.ctx, (await this.checkpoint()).view, this.fresh);
            const health = await this.ports.argo.applications(this.options.env, cluster);
            if (health.total > 0 && health.notReady.length === 0) {
                await this.ctx.event(`Argo CD: ${count(health.total, "app")} on ${cluster.clusterName} Synced and Healthy`, { phase: "argo" });
                return;
            }
            if (this.ports.clock.now() >= deadline) {
                const waiting = health.notReady.map((a) => `${a.name} ${a.sync}/${a.health}`).join(", ") || "no applications target the cluster";
                throw new RegionStop("failed", `Argo CD apps on ${cluster.clusterName} not Synced and Healthy after ${Math.round(this.options.argoTimeoutMs / 60_000)}m: ${waiting}; no traffic was moved`);
            }
            await this.ports.clock.sleep(this.options.pollMs, this.invocation.signal);
        }
    }

    /** Waiting for the region's turn to move traffic. */
    queued(behind: string | null) {
        this.enter("queued", behind ? `queued behind ${behind}` : "queued");
    }

    // ------------------------------------------------------------ traffic

    /** Moves traffic step by step, each step gated; a failed gate puts everything back on the old color. */
    async shiftTraffic(): Promise<void> {
        this.enter("traffic", `shifting to ${this.fresh}`);
        let state = await this.checkpoint();
        this.expectedWeight = (await loadBalancerWeights(this.ctx, state.outputs))[this.fresh];
        const passed = state.record && state.record.attempt === this.attempt ? state.record.passed : undefined;
        for (const [index, step] of this.options.steps.entries()) {
            this.stepsLeft = this.options.steps.length - index;
            if (this.expectedWeight > step) continue;
            state = await this.checkpoint();
            if (this.expectedWeight < step) {
                const target = weightsFor(this.fresh, step);
                this.phaseStartedAt = this.ports.clock.now();
                this.ctx.status(`shifting: ${formatWeights(target)}`);
                await this.ctx.event(`set weights ${formatWeights(target)}`, { phase: "traffic", detail: { weights: target, weight: step } });
                // Named by target and start: reruns of the same history produce the same records (sim memoization).
                this.attempt ??= `${this.options.to}@${new Date(this.ports.clock.now()).toISOString()}`;
                const record = nextRecord(state.record, { newColor: this.fresh, attempt: this.attempt, ...(this.retryOf ? { retryOf: this.retryOf } : {}), state: "shifting" });
                await writeRegion(this.ctx, state, { weights: target, record });
                this.expectedWeight = step;
                const weights = await loadBalancerWeights(this.ctx, (await this.checkpoint()).outputs);
                await this.ctx.event(`load balancer confirms ${formatWeights(weights)}`, { phase: "traffic" });
            } else if (passed === step) {
                continue;
            }
            await this.gate(step);
            if (this.options.stopAt === step) await this.pause(step);
        }
        this.stepsLeft = 0;
    }

    private async gate(step: number): Promise<void> {
        const state = await this.checkpoint();
        const outputs = state.outputs;
        const colorOf = (role: "new" | "old") => (role === "new" ? this.fresh : this.old);
        // The step's clock started when its weights were set: the bake is part of the step.
        this.ctx.status(`baking ${this.fresh} ${step}%`);
        const io: AnalysisIo = {
            now: () => this.ports.clock.now(),
            sleep: (ms) => this.ports.clock.sleep(ms, this.invocation.signal),
            query: (role, from, to, latencyThresholdsMs) =>
                this.ports.metrics.colorMetrics({
                    region: this.region,
                    color: colorOf(role),
                    loadBalancer: outputs.loadBalancer.arnSuffix,
                    targetGroups: outputs.services.map((s) => ({ service: s.name, targetGroup: outputs.targetGroups[s.name][colorOf(role)].arnSuffix })),
                    from,
                    to,
                    latencyThresholdsMs,
                }),
            checkpoint: async () => void (await this.checkpoint()),
            onLook: (look: Look) =>
                this.ctx.event(`gate look ${look.look} at ${this.fresh} ${step}%: ${look.verdict}${look.measured ? `, ${count(look.measured.requests, "request")}, ${(look.measured.errorRate * 100).toFixed(2)}% errors, p99 ${look.measured.p99Ms === null ? "-" : Math.round(look.measured.p99Ms)} ms` : ""}`, {
                    phase: "gate",
                    detail: { weight: step, ...look, thresholds: outputs.gate },
                    quiet: look.verdict === "pass",
                }),
        };
        const analysis = await analyzeStep(io, { config: outputs.gate, bakeMs: this.options.bakeMs, intervalMs: this.options.analysisIntervalMs });
        const record: StepRecord = {
            weight: step,
            gate: analysis.verdict,
            checks: analysis.checks,
            measured: analysis.measured && { requests: analysis.measured.requests, errorRate: analysis.measured.errorRate, p99Ms: analysis.measured.p99Ms, unhealthyHosts: analysis.measured.unhealthyHosts },
            ...(analysis.findings.length > 0 ? { findings: analysis.findings.map((f) => f.message) } : analysis.reason && analysis.verdict !== "pass" ? { findings: [analysis.reason] } : {}),
        };
        this.result.steps.push(record);
        await this.ctx.event(`gate at ${this.fresh} ${step}%: ${analysis.verdict} after ${count(analysis.checks, "look")}${analysis.reason ? `: ${analysis.reason}` : ""}`, { phase: "gate", detail: { ...record } });
        if (analysis.verdict === "pass") return;
        const what = analysis.verdict === "fail" ? "gate failed" : `gate inconclusive for ${Math.round(Math.max(this.options.bakeMs / 60_000, outputs.gate.inconclusiveTimeoutMinutes))}m`;
        await this.rollBack(`${what} at ${this.fresh} ${step}%: ${analysis.reason}`);
    }

    /** Everything back on the old color (one region-stack update; the listener rules first with --fast-rollback). */
    private async rollBack(reason: string): Promise<never> {
        const onset = await this.ports.metrics.faultOnset?.(this.region);
        const rolled = await rollbackRegion(this.ctx, { reason, fast: this.options.fastRollback, jobsTimeoutMs: this.options.jobsTimeoutMs });
        this.expectedWeight = 0;
        if (onset !== undefined && rolled.trafficBackAt !== null) this.result.faultToRollbackMinutes = Math.round(((rolled.trafficBackAt - onset) / 60_000) * 10) / 10;
        throw new RegionStop("rolled_back", reason);
    }

    private async pause(step: number): Promise<never> {
        const state = await this.checkpoint();
        if (state.record && state.record.passed !== step) {
            await writeRegion(this.ctx, state, { record: nextRecord(state.record, { ...state.record, passed: step }) });
        }
        await this.ctx.event(`paused at ${this.fresh} ${step}% (--stop-at ${step}): its gate passed; the next upgrade goes on from here`, { phase: "traffic", result: "paused" });
        throw new RegionStop("paused", `paused at ${this.fresh} ${step}% after its gate passed (--stop-at); run upgrade again to go on`);
    }

    // ------------------------------------------------------------ cron cut-over, hold, teardown

    /** The cron jobs belong to the new color and run there only: the cut-over is done. */
    private cronSettled(state: RegionState): boolean {
        return state.owner === this.fresh && state.view.clusters[this.fresh]?.outputs?.cron === true && state.view.clusters[this.old]?.outputs?.cron !== true;
    }

    /** Moves the cron jobs to the new color; the record becomes `retiring` with the change of owner. */
    async cutOver(): Promise<void> {
        this.enter("tail", "cron cut-over");
        const state = await this.checkpoint();
        if (state.record?.state !== "shifting" && this.cronSettled(state)) return;
        if (state.record?.state === "shifting" && state.outputs.weights[this.fresh] !== 100) {
            throw new RegionStop("failed", `${this.fresh} carries ${state.outputs.weights[this.fresh]}%, not 100%: no cut-over`);
        }
        try {
            await moveCron(this.ctx, {
                to: this.fresh,
                jobsTimeoutMs: this.options.jobsTimeoutMs,
                checkpoint: () => this.checkpoint(),
                // The hold starts when the cron jobs change owner.
                record: (s) =>
                    s.record?.state === "shifting"
                        ? nextRecord(s.record, { state: "retiring", holdUntil: new Date(this.ports.clock.now() + this.options.holdMs).toISOString(), ...(this.options.destroy ? {} : { keep: true }) })
                        : undefined,
            });
        } catch (error) {
            if (error instanceof JobsStillRunningError) throw new RegionStop("failed", error.message);
            throw error;
        }
    }

    /** Holds, then removes the old cluster (unless `--no-destroy`). */
    async retireOld(): Promise<void> {
        let state = await this.checkpoint();
        const record = state.record;
        if (!record) return;
        if (record.state === "retiring") {
            if (!this.options.destroy) {
                if (!record.keep) await writeRegion(this.ctx, state, { record: nextRecord(record, { ...record, keep: true }) });
                this.stop("completed", `${this.old} kept (--no-destroy): rollback stays possible; a later upgrade without --no-destroy removes it`);
                return;
            }
            const until = record.keep ? this.ports.clock.now() : Date.parse(record.holdUntil ?? "") || this.ports.clock.now();
            if (this.ports.clock.now() < until) {
                this.enter("tail", `holding until ${new Date(until).toISOString().slice(11, 16)} before tearing ${this.old} down`);
                await this.ctx.event(`hold until ${new Date(until).toISOString().slice(11, 16)} UTC, then tear ${this.old} down; rollback stays possible until then`, { phase: "hold" });
                while (this.ports.clock.now() < until) {
                    await this.ports.clock.sleep(Math.min(this.options.pollMs, until - this.ports.clock.now()), this.invocation.signal);
                    state = await this.checkpoint();
                }
            }
            const weights = await loadBalancerWeights(this.ctx, state.outputs);
            if (weights[this.old] !== 0) throw new RegionStop("failed", `refusing to tear down ${this.old}: it carries ${weights[this.old]}% of the traffic`);
            if (state.owner === this.old) throw new RegionStop("failed", `refusing to tear down ${this.old}: it owns the cron jobs`);
            await this.ctx.event(`tear ${this.old} down: from here there is nothing to roll back to`, { phase: "teardown" });
            await writeRegion(this.ctx, state, { record: nextRecord(state.record, { state: "tearing-down" }) });
            state = await this.checkpoint();
        }
        if (state.record?.state === "tearing-down") {
            await tearDown(this.ctx, this.old);
            await writeRegion(this.ctx, await readRegion(this.ctx), { record: null });
        }
    }

    /** Marks the region done. */
    async complete(): Promise<void> {
        if (this.result.result !== "completed") this.stop("completed", null);
        this.stage = "done";
        this.ctx.status("done");
        await this.ctx.event(`completed: ${this.fresh} serves Kubernetes ${this.options.to}`, { phase: "outcome", result: "completed" });
    }
}
