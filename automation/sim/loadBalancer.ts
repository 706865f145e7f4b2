/**
 * The sim's load balancer: the weights its listener rules forward with are read from the rules the region
 * program produced; the emergency path's direct write is kept until the stack's weights change after it.
 */
import { COLORS, regionStack } from "../../components/naming";
import { Weights } from "../../components/weights";
import { Clock, LoadBalancerWeights, RuleRef } from "../core/ports";
import { DirectWrite, directWriteInForce, directWriteSchema, forwardingHistory, refuseDirectWrite } from "../scenario/forwarding";
import { Scenario } from "../scenario/scenario";
import { WeightHistory } from "../scenario/traffic";
import { SimEngine } from "./engine";
import { SimStore } from "./store";
import { checkRecord } from "../core/records";

const RULE_TYPE = "aws:lb/listenerRule:ListenerRule";

interface ForwardTarget {
    arn: string;
    weight: number;
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
    private forwarding(region: string, rules: RuleRef[]): Record<string, Weights> {
        const stack = regionStack(this.env, region);
        const write = this.directWrite(region);
        const override = directWriteInForce(this.stackHistory(region), write) ? write : undefined;
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

    /** The weights forwarded over time, for the traffic model. */
    history(region: string): WeightHistory {
        return forwardingHistory(this.stackHistory(region), this.directWrite(region));
    }

    private stackHistory(region: string): WeightHistory {
        const record = this.engine.record(regionStack(this.env, region));
        const current = record?.outputs?.weights as Weights | undefined;
        return record?.weightHistory ?? (current ? [{ at: 0, weights: current }] : []);
    }

    private directWrite(region: string): DirectWrite | undefined {
        return this.store.readJson<DirectWrite>(this.overridePath(region), (value, file) => checkRecord(directWriteSchema, value, `state file ${file}`));
    }

    async write(region: string, rules: RuleRef[], weights: Weights): Promise<void> {
        this.calls += rules.length;
        refuseDirectWrite(this.scenario, region);
        this.store.writeJson(this.overridePath(region), { weights, at: this.clock.now() } satisfies DirectWrite);
    }
}
