/**
 * Reads and edits `Pulumi.<stack>.yaml` through the `yaml` Document API, so an edit changes only the values it
 * must: comments, key order, quoting and flow style survive, and a weight change is a two-line diff in the
 * pull request that commits it. Secret (`secure:`) values are never rewritten, moved or dropped.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Document, YAMLMap, isMap, isNode, isScalar, isSeq, parseDocument, visit } from "yaml";
import { isSecure } from "../../stacks/stackFiles";
import { ConfigChanges, StackConfig } from "../core/ports";

/** How the files were written: re-serialising an untouched committed file gives it back byte for byte. */
const FORMAT = { lineWidth: 0, flowCollectionPadding: false };

/** Project name and stack-file directory from `Pulumi.yaml` (`stackConfigDir`, else the project root). */
export function readProject(workDir: string): { project: string; stacksDir: string } {
    const settings = parse(path.join(workDir, "Pulumi.yaml")).toJS() as { name?: unknown; stackConfigDir?: unknown };
    if (typeof settings.name !== "string") throw new Error(`${workDir}/Pulumi.yaml: no project name`);
    const dir = typeof settings.stackConfigDir === "string" ? settings.stackConfigDir : ".";
    return { project: settings.name, stacksDir: path.resolve(workDir, dir) };
}

/** Keys without a namespace belong to the project, as Pulumi reads them. */
const qualify = (key: string, project: string) => (key.includes(":") ? key : `${project}:${key}`);


function containsSecure(value: unknown): boolean {
    if (isSecure(value)) return true;
    return typeof value === "object" && value !== null && Object.values(value).some(containsSecure);
}

function parse(file: string): Document {
    const document = parseDocument(readFileSync(file, "utf8"));
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    return document;
}

/** The stack's `config:` with fully qualified keys; structured values as objects, secrets as `{secure}`. */
export function readStackConfig(file: string, project: string): StackConfig {
    if (!existsSync(file)) return {};
    const config = (parse(file).toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [qualify(key, project), value]));
}

/** Applies `changes` to the file (creating it if missing), writing it atomically. */
export function editStackConfig(file: string, project: string, changes: ConfigChanges): void {
    const document = existsSync(file) ? parse(file) : new Document({});
    let config = document.get("config");
    if (!isMap(config)) {
        config = new YAMLMap();
        document.set("config", config);
    }
    const map = config as YAMLMap;
    // The key as the file spells it (`weights` or `mitene:weights`), so an edit never duplicates a key.
    const spelled = (key: string) => map.items.find((pair) => qualify(String(isScalar(pair.key) ? pair.key.value : pair.key), project) === qualify(key, project))?.key;
    for (const key of changes.remove ?? []) {
        const existing = spelled(key);
        if (existing === undefined) continue;
        guard(map.get(existing, true), key, "remove");
        map.delete(existing);
    }
    for (const [key, value] of Object.entries(changes.set ?? {})) {
        const existing = spelled(key);
        map.set(existing ?? key, assign(document, existing === undefined ? undefined : map.get(existing, true), value, key));
    }
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, document.toString(FORMAT));
    renameSync(temporary, file);
}

/** Replaces the whole config (keeping the file's other keys, such as a passphrase `encryptionsalt`). */
export function writeStackConfig(file: string, project: string, config: StackConfig): void {
    const wanted = new Set(Object.keys(config).map((key) => qualify(key, project)));
    const remove = Object.keys(readStackConfig(file, project)).filter((key) => !wanted.has(key));
    editStackConfig(file, project, { set: config, remove });
}

function guard(node: unknown, key: string, action: string): void {
    if (containsSecure(isNode(node) ? node.toJSON() : node)) throw new Error(`refusing to ${action} ${key}: it holds a secret value, change it with \`pulumi config set --secret\``);
}

/**
 * The node for `value`, reusing `node` where the shape matches so that comments and styles on it (and on
 * everything inside it) stay; a secret is kept only when set to itself.
 */
function assign(document: Document, node: unknown, value: unknown, key: string): unknown {
    if (isMap(node) && isSecure(node.toJSON())) {
        if (JSON.stringify(node.toJSON()) === JSON.stringify(value)) return node;
        guard(node, key, "overwrite");
    }
    if (isSecure(value)) throw new Error(`refusing to write ${key}: a \`secure:\` value is ciphertext of another stack; pass its plaintext as a secret`);
    if (isMap(node) && typeof value === "object" && value !== null && !Array.isArray(value)) {
        for (const pair of [...node.items]) {
            const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
            if (!(name in value)) {
                guard(pair.value, `${key}.${name}`, "remove");
                node.delete(pair.key);
            }
        }
        for (const [name, inner] of Object.entries(value)) node.set(name, assign(document, node.get(name, true), inner, `${key}.${name}`));
        return node;
    }
    if (isSeq(node) && Array.isArray(value)) {
        node.items.slice(value.length).forEach((item, i) => guard(item, `${key}[${value.length + i}]`, "remove"));
        node.items = value.map((inner, i) => assign(document, node.items[i], inner, `${key}[${i}]`));
        return node;
    }
    // Same type: keep the scalar node, so a quoted "1.34" stays quoted as "1.35" and its comment stays.
    if (isScalar(node) && typeof node.value === typeof value) {
        node.value = value;
        return node;
    }
    guard(node, key, "overwrite");
    const created = document.createNode(value);
    // New lists of plain values in flow style, `[a, b]`, like the committed files.
    visit(created, { Seq: (_, seq) => void (seq.flow = seq.items.every(isScalar)) });
    if (isScalar(node)) [created.comment, created.commentBefore] = [node.comment, node.commentBefore];
    return created;
}
