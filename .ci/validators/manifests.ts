/**
 * Kubernetes manifests from a render (`mitene render --env E --out DIR`), for checkov and pluto.
 *
 *   node --import tsx .ci/validators/manifests.ts --render DIR --out DIR
 *
 * writes `<out>/<stack>.yaml` (one document per `kubernetes:*` resource the stack creates, its inputs as the
 * manifest) for every stack that has one, and prints what it wrote and what it could not.
 *
 * Not covered: Helm releases (`kubernetes:helm.sh/*`). Their manifests are the charts' templates, which need the
 * charts themselves (and `helm template`), not reachable here; only the release's own inputs are in the graph.
 * The same holds for `kubernetes:yaml/*` and `kubernetes:kustomize/*`, whose content is files, not inputs.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { RenderedResource, RenderedStack } from "../../automation/programs/render";

export interface Manifest {
    /** `type::name` in the graph, for tracing a finding back to the resource. */
    resource: string;
    body: Record<string, unknown>;
}

export interface StackManifests {
    stack: string;
    manifests: Manifest[];
    /** Resources that are Kubernetes objects but whose manifests are not in the graph (Helm releases, files). */
    notTemplated: string[];
}

/** Types whose objects the graph does not hold: a chart or files expand into them at deploy time. */
const NOT_IN_GRAPH = /^kubernetes:(helm\.sh|yaml|kustomize)\//;
/** `kubernetes:<group>/<version>:<Kind>`; the core group is spelled `core/v1`, its apiVersion is `v1`. */
const KUBERNETES_TYPE = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/;

/** apiVersion and kind of a Kubernetes resource type; undefined for any other type. */
export function apiOfType(type: string): { apiVersion: string; kind: string } | undefined {
    const match = type.match(KUBERNETES_TYPE);
    if (!match || NOT_IN_GRAPH.test(type)) return undefined;
    return { apiVersion: match[1].replace(/^core\//, ""), kind: match[2] };
}

/**
 * The object Pulumi would send: its inputs, with apiVersion and kind from the type when absent, and the
 * resource name as metadata.name when the program left naming to Pulumi (it adds a random suffix).
 * Secret payloads are masked in a render (one string instead of a map): they are left out, not invented.
 */
export function manifestOf(resource: RenderedResource): Manifest | undefined {
    const api = apiOfType(resource.type);
    if (!api) return undefined;
    const inputs = resource.inputs;
    const metadata = (typeof inputs.metadata === "object" && inputs.metadata !== null ? inputs.metadata : {}) as Record<string, unknown>;
    const body: Record<string, unknown> = { ...inputs, apiVersion: inputs.apiVersion ?? api.apiVersion, kind: inputs.kind ?? api.kind, metadata: { name: resource.name, ...metadata } };
    for (const field of ["data", "stringData", "binaryData"]) {
        if (typeof body[field] === "string") delete body[field];
    }
    return { resource: `${resource.type}::${resource.name}`, body };
}

export function stackManifests(graph: RenderedStack): StackManifests {
    const manifests: Manifest[] = [];
    const notTemplated: string[] = [];
    for (const resource of graph.resources) {
        if (NOT_IN_GRAPH.test(resource.type)) {
            const { chart, version } = resource.inputs as { chart?: unknown; version?: unknown };
            notTemplated.push(`${resource.type}::${resource.name}${typeof chart === "string" ? ` (${chart}${typeof version === "string" ? `@${version}` : ""})` : ""}`);
            continue;
        }
        const manifest = manifestOf(resource);
        if (manifest) manifests.push(manifest);
    }
    return { stack: graph.stack, manifests, notTemplated };
}

/** A multi-document YAML file; each document says which resource it came from. */
export function toYaml(stack: StackManifests): string {
    return stack.manifests.map((m) => `# ${stack.stack}: ${m.resource}\n${stringify(m.body, { lineWidth: 0 })}`).join("---\n");
}

function main(argv: string[]): void {
    const flag = (name: string) => {
        const at = argv.indexOf(name);
        const value = at >= 0 ? argv[at + 1] : undefined;
        if (!value || value.startsWith("--")) throw new Error("usage: manifests.ts --render <render dir> --out <manifest dir>");
        return value;
    };
    const [renderDir, outDir] = [flag("--render"), flag("--out")];
    const files = readdirSync(renderDir).filter((f) => f.endsWith(".json")).sort();
    if (files.length === 0) throw new Error(`${renderDir}: no rendered stacks (*.json)`);
    mkdirSync(outDir, { recursive: true });
    let written = 0;
    for (const file of files) {
        const stack = stackManifests(JSON.parse(readFileSync(path.join(renderDir, file), "utf8")) as RenderedStack);
        if (stack.manifests.length > 0) {
            writeFileSync(path.join(outDir, `${stack.stack}.yaml`), toYaml(stack));
            written += stack.manifests.length;
        }
        process.stdout.write(`${stack.stack}: ${stack.manifests.length} manifests`);
        process.stdout.write(stack.notTemplated.length > 0 ? `; not templated here (no chart sources): ${stack.notTemplated.join(", ")}\n` : "\n");
    }
    if (written === 0) throw new Error(`${renderDir}: no Kubernetes resources in any stack`);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`manifests: ${(error as Error).message}\n`);
        process.exit(2);
    }
}
