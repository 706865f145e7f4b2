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
import { Scenario } from "./scenario";
import { TrafficModel, WeightChange, WeightHistory } from "./traffic";
import { SimStore } from "./store";

const MINUTE = 60_000;
const RULE_TYPE = "aws:lb/listenerRule:ListenerRule";

interface ForwardTarget {
    arn: string;
    weight: number;
}

/** Weights set directly on the load balancer (emergency path), until the region stack's weights change again. */
interface WeightOverride {
    weights: Weights;
    /** Virtual time of the write. */
    at: number;
}

export class SimLoadBalancer implements LoadBalancerWeights {
    /** API calls a real load balancer would have received, for the benchmark. */
    calls = 0;

    constructor(
        private readonly store: SimStore,
        private readonly engine: SimEngine,
        private readonly env: string,
        private readonly clock: Clock,
        private readonly scenario: Scenario,
    ) {}

    private overridePath = (region: string) => `loadbalancer/${this.env}-${region}.json`;

    async read(region: string, rules: RuleRef[]): Promise<Record<string, Weights>> {
        this.calls++;
        return this.forwarding(region, rules);
    }

    /** What the rules forward with now: the listener rules the region program produced, or a newer direct write. */
    forwarding(region: string, rules: RuleRef[]): Record<string, Weights> {
        const stack = regionStack(this.env, region);
        const override = this.currentOverride(region);
        const resources = this.engine.resources(stack).filter((r) => r.type === RULE_TYPE);
        const result: Record<string, Weights> = {};
        for (const rule of rules) {
            if (override) {
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

    /** The weights forwarded over time: the region stack's history, with a direct write in force until the stack changes them. */
    history(region: string): WeightHistory {
        const record = this.engine.record(regionStack(this.env, region));
        const current = record?.outputs?.weights as Weights | undefined;
        const stackHistory: WeightChange[] = record?.weightHistory ?? (current ? [{ at: 0, weights: current }] : []);
        const override = this.store.readJson<WeightOverride>(this.overridePath(region));
        if (!override) return stackHistory;
        const resumes = stackHistory.findIndex((c) => c.at > override.at);
        return [
            ...stackHistory.filter((c) => c.at <= override.at),
            { at: override.at, weights: override.weights },
            ...(resumes >= 0 ? stackHistory.slice(resumes) : []),
        ];
    }

    private currentOverride(region: string): WeightOverride | undefined {
        const override = this.store.readJson<WeightOverride>(this.overridePath(region));
        const history = this.engine.record(regionStack(this.env, region))?.weightHistory ?? [];
        return override && !history.some((c) => c.at > override.at) ? override : undefined;
    }

    async write(region: string, rules: RuleRef[], weights: Weights): Promise<void> {
        this.calls += rules.length;
        if (this.scenario.faults.some((f) => f.listenerWritesFail && (f.region === "*" || f.region === region))) {
            throw new Error(`AccessDenied: elasticloadbalancing:ModifyRule on the listener rules of ${region} (sim scenario)`);
        }
        this.store.writeJson(this.overridePath(region), { weights, at: this.clock.now() } satisfies WeightOverride);
    }
}

/** Metrics from the scenario's traffic model, over the weights the load balancer forwarded with at each moment. */
export class SimMetrics implements MetricsSource {
    private readonly traffic: TrafficModel;

    constructor(
        scenario: Scenario,
        private readonly newColorOf: (region: string) => Color | undefined,
        private readonly historyOf: (region: string) => WeightHistory,
        private readonly clock: Clock,
    ) {
        this.traffic = new TrafficModel(scenario);
    }

    async colorMetrics(query: MetricsQuery): Promise<ColorMetrics> {
        const history = this.historyOf(query.region);
        if (history.length === 0) throw new Error(`region ${query.region} has no deployed weights`);
        const newColor = this.newColorOf(query.region) ?? query.color;
        const result = this.traffic.window(history, { region: query.region, color: query.color, newColor, from: query.from, to: query.to, thresholdsMs: query.latencyThresholdsMs ?? [] });
        if ("unavailable" in result) throw new MetricsUnavailableError(`sim scenario: metrics of ${query.region} are unavailable`);
        return result;
    }

    faultOnset(region: string): number | undefined {
        const newColor = this.newColorOf(region);
        const history = this.historyOf(region);
        return newColor && history.length > 0 ? this.traffic.faultOnset(history, region, newColor, this.clock.now()) : undefined;
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
