/**
 * The AWS and Kubernetes of a rehearsal, driven by the scenario file: metrics split by the weights the load
 * balancer really forwards with, Argo CD health and running cron jobs timed from when a stack's outputs last
 * changed on the run's clock, free IPs from the scenario. Shared by the sim and the local engine, which keep
 * that history each in their own way.
 */
import { Color } from "../../components/naming";
import { Weights } from "../../components/weights";
import { clusterStack, opsStack } from "../../components/naming";
import {
    AppsHealth,
    ArgoHealth,
    ClusterInsight,
    ClusterJobs,
    ClusterRef,
    Clock,
    ColorMetrics,
    MetricsQuery,
    MetricsSource,
    MetricsUnavailableError,
    SubnetCapacity,
    SubnetInspector,
    UpgradeInsights,
} from "../ports";
import { Scenario, activeFaults } from "./scenario";

const MINUTE = 60_000;

/** A deployed stack's outputs and when (on the run's clock, ms) each output last changed. */
export interface DeployedStack {
    outputs: Record<string, unknown>;
    changedAt: Record<string, number>;
}

/** The engine's memory of its stacks, as the observers need it: undefined when not deployed. */
export type StackHistory = (stack: string) => Promise<DeployedStack | undefined>;

/** Metrics from the scenario: the region's traffic split by the weights the load balancer forwards with. */
export class ScenarioMetrics implements MetricsSource {
    constructor(private readonly scenario: Scenario, private readonly newColorOf: (region: string) => Color | undefined, private readonly weightsOf: (region: string) => Promise<Weights>) {}

    async colorMetrics(query: MetricsQuery): Promise<ColorMetrics> {
        const weights = await this.weightsOf(query.region);
        const newColor = this.newColorOf(query.region) ?? query.color;
        const role = query.color === newColor ? "new" : "old";
        const faults = activeFaults(this.scenario, query.region, role, weights[newColor]);
        if (faults.some((f) => f.metricsUnavailable)) throw new MetricsUnavailableError(`sim scenario: metrics of ${query.region} are unavailable`);
        const fault = (key: "errorRate" | "p99Ms" | "unhealthyHosts") => faults.map((f) => f[key]).find((v) => v !== undefined);
        const minutes = (query.to - query.from) / MINUTE;
        const requests = Math.floor((this.scenario.baseline.requestsPerMinute * weights[query.color] * minutes) / 100);
        const rate = fault("errorRate") ?? this.scenario.baseline.errorRate;
        return {
            requests,
            errors: Math.round(requests * rate),
            p99Ms: requests > 0 ? fault("p99Ms") ?? this.scenario.baseline.p99Ms : null,
            unhealthyHosts: fault("unhealthyHosts") ?? 0,
        };
    }
}

/** Argo CD reports a cluster's apps Synced and Healthy `argo.syncMinutes` after the cluster came up. */
export class ScenarioArgo implements ArgoHealth {
    constructor(private readonly scenario: Scenario, private readonly history: StackHistory, private readonly clock: Clock) {}

    async applications(env: string, cluster: ClusterRef): Promise<AppsHealth> {
        const stack = await this.history(clusterStack(env, cluster.region, cluster.color));
        const upAt = stack?.changedAt.endpoint;
        const registered = stack?.outputs.argocdRegistered === true;
        const ready = this.scenario.argo.healthy && registered && upAt !== undefined && this.clock.now() >= upAt + this.scenario.argo.syncMinutes * MINUTE;
        return report(["api", "web", "sidekiq"].map((app) => `${app}-${cluster.clusterName}`), registered, ready);
    }

    /** The Ops cluster's own apps settle `argo.syncMinutes` after its last change (its nodes rolled). */
    async opsApplications(env: string): Promise<AppsHealth> {
        const stack = await this.history(opsStack(env));
        const changedAt = Math.max(0, ...Object.values(stack?.changedAt ?? {}));
        const ready = this.scenario.argo.healthy && stack !== undefined && this.clock.now() >= changedAt + this.scenario.argo.syncMinutes * MINUTE;
        return report(["app-of-apps", "argocd-applicationsets"], stack !== undefined, ready);
    }
}

function report(apps: string[], registered: boolean, ready: boolean): AppsHealth {
    return {
        total: registered ? apps.length : 0,
        notReady: ready ? [] : apps.map((name) => ({ name, sync: registered ? "OutOfSync" : "Unknown", health: "Progressing" })),
    };
}

/** Cron jobs keep running while a cluster's cron label is on, and for `runningJobsMinutes` after it goes off. */
export class ScenarioJobs implements ClusterJobs {
    constructor(private readonly scenario: Scenario, private readonly history: StackHistory, private readonly clock: Clock, private readonly env: string) {}

    async runningCronJobs(cluster: ClusterRef): Promise<string[]> {
        const stack = await this.history(clusterStack(this.env, cluster.region, cluster.color));
        if (!stack) return [];
        const offSince = stack.outputs.cron === false ? stack.changedAt.cron ?? 0 : undefined;
        const running = offSince === undefined || this.clock.now() < offSince + this.scenario.runningJobsMinutes * MINUTE;
        return running ? ["batch/photo-digest-nightly"] : [];
    }
}

export class ScenarioSubnets implements SubnetInspector {
    constructor(private readonly scenario: Scenario) {}

    async freeIps(_region: string, subnetIds: string[]): Promise<SubnetCapacity[]> {
        return subnetIds.map((subnetId, i) => ({ subnetId, availabilityZone: `az-${i + 1}`, freeIps: this.scenario.freeIpsPerSubnet }));
    }
}

/** A rehearsal has no EKS insights to report. */
export class NoInsights implements UpgradeInsights {
    async insights(): Promise<ClusterInsight[]> {
        return [];
    }
}
