/**
 * `diff`: what a change does to the resource graphs, as Markdown for a pull-request comment. Same input,
 * same text: stacks, resources and inputs are sorted; long values are shortened; secrets stay masked.
 */
import { AWS_REPLACEMENTS } from "./awsReplacements";
import { RenderedResource, RenderedStack } from "./render";

export interface InputChange {
    path: string;
    before: unknown;
    after: unknown;
}

export interface StackDiff {
    stack: string;
    status: "added" | "removed" | "changed" | "unchanged";
    added: string[];
    /** Resources the change deletes (their stack keeps running without them). */
    removed: string[];
    changed: { resource: string; changes: InputChange[] }[];
    /** Changed resources the provider replaces (delete and create), with the inputs that force it. */
    replaced: { resource: string; inputs: string[] }[];
}

/**
 * Inputs whose change makes the provider replace a resource instead of updating it, by type; `*` for every type
 * of a provider. Read from the providers, not guessed:
 * - `awsx:ec2:Vpc`: the properties marked `willReplaceOnChanges` in the pulumi-awsx schema (head of 2026-08-20,
 *   provider/cmd/pulumi-resource-awsx/schema.json). The pulumi-eks 4.3.0 schema marks none of Cluster's or
 *   ManagedNodeGroup's inputs.
 * - `kubernetes:*`: pulumi-kubernetes replaces any object whose `metadata.name` or `metadata.namespace` changes
 *   (provider/pkg/provider/diff.go, metadataForceNewProperties), and a Helm release whose `name` or `namespace`
 *   changes (helm_release.go, forceNewFields).
 * - `aws:*`: the inputs the Terraform provider it bridges marks ForceNew, with their sources (`awsReplacements.ts`).
 */
const REPLACE_ON_CHANGES: { type: RegExp; inputs: RegExp }[] = [
    { type: /^awsx:ec2:Vpc$/, inputs: /^(ipv4IpamPoolId|ipv4NetmaskLength)$/ },
    { type: /^kubernetes:helm\.sh\/v3:Release$/, inputs: /^(name|namespace)$/ },
    { type: /^kubernetes:(?!helm\.sh)/, inputs: /^metadata\.(name|namespace)$/ },
];

/** An input path's top-level name: `cidrBlocks[0]` and `accessScope.type` are `cidrBlocks` and `accessScope`. */
const topLevel = (path: string) => path.split(/[.[]/)[0];

/** Whether changing this input replaces an AWS resource: listed for its type, or its region moved between two set values. */
function replacesAws(type: string, change: InputChange): boolean {
    const entry = AWS_REPLACEMENTS[type];
    if (!entry) return false;
    const name = topLevel(change.path);
    if (name === "region") return entry.regional && change.before !== undefined && change.after !== undefined;
    return entry.inputs.includes(name);
}

/** The changed input paths that make the provider replace a resource of `type`. */
export function replacingInputs(type: string, changes: InputChange[]): string[] {
    const rules = REPLACE_ON_CHANGES.filter((rule) => rule.type.test(type));
    return changes
        .filter((c) => replacesAws(type, c) || rules.some((rule) => rule.inputs.test(c.path.replace(/\[\d+\]$/, ""))))
        .map((c) => c.path);
}

const key = (r: RenderedResource) => `${r.type}::${r.name}`;

/** Flattens inputs to `a.b[0].c` paths; JSON held in strings (IAM policies) is opened up too. */
export function flatten(value: unknown, prefix = "", into: Map<string, unknown> = new Map()): Map<string, unknown> {
    if (typeof value === "string" && /^\s*[[{]/.test(value)) {
        try {
            return flatten(JSON.parse(value), prefix, into);
        } catch {
            // Not JSON after all: a plain string.
        }
    }
    if (Array.isArray(value)) {
        if (value.length === 0) into.set(prefix, []);
        value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, into));
    } else if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0) into.set(prefix, {});
        for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, into);
    } else {
        into.set(prefix, value);
    }
    return into;
}

/**
 * A forward action's weight row says which color it is (`targetGroups[green].weight`), read from the target
 * group's name in the ARN beside it, instead of a list index a reviewer cannot place.
 */
function colorPath(path: string, values: Map<string, unknown>): string {
    const match = path.match(/^(.*targetGroups)\[(\d+)\]\.weight$/);
    if (!match) return path;
    const arn = values.get(`${match[1]}[${match[2]}].arn`);
    const color = typeof arn === "string" ? arn.match(/targetgroup\/[^/]*-(blue|green)(?:\/|$)/)?.[1] : undefined;
    return color ? `${match[1]}[${color}].weight` : path;
}

export function inputChanges(before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
    const a = flatten(before);
    const b = flatten(after);
    const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
    return paths
        .filter((p) => a.has(p) !== b.has(p) || JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
        .map((p) => ({ path: colorPath(p, b.has(p) ? b : a), before: a.has(p) ? a.get(p) : undefined, after: b.has(p) ? b.get(p) : undefined }));
}

export function diffStacks(base: RenderedStack[], head: RenderedStack[]): StackDiff[] {
    const names = [...new Set([...base.map((s) => s.stack), ...head.map((s) => s.stack)])].sort();
    return names.map((stack) => {
        const before = base.find((s) => s.stack === stack);
        const after = head.find((s) => s.stack === stack);
        const old = new Map((before?.resources ?? []).map((r) => [key(r), r]));
        const next = new Map((after?.resources ?? []).map((r) => [key(r), r]));
        const added = [...next.keys()].filter((k) => !old.has(k)).sort();
        const removed = [...old.keys()].filter((k) => !next.has(k)).sort();
        const changed = [...next.keys()]
            .filter((k) => old.has(k))
            .sort()
            .map((resource) => ({ resource, changes: inputChanges(old.get(resource)!.inputs, next.get(resource)!.inputs) }))
            .filter((c) => c.changes.length > 0);
        const status = !before ? "added" : !after ? "removed" : added.length + removed.length + changed.length > 0 ? "changed" : "unchanged";
        const replaced = changed
            .map(({ resource, changes }) => ({ resource, inputs: replacingInputs(resource.split("::")[0], changes) }))
            .filter((r) => r.inputs.length > 0);
        return { stack, status, added, removed, changed, replaced };
    });
}

const MAX = 80;

/** A value as it appears in a table cell: JSON, shortened in the middle, pipes escaped. */
export function cell(value: unknown): string {
    if (value === undefined) return "_(none)_";
    let text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.length > MAX) text = `${text.slice(0, 50)}…${text.slice(-20)} (${text.length} chars)`;
    return "`" + text.replace(/`/g, "'").replace(/\|/g, "\\|").replace(/\n/g, "\\n") + "`";
}

export function diffMarkdown(diffs: StackDiff[]): string {
    const touched = diffs.filter((d) => d.status !== "unchanged");
    if (touched.length === 0) return "## Infrastructure diff\n\nNo infrastructure changes.\n";
    const lines = ["## Infrastructure diff", "", "| stack | | added | **deleted** | **replaced** | changed |", "|---|---|---:|---:|---:|---:|"];
    for (const d of touched) lines.push(`| \`${d.stack}\` | ${d.status === "removed" ? "**removed**" : d.status} | ${d.added.length} | ${d.removed.length} | ${d.replaced.length} | ${d.changed.length} |`);
    for (const d of touched) {
        lines.push("", `### \`${d.stack}\` (${d.status})`);
        for (const resource of d.added) lines.push(`- **+** \`${resource}\``);
        for (const resource of d.removed) lines.push(`- **− deleted** \`${resource}\``);
        for (const { resource, changes } of d.changed) {
            const replacing = d.replaced.find((r) => r.resource === resource);
            const heading = replacing ? `**± replaced** \`${resource}\` (${replacing.inputs.map((i) => `\`${i}\``).join(", ")} forces a new one)` : `**~** \`${resource}\``;
            lines.push("", heading, "", "| input | before | after |", "|---|---|---|");
            for (const change of changes) lines.push(`| \`${change.path}\` | ${cell(change.before)} | ${cell(change.after)} |`);
        }
    }
    return lines.join("\n") + "\n";
}
