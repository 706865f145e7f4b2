import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InputFileError, readInputFile } from "../../stacks/inputFile";

describe("input files: a regular file of bounded size, nothing else", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mitene-input-"));
    const file = path.join(dir, "f.json");
    writeFileSync(file, "0123456789");

    it("reads a regular file up to its bound", () => assert.equal(readInputFile(file, 10), "0123456789"));
    it("refuses a file one byte over its bound, naming the size", () => assert.throws(() => readInputFile(file, 9), (e: Error) => e instanceof InputFileError && /is 10 bytes, more than/.test(e.message)));
    it("refuses a directory", () => assert.throws(() => readInputFile(dir, 10), /is a directory/));
    it("refuses a device", () => assert.throws(() => readInputFile("/dev/zero", 10), /is not a regular file/));
    it("passes on what the system says of a missing file", () => assert.throws(() => readInputFile(path.join(dir, "none"), 10), (e: NodeJS.ErrnoException) => e.code === "ENOENT"));
});
