import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { FileBackend } from "../../automation/real/fileBackend";

describe("real/fileBackend: a DIY file backend read from disk", () => {
    let root: string;
    let backend: FileBackend;
    const stacks = () => path.join(root, ".pulumi", "stacks", "mitene");
    const latest = { manifest: { time: "t" }, resources: [{ urn: "urn:pulumi:ops-prod::mitene::pulumi:pulumi:Stack::mitene-ops-prod", type: "pulumi:pulumi:Stack" }] };
    const writeCheckpoint = (name: string, version = 3) => writeFileSync(path.join(stacks(), name), JSON.stringify({ version, checkpoint: { stack: "organization/mitene/ops-prod", latest } }));

    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), "backend-"));
        mkdirSync(stacks(), { recursive: true });
        writeFileSync(path.join(root, ".pulumi", "meta.yaml"), "version: 1\n");
        // The URL the local engine uses carries query options (metadata=skip): they name no directory.
        backend = FileBackend.forBackend(`${pathToFileURL(root).href}?metadata=skip`)!;
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("reads only file:// backends", () => {
        assert.equal(FileBackend.forBackend("s3://state-bucket"), undefined);
        assert.equal(FileBackend.forBackend("https://api.pulumi.com"), undefined);
        assert.equal(FileBackend.forBackend(undefined), undefined);
    });

    it("a checkpoint reads as `pulumi stack export` prints it: its version and the latest deployment", () => {
        writeCheckpoint("ops-prod.json");
        assert.deepEqual(backend.checkpoint("mitene", "ops-prod"), { exists: true, deployment: { version: 3, deployment: latest } });
    });

    it("no checkpoint in the project's directory: no such stack", () => {
        assert.deepEqual(backend.checkpoint("mitene", "ops-prod"), { exists: false });
    });

    it("lists the project's stacks from their checkpoints, backups left out", () => {
        writeCheckpoint("ops-prod.json");
        writeCheckpoint("region-prod-us-west-2.json");
        writeFileSync(path.join(stacks(), "ops-prod.json.bak"), "");
        assert.deepEqual(backend.stacks("mitene")?.sort(), ["ops-prod", "region-prod-us-west-2"]);
        assert.deepEqual(backend.stacks("other"), []);
        writeFileSync(path.join(stacks(), "ops-prod.json.gz"), "");
        assert.equal(backend.stacks("mitene"), undefined);
    });

    it("leaves to the CLI what it does not know: compression, another layout, another checkpoint version, a project it has no directory for", () => {
        const cases: [string, () => void, string][] = [
            ["gzip", () => (writeCheckpoint("ops-prod.json"), writeFileSync(path.join(stacks(), "ops-prod.json.gz"), "")), "mitene"],
            ["zstd", () => writeFileSync(path.join(stacks(), "ops-prod.json.zst"), ""), "mitene"],
            ["legacy layout", () => writeFileSync(path.join(root, ".pulumi", "meta.yaml"), "version: 0\n"), "mitene"],
            ["version 2", () => writeCheckpoint("ops-prod.json", 2), "mitene"],
            ["other project", () => undefined, "other"],
        ];
        for (const [name, arrange, project] of cases) {
            rmSync(root, { recursive: true, force: true });
            mkdirSync(stacks(), { recursive: true });
            writeFileSync(path.join(root, ".pulumi", "meta.yaml"), "version: 1\n");
            arrange();
            assert.equal(backend.checkpoint(project, "ops-prod"), undefined, name);
        }
    });

    it("names a lock's holder and whether it is alive: a dead pid here is dead, any pid on another host is alive", () => {
        const locks = path.join(root, ".pulumi", "locks", "organization", "mitene", "ops-prod");
        mkdirSync(locks, { recursive: true });
        const dead = 2 ** 22 + 12345;
        writeFileSync(path.join(locks, "a.json"), JSON.stringify({ pid: dead, username: "ci", hostname: hostname(), timestamp: "2026-11-27T10:00:00Z" }));
        writeFileSync(path.join(locks, "b.json"), JSON.stringify({ pid: dead, username: "ci", hostname: "ci-runner-7", timestamp: "2026-11-27T10:00:00Z" }));
        const holders = backend.holders("organization", "mitene", "ops-prod");
        assert.deepEqual(holders.map((h) => [path.basename(h.file), h.live]).sort(), [["a.json", false], ["b.json", true]]);
        backend.release(holders.find((h) => !h.live)!);
        assert.deepEqual(backend.holders("organization", "mitene", "ops-prod").map((h) => path.basename(h.file)), ["b.json"]);
        assert.throws(() => backend.release(holders.find((h) => h.live)!), /refusing to remove the lock of a live update/);
    });
});
