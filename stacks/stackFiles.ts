/**
 * The committed stack files (`stacks/Pulumi.<stack>.yaml`) as data: read them into the flat key/value form
 * the Pulumi engine hands a program, and write config changes back the way `pulumi config set` would.
 */
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parseDocument, stringify } from "yaml";

export const STACKS_DIR = path.resolve(__dirname);
const FILE_PATTERN = /^Pulumi\.(.+)\.yaml$/;

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
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    const content = (document.toJS() ?? {}) as { config?: Record<string, unknown> };
    if (content.config !== undefined && (typeof content.config !== "object" || Array.isArray(content.config))) {
        throw new Error(`${file}: "config" must be a map`);
    }
    return content.config ?? {};
}

export const stackFilePath = (stack: string, dir = STACKS_DIR) => path.join(dir, `Pulumi.${stack}.yaml`);

export function readStackFile(stack: string, dir = STACKS_DIR): Record<string, unknown> {
    const file = stackFilePath(stack, dir);
    return parseStackFileText(readFileSync(file, "utf8"), file);
}

/** Stack names with a committed file, sorted. */
export function listStacks(dir = STACKS_DIR): string[] {
    return readdirSync(dir)
        .map((f) => f.match(FILE_PATTERN)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Stack file text for a config map, with a leading comment. */
export function stackFileText(config: Record<string, unknown>, comment?: string): string {
    const header = comment ? comment.split("\n").map((line) => `# ${line}`).join("\n") + "\n" : "";
    return header + stringify({ config }, { lineWidth: 0 });
}
