/**
 * Picks the stack program from the stack name. The Pulumi CLI (stacks/index.ts), the Automation API and the
 * sim engine all come through here, so they run exactly the same code.
 */
import { parseStackName } from "../components/naming";
import { clusterProgram } from "./cluster";
import { ProgramSettings } from "./config/load";
import { opsProgram } from "./ops";
import { regionProgram } from "./region";

export class UnknownStackError extends Error {
    constructor(readonly stack: string) {
        super(`unknown stack name "${stack}": expected ops-<env>, region-<env>-<region> or mitene-<env>-<region>-<blue|green>`);
        this.name = "UnknownStackError";
    }
}

/**
 * The program of a stack, taking the stack's full configuration (`pulumi.runtime.allConfig()`) and the
 * settings it reads from its environment (MITENE_ACCESS; absent: a deploy run).
 */
export function programFor(stack: string): (config: Record<string, string>, settings?: ProgramSettings) => Promise<Record<string, unknown>> {
    const id = parseStackName(stack);
    if (!id) throw new UnknownStackError(stack);
    switch (id.kind) {
        case "ops":
            return (config, settings = {}) => opsProgram(stack, id.env, config, settings);
        case "region":
            return (config, settings = {}) => regionProgram(stack, id.env, id.region, config, settings);
        case "cluster":
            return (config, settings = {}) => clusterProgram(stack, id.env, id.region, id.color, config, settings);
    }
}
