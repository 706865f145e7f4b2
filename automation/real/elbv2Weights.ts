/**
 * LoadBalancerWeights on ELBv2: the weights the ALB's listener rules really forward with (the read-back after
 * each step), and the emergency rollback that sets them directly, without waiting for a stack update.
 */
import {
    Action,
    DescribeRulesCommandInput,
    ElasticLoadBalancingV2Client,
    ModifyRuleCommand,
    Rule,
    paginateDescribeRules,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { COLORS } from "../../components/naming";
import { Weights, weightProblems } from "../../components/weights";
import { LoadBalancerWeights, RuleRef } from "../core/ports";
import { ClientFor } from "./clients";

function forwardAction(rule: Rule, ref: RuleRef): Action {
    const forwards = (rule.Actions ?? []).filter((a) => a.Type === "forward");
    if (forwards.length !== 1) throw new Error(`rule ${ref.ruleArn} (${ref.service}) has ${forwards.length} forward actions, expected 1`);
    return forwards[0];
}

/** The weight per color; throws unless the rule forwards to exactly the two colors' target groups. */
function ruleWeights(rule: Rule, ref: RuleRef): Weights {
    const groups = forwardAction(rule, ref).ForwardConfig?.TargetGroups ?? [];
    const byArn = new Map(groups.map((g) => [g.TargetGroupArn, g.Weight]));
    const expected = COLORS.map((color) => ref.targetGroupArns[color]);
    if (groups.length !== 2 || !expected.every((arn) => typeof byArn.get(arn) === "number")) {
        const found = groups.map((g) => g.TargetGroupArn).join(", ") || "none";
        throw new Error(`rule ${ref.ruleArn} (${ref.service}) forwards to ${found}, expected exactly ${expected.join(" and ")}`);
    }
    return Object.fromEntries(COLORS.map((color) => [color, byArn.get(ref.targetGroupArns[color])!])) as Weights;
}

/** The forward action with new weights; a lone TargetGroupArn cannot stand beside a two-group ForwardConfig. */
function reweighted({ TargetGroupArn: _single, ...action }: Action, ref: RuleRef, weights: Weights): Action {
    const TargetGroups = COLORS.map((color) => ({ TargetGroupArn: ref.targetGroupArns[color], Weight: weights[color] }));
    return { ...action, ForwardConfig: { ...action.ForwardConfig, TargetGroups } };
}

export class Elbv2Weights implements LoadBalancerWeights {
    /** ELBv2 API calls made so far (DescribeRules pages and ModifyRule calls), for the benchmark to report. */
    apiCalls = 0;

    constructor(private readonly elbv2: ClientFor<ElasticLoadBalancingV2Client>) {}

    async read(region: string, rules: RuleRef[]): Promise<Record<string, Weights>> {
        const found = await this.describe(region, rules);
        return Object.fromEntries(rules.map((ref) => [ref.service, ruleWeights(found.get(ref.ruleArn)!, ref)]));
    }

    /**
     * Rewrites only the forward action's target-group weights, keeping the rule's other actions and its
     * stickiness settings (ModifyRule replaces the whole action list). Rules already at `weights` are left
     * alone. A rollback moves what it can: a rule that cannot be changed does not stop the others, and the
     * failures are thrown together at the end.
     */
    async write(region: string, rules: RuleRef[], weights: Weights): Promise<void> {
        const problems = weightProblems(weights);
        if (problems.length > 0) throw new Error(`refusing to write weights: ${problems.join("; ")}`);
        const found = await this.describe(region, rules);
        const failures: string[] = [];
        for (const ref of rules) {
            try {
                const rule = found.get(ref.ruleArn)!;
                const current = ruleWeights(rule, ref);
                if (COLORS.every((color) => current[color] === weights[color])) continue;
                const actions = rule.Actions!.map((action) => (action.Type === "forward" ? reweighted(action, ref, weights) : action));
                this.apiCalls++;
                await this.elbv2(region).send(new ModifyRuleCommand({ RuleArn: ref.ruleArn, Actions: actions }));
            } catch (error) {
                failures.push(`${ref.service}: ${(error as Error).message}`);
            }
        }
        if (failures.length > 0) throw new Error(`weights not set in ${region} for ${failures.join("; ")}`);
    }

    /** All the rules in one paginated DescribeRules, by ARN; a rule that did not come back is an error. */
    private async describe(region: string, rules: RuleRef[]): Promise<Map<string, Rule>> {
        const input: DescribeRulesCommandInput = { RuleArns: rules.map((r) => r.ruleArn) };
        const found = new Map<string, Rule>();
        for await (const page of paginateDescribeRules({ client: this.elbv2(region) }, input)) {
            this.apiCalls++;
            for (const rule of page.Rules ?? []) found.set(rule.RuleArn!, rule);
        }
        const missing = rules.filter((r) => !found.has(r.ruleArn));
        if (missing.length > 0) throw new Error(`rules not found in ${region}: ${missing.map((r) => `${r.ruleArn} (${r.service})`).join(", ")}`);
        return found;
    }
}
