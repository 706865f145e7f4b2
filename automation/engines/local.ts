/**
 * Opening the local engine for an env: input is validated on facts that need nothing running (the committed
 * stack files, while the env is not seeded yet), then the toolchain is found, the state's AWS emulator started
 * or reused and given the account's preconditions, and an env never seen is seeded (localSeed.ts).
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { opsStack, parseStackName } from "../../components/naming";
import { readStackFile } from "../../stacks/stackFiles";
import { committedEnvs } from "../programs/committedStacks";
import { DriverPorts } from "../core/context";
import type { EngineIo, EngineOptions } from "./options";
import { BadInputError } from "../core/errors";
import { EnvFacts, factsFromCommitted, factsFromView, requireKnownEnv } from "./facts";
import { EnvView, observeEnv } from "../core/fleet";
import { refuseRecord } from "../core/records";
import { configProblems } from "../core/stackConfigs";
import { CrashPlan } from "../core/process";
import { DEFAULT_SCENARIO, Scenario } from "../scenario/scenario";
import { AccountPreconditions, ensureEmulator, provisionAccount } from "../local/emulator";
import { LEASE_REGION, LocalPorts, createLocalPorts } from "./localPorts";
import { needsSeeding, seedLocalEnv } from "./localSeed";
import { findToolchain } from "../local/toolchain";
import { withFileLock } from "../real/fileLock";
import { killRunningCommands } from "../real/pulumiCommand";

/** The SSM parameters the committed Ops stacks read (their SSO client secrets), with stand-in values. */
function accountPreconditions(stacksDir: string | undefined): AccountPreconditions {
    const parameters = committedEnvs(stacksDir).flatMap((env) => {
        const config = readStackFile(opsStack(env), stacksDir) as { "mitene:region"?: string; "mitene:argocd"?: { sso?: { clientSecretParameter?: string } } };
        const name = config["mitene:argocd"]?.sso?.clientSecretParameter;
        return name && config["mitene:region"] ? [{ region: config["mitene:region"], name, value: `local-stand-in-for-${name}` }] : [];
    });
    return { leaseRegion: LEASE_REGION, parameters };
}

/** What the history knows must match the stacks: a CLI killed with the driver may have finished an update. */
async function reconcileHistory(ports: LocalPorts, stateDir: string, env: string): Promise<void> {
    const historyFile = path.join(stateDir, "history.json");
    const since = existsSync(historyFile) ? statSync(historyFile).mtimeMs : 0;
    // The file backend keeps each stack's checkpoint at .pulumi/stacks/<project>/<stack>.json.
    const checkpoint = (stack: string) => path.join(stateDir, "backend", ".pulumi", "stacks", "mitene", `${stack}.json`);
    for (const stack of await ports.engine.listStacks()) {
        if (parseStackName(stack)?.env !== env || !existsSync(checkpoint(stack)) || statSync(checkpoint(stack)).mtimeMs <= since) continue;
        const state = await ports.engine.getStack(stack);
        if (state?.outputs) ports.history.record(stack, state.outputs, ports.clock.now());
        else ports.history.forget(stack);
    }
}

/** The stack files of the state's project, as the programs will read them: one changed by hand is refused now. */
function checkStackFiles(stateDir: string, view: EnvView): void {
    const stacks = [...(view.ops ? [view.ops] : []), ...view.regions.flatMap((region) => [region, ...Object.values(region.clusters)])];
    for (const { stack, config } of stacks) {
        const problems = configProblems(stack, config);
        if (problems.length > 0) refuseRecord(`stack file ${path.join(stateDir, "project", "stacks", `Pulumi.${stack}.yaml`)}`, problems);
    }
}

/** Where and how the local engine opens: open.ts has checked the state directory and loaded the scenario. */
export interface LocalOpening {
    stateDir: string;
    scenario: Scenario;
}

/**
 * Only what the stop-the-line switch needs (the emulator's lease table, the journal, the clock): `halt` must not
 * wait for an env to be seeded.
 */
export async function openLocalControl(stateDir: string, env: string, io: EngineIo): Promise<DriverPorts> {
    const toolchain = findToolchain();
    mkdirSync(stateDir, { recursive: true });
    const { endpoint } = await ensureEmulator(stateDir, toolchain);
    await provisionAccount(endpoint, accountPreconditions(undefined));
    return createLocalPorts({ stateDir, env, scenario: DEFAULT_SCENARIO, identity: io.identity, toolchain, endpoint, warn: io.warn });
}

export async function openLocalEngine(options: EngineOptions, opening: LocalOpening, env: string, io: EngineIo, validate: (facts: EnvFacts) => void): Promise<DriverPorts> {
    if (options.crashDuring !== undefined) throw new BadInputError("--crash-during works with --engine sim only: on the local engine, kill the process (its Pulumi CLI runs in a process group of its own)");
    const { stateDir, scenario } = opening;
    const stacksDir = options.stacks === undefined ? undefined : path.resolve(io.cwd, options.stacks);
    const known = committedEnvs(stacksDir);
    const seeding = needsSeeding(stateDir, env);
    if (seeding) {
        const facts = factsFromCommitted(env, stacksDir);
        requireKnownEnv(facts, known);
        validate(facts);
    }
    const toolchain = findToolchain();
    mkdirSync(stateDir, { recursive: true });
    // Two runs on a fresh state must not start two emulators: one starts it, the other finds it.
    const { endpoint } = await withFileLock(path.join(stateDir, "emulator.json"), () => ensureEmulator(stateDir, toolchain));
    await provisionAccount(endpoint, accountPreconditions(stacksDir));
    // A crash is the machine dying: the Pulumi CLIs in flight (another region's) die with the driver.
    const die = () => (killRunningCommands(), io.die());
    const crash: CrashPlan | undefined = options.crashAfter !== undefined ? { after: options.crashAfter, die } : undefined;
    const ports = createLocalPorts({ stateDir, env, scenario, identity: io.identity, toolchain, endpoint, crash, stacksDir, warn: io.warn });
    if (seeding && (await seedLocalEnv(ports, stateDir, env, stacksDir, io, options.recover ?? false))) return ports;
    await reconcileHistory(ports, stateDir, env);
    const view = await observeEnv(ports.engine, env);
    checkStackFiles(stateDir, view);
    const facts = factsFromView(view);
    requireKnownEnv(facts, known);
    validate(facts);
    return ports;
}
