/**
 * bin/bundle.js: the CLI's TypeScript runs as one esbuild bundle, built on first use and cached until a source
 * changes. Exercised on a small project of its own (an entry importing a module in a subdirectory), so that a
 * source can be changed; the real CLI goes through it in test/cli/invocations.test.ts.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { cliSpec, keyOf, loadBundle } from "../../bin/bundle";

function project() {
    const root = mkdtempSync(path.join(tmpdir(), "mitene-bundle-"));
    mkdirSync(path.join(root, "lib"));
    writeFileSync(path.join(root, "main.ts"), 'import { where, word } from "./lib/dep";\nexport const here: string = __dirname;\nexport const dep = { where, word };\n');
    writeFileSync(path.join(root, "lib", "dep.ts"), 'export const where: string = __dirname;\nexport const word: string = "one";\n');
    return { root, entry: path.join(root, "main.ts"), cacheDir: path.join(root, "cache") };
}

describe("bin/bundle.js: the CLI as a cached bundle", function () {
    this.timeout(30_000);

    it("builds on first use, then reuses the bundle while the sources stay as they are", async () => {
        const spec = project();
        const first = await loadBundle(spec);
        assert.equal(first.built, true);
        assert.equal(first.exports.dep.word, "one");
        const again = await loadBundle(spec);
        assert.equal(again.built, false, "an unchanged tree is not built again");
        assert.equal(again.file, first.file);
    });

    it("rebuilds when any source the last build read changes, even deep in the import graph", async () => {
        const spec = project();
        const first = await loadBundle(spec);
        writeFileSync(path.join(spec.root, "lib", "dep.ts"), 'export const where: string = __dirname;\nexport const word: string = "two";\n');
        const changed = await loadBundle(spec);
        assert.equal(changed.built, true);
        assert.notEqual(changed.file, first.file, "a new key, a new file: a process still loading the old one is not disturbed");
        assert.equal(changed.exports.dep.word, "two");
    });

    it("keys by content, not by time: touching a file changes nothing, a deleted input rebuilds", async () => {
        const spec = project();
        await loadBundle(spec);
        const manifest = JSON.parse(readFileSync(path.join(spec.cacheDir, "manifest.json"), "utf8"));
        assert.deepEqual([...manifest.inputs].sort(), ["lib/dep.ts", "main.ts"]);
        const dep = path.join(spec.root, "lib", "dep.ts");
        writeFileSync(dep, readFileSync(dep));
        assert.equal(keyOf(spec, manifest.inputs), manifest.key);
        assert.equal(keyOf(spec, [...manifest.inputs, "lib/gone.ts"]), null);
    });

    it("gives every source its own __dirname, as if it ran from where it is", async () => {
        const spec = project();
        const { exports } = await loadBundle(spec);
        assert.equal(exports.here, spec.root);
        assert.equal(exports.dep.where, path.join(spec.root, "lib"));
    });

    it("runs from memory when the cache cannot be written (a read-only install)", async () => {
        const spec = project();
        writeFileSync(path.join(spec.root, "cache"), "a file where the cache directory would be");
        const run = await loadBundle(spec);
        assert.equal(run.built, true);
        assert.equal(run.exports.dep.word, "one");
        assert.equal(run.exports.dep.where, path.join(spec.root, "lib"));
        assert.ok(statSync(path.join(spec.root, "cache")).isFile(), "nothing written in its place");
    });

    it("fails on a source that does not compile, naming the file and the line", async () => {
        const spec = project();
        writeFileSync(path.join(spec.root, "lib", "dep.ts"), "export const word: string = ;\n");
        await assert.rejects(loadBundle(spec), /lib\/dep\.ts:1:/);
    });

    it("builds the repository's CLI into node_modules/.cache unless told elsewhere", () => {
        const root = path.resolve(__dirname, "..", "..");
        assert.deepEqual(cliSpec({}), { root, entry: path.join(root, "automation", "bin.ts"), cacheDir: path.join(root, "node_modules", ".cache", "mitene", "cli") });
        assert.equal(cliSpec({ MITENE_CLI_CACHE: "/tmp/x" }).cacheDir, "/tmp/x");
    });
});
