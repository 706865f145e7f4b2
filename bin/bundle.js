// @ts-check
/**
 * How `bin/mitene.js` runs the TypeScript sources fast: esbuild bundles them (automation/bin.ts and everything
 * it imports, the packages in node_modules left to require()) into one JavaScript file on first use, cached
 * until a source changes, in node_modules/.cache/mitene/cli (never committed; `npm ci` empties it and the
 * next command rebuilds it, in about a second). The cache is keyed by the content of every file the last build
 * read, the toolchain (esbuild, Node's major version) and this file: a changed source, a `git checkout` or a
 * new esbuild all rebuild; an unchanged tree reuses the bundle after one hash over its inputs.
 *
 * Each source keeps its own `__dirname`/`__filename` in the bundle (the code finds stacks/, the repository
 * root and docs/ through them). Tests do not come here: they run the sources through tsx.
 */
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** Bumped by editing this file: its own content is part of the key. */
const SELF = __filename;

/**
 * @typedef {{ root: string, entry: string, cacheDir: string }} BundleSpec
 * @typedef {{ key: string, inputs: string[], bundle: string }} Manifest
 */

/** The default spec: the CLI of the repository this file is in. */
function cliSpec(env = process.env) {
    const root = path.resolve(__dirname, "..");
    return {
        root,
        entry: path.join(root, "automation", "bin.ts"),
        cacheDir: env.MITENE_CLI_CACHE ? path.resolve(env.MITENE_CLI_CACHE) : path.join(root, "node_modules", ".cache", "mitene", "cli"),
    };
}

/** The version of the esbuild that builds (package.json only: loading esbuild itself is for building). */
function esbuildVersion() {
    try {
        return JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
    } catch {
        return "missing";
    }
}

/**
 * The cache key of a build that read `inputs` (paths relative to `root`); null when one of them is gone.
 * @param {BundleSpec} spec
 * @param {string[]} inputs
 */
function keyOf(spec, inputs) {
    const hash = createHash("sha256");
    hash.update(`${fs.readFileSync(SELF, "utf8")}\0${esbuildVersion()}\0node${process.versions.node.split(".")[0]}\0${spec.root}\0${path.relative(spec.root, spec.entry)}\0`);
    for (const input of [...inputs].sort()) {
        let content;
        try {
            content = fs.readFileSync(path.join(spec.root, input));
        } catch {
            return null;
        }
        hash.update(`${input}\0${content.length}\0`).update(content);
    }
    return hash.digest("hex").slice(0, 24);
}

/** @param {string} file */
function readManifest(file) {
    try {
        const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
        return typeof manifest.key === "string" && Array.isArray(manifest.inputs) && typeof manifest.bundle === "string" ? /** @type {Manifest} */ (manifest) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * esbuild plugin: a source that uses `__dirname` or `__filename` gets its own, as if it ran from where it is.
 * @param {string} root
 * @returns {import("esbuild").Plugin}
 */
function ownDirname(root) {
    return {
        name: "own-dirname",
        setup(build) {
            build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
                if (!args.path.startsWith(root + path.sep) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
                const source = fs.readFileSync(args.path, "utf8");
                if (!/\b__(dirname|filename)\b/.test(source)) return { contents: source, loader: "ts" };
                const own = `const __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n`;
                return { contents: own + source, loader: "ts" };
            });
        },
    };
}

/**
 * Builds the bundle of `spec.entry`: its code and the inputs it read (relative to the root).
 * @param {BundleSpec} spec
 */
async function build(spec) {
    const esbuild = require("esbuild");
    const result = await esbuild.build({
        entryPoints: [spec.entry],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${process.versions.node.split(".")[0]}`,
        // The packages stay in node_modules, loaded by require(): one copy of each (the Pulumi SDK's runtime
        // state is a singleton), and `npm ci` of a new version needs no rebuild.
        packages: "external",
        absWorkingDir: spec.root,
        tsconfig: fs.existsSync(path.join(spec.root, "tsconfig.json")) ? path.join(spec.root, "tsconfig.json") : undefined,
        keepNames: true,
        metafile: true,
        write: false,
        outfile: path.join(spec.cacheDir, "cli.js"),
        logLevel: "silent",
        plugins: [ownDirname(spec.root)],
    });
    const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("node_modules/"));
    for (const config of ["tsconfig.json", "package.json"]) if (fs.existsSync(path.join(spec.root, config)) && !inputs.includes(config)) inputs.push(config);
    return { code: result.outputFiles[0].text, inputs };
}

/**
 * Writes `content` to `file` whole (a temporary file renamed over it): concurrent first runs each write their
 * own and the last rename wins with an identical file.
 * @param {string} file
 * @param {string} content
 */
function writeWhole(file, content) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
}

/** @param {BundleSpec} spec @param {string} current */
function removeOldBundles(spec, current) {
    const hourAgo = Date.now() - 3_600_000;
    for (const name of fs.readdirSync(spec.cacheDir)) {
        const file = path.join(spec.cacheDir, name);
        // A bundle another process is about to load is at most minutes old: only stale ones go.
        if (name !== current && /^cli-.*\.js$/.test(name) && fs.statSync(file).mtimeMs < hourAgo) fs.rmSync(file, { force: true });
    }
}

/**
 * The bundle's exports: from the cache when it matches the sources, else built now (and cached when the cache
 * directory can be written; otherwise run from memory).
 * @param {BundleSpec} spec
 * @returns {Promise<{ exports: any, built: boolean, file: string }>}
 */
async function loadBundle(spec) {
    const manifestFile = path.join(spec.cacheDir, "manifest.json");
    const manifest = readManifest(manifestFile);
    if (manifest && keyOf(spec, manifest.inputs) === manifest.key) {
        const file = path.join(spec.cacheDir, manifest.bundle);
        if (fs.existsSync(file)) return { exports: require(file), built: false, file };
    }
    const { code, inputs } = await build(spec);
    const key = /** @type {string} */ (keyOf(spec, inputs));
    const bundle = `cli-${key}.js`;
    const file = path.join(spec.cacheDir, bundle);
    try {
        fs.mkdirSync(spec.cacheDir, { recursive: true });
        writeWhole(file, code);
        writeWhole(manifestFile, JSON.stringify({ key, inputs, bundle }));
        removeOldBundles(spec, bundle);
        return { exports: require(file), built: true, file };
    } catch {
        // A read-only install: run the build from memory, as if it were a file beside the entry.
        const Module = /** @type {any} */ (require("node:module"));
        const filename = path.join(path.dirname(spec.entry), bundle);
        const compiled = new Module(filename, module);
        compiled.filename = filename;
        compiled.paths = Module._nodeModulePaths(path.dirname(filename));
        compiled._compile(code, filename);
        return { exports: compiled.exports, built: true, file: filename };
    }
}

module.exports = { cliSpec, keyOf, loadBundle };
