/**
 * Before the local suite: the Pulumi CLI built from Go modules and the AWS emulator must be installed. If one
 * is missing the suite stops at once, saying how to install it, rather than failing test after test. Then a
 * directory for the seeded states the suite's tests share (seededStates.ts), removed at the end, which stops
 * their emulators.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { findEmulatorPython, findPulumiCli } from "../../automation/local/toolchain";

export function mochaGlobalSetup(): void {
    const problems: string[] = [];
    for (const check of [findPulumiCli, findEmulatorPython]) {
        try {
            check();
        } catch (error) {
            problems.push((error as Error).message);
        }
    }
    if (problems.length > 0) {
        throw new Error(`npm run test:local needs the Pulumi CLI and the AWS emulator:\n${problems.map((p) => `  - ${p}`).join("\n")}\n  (scripts/install-pulumi-cli.sh && scripts/install-aws-emulator.sh; see docs/engines.md)`);
    }
    // The mocha jobs are started after this, with this environment.
    process.env.MITENE_LOCAL_SEEDS = mkdtempSync(path.join(tmpdir(), "mitene-local-seeds-"));
}

export function mochaGlobalTeardown(): void {
    if (process.env.MITENE_LOCAL_SEEDS) rmSync(process.env.MITENE_LOCAL_SEEDS, { recursive: true, force: true });
}
