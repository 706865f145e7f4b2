import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { withFileLock } from "../../automation/real/fileLock";

describe("real/fileLock: one stack-file edit at a time across processes", () => {
    let dir: string;
    let locks: string;
    let target: string;
    const options = () => ({ dir: locks, pollMs: 10 });
    /** Plants the lock of `target` as another process would hold it. */
    const heldBy = async (holder: object) => {
        await withFileLock(target, async () => undefined, undefined, options());
        // The lock's file name is derived from the target; take it from a lock held once.
        let name = "";
        await withFileLock(target, async () => void (name = readdirSync(locks)[0]), undefined, options());
        writeFileSync(path.join(locks, name), JSON.stringify(holder));
        return path.join(locks, name);
    };

    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "filelock-"));
        locks = path.join(dir, "locks");
        target = path.join(dir, "Pulumi.region-prod-us-west-2.yaml");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("runs holders one after the other, and releases the lock when the work fails", async () => {
        const order: string[] = [];
        const first = withFileLock(target, async () => {
            order.push("first in");
            await new Promise((resolve) => setTimeout(resolve, 50));
            order.push("first out");
            throw new Error("up failed");
        }, undefined, options());
        const second = withFileLock(target, async () => void order.push("second"), undefined, options());
        await assert.rejects(first, /up failed/);
        await second;
        assert.deepEqual(order, ["first in", "first out", "second"]);
        assert.deepEqual(readdirSync(locks), []);
    });

    it("is the same lock whichever path names the file", async () => {
        symlinkSync(dir, path.join(dir, "alias"));
        const order: string[] = [];
        const slow = withFileLock(target, async () => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            order.push("direct");
        }, undefined, options());
        await withFileLock(path.join(dir, "alias", path.basename(target)), async () => void order.push("alias"), undefined, options());
        await slow;
        assert.deepEqual(order, ["direct", "alias"]);
    });

    it("takes over the lock of a dead process on this host", async () => {
        await heldBy({ pid: 2 ** 22 + 4242, host: hostname(), since: "2026-11-27T10:00:00Z" });
        assert.equal(await withFileLock(target, async () => "took over", undefined, options()), "took over");
    });

    it("waits for a live holder (here, one on another host), naming it, until cancelled", async () => {
        await heldBy({ pid: 1, host: "ci-runner-7", since: "2026-11-27T10:00:00Z" });
        const waits: string[] = [];
        const controller = new AbortController();
        const waiting = withFileLock(target, async () => "never", controller.signal, { ...options(), onWait: (holder) => waits.push(holder) });
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.abort(new Error("cancelled by SIGINT"));
        await assert.rejects(waiting, /cancelled by SIGINT/);
        assert.deepEqual(waits, ["pid 1 on ci-runner-7 since 2026-11-27T10:00:00Z"]);
    });

    it("an empty lock file (a writer killed by an older version, a full disk) does not block forever: once it stayed unreadable, it is removed, saying so", async () => {
        const lock = await heldBy({});
        writeFileSync(lock, "");
        const stale = new Date(Date.now() - 60_000);
        utimesSync(lock, stale, stale);
        const waits: string[] = [];
        assert.equal(await withFileLock(target, async () => "went ahead", undefined, { ...options(), onWait: (w) => waits.push(w) }), "went ahead");
        assert.match(waits[0], /an unreadable lock file .* removed/);
    });

    it("a lock file being written (unreadable a moment) is waited for, not removed", async () => {
        const lock = await heldBy({});
        writeFileSync(lock, "");
        let removedByItsWriter = false;
        setTimeout(() => {
            removedByItsWriter = existsSync(lock);
            rmSync(lock, { force: true });
        }, 50);
        const waits: string[] = [];
        assert.equal(await withFileLock(target, async () => "after", undefined, { ...options(), onWait: (w) => waits.push(w) }), "after");
        assert.ok(removedByItsWriter, "it was still there when its writer let go");
        assert.deepEqual(waits, []);
        assert.deepEqual(readdirSync(locks), [], "no draft left behind");
    });

    it("goes ahead once a live holder lets go", async () => {
        const lock = await heldBy({ pid: process.pid, host: hostname(), since: "now" });
        setTimeout(() => rmSync(lock), 50);
        assert.equal(await withFileLock(target, async () => "after", undefined, options()), "after");
    });
});
