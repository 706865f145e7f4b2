/**
 * The Node this runs on is one the project supports (package.json `engines`): Node 20 left support in April 2026,
 * and the packages held back for it are lifted (@kubernetes/client-node 2 needs Node 22). On an older Node this
 * is the first failure to read, with the way out.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";

describe("runtime", () => {
    it("is a Node at or above package.json's floor", () => {
        const engines = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")).engines.node as string;
        const floor = Number(engines.match(/^>=(\d+)$/)![1]);
        const major = Number(process.versions.node.split(".")[0]);
        assert.ok(major >= floor, `Node ${process.versions.node} is below package.json's engines (${engines}): export PATH="$(scripts/install-node.sh):$PATH" gets Node 24 from the npm registry`);
    });
});
