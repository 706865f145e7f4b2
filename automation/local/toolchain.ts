/**
 * What the local engine runs that is not Node code of this repository: the Pulumi CLI built from Go modules
 * (scripts/install-pulumi-cli.sh) and the AWS API emulator's Python (scripts/install-aws-emulator.sh), both
 * cached outside the work tree; and this repository's own plugins (the Node.js language host, the
 * fake-cloud providers). A missing piece is an error that says how to install it.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { CommandFailedError } from "../core/errors";
import { REPOSITORY_ROOT } from "./paths";
import { buildPlugins } from "./plugins";
import { bundledProgram } from "./program";

export { REPOSITORY_ROOT } from "./paths";

export interface Toolchain {
    /** The Pulumi CLI binary, and its version (the SDK's). */
    pulumi: string;
    pulumiVersion: string;
    /** Directory of `pulumi-language-nodejs`. */
    languageHostDir: string;
    /** Directory of `pulumi-resource-{aws,eks,awsx,kubernetes}`. */
    providersDir: string;
    /** Directory of the bundled stack program (program.ts). */
    programDir: string;
    /** The emulator's Python and server script (unused when MITENE_AWS_ENDPOINT names a running emulator). */
    emulatorPython: string;
    emulatorScript: string;
}

const INSTALL_HELP = "see docs/engines.md";

/** The SDK version the CLI must match (package.json pins it exactly). */
export function sdkVersion(): string {
    const pkg = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    return pkg.dependencies["@pulumi/pulumi"];
}

function toolsCache(env: NodeJS.ProcessEnv): string {
    return env.MITENE_TOOLS_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "mitene");
}

function cliVersion(binary: string): string | undefined {
    const result = spawnSync(binary, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    return result.status === 0 ? result.stdout.trim() : undefined;
}

/** MITENE_PULUMI_HOME (a directory holding `pulumi` or `bin/pulumi`), else the install script's cache, else PATH. */
export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): string {
    const wanted = `v${sdkVersion()}`;
    const candidates = env.MITENE_PULUMI_HOME
        ? [path.join(env.MITENE_PULUMI_HOME, "bin", "pulumi"), path.join(env.MITENE_PULUMI_HOME, "pulumi")]
        : [path.join(toolsCache(env), "pulumi-cli", wanted, "pulumi"), "pulumi"];
    const found: string[] = [];
    for (const candidate of candidates) {
        if (candidate !== "pulumi" && !existsSync(candidate)) continue;
        const version = cliVersion(candidate);
        if (version === wanted) return candidate;
        if (version) found.push(`${candidate} is ${version}`);
    }
    const seen = found.length > 0 ? ` (${found.join("; ")})` : "";
    throw new CommandFailedError(`the local engine needs the Pulumi CLI ${wanted}, the version of @pulumi/pulumi${seen}: build it with scripts/install-pulumi-cli.sh (Go 1.25+, about 8 minutes the first time), or point MITENE_PULUMI_HOME at one; ${INSTALL_HELP}`);
}

/** The emulator venv's Python, where scripts/install-aws-emulator.sh puts it (keyed by the pinned requirements). */
export function findEmulatorPython(env: NodeJS.ProcessEnv = process.env): string {
    if (env.MITENE_AWS_EMULATOR_PYTHON) return env.MITENE_AWS_EMULATOR_PYTHON;
    const requirements = readFileSync(path.join(REPOSITORY_ROOT, "tools", "aws-emulator", "requirements.txt"));
    const key = createHash("sha256").update(requirements).digest("hex").slice(0, 12);
    const python = path.join(toolsCache(env), "aws-emulator", key, "bin", "python");
    if (!existsSync(path.join(toolsCache(env), "aws-emulator", key, ".installed"))) {
        throw new CommandFailedError(`the local engine needs the AWS API emulator (moto): install it with scripts/install-aws-emulator.sh (Python 3.9+, PyPI), or set MITENE_AWS_ENDPOINT to a running one; ${INSTALL_HELP}`);
    }
    return python;
}

export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
    return {
        pulumi: findPulumiCli(env),
        pulumiVersion: sdkVersion(),
        ...buildPlugins(),
        programDir: bundledProgram(),
        emulatorPython: env.MITENE_AWS_ENDPOINT ? "" : findEmulatorPython(env),
        emulatorScript: path.join(REPOSITORY_ROOT, "tools", "aws-emulator", "serve.py"),
    };
}
