/**
 * The shape of rules over all the rendered stacks of an env at once (`mitene policy`), which no single stack
 * can show.
 */
import type { EnforcementLevel } from "./rules";

export interface EnvGraphResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface EnvStackGraph {
    stack: string;
    resources: EnvGraphResource[];
    /** The stack's outputs (a render has them; secrets masked). */
    outputs?: Record<string, unknown>;
}

export interface EnvViolation {
    stack: string;
    /** `type::name` */
    resource: string;
    message: string;
}

export interface EnvRule {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    check(graphs: readonly EnvStackGraph[]): EnvViolation[] | Promise<EnvViolation[]>;
}
