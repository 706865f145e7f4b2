/**
 * Picks the stack program from the stack name. The Pulumi CLI (stacks/index.ts), the Automation API and the
 * sim engine all come through here, so they run exactly the same code.
 */
import { parseStackName } from "../components/naming";
import { clusterProgram } from "./cluster";
import { opsProgram } from "./ops";
import { regionProgram } from "./region";

export class UnknownStackError extends Error {
    constructor(readonly stack: string) {
        super(`unknown stack name "${stack}": expected ops-<env>, region-<env>-<region> or mitene-<env>-<region>-<blue|green>`);
        this.name = "UnknownStackError";
    }
}

/** The program of a stack, taking the stack's full configuration (`pulumi.runtime.allConfig()`). */
export function programFor(stack: string): (config: Record<string, string>) => Promise<Record<string, unknown>> {
    const id = parseStackName(stack);
    if (!id) throw new UnknownStackError(stack);
    switch (id.kind) {
        case "ops":
            return (config) => opsProgram(stack, id.env, config);
        case "region":
            return (config) => regionProgram(stack, id.env, id.region, config);
        case "cluster":
            return (config) => clusterProgram(stack, id.env, id.region, id.color, config);
    }
}
