/**
 * The stack program as the local engine's CLI runs it: the repository's entry point (`main` of Pulumi.yaml,
 * stacks/index.ts) bundled by esbuild into one CommonJS file, its packages left to node_modules. Through tsx
 * (the repository's runtime options, `nodeargs: --import=tsx`) every `pulumi up` compiled some thirty
 * TypeScript modules and paid tsx's loader hooks on every module the SDKs load: about twice the CPU of
 * loading the bundle (docs/engines.md, "What it costs"). esbuild is what tsx itself compiles with, so the
 * code that runs is the same.
 *
 * Built in memory once per process that opens a local state, and written under node_modules/.cache keyed by
 * its own content (packages resolve from the repository's node_modules; an edit of any module the program
 * imports gives a new bundle, whatever directory it is in).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { parse } from "yaml";
import { REPOSITORY_ROOT } from "./paths";

let built: string | undefined;

/** The program's entry file: `main`, or the index file in it when it is a directory (as Node resolves it). */
function entryPoint(): string {
    const settings = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { main?: string };
    const main = path.resolve(REPOSITORY_ROOT, settings.main ?? ".");
    if (!statSync(main).isDirectory()) return main;
    const index = ["index.ts", "index.js"].map((name) => path.join(main, name)).find((file) => existsSync(file));
    if (!index) throw new Error(`${main}: no index.ts or index.js`);
    return index;
}

/** The directory of the bundled program (its `index.js`), built on first use in this process. */
export function bundledProgram(): string {
    if (built) return built;
    const { outputFiles } = buildSync({
        entryPoints: [entryPoint()],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        packages: "external",
        write: false,
        logLevel: "error",
    });
    const code = outputFiles[0].contents;
    const dir = path.join(REPOSITORY_ROOT, "node_modules", ".cache", "mitene-program", createHash("sha256").update(code).digest("hex").slice(0, 16));
    if (!existsSync(path.join(dir, "index.js"))) {
        mkdirSync(dir, { recursive: true });
        // The SDK's runner takes `main` from the nearest package.json up from the program: the repository's
        // names the TypeScript sources, so the bundle's directory names its own.
        writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "mitene-stacks-bundle", private: true, main: "index.js" }));
        // Another process may write the same bundle at the same time: each renames a whole file into place.
        const partial = path.join(dir, `index.js.${process.pid}.tmp`);
        writeFileSync(partial, code);
        renameSync(partial, path.join(dir, "index.js"));
    }
    built = dir;
    return dir;
}
