import { strict as assert } from "node:assert";
import * as path from "node:path";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { REPOSITORY_ROOT, createRealPorts, realRunIdentity } from "../../automation/real/ports";
import { ACCESS_LEVELS } from "../../stacks/config/access";
import { readStackFile, stackFilePath, stackFileText } from "../../stacks/stackFiles";

describe("real/ports", () => {
    it("wires the Automation API engine to this repository's Pulumi project", () => {
        assert.ok(existsSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml")));
    });

    it("builds every real port without calling AWS, the journal where MITENE_JOURNAL_DIR says", async () => {
        const ports = await createRealPorts("/work", { env: "prod", access: "deploy" }, { MITENE_JOURNAL_DIR: "out/journal", AWS_REGION: "us-west-2" });
        assert.equal(ports.kind, "pulumi");
        assert.equal(ports.clock.virtual, false);
        assert.equal(ports.journal.locate("prod"), "/work/out/journal/prod.jsonl");
    });

    it("defaults the journal to .mitene/journal under the working directory", async () => {
        assert.equal((await createRealPorts("/repo", { env: "prod", access: "deploy" }, {})).journal.locate("prod"), "/repo/.mitene/journal/prod.jsonl");
    });

    for (const env of ["prod", "staging"]) {
        for (const access of ACCESS_LEVELS) {
            it(`runs ${env}'s stacks with MITENE_ACCESS=${access}, its own Kubernetes reads as the ${access} role of the stack files`, () => {
                const { roleArn, programEnv } = realRunIdentity({ env, access });
                assert.equal(roleArn, readStackFile(`ops-${env}`)[`mitene:${access}RoleArn`]);
                assert.match(roleArn, new RegExp(`:role/mitene-${env}-${access}$`));
                assert.deepEqual(programEnv, { MITENE_ACCESS: access });
            });
        }
    }

    it("refuses an env whose Ops stack file names no such role", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "mitene-roles-"));
        const { "mitene:rollbackRoleArn": _omitted, ...config } = readStackFile("ops-prod");
        writeFileSync(stackFilePath("ops-prod", dir), stackFileText(config, "without its rollback role"));
        assert.throws(() => realRunIdentity({ env: "prod", access: "rollback" }, dir), /Pulumi\.ops-prod\.yaml has no mitene:rollbackRoleArn/);
    });
});
