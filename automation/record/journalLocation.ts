/**
 * Where each engine keeps the journal: under the state directory on sim and local, and on the pulumi engine
 * in MITENE_JOURNAL_DIR (default .mitene/journal, which CI uploads as an artifact). One file per env.
 */
import * as path from "node:path";

export type EngineKind = "sim" | "local" | "pulumi";

/** `--state` when not given. */
export const DEFAULT_STATE_DIR: Record<Exclude<EngineKind, "pulumi">, string> = { sim: ".mitene/sim", local: ".mitene/local" };

/** The journal directory of a sim or local state directory. */
export const stateJournalDir = (stateDir: string) => path.join(stateDir, "journal");

/** The pulumi engine's journal directory. */
export const realJournalDir = (cwd: string, settings: NodeJS.ProcessEnv) => path.resolve(cwd, settings.MITENE_JOURNAL_DIR ?? ".mitene/journal");

/** Env names become file names: they never name a path. */
export const isJournalEnvName = (env: string) => /^[a-z0-9][a-z0-9-]*$/.test(env);

export function journalFile(dir: string, env: string): string {
    if (!isJournalEnvName(env)) throw new Error(`journal: invalid env name ${JSON.stringify(env)}`);
    return path.join(dir, `${env}.jsonl`);
}
