/**
 * The plugins the local engine's CLI starts (the Node.js language host, the four fake-cloud providers), built
 * from this repository's TypeScript into one JavaScript file each with esbuild, plus an executable launcher
 * per plugin name. A Pulumi operation starts several of them; run through tsx instead, each spent twice the
 * CPU loading. Built into node_modules/.cache (so their packages resolve from the repository's node_modules),
 * keyed by the sources' content: an edit rebuilds, an unchanged tree reuses the build.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { PLUGINS } from "../../fakecloud/providers/names";
import { REPOSITORY_ROOT } from "./paths";

export interface PluginDirs {
    languageHostDir: string;
    providersDir: string;
}

const SOURCES = ["fakecloud", path.join("tools", "pulumi-plugins")];

function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourceFiles(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

function sourcesKey(): string {
    const hash = createHash("sha256");
    for (const file of SOURCES.flatMap((dir) => sourceFiles(path.join(REPOSITORY_ROOT, dir))).sort()) hash.update(file).update(readFileSync(file));
    return hash.digest("hex").slice(0, 16);
}

/** A bundle that starts the plugin: `start` is a call returning a promise, evaluated in `dir` of the repository. */
function bundle(dir: string, start: string, outfile: string, name: string): void {
    const contents = `${start}.catch((error) => { process.stderr.write(\`${name}: \${error.stack ?? error}\\n\`); process.exit(1); });`;
    buildSync({
        stdin: { contents, resolveDir: path.join(REPOSITORY_ROOT, dir), loader: "ts", sourcefile: `${name}.ts` },
        outfile,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        packages: "external",
        logLevel: "error",
    });
}

/** Builds the plugins unless this exact source tree was built already; returns the launchers' directories. */
export function buildPlugins(): PluginDirs {
    const root = path.join(REPOSITORY_ROOT, "node_modules", ".cache", "mitene-plugins");
    const dir = path.join(root, sourcesKey());
    const dirs = { languageHostDir: path.join(dir, "language"), providersDir: path.join(dir, "providers") };
    if (existsSync(dir)) return dirs;
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    const plugin = (sub: string, name: string, source: string, start: string) => {
        bundle(source, start, path.join(partial, "js", `${name}.js`), name);
        mkdirSync(path.join(partial, sub), { recursive: true });
        const launcher = path.join(partial, sub, name);
        writeFileSync(launcher, `#!/bin/sh\n# Built by automation/local/plugins.ts.\nexec "${process.execPath}" "${path.join(dir, "js", `${name}.js`)}" "$@"\n`);
        chmodSync(launcher, 0o755);
    };
    plugin("language", "pulumi-language-nodejs", "tools/pulumi-plugins", `require("./languageHost.ts").main(process.argv.slice(2))`);
    for (const name of PLUGINS) plugin("providers", `pulumi-resource-${name}`, "fakecloud/providers", `require("./main.ts").serve(${JSON.stringify(name)})`);
    // Another process may have built the same tree meanwhile: either copy is good.
    try {
        renameSync(partial, dir);
    } catch {
        rmSync(partial, { recursive: true, force: true });
    }
    return dirs;
}
