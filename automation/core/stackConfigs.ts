/**
 * A stack's configuration checked as its program will read it (the same schemas, every problem with its key),
 * for the engines that keep it as state: a configuration changed by hand is refused when it is read, not
 * when an update of that stack is finally attempted half-way through a run.
 */
import { parseStackName } from "../../components/naming";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { clusterConfigSchema, opsConfigSchema, regionConfigSchema } from "../../stacks/config/schema";
import { engineConfig } from "../../stacks/stackFiles";

const SCHEMAS = { ops: opsConfigSchema, region: regionConfigSchema, cluster: clusterConfigSchema };

/** Problems of `stack`'s configuration, each as its key (`mitene:weights: ...`); empty when its program accepts it. */
export function configProblems(stack: string, config: Record<string, unknown>): string[] {
    const id = parseStackName(stack);
    if (!id) return [];
    try {
        parseStackConfig(stack, SCHEMAS[id.kind], engineConfig(config).values);
        return [];
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
}
