/**
 * The sim's AWS and Kubernetes: load-balancer weights read from the listener rules the region program
 * produced, metrics and Argo CD health from the scenario, jobs and free IPs from the scenario too.
 */
import { Color, COLORS, regionStack } from "../../components/naming";
import { Weights } from "../../components/weights";
import {
    AppsHealth,
    ArgoHealth,
    ClusterJobs,
    ClusterRef,
    Clock,
    ColorMetrics,
    LoadBalancerWeights,
    MetricsQuery,
    MetricsSource,
    MetricsUnavailableError,
    RuleRef,
    SubnetCapacity,
    SubnetInspector,
    UpgradeInsights,
    ClusterInsight,
} from "../ports";
import { clusterStack, opsStack } from "../../components/naming";
import { SimEngine } from "./engine";
import { Scenario, activeFaults } from "./scenario";
import { SimStore } from "./store";

const MINUTE = 60_000;
const RULE_TYPE = "aws:lb/listenerRule:ListenerRule";

interface ForwardTarget {
    arn: string;
    weight: number;
}

/** Weights set directly on the load balancer (emergency path), until the region stack is updated again. */
interface WeightOverride {
    weights: Weights;
    /** The region stack's outputs.weights when the override was written; an update since supersedes it. */
    stackWeights: Weights | null;
}

export class SimLoadBalancer implements LoadBalancerWeights {
    /** API calls a real load balancer would have received, for the benchmark. */
    calls = 0;

    constructor(private readonly store: SimStore, private readonly engine: SimEngine, private readonly env: string) {}

    private overridePath = (region: string) => `loadbalancer/${this.env}-${region}.json`;

    async read(region: string, rules: RuleRef[]): Promise<Record<string, Weights>> {
        this.calls++;
        return this.forwarding(region, rules);
    }

    /** What the rules forward with now, without counting an API call (the sim's traffic model reads it). */
    forwarding(region: string, rules: RuleRef[]): Record<string, Weights> {
        const stack = regionStack(this.env, region);
        const override = this.store.readJson<WeightOverride>(this.overridePath(region));
        const stackWeights = (this.engine.deployedOutputs(stack)?.weights as Weights | undefined) ?? null;
        const resources = this.engine.resources(stack).filter((r) => r.type === RULE_TYPE);
        const result: Record<string, Weights> = {};
        for (const rule of rules) {
            if (override && JSON.stringify(override.stackWeights) === JSON.stringify(stackWeights)) {
                result[rule.service] = override.weights;
                continue;
            }
            const resource = resources.find((r) => (r.inputs.tags as Record<string, string> | undefined)?.["mitene.io/service"] === rule.service);
            if (!resource) throw new Error(`region ${region}: no listener rule for service ${rule.service}`);
            const actions = resource.inputs.actions as { forward?: { targetGroups: ForwardTarget[] } }[];
            const targets = actions.flatMap((a) => a.forward?.targetGroups ?? []);
            result[rule.service] = Object.fromEntries(
                COLORS.map((color) => [color, targets.find((t) => t.arn === rule.targetGroupArns[color])?.weight ?? 0]),
            ) as Weights;
        }
        return result;
    }

    async write(region: string, rules: RuleRef[], weights: Weights): Promise<void> {
        this.calls += rules.length;
        const stackWeights = (this.engine.deployedOutputs(regionStack(this.env, region))?.weights as Weights | undefined) ?? null;
        this.store.writeJson(this.overridePath(region), { weights, stackWeights } satisfies WeightOverride);
    }
}

/** Metrics from the scenario: the region's traffic split by the weights the load balancer forwards with. */
export class SimMetrics implements MetricsSource {
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
export class SimArgo implements ArgoHealth {
    constructor(private readonly scenario: Scenario, private readonly engine: SimEngine, private readonly clock: Clock) {}

    async applications(env: string, cluster: ClusterRef): Promise<AppsHealth> {
        const record = this.engine.record(clusterStack(env, cluster.region, cluster.color));
        const upAt = record?.outputChangedAt.endpoint;
        const registered = record?.outputs?.argocdRegistered === true;
        const ready = this.scenario.argo.healthy && registered && upAt !== undefined && this.clock.now() >= upAt + this.scenario.argo.syncMinutes * MINUTE;
        return report(["api", "web", "sidekiq"].map((app) => `${app}-${cluster.clusterName}`), registered, ready);
    }

    /** The Ops cluster's own apps settle `argo.syncMinutes` after its last change (its nodes rolled). */
    async opsApplications(env: string): Promise<AppsHealth> {
        const record = this.engine.record(opsStack(env));
        const changedAt = Math.max(0, ...Object.values(record?.outputChangedAt ?? {}));
        const ready = this.scenario.argo.healthy && record?.deployed === true && this.clock.now() >= changedAt + this.scenario.argo.syncMinutes * MINUTE;
        return report(["app-of-apps", "argocd-applicationsets"], record?.deployed === true, ready);
    }
}

function report(apps: string[], registered: boolean, ready: boolean): AppsHealth {
    return {
        total: registered ? apps.length : 0,
        notReady: ready ? [] : apps.map((name) => ({ name, sync: registered ? "OutOfSync" : "Unknown", health: "Progressing" })),
    };
}

/** Cron jobs keep running while a cluster's cron label is on, and for `runningJobsMinutes` after it goes off. */
export class SimJobs implements ClusterJobs {
    constructor(private readonly scenario: Scenario, private readonly engine: SimEngine, private readonly clock: Clock, private readonly env: string) {}

    async runningCronJobs(cluster: ClusterRef): Promise<string[]> {
        const record = this.engine.record(clusterStack(this.env, cluster.region, cluster.color));
        if (!record?.outputs) return [];
        const offSince = record.outputs.cron === false ? record.outputChangedAt.cron ?? 0 : undefined;
        const running = offSince === undefined || this.clock.now() < offSince + this.scenario.runningJobsMinutes * MINUTE;
        return running ? ["batch/photo-digest-nightly"] : [];
    }
}

export class SimSubnets implements SubnetInspector {
    constructor(private readonly scenario: Scenario) {}

    async freeIps(_region: string, subnetIds: string[]): Promise<SubnetCapacity[]> {
        return subnetIds.map((subnetId, i) => ({ subnetId, availabilityZone: `az-${i + 1}`, freeIps: this.scenario.freeIpsPerSubnet }));
    }
}

/** The sim has no EKS insights to report. */
export class SimInsights implements UpgradeInsights {
    async insights(): Promise<ClusterInsight[]> {
        return [];
    }
}
