/**
 * Opening the sim engine: an env it has never seen is validated on the committed stack files it would be
 * seeded with, then seeded; read-only commands never write the state, an env not seeded yet is shown from a
 * throwaway copy seeded elsewhere.
 */
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseStackName } from "../../components/naming";
import { DriverPorts } from "../core/context";
import { StateDamagedError } from "../core/errors";
import { CrashPlan } from "../core/process";
import { committedEnvs } from "../programs/committedStacks";
import { Scenario } from "../scenario/scenario";
import { createSimPorts, readState } from "../sim/ports";
import { needsSeeding, seedEnv, seedRecords } from "../sim/seed";
import { SimStore } from "../sim/store";
import { EnvFacts, factsFromCommitted, factsFromView, requireKnownEnv } from "./facts";
import { EngineIo, EngineOptions, OpenOptions, checkScenario, ensureWritable } from "./options";

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

/** Where the sim engine opens: open.ts has checked the state directory and loaded the scenario. */
export interface SimOpening {
    stateDir: string;
    scenario: Scenario;
}

export async function openSimEngine(options: EngineOptions, opening: SimOpening, env: string, io: EngineIo, open: OpenOptions, validate: (facts: EnvFacts) => void): Promise<DriverPorts> {
    const { stateDir, scenario } = opening;
    const stacksDir = options.stacks === undefined ? undefined : path.resolve(io.cwd, options.stacks);
    const store = new SimStore(stateDir);
    const seeded = store.stackNames().some((name) => parseStackName(name)?.env === env);
    // A read-only command shows what is there, even beside an interrupted seeding's marker.
    const seeding = open.readOnly ? !seeded : needsSeeding(store, env);
    const known = committedEnvs(stacksDir);
    const facts = seeding ? factsFromCommitted(env, stacksDir) : factsFromView(await readState(createSimPorts({ stateDir, env, scenario, identity: io.identity }), env));
    requireKnownEnv(facts, known);
    validate(facts);
    checkScenario(scenario, facts, options.scenario!);
    if (seeding && open.readOnly) {
        const scratch = path.join(mkdtempSync(path.join(tmpdir(), "mitene-status-")), "state");
        // The other envs of the state stay visible (plan and preflight read the env before this one in the cycle).
        if (existsSync(stateDir)) cpSync(stateDir, scratch, { recursive: true });
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
