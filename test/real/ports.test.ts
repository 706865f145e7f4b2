import { strict as assert } from "node:assert";
import * as path from "node:path";
import { existsSync } from "node:fs";
import { REPOSITORY_ROOT, createRealPorts } from "../../automation/real/ports";

describe("real/ports", () => {
    it("wires the Automation API engine to this repository's Pulumi project", () => {
        assert.ok(existsSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml")));
    });

    it("builds every real port without calling AWS, the journal where MITENE_JOURNAL_DIR says", async () => {
        const ports = await createRealPorts("/work", { MITENE_JOURNAL_DIR: "out/journal", AWS_REGION: "us-west-2" });
        assert.equal(ports.kind, "pulumi");
        assert.equal(ports.clock.virtual, false);
        assert.equal(ports.journal.locate("prod"), "/work/out/journal/prod.jsonl");
    });

    it("defaults the journal to .mitene/journal under the working directory", async () => {
        assert.equal((await createRealPorts("/repo", {})).journal.locate("prod"), "/repo/.mitene/journal/prod.jsonl");
    });
});
