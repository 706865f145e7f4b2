/**
 * The committed stacks, rendered under the mock runtime as `mitene render` does, pass every rule. Ops and
 * region stacks run first: their outputs answer the cluster stacks' StackReferences.
 */
import * as assert from "node:assert/strict";
import { FakeCloud } from "../../fakecloud/cloud";
import { runProgram } from "../../fakecloud/mockRuntime";
import { StackGraph, evaluatePolicies } from "../../policy/graph";
import { RULES } from "../../policy/rules";
import { programFor } from "../../stacks/programs";
import { engineConfig, listStacks, readStackFile } from "../../stacks/stackFiles";

const rank = (stack: string) => (stack.startsWith("ops-") ? 0 : stack.startsWith("region-") ? 1 : 2);

async function renderCommittedStacks(): Promise<StackGraph[]> {
    const outputs: Record<string, Record<string, unknown>> = {};
    const graphs: StackGraph[] = [];
    for (const stack of listStacks().sort((a, b) => rank(a) - rank(b))) {
        const { values, secretKeys } = engineConfig(readStackFile(stack));
        const cloud = new FakeCloud({ stack, stackOutputs: (name) => outputs[name.split("/").pop()!] });
        const run = await runProgram({ project: "mitene", stack, config: values, secretKeys, cloud, program: () => programFor(stack)(values) });
        outputs[stack] = run.outputs;
        graphs.push({ stack, resources: run.resources, outputs: run.outputs });
    }
    return graphs;
}

describe("policy over the committed stacks", () => {
    let graphs: StackGraph[];
    before(async () => {
        graphs = await renderCommittedStacks();
    });

    it("renders every kind of stack", () => {
        assert.deepEqual(new Set(graphs.map((g) => g.stack.split("-")[0])), new Set(["ops", "region", "mitene"]));
    });

    it("finds no violation", async () => {
        assert.deepEqual(await evaluatePolicies(graphs), []);
    });

    // Otherwise "no violation" could come from rules that look at types the stacks do not have.
    it("has every rule look at some committed resource", () => {
        const types = new Set(graphs.flatMap((g) => g.resources.map((r) => r.type)));
        for (const rule of RULES) assert.ok(rule.types.some((type) => types.has(type)), `${rule.name} looks at none of the rendered types`);
    });
});
