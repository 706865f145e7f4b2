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
import { analyzeStep } from "../gate/analysis";
import { Measured } from "../gate/checks";
import { RunLog } from "../record/runLog";
import { moveCron } from "./cron";
import { RetiringRegion, cronSettled, cutOver, retireOld } from "./retire";
import { RegionStage, RegionStop } from "./regionStop";
import { gateIo } from "./gateIo";
import { RegionChangedError, RegionContext, RegionState, clusterRef, loadBalancerWeights, readRegion, regionContext, writeCluster, writeRegion } from "./regionState";
import { rollbackRegion } from "./rollback";
import { rolledBackElsewhere, tearDown } from "./teardown";
import { RegionResult, StepRecord, UpgradeOptions, summary } from "./types";
import { WaveCoordinator, WaveReport, waveGate } from "./waves";
import { count, resultName } from "../core/wording";

const KEY = (key: string) => `mitene:${key}`;

/** The configuration of the new color's stack: the serving color's, at the new version, without cron. */
export function newClusterConfig(serving: StackConfig, version: string): StackConfig {
    // The new cluster serves from its own cut-over on: the old one's servingSince is not its.
    const { [KEY("servingSince")]: _since, ...rest } = serving;
    return { ...rest, [KEY("kubernetesVersion")]: version, [KEY("cron")]: false, [KEY("argocdRegistered")]: true };
}

export type RegionPlan = "traffic" | "tail" | "done";


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
    /** When this run's 100% step began to be judged, and what it measured: the start of the wave bake. */
    private atFull: { since: number; measured: Measured | null } | undefined;
    /** Whether the last stop was the run's doing rather than this region's own news. */
    directed = false;

    constructor(
        private readonly ports: DriverPorts,
        private readonly invocation: Invocation,
        log: RunLog,
        private readonly options: UpgradeOptions,
        readonly region: string,
        /** Its wave in the rollout plan (0: the canary). */
        readonly wave: number,
        private readonly waves: WaveCoordinator,
    ) {
        this.result = { region, wave, from: null, to: null, result: "nothing_to_do", reason: null, steps: [] };
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
                if (record.state === "retiring" && record.keep && cronSettled(state, this.old, this.fresh)) {
                    const split = this.options.destroy ? await rolledBackElsewhere(this.ports, this.options.env, this.region, this.options.to) : [];
                    if (!this.options.destroy || split.length > 0) {
                        this.stop("nothing_to_do", split.length > 0 ? `${this.old} kept while ${split.join(", ")} of this upgrade ${split.length === 1 ? "is" : "are"} rolled back` : `${this.old} kept (--no-destroy): an upgrade without --no-destroy tears it down`);
                        this.stage = "done";
                        return "done";
                    }
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
            this.directed = stop.directed;
            this.stage = "done";
            this.ctx.status(stop.outcome === "paused" ? `paused at ${this.fresh} ${this.expectedWeight}%` : resultName(stop.outcome));
            if (stop.outcome !== "paused") {
                const detail = stop === error || error instanceof RegionChangedError ? undefined : { error: (error as Error).stack ?? String(error) };
                await this.ctx.event(`${resultName(stop.outcome)}: ${stop.reason}`, { result: stop.outcome, detail, phase: "outcome" });
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

    /**
     * Reads the region and stops if the upgrade was rolled back or someone moved traffic since this run did; then,
     * with `directives`, does what the run says: stop at the switch, or act on the wave's news. The cron moves
     * read without them: one runs to its end once begun (jobs are never left off).
     */
    private async checkpoint(directives = true): Promise<RegionState> {
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
        if (directives) await this.follow(state);
        return state;
    }

    /** The run's word before the next step: stop at the switch, or roll back with the wave (there must be something to roll back). */
    private async follow(state: RegionState): Promise<void> {
        const directive = await this.waves.directive(this.wave, this.stage === "tail");
        if (!directive) return;
        const moved = state.outputs.weights[this.fresh] > 0 || state.record?.state === "retiring";
        if (directive.kind === "rollback" && moved) await this.rollBack(directive.reason, true);
        throw new RegionStop("halted", directive.reason, true);
    }

    // ------------------------------------------------------------ bring-up

    /** The new color's cluster exists at the target version, registered, with its apps Synced and Healthy. */
    async bringUp(): Promise<void> {
        this.enter("bring-up", `bringing up ${this.fresh}`);
        let state = await this.checkpoint();
        if (this.retryOf) {
            // A rollback that was interrupted may have left its cron move unfinished: finish it first.
            await moveCron(this.ctx, { to: this.old, jobsTimeoutMs: this.options.jobsTimeoutMs, checkpoint: () => this.checkpoint(false) });
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

    /** Waiting for the region's wave to start, behind the one before. */
    async queued(before: string[]): Promise<void> {
        this.enter("queued", `waiting for wave ${this.wave} (after ${before.join(", ")})`);
        await this.ctx.event(`waits for wave ${this.wave - 1} (${before.join(", ")}) to serve 100% for ${waveGate(this.options.rollout)}`, {
            phase: "wave",
            detail: { kind: "wait", wave: this.wave },
        });
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
        // The step's clock started when its weights were set: the bake is part of the step.
        this.ctx.status(`baking ${this.fresh} ${step}%`);
        const since = this.ports.clock.now();
        const io = gateIo({ ctx: this.ctx, signal: this.invocation.signal, outputs, colors: { old: this.old, fresh: this.fresh }, weight: step, phase: "gate", checkpoint: async () => void (await this.checkpoint()) });
        const analysis = await analyzeStep(io, { config: outputs.gate, bakeMs: this.options.bakeMs, intervalMs: this.options.analysisIntervalMs });
        const record: StepRecord = {
            weight: step,
            gate: analysis.verdict,
            checks: analysis.checks,
            measured: analysis.measured && summary(analysis.measured),
            services: analysis.services && Object.fromEntries(Object.entries(analysis.services).map(([name, m]) => [name, summary(m)])),
            ...(analysis.findings.length > 0 ? { findings: analysis.findings.map((f) => f.message) } : analysis.reason && analysis.verdict !== "pass" ? { findings: [analysis.reason] } : {}),
        };
        this.result.steps.push(record);
        await this.ctx.event(`gate at ${this.fresh} ${step}%: ${analysis.verdict} after ${count(analysis.checks, "look")}${analysis.reason ? `: ${analysis.reason}` : ""}`, { phase: "gate", detail: { ...record } });
        if (analysis.verdict === "pass") {
            if (step === 100) this.atFull = { since, measured: analysis.measured };
            return;
        }
        const what = analysis.verdict === "fail" ? "gate failed" : `gate inconclusive for ${Math.round(Math.max(this.options.bakeMs / 60_000, outputs.gate.inconclusiveTimeoutMinutes))}m`;
        await this.rollBack(`${what} at ${this.fresh} ${step}%: ${analysis.reason}`);
    }

    /** Everything back on the old color (one region-stack update; the listener rules first with --fast-rollback). */
    private async rollBack(reason: string, directed = false): Promise<never> {
        // The wave hears it now, not once the rollback's own stack update is done (minutes on the real engine).
        if (!directed) this.waves.regionFailed(this.wave, this.region, "rolled_back", reason);
        const onset = await this.ports.metrics.faultOnset?.(this.region);
        const rolled = await rollbackRegion(this.ctx, { reason, fast: this.options.fastRollback, jobsTimeoutMs: this.options.jobsTimeoutMs });
        this.expectedWeight = 0;
        if (onset !== undefined && rolled.trafficBackAt !== null) this.result.faultToRollbackMinutes = Math.round(((rolled.trafficBackAt - onset) / 60_000) * 10) / 10;
        throw new RegionStop("rolled_back", reason, directed);
    }

    /**
     * Before the next wave starts: the new color stays at 100% under the gate until it has served it for the
     * wave bake and the wave's minimum of requests (the 100% step's own bake counts). A failed look rolls the
     * region back; too little traffic holds the next wave back, never lets it start.
     */
    async waveBake(): Promise<WaveReport> {
        const plan = this.options.rollout;
        const next = this.wave + 1;
        const since = this.atFull?.since ?? this.ports.clock.now();
        const served = this.atFull?.measured?.requests ?? 0;
        const ready = async (requests: number): Promise<WaveReport> => {
            const minutes = (this.ports.clock.now() - since) / 60_000;
            await this.ctx.event(`ready for wave ${next}: ${this.fresh} served 100% for ${Math.round(minutes)}m and ${requests} requests, its gate passing`, { phase: "wave", detail: { kind: "ready", wave: this.wave, minutes, requests } });
            return { kind: "ready", minutes, requests };
        };
        if (this.ports.clock.now() - since >= plan.waveBakeMs && served >= plan.waveMinRequests) return ready(served);
        this.enter("wave-bake", `wave bake at ${this.fresh} 100%`);
        await this.ctx.event(`wave bake: ${this.fresh} stays at 100% under the gate until it has served it for ${waveGate(plan)}, before wave ${next} may start`, { phase: "wave", detail: { kind: "bake", wave: this.wave } });
        const state = await this.checkpoint();
        const io = gateIo({ ctx: this.ctx, signal: this.invocation.signal, outputs: state.outputs, colors: { old: this.old, fresh: this.fresh }, weight: 100, phase: "wave", checkpoint: async () => void (await this.checkpoint()) });
        const analysis = await analyzeStep(io, { config: state.outputs.gate, bakeMs: plan.waveBakeMs, intervalMs: this.options.analysisIntervalMs, since, minRequests: plan.waveMinRequests });
        if (analysis.verdict === "pass") return ready(analysis.measured?.requests ?? 0);
        if (analysis.verdict === "fail") await this.rollBack(`gate failed at ${this.fresh} 100% during the wave bake: ${analysis.reason}`);
        const reason = `wave ${next} held back: ${this.region} ${analysis.reason} at 100% (--wave-min-requests ${plan.waveMinRequests})`;
        await this.ctx.event(reason, { phase: "wave", detail: { kind: "held", wave: this.wave, reason } });
        return { kind: "held", reason };
    }

    private async pause(step: number): Promise<never> {
        const state = await this.checkpoint();
        if (state.record && state.record.passed !== step) {
            await writeRegion(this.ctx, state, { record: nextRecord(state.record, { ...state.record, passed: step }) });
        }
        await this.ctx.event(`paused at ${this.fresh} ${step}% (--stop-at ${step}): its gate passed; the next upgrade goes on from here`, { phase: "traffic", result: "paused" });
        throw new RegionStop("paused", `paused at ${this.fresh} ${step}% after its gate passed (--stop-at); run upgrade again to go on`);
    }

    // ------------------------------------------------------------ cron cut-over, hold, teardown (retire.ts)

    private retiring(): RetiringRegion {
        return {
            ctx: this.ctx,
            options: this.options,
            signal: this.invocation.signal,
            old: this.old,
            fresh: this.fresh,
            checkpoint: (directives) => this.checkpoint(directives),
            enter: (stage, status) => this.enter(stage, status),
            stop: (outcome, reason) => this.stop(outcome, reason),
        };
    }

    /** Moves the cron jobs to the new color; the record becomes `retiring` with the change of owner. */
    cutOver(): Promise<void> {
        return cutOver(this.retiring());
    }

    /** Holds, then removes the old cluster (unless `--no-destroy`, or another region of the upgrade is rolled back). */
    retireOld(): Promise<void> {
        return retireOld(this.retiring());
    }

    /** Marks the region done. */
    async complete(): Promise<void> {
        if (this.result.result !== "completed") this.stop("completed", null);
        this.stage = "done";
        this.ctx.status("done");
        await this.ctx.event(`completed: ${this.fresh} serves Kubernetes ${this.options.to}`, { phase: "outcome", result: "completed" });
    }
}
