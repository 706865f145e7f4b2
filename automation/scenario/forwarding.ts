/**
 * What a rehearsal's load balancer forwarded with over time, which its traffic follows: every deployed change
 * of the region stack's weights, and the emergency path's direct write of the listener rules, in force until
 * the stack's weights change after it (a `pulumi up` rewrites the rules only when their inputs changed).
 * Both engines keep these two records, each in its own state; the arithmetic is shared here.
 */
import { z } from "zod";
import { Weights, sameWeights, weightProblems } from "../../components/weights";
import { LoadBalancerWeights, RuleRef } from "../core/ports";
import { Scenario } from "./scenario";
import { WeightChange, WeightHistory } from "./traffic";

/** Weights written to the listener rules directly, and when (virtual time). */
export interface DirectWrite {
    weights: Weights;
    at: number;
}

/** Weights as a record holds them: both colors, integer percents summing to 100. */
export const weightsSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    for (const problem of weightProblems(value)) ctx.addIssue({ code: "custom", message: problem });
});
/** Virtual times of these records start at 0 (the weights a stack was seeded with). */
const virtualTime = z.number().int().min(0).max(8.64e15);

export const directWriteSchema = z.strictObject({ weights: weightsSchema, at: virtualTime });

/**
 * A weight history as both engines keep it. Not necessarily in time order: each process has its own virtual
 * clock, and an operator's rollback may append a change stamped before the upgrade's last.
 */
export const weightHistorySchema = z.array(z.strictObject({ at: virtualTime, weights: weightsSchema })).min(1);

/** The region stack's weight history after an update whose outputs carry `weights` (unchanged when they did not move). */
export function appendWeights(history: WeightChange[] | undefined, previous: Weights | undefined, weights: Weights | undefined, now: number): WeightChange[] | undefined {
    if (!weights) return history;
    const known = history ?? (previous ? [{ at: 0, weights: previous }] : []);
    return previous && sameWeights(previous, weights) ? known : [...known, { at: now, weights }];
}

/** Whether the direct write still decides what the rules forward with: no stack change of the weights since. */
export function directWriteInForce(stackHistory: WeightHistory, write: DirectWrite | undefined): write is DirectWrite {
    return write !== undefined && !stackHistory.some((change) => change.at > write.at);
}

/** The weights forwarded over time: the stack's history with the direct write spliced in where it happened. */
export function forwardingHistory(stackHistory: WeightHistory, write: DirectWrite | undefined): WeightHistory {
    if (!write) return stackHistory;
    return [...stackHistory.filter((c) => c.at <= write.at), { at: write.at, weights: write.weights }, ...stackHistory.filter((c) => c.at > write.at)];
}

/** The scenario's `listenerWritesFail` fault: the direct write is refused, as AWS does without elasticloadbalancing:ModifyRule. */
export function refuseDirectWrite(scenario: Scenario, region: string): void {
    if (scenario.faults.some((f) => f.listenerWritesFail && (f.region === "*" || f.region === region))) {
        throw new Error(`AccessDenied: elasticloadbalancing:ModifyRule on the listener rules of ${region} (rehearsal scenario)`);
    }
}

/**
 * A real load balancer (the emulator's) under a rehearsal: direct writes meet the scenario's faults and are
 * remembered with their virtual time, so the traffic model knows when the split changed.
 */
export class RehearsedLoadBalancer implements LoadBalancerWeights {
    constructor(
        private readonly inner: LoadBalancerWeights,
        private readonly scenario: Scenario,
        private readonly now: () => number,
        private readonly remember: (region: string, write: DirectWrite) => void,
    ) {}

    read(region: string, rules: RuleRef[]): Promise<Record<string, Weights>> {
        return this.inner.read(region, rules);
    }

    async write(region: string, rules: RuleRef[], weights: Weights): Promise<void> {
        refuseDirectWrite(this.scenario, region);
        await this.inner.write(region, rules, weights);
        this.remember(region, { weights, at: this.now() });
    }
}
