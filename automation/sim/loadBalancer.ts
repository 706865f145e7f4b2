/**
 * The sim's load balancer: the weights its listener rules forward with are read from the rules the region
 * program produced; the emergency path's direct writes are kept as an override until the stack catches up.
 */
import { COLORS, regionStack } from "../../components/naming";
import { Weights } from "../../components/weights";
import { LoadBalancerWeights, RuleRef } from "../ports";
import { SimEngine } from "./engine";
import { SimStore } from "./store";

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
