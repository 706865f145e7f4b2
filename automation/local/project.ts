/**
 * The Pulumi project of a local state: `<state>/project/Pulumi.yaml` is the repository's own (same name and
 * runtime) with the stack files kept under the state, so the repository's tracked stack files are never
 * touched, and `main` pointing at the bundled program (program.ts), run as plain JavaScript
 * (`typescript: false`, no tsx). Its `plugins` section names this repository's language host and fake-cloud
 * providers, which take precedence over any others.
 *
 * `sources` instead keeps the repository's `main` and runtime options (TypeScript through tsx, as
 * `pulumi up` by hand runs it) over the same stack files: the local suite deploys with it to show both
 * programs agree.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { PLUGINS } from "../../fakecloud/providers/names";
import { REPOSITORY_ROOT } from "./paths";
import { Toolchain } from "./toolchain";

export interface ProjectOptions {
    /** Where the project goes (default `<state>/project`). */
    dir?: string;
    /** Run the repository's sources with its own runtime options instead of the bundle. */
    sources?: boolean;
}

/** Writes the project (every time: it follows the repository's Pulumi.yaml) and returns its directory. */
export function writeLocalProject(stateDir: string, toolchain: Pick<Toolchain, "languageHostDir" | "providersDir" | "programDir">, options: ProjectOptions = {}): string {
    const dir = options.dir ?? path.join(stateDir, "project");
    const stacksDir = path.join(stateDir, "project", "stacks");
    mkdirSync(stacksDir, { recursive: true });
    mkdirSync(dir, { recursive: true });
    const settings = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown> & { runtime: { name: string } | string };
    const sources = path.resolve(REPOSITORY_ROOT, typeof settings.main === "string" ? settings.main : ".");
    const runtime = typeof settings.runtime === "string" ? settings.runtime : settings.runtime.name;
    const project = {
        ...settings,
        ...(options.sources ? {} : { runtime: { name: runtime, options: { typescript: false } } }),
        // Pulumi resolves `main` and `stackConfigDir` against the project directory.
        main: path.relative(dir, options.sources ? sources : toolchain.programDir) + "/",
        stackConfigDir: path.relative(dir, stacksDir),
        plugins: {
            providers: PLUGINS.map((name) => ({ name, path: toolchain.providersDir })),
            languages: [{ name: "nodejs", path: toolchain.languageHostDir }],
        },
    };
    writeFileSync(path.join(dir, "Pulumi.yaml"), `# Written by the local engine (automation/local/project.ts) from ${path.join(REPOSITORY_ROOT, "Pulumi.yaml")}.\n${stringify(project)}`);
    return dir;
}
