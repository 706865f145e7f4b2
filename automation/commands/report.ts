/**
 * `mitene report`: what a run did, from the env's journal, as Markdown (job summaries, pull requests) or a
 * self-contained HTML page; or (`--list`) the runs the journal holds. Every input is checked before anything is
 * read or written. The report goes where it is told and nowhere else: to stdout (no `--out`, or `--out -`), or
 * into the file named, written whole (a temporary file renamed over it, through a symbolic link to the file it
 * names); a device or a pipe (`/dev/stdout`, `/dev/null`, a FIFO) is written into, never replaced.
 */
import { accessSync, constants, existsSync, fstatSync, lstatSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BadInputError } from "../core/errors";
import { refuseRecord } from "../core/records";
import { count, resultName } from "../core/wording";
import { DEFAULT_STATE_DIR, EngineKind, isJournalEnvName, journalFile, realJournalDir, stateJournalDir } from "../record/journalLocation";
import { renderHtml } from "../report/html";
import { ReadEntry, parseJournal, listRuns, latestRun } from "../report/journal";
import { renderMarkdown } from "../report/markdown";
import { buildRun } from "../report/model";
import { committedEnvs } from "../programs/committedStacks";

export const REPORT_FORMATS = ["md", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportFlags {
    env: string;
    run?: string;
    format: string;
    /** A file; `-` or absent: stdout. */
    out?: string;
    engine: string;
    /** sim and local: the state directory (default per engine). */
    state?: string;
    /** List the journal's runs instead of reporting one. */
    list?: boolean;
    /** `--engine` was not given: a missing production journal says where the rehearsals' are. */
    engineDefaulted?: boolean;
}

export interface ReportResult {
    env: string;
    runId: string;
    /** e.g. "upgrade of prod to Kubernetes 1.35". */
    title: string;
    /** The run's outcome (`interrupted` when it has no end entry). */
    result: string;
    format: ReportFormat;
    /** The file written; null when the report went to stdout (then it is in `content`). */
    out: string | null;
    /** The report itself, when it goes to stdout. */
    content?: string;
    journal: string;
    /** Journal lines that were not valid entries and were left out. */
    skippedLines: number;
}

export interface RunListing {
    env: string;
    journal: string;
    /** Oldest first; the latest is the one `report` picks without --run. */
    runs: { runId: string; title: string; result: string; startedAt: string; latest: boolean }[];
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

/** Where the report goes: null for stdout (no --out, `-`, or a path that is this process's own stdout). */
export function outTarget(out: string | undefined, cwd: string, flag = "--out"): string | null {
    if (out === undefined || out === "-") return null;
    const file = path.resolve(cwd, out);
    if (existsSync(file)) {
        const stat = statSync(file);
        if (stat.isDirectory()) throw new BadInputError(`${flag} "${out}" is a directory; give a file name`);
        if (stat.isSocket()) throw new BadInputError(`${flag} "${out}" is a socket; give a file name`);
        const stdout = ownStdout();
        if (stdout && stat.dev === stdout.dev && stat.ino === stdout.ino) return null;
        return file;
    }
    const dir = path.dirname(file);
    if (!existsSync(dir)) throw new BadInputError(`${flag} "${out}": directory ${dir} does not exist`);
    if (!statSync(dir).isDirectory()) throw new BadInputError(`${flag} "${out}": ${dir} is not a directory`);
    try {
        accessSync(dir, constants.W_OK);
    } catch {
        throw new BadInputError(`${flag} "${out}": directory ${dir} is not writable`);
    }
    return file;
}

function ownStdout() {
    try {
        return fstatSync(1);
    } catch {
        return undefined;
    }
}

/**
 * Writes `content` to `file`: a regular file (or a new one) in one piece, a temporary file beside it renamed
 * over it (through a symbolic link: beside the file it points to, so the link stays); anything else (a device,
 * a FIFO) is written into as it is.
 */
function writeReport(file: string, out: string, content: string): void {
    const failed = (error: unknown) => new BadInputError(`--out "${out}": cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    const exists = existsSync(file);
    if (exists && !statSync(file).isFile()) {
        try {
            writeFileSync(file, content, { flag: "a" });
        } catch (error) {
            throw failed(error);
        }
        return;
    }
    const target = exists && lstatSync(file).isSymbolicLink() ? realpathSync(file) : file;
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        writeFileSync(temporary, content, { flag: "wx" });
        renameSync(temporary, target);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw failed(error);
    }
}

/** Envs the journal directory has files for. */
function journaledEnvs(dir: string): string[] {
    try {
        return readdirSync(dir).flatMap((f) => (f.endsWith(".jsonl") ? [f.slice(0, -".jsonl".length)] : []));
    } catch {
        return [];
    }
}

/** Where the rehearsals' journals of `env` are, for a reader of production's journal that found none. */
function rehearsalJournals(env: string, io: ReportIo): string {
    const found = (["sim", "local"] as const).filter((engine) => existsSync(journalFile(stateJournalDir(path.resolve(io.cwd, DEFAULT_STATE_DIR[engine])), env)));
    const other = found.length ? found.map((engine) => `the rehearsal's journal (${DEFAULT_STATE_DIR[engine]}) is read with --engine ${engine}`).join(", ") : `${env} has no rehearsal either (npm run rehearse)`;
    return `--engine pulumi, production, is the default; ${other}`;
}

function readJournal(flags: ReportFlags, dir: string, io: ReportIo): string {
    const env = flags.env;
    const known = [...new Set([...committedEnvs(), ...journaledEnvs(dir)])].sort();
    if (!isJournalEnvName(env) || !known.includes(env)) throw new BadInputError(`unknown env "${env}": known envs are ${known.join(", ")}`);
    const file = journalFile(dir, env);
    if (existsSync(file) && !statSync(file).isFile()) throw new BadInputError(`the journal ${file} is not a file`);
    try {
        return readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
            const elsewhere = flags.engineDefaulted && flags.engine === "pulumi" ? rehearsalJournals(env, io) : "see --engine and --state";
            throw new BadInputError(`no journal for env ${env}: ${file} does not exist, no run of ${env} was recorded there (${elsewhere})`);
        }
        throw new BadInputError(`cannot read the journal ${file}: ${code ?? (error as Error).message}`);
    }
}

interface ReadJournal {
    file: string;
    entries: ReadEntry[];
    skipped: number[];
}

function journalOf(flags: ReportFlags, io: ReportIo): ReadJournal {
    const dir = journalDir(flags, io);
    const { entries, skipped, invalid } = parseJournal(readJournal(flags, dir, io));
    const file = journalFile(dir, flags.env);
    // A line that is JSON but not an entry was changed by hand: refused, not believed (torn lines are skipped).
    if (invalid.length > 0) refuseRecord(`journal ${file}`, invalid);
    return { file, entries, skipped };
}

const unreadable = (skipped: number) => (skipped ? ` (${count(skipped, "line")} could not be read: torn by a kill)` : "");

export function reportCommand(flags: ReportFlags, io: ReportIo): ReportResult {
    const format = checkFormat(flags.format);
    const target = outTarget(flags.out, io.cwd);
    const journal = journalOf(flags, io);
    const runs = listRuns(journal.entries);
    if (runs.length === 0) throw new BadInputError(`the journal ${journal.file} has no run in it${unreadable(journal.skipped.length)}`);
    const run = flags.run === undefined ? latestRun(runs)! : runs.find((r) => r.runId === flags.run);
    if (!run) {
        const latest = runs.slice(-5).reverse().map((r) => `${r.runId} (${r.title})`);
        throw new BadInputError(`unknown run "${flags.run}" in ${journal.file}; the latest runs are: ${latest.join("; ")} (mitene report --list shows them all)`);
    }
    const model = buildRun(journal.entries, run.runId, journal.skipped);
    const content = format === "md" ? renderMarkdown(model) : renderHtml(model);
    if (target !== null) writeReport(target, flags.out!, content);
    const result = { env: flags.env, runId: model.runId, title: model.title, result: model.result, format, out: target, journal: journal.file, skippedLines: journal.skipped.length };
    return target === null ? { ...result, content } : result;
}

/** `report --list`: every run of the env's journal, with what it set out to do and how it ended. */
export function listReportRuns(flags: ReportFlags, io: ReportIo): RunListing {
    for (const [given, flag] of [[flags.run, "--run"], [flags.out, "--out"]] as const) {
        if (given !== undefined) throw new BadInputError(`--list lists the runs; ${flag} "${given}" picks a report: give one or the other`);
    }
    const journal = journalOf(flags, io);
    const latest = latestRun(listRuns(journal.entries))?.runId;
    const runs = listRuns(journal.entries).map((run) => {
        const model = buildRun(journal.entries, run.runId);
        return { runId: run.runId, title: model.title, result: model.result, startedAt: model.startedAt, latest: run.runId === latest };
    });
    return { env: flags.env, journal: journal.file, runs, skippedLines: journal.skipped.length };
}

export function formatReport(result: ReportResult): string {
    if (result.content !== undefined) return result.content.trimEnd();
    const skipped = result.skippedLines > 0 ? `; ${count(result.skippedLines, "line")} of the journal could not be read and ${result.skippedLines === 1 ? "was" : "were"} skipped` : "";
    return `wrote ${result.out}: ${result.title}, ${resultName(result.result)} (run ${result.runId}${skipped})`;
}

export function formatRunListing(listing: RunListing): string {
    if (listing.runs.length === 0) return `no run of ${listing.env} in ${listing.journal}${unreadable(listing.skippedLines)}`;
    const rows = listing.runs.map((r) => `  ${r.runId.padEnd(22)} ${r.startedAt.slice(0, 16).replace("T", " ")}  ${resultName(r.result).padEnd(13)} ${r.title}${r.latest ? "  (latest)" : ""}`);
    return [`runs of ${listing.env} in ${listing.journal}:`, ...rows].join("\n");
}
