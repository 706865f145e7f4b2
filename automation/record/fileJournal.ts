/**
 * Journal as JSON Lines, one file per env (`<dir>/<env>.jsonl`). Each entry is one write on a file opened
 * with O_APPEND, so entries never interleave and a run killed mid-write leaves at most one torn line, which
 * `read` skips and the next append starts a fresh line after.
 */
import { FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { z } from "zod";
import { journalFile } from "./journalLocation";
import { JOURNAL_PHASES, Journal, JournalEntry } from "../core/ports";
import { isoTime, recordProblems, refuseRecord } from "../core/records";

const entrySchema = z.strictObject({
    at: isoTime,
    atMinutes: z.number().min(0).max(1e9).optional(),
    runId: z.string().min(1),
    env: z.string().min(1),
    region: z.string().min(1).optional(),
    event: z.string(),
    phase: z.enum(JOURNAL_PHASES),
    result: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
});

export class FileJournal implements Journal {
    /** Envs whose file this process has already checked for a torn last line. */
    private readonly checked = new Set<string>();

    constructor(readonly location: string) {}

    locate(env: string): string {
        return this.file(env);
    }

    async append(entry: JournalEntry): Promise<void> {
        await mkdir(this.location, { recursive: true });
        const file = await open(this.file(entry.env), "a+");
        try {
            // A torn line from a killed run has no newline: start ours on the next line or both are lost.
            const prefix = this.checked.has(entry.env) || (await endsLine(file)) ? "" : "\n";
            await file.write(`${prefix}${JSON.stringify(entry)}\n`);
            this.checked.add(entry.env);
        } finally {
            await file.close();
        }
    }

    /**
     * Entries oldest first; lines that do not parse (torn by a kill) are skipped, but a line that parses and is
     * not an entry of this env was written by something else: refused, naming the line and the field.
     */
    async read(env: string): Promise<JournalEntry[]> {
        const file = this.file(env);
        let text: string;
        try {
            text = await readFile(file, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
        const problems: string[] = [];
        const entries = text.split("\n").flatMap((line, index) => {
            if (line === "") return [];
            let entry: unknown;
            try {
                entry = JSON.parse(line);
            } catch {
                return [];
            }
            const found = recordProblems(entrySchema, entry, [`line ${index + 1}`]);
            if (found.length === 0 && (entry as JournalEntry).env !== env) found.push(`line ${index + 1}.env: ${JSON.stringify((entry as JournalEntry).env)}, but this is the journal of ${env}`);
            problems.push(...found);
            return [entry as JournalEntry];
        });
        if (problems.length > 0) refuseRecord(`journal ${file}`, problems);
        return entries;
    }

    private file(env: string): string {
        return journalFile(this.location, env);
    }
}

async function endsLine(file: FileHandle): Promise<boolean> {
    const { size } = await file.stat();
    if (size === 0) return true;
    const { buffer } = await file.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
}
