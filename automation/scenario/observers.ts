/**
 * The AWS and Kubernetes of a rehearsal, driven by the scenario file: metrics split by the weights the load
 * balancer really forwards with, Argo CD health and running cron jobs timed from when a stack's outputs last
 * changed on the run's clock, free IPs from the scenario. Shared by the sim and the local engine, which keep
 * that history each in their own way.
 */
import { Color, clusterStack, opsStack, otherColor } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import {
    AppsHealth,
    ArgoHealth,
    ClusterInsight,
    ClusterJobs,
    ClusterRef,
    Clock,
    ColorMetrics,
    LoadBalancerFigures,
    LoadBalancerQuery,
    MetricsQuery,
    MetricsSource,
    MetricsUnavailableError,
    SubnetCapacity,
    SubnetInspector,
    UpgradeInsights,
} from "../core/ports";
import { Scenario, serviceShares } from "./scenario";
import { TrafficModel, WeightHistory } from "./traffic";

const MINUTE = 60_000;

/** A deployed stack's outputs and when (on the run's clock, ms) each output last changed. */
export interface DeployedStack {
    outputs: Record<string, unknown>;
    changedAt: Record<string, number>;
}

/** The engine's memory of its stacks, as the observers need it: undefined when not deployed. */
export type StackHistory = (stack: string) => Promise<DeployedStack | undefined>;

/** Metrics from the scenario's traffic model, over the weights the load balancer forwarded with at each moment. */
export class ScenarioMetrics implements MetricsSource {
    private readonly traffic: TrafficModel;

    constructor(
        private readonly scenario: Scenario,
        private readonly regionOutputs: (region: string) => RegionOutputs | undefined,
        private readonly historyOf: (region: string) => Promise<WeightHistory>,
        private readonly clock: Clock,
    ) {
        this.traffic = new TrafficModel(scenario);
    }

    async colorMetrics(query: MetricsQuery): Promise<ColorMetrics> {
        const history = await this.historyOf(query.region);
        if (history.length === 0) throw new Error(`region ${query.region} has no deployed weights`);
        const newColor = this.newColorOf(query.region) ?? query.color;
        const services = serviceShares(this.scenario, this.servicesOf(query.region, query.targetGroups.map((tg) => tg.service)));
        const measured = Object.fromEntries(query.targetGroups.map((tg) => [tg.service, services[tg.service]]));
        const result = this.traffic.window(history, { region: query.region, color: query.color, newColor, services: measured, from: query.from, to: query.to, thresholdsMs: query.latencyThresholdsMs ?? [] });
        if ("unavailable" in result) throw new MetricsUnavailableError(`sim scenario: metrics of ${query.region} are unavailable`);
        return result;
    }

    async loadBalancerMetrics(query: LoadBalancerQuery): Promise<LoadBalancerFigures> {
        const history = await this.historyOf(query.region);
        if (history.length === 0) throw new Error(`region ${query.region} has no deployed weights`);
        const newColor = this.newColorOf(query.region);
        if (!newColor) throw new Error(`region ${query.region} has no deployed outputs`);
        const services = serviceShares(this.scenario, this.servicesOf(query.region, []));
        const result = this.traffic.loadBalancerWindow(history, { region: query.region, newColor, services, from: query.from, to: query.to });
        if ("unavailable" in result) throw new MetricsUnavailableError(`sim scenario: metrics of ${query.region} are unavailable`);
        return result;
    }

    /** The region's services (each one's share of the requests is over all of them), else those asked for. */
    private servicesOf(region: string, asked: string[]): string[] {
        return this.regionOutputs(region)?.services.map((s) => s.name) ?? asked;
    }

    /** The color being brought in: the upgrade record's, else the one not running cron. */
    private newColorOf(region: string): Color | undefined {
        const outputs = this.regionOutputs(region);
        return outputs ? outputs.upgrade?.newColor ?? otherColor(outputs.cronColor) : undefined;
    }

    async faultOnset(region: string): Promise<number | undefined> {
        const newColor = this.newColorOf(region);
        const history = await this.historyOf(region);
        return newColor && history.length > 0 ? this.traffic.faultOnset(history, region, newColor, this.clock.now()) : undefined;
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

/** The scenario's insights for a cluster (named by its EKS name or its stack's, or `*` for all) and target. */
export class ScenarioInsights implements UpgradeInsights {
    constructor(private readonly scenario: Scenario) {}

    async insights(_region: string, clusterName: string, targetVersion: string, stack?: string): Promise<ClusterInsight[]> {
        return this.scenario.insights
            .filter((i) => (i.cluster === "*" || i.cluster === clusterName || i.cluster === stack) && (!i.kubernetesVersion || i.kubernetesVersion === targetVersion))
            .map((i, n) => ({ id: i.id ?? `scenario-${n + 1}`, name: i.name, status: i.status, reason: i.reason, ...(i.recommendation ? { recommendation: i.recommendation } : {}) }));
    }
}
