/**
 * The ports a command runs with, and who is running it.
 */
import {
    ArgoHealth,
    CallerIdentity,
    Clock,
    ClusterJobs,
    EnvControl,
    Journal,
    LeaseStore,
    LoadBalancerWeights,
    MetricsSource,
    StackEngine,
    SubnetInspector,
    UpgradeInsights,
} from "./ports";
import { ProgressView } from "../record/progress";
import { Scenario } from "../scenario/scenario";

export interface DriverPorts {
    engine: StackEngine;
    clock: Clock;
    metrics: MetricsSource;
    argo: ArgoHealth;
    jobs: ClusterJobs;
    loadBalancer: LoadBalancerWeights;
    subnets: SubnetInspector;
    insights: UpgradeInsights;
    /** Whose AWS credentials these are: preflight refuses an env whose account they are not. */
    identity: CallerIdentity;
    lease: LeaseStore;
    /** The stop-the-line switch and the latest rollout plan, held outside the lease. */
    control: EnvControl;
    journal: Journal;
    /** Operation durations: the scenario's on the sim, typical AWS figures for real (time-left estimates). */
    durations: Scenario;
    /** Which engine these are, for messages and `durationMinutes`. */
    kind: "sim" | "local" | "pulumi";
    /** Stack files of the repository the stacks were created from. */
    stacksDir: string;
    /** Called once the command is done (the sim saves its virtual time for the next run). */
    close?: () => Promise<void>;
}

export interface Invocation {
    /** Identifies this run in the journal and the lease. */
    runId: string;
    host: string;
    pid: number;
    /** The command line, for the lease holder's description. */
    command: string;
    /** Cancelled on SIGINT/SIGTERM. */
    signal: AbortSignal;
    /** Human progress (stderr): live on a terminal, one line per event elsewhere. */
    view: ProgressView;
    /** Warnings a person must see (stderr), also with --json. */
    warn: (line: string) => void;
}
