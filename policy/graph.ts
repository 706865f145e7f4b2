/**
 * The policy pack, credential-free: the rules over rendered resource graphs (`mitene render`). The resource
 * rules judge one resource at a time; the env rules (policy/envRules.ts) judge the stacks of an env
 * together. What `mitene policy` reports, and what decides its exit code (any mandatory violation fails).
 */
import { ENV_RULES } from "./envRules";
import { EnforcementLevel, RULES, checkResource } from "./rules";

export interface GraphResource {
    type: string;
    name: string;
    parent?: string | null;
    inputs: Record<string, unknown>;
}

export interface StackGraph {
    stack: string;
    resources: GraphResource[];
    /** The stack's outputs, as a render holds them; the env rules need them. */
    outputs?: Record<string, unknown>;
}

export interface Violation {
    stack: string;
    /** `type::name`, as in a URN. */
    resource: string;
    rule: string;
    level: EnforcementLevel;
    message: string;
}

/** Every violation of every rule, in stack order, resource rules before env rules within a stack. */
export async function evaluatePolicies(stacks: readonly StackGraph[]): Promise<Violation[]> {
    const perResource: Violation[] = [];
    for (const { stack, resources } of stacks) {
        for (const resource of resources) {
            for (const rule of RULES) {
                for (const message of await checkResource(rule, resource)) {
                    perResource.push({ stack, resource: `${resource.type}::${resource.name}`, rule: rule.name, level: rule.enforcementLevel, message });
                }
            }
        }
    }
    const perEnv = (await Promise.all(ENV_RULES.map(async (rule) => (await rule.check(stacks)).map((v) => ({ ...v, rule: rule.name, level: rule.enforcementLevel }))))).flat();
    const order = new Map(stacks.map((s, i) => [s.stack, i]));
    return [...perResource, ...perEnv].sort((a, b) => (order.get(a.stack) ?? 0) - (order.get(b.stack) ?? 0));
}
