/**
 * The README as a newcomer types it, on a machine with no Pulumi CLI: after the rehearsal of "Try it", every
 * `npx mitene` line of the README either reads that rehearsal, or (defaulting to production) says in one line
 * that it read production and how to read the rehearsal instead; it never reads the rehearsal by itself.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CommandFailedError } from "../../automation/core/errors";
import { cli, snapshot } from "../driver/harness";

const README = readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");

/** `npx mitene` lines of the README's shell blocks, comments dropped; not those with placeholders (`[`, `<`). */
const lines = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1].split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("npx mitene ") && !/[[<]/.test(line) && !line.includes("--engine local"));

const HINT = /\(--engine pulumi, production, is the default; the rehearsal in \.mitene\/sim is read with --engine sim\)|--engine pulumi, production, is the default; the rehearsal's journal \(\.mitene\/sim\) is read with --engine sim/;

describe("README, as a newcomer types it after the rehearsal", function () {
    this.timeout(120_000);
    const cwd = mkdtempSync(path.join(tmpdir(), "mitene-newcomer-"));
    const noPulumi = async (): Promise<never> => {
        throw new CommandFailedError("the Pulumi CLI (pulumi) is not installed or not on PATH");
    };

    before(async () => {
        // "Try a failure": the rehearsal with us-west-2 failing at 25%.
        const scenario = path.join(cwd, "bad.json");
        writeFileSync(scenario, JSON.stringify({ faults: [{ region: "us-west-2", color: "new", fromWeight: 25, errorRate: 0.08 }] }));
        const rehearsal = await cli(["rehearse", "--scenario", scenario], { cwd });
        assert.equal(rehearsal.code, 1, rehearsal.stderr);
    });

    it("shows such lines, for the rehearsal and for production", () => {
        assert.ok(lines.some((line) => line.includes("--engine sim")) && lines.some((line) => !line.includes("--engine")), lines.join("\n"));
    });

    for (const line of lines) {
        it(line, async () => {
            const before = snapshot(path.join(cwd, ".mitene", "sim"));
            // Words as the shell splits them: a double-quoted argument is one.
            const words = [...line.replace(/^npx mitene /, "").matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
            const run = await cli([...words, "--json"], { cwd, realPorts: noPulumi });
            const message = String(run.json?.error ?? "");
            if (line.includes("--engine sim")) {
                assert.equal(run.code, 0, `${line}: ${message}`);
                return;
            }
            // Production by default: no answer from the rehearsal, but one line saying how to get it.
            assert.notEqual(run.code, 0, `${line} read something`);
            assert.match(message, line.startsWith("npx mitene discard") ? /give --yes to confirm/ : HINT, line);
            assert.deepEqual(snapshot(path.join(cwd, ".mitene", "sim")), before, `${line} changed the rehearsal`);
        });
    }
});
