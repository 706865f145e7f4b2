/**
 * Everything the driver touches goes through these ports. Each has a real implementation (automation/real/,
 * AWS and Kubernetes) and a simulated one (automation/sim/), so the same driver code runs a production
 * upgrade and a rehearsal on a laptop.
 */
import { Color } from "../../components/naming";
import { Weights } from "../../components/weights";
import { EXIT } from "./errors";

// ---------------------------------------------------------------- stacks

/** A stack's configuration: fully qualified keys (`mitene:weights`), structured values as in the stack file. */
export type StackConfig = Record<string, unknown>;

export interface PendingOperation {
    /** What was in flight, e.g. "creating aws:eks/cluster:Cluster" or "up". */
    description: string;
    /** Resource URN when known. */
    urn?: string;
}

export interface StackState {
    name: string;
    config: StackConfig;
    /** Outputs of the last successful update; null when the stack has never been deployed or was destroyed. */
    outputs: Record<string, unknown> | null;
    /** Resources currently in the stack's state. */
    resourceCount: number;
    /** Operations an interrupted update left behind. */
    pendingOperations: PendingOperation[];
    /**
     * Another live process is updating the stack right now (who, for messages). Its operations in flight are
     * not an interruption: they are not in `pendingOperations`, and nothing may resolve them.
     */
    busy?: string;
}

export interface ConfigChanges {
    /** Keys to set (fully qualified) and their values. */
    set?: StackConfig;
    /** Keys to remove. */
    remove?: string[];
}

export interface OperationOptions {
    /** Cancels the operation cleanly (the engine stops the update, never kills it). */
    signal?: AbortSignal;
    /** Progress lines from the engine. */
    onOutput?: (line: string) => void;
    /**
     * Evaluated once the engine holds the stack exclusively (after any wait for another process's update),
     * against the stack's current state; a reason stops the operation with PreconditionFailedError before
     * anything (config included) is changed.
     */
    precondition?: (state: StackState) => string | undefined;
}

export interface UpResult {
    outputs: Record<string, unknown>;
    /** Resources created, updated, deleted, replaced. */
    changes: Record<string, number>;
}

/** Raised when another update holds the stack (Pulumi's ConcurrentUpdateError). */
export class StackBusyError extends Error {
    /** Another live run holds the stack (a Pulumi lock, the sim's marker): like a held lease, nothing was changed. */
    readonly exitCode = EXIT.leaseHeld;

    constructor(readonly stack: string, detail = "another update is in progress") {
        super(`stack ${stack}: ${detail}`);
        this.name = "StackBusyError";
    }
}

/** An operation's precondition did not hold on the stack's current state: nothing was changed. */
export class PreconditionFailedError extends Error {
    // Not `stack`: that would hide the error's stack trace.
    constructor(readonly stackName: string, readonly reason: string) {
        super(`stack ${stackName}: ${reason}`);
        this.name = "PreconditionFailedError";
    }
}

/** The stack engine: Pulumi's Automation API for real, the mock runtime over a state directory in the sim. */
export interface StackEngine {
    /** Names of the project's stacks that exist, sorted. */
    listStacks(): Promise<string[]>;
    /** undefined when the stack does not exist. */
    getStack(name: string): Promise<StackState | undefined>;
    /** Creates a stack with this configuration (on the real engine this writes its stack file). */
    createStack(name: string, config: StackConfig, opts?: OperationOptions): Promise<void>;
    /** Applies the config changes, then deploys. */
    up(name: string, changes?: ConfigChanges, opts?: OperationOptions): Promise<UpResult>;
    /** Destroys every resource of the stack; the stack itself remains. */
    destroy(name: string, opts?: OperationOptions): Promise<void>;
    /** Removes an empty stack (and its stack file). */
    removeStack(name: string, opts?: OperationOptions): Promise<void>;
    /** Clears operations an interrupted update left behind, after which the stack can be updated again. */
    resolvePendingOperations(name: string): Promise<void>;
    /** Where a stack's state lives, for messages naming it (a file of the sim state, a backend URL). */
    locationOf?(name: string): string;
    /** After --break-lease: operations left by that holder count as interrupted, not as another live update. */
    presumeDead?(holder: { pid: number; host: string }): void;
}

// ---------------------------------------------------------------- time

/** Time as the driver sees it: virtual in the sim (no real sleeping), the wall clock for real. */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Resolves after `ms`; rejects with the signal's reason when aborted. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** Runs tasks concurrently and waits for all; rejects with the first error once all have settled. */
    parallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]>;
    /** A one-shot gate one task opens and others wait on (the only way tasks may wait for each other). */
    latch(): Latch;
    readonly virtual: boolean;
}

export interface Latch {
    open(): void;
    wait(): Promise<void>;
}

// ---------------------------------------------------------------- load balancer

export interface RuleRef {
    service: string;
    ruleArn: string;
    /** Target group ARN per color, to name the colors in a rule's forward action. */
    targetGroupArns: Record<Color, string>;
}

/** Reads (and, in an emergency, writes) listener-rule weights on the load balancer itself. */
export interface LoadBalancerWeights {
    /** The weights each rule forwards with, per service. */
    read(region: string, rules: RuleRef[]): Promise<Record<string, Weights>>;
    /** Sets the weights directly, bypassing the stack (emergency rollback); the stack is reconciled after. */
    write(region: string, rules: RuleRef[], weights: Weights): Promise<void>;
}

// ---------------------------------------------------------------- metrics

export interface TargetGroupDimension {
    service: string;
    /** `targetgroup/<name>/<id>` */
    targetGroup: string;
}

export interface MetricsQuery {
    region: string;
    color: Color;
    /** `app/<name>/<id>` */
    loadBalancer: string;
    targetGroups: TargetGroupDimension[];
    /** Window, milliseconds since the epoch. */
    from: number;
    to: number;
    /** Latencies (ms) for which to count the requests that took longer (ColorMetrics.slowRequests). */
    latencyThresholdsMs?: number[];
}

/** One window's figures of one or more target groups. */
export interface TrafficFigures {
    requests: number;
    /** Target 5xx responses. */
    errors: number;
    /** p99 target response time in ms over the window; null without traffic. */
    p99Ms: number | null;
    /** Highest count of unhealthy targets seen in the window. */
    unhealthyHosts: number;
    /** Per latency threshold asked for (ms, as a string key): requests that took longer. */
    slowRequests?: Record<string, number>;
}

/** A color's figures: all its target groups together, and each service's target group on its own. */
export interface ColorMetrics extends TrafficFigures {
    /** Per service (the query's target groups, in its order). */
    services: Record<string, TrafficFigures>;
}

export interface LoadBalancerQuery {
    region: string;
    /** `app/<name>/<id>` */
    loadBalancer: string;
    from: number;
    to: number;
}

/**
 * What the load balancer did as a whole over a window. Its own 5xx (an empty or failing target group, a
 * target it could not connect to) are published per load balancer only, never per target group: the gate
 * attributes them (gate/attribution.ts).
 */
export interface LoadBalancerFigures {
    /** Requests it handed to a target, every target group of both colors. */
    requests: number;
    /** 5xx it answered itself (HTTPCode_ELB_5XX_Count). */
    errors: number;
}

export class MetricsUnavailableError extends Error {
    constructor(readonly detail: string) {
        super(`metrics unavailable: ${detail}`);
        this.name = "MetricsUnavailableError";
    }
}

/** CloudWatch for real; the scenario file in the sim. Throws MetricsUnavailableError when it cannot answer. */
export interface MetricsSource {
    colorMetrics(query: MetricsQuery): Promise<ColorMetrics>;
    loadBalancerMetrics(query: LoadBalancerQuery): Promise<LoadBalancerFigures>;
    /** Simulations only: when the new color's fault began in a region (ms since the epoch), for faultToRollbackMinutes. */
    faultOnset?(region: string): Promise<number | undefined>;
}

// ---------------------------------------------------------------- Argo CD and jobs

export interface ClusterRef {
    region: string;
    color: Color;
    /** EKS cluster name (also its Argo CD cluster name). */
    clusterName: string;
    endpoint: string;
}

export interface AppsHealth {
    /** Applications targeting the cluster. */
    total: number;
    /** Names with sync and health, for those not yet Synced and Healthy. */
    notReady: { name: string; sync: string; health: string }[];
}

/** Argo CD on the Ops cluster: the health of the Applications deployed onto one service cluster. */
export interface ArgoHealth {
    applications(env: string, cluster: ClusterRef): Promise<AppsHealth>;
    /** Applications Argo CD deploys into the Ops cluster itself: its own health after an in-place upgrade. */
    opsApplications(env: string, opsCluster: ClusterRef): Promise<AppsHealth>;
}

/** Jobs in a service cluster. */
export interface ClusterJobs {
    /** Names (namespace/name) of Jobs created by CronJobs that are still running. */
    runningCronJobs(cluster: ClusterRef): Promise<string[]>;
}

// ---------------------------------------------------------------- capacity, insights

export interface SubnetCapacity {
    subnetId: string;
    availabilityZone: string;
    freeIps: number;
}

/** EC2 DescribeSubnets for real; the scenario's freeIpsPerSubnet in the sim. */
export interface SubnetInspector {
    freeIps(region: string, subnetIds: string[]): Promise<SubnetCapacity[]>;
}

export interface ClusterInsight {
    id: string;
    name: string;
    status: "PASSING" | "WARNING" | "ERROR" | "UNKNOWN";
    reason: string;
    /** What EKS recommends doing (DescribeInsight), when it says. */
    recommendation?: string;
    /** Deprecated APIs still in use (DescribeInsight's deprecationDetails). */
    deprecations?: { usage: string; replacedWith?: string; stopServingVersion?: string }[];
}

/** EKS upgrade insights (ListInsights, DescribeInsight); on sim and local, the scenario's `insights`. */
export interface UpgradeInsights {
    /** `stack` names the cluster's stack too: a rehearsal's scenario may name a cluster either way. */
    insights(region: string, clusterName: string, targetVersion: string, stack?: string): Promise<ClusterInsight[]>;
}

// ---------------------------------------------------------------- identity

export interface CallerAccount {
    accountId: string;
    /** The caller's ARN (the role or user), for messages. */
    arn: string;
}

/** Whose AWS credentials the driver runs with: STS GetCallerIdentity for real, the scenario's in the sim. */
export interface CallerIdentity {
    account(region: string): Promise<CallerAccount>;
}

// ---------------------------------------------------------------- lease and journal

export interface LeaseHolder {
    runId: string;
    command: string;
    host: string;
    pid: number;
    /** ISO time. */
    startedAt: string;
    /** Regions the run works on (a rollback of one it has not reached yet is recorded for it). */
    regions?: string[];
    /** An upgrade's target version: a region serving it was finished by that run, not left for it. */
    to?: string;
}

export interface Lease {
    env: string;
    holder: LeaseHolder;
    /** ISO time after which a holder that stopped renewing is presumed dead. */
    expiresAt: string;
}

export type AcquireResult = { acquired: true; tookOverFrom?: LeaseHolder } | { acquired: false; heldBy: LeaseHolder };

/** One upgrade per env at a time. */
export interface LeaseStore {
    acquire(env: string, holder: LeaseHolder, options: { breakLease: boolean }): Promise<AcquireResult>;
    /** Extends the lease of a live holder. */
    renew(env: string, holder: LeaseHolder): Promise<void>;
    release(env: string, holder: LeaseHolder): Promise<void>;
    current(env: string): Promise<Lease | null>;
    /** Whether the lease's holder may still be running (false: provably gone, or its lease expired). */
    alive(lease: Lease): boolean;
}

// ---------------------------------------------------------------- stop the line, rollout plan

/** The stop-the-line switch, while it is on: who pulled it, when (ISO, the wall clock), and why. */
export interface Halt {
    by: string;
    at: string;
    reason: string;
}

/** The rollout plan of an env's latest upgrade (its waves, wave 0 the canary), for `status`. */
export interface RecordedRollout {
    runId: string;
    /** Target Kubernetes version. */
    to: string;
    /** ISO time the run started, on its clock. */
    at: string;
    waves: string[][];
}

/**
 * What an env's runs share outside the lease, so that anyone may write it while a run holds the lease: the
 * stop-the-line switch, which every running upgrade reads at each step, and the rollout plan of its latest
 * upgrade. A file of the sim state; an item of the lease table for real (and in the emulator on local).
 */
export interface EnvControl {
    halt(env: string): Promise<Halt | null>;
    /** Turns the switch on unless it is on already (the first halt stands); says which. */
    setHalt(env: string, halt: Halt): Promise<{ halt: Halt; already: boolean }>;
    /** Turns it off; the halt it lifted, or null when it was off. */
    clearHalt(env: string): Promise<Halt | null>;
    rollout(env: string): Promise<RecordedRollout | null>;
    setRollout(env: string, rollout: RecordedRollout): Promise<void>;
}

/** What part of a run an entry belongs to, for timelines and reports. */
export type JournalPhase = "start" | "preflight" | "bring-up" | "argo" | "traffic" | "gate" | "wave" | "halt" | "cut-over" | "hold" | "teardown" | "rollback" | "discard" | "ops" | "outcome" | "end";

export interface JournalEntry {
    /** ISO time on the run's clock: virtual on the sim and local engines, the wall clock on pulumi. */
    at: string;
    /** Minutes since the run started, on the same clock. */
    atMinutes?: number;
    runId: string;
    env: string;
    region?: string;
    event: string;
    phase: JournalPhase;
    result?: string;
    detail?: Record<string, unknown>;
}

/** Append-only record of what every run did. */
export interface Journal {
    /** The file (or place) holding an env's journal, for `status` and results to point to. */
    locate(env: string): string;
    append(entry: JournalEntry): Promise<void>;
    read(env: string): Promise<JournalEntry[]>;
}
