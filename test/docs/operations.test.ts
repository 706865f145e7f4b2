/**
 * docs/operations.md against the code: every MITENE_ setting the driver reads is documented, and every
 * `npx mitene` command line shown there names a command and options the CLI has.
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { buildProgram } from "../../automation/cli";
import { thisProcess } from "../../automation/core/process";
import { cli } from "../driver/harness";

function programCommand(name: string) {
    const program = buildProgram({ stdout: () => undefined, stderr: () => undefined, cwd: ROOT, identity: thisProcess(), die: () => new Promise<never>(() => undefined), signal: new AbortController().signal }, [], () => undefined);
    return program.commands.find((command) => command.name() === name)!;
}

const ROOT = path.resolve(__dirname, "..", "..");
const PAGE = readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");

function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sources(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** `npx mitene ...` lines of the page's shell blocks, without comments. */
function commandLines(markdown: string): string[] {
    const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((block) => block.split("\n")).map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.startsWith("npx mitene "));
}

describe("docs/operations.md", () => {
    it("documents every MITENE_ setting the driver reads", () => {
        const read = new Set(sources(path.join(ROOT, "automation")).flatMap((file) => readFileSync(file, "utf8").match(/\bMITENE_[A-Z0-9_]+/g) ?? []));
        assert.ok(read.has("MITENE_LEASE_TABLE"), "the scan finds the settings");
        const missing = [...read].filter((name) => !PAGE.includes(`\`${name}\``));
        assert.deepEqual(missing, [], `add these to the settings table of docs/operations.md: ${missing.join(", ")}`);
    });

    const lines = commandLines(PAGE);
    it("shows command lines", () => assert.ok(lines.length >= 5, lines.join("\n")));
    for (const line of lines) {
        it(`names a command and options the CLI has: ${line}`, async () => {
            const [command, ...rest] = line.replace(/^npx mitene /, "").split(/\s+/);
            const help = await cli([command, "--help"]);
            assert.equal(help.code, 0, `mitene ${command} --help: ${help.stderr}`);
            // The options it takes, those kept off its help (the rehearsal engines') included.
            const flags = programCommand(command).options.map((option) => option.long);
            for (const flag of rest.filter((word) => word.startsWith("--"))) assert.ok(flags.includes(flag), `mitene ${command} has no ${flag}`);
        });
    }
});
