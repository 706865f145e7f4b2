/**
 * `plan --write` end to end, on a copy of the repository: a chart whose newer release has a read range gets a
 * target its pin does not support; `--write` moves the pin in the catalog files only, the ledger then calls the
 * add-on ok, and the suites that hold the catalog's invariants accept the bumped files as they stand.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ADDON_CATALOG } from "../../components/addonCatalog";
import { nextMinor } from "../../components/kubernetesVersions";
import { CHART_COMPATIBILITY } from "../../components/upstream/compatibility";
import { CATALOG_FILES } from "../../automation/plan/write";
import { snapshotFromFiles } from "../../automation/plan/snapshot";

const REPO = path.resolve(__dirname, "..", "..");
const SKIP = new Set([".git", "node_modules", ".mitene"]);

/** Every file of a tree with its content, to see what changed. */
function files(root: string, dir = root, into = new Map<string, string>()): Map<string, string> {
    for (const name of readdirSync(dir).filter((n) => !SKIP.has(n))) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) files(root, file, into);
        else into.set(path.relative(root, file), readFileSync(file, "utf8"));
    }
    return into;
}

const run = (cwd: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 });

describe("plan --write, end to end", function () {
    this.timeout(300_000);

    it("moves a pin that blocks the target to the release the ledger chose, in the catalog files only, and the catalog's tests accept it", () => {
        const clusters = snapshotFromFiles("prod")!.clusters.filter((c) => c.role === "service");
        // An add-on prod runs whose next release is published (not the autoscaler: it needs an image per minor too).
        const addon = ADDON_CATALOG.find((a) => clusters[0].charts.includes(a.name) && a.name !== "cluster-autoscaler" && CHART_COMPATIBILITY[a.upstream].newer.length > 0)!;
        const release = CHART_COMPATIBILITY[addon.upstream].newer[0].version;
        const target = nextMinor(addon.kubernetes.max);

        const root = mkdtempSync(path.join(tmpdir(), "mitene-bump-"));
        cpSync(REPO, root, { recursive: true, filter: (source) => !SKIP.has(path.basename(source)) });
        symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"));
        // The copy has read the release's range: it reaches the target, past the pin's.
        const compatibility = path.join(root, "components/upstream/compatibility.ts");
        const text = readFileSync(compatibility, "utf8");
        const read = text.replace(new RegExp(`(version: "${release.replace(/\./g, "\\.")}",\\n[^\\n]*\\n\\s*)supports: null,`), `$1supports: { min: "1.30", max: "${target}", source: "test fixture" },`);
        assert.notEqual(read, text, "the fixture applied");
        writeFileSync(compatibility, read);
        const before = files(root);

        const state = path.join(root, ".mitene", "sim");
        const cache = { MITENE_CLI_CACHE: path.join(root, ".mitene", "cli") };
        const written = run(root, ["bin/mitene.js", "plan", "--env", "prod", "--to", target, "--engine", "sim", "--state", state, "--write", "--json"], cache);
        assert.equal(written.status, 1, `the pin blocked the target: ${written.stderr}`);
        const plan = JSON.parse(written.stdout);
        assert.deepEqual(plan.written.bumps.map((b: { upstream: string; to: string }) => [b.upstream, b.to]), [[addon.upstream, release]]);

        const after = files(root);
        const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
        assert.deepEqual(changed.sort(), Object.values(CATALOG_FILES).sort());

        const again = run(root, ["bin/mitene.js", "plan", "--env", "prod", "--to", target, "--engine", "sim", "--state", state, "--json"], cache);
        const items = JSON.parse(again.stdout).ledger.filter((i: { item: string }) => i.item === addon.name);
        assert.ok(items.length > 0);
        for (const item of items) assert.deepEqual([item.pinned, item.severity], [release, "ok"], item.detail);

        const config = path.join(root, ".mitene", "mocharc.json");
        writeFileSync(config, JSON.stringify({ require: ["tsx/cjs"], extension: ["ts"], timeout: 60000, reporter: "dot", spec: [] }));
        const suites = ["test/foundation/upstream.test.ts", "test/foundation/addonCatalog.test.ts", "test/plan/ledger.test.ts"];
        const mocha = run(root, [path.join(REPO, "node_modules", "mocha", "bin", "mocha.js"), "--config", config, ...suites]);
        assert.equal(mocha.status, 0, mocha.stdout + mocha.stderr);
    });
});
