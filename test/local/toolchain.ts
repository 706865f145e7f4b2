/**
 * Before the local suite: the Pulumi CLI built from Go modules and the AWS emulator must be installed. If one
 * is missing the suite stops at once, saying how to install it, rather than failing test after test.
 */
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
}
