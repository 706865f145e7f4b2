/**
 * Builds the ports of the engine a command asked for, after its input is validated: the sim engine seeds an
 * env it has never seen, so validation runs first on facts that need no seeding, and nothing is written
 * until the input is known good. On sim, read-only commands never write the state: an env not seeded yet is
 * shown from a throwaway copy seeded elsewhere. The local engine seeds for any command, as CONTRACT says
 * (its seed is a real deployment; a throwaway one would cost minutes per `status`).
 *
 * One file per engine beside this one (sim.ts, local.ts, pulumi.ts); they import options.ts and facts.ts,
 * never this file or each other.
 */
import { existsSync, statSync } from "node:fs";
import { DriverPorts } from "../core/context";
import { StateFileError } from "../core/errors";
import { isJournalEnvName, journalFile, stateJournalDir } from "../record/journalLocation";
import { loadScenario } from "../scenario/scenario";
import { EnvFacts } from "./facts";
import { EngineIo, EngineOptions, OpenOptions, checkEngineOptions, checkScenario, checkStateDir, ensureWritable, stateDirOf } from "./options";
import { DEFAULT_ACCESS } from "../../stacks/config/access";
import { openPulumiEngine } from "./pulumi";
import { openSimEngine } from "./sim";

/** A journal that cannot be appended to would fail the run after its lease was taken: refused before anything. */
function checkJournal(file: string): void {
    if (existsSync(file) && !statSync(file).isFile()) throw new StateFileError(`the journal ${file} is not a file (move it away; a run appends to it)`);
}

/** The local engine pulls in the Automation API and the AWS SDK, which the sim never needs: loaded on use. */
function loadLocalEngine(): typeof import("./local") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./local") as typeof import("./local");
}

/**
 * Opens the engine for `env`: `validate` sees the env's facts before the state is touched; then the sim seeds
 * the env if it has to (into a throwaway directory for read-only commands).
 */
export async function openEngine(options: EngineOptions, env: string, io: EngineIo, open: OpenOptions = {}): Promise<DriverPorts> {
    checkEngineOptions(options);
    const validate = open.validate ?? (() => undefined);
    if (options.engine === "pulumi") {
        const ports = await openPulumiEngine(env, io, validate, open.access ?? DEFAULT_ACCESS);
        checkJournal(ports.journal.locate(env));
        return ports;
    }
    const scenario = loadScenario(options.scenario);
    const stateDir = stateDirOf(options, io.cwd);
    checkStateDir(stateDir, "--state");
    if (isJournalEnvName(env)) checkJournal(journalFile(stateJournalDir(stateDir), env));
    if (options.engine === "local") {
        // Even a read-only command writes here: it starts the emulator, and seeds an empty state (CONTRACT).
        ensureWritable(stateDir);
        const checked = (facts: EnvFacts) => {
            validate(facts);
            checkScenario(scenario, facts, options.scenario!);
        };
        return loadLocalEngine().openLocalEngine(options, { stateDir, scenario }, env, io, checked);
    }
    return openSimEngine(options, { stateDir, scenario }, env, io, open, validate);
}
