/**
 * The Pulumi project of a local state: `<state>/project/Pulumi.yaml` is the repository's own (same name,
 * runtime and options) with `main` pointing back at the repository's `stacks/` program and the stack files
 * kept under the state, so the repository's tracked stack files are never touched. Its `plugins` section
 * names this repository's language host and fake-cloud providers, which take precedence over any others.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { PLUGINS } from "../../fakecloud/providers/names";
import { REPOSITORY_ROOT } from "./paths";
import { Toolchain } from "./toolchain";

/** Writes the project (every time: it follows the repository's Pulumi.yaml) and returns its directory. */
export function writeLocalProject(stateDir: string, toolchain: Pick<Toolchain, "languageHostDir" | "providersDir">): string {
    const dir = path.join(stateDir, "project");
    mkdirSync(path.join(dir, "stacks"), { recursive: true });
    const settings = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    const program = path.resolve(REPOSITORY_ROOT, typeof settings.main === "string" ? settings.main : ".");
    const project = {
        ...settings,
        // Pulumi resolves `main` against the project directory.
        main: path.relative(dir, program) + "/",
        stackConfigDir: "stacks",
        plugins: {
            providers: PLUGINS.map((name) => ({ name, path: toolchain.providersDir })),
            languages: [{ name: "nodejs", path: toolchain.languageHostDir }],
        },
    };
    writeFileSync(path.join(dir, "Pulumi.yaml"), `# Written by the local engine (automation/local/project.ts) from ${path.join(REPOSITORY_ROOT, "Pulumi.yaml")}.\n${stringify(project)}`);
    return dir;
}
