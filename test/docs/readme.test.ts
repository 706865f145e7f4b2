/**
 * The README's example of a broken stack file and the message it gets (section "Configuration is validated
 * once"): the excerpt is applied to the committed file and the real stack program is run on it.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { runStackProgram } from "../../automation/programs/stackPrograms";
import { parseStackConfig } from "../../stacks/config/load";
import { clusterConfigSchema } from "../../stacks/config/schema";
import { engineConfig, readStackFile } from "../../stacks/stackFiles";

const README = readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");

/** The first fenced block of `lang` (empty: a plain fence) after `heading`. */
function blockAfter(heading: string, lang: string): string {
    assert.ok(README.includes(heading), `README has a section "${heading}"`);
    const blocks = [...README.slice(README.indexOf(heading)).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
    const block = blocks.find((m) => m[1] === lang);
    assert.ok(block, `a \`\`\`${lang} block after "${heading}"`);
    return block[2];
}

/** Objects merged key by key, lists item by item: the excerpt names only what changed. */
function overlay(base: unknown, change: unknown): unknown {
    if (Array.isArray(base) && Array.isArray(change)) return base.map((item, i) => (i < change.length ? overlay(item, change[i]) : item));
    if (base && change && typeof base === "object" && typeof change === "object" && !Array.isArray(change)) {
        const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
        for (const [key, value] of Object.entries(change)) merged[key] = overlay(merged[key], value);
        return merged;
    }
    return change;
}

describe("README", () => {
    const heading = "### Configuration is validated once";

    it("the example config error is the message the stack program gives for the example's broken file", async () => {
        const excerpt = blockAfter(heading, "yaml");
        const stack = excerpt.match(/^# stacks\/Pulumi\.(\S+)\.yaml/)![1];
        const broken = overlay(readStackFile(stack), (parse(excerpt) as { config: Record<string, unknown> }).config) as Record<string, unknown>;
        const expected = blockAfter(heading, "").trimEnd();
        await assert.rejects(runStackProgram(stack, broken, () => undefined), (error: Error) => {
            assert.equal(error.message, expected);
            return true;
        });
    });

    it("the committed file the example starts from is valid: the error comes from the example's changes", () => {
        const stack = blockAfter(heading, "yaml").match(/^# stacks\/Pulumi\.(\S+)\.yaml/)![1];
        assert.doesNotThrow(() => parseStackConfig(stack, clusterConfigSchema, engineConfig(readStackFile(stack)).values));
    });
});
