/**
 * Journal as JSON Lines, one file per env (`<dir>/<env>.jsonl`). Each entry is one write on a file opened
 * with O_APPEND, so entries never interleave and a run killed mid-write leaves at most one torn line, which
 * `read` skips and the next append starts a fresh line after.
 */
import { FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { journalFile } from "./journalLocation";
import { Journal, JournalEntry } from "../core/ports";

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

    /** Entries oldest first; lines that do not parse (torn by a kill) are skipped. */
    async read(env: string): Promise<JournalEntry[]> {
        let text: string;
        try {
            text = await readFile(this.file(env), "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
        return text.split("\n").flatMap((line) => {
            if (line === "") return [];
            try {
                return [JSON.parse(line) as JournalEntry];
            } catch {
                return [];
            }
        });
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
