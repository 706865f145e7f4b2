/**
 * What a command says about its engine (`--engine`, `--state`, the rehearsal-only flags), checked before any
 * engine is opened, and what every opening is handed: how to reach the process and what to check first.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { DriverPorts } from "../core/context";
import { BadInputError } from "../core/errors";
import { ProcessIdentity } from "../core/process";
import { Access } from "../../stacks/config/access";
import { Scenario, serviceProblems, unknownFaultRegions } from "../scenario/scenario";
import { EnvFacts } from "./facts";

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
    /** The command resolves what an interrupted run left (`--recover`): on local, an interrupted seeding too. */
    recover?: boolean;
}

export interface EngineIo {
    cwd: string;
    identity: ProcessIdentity;
    /** How `--crash-after` dies: exit 137 in the CLI. */
    die: () => Promise<never>;
    warn: (line: string) => void;
    /** Real ports for `--engine pulumi`, running as the env's role of `access`. */
    realPorts?: (env: string, access: Access) => Promise<DriverPorts>;
    /** `--engine` was not given: the command reads production by default, and says so when that fails here. */
    engineDefaulted?: boolean;
}

export interface OpenOptions {
    /** Sees the env's facts before anything is written. */
    validate?: (facts: EnvFacts) => void;
    /** The command changes nothing: never seed or otherwise write the state directory. */
    readOnly?: boolean;
    /** Which of the env's roles the command runs as on the pulumi engine. Default deploy. */
    access?: Access;
}

/** The state directory a sim or local command works in. */
export const stateDirOf = (options: EngineOptions, cwd: string) => path.resolve(cwd, options.state ?? `.mitene/${options.engine === "local" ? "local" : "sim"}`);

export function checkEngineOptions(options: EngineOptions): void {
    // The type says which engines exist; the command line can say anything.
    const engine: string = options.engine;
    if (!(ENGINES as readonly string[]).includes(engine)) throw new BadInputError(`--engine "${engine}" must be one of ${ENGINES.join(", ")}`);
    if (options.engine === "pulumi") {
        const simOnly = ([["state", "--state"], ["scenario", "--scenario"], ["crashAfter", "--crash-after"], ["crashDuring", "--crash-during"], ["stacks", "--stacks"]] as const).filter(([key]) => options[key] !== undefined);
        if (simOnly.length > 0) throw new BadInputError(`${simOnly.map(([, flag]) => flag).join(", ")} ${simOnly.length === 1 ? "works" : "work"} only with --engine sim or local`);
    }
    if (options.state !== undefined && options.state.trim() === "") throw new BadInputError(`--state "" names no directory`);
}

export function checkStateDir(stateDir: string, flag: string): void {
    if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw new BadInputError(`${flag} ${stateDir} is not a directory`);
    // A directory that does not exist yet must be creatable: its nearest existing ancestor is a directory.
    let ancestor = path.dirname(stateDir);
    while (!existsSync(ancestor)) ancestor = path.dirname(ancestor);
    if (!statSync(ancestor).isDirectory()) throw new BadInputError(`${flag} ${stateDir} is not writable: ENOTDIR, ${ancestor} is a file`);
}

/** Creates the state directory if needed and proves it writable, before anything is written into it. */
export function ensureWritable(stateDir: string): void {
    try {
        mkdirSync(stateDir, { recursive: true });
        accessSync(stateDir, constants.W_OK);
    } catch (error) {
        throw new BadInputError(`--state ${stateDir} is not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
}

/** A scenario fault for a region the env does not have would silently never act. */
export function checkScenario(scenario: Scenario, facts: EnvFacts, file: string): void {
    const unknown = unknownFaultRegions(scenario, facts.regions);
    if (unknown.length > 0) throw new BadInputError(`scenario file ${file}: fault for region ${unknown.map((r) => `"${r}"`).join(", ")}, which env ${facts.env} does not have (its regions: ${facts.regions.join(", ")})`);
    const problems = serviceProblems(scenario, facts.services);
    if (problems.length > 0) throw new BadInputError(`scenario file ${file}: ${problems.join("; ")}`);
}

/**
 * Said when the default engine (pulumi: production) cannot be read here: that production is what was read,
 * and how to read the rehearsals this directory holds instead. Production never falls back to them by itself.
 */
export function rehearsalHint(cwd: string): string {
    const states = (["sim", "local"] as const).filter((engine) => existsSync(path.resolve(cwd, `.mitene/${engine}`)));
    const other = states.length ? states.map((engine) => `the rehearsal in .mitene/${engine} is read with --engine ${engine}`).join(", ") : "--engine sim rehearses without AWS";
    return `(--engine pulumi, production, is the default; ${other})`;
}
