/**
 * The schemas of the sim's state files and the invariants each one always satisfies (automation/core/records.ts
 * says why): a stack record (its configuration as its program reads it, its outputs as the driver reads them,
 * its graph). The clock's and the lease's are in core/records.ts, a direct write's in scenario/forwarding.ts. Operation markers are
 * not here: whatever one holds, it says an operation was in progress, and --recover resolves it.
 */
import { z } from "zod";
import { parseStackName } from "../../components/naming";
import { sameWeights, weightProblems, Weights } from "../../components/weights";
import { clusterOutputsSchema, opsOutputsSchema, regionOutputsSchema } from "../../stacks/outputSchemas";
import { recordProblems, refuseRecord, timeMs } from "../core/records";
import { configProblems } from "../core/stackConfigs";
import { weightHistorySchema } from "../scenario/forwarding";

const text = z.string().min(1);

const resourceSchema = z.strictObject({
    type: text,
    name: text,
    urn: text,
    parent: text.nullable(),
    custom: z.boolean(),
    inputs: z.record(z.string(), z.unknown()),
});

const stackRecordSchema = z
    .strictObject({
        name: text,
        config: z.record(z.string(), z.unknown()),
        deployed: z.boolean(),
        outputs: z.record(z.string(), z.unknown()).nullable(),
        secretOutputs: z.array(text),
        resources: z.array(resourceSchema),
        outputChangedAt: z.record(z.string(), timeMs),
        weightHistory: weightHistorySchema.optional(),
    })
    .superRefine((record, ctx) => {
        const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
        // Deployed means resources and outputs; created or destroyed, neither.
        if (record.deployed && record.resources.length === 0) problem(["resources"], "a deployed stack has resources");
        if (!record.deployed && record.resources.length > 0) problem(["deployed"], `false, but the stack has ${record.resources.length} resources`);
        if (record.deployed !== (record.outputs !== null)) problem(["outputs"], record.deployed ? "a deployed stack has outputs" : "a stack that is not deployed has none");
        const keys = Object.keys(record.outputs ?? {});
        for (const [i, key] of record.secretOutputs.entries()) if (!keys.includes(key)) problem(["secretOutputs", i], `${key} is not an output`);
        for (const key of Object.keys(record.outputChangedAt)) if (!keys.includes(key)) problem(["outputChangedAt", key], "not an output");
        const history = record.weightHistory;
        if (history) {
            const current = record.outputs?.weights as Weights | undefined;
            const last = history[history.length - 1].weights as Weights;
            if (current && weightProblems(last).length === 0 && weightProblems(current).length === 0 && !sameWeights(current, last)) {
                problem(["weightHistory", history.length - 1, "weights"], "differs from the deployed weights (outputs.weights)");
            }
        }
    });

const OUTPUTS = { ops: opsOutputsSchema, region: regionOutputsSchema, cluster: clusterOutputsSchema };

/** Refuses a stack record that does not hold (file `file`, which must be the record of stack `name`). */
export function checkStackRecord(value: unknown, file: string, name: string): void {
    const problems = recordProblems(stackRecordSchema, value);
    const id = parseStackName(name);
    if (problems.length === 0) {
        const record = value as z.output<typeof stackRecordSchema>;
        if (record.name !== name) problems.push(`name: ${JSON.stringify(record.name)}, but the file is the record of ${name}`);
        if (id) {
            problems.push(...configProblems(name, record.config).map((p) => `config.${p}`));
            if (record.outputs) problems.push(...recordProblems(OUTPUTS[id.kind], record.outputs, ["outputs"]));
            if (id.kind === "cluster" && record.outputs && record.outputs.color !== id.color) problems.push(`outputs.color: ${JSON.stringify(record.outputs.color)}, but this is the ${id.color} cluster's stack`);
        }
    }
    if (problems.length > 0) refuseRecord(`state file ${file}`, problems);
}
