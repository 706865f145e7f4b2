/**
 * `mitene report`: what a run did, from the env's journal, as Markdown (job summaries, pull requests) or a
 * self-contained HTML page. Every input is checked before anything is read or written; the file is written
 * whole (a temporary file renamed over it) or not at all.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BadInputError } from "../core/errors";
import { refuseRecord } from "../core/records";
import { DEFAULT_STATE_DIR, EngineKind, isJournalEnvName, journalFile, realJournalDir, stateJournalDir } from "../record/journalLocation";
import { renderHtml } from "../report/html";
import { parseJournal, listRuns, latestRun } from "../report/journal";
import { renderMarkdown } from "../report/markdown";
import { buildRun } from "../report/model";
import { committedEnvs } from "../programs/committedStacks";

export const REPORT_FORMATS = ["md", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportFlags {
    env: string;
    run?: string;
    format: string;
    out: string;
    engine: string;
    /** sim and local: the state directory (default per engine). */
    state?: string;
}

export interface ReportResult {
    env: string;
    runId: string;
    /** e.g. "upgrade of prod to Kubernetes 1.35". */
    title: string;
    /** The run's outcome (`interrupted` when it has no end entry). */
    result: string;
    format: ReportFormat;
    out: string;
    journal: string;
    /** Journal lines that were not valid entries and were left out. */
    skippedLines: number;
}

export interface ReportIo {
    cwd: string;
    /** Where MITENE_JOURNAL_DIR is read from. */
    settings: NodeJS.ProcessEnv;
}

function checkFormat(format: string): ReportFormat {
    const known: readonly string[] = REPORT_FORMATS;
    if (!known.includes(format)) throw new BadInputError(`--format "${format}" must be md or html`);
    return format as ReportFormat;
}

function journalDir(flags: ReportFlags, io: ReportIo): string {
    const engine = flags.engine as EngineKind;
    if (engine === "pulumi") {
        if (flags.state !== undefined) throw new BadInputError(`--state "${flags.state}" only works with --engine sim or local (the pulumi engine's journal is in MITENE_JOURNAL_DIR)`);
        return realJournalDir(io.cwd, io.settings);
    }
    if (engine !== "sim" && engine !== "local") throw new BadInputError(`--engine "${flags.engine}" must be sim, local or pulumi`);
    const state = path.resolve(io.cwd, flags.state ?? DEFAULT_STATE_DIR[engine]);
    if (existsSync(state) && !statSync(state).isDirectory()) throw new BadInputError(`--state "${flags.state ?? state}" is not a directory`);
    return stateJournalDir(state);
}

/** The output file: not a directory, in a directory that exists and can be written. */
function checkOut(out: string, cwd: string): string {
    const file = path.resolve(cwd, out);
    if (existsSync(file) && statSync(file).isDirectory()) throw new BadInputError(`--out "${out}" is a directory; give a file name`);
    const dir = path.dirname(file);
    if (!existsSync(dir)) throw new BadInputError(`--out "${out}": directory ${dir} does not exist`);
    if (!statSync(dir).isDirectory()) throw new BadInputError(`--out "${out}": ${dir} is not a directory`);
    try {
        accessSync(dir, constants.W_OK);
    } catch {
        throw new BadInputError(`--out "${out}": directory ${dir} is not writable`);
    }
    return file;
}

/** Envs the journal directory has files for. */
function journaledEnvs(dir: string): string[] {
    try {
        return readdirSync(dir).flatMap((f) => (f.endsWith(".jsonl") ? [f.slice(0, -".jsonl".length)] : []));
    } catch {
        return [];
    }
}

function readJournal(env: string, dir: string): string {
    const known = [...new Set([...committedEnvs(), ...journaledEnvs(dir)])].sort();
    if (!isJournalEnvName(env) || !known.includes(env)) throw new BadInputError(`unknown env "${env}": known envs are ${known.join(", ")}`);
    const file = journalFile(dir, env);
    try {
        return readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new BadInputError(`no journal for env ${env}: ${file} does not exist (no run of ${env} was recorded there; see --engine and --state)`);
        throw new BadInputError(`cannot read the journal ${file}: ${code ?? (error as Error).message}`);
    }
}

/** Writes `content` to `file` in one piece: a temporary file beside it, renamed over it. */
function writeWhole(file: string, out: string, content: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        writeFileSync(temporary, content, { flag: "wx" });
        renameSync(temporary, file);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw new BadInputError(`--out "${out}": cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
}

const lines = (count: number) => `${count} line${count === 1 ? "" : "s"}`;

export function reportCommand(flags: ReportFlags, io: ReportIo): ReportResult {
    const format = checkFormat(flags.format);
    const dir = journalDir(flags, io);
    const file = checkOut(flags.out, io.cwd);
    const text = readJournal(flags.env, dir);
    const journal = journalFile(dir, flags.env);
    const { entries, skipped, invalid } = parseJournal(text);
    if (invalid.length > 0) refuseRecord(`journal ${journal}`, invalid);
    const runs = listRuns(entries);
    if (runs.length === 0) {
        throw new BadInputError(`the journal ${journal} has no run in it${skipped.length ? ` (${lines(skipped.length)} could not be read: torn by a kill)` : ""}`);
    }
    const run = flags.run === undefined ? latestRun(runs)! : runs.find((r) => r.runId === flags.run);
    if (!run) {
        const latest = runs.slice(-5).reverse().map((r) => `${r.runId} (${r.title})`);
        throw new BadInputError(`unknown run "${flags.run}" in ${journal}; the latest runs are: ${latest.join("; ")}`);
    }
    const model = buildRun(entries, run.runId, skipped);
    writeWhole(file, flags.out, format === "md" ? renderMarkdown(model) : renderHtml(model));
    return { env: flags.env, runId: model.runId, title: model.title, result: model.result, format, out: file, journal, skippedLines: skipped.length };
}

export function formatReport(result: ReportResult): string {
    const skipped = result.skippedLines > 0 ? `; ${lines(result.skippedLines)} of the journal could not be read and ${result.skippedLines === 1 ? "was" : "were"} skipped` : "";
    return `wrote ${result.out}: ${result.title}, ${result.result.replace(/_/g, " ")} (run ${result.runId}${skipped})`;
}
