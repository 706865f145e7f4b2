import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { DOCS_FILE, commandReference, withReference } from "../../automation/cliDocs";

describe("docs/cli.md", () => {
    it("holds the reference generated from the CLI's definitions (npm run docs)", () => {
        const page = readFileSync(DOCS_FILE, "utf8");
        assert.equal(page, withReference(page, commandReference()), "docs/cli.md is stale: run npm run docs");
    });

    it("documents every exit code the driver uses", () => {
        const page = readFileSync(DOCS_FILE, "utf8");
        const firstColumns = page.split("\n").filter((l) => /^\| [\d, ]+ \|/.test(l)).map((l) => l.split("|")[1]);
        for (const code of [0, 1, 2, 3, 4, 130, 143, 137]) assert.ok(firstColumns.some((c) => c.split(",").map((x) => x.trim()).includes(String(code))), `exit ${code}`);
    });
});
