/**
 * The policy pack, credential-free: the rules over rendered resource graphs (`mitene render`), one stack at a
 * time. What `mitene policy` reports, and what decides its exit code (any mandatory violation fails).
 */
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
}

export interface Violation {
    stack: string;
    /** `type::name`, as in a URN. */
    resource: string;
    rule: string;
    level: EnforcementLevel;
    message: string;
}

/** Every violation of every rule, in stack then resource order. */
export function evaluatePolicies(stacks: readonly StackGraph[]): Violation[] {
    return stacks.flatMap(({ stack, resources }) =>
        resources.flatMap((resource) =>
            RULES.flatMap((rule) =>
                checkResource(rule, resource).map((message) => ({
                    stack,
                    resource: `${resource.type}::${resource.name}`,
                    rule: rule.name,
                    level: rule.enforcementLevel,
                    message,
                })),
            ),
        ),
    );
}
