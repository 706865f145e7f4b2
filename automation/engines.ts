/**
 * Builds the ports of the engine a command asked for, after its input is validated: the sim engine seeds an
 * env it has never seen, so validation runs first on facts that need no seeding, and nothing is written
 * until the input is known good. On sim, read-only commands never write the state: an env not seeded yet is
 * shown from a throwaway copy seeded elsewhere. The local engine seeds for any command, as CONTRACT says
 * (its seed is a real deployment; a throwaway one would cost minutes per `status`).
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseStackName } from "../components/naming";
import { Access, DEFAULT_ACCESS } from "../stacks/config/access";
import { BadInputError, StateDamagedError } from "./errors";
import { DriverPorts } from "./context";
import { EnvFacts, factsFromCommitted, factsFromView, requireKnownEnv } from "./facts";
import { observeEnv } from "./fleet";
import { CrashPlan, ProcessIdentity } from "./process";
import { createSimPorts } from "./sim/ports";
import { Scenario, loadScenario, unknownFaultRegions } from "./scenario/scenario";
import { needsSeeding, seedEnv, seedRecords } from "./sim/seed";
import { committedEnvs } from "./committedStacks";
import { SimStore } from "./sim/store";

export type EngineKind = "sim" | "local" | "pulumi";
export const ENGINES: readonly EngineKind[] = ["pulumi", "sim", "local"];

export interface EngineOptions {
    engine: EngineKind;
    /** State directory of the sim and local engines; default `.mitene/<engine>`. */
    state?: string;
    scenario?: string;
    crashAfter?: number;
    crashDuring?: number;
    /** Stack files to seed from. Default: the repository's stacks/. */
    stacks?: string;
}

export interface EngineIo {
    cwd: string;
    identity: ProcessIdentity;
    /** How `--crash-after` dies: exit 137 in the CLI. */
    die: () => Promise<never>;
    warn: (line: string) => void;
    /** Real ports for `--engine pulumi`, running as the env's role of `access`. */
    realPorts?: (env: string, access: Access) => Promise<DriverPorts>;
}

/** The state directory a sim or local command works in. */
export const stateDirOf = (options: EngineOptions, cwd: string) => path.resolve(cwd, options.state ?? `.mitene/${options.engine === "local" ? "local" : "sim"}`);

export function checkEngineOptions(options: EngineOptions): void {
    // The type says which engines exist; the command line can say anything.
    const engine: string = options.engine;
    if (!(ENGINES as readonly string[]).includes(engine)) throw new BadInputError(`--engine "${engine}" must be one of ${ENGINES.join(", ")}`);
    if (options.engine === "pulumi") {
        const simOnly = ([["state", "--state"], ["scenario", "--scenario"], ["crashAfter", "--crash-after"], ["crashDuring", "--crash-during"], ["stacks", "--stacks"]] as const).filter(([key]) => options[key] !== undefined);
        if (simOnly.length > 0) throw new BadInputError(`${simOnly.map(([, flag]) => flag).join(", ")} only work with --engine sim or local`);
    }
    if (options.state !== undefined && options.state.trim() === "") throw new BadInputError(`--state "" names no directory`);
}

function checkStateDir(stateDir: string, flag: string): void {
    if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw new BadInputError(`${flag} ${stateDir} is not a directory`);
    // A directory that does not exist yet must be creatable: its nearest existing ancestor is a directory.
    let ancestor = path.dirname(stateDir);
    while (!existsSync(ancestor)) ancestor = path.dirname(ancestor);
    if (!statSync(ancestor).isDirectory()) throw new BadInputError(`${flag} ${stateDir} is not writable: ENOTDIR, ${ancestor} is a file`);
}

/** Creates the state directory if needed and proves it writable, before anything is written into it. */
function ensureWritable(stateDir: string): void {
    try {
        mkdirSync(stateDir, { recursive: true });
        accessSync(stateDir, constants.W_OK);
    } catch (error) {
        throw new BadInputError(`--state ${stateDir} is not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
}

export interface OpenOptions {
    /** Sees the env's facts before anything is written. */
    validate?: (facts: EnvFacts) => void;
    /** The command changes nothing: never seed or otherwise write the state directory. */
    readOnly?: boolean;
    /** Which of the env's roles the command runs as on the pulumi engine. Default deploy. */
    access?: Access;
}

/**
 * A seeding marker means an interrupted seeding, which is redone; but if the env's stacks already differ from
 * what seeding writes, runs have happened since and the marker cannot be trusted: refuse, naming it.
 */
async function checkSeedingMarker(store: SimStore, env: string, stacksDir: string | undefined): Promise<void> {
    const marker = path.join(store.dir, `seeding-${env}`);
    if (!existsSync(marker)) return;
    const seeded = new Map((await seedRecords(env, stacksDir)).map((r) => [r.name, JSON.stringify(r.outputs)]));
    const changed = store.stackNames().filter((name) => parseStackName(name)?.env === env && seeded.get(name) !== JSON.stringify(store.readStack(name)?.outputs));
    if (changed.length > 0) {
        throw new StateDamagedError(`${marker} says env ${env} is being seeded, but its stacks ${changed.join(", ")} were changed since: remove the marker if no seeding runs, or start from an empty --state`, [marker]);
    }
}

/** The local engine pulls in the Automation API and the AWS SDK, which the sim never needs: loaded on use. */
function loadLocalEngine(): typeof import("./wiring/openLocal") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./wiring/openLocal") as typeof import("./wiring/openLocal");
}

/**
 * Opens the engine for `env`: `validate` sees the env's facts before the state is touched; then the sim seeds
 * the env if it has to (into a throwaway directory for read-only commands).
 */
export async function openEngine(options: EngineOptions, env: string, io: EngineIo, open: OpenOptions = {}): Promise<DriverPorts> {
    checkEngineOptions(options);
    const validate = open.validate ?? (() => undefined);
    if (options.engine === "pulumi") {
        if (!io.realPorts) throw new Error("the pulumi engine is not available in this build");
        const ports = await io.realPorts(env, open.access ?? DEFAULT_ACCESS);
        const facts = factsFromView(await observeEnv(ports.engine, env));
        requireKnownEnv(facts, []);
        validate(facts);
        return ports;
    }
    const scenario = loadScenario(options.scenario);
    const stateDir = stateDirOf(options, io.cwd);
    checkStateDir(stateDir, "--state");
    if (options.engine === "local") {
        // Even a read-only command writes here: it starts the emulator, and seeds an empty state (CONTRACT).
        ensureWritable(stateDir);
        const checked = (facts: EnvFacts) => {
            validate(facts);
            checkScenario(scenario, facts, options.scenario!);
        };
        return loadLocalEngine().openLocalEngine(options, { stateDir, scenario }, env, io, checked);
    }
    const stacksDir = options.stacks === undefined ? undefined : path.resolve(io.cwd, options.stacks);
    const store = new SimStore(stateDir);
    const seeded = store.stackNames().some((name) => parseStackName(name)?.env === env);
    // A read-only command shows what is there, even beside an interrupted seeding's marker.
    const seeding = open.readOnly ? !seeded : needsSeeding(store, env);
    const known = committedEnvs(stacksDir);
    const facts = seeding ? factsFromCommitted(env, stacksDir) : factsFromView(await observeEnv(createSimPorts({ stateDir, env, scenario, identity: io.identity }).engine, env));
    requireKnownEnv(facts, known);
    validate(facts);
    checkScenario(scenario, facts, options.scenario!);
    if (seeding && open.readOnly) {
        const scratch = path.join(mkdtempSync(path.join(tmpdir(), "mitene-status-")), "state");
        await seedEnv(new SimStore(scratch), env, stacksDir);
        io.warn(`sim: ${stateDir} holds no state for env ${env} yet: showing the committed stack files (nothing was written)`);
        return createSimPorts({ stateDir: scratch, env, scenario, identity: io.identity, stacksDir });
    }
    if (!open.readOnly) ensureWritable(stateDir);
    if (seeding) {
        await checkSeedingMarker(store, env, stacksDir);
        const stacks = await seedEnv(store, env, stacksDir);
        io.warn(`sim: seeded ${stateDir} with env ${env} from the committed stack files (${stacks.length} stacks)`);
    }
    const crash: CrashPlan | undefined =
        options.crashAfter !== undefined || options.crashDuring !== undefined ? { after: options.crashAfter, during: options.crashDuring, die: io.die } : undefined;
    return createSimPorts({ stateDir, env, scenario, identity: io.identity, crash, stacksDir });
}

/** A scenario fault for a region the env does not have would silently never act. */
function checkScenario(scenario: Scenario, facts: EnvFacts, file: string): void {
    const unknown = unknownFaultRegions(scenario, facts.regions);
    if (unknown.length > 0) throw new BadInputError(`scenario file ${file}: fault for region ${unknown.map((r) => `"${r}"`).join(", ")}, which env ${facts.env} does not have (its regions: ${facts.regions.join(", ")})`);
}
