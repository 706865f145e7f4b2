import { strict as assert } from "node:assert";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FileJournal } from "../../automation/record/fileJournal";
import { JournalEntry } from "../../automation/core/ports";

const entry = (event: string, env = "prod"): JournalEntry => ({ at: "2026-03-01T09:00:00.000Z", runId: "run-1", env, event, phase: "traffic" });

describe("real/FileJournal", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "journal-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("appends one JSON line per entry to <dir>/<env>.jsonl, creating the directory", async () => {
        const journal = new FileJournal(path.join(dir, "nested"));
        await journal.append(entry("create green stack"));
        await journal.append({ ...entry("gate"), region: "us-west-2", result: "pass", detail: { weight: 5 } });
        await journal.append(entry("status", "staging"));
        const lines = readFileSync(path.join(dir, "nested", "prod.jsonl"), "utf8").split("\n");
        assert.equal(lines.length, 3);
        assert.equal(lines[2], "");
        assert.deepEqual(await journal.read("prod"), [entry("create green stack"), { ...entry("gate"), region: "us-west-2", result: "pass", detail: { weight: 5 } }]);
        assert.deepEqual(await journal.read("staging"), [entry("status", "staging")]);
        assert.equal(journal.location, path.join(dir, "nested"));
    });

    it("reads a missing journal as empty", async () => {
        assert.deepEqual(await new FileJournal(dir).read("prod"), []);
    });

    it("skips a torn last line left by a killed run", async () => {
        const journal = new FileJournal(dir);
        await journal.append(entry("up region stack"));
        appendFileSync(path.join(dir, "prod.jsonl"), '{"at":"2026-03-01T09:01:00.000Z","runId":"ru');
        assert.deepEqual(await journal.read("prod"), [entry("up region stack")]);
    });

    it("starts the next run's entry on a fresh line after a torn one", async () => {
        await new FileJournal(dir).append(entry("first"));
        appendFileSync(path.join(dir, "prod.jsonl"), '{"at":"2026-03-01T09:01');
        const next = new FileJournal(dir);
        await next.append(entry("resumed"));
        await next.append(entry("after"));
        assert.deepEqual((await next.read("prod")).map((e) => e.event), ["first", "resumed", "after"]);
    });

    it("refuses an env that would name another path", async () => {
        await assert.rejects(new FileJournal(dir).append(entry("x", "../etc")), /invalid env name "..\/etc"/);
    });
});
