/**
 * Builds the ports of the engine a command asked for, after its input is validated: the sim engine seeds
 * an env it has never seen, so validation runs first on facts that need no seeding.
 */
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { BadInputError } from "./errors";
import { DriverPorts } from "./context";
import { EnvFacts, factsFromCommitted, factsFromView, requireKnownEnv } from "./facts";
import { observeEnv } from "./fleet";
import { CrashPlan, ProcessIdentity } from "./process";
import { createSimPorts } from "./sim/ports";
import { loadScenario } from "./scenario/scenario";
import { needsSeeding, seedEnv } from "./sim/seed";
import { committedEnvs } from "./committedStacks";
import { SimStore } from "./sim/store";

export interface EngineOptions {
    engine: "sim" | "local" | "pulumi";
    /** State directory of the sim and local engines; default `.mitene/<engine>`. */
    state?: string;
    scenario?: string;
    crashAfter?: number;
    crashDuring?: number;
    /** Stack files to seed the sim from. Default: the repository's stacks/. */
    stacks?: string;
}

export interface EngineIo {
    cwd: string;
    identity: ProcessIdentity;
    /** How `--crash-after` dies: exit 137 in the CLI. */
    die: () => Promise<never>;
    warn: (line: string) => void;
    /** Real ports for `--engine pulumi`. */
    realPorts?: (env: string) => Promise<DriverPorts>;
}

export function checkEngineOptions(options: EngineOptions): void {
    // The type says sim | local | pulumi; the command line can say anything.
    const engine: string = options.engine;
    if (engine !== "sim" && engine !== "local" && engine !== "pulumi") throw new BadInputError(`--engine "${engine}" must be sim, local or pulumi`);
    if (options.engine === "pulumi") {
        const simOnly = (
            [["scenario", "--scenario"], ["crashAfter", "--crash-after"], ["crashDuring", "--crash-during"], ["stacks", "--stacks"]] as const
        ).filter(([key]) => options[key] !== undefined);
        if (simOnly.length > 0) throw new BadInputError(`${simOnly.map(([, flag]) => flag).join(", ")} only work with --engine sim or local`);
    }
}

/** The local engine pulls in the Automation API and the AWS SDK, which the sim never needs: loaded on use. */
function loadLocalEngine(): typeof import("./wiring/openLocal") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./wiring/openLocal") as typeof import("./wiring/openLocal");
}

/**
 * Opens the engine for `env`: `validate` sees the env's facts before the sim state is touched; then the sim
 * seeds the env if it has to.
 */
export async function openEngine(options: EngineOptions, env: string, io: EngineIo, validate: (facts: EnvFacts) => void = () => undefined): Promise<DriverPorts> {
    checkEngineOptions(options);
    if (options.engine === "pulumi") {
        if (!io.realPorts) throw new Error("the pulumi engine is not available in this build");
        const ports = await io.realPorts(env);
        const facts = factsFromView(await observeEnv(ports.engine, env));
        requireKnownEnv(facts, []);
        validate(facts);
        return ports;
    }
    const state = options.state ?? `.mitene/${options.engine}`;
    if (options.engine === "local") return loadLocalEngine().openLocalEngine({ ...options, state }, env, io, validate);
    const scenario = loadScenario(options.scenario);
    const stateDir = path.resolve(io.cwd, state);
    if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw new BadInputError(`--state ${state} is not a directory`);
    const stacksDir = options.stacks === undefined ? undefined : path.resolve(io.cwd, options.stacks);
    const store = new SimStore(stateDir);
    const seeding = needsSeeding(store, env);
    const known = committedEnvs(stacksDir);
    const facts = seeding ? factsFromCommitted(env, stacksDir) : factsFromView(await observeEnv(createSimPorts({ stateDir, env, scenario, identity: io.identity }).engine, env));
    requireKnownEnv(facts, known);
    validate(facts);
    if (seeding) {
        const stacks = await seedEnv(store, env, stacksDir);
        io.warn(`sim: seeded ${stateDir} with env ${env} from the committed stack files (${stacks.length} stacks)`);
    }
    const crash: CrashPlan | undefined =
        options.crashAfter !== undefined || options.crashDuring !== undefined ? { after: options.crashAfter, during: options.crashDuring, die: io.die } : undefined;
    return createSimPorts({ stateDir, env, scenario, identity: io.identity, crash, stacksDir });
}
