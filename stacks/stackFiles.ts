/**
 * The committed stack files (`stacks/Pulumi.<stack>.yaml`) as data: read them into the flat key/value form
 * the Pulumi engine hands a program, and write config changes back the way `pulumi config set` would.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { parseDocument, stringify } from "yaml";
import { MiB, readInputFile } from "./inputFile";

export const STACKS_DIR = path.resolve(__dirname);
const FILE_PATTERN = /^Pulumi\.(.+)\.yaml$/;

/**
 * A stack file, or the directory of them, that cannot be read as one: bad input (exit 2 in the CLI, which reads
 * `exitCode`), named with the file and what is wrong there.
 */
export class StackFileError extends Error {
    readonly exitCode = 2;
}

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** A stack's configuration as the engine passes it: fully qualified keys, structured values as JSON. */
export interface EngineConfig {
    values: Record<string, string>;
    /** Keys whose values are `secure:` ciphertext in the file. */
    secretKeys: string[];
}

/** Structured YAML values (objects, lists) travel as JSON strings; scalars as their string form. */
export function toEngineValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** A `secure:` (encrypted) config value. */
export const isSecure = (value: unknown): value is { secure: string } =>
    typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { secure?: unknown }).secure === "string" && Object.keys(value).length === 1;

/** Flattens a stack file's `config:` map. Secure values cannot be decrypted here: they get a stand-in. */
export function engineConfig(config: Record<string, unknown>): EngineConfig {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (isSecure(value)) {
            secretKeys.push(key);
            values[key] = `secret-stand-in-for-${key}`;
        } else {
            values[key] = toEngineValue(value);
        }
    }
    return { values, secretKeys };
}

/** The `config:` map of a stack file's text. */
export function parseStackFileText(text: string, file: string): Record<string, unknown> {
    const document = parseDocument(text);
    // YAML syntax and duplicate keys; the parser's message names the line and shows it.
    if (document.errors.length > 0) throw new StackFileError(`stack file ${file}: ${document.errors[0].message.trimEnd()}`);
    let content: { config?: Record<string, unknown> } | null;
    try {
        content = document.toJS() as typeof content;
    } catch (error) {
        // Resolving aliases can fail (the parser's bound on alias expansion): the file, not the tool, is at fault.
        throw new StackFileError(`stack file ${file}: ${(error as Error).message}`);
    }
    if (content !== null && (typeof content !== "object" || Array.isArray(content))) throw new StackFileError(`stack file ${file}: expected a map with "config:"`);
    if (content?.config != null && (typeof content.config !== "object" || Array.isArray(content.config))) {
        throw new StackFileError(`stack file ${file}: "config" must be a map`);
    }
    return content?.config ?? {};
}

export const stackFilePath = (stack: string, dir = STACKS_DIR) => path.join(dir, `Pulumi.${stack}.yaml`);

export function readStackFile(stack: string, dir = STACKS_DIR): Record<string, unknown> {
    const file = stackFilePath(stack, dir);
    let text: string;
    try {
        text = readInputFile(file, 4 * MiB);
    } catch (error) {
        throw new StackFileError(`stack file ${file} cannot be read: ${reason(error)}`);
    }
    return parseStackFileText(text, file);
}

/** Stack names with a file in `dir`, sorted; a directory without any is no set of stack files. */
export function listStacks(dir = STACKS_DIR): string[] {
    let entries: string[];
    try {
        entries = readdirSync(dir);
    } catch (error) {
        throw new StackFileError(`stack files directory ${dir} cannot be read: ${reason(error)}`);
    }
    const stacks = entries
        .map((f) => f.match(FILE_PATTERN)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
    if (stacks.length === 0) throw new StackFileError(`stack files directory ${dir} has no stack files (Pulumi.<stack>.yaml)`);
    return stacks;
}

/** Stack file text for a config map, with a leading comment. */
export function stackFileText(config: Record<string, unknown>, comment?: string): string {
    const header = comment ? comment.split("\n").map((line) => `# ${line}`).join("\n") + "\n" : "";
    return header + stringify({ config }, { lineWidth: 0 });
}
