import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

describe("npm run test:local", () => {
    it("runs every test file of test/local (its config lists them, longest first, for its two jobs)", () => {
        const dir = path.resolve(__dirname, "../local");
        const config = JSON.parse(readFileSync(path.join(dir, "mocharc.json"), "utf8")) as { spec: string[] };
        const files = readdirSync(dir).filter((f) => f.endsWith(".test.ts")).map((f) => `test/local/${f}`);
        assert.deepEqual([...config.spec].sort(), files.sort());
    });
});
